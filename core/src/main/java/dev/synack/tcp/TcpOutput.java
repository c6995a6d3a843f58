package dev.synack.tcp;

import dev.synack.wire.IpAddress;
import dev.synack.wire.TcpSegment;

/**
 * Everything the engine emits: segments to send and events. The stack implements it (encodes and
 * transmits segments, traces events, wakes waiting sockets); engine tests implement it to record
 * what came out. All calls happen synchronously inside an engine call, on the thread that owns the
 * engine. A {@link TcpSegment} passed here is valid only during the call.
 */
public interface TcpOutput {
    /** Transmit {@code segment} from {@code sourceAddress} to {@code destinationAddress} (one family). */
    void send(IpAddress sourceAddress, IpAddress destinationAddress, TcpSegment segment, long now);

    /** A connection changed state; {@code cause} says why in a few words ("rcvd SYN-ACK", "close()", "2MSL timer"). */
    void stateChanged(Connection connection, TcpState from, TcpState to, String cause, long now);

    /** One of the connection's timers fired ("retransmit", "persist", "delayed-ack", "time-wait", "fin-wait2", "keepalive"). */
    void timerFired(Connection connection, String timer, long now);

    /**
     * The engine discarded a received segment without acting on it (unacceptable sequence number,
     * old duplicate in TIME_WAIT, accept queue full, ...). {@code connection} is null for a listener.
     */
    void segmentDropped(Connection connection, TcpSegment segment, String reason, long now);

    /**
     * Something a waiting user may care about happened on the connection (data or end-of-file to
     * read, send space, connected, error, closed, a child ready to accept on a listener). The stack
     * wakes waiters; it need not know which. For a listener's accept queue the connection passed is
     * the child that entered it; {@link Connection#listener()} names the listener until the child
     * is accepted. Listeners themselves never call {@link #stateChanged}: only connections do.
     */
    void wakeup(Connection connection);

    /**
     * An engine call on {@code connection} is returning: a user call, a segment's arrival, its
     * timers, an accept that took it from its listener. Its timers may have moved, it may have
     * entered TIME_WAIT or been released. Called last in every such call, once the engine is done
     * with the connection, so that its owner reschedules or forgets it by construction rather than
     * by a call after each use. Not called when the call threw. The default ignores it.
     */
    default void callReturned(Connection connection) { }

    /**
     * A {@link TimeWaitRecord} its connection let go of changed state (TIME_WAIT to CLOSED: 2MSL, a
     * new SYN, an abort). Only an owner that detaches records receives this; the default ignores it.
     */
    default void timeWaitStateChanged(TimeWaitRecord record, TcpState from, TcpState to, String cause, long now) { }

    /**
     * A reply to a segment the engine did not accept was not sent, held back by a rate limit
     * ({@link RateLimited}; the segment itself is reported through {@link #segmentDropped}). The
     * default ignores it.
     */
    default void rateLimited(RateLimited what, long now) { }

    /** A listener counted {@code what} (SYN cookies, overflows, drops); the default ignores it. */
    default void listenEvent(ListenEvent what, long now) { }

    /** The 2MSL timer of a detached {@link TimeWaitRecord} fired ("time-wait"); the default ignores it. */
    default void timeWaitTimerFired(TimeWaitRecord record, String timer, long now) { }

    /**
     * True when the path carries a {@link TcpSegment#payloadStable() stable} payload as the window
     * into the sender's send buffer it is, to a receiver in the same memory that may take it over by
     * reference (see Connection.attachPayload): the engine then ends a segment where a piece of its
     * send buffer ends, one more segment per piece, so that every payload stays such a window.
     * False (the default) for a path that copies the bytes anyway: it would only carry more,
     * shorter segments.
     */
    default boolean carriesPayloadWindows() { return false; }

    /**
     * The budget every connection of this owner charges its buffered bytes to (read once, when a
     * connection is made). The default, for an owner without one, accounts nothing.
     */
    default MemoryBudget memoryBudget() { return MemoryBudget.UNLIMITED; }
}
