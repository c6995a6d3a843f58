package dev.synack.tcp;

import dev.synack.wire.TcpSegment;
import java.nio.ByteBuffer;

/**
 * One TCP connection: the TCB of RFC 9293 §3.3.1 and its state machine. Sans-IO: fed segments, user
 * calls and the current time (nanoseconds, from whatever clock the owner uses), it emits segments
 * and events through its {@link TcpOutput}. Single-threaded: its owner serialises all calls.
 *
 * TO BE IMPLEMENTED (engine helper): the signatures below are the contract the stack codes against.
 */
public final class Connection {

    /** A connection for an active open; call {@link #connect(long)} to send the SYN. State CLOSED. */
    public static Connection active(TcpConfig config, FourTuple tuple, IsnGenerator isn, TcpOutput output) {
        throw new UnsupportedOperationException("not yet");
    }

    // ---- user calls (RFC 9293 §3.9.1) ----

    /** OPEN, active: CLOSED -> SYN_SENT, emits SYN. @throws TcpException ALREADY_CONNECTED / CONNECTION_IN_PROGRESS. */
    public void connect(long now) { throw new UnsupportedOperationException("not yet"); }

    /**
     * SEND: copies as many bytes from {@code src} as the send buffer has room for and transmits what
     * the windows allow. Returns the count taken (0 when the buffer is full: wait for a wakeup).
     * Allowed in SYN_SENT/SYN_RECV (queued until established), ESTABLISHED and CLOSE_WAIT.
     * @throws TcpException OUTPUT_SHUTDOWN after shutdown(WRITE)/close, CONNECTION_RESET etc. after an error, NOT_CONNECTED in CLOSED.
     */
    public int write(ByteBuffer src, long now) { throw new UnsupportedOperationException("not yet"); }

    /**
     * RECEIVE: copies received in-order bytes into {@code dst}. Returns the count, 0 when none is
     * available yet, -1 at end-of-stream (after the peer's FIN, or after shutdown(READ); and every
     * time after). Reading opens the receive window (window update when it grew by enough).
     * @throws TcpException CONNECTION_RESET / CONNECTION_REFUSED / CONNECTION_TIMED_OUT after such an error.
     */
    public int read(ByteBuffer dst, long now) { throw new UnsupportedOperationException("not yet"); }

    /** shutdown(2) with Linux semantics (design.md). */
    public void shutdown(ShutdownHow how, long now) { throw new UnsupportedOperationException("not yet"); }

    /**
     * CLOSE: graceful (FIN after queued data) or, with unread received data, RST (RFC 2525 §2.17).
     * In SYN_SENT: silently CLOSED. In LISTEN-born SYN_RECV: FIN_WAIT1. The connection lives on
     * (FIN_WAIT*, TIME_WAIT, LAST_ACK) until {@link #isReleased()}.
     */
    public void close(long now) { throw new UnsupportedOperationException("not yet"); }

    /** ABORT: send RST (in synchronized states and SYN_RECV), go to CLOSED, drop all buffers. */
    public void abort(long now) { throw new UnsupportedOperationException("not yet"); }

    // ---- inputs ----

    /** SEGMENT ARRIVES (RFC 9293 §3.10.7), in the order the RFC writes it. */
    public void segmentArrived(TcpSegment segment, long now) { throw new UnsupportedOperationException("not yet"); }

    /** The owner calls this at (or after) {@link #nextDeadline()}; fires whatever timers are due. */
    public void deadlineReached(long now) { throw new UnsupportedOperationException("not yet"); }

    /** The earliest time a timer is due, or {@link Long#MAX_VALUE} when none is armed. */
    public long nextDeadline() { throw new UnsupportedOperationException("not yet"); }

    // ---- socket options ----

    /** TCP_NODELAY: true turns Nagle's algorithm off. */
    public void setNoDelay(boolean noDelay) { throw new UnsupportedOperationException("not yet"); }

    // ---- queries ----

    public TcpState state() { throw new UnsupportedOperationException("not yet"); }
    public FourTuple tuple() { throw new UnsupportedOperationException("not yet"); }
    /** Bytes readable now without blocking. */
    public int available() { throw new UnsupportedOperationException("not yet"); }
    /** Free room in the send buffer. */
    public int sendSpace() { throw new UnsupportedOperationException("not yet"); }
    /** True when read() would not return 0: data, end-of-stream, or an error to report. */
    public boolean isReadable() { throw new UnsupportedOperationException("not yet"); }
    /** True when write() would not return 0: room in the buffer, or an error/shutdown to report. */
    public boolean isWritable() { throw new UnsupportedOperationException("not yet"); }
    /** True once the handshake completed (ESTABLISHED or later), or an error ended the attempt. */
    public boolean isConnectDone() { throw new UnsupportedOperationException("not yet"); }
    /** The error that ended the connection, or null. */
    public TcpError error() { throw new UnsupportedOperationException("not yet"); }
    /** All bytes written have been acknowledged (used by SO_LINGER and by tests). */
    public boolean isSendBufferEmpty() { throw new UnsupportedOperationException("not yet"); }
    /** CLOSED and finished: the owner can forget it (remove from demux, free the port). */
    public boolean isReleased() { throw new UnsupportedOperationException("not yet"); }
}
