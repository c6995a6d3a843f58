package dev.synack.tcp;

import dev.synack.wire.TcpFlags;
import dev.synack.wire.TcpOptions;
import dev.synack.wire.TcpSegment;
import java.nio.ByteBuffer;
import static dev.synack.tcp.ConnectionInfo.CHRONO_BUSY;
import static dev.synack.tcp.ConnectionInfo.CHRONO_RWND;
import static dev.synack.tcp.ConnectionInfo.CHRONO_SNDBUF;
import static dev.synack.tcp.ConnectionInfo.IPV4_TCP_HEADERS;

/**
 * One TCP connection: the TCB of RFC 9293 §3.3.1 and its state machine. Sans-IO: fed segments, user
 * calls and the current time (nanoseconds, from whatever clock the owner uses), it emits segments
 * and events through its {@link TcpOutput}. Single-threaded: its owner serialises all calls.
 *
 * <p>Choices where the RFCs leave room (Linux's behaviour unless said otherwise):
 * <ul>
 *   <li>Zero-window probes are Linux's: a bare ACK with {@code seq = SND.UNA - 1}, which the peer must
 *       answer with an ACK carrying its window (RFC 9293 §3.10.7.4, "first"); it carries no data, so
 *       it can neither lose nor duplicate a byte. When the persist timer fires and the window is open
 *       but too small for the sender's silly-window rule, the data that fits is sent instead.</li>
 *   <li>Out-of-order segments are kept (their in-window bytes, in the receive ring's free region, with
 *       a bounded table of ranges, {@link ReassemblyQueue}) and answered at once with a duplicate ACK
 *       carrying SACK blocks when agreed; data or a SYN carried by a SYN-ACK is dropped (the peer
 *       retransmits it).</li>
 *   <li>shutdown(READ) sends nothing. What it does to received data is {@link TcpConfig#readShutdownData()}:
 *       by default Linux's rule, where read() returns -1 only while nothing is queued and data
 *       arriving later is acknowledged, queued and readable (until our FIN is out too: then it
 *       resets the connection); or the BSD rule, where what was buffered is discarded at once and
 *       later data is acknowledged and dropped (the window stays open).</li>
 *   <li>shutdown() in CLOSED throws NOT_CONNECTED (ENOTCONN); in SYN_SENT it silently drops the
 *       attempt (CLOSED, released), as Linux's tcp_disconnect.</li>
 *   <li>After an asynchronous error (reset, timeout, refusal) read() still returns the bytes already
 *       received, then throws the error on every call; write() throws it at once.</li>
 *   <li>Delayed ACKs use {@link TcpConfig#delayedAckMinNanos()} (Linux's initial 40 ms) as their
 *       timeout; an ACK goes out at once when more than one full-sized segment is unacknowledged.</li>
 *   <li>Nagle's algorithm is Linux's (Minshall's variant): a small segment waits only while an
 *       earlier small segment is unacknowledged; close()/shutdown(WRITE) push the tail out.</li>
 *   <li>Records, corking and idle restarts as Linux: a write with {@link WriteFlags#END_OF_RECORD}
 *       (MSG_EOR) ends a record no segment crosses; TCP_CORK ({@link #setCork}) and
 *       {@link WriteFlags#MORE} (MSG_MORE, for its call) hold segments shorter than the MSS; after
 *       an idle period longer than the RTO, cwnd restarts ({@link TcpConfig#slowStartAfterIdle()}).</li>
 *   <li>PSH as Linux sets it: on the segment ending a write (and on its retransmissions), on the
 *       last of the new segments Linux would send as one TSO packet, and on a window probe with
 *       data. synack does not pace or use TSO; Linux's pacing rate only sizes those trains.</li>
 *   <li>D-SACK blocks (RFC 2883) are reported as Linux does: for data below RCV.NXT, and for the
 *       part of a segment that repeats held out-of-order data, first, before the SACK blocks.</li>
 *   <li>An abort's RST (close() with unread data, SO_LINGER 0, keepalive timeout) is RST|ACK built
 *       like any segment, timestamps included; a RST answering a segment carries no options.</li>
 *   <li>Loss recovery: with SACK, RACK (RFC 8985 §6, {@link Rack}) decides which segments are lost,
 *       by time, as Linux does by default; recovery then resends them while cwnd - pipe allows (RFC
 *       6675's pipe with RACK's marks). With {@link TcpConfig#rack()} off, RFC 6675 (scoreboard,
 *       IsLost with DupThresh, pipe, NextSeg rules 1-3; no rescue retransmission). Without SACK,
 *       NewReno (RFC 6582, the Impatient variant of §4, as Linux: only the first partial ACK
 *       restarts the timer). With {@link TcpConfig#proportionalRateReduction()} (Linux), every fast
 *       recovery sets cwnd on each ACK by proportional rate reduction ({@link
 *       ProportionalRateReduction}, RFC 9937) instead of cwnd = ssthresh or NewReno's inflation.
 *       Limited transmit (RFC 3042) on the first two duplicate ACKs. The congestion window is a {@link CongestionControl}: CUBIC (RFC 9438) or
 *       NewReno (RFC 5681). With SACK, a tail loss probe (RFC 8985 §7) fires at min(2 SRTT
 *       (+ delayed-ACK allowance), RTO) and sends new data or the last segment.</li>
 *   <li>The retry limits count retransmissions: the SYN is given up after synRetries of them (1, 2,
 *       4, ... s apart), a passive child after synAckRetries (dropped silently), data after
 *       dataRetries (CONNECTION_TIMED_OUT, no RST, as Linux).</li>
 *   <li>Challenge ACKs (RFC 5961 §7) are limited per connection, not host-wide as on Linux; with
 *       the ACKs to unacceptable segments they share Linux's per-connection interval
 *       (tcp_invalid_ratelimit): see {@link AckLimiter}.</li>
 *   <li>A passive-open child reset in SYN_RECV reports SYN_RECV -> LISTEN and is then released; its
 *       listener carries on.</li>
 * </ul>
 */
