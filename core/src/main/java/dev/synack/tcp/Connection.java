package dev.synack.tcp;

import dev.synack.wire.TcpFlags;
import dev.synack.wire.TcpSegment;
import java.nio.ByteBuffer;

/**
 * One TCP connection: the TCB of RFC 9293 §3.3.1 and its state machine. Sans-IO: fed segments, user
 * calls and the current time (nanoseconds, from whatever clock the owner uses), it emits segments
 * and events through its {@link TcpOutput}. Single-threaded: its owner serialises all calls.
 *
 * <p>This class is the front and the TCB ({@link Tcb} holds its variables): the user calls of RFC
 * 9293 §3.10, the dispatch of an arriving segment through the steps of §3.10.7, and the expiry of
 * its {@link ConnectionTimers}. The rules live in files named after what they do, each citing its RFC
 * sections and the choices it makes where the RFCs leave room (Linux's behaviour unless said
 * otherwise): {@link Handshake}, {@link Receiver}, {@link ReceiveWindow}, {@link AckProcessing},
 * {@link Sender}, {@link SegmentWriter}, {@link LossRecovery} ({@link NewRenoRecovery}, {@link
 * SackRecovery}, {@link RackRecovery}), {@link TailLossProbe}, {@link RetransmissionTimer}, {@link
 * PersistAndKeepalive}, {@link Closing} (and {@link TimeWaitRecord}), {@link ConnectionMemory} and
 * {@link ConnectionInfo}.
 */
public final class Connection extends Tcb {
    /** "No timer armed". */
    static final long NONE = Long.MAX_VALUE;

    final TcpConfig config;
    final FourTuple tuple;
    private final IsnGenerator isnGenerator;
    final TcpOutput output;
    /** The segment this connection's segments are built in ({@link SegmentWriter}), one for its life. */
    final TcpSegment out = new TcpSegment();
    /** A payload that straddles two pieces of the send buffer is copied here; made on first need, dropped on release. */
    ByteBuffer payloadScratch;
    /** The stack's memory (tcp_mem): this connection's buffers are charged to it ({@link #accountMemory}). */
    final MemoryBudget memory;
    /** The listener that created this connection, until accept() takes it; null for an active open. */
    Listener listener;
    /** Links of {@link #listener}'s SYN queue while this child is in it (the listener keeps them). */
    Connection synPrev;
    Connection synNext;
    boolean inSynQueue;
    final boolean passiveOpen;

    // ---- the jobs with variables of their own, one object each for the connection's life; the others
    // (Handshake, SegmentWriter, TailLossProbe, RetransmissionTimer, Closing, ConnectionMemory) are
    // static methods taking the connection, and their few variables are the TCB's ----
    final ConnectionTimers timers;
    final Receiver receiver;
    final ReceiveWindow rcvWindow;
    final AckProcessing acks;
    final Sender sender;
    /** Chosen by the handshake ({@link LossRecovery#forConnection}). */
    LossRecovery recovery;
    final PersistAndKeepalive idleTimers;
    final ConnectionInfo info;

    Connection(TcpConfig config, FourTuple tuple, IsnGenerator isnGenerator, TcpOutput output, Listener listener) {
        super(config);
        this.config = config;
        this.tuple = tuple;
        this.isnGenerator = isnGenerator;
        this.output = output;
        this.memory = output.memoryBudget();
        this.listener = listener;
        this.passiveOpen = listener != null;
        this.timers = new ConnectionTimers(this);
        this.receiver = new Receiver(this);
        this.rcvWindow = new ReceiveWindow(this);
        this.acks = new AckProcessing(this);
        this.sender = new Sender(this);
        this.recovery = new NewRenoRecovery(this);
        this.idleTimers = new PersistAndKeepalive(this);
        this.info = new ConnectionInfo(this);
    }

    /** A connection for an active open; call {@link #connect(long)} to send the SYN. State CLOSED. */
    public static Connection active(TcpConfig config, FourTuple tuple, IsnGenerator isn, TcpOutput output) {
        return new Connection(config, tuple, isn, output, null);
    }

