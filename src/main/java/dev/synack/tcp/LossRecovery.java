package dev.synack.tcp;

import static dev.synack.tcp.Connection.NONE;

/**
 * Loss recovery.
 */
final class LossRecovery {
    private final Connection c;

    LossRecovery(Connection c) {
        this.c = c;
        this.scoreboard = new SackScoreboard(c.config.maxOutOfOrderRanges());
    }

    int dupAcks;
    /**
     * Without SACK, the segments duplicate ACKs say have left the network, as Linux counts them
     * (tcp_add_reno_sack, tcp_remove_reno_sacks): one per duplicate ACK, fewer than the segments
     * out; a cumulative ACK of n segments takes n - 1 of them back (one segment filled the hole).
     */
    int renoSacked;

    final SackScoreboard scoreboard;
    /** RACK's loss detection (RFC 8985 §6) when SACK was agreed and {@link TcpConfig#rack()}; null otherwise. */
    Rack rack;
    boolean inRecovery;
    /**
     * RFC 6675 RecoveryPoint / RFC 6582 "recover", as an exclusive end (SND.MAX when recovery began or
     * the timer last expired): a recovery ends when it is acknowledged, and no new one starts before.
     */
    int recoveryPoint;
    /** RFC 6675 HighRxt, exclusive: the end of the highest segment retransmitted in this recovery. */
    int highRxt;
    /** A partial ACK came in this NewReno recovery: later ones do not restart the timer (RFC 6582 §4). */
    boolean partialAckSeen;
    /** What a fast recovery may send per ACK, with {@link TcpConfig#proportionalRateReduction()}. */
    final ProportionalRateReduction prr = new ProportionalRateReduction();

    /**
     * Without SACK, a cumulative ACK of {@code newlyAcked} bytes takes back the duplicate ACKs
     * counted for all its segments but one (Linux's tcp_remove_reno_sacks); returns what of
     * {@code delivered} they did not already count.
     */
    int renoAcknowledged(int newlyAcked, int delivered) {
        int eaten = Math.min(renoSacked, Math.ceilDiv(newlyAcked, c.effectiveMss) - 1);
        if (eaten <= 0) return delivered;
        renoSacked -= eaten;
        return Math.max(0, delivered - eaten * c.effectiveMss);
    }

    /** RFC 6937's SACKed bytes: the scoreboard's, or without SACK what duplicate ACKs counted ({@link #renoSacked}). */
    long sackedBytes() {
        return c.sackOn ? scoreboard.sackedBelow(c.sndMax) : (long) renoSacked * c.effectiveMss;
    }

    /**
     * A duplicate ACK (RFC 5681 §2). Outside recovery the first DupThresh - 1 of them allow limited
     * transmit (RFC 3042, in {@link Sender#transmitPending}) and the DupThresh-th starts recovery (RFC 5681
     * §3.2, RFC 6582 §3.2 step 2, RFC 6675 §5 step 4), except under RACK, where only segments deemed
     * lost do (as Linux's tcp_time_to_recover: the count of duplicate ACKs is not looked at); inside
     * NewReno recovery each one inflates cwnd by one SMSS (RFC 6582 §3.2 step 4).
     */
    void duplicateAck(long now) {
        dupAcks++;
        if (!c.sackOn) {
            // Linux's tcp_limit_reno_sacked: at least the hole stays unaccounted for.
            int packetsOut = Math.ceilDiv(Seq.distance(c.sndUna, c.sndMax), c.effectiveMss);
            renoSacked = Math.max(0, Math.min(renoSacked + 1, packetsOut - 1));
        }
        if (inRecovery) {
            if (!c.sackOn && !reducesRate()) c.congestion.setCwnd(Sender.saturatedWindow((long) c.congestion.cwnd() + c.effectiveMss));
            return;
        }
        if (rack == null && dupAcks >= c.config.dupThresh() && canStartRecovery()) enterRecovery(now);
    }

    /**
     * RFC 8985 §6.2 for an ACK that SND.UNA and the scoreboard took in ({@code sackNews}: it SACKed
     * data for the first time; {@code dsack}: it carried a D-SACK block): what it delivered moves
     * RACK on, and then losses are looked for again.
     */
    void detectLossByTime(boolean sackNews, boolean dsack, long now) {
        if (sackNews) rack.sacked(scoreboard);
        if (rack.finishAck(dsack, c.sndUna, c.sndMax)) markLostSegments(now);
    }

