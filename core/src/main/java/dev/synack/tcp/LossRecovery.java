package dev.synack.tcp;

import dev.synack.wire.TcpOptions;

/**
 * Fast recovery, the part every loss-recovery algorithm shares: one recovery at a time, from the
 * loss to its RecoveryPoint (RFC 6582 §3.2 step 2, RFC 6675 §5), the congestion response when it
 * starts (RFC 5681 §3.2), and with {@link TcpConfig#proportionalRateReduction()} (Linux) cwnd set
 * on each ACK by proportional rate reduction (RFC 9937, {@link ProportionalRateReduction}) instead
 * of cwnd = ssthresh or NewReno's inflation. How losses are found and what is resent is each
 * algorithm's, chosen once the handshake has said whether SACK is on ({@link #forConnection}):
 * {@link NewRenoRecovery} (RFC 6582) without SACK, {@link SackRecovery} (RFC 6675) with it, and
 * {@link RackRecovery} (RFC 8985 RACK, as Linux by default) with SACK and {@link TcpConfig#rack()}.
 * The ACK processing calls {@link #ackArriving}, then {@link #acknowledged} or {@link
 * #duplicateAck}, then {@link #ackProcessed} for every acceptable ACK.
 *
 * <p>Limited transmit (RFC 3042) lets the first two duplicate ACKs send new data ({@link
 * Sender#sendableLength}).
 */
abstract class LossRecovery {
    final Connection c;
    /** Duplicate ACKs in a row (RFC 5681 §2); the first DupThresh - 1 allow limited transmit (RFC 3042). */
    int dupAcks;
    boolean inRecovery;
    /**
     * RFC 6675 RecoveryPoint / RFC 6582 "recover", as an exclusive end (SND.MAX when recovery began or
     * the timer last expired): a recovery ends when it is acknowledged, and no new one starts before.
     */
    int recoveryPoint;
    /** RFC 6675 HighRxt, exclusive: the end of the highest segment retransmitted in this recovery. */
    int highRxt;
    /**
     * ECN's reduction (Linux's CWR state, {@link Ecn}): from an ECE until {@link #cwrPoint}, SND.MAX
     * when it began, is acknowledged; the window shrinks as in a fast recovery, without retransmitting.
     */
    boolean inCwr;
    int cwrPoint;
    /**
     * What a fast recovery may send per ACK, with {@link TcpConfig#proportionalRateReduction()}; made
     * at the first such recovery (a connection that never has one does without it).
     */
    private ProportionalRateReduction prr;
    /** SND.UNA and {@link #sackedBytes} when the ACK being processed arrived. */
    private int unaBefore;
    private long sackedBefore;

    LossRecovery(Connection c) {
        this.c = c;
    }

    /** The recovery for what the handshake agreed; {@code before} (whose sequence markers carry over) when it fits. */
    static LossRecovery forConnection(Connection c, LossRecovery before) {
        LossRecovery chosen = !c.sackOn ? before : c.config.rack() ? new RackRecovery(c) : new SackRecovery(c);
        chosen.recoveryPoint = before.recoveryPoint;
        chosen.highRxt = before.highRxt;
        return chosen;
    }

    /** An acceptable ACK arrives, before SND.UNA moves: its SACK information is taken in. */
    void ackArriving(TcpOptions opts, int ack, long now) {
        unaBefore = c.sndUna;
        sackedBefore = sackedBytes();
    }

    /**
     * A duplicate ACK (RFC 5681 §2). Outside recovery the first DupThresh - 1 of them allow limited
     * transmit (RFC 3042, in {@link Sender#sendableLength}) and, unless the algorithm says otherwise,
     * the DupThresh-th starts recovery (RFC 5681 §3.2, RFC 6582 §3.2 step 2, RFC 6675 §5 step 4).
     */
    void duplicateAck(long now) {
        dupAcks++;
        if (!inRecovery && dupAcks >= c.config.dupThresh() && canStartRecovery()) enterRecovery(now);
    }

    /** SND.UNA advanced to {@code ack} ({@code endsRecovery}: past the recovery point of a recovery in progress). */
    void acknowledged(int ack, boolean endsRecovery) {
        // Markers that lie behind SND.UNA follow it: sequence comparisons are only defined within 2^31
        // (RFC 9293 §3.4), so a marker left behind for 2 GiB would start to look ahead of SND.UNA.
        if (!inRecovery && Seq.lt(recoveryPoint, ack)) recoveryPoint = ack;
        if (Seq.lt(highRxt, ack)) highRxt = ack;
        dupAcks = 0;
    }

