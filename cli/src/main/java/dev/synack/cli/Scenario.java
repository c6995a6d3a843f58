package dev.synack.cli;

import static dev.synack.cli.DemoRun.CLIENT;
import static dev.synack.cli.DemoRun.SERVER;
import static dev.synack.cli.DemoRun.SERVER_PORT;
import static dev.synack.cli.DemoRun.address;
import static dev.synack.cli.DemoRun.expect;
import static dev.synack.cli.DemoRun.expectEqual;
import static dev.synack.cli.DemoRun.expectIoFailure;
import static dev.synack.cli.DemoRun.readText;
import static dev.synack.cli.DemoRun.readToEnd;
import static dev.synack.cli.DemoRun.writeText;

import dev.synack.wire.IpAddress;
import dev.synack.link.PacketFault;
import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import dev.synack.stack.NetStack;
import dev.synack.tcp.ReadShutdownData;
import dev.synack.trace.TraceEvent;
import dev.synack.wire.TcpFlags;
import dev.synack.wire.TcpPacket;
import dev.synack.wire.TcpSegment;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The scenarios of {@code synack demo}: each plays one textbook TCP story with real socket calls on
 * a simulated network, then checks that the story happened (the socket results the application saw
 * and the hallmark transitions in the trace). A scenario that goes otherwise fails the demo.
 */