    /** OPEN, active (RFC 9293 §3.10.1): CLOSED -> SYN_SENT, emits SYN. */
    public void connect(long now) {
        settle();
        if (userClosed) throw new TcpException(TcpError.CLOSED);
        if (state == TcpState.SYN_SENT) throw new TcpException(TcpError.CONNECTION_IN_PROGRESS);
        if (opened) throw new TcpException(TcpError.ALREADY_CONNECTED);
        opened = true;
        Handshake.initSendSequence(this, isnGenerator.isn(tuple, now));
        setState(TcpState.SYN_SENT, "connect()", now);
        Handshake.sendSyn(this, now);
        output.wakeup(this);
        output.callReturned(this);
    }

    /**
     * SEND (RFC 9293 §3.10.2): copies as many bytes from {@code src} as the send buffer has room for
     * and transmits what the windows allow. Returns the count taken (0 when the buffer is full).
     * Allowed in SYN_SENT/SYN_RECV (queued until established), ESTABLISHED and CLOSE_WAIT.
     * @throws TcpException the connection's error after a reset/timeout/refusal, OUTPUT_SHUTDOWN after
     *         shutdown(WRITE)/close, NOT_CONNECTED before connect().
     */
    public int write(ByteBuffer src, long now) {
        return write(src, 0, now);
    }

    /**
     * SEND with send(2)'s flags, {@link WriteFlags#MORE} (MSG_MORE) and {@link WriteFlags#END_OF_RECORD}
     * (MSG_EOR); otherwise as {@link #write(ByteBuffer, long)}. A record ends only when every byte of
     * {@code src} was taken (as Linux marks the skb only when the whole message is queued).
     */
    public int write(ByteBuffer src, int flags, long now) {
        settle();
        if (error != null) throw new TcpException(error);
        if (writeShutdown || userClosed) throw new TcpException(TcpError.OUTPUT_SHUTDOWN);
        switch (state) {
            case SYN_SENT, SYN_RECV, ESTABLISHED, CLOSE_WAIT -> { }
            case CLOSED, LISTEN -> throw new TcpException(TcpError.NOT_CONNECTED);
            default -> throw new TcpException(TcpError.OUTPUT_SHUTDOWN);
        }
        int n = sender.write(src, flags, now);
        accountMemory();
        output.wakeup(this);
        output.callReturned(this);
        return n;
    }

    /**
     * RECEIVE (RFC 9293 §3.10.3): copies received in-order bytes into {@code dst}. Returns the count,
     * 0 when none is available yet, -1 at end-of-stream: after the peer's FIN, and after
     * shutdown(READ) while nothing is queued (always, with {@link ReadShutdownData#DISCARD}). Reading
     * opens the receive window; a window update goes out when the window grew by at least
     * min(receive buffer / 2, MSS) (RFC 9293 §3.8.6.2.2).
     * @throws TcpException the connection's error (once the buffered bytes are read), CLOSED after close().
     */
    public int read(ByteBuffer dst, long now) {
        return read(dst, 0, now);
    }

    /** {@link #read(ByteBuffer, long)} with recv(2)'s {@link ReadFlags}: PEEK copies and consumes nothing. */
    public int read(ByteBuffer dst, int flags, long now) {
        settle();
        if (userClosed) throw new TcpException(TcpError.CLOSED);
        if ((flags & ReadFlags.PEEK) != 0) return receiver.read(dst, true);
        int n = receiver.read(dst, false);
        if (n > 0) {
            accountMemory();
            rcvWindow.autotuneReceiveBuffer(n, now);
            rcvWindow.maybeSendWindowUpdate(now);
            output.wakeup(this);
            output.callReturned(this);
        }
        return n;
    }

    /** shutdown(2) with Linux semantics: see {@link Closing} for the choices made. */
    public void shutdown(ShutdownHow how, long now) {
        settle();
        Closing.shutdown(this, how, now);
        accountMemory();
        output.wakeup(this);
        output.callReturned(this);
    }

