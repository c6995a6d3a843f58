package dev.synack.tcp;

import dev.synack.wire.TcpSegment;

/**
 * A socket in LISTEN with a backlog (RFC 9293 §3.10.7.2, and Linux's two queues): the SYN queue of
 * embryonic connections in SYN_RECV and the accept queue of established ones not yet accepted.
 *
 * TO BE IMPLEMENTED (engine helper): the signatures below are the contract the stack codes against.
 */
public final class Listener {

    /** {@code backlog} is capped to config.maxBacklog(); at least 1. */
    public Listener(TcpConfig config, int localAddress, int localPort, int backlog, IsnGenerator isn, TcpOutput output) {
        throw new UnsupportedOperationException("not yet");
    }

    /**
     * A segment for this listener's port that matched no connection. SYN: creates a SYN_RECV child,
     * sends SYN-ACK and returns it (the owner adds it to its demux table; the child reports itself to
     * this listener when it becomes ESTABLISHED), or drops it when the queues are full (Linux). ACK:
     * answers RST (seq=SEG.ACK). RST: ignored. Returns null when no child was created.
     * {@code localAddress} is the address the segment was sent to.
     */
    public Connection segmentArrived(int localAddress, int remoteAddress, TcpSegment segment, long now) {
        throw new UnsupportedOperationException("not yet");
    }

    /** The next established connection, or null when the accept queue is empty. */
    public Connection accept() { throw new UnsupportedOperationException("not yet"); }

    public int acceptQueueLength() { throw new UnsupportedOperationException("not yet"); }
    public int backlog() { throw new UnsupportedOperationException("not yet"); }
    public int localPort() { throw new UnsupportedOperationException("not yet"); }

    /** Stops listening: every connection still queued (SYN or accept queue) is reset. */
    public void close(long now) { throw new UnsupportedOperationException("not yet"); }

    public boolean isClosed() { throw new UnsupportedOperationException("not yet"); }
}