enum Scenario {
    LIFECYCLE("lifecycle", "handshake, request and reply, close, TIME_WAIT (2MSL)",
            "the three-way handshake, the client's FIN first, TIME_WAIT ending 2MSL after it began") {
        @Override
        void play(DemoRun run) {
            serveOneRequest(run);
            spawnClient(run, socket -> {
                writeText(socket, REQUEST);
                expectEqual("the client's reply", REPLY, readText(socket, REPLY.length(), "the client's reply"));
            });
            run.afterwards(() -> {
                requireTransition(run, CLIENT, "ESTABLISHED", "FIN_WAIT1");
                requireTransition(run, CLIENT, "TIME_WAIT", "CLOSED");
                requireTransition(run, SERVER, "CLOSE_WAIT", "LAST_ACK");
            });
        }
    },
    HALF_CLOSE("half-close", "client SHUT_WR; the server keeps writing, then closes",
            "the server's data still flowing to the client while the client sits in FIN_WAIT2") {
        @Override
        void play(DemoRun run) {
            run.sim.spawn(SERVER, () -> {
                try (TcpServerSocket listener = listen(run)) {
                    try (TcpSocket socket = listener.accept()) {
                        // Every write its own segment, so the ladder shows data flowing after the FIN.
                        socket.setTcpNoDelay(true);
                        expectEqual("the server's read up to the client's FIN", REQUEST, readToEnd(socket));
                        for (String part : HALF_CLOSE_REPLY) {
                            writeText(socket, part);
                        }
                    }
                }
            });
            spawnClient(run, socket -> {
                writeText(socket, REQUEST);
                socket.shutdownOutput();
                expectEqual("the client's read after its SHUT_WR", String.join("", HALF_CLOSE_REPLY),
                        readToEnd(socket));
            });
            run.afterwards(() -> {
                requireTransition(run, CLIENT, "FIN_WAIT1", "FIN_WAIT2");
                requireTransition(run, CLIENT, "FIN_WAIT2", "TIME_WAIT");
                requireTransition(run, SERVER, "CLOSE_WAIT", "LAST_ACK");
                long dataAfterFin = run.trace().stream().filter(e -> e instanceof TraceEvent.Packet p
                        && p.host().equals(SERVER) && p.direction() == TraceEvent.Direction.SEND && p.len() > 0)
                        .count();
                expect(dataAfterFin >= HALF_CLOSE_REPLY.size(), "the server should send each of its "
                        + HALF_CLOSE_REPLY.size() + " writes as a segment, sent " + dataAfterFin);
            });
        }
    },
    SHUT_RD("shut-rd", "server SHUT_RD: EOF; later data read (linux) or not (bsd)",
            "no segment for the SHUT_RD; the client's later data acknowledged, no RST; read (linux) or not (freebsd)") {
        @Override
        void play(DemoRun run) {
            boolean discards = run.config.readShutdownData() == ReadShutdownData.DISCARD;
            run.sim.spawn(SERVER, () -> {
                try (TcpServerSocket listener = listen(run); TcpSocket socket = listener.accept()) {
                    socket.shutdownInput();
                    expect(socket.read(ByteBuffer.allocate(LATE_DATA.length())) < 0,
                            "the server's read right after its SHUT_RD should return end-of-file");
                    sleepUntil(run, SHUT_RD_SERVER_READS_AT);
                    if (discards) {
                        // BSD: what arrived was acknowledged and dropped; read stays at end-of-file.
                        expect(socket.read(ByteBuffer.allocate(LATE_DATA.length())) < 0,
                                "the server's read after its SHUT_RD should still return end-of-file (BSD drops the data)");
                    } else {
                        // Linux keeps acknowledging and queueing what arrives; read returns it.
                        expectEqual("the server's read after its SHUT_RD", LATE_DATA,
                                readText(socket, LATE_DATA.length(), "the server's read after its SHUT_RD"));
                    }
                    expect(socket.read(ByteBuffer.allocate(1)) < 0,
                            "with nothing queued, the server's read should return end-of-file again");
                }
            });
            spawnClient(run, socket -> {
                sleepUntil(run, SHUT_RD_CLIENT_WRITES_AT);
                writeText(socket, LATE_DATA);
                expectEqual("the client's read to the server's FIN", "", readToEnd(socket));
            });
            run.afterwards(() -> {
                requireNotSentFlag(run, SERVER, 'R');
                requireTransition(run, SERVER, "ESTABLISHED", "FIN_WAIT1");
            });
        }
    },
    SIMULTANEOUS_OPEN("simultaneous-open", "both connect at once: SYN_SENT, SYN_RECV, ESTABLISHED",
            "two SYNs crossing; each host answers from SYN_RECV with a SYN-ACK") {
        @Override
        void play(DemoRun run) {
            peer(run, CLIENT, run.client, CLIENT_PORT, run.serverIp, PEER_PORT, true);
            peer(run, SERVER, run.server, PEER_PORT, run.clientIp, CLIENT_PORT, false);
            run.afterwards(() -> {
                for (String host : List.of(CLIENT, SERVER)) {
                    requireTransition(run, host, "SYN_SENT", "SYN_RECV");
                    requireTransition(run, host, "SYN_RECV", "ESTABLISHED");
                }
            });
        }

        private void peer(DemoRun run, String name, NetStack stack, int localPort, String remoteIp,
                          int remotePort, boolean closesFirst) {
            run.sim.spawn(name, () -> {
                try (TcpSocket socket = new TcpSocket(stack)) {
                    socket.bind(localPort);
                    socket.connect(address(remoteIp, remotePort));
                    String mine = "hello from " + name + "\n";
                    String theirs = "hello from " + (closesFirst ? SERVER : CLIENT) + "\n";
                    writeText(socket, mine);
                    expectEqual(name + "'s read", theirs, readText(socket, theirs.length(), name + "'s read"));
                    if (!closesFirst) {
                        expectEqual(name + "'s read to the end", "", readToEnd(socket));
                    }
                }
            });
        }
    },
    SIMULTANEOUS_CLOSE("simultaneous-close", "both close at once: FIN_WAIT1, CLOSING, TIME_WAIT",
            "two FINs crossing; both hosts pass through CLOSING and both wait in TIME_WAIT") {
        @Override
        void play(DemoRun run) {
            run.sim.spawn(SERVER, () -> {
                try (TcpServerSocket listener = listen(run); TcpSocket socket = listener.accept()) {
                    sleepUntil(run, SIMULTANEOUS_CLOSE_AT);
                }
            });
            spawnClient(run, socket -> {
                sleepUntil(run, SIMULTANEOUS_CLOSE_AT);
            });
            run.afterwards(() -> {
                for (String host : List.of(CLIENT, SERVER)) {
                    requireTransition(run, host, "ESTABLISHED", "FIN_WAIT1");
                    requireTransition(run, host, "FIN_WAIT1", "CLOSING");
                    requireTransition(run, host, "CLOSING", "TIME_WAIT");
                }
            });
        }
    },
    REFUSED("refused", "no listener: RST, connect fails \"Connection refused\"",
            "the server's R. with seq 0 acknowledging the SYN; the client goes SYN_SENT -> CLOSED") {
        @Override
        void play(DemoRun run) {
            run.sim.spawn(CLIENT, () -> {
                try (TcpSocket socket = new TcpSocket(run.client)) {
                    expectIoFailure("connect to " + IpAddress.parse(run.serverIp).withPort(SERVER_PORT) + " (no listener)",
                            "Connection refused", () -> socket.connect(address(run.serverIp, SERVER_PORT)));
                }
            });
            run.afterwards(() -> {
                requireSent(run, SERVER, "R.");
                requireTransition(run, CLIENT, "SYN_SENT", "CLOSED");
            });
        }
    },
    ABORT("abort", "close with SO_LINGER 0 sends RST: \"Connection reset\"",
            "the client's RST in place of a FIN, no TIME_WAIT, the server's read failing") {
        @Override
        void play(DemoRun run) {
            run.sim.spawn(SERVER, () -> {
                try (TcpServerSocket listener = listen(run); TcpSocket socket = listener.accept()) {
                    expectEqual("the server's request", REQUEST,
                            readText(socket, REQUEST.length(), "the server's request"));
                    writeText(socket, REPLY);
                    expectIoFailure("the server's read after the client's abort", "Connection reset",
                            () -> socket.read(ByteBuffer.allocate(1)));
                }
            });
            spawnClient(run, socket -> {
                writeText(socket, REQUEST);
                expectEqual("the client's reply", REPLY, readText(socket, REPLY.length(), "the client's reply"));
                // SO_LINGER on with a zero timeout: close() aborts (RFC 9293 §3.10.5 ABORT) with a RST.
                socket.setSoLinger(true, 0);
                // spawnClient closes the socket next: with linger 0 that close is the abort
            });
            run.afterwards(() -> {
                requireSentFlag(run, CLIENT, 'R');
                requireNotSentFlag(run, CLIENT, 'F');
            });
        }
    },
    UNREAD_CLOSE("unread-close", "close with unread data sends RST, not FIN (RFC 2525)",
            "the server's RST in place of a FIN, the request's unread bytes being the reason") {
        @Override
        void play(DemoRun run) {
            run.sim.spawn(SERVER, () -> {
                try (TcpServerSocket listener = listen(run); TcpSocket socket = listener.accept()) {
                    // Reads only the method of the request; the rest stays unread when it closes.
                    String method = REQUEST.substring(0, REQUEST.indexOf(' ') + 1);
                    expectEqual("the server's partial read", method,
                            readText(socket, method.length(), "the server's partial read"));
                }
            });
            spawnClient(run, socket -> {
                writeText(socket, REQUEST);
                expectIoFailure("the client's read after the server's close", "Connection reset",
                        () -> socket.read(ByteBuffer.allocate(REPLY.length())));
            });
            run.afterwards(() -> {
                requireSentFlag(run, SERVER, 'R');
                requireNotSentFlag(run, SERVER, 'F');
            });
        }
    },
    TIME_WAIT("time-wait", "last ACK lost: FIN resent, TIME_WAIT restarts 2MSL",
            "the lost ACK (x), the FIN resent from LAST_ACK, TIME_WAIT ending 2MSL after the second FIN") {
        @Override
        void play(DemoRun run) {
            LoseFinalAck loss = new LoseFinalAck();
            run.sim.addFault(loss);
            LIFECYCLE.play(run);
            run.afterwards(() -> {
                expect(loss.fired, "the scripted loss of the client's final ACK never happened");
                long finsSent = run.trace().stream().filter(e -> e instanceof TraceEvent.Packet p
                        && p.host().equals(SERVER) && p.direction() == TraceEvent.Direction.SEND
                        && p.flags().contains("F")).count();
                expect(finsSent >= 2, "the server should retransmit its FIN from LAST_ACK; it sent " + finsSent);
            });
        }
    },
    LOSSY("lossy", "200 KB upload over a lossy path (3% loss unless --loss)",
            "lost packets (x), duplicate ACKs after each hole, the retransmissions that fill it, SACK blocks") {
        @Override
        void play(DemoRun run) {
            byte[] upload = new byte[LOSSY_UPLOAD_BYTES];
            new java.util.SplittableRandom(run.seed).nextBytes(upload);
            String expectedReply = "received " + upload.length + " bytes, sha-256 " + sha256(upload) + "\n";
            run.sim.spawn(SERVER, () -> {
                try (TcpServerSocket listener = listen(run); TcpSocket socket = listener.accept()) {
                    java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
                    ByteBuffer buffer = ByteBuffer.allocate(LOSSY_READ_CHUNK);
                    while (socket.read(buffer.clear()) >= 0) {
                        got.write(buffer.array(), 0, buffer.position());
                    }
                    byte[] bytes = got.toByteArray();
                    writeText(socket, "received " + bytes.length + " bytes, sha-256 " + sha256(bytes) + "\n");
                }
            });
            spawnClient(run, socket -> {
                ByteBuffer data = ByteBuffer.wrap(upload);
                while (data.hasRemaining()) {
                    socket.write(data);
                }
                socket.shutdownOutput();
                expectEqual("the server's receipt", expectedReply, readToEnd(socket));
            });
            run.afterwards(() -> {
                // Lost on the way, or corrupted and dropped by the receiver's checksum: either must be repaired.
                long lost = run.sim.faultStats().dropped() + run.sim.faultStats().corrupted();
                expect(lost > 0, "the path lost no packet with this seed: give a higher --loss or another --seed");
                long retransmitted = run.client.counters().get("RetransSegs") + run.server.counters().get("RetransSegs");
                expect(retransmitted > 0, lost + " packet(s) were lost but nothing was retransmitted");
            });
        }
    };