    /**
     * RFC 8985 §6.2 step 5 and §6.3: RACK marks the segments it finds lost and the reordering timer
     * is armed for those that will be unless delivered soon: at the latest one's time, in whole timer
     * ticks plus TCP_TIMEOUT_MIN (as Linux's tcp_rack_mark_lost; {@link TcpConfig#timerTickNanos()}),
     * never beyond the RTO. The first loss starts a recovery: as Linux's tcp_time_to_recover,
     * segments deemed lost are the one reason to start it.
     */
    void markLostSegments(long now) {
        long reoWnd = rack.reorderingWindow(!canStartRecovery(), c.config.dupThresh(), c.rtt.srtt());
        long wait = rack.detectLoss(now, reoWnd);
        if (wait > 0) {
            c.reorderAt = now + Math.min(c.retransmitTimer.inTicks(wait) + c.retransmitTimer.timeoutMin(), c.rtt.rto());
            c.probeAt = NONE; // RFC 8985 §8: one timer at a time, the reordering timer before the probe's
        } else {
            c.reorderAt = NONE;
        }
        if (rack.hasLost() && !inRecovery && canStartRecovery()) enterRecovery(now);
    }

    /** RFC 8985 §6.3: the reordering timer expired: the segments it waited for are judged again, and the lost ones resent. */
    void reorderTimeout(long now) {
        if (rack == null || !c.canSendData()) return;
        boolean recovering = inRecovery;
        markLostSegments(now);
        // As Linux's tcp_rack_reo_timeout: a recovery the timer starts counts one segment delivered.
        if (inRecovery && !recovering && reducesRate()) reduceRate(c.effectiveMss, false);
        if (inRecovery) c.sender.transmitPending(now);
    }

    /** RFC 6582 §3.2 step 2 / RFC 6675 §5: no new recovery until the previous RecoveryPoint is acknowledged. */
    boolean canStartRecovery() {
        return Seq.ge(c.sndUna, recoveryPoint);
    }

    /**
     * Loss detected (RFC 5681 §3.2, RFC 6582 §3.2 step 2, RFC 6675 §5 step 4, RFC 8985 §6.2): remember
     * SND.MAX as the recovery point, let the congestion control lower ssthresh and cwnd, and retransmit
     * the segment at SND.UNA (under RACK, the first segment it deems lost). Without SACK cwnd is
     * inflated by the DupThresh segments that left the network (RFC 6582); with SACK the pipe estimate
     * replaces inflation (RFC 6675).
     */
    void enterRecovery(long now) {
        inRecovery = true;
        partialAckSeen = false;
        c.probeAt = NONE;
        c.tlp.probe.close(); // recovery takes over; its own reduction covers the probe's episode
        recoveryPoint = c.sndMax;
        highRxt = c.sndUna;
        int priorCwnd = c.congestion.cwnd();
        c.congestion.onCongestionEvent(Seq.distance(c.sndUna, c.sndMax), now);
        if (reducesRate()) {
            // Linux's tcp_init_cwnd_reduction: ssthresh is lowered, cwnd waits for this ACK's share
            // (reduceRate), which lets the fast retransmission go.
            prr.start(priorCwnd);
            c.congestion.setCwnd(priorCwnd);
            return;
        }
        if (rack != null) {
            retransmitLost(now); // the first segment RACK deems lost, whatever pipe says
        } else {
            highRxt = c.sender.retransmit(c.sndUna, c.sndMax, now);
        }
        if (!c.sackOn) c.congestion.setCwnd(Sender.saturatedWindow(c.congestion.ssthresh() + (long) c.config.dupThresh() * c.effectiveMss));
    }

    /** Proportional rate reduction paces this connection's fast recoveries, with SACK or without ({@link TcpConfig#proportionalRateReduction()}). */
    boolean reducesRate() {
        return c.config.proportionalRateReduction();
    }

    /**
     * An ACK in a recovery that delivered {@code delivered} bytes ({@code safeAck}: it advanced
     * SND.UNA and marked no new loss): cwnd becomes pipe plus what PRR lets go now (as Linux's
     * tcp_cwnd_reduction; an ACK that delivered nothing leaves cwnd as it is).
     */
    void reduceRate(long delivered, boolean safeAck) {
        long cwnd = prr.cwndAfterAck(delivered, pipe(), c.congestion.ssthresh(), c.effectiveMss, safeAck);
        if (cwnd >= 0) c.congestion.setCwnd(Sender.saturatedWindow(Math.max(cwnd, c.effectiveMss)));
    }

    /**
     * RFC 6675's pipe during a recovery: with RACK's loss marks, else with DupThresh's IsLost;
     * without SACK, as Linux estimates it: the flight less what duplicate ACKs counted and less the
     * segment at SND.UNA, deemed lost, until it is retransmitted (HighRxt beyond SND.UNA).
     */
    long pipe() {
        int flight = Seq.distance(c.sndUna, c.sndMax);
        if (!c.sackOn) {
            long lost = Seq.gt(highRxt, c.sndUna) ? 0 : Math.min(c.effectiveMss, flight);
            return Math.max(0, flight - (long) renoSacked * c.effectiveMss - lost);
        }
        return rack != null ? rack.pipe(flight) : scoreboard.pipe(c.sndUna, c.sndMax, highRxt, c.config.dupThresh(), c.effectiveMss);
    }

