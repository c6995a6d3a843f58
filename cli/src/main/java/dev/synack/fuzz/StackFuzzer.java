package dev.synack.fuzz;

import dev.synack.stack.Counter;
import dev.synack.stack.NetStack;
import dev.synack.tcp.Connection;
import dev.synack.tcp.IsnGenerator;
import dev.synack.tcp.Listener;
import dev.synack.tcp.Rfc6528IsnGenerator;
import dev.synack.tcp.ShutdownHow;
import dev.synack.tcp.TcpConfig;
import dev.synack.tcp.TcpException;
import dev.synack.tcp.TcpState;
import dev.synack.trace.TraceListener;
import dev.synack.wire.Ipv4Address;
import dev.synack.wire.Ipv4Header;
import dev.synack.wire.PacketCodec;
import dev.synack.wire.ParseResult;
import dev.synack.wire.TcpFlags;
import dev.synack.wire.TcpPacket;
import dev.synack.wire.TcpSegment;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * One fuzz round of the whole input path: two stacks in virtual time, a client (10.0.0.1) and a
 * server (10.0.0.2) with a few connections carrying streams both ways, while an attacker who sees
 * every packet on the wire throws at both stacks random bytes, truncated, corrupted, fragmented and
 * replayed packets, packets with IPv4 options (sound and not), martian sources, crafted segments
 * for the live connections (random flags, sequence and acknowledgment numbers near the window and
 * far from it, options), and segments and echo requests for other ports. Everything is drawn from
 * the seed: a round repeats exactly.
 *
 * <p>What must hold, checked as the round goes and at its end ({@link FuzzFailure} otherwise, naming
 * the seed): no exception escapes a stack, {@link Counter#INTERNAL_ERRORS} stays 0, no lock is left
 * held, every byte read equals the stream's byte at that offset, every connection the attacker did
 * not send a valid RST to delivers its whole stream both ways and closes, the others end, neither
 * stack ever sends a packet to a martian address (it would be answering one), and once the attack
 * stops and every application has closed, both stacks forget every connection.
 *
 * <p>The attacker plays fair in one respect: a segment it crafts with valid checksums that a
 * connection could accept carries the stream's true bytes, only those its sender has already sent,
 * no FIN but the sender's own, no acknowledgment beyond what the spoofed end has received, and no
 * SYN or RST that could steer a handshake. An on-path attacker can of course inject data or
 * acknowledge unsent bytes (TCP cannot tell), which would prove nothing about the stack.
 */
public final class StackFuzzer {
    /** The wire takes 1 to 3 ms (so packets overtake each other). */
    private static final long MS = 1_000_000L;
    static final int CLIENT = Ipv4Address.parse("10.0.0.1");
    static final int SERVER = Ipv4Address.parse("10.0.0.2");
    static final int SERVER_PORT = 80;
    /** The attack and the transfers must be over by then (virtual time). */
    private static final long ATTACK_END = Duration.ofMinutes(5).toNanos();
    /** After the applications closed, what it may take to forget every connection (TIME_WAIT 60 s, SYN-ACK retries 63 s). */
    private static final long QUIET = Duration.ofSeconds(150).toNanos();
    /** How long a connection the attacker may have reset is given after the others finished. */
    private static final long TAINTED_GRACE = Duration.ofSeconds(30).toNanos();

    /** What a round did, for the command's report. */
    public record Report(long seed, int connections, long bytes, int legitimatePackets, int attackPackets, int resetConnections,
                         Map<String, Long> clientCounters, Map<String, Long> serverCounters) {}

    /** An invariant broke; the message names the seed that repeats it. */
    public static final class FuzzFailure extends AssertionError {
        FuzzFailure(long seed, String what, Throwable cause) {
            super("fuzz seed " + seed + ": " + what, cause);
        }
    }

    private final long seed;
    private final Random random;
    private final AttackPackets packets;
    private long now;
    private final NetStack client;
    private final NetStack server;
    private Listener listener;
    private final PriorityQueue<InFlight> wire = new PriorityQueue<>();
    private long sequence;
    private final List<Flow> flows = new ArrayList<>();
    /** Legitimate packets seen on the wire, most recent last (bounded). */
    private final List<ByteBuffer> history = new ArrayList<>();
    private final TcpPacket scratch = new TcpPacket();
    private final ByteBuffer readBuffer = ByteBuffer.allocate(8192);
    private int legitimatePackets;
    /** An invariant a stack broke while sending, reported when it returns. */
    private String violation;
    private int attackPackets;

    /** A packet on its way, delivered in time order (ties in the order sent). */
    private record InFlight(long at, long order, NetStack to, ByteBuffer packet) implements Comparable<InFlight> {
        @Override
        public int compareTo(InFlight o) {
            return at != o.at ? Long.compare(at, o.at) : Long.compare(order, o.order);
        }
    }

    /** A connection: the client's and the server's end and their two streams. */
    private final class Flow {
        final int clientPort;
        final Connection clientEnd;
        Connection serverEnd;
        final FuzzStream up;   // client -> server
        final FuzzStream down; // server -> client
        boolean tainted;
        boolean clientClosed;
        boolean serverClosed;
        String clientError;
        String serverError;
        /** The latest legitimate packet each way: the attacker's templates. */
        ByteBuffer lastUp;
        ByteBuffer lastDown;

        Flow(Connection clientEnd, int clientPort, int upLength, int downLength) {
            this.clientEnd = clientEnd;
            this.clientPort = clientPort;
            this.up = new FuzzStream(seed * 31 + clientPort * 2L, upLength);
            this.down = new FuzzStream(seed * 31 + clientPort * 2L + 1, downLength);
        }

        boolean done() {
            return (clientClosed || clientError != null) && (serverClosed || serverError != null || (serverEnd == null && tainted));
        }
    }

    private StackFuzzer(long seed, TraceListener trace) {
        this.seed = seed;
        this.random = new Random(seed);
        this.packets = new AttackPackets(random);
        TcpConfig config = randomConfig(random);
        client = stack("client", CLIENT, config);
        server = stack("server", SERVER, random.nextInt(4) == 0 ? randomConfig(random) : config);
        if (trace != null) {
            client.addTraceListener(trace);
            server.addTraceListener(trace);
        }
    }

    /** Runs the round for {@code seed}; throws {@link FuzzFailure} when an invariant breaks. */
    public static Report run(long seed) {
        return run(seed, null);
    }

    /** {@link #run(long)}, with every trace event of both stacks going to {@code trace} (null: none). */
    public static Report run(long seed, TraceListener trace) {
        StackFuzzer f = new StackFuzzer(seed, trace);
        try {
            return f.round();
        } catch (FuzzFailure e) {
            throw e;
        } catch (Throwable t) {
            throw new FuzzFailure(seed, "the round itself failed: " + t, t);
        }
    }

    private static TcpConfig randomConfig(Random r) {
        TcpConfig base = r.nextInt(5) == 0 ? TcpConfig.rfc() : TcpConfig.linux();
        return base.toBuilder()
                .sack(r.nextBoolean())
                .timestamps(r.nextInt(4) != 0)
                .windowScaling(r.nextBoolean())
                .receiveBufferSize(2048 << r.nextInt(7))
                .sendBufferSize(4096 << r.nextInt(6))
                .msl(Duration.ofSeconds(30))
                .build();
    }

    private NetStack stack(String name, int address, TcpConfig config) {
        byte[] key = new byte[16];
        random.nextBytes(key);
        IsnGenerator isn = new Rfc6528IsnGenerator(key);
        NetStack s = new NetStack(name, address, config, () -> now, isn, random.nextLong());
        s.attach((from, packet) -> sent(from, PacketEdits.copy(packet)), null);
        s.prefixLength(24);
        return s;
    }

    // ------------------------------------------------------------------ the round

    private Report round() throws Exception {
        server.lock();
        try {
            server.bind(SERVER_PORT);
            // As deep as allowed: the stranger SYNs are not a SYN flood (SYN cookies are not this round's subject).
            listener = server.listen(SERVER_PORT, Integer.MAX_VALUE);
        } finally {
            server.unlock();
        }
        int connections = 1 + random.nextInt(4);
        long bytes = 0;
        for (int i = 0; i < connections; i++) {
            int upLength = random.nextInt(4) == 0 ? 0 : random.nextInt(256 * 1024);
            int downLength = random.nextInt(4) == 0 ? 0 : random.nextInt(256 * 1024);
            bytes += upLength + downLength;
            client.lock();
            try {
                Connection c = client.connect(0, SERVER, SERVER_PORT);
                flows.add(new Flow(c, c.tuple().localPort(), upLength, downLength));
            } finally {
                client.unlock();
            }
        }
        int attackPercent = 20 + random.nextInt(81);
        while (now < ATTACK_END && !allDone(false)) tick(attackPercent);
        for (Flow f : flows) {
            if (!f.done() && !f.tainted) fail("connection " + f.clientPort + " did not finish: " + describe(f), null);
        }
        // A connection the attacker may have reset gets a while longer; then its applications give up.
        long grace = now + TAINTED_GRACE;
        while (now < grace && !allDone(true)) tick(attackPercent);
        quiet();
        checkEnd();
        int reset = 0;
        for (Flow f : flows) if (f.tainted) reset++;
        return new Report(seed, connections, bytes, legitimatePackets, attackPackets, reset, client.counters(), server.counters());
    }

    /** Whether every connection (or every one the attacker sent no RST to) is done. */
    private boolean allDone(boolean tainted) {
        for (Flow f : flows) if (!f.done() && (tainted || !f.tainted)) return false;
        return true;
    }

    /** One millisecond: packets due arrive, timers fire, the applications move, the attacker sends. */
    private void tick(int attackPercent) {
        now += MS;
        deliverDue();
        fireTimers();
        for (Flow f : flows) runApplications(f);
        if (random.nextInt(100) < attackPercent) {
            int n = 1 + random.nextInt(8);
            for (int i = 0; i < n; i++) attack();
        }
    }

    /** The attack stops, every application closes what it holds, the listener closes; time passes until all is forgotten. */
    private void quiet() {
        for (Flow f : flows) {
            closeQuietly(client, f.clientEnd);
            if (f.serverEnd != null) closeQuietly(server, f.serverEnd);
        }
        server.lock();
        try {
            server.closeListener(listener);
            Connection c;
            while ((c = listener.accept()) != null) closeQuietly(server, c);
        } finally {
            server.unlock();
        }
        long end = now + QUIET;
        while (now < end && (client.connectionCount() > 0 || server.connectionCount() > 0 || !wire.isEmpty())) {
            long next = Math.min(end, nextEvent());
            now = Math.max(now + 1, next);
            deliverDue();
            fireTimers();
        }
    }

    private long nextEvent() {
        long next = Math.min(client.nextTimerDeadline(), server.nextTimerDeadline());
        InFlight head = wire.peek();
        return head == null ? next : Math.min(next, head.at);
    }

    private void checkEnd() {
        checkStack(client);
        checkStack(server);
        for (Flow f : flows) {
            if (f.tainted) continue;
            if (f.up.read != f.up.length || f.down.read != f.down.length || !f.up.eof || !f.down.eof) {
                fail("connection " + f.clientPort + " lost bytes: " + describe(f), null);
            }
            if (f.clientError != null || f.serverError != null) fail("connection " + f.clientPort + " failed: " + describe(f), null);
        }
        if (client.connectionCount() != 0 || server.connectionCount() != 0) {
            fail("connections left after the quiet period: client " + client.connectionCount() + ", server " + server.connectionCount(), null);
        }
    }

    private void checkStack(NetStack s) {
        if (violation != null) fail(violation, null);
        if (s.isLocked()) fail(s.name() + "'s lock is held", null);
        long errors = s.counter(Counter.INTERNAL_ERRORS);
        if (errors != 0) fail(s.name() + " counted " + errors + " internal errors", null);
    }

    private String describe(Flow f) {
        return "up " + f.up.read + "/" + f.up.length + (f.up.eof ? " eof" : "") + ", down " + f.down.read + "/" + f.down.length
                + (f.down.eof ? " eof" : "") + ", client " + f.clientEnd.state() + (f.clientError == null ? "" : " " + f.clientError)
                + ", server " + (f.serverEnd == null ? "none" : f.serverEnd.state()) + (f.serverError == null ? "" : " " + f.serverError)
                + (f.tainted ? ", reset by the attacker" : "");
    }

    private void fail(String what, Throwable cause) {
        throw new FuzzFailure(seed, what + " (at " + Duration.ofNanos(now) + ")", cause);
    }

    // ------------------------------------------------------------------ the wire

    /** A stack sent {@code packet}: it is seen, may be lost, and arrives 1-3 ms later. */
    private void sent(NetStack from, ByteBuffer packet) {
        legitimatePackets++;
        int destination = packet.limit() >= 20 ? Ipv4Header.destinationAddress(packet, 0) : 0;
        for (int m : AttackPackets.MARTIANS) {
            if (destination == m && m != CLIENT && m != SERVER && violation == null) {
                // Reported once the stack returns: thrown here, inside its send path, it would be caught there.
                violation = from.name() + " answered a martian: a packet to " + Ipv4Address.format(destination);
            }
        }
        observe(packet);
        if (random.nextInt(100) == 0) return; // lost
        NetStack to = destination == CLIENT ? client : destination == SERVER ? server : null;
        if (to == null) return; // to a host that is not there (an answer to a spoofed source)
        schedule(to, packet, now + MS + random.nextInt(2 * (int) MS));
    }

    private void schedule(NetStack to, ByteBuffer packet, long at) {
        wire.add(new InFlight(at, sequence++, to, packet));
    }

    private void deliverDue() {
        InFlight p;
        while ((p = wire.peek()) != null && p.at <= now) {
            wire.poll();
            try {
                p.to.deliver(p.packet);
            } catch (Throwable t) {
                fail("an exception escaped " + p.to.name() + "'s input", t);
            }
            checkStack(p.to);
        }
    }

    private void fireTimers() {
        try {
            client.fireTimers(now);
            server.fireTimers(now);
        } catch (Throwable t) {
            fail("an exception escaped a timer", t);
        }
    }

    /** Learns ISNs and keeps templates from a legitimate packet. */
    private void observe(ByteBuffer packet) {
        if (history.size() == 256) history.remove(random.nextInt(256));
        history.add(packet);
        if (PacketCodec.decode(packet.duplicate(), scratch) != ParseResult.OK) return;
        TcpSegment s = scratch.segment();
        boolean up = scratch.sourceAddress() == CLIENT;
        Flow f = flowOf(up ? s.sourcePort() : s.destinationPort());
        if (f == null) return;
        if (up) f.lastUp = packet;
        else f.lastDown = packet;
        FuzzStream stream = up ? f.up : f.down;
        if (s.has(TcpFlags.SYN)) stream.isn = s.seq();
        if (stream.isn == null || s.has(TcpFlags.SYN)) return;
        int end = s.seq() + s.payloadLength() - (stream.isn + 1);
        if (end > stream.sentUpTo && end <= stream.length) stream.sentUpTo = end;
        if (s.has(TcpFlags.FIN)) stream.finSent = true;
    }

    private Flow flowOf(int clientPort) {
        for (Flow f : flows) if (f.clientPort == clientPort) return f;
        return null;
    }

    // ------------------------------------------------------------------ the applications

    private void runApplications(Flow f) {
        if (f.serverEnd == null) accept();
        if (!f.clientClosed && f.clientError == null) f.clientError = endpoint(client, f.clientEnd, f.up, f.down, f, true);
        if (f.serverEnd != null && !f.serverClosed && f.serverError == null) {
            f.serverError = endpoint(server, f.serverEnd, f.down, f.up, f, false);
        }
    }

    private void accept() {
        server.lock();
        try {
            Connection c;
            while ((c = listener.accept()) != null) {
                Flow f = flowOf(c.tuple().remotePort());
                if (f == null || c.tuple().remoteAddress().ipv4() != CLIENT || f.serverEnd != null) {
                    closeQuietly(server, c); // the attacker's (a spoofed SYN completed by nobody cannot get here; be safe)
                    continue;
                }
                f.serverEnd = c;
            }
        } finally {
            server.unlock();
        }
    }

    /**
     * One step of an application: write what fits of its stream, shut down writing once it is all
     * written, read and check everything available, close once both are done. Returns the error
     * that ended the connection, or null.
     */
    private String endpoint(NetStack s, Connection c, FuzzStream out, FuzzStream in, Flow f, boolean clientSide) {
        s.lock();
        try {
            long t = s.now();
            if (out.written < out.length && c.sendSpace() > 0) {
                int n = Math.min(out.length - out.written, Math.min(c.sendSpace(), 1 + random.nextInt(16 * 1024)));
                ByteBuffer chunk = ByteBuffer.allocate(n);
                for (int i = 0; i < n; i++) chunk.put(out.at(out.written + i));
                out.written += c.write(chunk.flip(), t);
            }
            // Shut down once all is written, past the handshake (in SYN_SENT it would drop the attempt).
            if (out.written == out.length && !out.shutdown && past(c.state())) {
                out.shutdown = true;
                c.shutdown(ShutdownHow.WRITE, t);
            }
            ByteBuffer buffer = readBuffer;
            int n;
            while ((n = c.read(buffer.clear(), t)) > 0) {
                for (int i = 0; i < n; i++) {
                    if (buffer.get(i) != in.at(in.read + i)) {
                        fail("connection " + f.clientPort + ": byte " + (in.read + i) + " of the " + (clientSide ? "down" : "up")
                                + " stream is wrong", null);
                    }
                }
                in.read += n;
                if (in.read > in.length) fail("connection " + f.clientPort + " received more than was sent", null);
            }
            if (n < 0) in.eof = true;
            if (in.eof && out.shutdown) {
                c.close(t);
                if (clientSide) f.clientClosed = true;
                else f.serverClosed = true;
            }
            return null;
        } catch (TcpException e) {
            if (!f.tainted) fail("connection " + f.clientPort + " failed without a reset from the attacker: " + e.getMessage(), e);
            return e.getMessage();
        } finally {
            s.unlock();
        }
    }

    private static void closeQuietly(NetStack s, Connection c) {
        s.lock();
        try {
            c.close(s.now());
        } catch (TcpException ignored) {
            // Already ended.
        } finally {
            s.unlock();
        }
    }

    // ------------------------------------------------------------------ the attacker

    private void attack() {
        attackPackets++;
        ByteBuffer template = history.isEmpty() ? null : history.get(random.nextInt(history.size()));
        NetStack victim = random.nextBoolean() ? server : client;
        ByteBuffer p = switch (template == null ? 0 : random.nextInt(12)) {
            case 0 -> packets.junk();
            case 1 -> PacketEdits.truncated(template, random.nextInt(template.limit()));
            case 2 -> PacketEdits.flipped(template, random.nextInt(template.limit()), 1 + random.nextInt(255));
            case 3 -> PacketEdits.withIpOptions(template, packets.randomIpOptions());
            case 4 -> PacketEdits.asFragment(template, random.nextBoolean(), random.nextInt(8));
            case 5 -> PacketEdits.withSource(template, AttackPackets.MARTIANS[random.nextInt(AttackPackets.MARTIANS.length)]);
            case 6 -> PacketEdits.copy(template); // a replay
            case 7 -> packets.mutatedOptions(template);
            case 8 -> packets.strangerSegment();
            case 9 -> packets.echo();
            default -> crafted();
        };
        if (p == null) return;
        taintIfValidReset(p);
        // Sent to whom it names (a stack drops what is not for it, which is a test too).
        int destination = p.limit() >= 20 ? Ipv4Header.destinationAddress(p, 0) : 0;
        if (destination == CLIENT) victim = client;
        else if (destination == SERVER) victim = server;
        schedule(victim, p, now + random.nextInt((int) MS));
    }

    /** A replayed or edited packet that is a valid RST for a live connection may end it: only a clean end is asked for then. */
    private void taintIfValidReset(ByteBuffer p) {
        if (PacketCodec.decode(p.duplicate(), scratch) != ParseResult.OK || !scratch.segment().has(TcpFlags.RST)) return;
        TcpSegment s = scratch.segment();
        boolean up = scratch.sourceAddress() == CLIENT && scratch.destinationAddress() == SERVER;
        boolean down = scratch.sourceAddress() == SERVER && scratch.destinationAddress() == CLIENT;
        Flow f = up ? flowOf(s.sourcePort()) : down ? flowOf(s.destinationPort()) : null;
        if (f != null) f.tainted = true;
    }

    /**
     * A segment for a live connection with valid checksums, sound by the rules of the class comment:
     * random flags, a sequence number near the receiver's window or far from it, an acknowledgment
     * number the spoofed end has sent or one out of every range, the stream's true bytes, and the
     * options of the spoofed end's latest packet or none.
     */
    private ByteBuffer crafted() {
        Flow f = flows.get(random.nextInt(flows.size()));
        boolean toServer = random.nextBoolean();
        FuzzStream stream = toServer ? f.up : f.down;
        ByteBuffer spoofedLast = toServer ? f.lastUp : f.lastDown;
        ByteBuffer victimLast = toServer ? f.lastDown : f.lastUp;
        if (stream.isn == null || spoofedLast == null || victimLast == null || !synchronizedBoth(f)) return null;
        TcpPacket spoofed = AttackPackets.decoded(spoofedLast);
        TcpPacket victim = AttackPackets.decoded(victimLast);
        if (spoofed == null || victim == null) return null;
        int victimRcvNxt = victim.segment().ack(); // what the victim said it has received
        boolean far = random.nextInt(4) == 0;
        int seq = far ? victimRcvNxt + AttackPackets.FAR + random.nextInt(AttackPackets.FAR / 2) : victimRcvNxt + random.nextInt(400_000) - 200_000;
        int offset = seq - (stream.isn + 1);
        int length = random.nextInt(3) == 0 ? 1 + random.nextInt(1400) : 0;
        // Only what the sender has sent: bytes ahead of it would make the receiver acknowledge data
        // the sender never sent, which the sender drops (RFC 9293 §3.10.7.4), and both would stall.
        if (!far && (offset < 0 || offset + length > stream.sentUpTo)) length = 0;
        int flags = TcpFlags.ACK;
        if (random.nextInt(4) == 0) flags |= TcpFlags.PSH;
        if (random.nextInt(20) == 0) flags |= TcpFlags.URG;
        if (random.nextInt(10) == 0) flags |= TcpFlags.SYN;
        if (random.nextInt(8) == 0 && (far || (stream.finSent && offset + length == stream.length))) flags |= TcpFlags.FIN; // only the true one
        if (random.nextInt(10) == 0) flags &= ~TcpFlags.ACK;
        if (random.nextInt(60) == 0) {
            flags |= TcpFlags.RST;
            f.tainted = true; // a valid RST may end it: from now on only a clean end is asked for
        }
        int spoofedAck = spoofed.segment().ack();
        int ack = switch (random.nextInt(4)) {
            case 0 -> spoofedAck - 1 - random.nextInt(AttackPackets.FAR); // old, perhaps older than the window
            case 1 -> spoofedAck + AttackPackets.FAR + random.nextInt(AttackPackets.FAR / 2); // acknowledges what was never sent
            default -> spoofedAck; // what the spoofed end has already acknowledged
        };
        byte[] payload = null;
        if (length > 0) {
            payload = new byte[length];
            for (int i = 0; i < length; i++) payload[i] = far ? (byte) random.nextInt(256) : stream.at(offset + i);
        }
        TcpSegment template = spoofed.segment();
        boolean keepOptions = random.nextInt(3) != 0;
        int tsVal = template.options().hasTimestamps() ? template.options().tsVal() : 0;
        int tsEcr = template.options().hasTimestamps() ? template.options().tsEcr() : 0;
        if (far && random.nextBoolean()) tsVal = random.nextInt(); // harmless: out of every window
        return AttackPackets.encode(spoofed.sourceAddress(), spoofed.destinationAddress(), template.sourcePort(), template.destinationPort(),
                seq, ack, flags, random.nextInt(65536), keepOptions && template.options().hasTimestamps() ? new int[] {tsVal, tsEcr} : null,
                random.nextInt(65536), payload);
    }

    /** Both ends past the handshake: a crafted SYN-ACK can no longer steer it. */
    private boolean synchronizedBoth(Flow f) {
        return f.serverEnd != null && past(f.clientEnd.state()) && past(f.serverEnd.state());
    }

    private static boolean past(TcpState s) {
        return s != TcpState.CLOSED && s != TcpState.SYN_SENT && s != TcpState.SYN_RECV && s != TcpState.LISTEN;
    }

    /** Counter totals over reports (both stacks), for a summary. */
    public static Map<String, Long> totals(List<Report> reports) {
        Map<String, Long> sum = new HashMap<>();
        for (Report r : reports) {
            r.clientCounters().forEach((k, v) -> sum.merge(k, v, Long::sum));
            r.serverCounters().forEach((k, v) -> sum.merge(k, v, Long::sum));
        }
        return sum;
    }
}