    /** The lossy scenario's upload: about 140 full-sized segments, enough for several losses at 3 %. */
    static final int LOSSY_UPLOAD_BYTES = 200 * 1024;
    private static final int LOSSY_READ_CHUNK = 16 * 1024;

    static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    static final String REQUEST = "GET / HTTP/1.0\r\n\r\n";
    static final String REPLY = "HTTP/1.0 200 OK\r\n\r\nhello\n";
    static final List<String> HALF_CLOSE_REPLY = List.of("first part\n", "second part\n", "third part\n");
    /** Fixed ports for simultaneous open: each side must know the other's in advance. */
    static final int CLIENT_PORT = 40000;
    static final int PEER_PORT = 50000;
    private static final int BACKLOG = 8;
    /** What the client writes after the server's SHUT_RD, and when; the server reads it later still. */
    static final String LATE_DATA = "sent after the server's SHUT_RD\n";
    private static final Duration SHUT_RD_CLIENT_WRITES_AT = Duration.ofMillis(100);
    private static final Duration SHUT_RD_SERVER_READS_AT = Duration.ofMillis(200);
    /** When both ends of simultaneous-close call close(): well after the handshake has finished. */
    private static final Duration SIMULTANEOUS_CLOSE_AT = Duration.ofMillis(100);