public final class Connection {

    /** "No timer armed". */
    static final long NONE = Long.MAX_VALUE;

    final TcpConfig config;
    final FourTuple tuple;
    final IsnGenerator isnGenerator;
    final TcpOutput output;
    /** The stack's memory (tcp_mem): this connection's buffers are charged to it ({@link #accountMemory}). */
    final MemoryBudget memory;
    /** The listener that created this connection, until accept() takes it; null for an active open. */
    Listener listener;
    /** Links of {@link #listener}'s SYN queue while this child is in it (the listener keeps them). */
    Connection synPrev;
    Connection synNext;
    boolean inSynQueue;
    final boolean passiveOpen;

    TcpState state = TcpState.CLOSED;
    boolean opened;
    boolean released;
    boolean userClosed;
    boolean readShutdown;
    boolean writeShutdown;
    TcpError error;

    // ---- send sequence variables (RFC 9293 §3.3.1) ----
    int iss;
    /**
     * Our SYN has been acknowledged (SND.UNA has moved past ISS). A flag, not {@code SND.UNA > ISS}:
     * that comparison turns false again once 2^31 bytes have been acknowledged (RFC 9293 §3.4 compares
     * only within half the sequence space), which stopped all sending after 2 GiB.
     */
    boolean synAcknowledged;
    int sndUna;
    int sndNxt;
    /** The highest sequence number sent so far; SND.NXT goes back to SND.UNA on a timeout (go-back-N). */
    int sndMax;
    /** The peer's window in bytes, scaled. */
    int sndWnd;
    int sndWl1;
    int sndWl2;
    /** The largest window the peer has offered (RFC 9293 §3.8.6.2.1, RFC 5961 §5.2). */
    int maxSndWnd;
    /** The peer's window scale: applied to the windows it sends (RFC 7323 §2.3). */
    int sndShift;
    final SendBuffer sendBuffer;
    /** Sequence number of the oldest byte in the send buffer. */
    int sendBufferSeq;
    boolean finQueued;
    /** Sequence number our FIN occupies, once queued. */
    int finSeq;

    // ---- receive sequence variables ----
    int irs;
    int rcvNxt;
    /** Our window scale: applied to the windows we send. */
    int rcvShift;
    final ReceiveQueue receiveBuffer;
    boolean peerSynSeen;
    boolean finReceived;

    // ---- negotiated options ----
    boolean timestampsOn;
    boolean sackOn;
    boolean windowScalingOn;
    int peerMss;
    /** The largest payload we send: min(peer MSS, our MSS) minus the timestamps option when on. */
    int effectiveMss;
    int tsRecent;
    /** When TS.Recent was last set (RFC 7323 §5.5). */
    long tsRecentAt;
    /** Last.ACK.sent of RFC 7323 §4.3. */
    int lastAckSent;