    /**
     * CLOSE (RFC 9293 §3.10.4): graceful (FIN after queued data) or, with unread received data, RST
     * (RFC 2525 §2.17). In SYN_SENT: silently CLOSED. In SYN_RECV: FIN_WAIT1. The connection lives on
     * (FIN_WAIT*, CLOSING, TIME_WAIT, LAST_ACK) until {@link #isReleased()}. Repeated calls are no-ops.
     */
    public void close(long now) {
        settle();
        if (!userClosed) {
            Closing.close(this, now);
            accountMemory();
            output.wakeup(this);
            output.callReturned(this);
        }
    }

    /** ABORT (RFC 9293 §3.10.5): send RST (in SYN_RECV and synchronized states), go to CLOSED, drop all buffers. */
    public void abort(long now) {
        abort("abort()", now);
    }

    void abort(String cause, long now) {
        settle();
        Closing.abort(this, cause, now);
        accountMemory();
        output.wakeup(this);
        output.callReturned(this);
    }

    /** SEGMENT ARRIVES (RFC 9293 §3.10.7), in the order the RFC writes it. */
    public void segmentArrived(TcpSegment segment, long now) {
        try {
            arrived(segment, now);
        } finally {
            accountMemory();
        }
        output.callReturned(this);
    }

    private void arrived(TcpSegment segment, long now) {
        settle();
        if (released) {
            output.segmentDropped(this, segment, "connection released", now);
            return;
        }
        idleTimers.lastReceivedAt = now; // keepalive measures idleness from here
        idleTimers.keepaliveProbesSent = 0;
        switch (state) {
            case CLOSED, LISTEN -> output.segmentDropped(this, segment, "connection " + state, now);
            case SYN_SENT -> Handshake.synSentArrived(this, segment, now);
            case TIME_WAIT -> timeWait.segmentArrived(segment, now, output, out, this);
            default -> otherStateArrived(segment, now);
        }
        if (!released && ackNow) SegmentWriter.sendAck(this, now);
        output.wakeup(this);
    }

    /**
     * An ICMP error quoting a segment this connection sent with {@code quotedSeq}, for either IP
     * version ({@link IcmpErrors}). Returns false when dropped as out of window (OutOfWindowIcmps).
     */
    public boolean icmpError(IcmpError kind, int nextHopMtu, int quotedSeq, long now) {
        settle();
        boolean taken = IcmpErrors.arrived(this, kind, nextHopMtu, quotedSeq, now);
        accountMemory();
        output.wakeup(this);
        output.callReturned(this);
        return taken;
    }

    /** RFC 9293 §3.10.7.4: SYN-RECEIVED and the synchronized states other than TIME-WAIT. */
    private void otherStateArrived(TcpSegment seg, long now) {
        if (state == TcpState.SYN_RECV && seg.has(TcpFlags.SYN) && !seg.has(TcpFlags.RST) && seg.seq() == irs) {
            Handshake.synReceivedAgain(this, seg, now);
            return;
        }
        // First and second: the sequence number (with PAWS) and the RST bit.
        if (!receiver.sequenceAcceptable(seg, now)) {
            if (receiver.oldSegmentAckApplies(seg) && acks.processAck(seg, now) && !released) Closing.afterSegment(this, now);
            return;
        }
        // Third (security/compartment) does not apply.

        // Fourth: the SYN bit (RFC 9293 §3.10.7.4, RFC 5961 §4).
        if (seg.has(TcpFlags.SYN)) {
            if (state == TcpState.SYN_RECV && passiveOpen) {
                Closing.returnToListen(this, "rcvd SYN (passive open)", now);
            } else if (!config.synChallenge()) {
                // RFC 793's rule (FreeBSD's insecure_syn=1): a SYN in the window resets the connection.
                error = TcpError.CONNECTION_RESET;
                Closing.resetAndClose(this, "rcvd SYN in window (RFC 5961 §4 off)", now);
            } else {
                receiver.challengeAck(now);
                dropped(seg, "SYN in synchronized state: challenge ACK (RFC 5961 §4)", now);
            }
            return;
        }

        // Fifth: the ACK field.
        if (!seg.has(TcpFlags.ACK)) {
            dropped(seg, "no ACK", now);
            return;
        }
        if (!acks.processAck(seg, now)) return;

        // Sixth: the URG bit. Urgent data is not supported (RFC 6093 advises against its use); the
        // urgent pointer is ignored and the bytes are delivered in line.

        // Seventh: the segment text; eighth: the FIN bit.
        if (receiver.processData(seg, now)) Closing.finArrived(this, now);
        if (!released) Closing.afterSegment(this, now);
    }

