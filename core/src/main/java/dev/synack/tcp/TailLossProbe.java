package dev.synack.tcp;

import static dev.synack.tcp.Connection.NONE;

/**
 * The tail loss probe (RFC 8985 §7): when it is due (§7.2) and what it sends (§7.3); {@link
 * LossProbeEpisode} follows its answer (§7.4).
 *
 * <p>With SACK, a probe fires at min(2 SRTT (+ delayed-ACK allowance), RTO) and sends new data or the
 * last segment.
 */
final class TailLossProbe {
    private TailLossProbe() {}

    /**
     * RFC 8985 §7.2: with SACK and data outstanding, a loss probe is due PTO = 2 SRTT after the last
     * new data or ACK (in whole timer ticks, plus the worst-case delayed ACK when a single segment is
     * out, else TCP_TIMEOUT_MIN, as Linux's tcp_schedule_loss_probe; the initial RTO before any
     * sample), never after the retransmission timer. Off without {@link TcpConfig#tailLossProbes()}. Not in a recovery (fast, or after a timeout), while segments are SACKed
     * or RACK's reordering timer runs (those wait for the ACKs or the timer that is coming), nor while
     * an earlier probe's episode is open.
     */
    static void scheduleLossProbe(Connection c, long now) {
        if (!c.sackOn || !c.config.tailLossProbes() || !c.recovery.canStartRecovery() || c.recovery.hasSacked() || c.timers.reorderAt != NONE || c.probe.isOpen()
                || c.sndUna == c.sndMax || !c.canSendData()) {
            c.timers.probeAt = NONE;
            return;
        }
        long pto;
        if (c.rtt.hasSample()) {
            pto = RetransmissionTimer.inTicks(c, 2 * c.rtt.srtt());
            // One segment out: the peer may be delaying its ACK. More: a little slack, as Linux adds.
            pto += c.recovery.onePacketOut() ? c.config.delayedAckMaxNanos() : RetransmissionTimer.timeoutMin(c);
        } else {
            pto = c.config.initialRtoNanos();
        }
        // As Linux (tcp_schedule_loss_probe): when the timeout would come first, the probe takes its time.
        c.timers.probeAt = c.timers.retransmitAt == NONE ? now + pto : Math.min(now + pto, c.timers.retransmitAt);
    }

    /**
     * RFC 8985 §7.3: the probe timer fired: send one new segment if the windows allow, else retransmit
     * the last segment sent; then only the retransmission timer runs until the probe is answered.
     */
    static void lossProbe(Connection c, long now) {
        if (!c.canSendData() || c.recovery.inRecovery || c.sndUna == c.sndMax) return;
        int before = c.sndMax;
        int unsent = Seq.distance(c.sndNxt, c.dataEnd());
        int windowRoom = c.sndWnd - Seq.distance(c.sndUna, c.sndNxt); // the peer's window only, not cwnd (§7.3)
        int flight = Seq.distance(c.sndUna, c.sndMax);
        int start;
        boolean retransmission;
        if (unsent > 0 && c.sndNxt == c.sndMax && windowRoom > 0) {
            int len = Math.min(unsent, Math.min(c.effectiveMss, windowRoom));
            start = c.sndNxt;
            c.sender.sendData(c.sndNxt, len, c.finQueued && len == unsent, false, now);
            retransmission = false;
        } else {
            // The last segment, as it was sent (Linux retransmits the last skb of its queue,
            // tcp_send_loss_probe): a FIN sent on its own after the data goes alone again.
            start = Seq.max(c.sndUna, c.sender.lastSegmentStart);
            c.sender.retransmit(start, c.sndMax, now);
            retransmission = true;
        }
        if (retransmission || Seq.gt(c.sndMax, before)) c.probe.begin(start, c.sndMax, retransmission, flight);
        c.timers.probeAt = NONE;
        c.timers.retransmitAt = now + c.rtt.rto(); // §7.3: after the probe, the retransmission timer
    }
}