    final String id;
    final String summary;
    /** What to look for in the ladder, printed in the text header. */
    final String lookFor;

    Scenario(String id, String summary, String lookFor) {
        this.id = id;
        this.summary = summary;
        this.lookFor = lookFor;
    }

    /** Spawns the scenario's actors on {@code run} and registers its final checks. */
    abstract void play(DemoRun run);

    static Scenario byId(String id) {
        for (Scenario s : values()) {
            if (s.id.equals(id)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown scenario '" + id + "'; choose one of: " + ids());
    }

    static String ids() {
        return String.join(", ", Arrays.stream(values()).map(s -> s.id).toList());
    }

    /** What an actor does with its connected socket. */
    @FunctionalInterface
    interface SocketBody {
        void run(TcpSocket socket) throws Exception;
    }

    /** Spawns the client actor: it connects to the server, runs {@code body}, and closes its socket. */
    static void spawnClient(DemoRun run, SocketBody body) {
        run.sim.spawn(CLIENT, () -> {
            try (TcpSocket socket = new TcpSocket(run.client)) {
                socket.connect(address(run.serverIp, SERVER_PORT));
                body.run(socket);
            }
        });
    }

    /** The server half of lifecycle: answer one request, then read to the end and close. */
    static void serveOneRequest(DemoRun run) {
        run.sim.spawn(SERVER, () -> {
            try (TcpServerSocket listener = listen(run); TcpSocket socket = listener.accept()) {
                expectEqual("the server's request", REQUEST, readText(socket, REQUEST.length(), "the server's request"));
                writeText(socket, REPLY);
                expectEqual("the server's read up to the client's FIN", "", readToEnd(socket));
            }
        });
    }

    /** Lets virtual time pass until {@code at} since the start of the run. */
    static void sleepUntil(DemoRun run, Duration at) {
        long now = run.sim.nowNanos();
        expect(now <= at.toNanos(), "it is already " + now + " ns, past the planned " + at);
        run.sim.sleep(Duration.ofNanos(at.toNanos() - now));
    }

    static TcpServerSocket listen(DemoRun run) throws IOException {
        TcpServerSocket listener = new TcpServerSocket(run.server, SERVER_PORT, BACKLOG);
        return listener;
    }

    static void requireTransition(DemoRun run, String host, String from, String to) {
        boolean seen = run.trace().stream().anyMatch(e -> e instanceof TraceEvent.StateChange s
                && s.host().equals(host) && s.from().equals(from) && s.to().equals(to));
        expect(seen, host + " should go from " + from + " to " + to + ", but the trace has no such transition");
    }

    static void requireSent(DemoRun run, String host, String flags) {
        expect(run.trace().stream().anyMatch(e -> e instanceof TraceEvent.Packet p && p.host().equals(host)
                && p.direction() == TraceEvent.Direction.SEND && p.flags().equals(flags)),
                host + " should send a segment with flags " + flags);
    }

    static void requireSentFlag(DemoRun run, String host, char flag) {
        expect(sentFlag(run, host, flag), host + " should send a segment with flag " + flag);
    }

    static void requireNotSentFlag(DemoRun run, String host, char flag) {
        expect(!sentFlag(run, host, flag), host + " should send no segment with flag " + flag);
    }

    private static boolean sentFlag(DemoRun run, String host, char flag) {
        return run.trace().stream().anyMatch(e -> e instanceof TraceEvent.Packet p && p.host().equals(host)
                && p.direction() == TraceEvent.Direction.SEND && p.flags().indexOf(flag) >= 0);
    }

    /**
     * Loses the client's ACK of the server's FIN, once: it remembers where the server's FIN ends and
     * drops the first pure ACK from the client that acknowledges exactly that.
     */
    static final class LoseFinalAck implements PacketFault {
        static final String REASON = "scripted loss";
        private boolean serverFinSeen;
        private int serverFinEnd;
        volatile boolean fired;

        @Override
        public String drop(String fromHost, TcpPacket packet) {
            TcpSegment segment = packet.segment();
            if (fromHost.equals(SERVER) && segment.has(TcpFlags.FIN)) {
                serverFinSeen = true;
                serverFinEnd = segment.seq() + segment.sequenceLength();
            } else if (fromHost.equals(CLIENT) && serverFinSeen && !fired && segment.flags() == TcpFlags.ACK
                    && segment.payloadLength() == 0 && segment.ack() == serverFinEnd) {
                fired = true;
                return REASON;
            }
            return null;
        }
    }
}
