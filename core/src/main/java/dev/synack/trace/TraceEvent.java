package dev.synack.trace;

/**
 * One observable event of a stack: a packet sent, received or dropped, a state change, a user call or
 * a timer. Times are in nanoseconds of the stack's clock (virtual or system); {@code host} is the
 * stack's name. Renderers ({@link LadderRenderer}, {@link JsonLinesRenderer}) turn these into text.
 */
public sealed interface TraceEvent {
    long timeNanos();
    String host();

    /** The JSON {@code kind}: state, send, recv, drop, call, timer. */
    String kind();

    /** A packet sent by the host, received by it, or dropped before it. */
    enum Direction { SEND, RECV, DROP }

    /**
     * A TCP segment crossing the host's boundary. {@code src}/{@code dst} are "ip:port";
     * {@code flags} in tcpdump letters; {@code seq}/{@code ack} raw unsigned 32-bit values;
     * {@code win} the header's window field; {@code options} tcpdump's spelling ("" when none);
     * {@code reason} why it was dropped (DROP only, else null); {@code ecn} the IP header's ECN field
     * as packetdrill names it ("ect0", "ect1", "ce"), "" when Not-ECT.
     */
    record Packet(long timeNanos, String host, Direction direction, String src, String dst, String flags,
                  long seq, long ack, int len, int win, String options, String reason, String ecn) implements TraceEvent {
        /** A Not-ECT packet. */
        public Packet(long timeNanos, String host, Direction direction, String src, String dst, String flags,
                      long seq, long ack, int len, int win, String options, String reason) {
            this(timeNanos, host, direction, src, dst, flags, seq, ack, len, win, options, reason, "");
        }

        @Override public String kind() { return direction.name().toLowerCase(java.util.Locale.ROOT); }

        /** The ECN mark as the ladders show it after the flags, " [ect0]", or "" when Not-ECT. */
        public String ecnLabel() { return ecn == null || ecn.isEmpty() ? "" : " [" + ecn + "]"; }
    }

    /** {@code connection} is "local{@literal <->}remote" (FourTuple's spelling), or a listener's "ip:port". */
    record StateChange(long timeNanos, String host, String connection, String from, String to, String cause)
            implements TraceEvent {
        @Override public String kind() { return "state"; }
    }

    /** A user call ("connect", "write 5", "close", ...) and its result ("ok", "5", "EOF", an error message). */
    record Call(long timeNanos, String host, String connection, String call, String result) implements TraceEvent {
        @Override public String kind() { return "call"; }
    }

    /** A timer of {@code connection} (or of its TIME_WAIT record) fired; {@code timer} names it. */
    record Timer(long timeNanos, String host, String connection, String timer) implements TraceEvent {
        @Override public String kind() { return "timer"; }
    }
}
