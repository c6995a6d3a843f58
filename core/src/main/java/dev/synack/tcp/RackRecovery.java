package dev.synack.tcp;

import static dev.synack.tcp.Connection.NONE;

import dev.synack.wire.TcpOptions;

/**
 * Loss recovery with SACK under RACK (RFC 8985 §6, {@link Rack}), as Linux does by default: RACK
 * decides by time which segments are lost, and a recovery starts only when it deems one lost (as
 * Linux's tcp_time_to_recover: the count of duplicate ACKs is not looked at); the recovery then
 * resends them while cwnd - pipe allows (RFC 6675's pipe with RACK's marks). RACK's reordering
 * timer (§6.3) waits for segments that may only be reordered.
 */
final class RackRecovery extends SackRecovery {
    private final Rack rack;
    /** RACK's count of loss marks when the ACK being processed arrived. */
    private long lostMarksBefore;

    RackRecovery(Connection c) {
        super(c);
        this.rack = new Rack(c.config, c.effectiveMss);
    }

    @Override
    void ackArriving(TcpOptions opts, int ack, long now) {
        lostMarksBefore = rack.lostMarks();
        super.ackArriving(opts, ack, now);
        rack.startAck(opts, c.timestampsOn, now);
    }

    /** Only segments RACK deems lost start a recovery. */
    @Override
    void duplicateAck(long now) {
        dupAcks++;
    }

    @Override
    void acknowledged(int ack, boolean endsRecovery) {
        super.acknowledged(ack, endsRecovery);
        rack.acknowledged(ack);
        if (endsRecovery) rack.recoveryEnded();
    }

    /**
     * RFC 8985 §6.2 for an ACK that SND.UNA and the scoreboard took in: what it delivered (newly
     * SACKed data, a D-SACK block) moves RACK on, and then losses are looked for again.
     */
    @Override
    void detectLoss(TcpOptions opts, int ack, long now) {
        if (sackNews) rack.sacked(scoreboard);
        if (rack.finishAck(SackScoreboard.isDsack(opts, ack), c.sndUna, c.sndMax)) markLostSegments(now);
    }

    /**
     * RFC 8985 §6.2 step 5 and §6.3: RACK marks the segments it finds lost and the reordering timer
     * is armed for those that will be unless delivered soon: at the latest one's time, in whole timer
     * ticks plus TCP_TIMEOUT_MIN (as Linux's tcp_rack_mark_lost; {@link TcpConfig#timerTickNanos()}),
     * never beyond the RTO. The first loss starts a recovery: as Linux's tcp_time_to_recover,
     * segments deemed lost are the one reason to start it.
     */
    private void markLostSegments(long now) {
        long reoWnd = rack.reorderingWindow(!canStartRecovery(), c.config.dupThresh(), c.rtt.srtt());
        long wait = rack.detectLoss(now, reoWnd);
        if (wait > 0) {
            c.timers.reorderAt = now + Math.min(RetransmissionTimer.inTicks(c, wait) + RetransmissionTimer.timeoutMin(c), c.rtt.rto());
            c.timers.probeAt = NONE; // RFC 8985 §8: one timer at a time, the reordering timer before the probe's
        } else {
            c.timers.reorderAt = NONE;
        }
        if (rack.hasLost() && !inRecovery && canStartRecovery()) enterRecovery(now);
    }

    /** RFC 8985 §6.3: the reordering timer expired: the segments it waited for are judged again, and the lost ones resent. */
    @Override
    void reorderTimeout(long now) {
        if (!c.canSendData()) return;
        boolean recovering = inRecovery;
        markLostSegments(now);
        // As Linux's tcp_rack_reo_timeout: a recovery the timer starts counts one segment delivered.
        if (inRecovery && !recovering && reducesRate()) reduceRate(c.effectiveMss, false);
        if (inRecovery) c.sender.transmitPending(now);
    }

    @Override
    boolean newLossMarked(boolean unaAdvanced) {
        return rack.lostMarks() != lostMarksBefore;
    }

    /** RFC 6675's pipe with RACK's loss marks. */
    @Override
    long pipe() {
        return rack.pipe(Seq.distance(c.sndUna, c.sndMax));
    }

    /** The first segment RACK deems lost goes again, whatever pipe says. */
    @Override
    void fastRetransmit(long now) {
        retransmitLost(now);
    }

    /**
     * RFC 8985 leaves the sending to RFC 6675: while cwnd - pipe >= 1 SMSS, where pipe counts what
     * is neither SACKed nor deemed lost plus the retransmissions out, retransmit the lowest segment
     * RACK deems lost (NextSeg() rule 1 with RACK's marks), else send new data (rule 2). As Linux, a
     * hole RACK has not judged lost is not sent early (no rule 3): RACK's reordering timer decides
     * it. New segments sent in a row make a train, as in {@link Sender#transmitNormally}: the last
     * of two or more carries PSH.
     */
    @Override
    boolean transmitInRecovery(long now) {
        int trainSegments = 0;
        long room;
        while ((room = c.congestion.cwnd() - pipe()) >= c.effectiveMss) {
            if (retransmitLost(now)) {
                trainSegments = 0;
                continue;
            }
            boolean trainGoesOn = trainSegments + 1 < c.sender.trainLimit() && c.sender.newSegmentFollows(room);
            if (!c.sender.sendNewSegment(trainSegments > 0 && !trainGoesOn, now)) break;
            trainSegments = trainGoesOn ? trainSegments + 1 : 0;
        }
        return true;
    }

    /** Retransmits (one SMSS of) the lowest segment RACK deems lost; false when there is none or nothing went. */
    private boolean retransmitLost(long now) {
        if (!rack.findLost()) return false;
        int start = rack.lostStart();
        return Seq.gt(c.sender.retransmit(start, rack.lostEnd(), now), start);
    }

    @Override
    void timedOut() {
        super.timedOut();
        rack.timedOut();
    }

    @Override
    void sent(int seq, int end, boolean fin, long now) {
        if (Seq.gt(end, seq)) rack.sent(seq, end, fin, c.sndMax, now);
        super.sent(seq, end, fin, now);
    }

    @Override
    void rttSample(long nanos, long now) {
        rack.rttSample(nanos, now);
    }

    @Override
    boolean onePacketOut() {
        return rack.packetsOut() == 1;
    }

    @Override
    TcpInfo.Packets packets() {
        return new TcpInfo.Packets(rack.packetsOut(), rack.sackedPackets(), rack.lostPackets(), rack.retransOutPackets());
    }

    @Override
    void releaseMemory() {
        rack.releaseMemory();
    }
}
