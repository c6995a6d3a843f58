package dev.synack.tcp;

import dev.synack.wire.IpAddress;
import dev.synack.wire.TcpFlags;
import dev.synack.wire.TcpOptions;
import dev.synack.wire.TcpSegment;

/**
 * What is left of a connection in TIME_WAIT (RFC 9293 §3.10.7.4, RFC 1337, RFC 6191, Linux's
 * tcp_timewait_sock): the 4-tuple, the sequence numbers of its ACKs, the window and timestamps
 * they carry, the 2MSL deadline and the limits on what it answers ({@link AckLimiter}). Nothing
 * more is ever sent or received as data, so the buffers, the SACK scoreboard, the RTT estimator and
 * the congestion controller are not needed; a record is one 56-byte object (ints, a long, a char,
 * a byte, and references to the shared configuration and, only after an answer was limited, its
 * limiter).
 *
 * <p>The TIME_WAIT rules live here and only here. A {@link Connection} entering TIME_WAIT creates
 * its record and, while it stays <em>attached</em>, hands it every segment, timer and abort (the
 * record answers through the connection's own ACK so that nothing on the wire changes). Its owner
 * may then {@linkplain Connection#detachTimeWait() detach} the record and keep only it (the stack
 * does, in its demux table): the connection object is then needed by nobody but the user's
 * socket, whose {@link Connection#state()} keeps following the record to CLOSED.
 *
 * <p>A detached record is driven through the public methods below; it reports its events through
 * {@link TcpOutput#timeWaitStateChanged} and {@link TcpOutput#timeWaitTimerFired} (it knows no
 * connection object), its dropped segments with a null connection. Single-threaded, sans-IO, as
 * the rest of the engine.
 */
public final class TimeWaitRecord {
    private static final long NONE = Long.MAX_VALUE;
    private static final byte TIMESTAMPS_ON = 1;
    private static final byte RELEASED = 2;
    private static final byte DETACHED = 4;
    private static final int PORT_MASK = 0xffff;
    private static final int PORT_BITS = 16;

    private final TcpConfig config;
    private final IpAddress localAddress;
    private final IpAddress remoteAddress;
    /** The local port in the high 16 bits, the remote port in the low 16. */
    private final int ports;
    /** SND.MAX: the sequence number of every ACK we send from here on. */
    private final int sndMax;
    /** RCV.NXT: one past the peer's FIN. */
    private final int rcvNxt;
    /** TS.Recent (RFC 7323 §4.3): echoed in our ACKs; older TSvals are old duplicates (PAWS). */
    private final int tsRecent;
    /** When the 2MSL timer expires; {@link #NONE} once released. */
    private long deadline;
    /** The limits on what it answers, inherited from the connection; null until the first ACK limited. */
    private AckLimiter ackLimiter;
    /** The window field of our ACKs once detached (it can no longer change then). */
    private char window;
    private byte flags;

    TimeWaitRecord(TcpConfig config, FourTuple tuple, int sndMax, int rcvNxt, boolean timestamps, int tsRecent,
                   long deadline, AckLimiter ackLimiter) {
        this.config = config;
        this.localAddress = tuple.localAddress();
        this.remoteAddress = tuple.remoteAddress();
        this.ports = (tuple.localPort() << PORT_BITS) | (tuple.remotePort() & PORT_MASK);
        this.sndMax = sndMax;
        this.rcvNxt = rcvNxt;
        this.tsRecent = tsRecent;
        this.deadline = deadline;
        this.ackLimiter = ackLimiter;
        if (timestamps) flags |= TIMESTAMPS_ON;
    }

    // ---- identity and state ----

