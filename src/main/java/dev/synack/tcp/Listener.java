package dev.synack.tcp;

import dev.synack.wire.TcpFlags;
import dev.synack.wire.TcpSegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A socket in LISTEN with a backlog (RFC 9293 §3.10.7.2, and Linux's two queues): the SYN queue of
 * embryonic connections in SYN_RECV and the accept queue of established ones not yet accepted.
 *
 * <p>Both queues hold at most {@link #backlog()} connections. As on Linux, a SYN is dropped while
 * the accept queue is full (and while the SYN queue is full; Linux would answer with a SYN cookie,
 * which comes later), and a final ACK that finds the accept queue full is dropped: the child stays in
 * SYN_RECV and its SYN-ACK timer asks the peer again.
 *
 * <p>The listener reports no state changes of its own (it has no {@link Connection}); its children
 * report theirs (LISTEN -> SYN_RECV when born). Segments it drops are reported with a null
 * connection. When a child enters or leaves the accept queue, {@link TcpOutput#wakeup} is called with
 * that child, whose {@link Connection#listener()} names this listener until it is accepted.
 */
public final class Listener {
    private final TcpConfig config;
    private final int localAddress;
    private final int localPort;
    private final int backlog;
    private final IsnGenerator isn;
    private final TcpOutput output;
    /**
     * The SYN queue, oldest first: a doubly linked list through the children themselves
     * ({@link Connection#synPrev}, {@link Connection#synNext}), so that adding and removing a child
     * needs neither a hash of it nor an entry object.
     */
    private Connection synHead;
    private Connection synTail;
    private int synQueueLength;
    private final ArrayDeque<Connection> acceptQueue = new ArrayDeque<>();
    private final TcpSegment reply = new TcpSegment();
    private boolean closed;
    private long droppedSyns;

    /** {@code backlog} is capped to config.maxBacklog(); at least 1. */
    public Listener(TcpConfig config, int localAddress, int localPort, int backlog, IsnGenerator isn, TcpOutput output) {
        this.config = config;
        this.localAddress = localAddress;
        this.localPort = localPort;
        this.backlog = Math.max(1, Math.min(backlog, config.maxBacklog()));
        this.isn = isn;
        this.output = output;
    }

    /**
     * A segment for this listener's port that matched no connection (RFC 9293 §3.10.7.2: RST, then
     * ACK, then SYN). SYN: creates a SYN_RECV child, sends SYN-ACK and returns it (the owner adds it
     * to its demux table), or drops it when the queues are full. ACK: answers RST (seq=SEG.ACK).
     * RST: ignored. Returns null when no child was created. {@code localAddress} is the address the
     * segment was sent to. A SYN carrying FIN is dropped, as Linux does.
     */
    public Connection segmentArrived(int localAddress, int remoteAddress, TcpSegment segment, long now) {
        if (closed) {
            output.segmentDropped(null, segment, "listener closed", now);
            return null;
        }
        if (segment.has(TcpFlags.RST)) {
            output.segmentDropped(null, segment, "RST to a listener ignored", now);
            return null;
        }
        if (segment.has(TcpFlags.ACK)) {
            // "Any acknowledgment is bad if it arrives on a connection still in the LISTEN state."
            if (Resets.replyTo(segment, reply)) output.send(localAddress, remoteAddress, reply, now);
            output.segmentDropped(null, segment, "ACK to a listener: RST sent", now);
            return null;
        }
        if (!segment.has(TcpFlags.SYN)) {
            output.segmentDropped(null, segment, "listener: neither SYN nor ACK", now);
            return null;
        }
        if (segment.has(TcpFlags.FIN)) {
            // No legitimate opening carries FIN; Linux's tcp_rcv_state_process drops SYN+FIN in
            // LISTEN (SKB_DROP_REASON_TCP_FLAGS) rather than opening a connection already closing.
            output.segmentDropped(null, segment, "SYN with FIN to a listener", now);
            return null;
        }
        if (acceptQueue.size() >= backlog) {
            droppedSyns++;
            output.segmentDropped(null, segment, "accept queue full: SYN dropped", now);
            return null;
        }
        if (synQueueLength >= backlog) {
            droppedSyns++;
            output.segmentDropped(null, segment, "SYN queue full: SYN dropped", now);
            return null;
        }
        FourTuple tuple = new FourTuple(localAddress, localPort, remoteAddress, segment.sourcePort());
        Connection child = Connection.passive(config, tuple, isn, output, this, segment, now);
        if (!child.isReleased()) synQueueAdd(child);
        return child;
    }

    private void synQueueAdd(Connection child) {
        child.inSynQueue = true;
        child.synPrev = synTail;
        child.synNext = null;
        if (synTail == null) synHead = child;
        else synTail.synNext = child;
        synTail = child;
        synQueueLength++;
    }

    private void synQueueRemove(Connection child) {
        if (!child.inSynQueue) return;
        Connection prev = child.synPrev;
        Connection next = child.synNext;
        if (prev == null) synHead = next;
        else prev.synNext = next;
        if (next == null) synTail = prev;
        else next.synPrev = prev;
        child.synPrev = child.synNext = null;
        child.inSynQueue = false;
        synQueueLength--;
    }

    /** A child got the ACK of its SYN-ACK: into the accept queue, unless it is full (then false). */
    boolean childEstablished(Connection child) {
        if (closed || acceptQueue.size() >= backlog) return false;
        synQueueRemove(child);
        acceptQueue.add(child);
        output.wakeup(child);
        return true;
    }

    /** A child ended before being accepted (reset, SYN-ACK retries exhausted). */
    void childReleased(Connection child) {
        if (closed) return;
        synQueueRemove(child);
        // A child reset while in the accept queue stays there: accept() returns it and its first
        // read reports the reset, as on Linux.
    }

    /** The next established connection, or null when the accept queue is empty. */
    public Connection accept() {
        Connection c = acceptQueue.poll();
        if (c != null) c.detachFromListener();
        return c;
    }

    public int acceptQueueLength() { return acceptQueue.size(); }
    public int synQueueLength() { return synQueueLength; }
    public int backlog() { return backlog; }
    public int localPort() { return localPort; }
    public int localAddress() { return localAddress; }
    /** SYNs dropped because a queue was full (Linux's ListenOverflows / ListenDrops). */
    public long droppedSyns() { return droppedSyns; }

    /**
     * Stops listening, as Linux's inet_csk_listen_stop: children still in SYN_RECV are released
     * silently (the peer's later ACK meets a closed port and gets a RST from the stack); established
     * children waiting in the accept queue are reset.
     */
    public void close(long now) {
        if (closed) return;
        closed = true;
        List<Connection> embryos = new ArrayList<>(synQueueLength);
        while (synHead != null) {
            embryos.add(synHead);
            synQueueRemove(synHead);
        }
        List<Connection> established = new ArrayList<>(acceptQueue);
        acceptQueue.clear();
        for (Connection c : embryos) {
            c.detachFromListener();
            c.dropEmbryo("listener closed", now);
        }
        for (Connection c : established) {
            c.detachFromListener();
            c.abort("listener closed", now);
        }
    }

    public boolean isClosed() { return closed; }
}