    /**
     * The ACK was taken in: losses it reveals may start a recovery, and in a recovery paced by PRR
     * cwnd follows what it delivered.
     */
    final void ackProcessed(TcpOptions opts, int ack, long now) {
        detectLoss(opts, ack, now);
        if ((inRecovery || inCwr) && reducesRate()) {
            boolean unaAdvanced = Seq.gt(c.sndUna, unaBefore);
            long delivered = (unaAdvanced ? Seq.distance(unaBefore, c.sndUna) : 0) + sackedBytes() - sackedBefore;
            reduceRate(delivered, unaAdvanced && !newLossMarked(unaAdvanced));
        }
    }

    /** Losses the ACK shows beyond the duplicate ACK count; none without SACK. */
    void detectLoss(TcpOptions opts, int ack, long now) { }

    /** Whether the ACK being processed marked a new loss ({@code unaAdvanced}: it moved SND.UNA). */
    abstract boolean newLossMarked(boolean unaAdvanced);

    /** RFC 6937's SACKed bytes: what the peer holds above SND.UNA, as far as this algorithm knows. */
    abstract long sackedBytes();

    /** RFC 6675's pipe during a recovery: the bytes this algorithm deems still in the network. */
    abstract long pipe();

    /**
     * What the congestion window counts of a cumulative ACK of {@code newlyAcked} bytes of which
     * {@code delivered} were sent and not SACKed before.
     */
    int deliveredByCumulativeAck(int newlyAcked, int delivered) {
        return delivered;
    }

    /** An ACK in a recovery: the recovery ends when it covers the recovery point; else a partial ACK. */
    void recoveryAck(int ack, int newlyAcked, long now) {
        if (Seq.ge(ack, recoveryPoint)) {
            exitRecovery();
        } else {
            partialAck(newlyAcked, now);
        }
    }

    /** An ACK in a recovery below its recovery point. */
    void partialAck(int newlyAcked, long now) { }

    /** Whether the retransmission timer keeps running on the ACK of {@code ack} instead of restarting (RFC 6298 §5.3). */
    boolean keepsTimer(int ack) {
        return false;
    }

    /** RFC 6582 §3.2 step 2 / RFC 6675 §5: no new recovery until the previous RecoveryPoint is acknowledged. */
    final boolean canStartRecovery() {
        return Seq.ge(c.sndUna, recoveryPoint);
    }

    /**
     * Loss detected (RFC 5681 §3.2, RFC 6582 §3.2 step 2, RFC 6675 §5 step 4, RFC 8985 §6.2): remember
     * SND.MAX as the recovery point, let the congestion control lower ssthresh and cwnd, and
     * retransmit the first lost segment ({@link #fastRetransmit}), or with PRR let this ACK's share
     * send it.
     */
    void enterRecovery(long now) {
        inRecovery = true;
        c.timers.probeAt = Connection.NONE;
        c.probe.close(); // recovery takes over; its own reduction covers the probe's episode
        recoveryPoint = c.sndMax;
        highRxt = c.sndUna;
        if (inCwr) {
            // Linux's tcp_enter_recovery inside a CWR state: the reduction under way goes on, no second one.
            inCwr = false;
            if (!reducesRate()) fastRetransmit(now);
            return;
        }
        Ecn.windowReduced(c);
        if (startReduction(now)) return;
        fastRetransmit(now);
    }

    /**
     * The congestion control lowers ssthresh for the flight; with PRR in the profile (Linux's
     * tcp_init_cwnd_reduction) cwnd then comes down over the next ACKs, this ACK's share included
     * (reduceRate), and true is returned; false leaves cwnd to the caller.
     */
    private boolean startReduction(long now) {
        int priorCwnd = c.congestion.cwnd();
        c.congestion.onCongestionEvent(Seq.distance(c.sndUna, c.sndMax), now);
        if (!reducesRate()) return false;
        if (prr == null) prr = new ProportionalRateReduction();
        prr.start(priorCwnd);
        c.congestion.setCwnd(priorCwnd);
        return true;
    }

