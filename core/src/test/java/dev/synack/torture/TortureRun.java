package dev.synack.torture;

import dev.synack.link.FaultStats;
import dev.synack.link.PathConditions;
import dev.synack.link.SimNetwork;
import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import dev.synack.stack.Counter;
import dev.synack.stack.NetStack;
import dev.synack.tcp.CongestionAlgorithm;
import dev.synack.tcp.TcpConfig;
import dev.synack.trace.TraceEvent;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One torture transfer, wholly determined by its seed: the seed picks the sizes, the two
 * directions' {@link PathConditions} and the TCP options ({@link #of}); {@link #run} plays it on a
 * fresh {@link SimNetwork} seeded with the same number. The client connects, writes
 * {@link #upBytes} in chunks of random sizes and shuts its output; the server reads to the end,
 * then writes {@link #downBytes} and closes; the client reads to the end and closes. It passes
 * when each side read exactly the bytes the other wrote (length and SHA-256), every connection of
 * both hosts reached CLOSED and was forgotten, nothing was left scheduled, every corrupted packet
 * was rejected by a receiver's checksum (the hosts' InErrs equal the corrupted count; over IPv6,
 * which leaves some header bits unchecked, no more rejections than corruptions), and the virtual
 * clock stayed under {@link #TIME_LIMIT}. Even seeds run over IPv6, odd ones over IPv4.
 */
record TortureRun(long seed, int upBytes, int downBytes, PathConditions clientToServer,
                  PathConditions serverToClient, boolean sack, boolean timestamps, boolean windowScaling,
                  CongestionAlgorithm congestion, Extras extras) {

    /**
     * Axes added after the first ones, drawn from a second stream of the seed so that the earlier
     * axes of every seed (and so the reproductions already written down) stay as they were.
     *
     * @param duplex        both ends write and read at the same time (a reader and a writer actor per host)
     * @param mss           the MSS both hosts advertise (0: the profile's 1460)
     * @param receiveBuffer a small receive buffer without autotuning, so windows close (0: the profile's)
     * @param sendBuffer    a small send buffer, so writers block (0: the profile's)
     * @param noDelay       TCP_NODELAY on both sockets (Nagle off)
     * @param rack          RACK loss detection with SACK (Linux's default); otherwise RFC 6675's DupThresh rules
     */
    record Extras(boolean duplex, int mss, int receiveBuffer, int sendBuffer, boolean noDelay, boolean rack) {
        static Extras of(long seed) {
            SplittableRandom r = new SplittableRandom(seed ^ 0x5ec0_7d57_ea11L);
            return new Extras(r.nextInt(4) == 0 && DUPLEX_ENABLED, r.nextInt(5) == 0 ? r.nextInt(536, 1461) : 0,
                    r.nextInt(7) == 0 ? r.nextInt(1024, 16 * 1024) : 0, r.nextInt(10) == 0 ? r.nextInt(1024, 16 * 1024) : 0,
                    r.nextInt(3) == 0, r.nextInt(4) != 0);
        }

        @Override
        public String toString() {
            return (duplex ? "duplex" : "up then down") + (mss > 0 ? ", mss " + mss : "")
                    + (receiveBuffer > 0 ? ", rcvbuf " + receiveBuffer : "") + (sendBuffer > 0 ? ", sndbuf " + sendBuffer : "")
                    + (noDelay ? ", nodelay" : "") + (rack ? "" : ", no RACK");
        }
    }

    static final String CLIENT_IP = "10.0.0.1";
    static final String SERVER_IP = "10.0.0.2";
    /** What a stack counts when it rejects a corrupted IPv6 packet, whichever field the flipped bit hit. */
    private static final List<Counter> IPV6_REJECTIONS = List.of(Counter.IN_ERRS, Counter.IN_HDR_ERRORS, Counter.IN_ADDR_ERRORS,
            Counter.IN_MARTIAN_SRC, Counter.IN_UNKNOWN_PROTOS, Counter.IN_ICMP6_IGNORED, Counter.IN_ICMP6_ERRORS);
    static final String CLIENT_IP6 = "fd00::1";
    static final String SERVER_IP6 = "fd00::2";
    static final int PORT = 7;
    /** A run that takes longer in virtual time has hung (the slowest legitimate runs take minutes). */
    static final Duration TIME_LIMIT = Duration.ofHours(12);
    /**
     * More SYN retries than Linux's 6: at 30 % loss each way a handshake round trip fails half the
     * time, and "Connection timed out" would then be the right answer rather than an engine bug.
     */
    static final int SYN_RETRIES = 15;
    /**
     * More data retries than Linux's 15, for the same reason: a loss burst that outlasts 15 backed-off
     * retransmissions is a legitimate "Connection timed out"; 30 (about an hour at the 120 s maximum
     * RTO) makes that vanishingly rare, so a timeout points at the engine.
     */
    static final int DATA_RETRIES = 30;
    private static final int MAX_CHUNK = 65536;
    /**
     * Both ends streaming at once (a quarter of the seeds); {@code -Dtorture.duplex=false} turns it
     * off. Seeds 3190, 3356 and 3931 exercise two ends trading ACKs after go-back-N, which must not
     * livelock. The axis is drawn for every seed either way, so turning it off changes nothing else.
     */
    static final boolean DUPLEX_ENABLED = Boolean.parseBoolean(System.getProperty("torture.duplex", "true"));

    /** The parameters the seed stands for; most transfers are small, a few are several MiB. */
    static TortureRun of(long seed) {
        SplittableRandom r = new SplittableRandom(seed ^ 0x7047_7572_65L);
        int upBytes = size(r);
        int downBytes = r.nextInt(4) == 0 ? size(r) : r.nextInt(2000);
        boolean large = Math.max(upBytes, downBytes) > 512 * 1024;
        PathConditions base = conditions(r, large);
        PathConditions back = r.nextInt(3) == 0 ? conditions(r, large) : base;
        return new TortureRun(seed, upBytes, downBytes, base, back, r.nextBoolean(), r.nextBoolean(), r.nextInt(4) != 0,
                r.nextBoolean() ? CongestionAlgorithm.CUBIC : CongestionAlgorithm.NEW_RENO, Extras.of(seed));
    }

    private static int size(SplittableRandom r) {
        int bucket = r.nextInt(100);
        if (bucket < 5) return 0;
        if (bucket < 40) return r.nextInt(1, 1500);
        if (bucket < 80) return r.nextInt(1500, 32 * 1024);
        if (bucket < 97) return r.nextInt(32 * 1024, 512 * 1024);
        return r.nextInt(512 * 1024, 8 * 1024 * 1024);
    }

    /** Large transfers get at most 10 % loss so that the suite stays within its time budget. */
    private static PathConditions conditions(SplittableRandom r, boolean large) {
        PathConditions.Builder b = PathConditions.builder()
                .delay(Duration.ofNanos(1000 * r.nextLong(50, 50_000)));
        double maxLoss = large ? 0.10 : 0.30;
        if (r.nextInt(10) < 7) b.loss(r.nextDouble() * maxLoss);
        // A burst lasts 1/exit packets on average. The chain advances per packet, so in a direction that
        // carries one packet per backed-off RTO a burst can outlast every retry: exits below 50 % made
        // about one run in 10000 time out legitimately (seeds 302493, 312399 of an earlier range).
        if (r.nextInt(5) == 0) b.burst(r.nextDouble(0.001, 0.05), r.nextDouble(0.5, 0.9));
        if (r.nextInt(4) == 0) b.reorder(r.nextDouble() * 0.15, Duration.ofNanos(1000 * r.nextLong(100, 30_000)));
        if (r.nextInt(5) == 0) b.duplicate(r.nextDouble() * 0.05);
        if (r.nextInt(5) == 0) b.corrupt(r.nextDouble() * 0.05);
        if (r.nextInt(3) == 0) b.jitter(Duration.ofNanos(1000 * r.nextLong(1, 20_000)));
        if (r.nextInt(5) == 0) {
            long mbit = r.nextLong(1, 200);
            b.bandwidth(mbit * 1_000_000, r.nextInt(8 * 1024, 256 * 1024));
        }
        if (r.nextInt(8) == 0) {
            long start = r.nextLong(0, 3_000);
            b.partition(Duration.ofMillis(start), Duration.ofMillis(start + r.nextLong(50, 3_000)));
        }
        return b.build();
    }

    TcpConfig config() {
        TcpConfig.Builder b = TcpConfig.linux().toBuilder().sack(sack).timestamps(timestamps).windowScaling(windowScaling)
                .congestionAlgorithm(congestion).rack(extras.rack())
                .synRetries(SYN_RETRIES).synAckRetries(SYN_RETRIES).dataRetries(DATA_RETRIES);
        if (extras.mss() > 0) b.mss(extras.mss());
        if (extras.receiveBuffer() > 0) {
            b.receiveBufferSize(extras.receiveBuffer()).maxReceiveBufferSize(extras.receiveBuffer())
                    .receiveBufferAutotuning(false);
        }
        if (extras.sendBuffer() > 0) b.sendBufferSize(extras.sendBuffer());
        return b.build();
    }

    /** Even seeds run over IPv6, odd ones over IPv4 (drawn from no random source: every other parameter stays the seed's). */
    boolean ipv6() { return (seed & 1) == 0; }

    String serverIp() { return ipv6() ? SERVER_IP6 : SERVER_IP; }

    /** Everything needed to understand and replay a failure. */
    String describe() {
        return "seed " + seed + (ipv6() ? " (IPv6)" : " (IPv4)") + ": up " + upBytes + " B, down " + downBytes + " B, sack " + sack + ", timestamps "
                + timestamps + ", window scaling " + windowScaling + ", " + congestion + ", " + extras + "; client->server {" + clientToServer
                + "}; server->client {" + serverToClient + "}";
    }

    /** What a run did; {@code failure} is null when every check passed. */
    record Outcome(TortureRun run, String failure, long virtualNanos, FaultStats faults, List<TraceEvent> trace) {
        boolean passed() { return failure == null; }
    }

    /** Plays the transfer; with {@code traced} the whole trace is kept (reruns of one seed). */
    Outcome run(boolean traced) {
        SimNetwork net = new SimNetwork(seed).timeLimit(TIME_LIMIT);
        TcpConfig config = config();
        NetStack client = net.addHost("client", ipv6() ? CLIENT_IP6 : CLIENT_IP, config);
        NetStack server = net.addHost("server", serverIp(), config);
        net.conditions("client", "server", clientToServer);
        net.conditions("server", "client", serverToClient);
        List<TraceEvent> trace = traced ? net.recordTrace() : List.of();
        String[] digests = new String[4]; // up written, up read, down written, down read
        long[] lengths = new long[4];
        if (extras.duplex()) {
            spawnDuplex(net, client, server, digests, lengths);
        } else {
            net.spawn("server", () -> {
                SplittableRandom chunks = new SplittableRandom(seed * 31 + 1);
                try (TcpServerSocket listener = new TcpServerSocket(server, PORT, 1)) {
                    try (TcpSocket s = listener.accept()) {
                        s.setTcpNoDelay(extras.noDelay());
                        readToEnd(s, chunks, digests, lengths, 1);
                        writeStream(s, downBytes, seed * 31 + 2, chunks, digests, lengths, 2);
                    }
                }
            });
            net.spawn("client", () -> {
                SplittableRandom chunks = new SplittableRandom(seed * 31 + 3);
                try (TcpSocket s = new TcpSocket(client)) {
                    s.setTcpNoDelay(extras.noDelay());
                    s.connect(new InetSocketAddress(serverIp(), PORT));
                    writeStream(s, upBytes, seed * 31 + 4, chunks, digests, lengths, 0);
                    s.shutdownOutput();
                    readToEnd(s, chunks, digests, lengths, 3);
                }
            });
        }
        String failure = null;
        try {
            net.run();
            failure = check(net, client, server, digests, lengths);
        } catch (RuntimeException | AssertionError e) {
            failure = e.toString() + (e.getCause() != null ? " caused by " + e.getCause() : "");
        }
        return new Outcome(this, failure, net.nowNanos(), net.faultStats(), trace);
    }

    /**
     * Both ends stream at once: on each host a reader actor reads to the end while a writer actor
     * writes and then shuts its output; whichever of the two finishes last closes the socket.
     */
    private void spawnDuplex(SimNetwork net, NetStack client, NetStack server, String[] digests, long[] lengths) {
        net.spawn("server", () -> {
            TcpSocket s;
            try (TcpServerSocket listener = new TcpServerSocket(server, PORT, 1)) {
                s = listener.accept();
            }
            s.setTcpNoDelay(extras.noDelay());
            int[] finished = {0};
            net.spawn("server-writer", () -> {
                writeStream(s, downBytes, seed * 31 + 2, new SplittableRandom(seed * 31 + 5), digests, lengths, 2);
                s.shutdownOutput();
                if (++finished[0] == 2) s.close();
            });
            readToEnd(s, new SplittableRandom(seed * 31 + 1), digests, lengths, 1);
            if (++finished[0] == 2) s.close();
        });
        net.spawn("client", () -> {
            TcpSocket s = new TcpSocket(client);
            s.setTcpNoDelay(extras.noDelay());
            s.connect(new InetSocketAddress(serverIp(), PORT));
            int[] finished = {0};
            net.spawn("client-writer", () -> {
                writeStream(s, upBytes, seed * 31 + 4, new SplittableRandom(seed * 31 + 6), digests, lengths, 0);
                s.shutdownOutput();
                if (++finished[0] == 2) s.close();
            });
            readToEnd(s, new SplittableRandom(seed * 31 + 3), digests, lengths, 3);
            if (++finished[0] == 2) s.close();
        });
    }

    private String check(SimNetwork net, NetStack client, NetStack server, String[] digests, long[] lengths) {
        List<String> problems = new ArrayList<>();
        if (lengths[0] != upBytes || lengths[1] != upBytes || !java.util.Objects.equals(digests[0], digests[1])) {
            problems.add("client->server: wrote " + lengths[0] + " B, server read " + lengths[1]
                    + " B, digests " + (digests[0] != null && digests[0].equals(digests[1]) ? "equal" : "differ"));
        }
        if (lengths[2] != downBytes || lengths[3] != downBytes || !java.util.Objects.equals(digests[2], digests[3])) {
            problems.add("server->client: wrote " + lengths[2] + " B, client read " + lengths[3]
                    + " B, digests " + (digests[2] != null && digests[2].equals(digests[3]) ? "equal" : "differ"));
        }
        if (client.connectionCount() != 0) problems.add("client still has " + client.connectionCount() + " connection(s)");
        if (server.connectionCount() != 0) problems.add("server still has " + server.connectionCount() + " connection(s)");
        long internalErrors = client.counters().get("InternalErrors") + server.counters().get("InternalErrors");
        if (internalErrors != 0) {
            problems.add(internalErrors + " internal error(s): an exception was caught on a stack's packet or timer path");
        }
        long corrupted = net.faultStats().corrupted();
        if (!ipv6()) {
            long inErrs = client.counter(Counter.IN_ERRS) + server.counter(Counter.IN_ERRS);
            if (inErrs != corrupted) {
                problems.add("corrupted " + corrupted + " packet(s) but the hosts counted " + inErrs
                        + " InErrs: a corruption went undetected or something else failed to parse");
            }
        } else {
            // IPv6 has no header checksum: a bit flipped in the traffic class, flow label or hop
            // limit is covered by nothing (RFC 8200 §8.1 leaves them out of the pseudo-header) and
            // the packet is rightly taken; every other corruption is rejected, under some counter.
            long rejected = 0;
            for (Counter c : IPV6_REJECTIONS) rejected += client.counter(c) + server.counter(c);
            if (rejected > corrupted) {
                problems.add("corrupted " + corrupted + " packet(s) but the hosts rejected " + rejected
                        + ": something other than a corruption failed to parse");
            }
        }
        return problems.isEmpty() ? null : String.join("; ", problems);
    }

    /** Writes {@code total} bytes of the stream seeded {@code dataSeed}, in chunks of random sizes. */
    private static void writeStream(TcpSocket s, int total, long dataSeed, SplittableRandom chunks,
                                    String[] digests, long[] lengths, int slot) throws IOException {
        MessageDigest digest = sha256();
        SplittableRandom data = new SplittableRandom(dataSeed);
        int left = total;
        while (left > 0) {
            byte[] chunk = new byte[Math.min(left, chunks.nextInt(1, MAX_CHUNK + 1))];
            data.nextBytes(chunk);
            ByteBuffer b = ByteBuffer.wrap(chunk);
            while (b.hasRemaining()) s.write(b);
            digest.update(chunk);
            lengths[slot] += chunk.length;
            left -= chunk.length;
        }
        digests[slot] = HexFormat.of().formatHex(digest.digest());
    }

    private static void readToEnd(TcpSocket s, SplittableRandom chunks, String[] digests, long[] lengths, int slot)
            throws IOException {
        MessageDigest digest = sha256();
        ByteBuffer b = ByteBuffer.allocate(MAX_CHUNK);
        while (true) {
            b.clear().limit(chunks.nextInt(1, MAX_CHUNK + 1));
            int n = s.read(b);
            if (n < 0) break;
            digest.update(b.array(), 0, n);
            lengths[slot] += n;
        }
        digests[slot] = HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
