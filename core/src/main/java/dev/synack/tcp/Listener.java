package dev.synack.tcp;

import dev.synack.wire.IpAddress;
import dev.synack.wire.TcpFlags;
import dev.synack.wire.TcpOptions;
import dev.synack.wire.TcpSegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A socket in LISTEN with a backlog (RFC 9293 §3.10.7.2, and Linux's two queues): the SYN queue of
 * embryonic connections in SYN_RECV and the accept queue of established ones not yet accepted.
 *
 * <p>Both queues hold at most {@link #backlog()} connections. As on Linux's tcp_conn_request, a SYN
 * that finds the SYN queue full is answered with a SYN cookie ({@link SynCookies}; with
 * {@link TcpConfig#synCookies()} 2 every SYN is, with 0 none and the SYN is dropped), but a SYN is
 * dropped while the accept queue is full, cookie or not; a final ACK that finds the accept queue
 * full is dropped: the child stays in SYN_RECV and its SYN-ACK timer asks the peer again.
 *
 * <p>The listener reports no state changes of its own (it has no {@link Connection}); its children
 * report theirs (LISTEN -> SYN_RECV when born). Segments it drops are reported with a null
 * connection. When a child enters or leaves the accept queue, {@link TcpOutput#wakeup} is called with
 * that child, whose {@link Connection#listener()} names this listener until it is accepted.
 */
public final class Listener {
    /**
     * The port of a listener that takes SYNs to every port (a forwarding stack's, for destinations
     * other than its own): each child's local port is its SYN's destination port.
     */
    public static final int ANY_PORT = 0;
    private final TcpConfig config;
    private final IpAddress localAddress;
    private final int localPort;
    private final int backlog;
    private final IsnGenerator isn;
    private final SynCookies cookies;
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
    /** When this listener last sent a cookie (Linux's last_overflow); ACKs are checked for cookies only soon after. */
    private long lastCookieAt;
    private boolean cookieSent;

    /** {@code backlog} is capped to config.maxBacklog(); at least 1. SYN cookies keyed as {@code isn}'s. */
    public Listener(TcpConfig config, int localAddress, int localPort, int backlog, IsnGenerator isn, TcpOutput output) {
        this(config, IpAddress.ipv4(localAddress), localPort, backlog, isn, isn.synCookies(), output);
    }

    /** As above, with the stack's {@code cookies} (one secret for all its listeners). */
    public Listener(TcpConfig config, IpAddress localAddress, int localPort, int backlog, IsnGenerator isn, SynCookies cookies,
                    TcpOutput output) {
        this.config = config;
        this.cookies = cookies;
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
    public Connection segmentArrived(IpAddress localAddress, IpAddress remoteAddress, TcpSegment segment, long now) {
        return arrived(localAddress, remoteAddress, segment, now);
    }

    /** {@link #segmentArrived(IpAddress, IpAddress, TcpSegment, long)} between IPv4 addresses (engine tests and tools). */
    public Connection segmentArrived(int localAddress, int remoteAddress, TcpSegment segment, long now) {
        return arrived(IpAddress.ipv4(localAddress), IpAddress.ipv4(remoteAddress), segment, now);
    }

    private Connection arrived(IpAddress localAddress, IpAddress remoteAddress, TcpSegment segment, long now) {
        if (closed) {
            output.segmentDropped(null, segment, "listener closed", now);
            return null;
        }
        if (segment.has(TcpFlags.RST)) {
            output.segmentDropped(null, segment, "RST to a listener ignored", now);
            return null;
        }
        if (segment.has(TcpFlags.ACK)) {
            if (!segment.has(TcpFlags.SYN) && cookiesRecentlySent(now)) {
                FourTuple tuple = new FourTuple(localAddress, portOf(segment), remoteAddress, segment.sourcePort());
                int peerMss = cookies.check(tuple, segment.seq() - 1, segment.ack() - 1, now);
                SynCookies.Offered offered = peerMss == 0 ? null : offeredByCookie(segment);
                if (offered != null) return cookieAckArrived(tuple, segment, peerMss, offered, now);
                output.listenEvent(ListenEvent.SYNCOOKIE_FAILED, now);
            }
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
        // Linux's tcp_conn_request: the cookie decision first, then the accept queue.
        boolean cookie = config.synCookies() == 2 || synQueueLength >= backlog;
        if (cookie && config.synCookies() == 0) {
            dropSyn(segment, "SYN queue full: SYN dropped", now);
            return null;
        }
        if (acceptQueue.size() >= backlog) {
            output.listenEvent(ListenEvent.LISTEN_OVERFLOW, now);
            dropSyn(segment, "accept queue full: SYN dropped", now);
            return null;
        }
        if (cookie) {
            sendCookie(localAddress, remoteAddress, segment, now);
            return null;
        }
        FourTuple tuple = new FourTuple(localAddress, portOf(segment), remoteAddress, segment.sourcePort());
        FastOpen fastOpen = FastOpen.atListener(config, this, cookies.fastOpenCookies(config), tuple, segment, output, now);
        Connection child = Handshake.passive(config, tuple, isn, output, this, segment, fastOpen, now);
        if (child.isReleased()) return child;
        if (fastOpen != null && fastOpen.accepted()) {
            // RFC 7413 §4.2.2, Linux's tcp_try_fastopen: accept()able at once, its data readable.
            fastOpenPending++;
            acceptQueue.add(child);
            output.wakeup(child);
        } else {
            synQueueAdd(child);
        }
        return child;
    }

    /** The local port of a connection {@code segment} opens: this listener's, or the segment's destination port for {@link #ANY_PORT}. */
    private int portOf(TcpSegment segment) {
        return localPort == ANY_PORT ? segment.destinationPort() : localPort;
    }

    /** A handshake's last ACK that found the accept queue full (Linux's tcp_v4_syn_recv_sock, exit_overflow). */
    private void countOverflow(long now) {
        output.listenEvent(ListenEvent.LISTEN_OVERFLOW, now);
        output.listenEvent(ListenEvent.LISTEN_DROP, now);
    }

    /** A SYN not taken: counted as Linux's tcp_listendrop counts it. */
    private void dropSyn(TcpSegment segment, String reason, long now) {
        droppedSyns++;
        output.listenEvent(ListenEvent.LISTEN_DROP, now);
        output.segmentDropped(null, segment, reason, now);
    }

    /**
     * Answers {@code syn} with a SYN-ACK whose ISN is a cookie (and, with timestamps, whose TSval
     * keeps the SYN's options), keeping nothing (Linux's cookie_v4_init_sequence).
     */
    private void sendCookie(IpAddress localAddress, IpAddress remoteAddress, TcpSegment syn, long now) {
        FourTuple tuple = new FourTuple(localAddress, portOf(syn), remoteAddress, syn.sourcePort());
        TcpOptions o = syn.options();
        // As Linux's tcp_parse_options, an MSS option of 0 counts as none.
        int peerMss = o.hasMss() && o.mss() > 0 ? o.mss() : Handshake.defaultPeerMss(config, tuple);
        int cookie = cookies.cookie(tuple, syn.seq(), peerMss, now);
        boolean ws = config.windowScaling() && o.hasWindowScale();
        int tsVal = SynCookies.timestamp(Connection.timestampClock(config, now), ws ? Math.min(o.windowScale(), 14) : -1,
                config.sack() && o.sackPermittedPresent());
        Handshake.writeCookieSynAck(config, this, tuple, syn, cookie, tsVal, reply);
        output.send(localAddress, remoteAddress, reply, now);
        lastCookieAt = now;
        cookieSent = true;
        output.listenEvent(ListenEvent.SYNCOOKIE_SENT, now);
    }

    /** ACKs are checked for cookies only while this listener sent one lately (Linux's tcp_synq_no_recent_overflow). */
    private boolean cookiesRecentlySent(long now) {
        return config.synCookies() != 0 && cookieSent && now - lastCookieAt <= SynCookies.VALID_NANOS;
    }

    /**
     * The options kept in a valid cookie's ACK (Linux's cookie_timestamp_decode): none without
     * timestamps; else those of the TSecr, or null when they name one this listener refuses.
     */
    private SynCookies.Offered offeredByCookie(TcpSegment ack) {
        if (!ack.options().hasTimestamps()) return SynCookies.Offered.NOTHING;
        return config.timestamps() ? SynCookies.offered(ack.options().tsEcr(), config) : null;
    }

    /**
     * An ACK carrying a valid cookie (Linux's cookie_v4_check): a child is made from it and
     * returned, or null when the accept queue is full (the ACK is dropped, counted as an overflow).
     */
    private Connection cookieAckArrived(FourTuple tuple, TcpSegment ack, int peerMss, SynCookies.Offered offered, long now) {
        output.listenEvent(ListenEvent.SYNCOOKIE_RECV, now);
        if (acceptQueue.size() >= backlog) {
            countOverflow(now);
            output.segmentDropped(null, ack, "accept queue full: ACK with SYN cookie dropped", now);
            return null;
        }
        Connection child = Handshake.fromCookie(config, tuple, isn, output, this, ack, ack.ack() - 1, peerMss, offered, now);
        if (child.state() == TcpState.SYN_RECV && !child.isReleased()) {
            // The ACK was not taken (it failed a check the child makes): nothing keeps this child.
            child.detachFromListener();
            child.dropEmbryo("ACK with SYN cookie not acceptable", now);
            return null;
        }
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
    boolean childEstablished(Connection child, long now) {
        if (closed) return false;
        if (acceptQueue.size() >= backlog) {
            countOverflow(now);
            return false;
        }
        synQueueRemove(child);
        acceptQueue.add(child);
        output.wakeup(child);
        return true;
    }

    /** A child ended before being accepted (reset, SYN-ACK retries exhausted). */
    void childReleased(Connection child) {
        FastOpen.leavePending(child);
        if (closed) return;
        synQueueRemove(child);
        // A child reset while in the accept queue stays there: accept() returns it and its first
        // read reports the reset, as on Linux.
    }

    /** The next established connection, or null when the accept queue is empty. */
    public Connection accept() {
        Connection c = acceptQueue.poll();
        if (c != null) {
            c.detachFromListener();
            output.callReturned(c); // no longer in the queue, it may let its TIME_WAIT record go
        }
        return c;
    }

    public int acceptQueueLength() { return acceptQueue.size(); }
    public int synQueueLength() { return synQueueLength; }
    public int backlog() { return backlog; }
    public int localPort() { return localPort; }
    /** The address it was opened on: the stack's, or a wildcard ({@link IpAddress#isUnspecified()}). */
    public IpAddress localAddress() { return localAddress; }
    /** SYNs dropped because a queue was full or, with cookies off, the SYN queue was (part of Linux's ListenDrops). */
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

    /** TCP_FASTOPEN's queue length (Linux's fastopenq.max_qlen); 0: not set. */
    private int fastOpenQueue;
    /** Fast Open children whose handshake has not ended (Linux's fastopenq.qlen). */
    private int fastOpenPending;

    /**
     * TCP_FASTOPEN on the listening socket (RFC 7413 §4.2.2): Fast Open on, with at most {@code qlen}
     * Fast Open children waiting for their handshake's last ACK; 0 turns it off (unless the stack's
     * tcp_fastopen has {@link FastOpen#SERVER_WO_SOCKOPT}).
     */
    public void setFastOpenQueueLimit(int qlen) {
        if (qlen < 0) throw new IllegalArgumentException("TCP_FASTOPEN's queue length must not be negative: " + qlen);
        fastOpenQueue = qlen;
    }

    /** The Fast Open queue length in force: TCP_FASTOPEN's, else the backlog when tcp_fastopen has 0x400 (and 0x2), else 0 (off). */
    public int fastOpenQueueLimit() {
        if (fastOpenQueue > 0) return fastOpenQueue;
        int bits = config.fastOpen();
        boolean all = (bits & FastOpen.SERVER_WO_SOCKOPT) != 0 && (bits & FastOpen.SERVER_ENABLE) != 0;
        return all ? backlog : 0;
    }

    /** Fast Open children still waiting for the last ACK of their handshake. */
    public int fastOpenPending() { return fastOpenPending; }

    /** One Fast Open child's handshake ended. */
    void fastOpenDone() {
        fastOpenPending--;
    }

    /** TCP_MAXSEG set on the listening socket, taken by each connection it makes; 0: none. */
    private int userMss;

    /** TCP_MAXSEG for the connections this listener makes from now on (see {@link Connection#setUserMss}). */
    public void setUserMss(int mss) { userMss = Connection.checkUserMss(mss); }

    /** TCP_MAXSEG as set, 0 when none. */
    public int userMss() { return userMss; }
}