    /** RFC 6582 §3.2 step 5: a partial ACK retransmits the next hole and deflates cwnd by what it acknowledged. */
    void partialAck(int newlyAcked, long now) {
        partialAckSeen = true;
        if (reducesRate()) {
            // As Linux's tcp_newreno_mark_lost: the new segment at SND.UNA is lost; PRR sends it.
            highRxt = c.sndUna;
            return;
        }
        c.sender.retransmit(c.sndUna, c.sndMax, now);
        long deflated = (long) c.congestion.cwnd() - newlyAcked + (newlyAcked >= c.effectiveMss ? c.effectiveMss : 0);
        c.congestion.setCwnd(Sender.saturatedWindow(deflated));
    }

    /**
     * The recovery point is acknowledged. With SACK, or with PRR, which brought the flight down to
     * about ssthresh, cwnd = ssthresh (RFC 6675 §5; Linux's tcp_end_cwnd_reduction); without SACK
     * and PRR, cwnd = min(ssthresh, max(FlightSize, SMSS) + SMSS) (RFC 6582 §3.2 step 3, first
     * option, which avoids a burst after the inflated window).
     */
    void exitRecovery() {
        inRecovery = false;
        renoSacked = 0; // as Linux's tcp_reset_reno_sack
        int ssthresh = c.congestion.ssthresh();
        if (c.sackOn || reducesRate()) { // with PRR, as Linux's tcp_end_cwnd_reduction
            c.congestion.setCwnd(ssthresh);
        } else {
            int flight = Seq.distance(c.sndUna, c.sndMax);
            c.congestion.setCwnd(Math.min(ssthresh, Math.max(flight, c.effectiveMss) + c.effectiveMss));
        }
    }

    /**
     * Sending during SACK-based recovery (RFC 6675 §5 step C): while cwnd - pipe >= 1 SMSS, send what
     * NextSeg() names: a lost hole (rule 1), else new data (rule 2), else a hole below the highest
     * SACKed byte (rule 3). The rescue retransmission of rule 4 is not done. Under RACK, see
     * {@link #rackRecoveryTransmit}.
     */
    void sackRecoveryTransmit(long now) {
        if (rack != null) {
            rackRecoveryTransmit(now);
            return;
        }
        int dupThresh = c.config.dupThresh();
        while (true) {
            if (c.congestion.cwnd() - pipe() < c.effectiveMss) break;
            int holeEnd = scoreboard.nextHole(c.sndUna, highRxt, true, dupThresh, c.effectiveMss);
            if (Seq.lt(scoreboard.foundStart, holeEnd)) {
                if (!retransmitHole(scoreboard.foundStart, holeEnd, now)) break;
                continue;
            }
            if (c.sender.sendNewSegment(false, now)) continue;
            holeEnd = scoreboard.nextHole(c.sndUna, highRxt, false, dupThresh, c.effectiveMss);
            if (Seq.lt(scoreboard.foundStart, holeEnd)) {
                if (!retransmitHole(scoreboard.foundStart, holeEnd, now)) break;
                continue;
            }
            break;
        }
    }

    /**
     * Sending in a recovery under RACK (RFC 8985 leaves the sending to RFC 6675): while cwnd - pipe
     * >= 1 SMSS, where pipe counts what is neither SACKed nor deemed lost plus the retransmissions
     * out, retransmit the lowest segment RACK deems lost (NextSeg() rule 1 with RACK's marks), else
     * send new data (rule 2). As Linux, a hole RACK has not judged lost is not sent early (no rule 3):
     * RACK's reordering timer decides it. New segments sent in a row make a train, as in
     * {@link Sender#transmitNormally}: the last of two or more carries PSH.
     */
    void rackRecoveryTransmit(long now) {
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
    }

    /**
     * Sending in a NewReno recovery paced by PRR (as Linux's tcp_xmit_retransmit_queue without
     * SACK): while cwnd - pipe >= 1 SMSS, the segment at SND.UNA once per partial ACK (RFC 6582
     * §3.2 step 5), then new data.
     */
    void newRenoRecoveryTransmit(long now) {
        while (c.congestion.cwnd() - pipe() >= c.effectiveMss) {
            if (!Seq.gt(highRxt, c.sndUna)) {
                int end = c.sender.retransmit(c.sndUna, c.sndMax, now);
                if (!Seq.gt(end, c.sndUna)) break;
                highRxt = end;
            } else if (!c.sender.sendNewSegment(false, now)) {
                break;
            }
        }
    }

    /** Retransmits (one SMSS of) the lowest segment RACK deems lost; false when there is none or nothing went. */
    boolean retransmitLost(long now) {
        if (!rack.findLost()) return false;
        int start = rack.lostStart();
        return Seq.gt(c.sender.retransmit(start, rack.lostEnd(), now), start);
    }

    /** Retransmits from a hole and moves HighRxt past it; false when nothing could be sent (no progress). */
    boolean retransmitHole(int from, int holeEnd, long now) {
        int end = c.sender.retransmit(from, holeEnd, now);
        if (!Seq.gt(end, from)) return false;
        highRxt = Seq.max(highRxt, end);
        return true;
    }
}