    /**
     * TIME_WAIT meets a SYN for the same 4-tuple (RFC 9293 §3.10.7.4 fourth, RFC 6191, Linux): the SYN
     * starts a new incarnation when its sequence number is above the last RCV.NXT, or its timestamp
     * is newer than TS.Recent ({@link TimeWaitRecord} holds the rule). When this returns true the
     * connection has gone CLOSED and is released: the owner removes it and hands the SYN to the
     * listener. When false, nothing has happened: the owner passes the SYN to {@link #segmentArrived}
     * (which answers it with an ACK and drops it).
     */
    public boolean acceptsNewSyn(TcpSegment syn, long now) {
        settle();
        boolean accepted = state == TcpState.TIME_WAIT && !released && timeWait.acceptsNewSyn(syn, now, output, this);
        if (accepted) {
            settle();
            output.wakeup(this);
            output.callReturned(this);
        }
        return accepted;
    }

    /** The owner calls this at (or after) {@link #nextDeadline()}; fires whatever timers are due. */
    public void deadlineReached(long now) {
        try {
            timersDue(now);
        } finally {
            accountMemory();
        }
        output.callReturned(this);
    }

    private void timersDue(long now) {
        settle();
        if (released) return;
        if (timeWait != null) {
            // TIME_WAIT arms no other timer (enterTimeWait cancelled them all).
            timeWait.deadlineReached(now, output, this);
            settle();
        } else {
            timers.fire(now);
        }
        output.wakeup(this);
    }

    /** The earliest time a timer is due, or {@link Long#MAX_VALUE} when none is armed. */
    public long nextDeadline() {
        if (released || (timeWait != null && timeWait.isReleased())) return NONE;
        if (timeWait != null) return timeWait.nextDeadline();
        return timers.next();
    }

    /** The current receive budget (autotuning included). */
    public int receiveBufferSize() { return rcvWindow.receiveBudget; }

    void setState(TcpState to, String cause, long now) {
        TcpState from = state;
        state = to;
        if (to == TcpState.ESTABLISHED && idleTimers.keepAlive) timers.keepaliveAt = now + config.keepaliveIdleNanos();
        if (to == TcpState.ESTABLISHED) info.lastDataReceivedAt = now; // Linux starts lrcvtime at establishment
        output.stateChanged(this, from, to, cause, now);
    }

    void dropped(TcpSegment seg, String reason, long now) {
        output.segmentDropped(this, seg, reason, now);
    }

    int tsNow(long now) {
        return timestampClock(config, now);
    }

    /** Our timestamp clock (RFC 7323 §5.4): one tick per {@link TcpConfig#timestampTickNanos()}. */
    static int timestampClock(TcpConfig config, long now) {
        return (int) (now / config.timestampTickNanos());
    }

    /** The listener closed while this child was still in SYN_RECV: Linux frees it silently (reqsk_queue_destroy). */
    void dropEmbryo(String cause, long now) {
        settle();
        userClosed = true;
        writeShutdown = true;
        sendBuffer.clear();
        receiveBuffer.clear();
        Closing.enterClosed(this, cause, now);
        accountMemory();
        output.wakeup(this);
        output.callReturned(this);
    }

    void detachFromListener() {
        listener = null;
    }

    /** TCP_NODELAY: true turns Nagle's algorithm off (and sends what Nagle was holding back). */
    public void setNoDelay(boolean noDelay) {
        sender.noDelay = noDelay;
    }