    // ---- timers and retransmission ----
    long retransmitAt = NONE;
    long persistAt = NONE;
    long delayedAckAt = NONE;
    /** TIME_WAIT's state and rules, from the moment the connection enters it (see {@link TimeWaitRecord}). */
    TimeWaitRecord timeWait;
    long finWait2At = NONE;
    long keepaliveAt = NONE;
    final RttEstimator rtt;
    CongestionControl congestion;
    /** RACK's reordering timer (RFC 8985 §6.3). */
    long reorderAt = NONE;

    // ---- tail loss probe (RFC 8985 §7) ----
    long probeAt = NONE;
    boolean ackNow;

    final Handshake handshake;
    final Receiver receiver;
    final ReceiveWindow rcvWindow;
    final AckProcessing acks;
    final Sender sender;
    final SegmentWriter writer;
    /** Chosen by the handshake ({@link LossRecovery#forConnection}). */
    LossRecovery recovery;
    final TailLossProbe tlp;
    final RetransmissionTimer retransmitTimer;
    final PersistAndKeepalive idleTimers;
    final Closing closing;
    final ConnectionMemory memoryUse;
    final ConnectionInfo info;
    Connection(TcpConfig config, FourTuple tuple, IsnGenerator isnGenerator, TcpOutput output, Listener listener) {
        this.config = config;
        this.tuple = tuple;
        this.isnGenerator = isnGenerator;
        this.output = output;
        this.memory = output.memoryBudget();
        this.listener = listener;
        this.passiveOpen = listener != null;
        this.sendBuffer = new SendBuffer(config.sendBufferSize());
        this.receiveBuffer = new ReceiveQueue(config.receiveBufferSize() + ReceiveWindow.windowRoundingSlack(config));
        this.rtt = new RttEstimator(config);
        this.handshake = new Handshake(this);
        this.receiver = new Receiver(this);
        this.rcvWindow = new ReceiveWindow(this);
        this.acks = new AckProcessing(this);
        this.sender = new Sender(this);
        this.writer = new SegmentWriter(this);
        this.recovery = new NewRenoRecovery(this);
        this.tlp = new TailLossProbe(this);
        this.retransmitTimer = new RetransmissionTimer(this);
        this.idleTimers = new PersistAndKeepalive(this);
        this.closing = new Closing(this);
        this.memoryUse = new ConnectionMemory(this);
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
        handshake.initSendSequence(isnGenerator.isn(tuple, now));
        setState(TcpState.SYN_SENT, "connect()", now);
        handshake.sendSyn(now);
        output.wakeup(this);
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
        boolean unsentBefore = Seq.distance(sndNxt, dataEnd()) > 0;
        int n = sender.lowWaterMarkLimits() ? sender.writeBelowLowWater(src, now) : sender.bufferWrite(src);
        boolean more = (flags & WriteFlags.MORE) != 0;
        if (n > 0) {
            info.chronoStart(CHRONO_BUSY, now);
            sender.restartWindowAfterIdle(now);
            sender.tailPushed = !more || (sender.tailPushed && unsentBefore);
            if ((flags & WriteFlags.END_OF_RECORD) != 0 && !src.hasRemaining()) sendBuffer.endRecord();
        }
        sender.writingMore = more;
        try {
            sender.transmitPending(now);
        } finally {
            sender.writingMore = false;
        }
        accountMemory();
        output.wakeup(this);
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
        settle();
        if (userClosed) throw new TcpException(TcpError.CLOSED);
        if (receiver.discardsInput()) return -1;
        if (!receiveBuffer.isEmpty()) {
            int n = receiveBuffer.read(dst);
            if (finReceived || released) receiveBuffer.releaseIfEmpty(); // nothing more can arrive
            if (n > 0) {
                accountMemory();
                rcvWindow.autotuneReceiveBuffer(n, now);
                rcvWindow.maybeSendWindowUpdate(now);
                output.wakeup(this);
            }
            return n;
        }
        if (error != null) throw new TcpException(error);
        // As Linux's tcp_recvmsg: with nothing queued, a receive side shut by either end is end-of-file.
        if (finReceived || readShutdown) return -1;
        if (!opened) throw new TcpException(TcpError.NOT_CONNECTED);
        return 0;
    }

