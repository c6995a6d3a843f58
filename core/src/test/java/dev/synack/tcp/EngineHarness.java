package dev.synack.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.synack.wire.IpAddress;
import dev.synack.wire.TcpFlags;
import dev.synack.wire.TcpSegment;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The engine-test DSL: a {@link TcpOutput} that records what the engine emits, a manual clock, and a
 * scripted peer. Sequence numbers are absolute: our ISN is {@link #ISS}, the peer's {@link #PEER_ISS}.
 *
 * <pre>
 *   h.connect();
 *   h.expect("S", ISS, 0, 0);
 *   h.in("S.").seq(PEER_ISS).ack(ISS + 1).mss(1460).deliver();
 *   h.expect(".", ISS + 1, PEER_ISS + 1, 0);
 * </pre>
 */
final class EngineHarness implements TcpOutput {
    static final int LOCAL_ADDRESS = 0x0a000001;  // 10.0.0.1
    static final int REMOTE_ADDRESS = 0x0a000002; // 10.0.0.2
    static final int LOCAL_PORT = 40000;
    static final int REMOTE_PORT = 80;
    static final int ISS = 1000;
    static final int PEER_ISS = 5000;
    static final FourTuple TUPLE = new FourTuple(LOCAL_ADDRESS, LOCAL_PORT, REMOTE_ADDRESS, REMOTE_PORT);

    /** No timestamps, SACK or window scaling: plain 20-byte headers, unscaled windows, MSS 1460. */
    static TcpConfig plain() {
        return TcpConfig.linux().toBuilder().timestamps(false).sack(false).windowScaling(false).build();
    }

    final TcpConfig config;
    long now;
    final ArrayDeque<TcpSegment> sent = new ArrayDeque<>();
    /** "FROM->TO: cause", in order. */
    final List<String> transitions = new ArrayList<>();
    final List<String> drops = new ArrayList<>();
    final List<String> timers = new ArrayList<>();
    final List<Long> sendTimes = new ArrayList<>();
    /** Replies the engine held back ({@link TcpOutput#rateLimited}), in order. */
    final List<RateLimited> rateLimited = new ArrayList<>();
    final List<ListenEvent> listenEvents = new ArrayList<>();
    int wakeups;
    /** What {@link #carriesPayloadWindows()} answers: a path like an in-memory link's. */
    boolean payloadWindows;
    Connection conn;
    Listener listener;

    EngineHarness(TcpConfig config) {
        this.config = config;
    }

    /** An active-open connection (not yet connected) with ISN {@link #ISS}. */
    static EngineHarness active(TcpConfig config) {
        EngineHarness h = new EngineHarness(config);
        h.conn = Connection.active(config, TUPLE, IsnGenerator.fixed(ISS), h);
        return h;
    }

    /** A listener on {@link #LOCAL_PORT} whose children get ISN {@link #ISS}. */
    static EngineHarness listening(TcpConfig config, int backlog) {
        EngineHarness h = new EngineHarness(config);
        h.listener = new Listener(config, LOCAL_ADDRESS, LOCAL_PORT, backlog, IsnGenerator.fixed(ISS), h);
        return h;
    }

    // ---- TcpOutput ----

    @Override
    public void send(IpAddress sourceAddress, IpAddress destinationAddress, TcpSegment segment, long at) {
        assertThat(sourceAddress.ipv4()).isEqualTo(LOCAL_ADDRESS);
        assertThat(destinationAddress.ipv4()).isEqualTo(REMOTE_ADDRESS);
        assertThat(segment.sourcePort()).isEqualTo(LOCAL_PORT);
        sent.add(segment.copy());
        sendTimes.add(at);
    }

    @Override
    public void stateChanged(Connection connection, TcpState from, TcpState to, String cause, long at) {
        transitions.add(from + "->" + to + ": " + cause);
    }

    @Override
    public void timerFired(Connection connection, String timer, long at) {
        timers.add(timer);
    }

    @Override
    public void segmentDropped(Connection connection, TcpSegment segment, String reason, long at) {
        drops.add(reason);
    }

    @Override
    public void wakeup(Connection connection) {
        wakeups++;
    }

    @Override
    public boolean carriesPayloadWindows() {
        return payloadWindows;
    }

    /** Events of a detached TIME_WAIT record ("FROM->TO: cause" and timer names), kept apart from the connection's. */
    final List<String> recordTransitions = new ArrayList<>();
    final List<String> recordTimers = new ArrayList<>();

    @Override
    public void timeWaitStateChanged(TimeWaitRecord record, TcpState from, TcpState to, String cause, long at) {
        recordTransitions.add(from + "->" + to + ": " + cause);
    }

    @Override
    public void timeWaitTimerFired(TimeWaitRecord record, String timer, long at) {
        recordTimers.add(timer);
    }

    @Override
    public void rateLimited(RateLimited what, long at) {
        rateLimited.add(what);
    }

    @Override
    public void listenEvent(ListenEvent what, long at) {
        listenEvents.add(what);
    }

    // ---- user calls ----

    EngineHarness connect() {
        conn.connect(now);
        return this;
    }

    int write(byte[] data) {
        return conn.write(ByteBuffer.wrap(data), now);
    }

    int write(int length) {
        return write(pattern(0, length));
    }

    /** Reads everything available now. */
    byte[] readAvailable() {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(8192);
        while (true) {
            buf.clear();
            int n = conn.read(buf, now);
            if (n <= 0) break;
            all.write(buf.array(), 0, n);
        }
        return all.toByteArray();
    }

    int read(int max) {
        return conn.read(ByteBuffer.allocate(max), now);
    }

    // ---- time ----

    /** Moves the clock forward, firing every deadline that falls inside the interval at its time. */
    EngineHarness advance(Duration d) {
        return advanceTo(now + d.toNanos());
    }

    EngineHarness advanceMillis(long ms) {
        return advance(Duration.ofMillis(ms));
    }

    EngineHarness advanceTo(long target) {
        for (int guard = 0; guard < 100_000; guard++) {
            long next = conn.nextDeadline();
            if (next > target) break;
            now = Math.max(now, next);
            conn.deadlineReached(now);
        }
        now = Math.max(now, target);
        return this;
    }

    /** Runs to the next deadline, whatever it is; returns its time. */
    long fireNextDeadline() {
        long next = conn.nextDeadline();
        assertThat(next).as("a timer is armed").isNotEqualTo(Long.MAX_VALUE);
        now = next;
        conn.deadlineReached(now);
        return next;
    }

    // ---- the peer ----

    PeerSegment in(String flags) {
        return new PeerSegment(flags);
    }

    /** A segment from the peer, built fluently and handed to the connection (or listener) by {@link #deliver()}. */
    final class PeerSegment {
        final TcpSegment seg = new TcpSegment();

        PeerSegment(String flags) {
            seg.sourcePort(REMOTE_PORT).destinationPort(LOCAL_PORT).flags(parseFlags(flags)).window(65535);
        }

        PeerSegment from(int port) { seg.sourcePort(port); return this; }
        PeerSegment seq(int v) { seg.seq(v); return this; }
        PeerSegment ack(int v) { seg.ack(v); return this; }
        PeerSegment win(int v) { seg.window(v); return this; }
        PeerSegment data(byte[] bytes) { seg.payload(ByteBuffer.wrap(bytes)); return this; }
        PeerSegment len(int n) { return data(pattern(0, n)); }
        PeerSegment mss(int v) { seg.options().mss(v); return this; }
        PeerSegment sackOk() { seg.options().sackPermitted(); return this; }
        PeerSegment ts(int val, int ecr) { seg.options().timestamps(val, ecr); return this; }
        PeerSegment nop() { seg.options().nop(); return this; }
        PeerSegment wscale(int v) { seg.options().windowScale(v); return this; }
        /** A SACK option (after two nops, as Linux writes it) with blocks given as left, right, left, right, ... */
        PeerSegment sack(int... edges) {
            seg.options().nop().nop().sack();
            for (int i = 0; i + 1 < edges.length; i += 2) seg.options().addSackBlock(edges[i], edges[i + 1]);
            return this;
        }

        /** Delivers to the connection; returns the harness. */
        EngineHarness deliver() {
            conn.segmentArrived(seg, now);
            return EngineHarness.this;
        }

        /** Delivers to the listener; returns the child created, if any. */
        Connection toListener() {
            Connection child = listener.segmentArrived(LOCAL_ADDRESS, REMOTE_ADDRESS, seg, now);
            if (child != null) conn = child;
            return child;
        }
    }

    // ---- expectations ----

    /** Pops the next emitted segment and checks flags (tcpdump spelling), seq, ack (when ACK is set) and length. */
    TcpSegment expect(String flags, int seq, int ack, int len) {
        TcpSegment s = next();
        assertThat(TcpFlags.tcpdump(s.flags())).as("flags of %s", s).isEqualTo(flags);
        assertThat(s.seq()).as("seq of %s", s).isEqualTo(seq);
        if (s.has(TcpFlags.ACK)) assertThat(s.ack()).as("ack of %s", s).isEqualTo(ack);
        assertThat(s.payloadLength()).as("length of %s", s).isEqualTo(len);
        return s;
    }

    TcpSegment next() {
        if (sent.isEmpty()) fail("expected a segment, none was sent");
        sendTimes.removeFirst();
        return sent.poll();
    }

    long nextSendTime() {
        assertThat(sendTimes).as("send times").isNotEmpty();
        return sendTimes.getFirst();
    }

    void expectNothing() {
        assertThat(sent).as("segments sent").isEmpty();
    }

    void clearSent() {
        sent.clear();
        sendTimes.clear();
    }

    String lastTransition() {
        assertThat(transitions).isNotEmpty();
        return transitions.getLast();
    }

    /** Active open to ESTABLISHED with the given peer window and MSS (no options beyond MSS). */
    EngineHarness establish(int peerWindow, int peerMss) {
        connect();
        expect("S", ISS, 0, 0);
        in("S.").seq(PEER_ISS).ack(ISS + 1).win(peerWindow).mss(peerMss).deliver();
        expect(".", ISS + 1, PEER_ISS + 1, 0);
        assertThat(conn.state()).isEqualTo(TcpState.ESTABLISHED);
        return this;
    }

    EngineHarness establish() {
        return establish(65535, 1460);
    }

    // ---- bytes ----

    /** Deterministic test bytes: byte i of the stream starting at {@code offset} is (offset+i)*31+7. */
    static byte[] pattern(int offset, int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) b[i] = (byte) ((offset + i) * 31 + 7);
        return b;
    }

    static byte[] payloadOf(TcpSegment s) {
        ByteBuffer p = s.payload().duplicate();
        byte[] b = new byte[p.remaining()];
        p.get(b);
        return b;
    }

    static int parseFlags(String text) {
        int f = 0;
        for (int i = 0; i < text.length(); i++) {
            f |= switch (text.charAt(i)) {
                case 'S' -> TcpFlags.SYN;
                case 'F' -> TcpFlags.FIN;
                case 'R' -> TcpFlags.RST;
                case 'P' -> TcpFlags.PSH;
                case 'U' -> TcpFlags.URG;
                case 'E' -> TcpFlags.ECE;
                case 'W' -> TcpFlags.CWR;
                case '.' -> TcpFlags.ACK;
                default -> throw new IllegalArgumentException("flag " + text.charAt(i));
            };
        }
        return f;
    }
}