    /**
     * SO_KEEPALIVE (RFC 1122 §4.2.3.6, Linux timing from TcpConfig: idle, interval, probes). Turning
     * it on in a synchronized state arms the timer one idle period from now; it is re-armed whenever
     * the connection becomes ESTABLISHED.
     */
    public void setKeepAlive(boolean on, long now) {
        settle();
        idleTimers.setKeepAlive(on, now);
        output.wakeup(this);
        output.callReturned(this);
    }

    /** TCP_NODELAY with an immediate push of what Nagle held back (Linux does this on setsockopt). */
    public void setNoDelay(boolean noDelay, long now) {
        settle();
        sender.setNoDelay(noDelay, now);
        output.wakeup(this);
        output.callReturned(this);
    }

    /**
     * TCP_CORK (Linux, tcp(7)): while on, segments shorter than the MSS are held back (full ones go);
     * turning it off sends what was held as Nagle's algorithm allows. Held data with nothing in
     * flight goes when the persist timer fires (about an RTO, at least 200 ms: tcp(7)'s ceiling),
     * as Linux's probe timer sends it (tcp_write_wakeup); a FIN pushes it out with itself.
     */
    public void setCork(boolean on, long now) {
        settle();
        sender.corked = on;
        if (!on) sender.transmitPending(now);
        output.wakeup(this);
        output.callReturned(this);
    }

    public boolean isCorked() { return sender.corked; }
    public TcpState state() { return timeWaitEnded() ? TcpState.CLOSED : state; }
    public FourTuple tuple() { return tuple; }
    /** The listener that created this connection while it waits in its queues; null once accepted or for an active open. */
    public Listener listener() { return listener; }
    /** Bytes of the arrays this connection's buffers hold now (its send buffer's pieces and spares, its receive ring). */
    public long bufferStorage() { return sendBuffer.storage() + receiveBuffer.storage(); }
    /** Bytes readable now without blocking. */
    public int available() { return receiveBuffer.size(); }
    /** Received bytes taken over by reference from a sender in the same memory rather than copied (for tests). */
    long bytesBorrowed() { return receiveBuffer.borrowedTotal(); }

    /** What a write may take now: the send buffer's free room, within the stack's memory ({@link MemoryBudget}). */
    public int sendSpace() {
        return sendBuffer.room(memory.storageLimit(sendBuffer.storage(), ConnectionMemory.unchargedMemory(this), MemoryBudget.MIN_SEND));
    }

    /** True when read() would not return 0: data, end-of-stream, or an error to report. */
    public boolean isReadable() {
        return readShutdown || userClosed || !receiveBuffer.isEmpty() || finReceived || error != null || isReleased();
    }

    /**
     * True when the socket is writable as Linux's tcp_poll reports POLLOUT: room in the buffer and
     * fewer unsent bytes than half the low-water mark ({@link #setNotsentLowat}), or an
     * error/shutdown to report. A write then does not return 0.
     */
    public boolean isWritable() {
        if (error != null || writeShutdown || userClosed || isReleased()) return true;
        return switch (state) {
            case SYN_SENT, SYN_RECV, ESTABLISHED, CLOSE_WAIT -> sendSpace() > 0 && sender.belowLowWater(1);
            default -> true;
        };
    }

    /** True once the handshake completed (ESTABLISHED or later), or an error ended the attempt. */
    public boolean isConnectDone() {
        return state().isSynchronized() || error != null || isReleased();
    }

    /** The error that ended the connection, or null. */
    public TcpError error() { return error; }
    /** The soft error an ICMP message left (Linux's sk_err_soft, which SO_ERROR reports after the error), cleared; or null. */
    public TcpError takeSoftError() { return IcmpErrors.takeSoftError(this); }
    /** The path MTU an ICMP error reported, 0 while none has (the link's MTU applies). */
    public int pathMtu() { return pathMtu; }
    /** All bytes written have been acknowledged (used by SO_LINGER and by tests). */
    public boolean isSendBufferEmpty() { return sendBuffer.isEmpty(); }
    /** CLOSED and finished: the owner can forget it (remove from demux, free the port). */
    public boolean isReleased() { return released || timeWaitEnded(); }
    /** The record holding this connection's TIME_WAIT (from the moment it entered it), or null. */
    public TimeWaitRecord timeWaitRecord() { return timeWait; }

