package dev.synack.tcp;

/**
 * Loss recovery without SACK: NewReno (RFC 6582), in the Impatient variant of §4 as Linux runs it
 * (only the first partial ACK restarts the timer), with Linux's count of the segments duplicate
 * ACKs say have left the network (tcp_add_reno_sack) standing in for SACK information. Without PRR,
 * cwnd is inflated by one SMSS per duplicate ACK and deflated by partial ACKs (RFC 6582 §3.2).
 */
final class NewRenoRecovery extends LossRecovery {
    /**
     * The segments duplicate ACKs say have left the network, as Linux counts them
     * (tcp_add_reno_sack, tcp_remove_reno_sacks): one per duplicate ACK, fewer than the segments
     * out; a cumulative ACK of n segments takes n - 1 of them back (one segment filled the hole).
     */
    private int renoSacked;
    /** A partial ACK came in this recovery: later ones do not restart the timer (RFC 6582 §4). */
    private boolean partialAckSeen;

    NewRenoRecovery(Connection c) {
        super(c);
    }

    /** Inside a recovery each duplicate ACK inflates cwnd by one SMSS (RFC 6582 §3.2 step 4). */
    @Override
    void duplicateAck(long now) {
        // Linux's tcp_limit_reno_sacked: at least the hole stays unaccounted for.
        int packetsOut = Math.ceilDiv(Seq.distance(c.sndUna, c.sndMax), c.effectiveMss);
        renoSacked = Math.max(0, Math.min(renoSacked + 1, packetsOut - 1));
        boolean recovering = inRecovery;
        super.duplicateAck(now);
        if (recovering && !reducesRate()) c.congestion.setCwnd(Sender.saturatedWindow((long) c.congestion.cwnd() + c.effectiveMss));
    }

    /**
     * A cumulative ACK of {@code newlyAcked} bytes takes back the duplicate ACKs counted for all
     * its segments but one (Linux's tcp_remove_reno_sacks). Linux counts what they reported as
     * delivered then, not again now; RFC 3465 (the RFC profile, without PRR) counts every byte the
     * cumulative ACK covers.
     */
    @Override
    int deliveredByCumulativeAck(int newlyAcked, int delivered) {
        int notCountedYet = delivered;
        int eaten = Math.min(renoSacked, Math.ceilDiv(newlyAcked, c.effectiveMss) - 1);
        if (eaten > 0) {
            renoSacked -= eaten;
            notCountedYet = Math.max(0, delivered - eaten * c.effectiveMss);
        }
        if (!inRecovery) renoSacked = 0; // Linux's tcp_fastretrans_alert outside a recovery: the hole is filled
        return reducesRate() ? notCountedYet : delivered;
    }

    /** A partial ACK deems the new segment at SND.UNA lost (Linux's tcp_newreno_mark_lost). */
    @Override
    boolean newLossMarked(boolean unaAdvanced) {
        return unaAdvanced;
    }

    /** What duplicate ACKs counted ({@link #renoSacked}). */
    @Override
    long sackedBytes() {
        return (long) renoSacked * c.effectiveMss;
    }

    /**
     * As Linux estimates it: the flight less what duplicate ACKs counted and less the segment at
     * SND.UNA, deemed lost, until it is retransmitted (HighRxt beyond SND.UNA).
     */
    @Override
    long pipe() {
        int flight = Seq.distance(c.sndUna, c.sndMax);
        long lost = Seq.gt(highRxt, c.sndUna) ? 0 : Math.min(c.effectiveMss, flight);
        return Math.max(0, flight - (long) renoSacked * c.effectiveMss - lost);
    }

    @Override
    void enterRecovery(long now) {
        partialAckSeen = false;
        super.enterRecovery(now);
    }

    /**
     * The segment at SND.UNA goes again and cwnd is inflated by the DupThresh segments that left
     * the network (RFC 6582 §3.2 step 2-3).
     */
    @Override
    void fastRetransmit(long now) {
        highRxt = c.sender.retransmit(c.sndUna, c.sndMax, now);
        c.congestion.setCwnd(Sender.saturatedWindow(c.congestion.ssthresh() + (long) c.config.dupThresh() * c.effectiveMss));
    }

    /** RFC 6582 §3.2 step 5: a partial ACK retransmits the next hole and deflates cwnd by what it acknowledged. */
    @Override
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
     * RFC 6582 §4, the Impatient variant, as Linux: in a recovery only the first partial ACK
     * restarts the timer, so that a long recovery, one hole per round trip, is cut short by the
     * timeout and slow start.
     */
    @Override
    boolean keepsTimer(int ack) {
        return inRecovery && Seq.lt(ack, recoveryPoint) && partialAckSeen;
    }

    /**
     * Without PRR, cwnd = min(ssthresh, max(FlightSize, SMSS) + SMSS) (RFC 6582 §3.2 step 3, first
     * option, which avoids a burst after the inflated window); with PRR as with SACK.
     */
    @Override
    void exitRecovery() {
        renoSacked = 0; // as Linux's tcp_reset_reno_sack
        if (reducesRate()) {
            super.exitRecovery();
            return;
        }
        inRecovery = false;
        int flight = Seq.distance(c.sndUna, c.sndMax);
        c.congestion.setCwnd(Math.min(c.congestion.ssthresh(), Math.max(flight, c.effectiveMss) + c.effectiveMss));
    }

    /**
     * Paced by PRR (as Linux's tcp_xmit_retransmit_queue without SACK): while cwnd - pipe >= 1
     * SMSS, the segment at SND.UNA once per partial ACK (RFC 6582 §3.2 step 5), then new data.
     * Without PRR the inflated cwnd lets the usual rules send.
     */
    @Override
    boolean transmitInRecovery(long now) {
        if (!reducesRate()) return false;
        while (c.congestion.cwnd() - pipe() >= c.effectiveMss) {
            if (!Seq.gt(highRxt, c.sndUna)) {
                int end = c.sender.retransmit(c.sndUna, c.sndMax, now);
                if (!Seq.gt(end, c.sndUna)) break;
                highRxt = end;
            } else if (!c.sender.sendNewSegment(false, now)) {
                break;
            }
        }
        return true;
    }

    @Override
    void timedOut() {
        super.timedOut();
        renoSacked = 0;
    }
}