    /** shutdown(2) with Linux semantics (design.md); see the class comment for the choices made. */
    public void shutdown(ShutdownHow how, long now) {
        settle();
        switch (state) {
            case CLOSED, LISTEN -> throw new TcpException(TcpError.NOT_CONNECTED);
            case SYN_SENT -> {
                // Linux (inet_shutdown -> tcp_disconnect): the attempt is dropped without a segment; a
                // late SYN-ACK then meets no connection and is answered with RST by the stack.
                readShutdown = true;
                writeShutdown = true;
                closing.enterClosed("shutdown() in SYN_SENT", now);
                output.wakeup(this);
                return;
            }
            default -> { }
        }
        if ((how == ShutdownHow.READ || how == ShutdownHow.BOTH) && !readShutdown) {
            readShutdown = true;
            if (receiver.discardsInput()) receiveBuffer.clear();
        }
        if ((how == ShutdownHow.WRITE || how == ShutdownHow.BOTH) && !writeShutdown) {
            writeShutdown = true;
            closing.queueFin("shutdown(WRITE)", now);
        }
        accountMemory();
        output.wakeup(this);
    }

    /**
     * CLOSE (RFC 9293 §3.10.4): graceful (FIN after queued data) or, with unread received data, RST
     * (RFC 2525 §2.17). In SYN_SENT: silently CLOSED. In SYN_RECV: FIN_WAIT1. The connection lives on
     * (FIN_WAIT*, CLOSING, TIME_WAIT, LAST_ACK) until {@link #isReleased()}. Repeated calls are no-ops.
     */
    public void close(long now) {
        settle();
        if (userClosed) return;
        userClosed = true;
        writeShutdown = true;
        switch (state) {
            case CLOSED, LISTEN -> {
                released = true;
                receiveBuffer.clear(); // what a reset left unread: nobody will read it now
            }
            case SYN_SENT -> closing.enterClosed("close()", now);
            case TIME_WAIT, CLOSING, LAST_ACK -> { }
            default -> {
                if (!receiveBuffer.isEmpty()) {
                    // RFC 2525 §2.17: data the application will never read is lost; say so with RST.
                    receiveBuffer.clear();
                    closing.resetAndClose("close() with unread data", now);
                } else if (state == TcpState.FIN_WAIT2) {
                    closing.armFinWait2Timer(now);
                } else {
                    closing.queueFin("close()", now);
                }
            }
        }
        if (memoryUse.isOrphan() && memory.orphanOutOfResources(1, 0, sendBuffer.size())) memoryUse.abortOnMemory(now);
        accountMemory();
        output.wakeup(this);
    }

    /** ABORT (RFC 9293 §3.10.5): send RST (in SYN_RECV and synchronized states), go to CLOSED, drop all buffers. */
    public void abort(long now) {
        abort("abort()", now);
    }

    void abort(String cause, long now) {
        settle();
        userClosed = true;
        writeShutdown = true;
        sendBuffer.clear();
        receiveBuffer.clear();
        switch (state) {
            case CLOSED, LISTEN -> released = true;
            case SYN_RECV, ESTABLISHED, FIN_WAIT1, FIN_WAIT2, CLOSE_WAIT -> closing.resetAndClose(cause, now);
            case TIME_WAIT -> {
                timeWait.close(cause, now, output, this); // nothing to tell the peer
                settle();
            }
            default -> closing.enterClosed(cause, now); // SYN_SENT, CLOSING, LAST_ACK: nothing to tell
        }
        accountMemory();
        output.wakeup(this);
    }

    /** SEGMENT ARRIVES (RFC 9293 §3.10.7), in the order the RFC writes it. */
    public void segmentArrived(TcpSegment segment, long now) {
        try {
            arrived(segment, now);
        } finally {
            accountMemory();
        }
    }

    void arrived(TcpSegment segment, long now) {
        settle();
        if (released) {
            output.segmentDropped(this, segment, "connection released", now);
            return;
        }
        idleTimers.lastReceivedAt = now; // keepalive measures idleness from here
        idleTimers.keepaliveProbesSent = 0;
        switch (state) {
            case CLOSED, LISTEN -> output.segmentDropped(this, segment, "connection " + state, now);
            case SYN_SENT -> handshake.synSentArrived(segment, now);
            case TIME_WAIT -> timeWait.segmentArrived(segment, now, output, writer.out, this);
            default -> otherStateArrived(segment, now);
        }
        if (!released && ackNow) writer.sendAck(now);
        output.wakeup(this);
    }