    /** TIME_WAIT, or CLOSED once the 2MSL timer expired, a new SYN reused the 4-tuple, or an abort. */
    public TcpState state() { return isReleased() ? TcpState.CLOSED : TcpState.TIME_WAIT; }
    /** CLOSED and finished: the owner forgets the record and releases its port. */
    public boolean isReleased() { return (flags & RELEASED) != 0; }
    /** True once its connection let it go: only the public methods drive it from then on. */
    public boolean isDetached() { return (flags & DETACHED) != 0; }
    /** The 2MSL deadline, or {@link Long#MAX_VALUE} once released. */
    public long nextDeadline() { return deadline; }
    public IpAddress localAddress() { return localAddress; }
    public int localPort() { return ports >>> PORT_BITS; }
    public IpAddress remoteAddress() { return remoteAddress; }
    public int remotePort() { return ports & PORT_MASK; }
    /** The 4-tuple (a new object on every call: records do not keep one). */
    public FourTuple tuple() { return new FourTuple(localAddress, localPort(), remoteAddress, remotePort()); }

    /** Called by the connection when it lets the record go: from now on our ACKs carry {@code windowField}. */
    void detach(int windowField) {
        window = (char) windowField;
        flags |= DETACHED;
    }

    // ---- the public (detached) entry points ----

    /**
     * A segment for the 4-tuple arrived. {@code scratch} is a segment the record may fill to send
     * its ACK (the owner's reusable one: the record keeps none).
     */
    public void segmentArrived(TcpSegment segment, long now, TcpOutput output, TcpSegment scratch) {
        requireDetached();
        segmentArrived(segment, now, output, scratch, null);
    }

    /** See {@link Connection#acceptsNewSyn}: when true the record is released and the SYN goes to the listener. */
    public boolean acceptsNewSyn(TcpSegment syn, long now, TcpOutput output) {
        requireDetached();
        return acceptsNewSyn(syn, now, output, null);
    }

    /** The owner calls this at (or after) {@link #nextDeadline()}: 2MSL has passed, the record is CLOSED. */
    public void deadlineReached(long now, TcpOutput output) {
        requireDetached();
        deadlineReached(now, output, null);
    }

    private void requireDetached() {
        if (!isDetached()) throw new IllegalStateException("the TIME_WAIT record of " + tuple() + " still belongs to its connection");
    }

    // ---- the rules; owner is the connection while attached, null once detached ----

    /**
     * TIME-WAIT (RFC 9293 §3.10.7.4, RFC 1337, Linux tcp_timewait_state_process): a retransmitted FIN
     * is ACKed again and restarts the 2MSL timer; RSTs are ignored; anything else is an old duplicate.
     */
    void segmentArrived(TcpSegment seg, long now, TcpOutput output, TcpSegment scratch, Connection owner) {
        if (isReleased()) {
            output.segmentDropped(owner, seg, "connection released", now);
            return;
        }
        if (seg.has(TcpFlags.RST)) {
            output.segmentDropped(owner, seg, "RST in TIME_WAIT ignored (RFC 1337)", now);
            return;
        }
        if (seg.has(TcpFlags.SYN) && !seg.has(TcpFlags.ACK)) {
            challengeAck(now, output, scratch, owner);
            output.segmentDropped(owner, seg, "SYN in TIME_WAIT not accepted as a new connection: challenge ACK (RFC 5961 §4)", now);
            return;
        }
        boolean timestamps = (flags & TIMESTAMPS_ON) != 0;
        boolean pawsReject = timestamps && seg.options().hasTimestamps() && Seq.lt(seg.options().tsVal(), tsRecent);
        if (!pawsReject && seg.has(TcpFlags.FIN) && seg.seq() + seg.sequenceLength() == rcvNxt) {
            deadline = now + config.timeWaitNanos(); // the peer did not get our ACK of its FIN
            sendAck(now, output, scratch, owner);
            return;
        }
        if (!pawsReject && seg.sequenceLength() == 0 && seg.seq() == rcvNxt) {
            return; // a late bare ACK: nothing to do
        }
        output.segmentDropped(owner, seg, "old duplicate in TIME_WAIT", now);
        answerOldDuplicate(seg, now, output, scratch, owner);
    }