    /**
     * Lets go of the TIME_WAIT record so that the owner can keep only it (see {@link TimeWaitRecord}):
     * returns it, detached, or null when the connection cannot let it go yet. That is when it is not
     * in TIME_WAIT, or while its ACKs could still change: the user has data left to read (reading
     * opens the window they advertise), there are SACK blocks to report, or it still sits in its
     * listener's queues (its release must be reported there). Once the receive buffer is empty the
     * window is fixed (no data arrives in TIME_WAIT), so the ACKs the record builds are the ones
     * this connection would send. After this call the owner routes segments, timers and the
     * 4-tuple's release through the record; this connection only follows its state.
     */
    public TimeWaitRecord detachTimeWait() {
        settle();
        return Closing.detachTimeWait(this);
    }

    /** Our ACK in TIME_WAIT, while the record is attached (the same segment as in any other state). */
    void sendTimeWaitAck(long now) {
        SegmentWriter.sendAck(this, now);
    }

    private boolean timeWaitEnded() {
        return timeWait != null && timeWait.isReleased();
    }

    /** Brings the stack's memory budget up to date with this connection ({@link ConnectionMemory#account}). */
    private void accountMemory() {
        ConnectionMemory.account(this);
    }

    /**
     * When the TIME_WAIT record ended (2MSL, a new SYN, an abort; it reported the state change), the
     * connection is CLOSED and released too. Called on entry to every operation, since a detached
     * record ends without telling its connection.
     */
    void settle() {
        if (released || !timeWaitEnded()) return;
        state = TcpState.CLOSED;
        released = true;
        ackNow = false;
        timers.cancel();
        Closing.releaseMemory(this);
        if (listener != null) listener.childReleased(this);
    }

    /** The effective send MSS (payload bytes per segment). */
    public int effectiveMss() { return effectiveMss; }
    /** The current congestion window in bytes (0 before the handshake). */
    public int congestionWindow() { return congestion == null ? 0 : congestion.cwnd(); }
    /** The current retransmission timeout, backoff included. */
    public long retransmissionTimeoutNanos() { return rtt.rto(); }
    /** The peer's window in bytes (scaled). */
    public int sendWindow() { return sndWnd; }
    public boolean timestampsEnabled() { return timestampsOn; }
    public boolean sackEnabled() { return sackOn; }

    @Override
    public String toString() {
        return "Connection[" + tuple + " " + state() + "]";
    }

    /**
     * SO_SNDBUF: the send buffer holds at most {@code bytes} from now on (bytes already written
     * stay). The caller applies the socket layer's rules (Linux doubles the value it is given).
     */
    public void setSendBufferSize(int bytes, long now) {
        settle();
        sendBuffer.resize(bytes);
        output.wakeup(this);
        output.callReturned(this);
    }

    /** The send buffer's capacity in bytes. */
    public int sendBufferSize() { return sendBuffer.capacity(); }

    /** getsockopt(TCP_INFO) as Linux reports it, for the fields synack has (see {@link TcpInfo}). */
    public TcpInfo tcpInfo(long now) {
        settle();
        return info.report(now);
    }

    /**
     * TCP_NOTSENT_LOWAT (Linux 3.12): the connection counts as writable only while the bytes
     * written but not yet sent stay below this mark, so that a writer does not queue more than the
     * network takes soon. 0 restores the stack's default ({@link TcpConfig#notsentLowat()}).
     */
    public void setNotsentLowat(long bytes, long now) {
        if (bytes < 0 || bytes > TcpConfig.NOTSENT_LOWAT_UNLIMITED) {
            throw new IllegalArgumentException("low-water mark must be 0.." + TcpConfig.NOTSENT_LOWAT_UNLIMITED + ", got " + bytes);
        }
        settle();
        sender.notsentLowatOption = bytes;
        output.wakeup(this); // a higher mark may make the connection writable now (Linux: sk_write_space)
        output.callReturned(this);
    }