    /** RFC 9293 §3.10.7.4: SYN-RECEIVED and the synchronized states other than TIME-WAIT. */
    void otherStateArrived(TcpSegment seg, long now) {
        if (state == TcpState.SYN_RECV && seg.has(TcpFlags.SYN) && !seg.has(TcpFlags.RST) && seg.seq() == irs) {
            if (!seg.has(TcpFlags.ACK)) {
                // The peer retransmitted its SYN: our SYN-ACK was lost (Linux tcp_check_req, which
                // sends it again at most once per tcp_invalid_ratelimit).
                if (receiver.answerUnacceptable(seg, RateLimited.SYN_RECV_ACK, now)) {
                    dropped(seg, "retransmitted SYN: SYN-ACK sent again", now);
                    handshake.sendSyn(now);
                } else {
                    dropped(seg, "retransmitted SYN: SYN-ACK rate limited", now);
                }
                return;
            }
            // Simultaneous open: the peer's SYN-ACK acknowledges our SYN (RFC 9293 figure 8); its
            // SYN is the one we already hold, so only the ACK matters.
            if (acks.processAck(seg, now)) closing.afterSegment(now);
            return;
        }

        // First: check the sequence number. PAWS comes before it (RFC 7323 §5.3 R1): an older
        // timestamp marks an old duplicate.
        int rcvWnd = rcvWindow.receiveWindow();
        if (receiver.pawsRejects(seg, now)) {
            if (receiver.answerUnacceptable(seg, RateLimited.PAWS_ACK, now)) ackNow = true;
            dropped(seg, "PAWS: timestamp older than TS.Recent", now);
            return;
        }
        // For a RST, RFC 5961 §3.2 replaces the acceptability test (exactly RCV.NXT, in the window,
        // or outside it), so the first and second steps are taken together.
        if (seg.has(TcpFlags.RST)) {
            receiver.resetArrived(seg, rcvWnd, now);
            return;
        }
        // Otherwise the four cases of RFC 9293 §3.10.7.4; an unacceptable segment gets an ACK.
        if (!receiver.acceptable(seg, rcvWnd)) {
            if (seg.has(TcpFlags.SYN)) {
                receiver.challengeAck(now); // RFC 5961 §4.2: a SYN, whatever its sequence number
            } else {
                if (receiver.answerUnacceptable(seg, RateLimited.OUT_OF_WINDOW_ACK, now)) ackNow = true;
                // RFC 2883 §4.1.1: a duplicate of what was already received is reported in a D-SACK
                // block; as Linux's tcp_send_dupack, a repeated FIN is part of it.
                if (Seq.lt(seg.seq(), rcvNxt)) receiver.reportDuplicate(seg.seq(), Seq.min(seg.seq() + seg.sequenceLength(), rcvNxt));
            }
            dropped(seg, "unacceptable sequence number", now);
            return;
        }

        // Second (the RST bit) was handled above; third (security/compartment) does not apply.

        // Fourth: the SYN bit (RFC 9293 §3.10.7.4, RFC 5961 §4).
        if (seg.has(TcpFlags.SYN)) {
            if (state == TcpState.SYN_RECV && passiveOpen) {
                closing.returnToListen("rcvd SYN (passive open)", now);
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
        if (receiver.processData(seg, now)) closing.finArrived(now);
        if (!released) closing.afterSegment(now);
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
        if (state != TcpState.TIME_WAIT || released) return false;
        if (!timeWait.acceptsNewSyn(syn, now, output, this)) return false;
        settle();
        output.wakeup(this);
        return true;
    }

    /** The owner calls this at (or after) {@link #nextDeadline()}; fires whatever timers are due. */
    public void deadlineReached(long now) {
        try {
            timersDue(now);
        } finally {
            accountMemory();
        }
    }

    void timersDue(long now) {
        settle();
        if (released) return;
        if (timeWait != null) {
            // TIME_WAIT arms no other timer (enterTimeWait cancelled them all).
            timeWait.deadlineReached(now, output, this);
            settle();
            output.wakeup(this);
            return;
        }
        if (delayedAckAt <= now) {
            delayedAckAt = NONE;
            output.timerFired(this, "delayed-ack", now);
            writer.sendAck(now);
        }
        if (reorderAt <= now) {
            reorderAt = NONE;
            output.timerFired(this, "reorder", now);
            recovery.reorderTimeout(now);
        }
        if (probeAt <= now) {
            probeAt = NONE;
            output.timerFired(this, "loss-probe", now);
            tlp.lossProbe(now);
        }
        if (retransmitAt <= now) {
            retransmitAt = NONE;
            output.timerFired(this, "retransmit", now);
            retransmitTimer.retransmissionTimeout(now);
        }
        if (persistAt <= now) {
            persistAt = NONE;
            output.timerFired(this, "persist", now);
            idleTimers.persistTimeout(now);
        }
        if (finWait2At <= now) {
            finWait2At = NONE;
            output.timerFired(this, "fin-wait2", now);
            if (state == TcpState.FIN_WAIT2) closing.enterClosed("FIN_WAIT2 timeout", now);
        }
        if (keepaliveAt <= now) {
            keepaliveAt = NONE;
            output.timerFired(this, "keepalive", now);
            idleTimers.keepaliveTimeout(now);
        }
        output.wakeup(this);
    }

    /** The earliest time a timer is due, or {@link Long#MAX_VALUE} when none is armed. */
    public long nextDeadline() {
        if (released || (timeWait != null && timeWait.isReleased())) return NONE;
        if (timeWait != null) return timeWait.nextDeadline();
        return Math.min(Math.min(Math.min(retransmitAt, persistAt), Math.min(delayedAckAt, keepaliveAt)),
                Math.min(finWait2At, Math.min(probeAt, reorderAt)));
    }

    /** The current receive budget (autotuning included). */
    public int receiveBufferSize() { return rcvWindow.receiveBudget; }

    void setState(TcpState to, String cause, long now) {
        TcpState from = state;
        state = to;
        if (to == TcpState.ESTABLISHED && idleTimers.keepAlive) keepaliveAt = now + config.keepaliveIdleNanos();
        if (to == TcpState.ESTABLISHED) info.lastDataReceivedAt = now; // Linux starts lrcvtime at establishment
        output.stateChanged(this, from, to, cause, now);
    }

    void dropped(TcpSegment seg, String reason, long now) {
        output.segmentDropped(this, seg, reason, now);
    }

    boolean synAcked() {
        return opened && synAcknowledged;
    }

    boolean finAcked() {
        return finQueued && Seq.gt(sndUna, finSeq);
    }

    boolean canSendData() {
        if (released || !synAcked() || congestion == null) return false;
        return switch (state) {
            case ESTABLISHED, CLOSE_WAIT, FIN_WAIT1, CLOSING, LAST_ACK -> true;
            default -> false;
        };
    }

    int dataEnd() {
        return sendBufferSeq + sendBuffer.size();
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
        closing.enterClosed(cause, now);
        accountMemory();
        output.wakeup(this);
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
        idleTimers.keepAlive = on;
        if (!on) {
            keepaliveAt = NONE;
        } else if (idleTimers.keepAliveApplies() && keepaliveAt == NONE) {
            keepaliveAt = now + config.keepaliveIdleNanos(); // Linux: a full idle period from the setsockopt
        }
        output.wakeup(this);
    }

    /** TCP_NODELAY with an immediate push of what Nagle held back (Linux does this on setsockopt). */
    public void setNoDelay(boolean noDelay, long now) {
        settle();
        sender.noDelay = noDelay;
        if (noDelay) {
            sender.pushingAll = true; // even while corked, as Linux's TCP_NAGLE_PUSH
            try {
                sender.transmitPending(now);
            } finally {
                sender.pushingAll = false;
            }
        }
        output.wakeup(this);
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
        return sendBuffer.room(memory.storageLimit(sendBuffer.storage(), memoryUse.unchargedMemory(), MemoryBudget.MIN_SEND));
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
        if (state != TcpState.TIME_WAIT || released || timeWait.isDetached()) return null;
        if (!receiveBuffer.isEmpty() || listener != null) return null;
        if (sackOn && (receiver.dsackPending || receiver.reassembly.recentCount() > 0)) return null;
        timeWait.detach(rcvWindow.advertiseWindow());
        return timeWait;
    }

    /** Our ACK in TIME_WAIT, while the record is attached (the same segment as in any other state). */
    void sendTimeWaitAck(long now) {
        writer.sendAck(now);
    }

    boolean timeWaitEnded() {
        return timeWait != null && timeWait.isReleased();
    }

    /**
     * Charges the stack's budget with what this connection holds now and counts it as an orphan or
     * not: called at the end of every call that can change either.
     */
    void accountMemory() {
        memoryUse.chargeHeld();
        if (memory.underPressure() || userClosed || isReleased()) {
            memoryUse.reclaimIdleBuffers();
            memoryUse.chargeHeld();
        }
        boolean orphan = memoryUse.isOrphan();
        if (orphan != memoryUse.orphanCounted) {
            memory.orphanCount(orphan ? 1 : -1);
            memoryUse.orphanCounted = orphan;
        }
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
        closing.cancelTimers();
        closing.releaseMemory();
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
    }

    /** The send buffer's capacity in bytes. */
    public int sendBufferSize() { return sendBuffer.capacity(); }

    /** getsockopt(TCP_INFO) as Linux reports it, for the fields synack has (see {@link TcpInfo}). */
    public TcpInfo tcpInfo(long now) {
        settle();
        int mss = Math.max(1, effectiveMss > 0 ? effectiveMss : config.mss());
        int ssthresh = congestion == null || congestion.ssthresh() == Integer.MAX_VALUE
                ? TcpInfo.INFINITE_SSTHRESH : congestion.ssthresh() / mss;
        int cwnd = congestion == null ? config.initialCwndSegments() : congestion.cwnd() / mss;
        long rttVar = rtt.hasSample() ? rtt.rttvar() : config.initialRtoNanos() / 4;
        int notSent = Math.max(0, Seq.distance(sndMax, dataEnd()));
        long sinceData = info.lastDataReceivedAt == NONE ? 0 : (now - info.lastDataReceivedAt) / 1_000_000;
        return new TcpInfo(state(), info.caState(), retransmitTimer.retries, rtt.backoffCount(), timestampsOn, sackOn, windowScalingOn,
                windowScalingOn ? sndShift : 0, windowScalingOn ? rcvShift : 0, rtt.rto() / 1000, effectiveMss, handshake.advMss(),
                config.mss() + IPV4_TCP_HEADERS, rtt.srtt() / 1000, rttVar / 1000, ssthresh, cwnd, config.dupThresh(),
                info.totalRetrans, info.bytesRetrans, notSent, sndWnd, sinceData, info.packets(),
                info.chronoMicros(CHRONO_BUSY, now) + info.chronoMicros(CHRONO_RWND, now) + info.chronoMicros(CHRONO_SNDBUF, now),
                info.chronoMicros(CHRONO_RWND, now));
    }

    // ---- TCP_NOTSENT_LOWAT ----
    /** TCP_NOTSENT_LOWAT as set on this connection; 0: the stack's default (net.ipv4.tcp_notsent_lowat). */
    long notsentLowatOption;

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
        notsentLowatOption = bytes;
        output.wakeup(this); // a higher mark may make the connection writable now (Linux: sk_write_space)
    }

    /** TCP_NOTSENT_LOWAT as set (0 when never set: the stack's default applies). */
    public long notsentLowatOption() { return notsentLowatOption; }

    /** Bytes written but never sent yet (Linux's write_seq - snd_nxt). */
    public int unsentBytes() { return Math.max(0, Seq.distance(sndMax, dataEnd())); }

    // ---- TCP_MAXSEG ----
    /** Linux's smallest TCP_MAXSEG (TCP_MIN_MSS) and its largest (MAX_TCP_WINDOW). */
    public static final int MIN_USER_MSS = 88, MAX_USER_MSS = 32767;
    /** TCP_MAXSEG as set (Linux's user_mss); 0: none. */
    int userMss;

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

    // ---- TCP_USER_TIMEOUT ----
    /** TCP_USER_TIMEOUT (RFC 5482) in nanoseconds; 0: none, the retry count decides. */
    long userTimeoutNanos;

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

    /** TCP_USER_TIMEOUT in nanoseconds, 0 when not set. */
    public long userTimeoutNanos() { return userTimeoutNanos; }
}