    /**
     * TIME_WAIT meets a SYN for the same 4-tuple (RFC 9293 §3.10.7.4 fourth, RFC 6191, Linux): the SYN
     * starts a new incarnation when its sequence number is above the last RCV.NXT, or its timestamp
     * is newer than TS.Recent. When true the record has gone CLOSED and is released.
     */
    boolean acceptsNewSyn(TcpSegment syn, long now, TcpOutput output, Connection owner) {
        if (isReleased()) return false;
        if (!syn.has(TcpFlags.SYN) || syn.has(TcpFlags.ACK) || syn.has(TcpFlags.RST)) return false;
        TcpOptions opts = syn.options();
        boolean hasTs = (flags & TIMESTAMPS_ON) != 0 && opts.hasTimestamps();
        if (hasTs && Seq.lt(opts.tsVal(), tsRecent)) return false; // PAWS
        boolean newer = Seq.gt(syn.seq(), rcvNxt) || (hasTs && Seq.gt(opts.tsVal(), tsRecent));
        if (!newer) return false;
        close("new SYN in TIME_WAIT (RFC 6191)", now, output, owner);
        return true;
    }

    void deadlineReached(long now, TcpOutput output, Connection owner) {
        if (isReleased() || deadline > now) return;
        deadline = NONE;
        if (owner != null) output.timerFired(owner, "time-wait", now);
        else output.timeWaitTimerFired(this, "time-wait", now);
        close("2MSL timer", now, output, owner);
    }

    /** TIME_WAIT -> CLOSED ({@code cause}: the 2MSL timer, a new SYN, an abort); the record is released. */
    void close(String cause, long now, TcpOutput output, Connection owner) {
        if (isReleased()) return;
        deadline = NONE;
        flags |= RELEASED;
        if (owner != null) output.stateChanged(owner, TcpState.TIME_WAIT, TcpState.CLOSED, cause, now);
        else output.timeWaitStateChanged(this, TcpState.TIME_WAIT, TcpState.CLOSED, cause, now);
    }

    /** RFC 5961 §4.2 challenge ACK, within the limits of {@link AckLimiter}. */
    private void challengeAck(long now, TcpOutput output, TcpSegment scratch, Connection owner) {
        if (ackLimiter == null) ackLimiter = new AckLimiter(now);
        if (ackLimiter.allowChallenge(config, output, now)) sendAck(now, output, scratch, owner);
    }

    /**
     * The ACK to an old duplicate, at most one per {@link TcpConfig#invalidRateLimitNanos()} for
     * segments without payload (Linux's tcp_timewait_check_oow_rate_limit).
     */
    private void answerOldDuplicate(TcpSegment seg, long now, TcpOutput output, TcpSegment scratch, Connection owner) {
        if (AckLimiter.applies(seg, config)) {
            if (ackLimiter == null) ackLimiter = new AckLimiter(now);
            if (!ackLimiter.allowAnswer(config, RateLimited.TIME_WAIT_ACK, output, now)) return;
        }
        sendAck(now, output, scratch, owner);
    }

    /**
     * Our ACK: while attached, the connection's own (its window may still open as the user reads);
     * once detached, the same segment built here, {@code <SEQ=SND.MAX><ACK=RCV.NXT><CTL=ACK>} with
     * the frozen window and, when agreed, the timestamps (no SACK blocks: a connection detaches only
     * when it has none to report).
     */
    private void sendAck(long now, TcpOutput output, TcpSegment scratch, Connection owner) {
        if (owner != null) {
            owner.sendTimeWaitAck(now);
            return;
        }
        boolean timestamps = (flags & TIMESTAMPS_ON) != 0;
        SegmentWriter.writeSegmentHeader(scratch, localPort(), remotePort(), sndMax, TcpFlags.ACK, rcvNxt, window,
                timestamps, Connection.timestampClock(config, now), tsRecent);
        output.send(localAddress, remoteAddress, scratch, now);
    }

    @Override
    public String toString() {
        return "TimeWaitRecord[" + tuple() + " " + state() + "]";
    }
}