    /**
     * An ACK with ECE asks for a reduction (RFC 3168 §6.1.2, Linux's tcp_enter_cwr): outside a
     * recovery and any reduction under way, the congestion control lowers ssthresh and cwnd comes
     * down to it, by PRR over the next ACKs when the profile has it (this ACK's share included), at
     * once otherwise. A reduction that this ACK ({@code ack}) ends makes room for the new one first.
     */
    final void enterCwr(int ack, long now) {
        cwrAck(ack);
        if (inRecovery || inCwr || !canStartRecovery()) return;
        inCwr = true;
        cwrPoint = c.sndMax;
        if (!startReduction(now)) c.congestion.setCwnd(c.congestion.ssthresh());
        Ecn.windowReduced(c);
    }

    /**
     * An ACK during ECN's reduction: it ends once data beyond SND.MAX at its start is acknowledged,
     * so that the CWR flag is known to have arrived (Linux's tcp_fastretrans_alert, then
     * tcp_end_cwnd_reduction).
     */
    final void cwrAck(int ack) {
        if (!inCwr || Seq.le(ack, cwrPoint)) return;
        inCwr = false;
        c.congestion.setCwnd(c.congestion.ssthresh());
    }

    /** The fast retransmission that starts a recovery without PRR. */
    abstract void fastRetransmit(long now);

    /** Proportional rate reduction paces this connection's fast recoveries, with SACK or without ({@link TcpConfig#proportionalRateReduction()}). */
    final boolean reducesRate() {
        return c.config.proportionalRateReduction();
    }

    /**
     * An ACK in a recovery that delivered {@code delivered} bytes ({@code safeAck}: it advanced
     * SND.UNA and marked no new loss): cwnd becomes pipe plus what PRR lets go now (as Linux's
     * tcp_cwnd_reduction; an ACK that delivered nothing leaves cwnd as it is).
     */
    final void reduceRate(long delivered, boolean safeAck) {
        // In ECN's reduction nothing is deemed lost: the pipe is what is outstanding and not SACKed.
        long pipe = inCwr ? Math.max(0, Seq.distance(c.sndUna, c.sndMax) - sackedBytes()) : pipe();
        long cwnd = prr.cwndAfterAck(delivered, pipe, c.congestion.ssthresh(), c.effectiveMss, safeAck);
        if (cwnd >= 0) c.congestion.setCwnd(Sender.saturatedWindow(Math.max(cwnd, c.effectiveMss)));
    }

    /**
     * The recovery point is acknowledged: with SACK, or with PRR, which brought the flight down to
     * about ssthresh, cwnd = ssthresh (RFC 6675 §5; Linux's tcp_end_cwnd_reduction).
     */
    void exitRecovery() {
        inRecovery = false;
        c.congestion.setCwnd(c.congestion.ssthresh());
    }

    /**
     * Sends what the recovery sends while it lasts; false when it leaves sending to the usual rules
     * ({@link Sender#transmitNormally}).
     */
    abstract boolean transmitInRecovery(long now);

    /**
     * The retransmission timer expired (RFC 6582 §3.2, RFC 6675 §5.1): it ends any recovery, and
     * none starts again before what was sent is acknowledged.
     */
    void timedOut() {
        dupAcks = 0;
        inRecovery = false;
        inCwr = false;
        Ecn.windowReduced(c);
        recoveryPoint = c.sndMax;
    }

    /** A segment [seq, end) (end past any FIN) was sent. */
    void sent(int seq, int end, boolean fin, long now) {
        if ((inRecovery || inCwr) && reducesRate()) prr.sent(end - seq);
    }

    /** An RTT sample of {@code nanos} was taken. */
    void rttSample(long nanos, long now) { }

    /** Whether [seq, ...) beyond SND.UNA is known to be held by the peer (SACKed). */
    boolean isSacked(int seq) {
        return false;
    }

    /** The first sequence number from {@code seq} on that is not SACKed. */
    int skipSacked(int seq) {
        return seq;
    }

    /** Bytes SACKed below {@code end}. */
    int sackedBelow(int end) {
        return 0;
    }

    /** Whether anything above SND.UNA is SACKed. */
    boolean hasSacked() {
        return false;
    }

    /** One packet is out (Linux's packets_out == 1): at most one SMSS here. */
    boolean onePacketOut() {
        return Seq.distance(c.sndUna, c.sndMax) <= c.effectiveMss;
    }

    /** RFC 8985 §6.3's reordering timer expired; only RACK arms it. */
    void reorderTimeout(long now) { }

    /** Linux's packet counts for TCP_INFO, which only RACK's per-segment records give; else null. */
    TcpInfo.Packets packets() {
        return null;
    }

    /** The connection sends no more data: per-segment records are let go. */
    void releaseMemory() { }
}