    /** TCP_NOTSENT_LOWAT as set (0 when never set: the stack's default applies). */
    public long notsentLowatOption() { return sender.notsentLowatOption; }
    /** Bytes written but never sent yet (Linux's write_seq - snd_nxt). */
    public int unsentBytes() { return Math.max(0, Seq.distance(sndMax, dataEnd())); }

    /**
     * ss's Send-Q for a connection (Linux's write_seq - snd_una, inet_diag's idiag_wqueue): bytes
     * written and not yet acknowledged, an unacknowledged SYN or FIN counting one each.
     */
    public int sendQueueBytes() {
        settle();
        return Math.max(0, Seq.distance(sndUna, dataEnd() + (finQueued ? 1 : 0)));
    }

    /** RCV.WND (RFC 9293 §3.3.1): what is left of the window we last advertised. */
    public int receiveWindow() { return rcvWindow.receiveWindow(); }

    /**
     * The timer ss -o shows for this connection, named as Linux's inet_diag reports idiag_timer:
     * "on" (retransmission, loss probe or reordering), "persist", "keepalive" (also FIN_WAIT2's
     * timeout, which Linux runs on the same timer), "timewait", or "off". The delayed ACK is not
     * shown, as in Linux.
     */
    public String diagTimer() {
        settle();
        if (timeWait != null) return released ? "off" : "timewait";
        return timers.diagName();
    }

    /** The deadline of {@link #diagTimer()}, or {@link Long#MAX_VALUE} when it is "off". */
    public long diagTimerDeadline() {
        settle();
        if (timeWait != null) return timeWait.nextDeadline();
        return timers.diagDeadline();
    }

    /** Linux's smallest TCP_MAXSEG (TCP_MIN_MSS) and its largest (MAX_TCP_WINDOW). */
    public static final int MIN_USER_MSS = 88, MAX_USER_MSS = 32767;

    /**
     * TCP_MAXSEG (Linux's user_mss): caps the MSS announced in the SYN or SYN-ACK and the segments
     * sent, whatever the peer announces (RFC 9293 §3.7.1 lets a sender use less). It takes effect at
     * the handshake: set it before connect() (or on the listener, {@link Listener#setUserMss}). 0
     * removes the cap.
     * @throws IllegalArgumentException outside 0 and {@value #MIN_USER_MSS}..{@value #MAX_USER_MSS} (Linux: EINVAL)
     */
    public void setUserMss(int mss) {
        userMss = checkUserMss(mss);
    }

    /** TCP_MAXSEG as set, 0 when none. */
    public int userMss() { return userMss; }

    /** {@code mss}, when a valid TCP_MAXSEG value; else IllegalArgumentException. */
    public static int checkUserMss(int mss) {
        if (mss != 0 && (mss < MIN_USER_MSS || mss > MAX_USER_MSS)) {
            throw new IllegalArgumentException("TCP_MAXSEG must be 0 or " + MIN_USER_MSS + ".." + MAX_USER_MSS + ", got " + mss);
        }
        return mss;
    }

    /**
     * TCP_USER_TIMEOUT (RFC 5482 §3, as Linux applies it): once data sent has waited unacknowledged
     * this long since its first retransmission, or the peer's window has stayed closed this long
     * under zero-window probes, the connection fails with CONNECTION_TIMED_OUT (ETIMEDOUT) instead
     * of after the configured retry count; the retransmission timer is shortened so as to fire at
     * that moment (tcp_clamp_rto_to_user_timeout). 0 restores the retry count. Linux 6.x does not
     * apply it to the handshake's SYN retries.
     */
    public void setUserTimeout(long nanos) {
        if (nanos < 0) throw new IllegalArgumentException("user timeout must not be negative, got " + nanos);
        settle();
        userTimeoutNanos = nanos;
    }
}
