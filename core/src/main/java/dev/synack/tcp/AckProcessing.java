package dev.synack.tcp;

import static dev.synack.tcp.Connection.NONE;
import static dev.synack.tcp.ConnectionInfo.CHRONO_BUSY;

import dev.synack.wire.TcpFlags;
import dev.synack.wire.TcpOptions;
import dev.synack.wire.TcpSegment;

/**
 * The ACK field of an arriving segment (RFC 9293 §3.10.7.4 fifth, RFC 5961 §5.2): SND.UNA and the
 * send window advance, RTT samples are taken (RFC 6298 with Karn's rule, RFC 7323 §4.1), and the
 * congestion control and loss recovery hear of what was delivered.
 */
final class AckProcessing {
    private final Connection c;

    /** An RTT measurement runs (RFC 6298): on the segment at {@link #rttSeq}, sent at {@link #rttStart}. */
    boolean rttTiming;
    int rttSeq;
    long rttStart;
    /** The segment at SND.UNA was retransmitted, last at timestamp {@link #unaRetransmitTs}. */
    boolean unaRetransmitted;
    int unaRetransmitTs;

    AckProcessing(Connection c) {
        this.c = c;
    }

    /**
     * RFC 9293 §3.10.7.4 fifth. Returns false when the segment is to be dropped here (or the
     * connection ended).
     */
    boolean processAck(TcpSegment seg, long now) {
        int ack = seg.ack();
        if (c.state == TcpState.SYN_RECV) {
            if (!(Seq.gt(ack, c.sndUna) && Seq.le(ack, c.sndMax))) {
                SegmentWriter.sendReset(c, ack, now); // <SEQ=SEG.ACK><CTL=RST>
                c.dropped(seg, "SYN_RECV: unacceptable ACK", now);
                return false;
            }
            c.receiver.updateTsRecent(seg, now);
            boolean queuedAtSyn = FastOpen.leavePending(c); // a Fast Open child is in the accept queue already
            if (c.listener != null && !queuedAtSyn && !c.listener.childEstablished(c, now)) {
                // Linux: the accept queue is full; forget the ACK, the SYN-ACK timer will ask again.
                c.dropped(seg, "accept queue full: final ACK dropped", now);
                return false;
            }
            c.sender.updatePacingRate(); // as Linux's tcp_ack, before the SYN-ACK's RTT is measured (tcp_synack_rtt_meas)
            acknowledge(ack, seg, now);
            c.sndWnd = seg.window() << c.sndShift;
            c.maxSndWnd = Math.max(c.maxSndWnd, c.sndWnd);
            c.sndWl1 = seg.seq();
            c.sndWl2 = ack;
            c.setState(TcpState.ESTABLISHED, "rcvd ACK of SYN-ACK", now);
            return true;
        }

        if (Seq.gt(ack, c.sndMax)) {
            // RFC 9293 §3.10.7.4 would answer with an ACK; Linux (tcp_ack, ACK_UNSENT_DATA) discards
            // the segment silently, and so do we: only the too-old side gets a challenge ACK (RFC 5961 §5.2).
            c.dropped(seg, "ACK of unsent data", now);
            return false;
        }
        if (Seq.lt(ack, c.sndUna - c.maxSndWnd)) {
            c.receiver.challengeAck(now);
            c.dropped(seg, "ACK older than SND.UNA - MAX.SND.WND (RFC 5961 §5.2)", now);
            return false;
        }
        if (Seq.ge(ack, c.sndUna)) c.receiver.updateTsRecent(seg, now);

        int window = seg.window() << c.sndShift;
        TcpOptions opts = seg.options();
        // RFC 5681 §2 definition of a duplicate ACK
        boolean duplicate = ack == c.sndUna && c.sndMax != c.sndUna && seg.payloadLength() == 0
                && !seg.has(TcpFlags.FIN) && window == c.sndWnd && c.synAcked();
        boolean probeRepairedLoss = c.probe.processAck(ack, opts, duplicate);
        c.recovery.ackArriving(opts, ack, now);
        Ecn.ackArrived(c, seg, now); // before the window may grow on this ACK, as Linux's tcp_fastretrans_alert
        if (Seq.gt(ack, c.sndUna)) {
            acknowledge(ack, seg, probeRepairedLoss, now);
        } else if (duplicate) {
            c.recovery.duplicateAck(now);
        }
        c.recovery.ackProcessed(opts, ack, now);
        // RFC 9293 §3.10.7.4: if SND.UNA =< SEG.ACK, update the send window unless the segment is
        // older than the one that last updated it.
        if (Seq.ge(ack, c.sndUna) && (Seq.lt(c.sndWl1, seg.seq()) || (c.sndWl1 == seg.seq() && Seq.le(c.sndWl2, ack)))) {
            // A changed window with data waiting restarts a window idle since, as Linux's tcp_ack_update_window.
            if (window != c.sndWnd && Seq.distance(c.sndNxt, c.dataEnd()) > 0) c.sender.restartWindowAfterIdle(now);
            c.sndWnd = window;
            c.sndWl1 = seg.seq();
            c.sndWl2 = ack;
            c.maxSndWnd = Math.max(c.maxSndWnd, c.sndWnd);
        }
        c.sender.updatePacingRate();

        switch (c.state) {
            case CLOSING -> {
                if (c.finAcked()) {
                    Closing.enterTimeWait(c, "rcvd ACK of FIN", now);
                }
            }
            case LAST_ACK -> {
                if (c.finAcked()) {
                    Closing.enterClosed(c, "rcvd ACK of FIN", now);
                    return false;
                }
            }
            default -> { } // FIN_WAIT1 -> FIN_WAIT2 waits until the FIN bit was looked at (afterSegment)
        }
        return true;
    }

    /** SND.UNA advances to {@code ack} in the handshake (no data or probe outstanding yet). */
    void acknowledge(int ack, TcpSegment seg, long now) {
        acknowledge(ack, seg, false, now);
    }

    /**
     * SND.UNA advances to {@code ack}: free acknowledged data, take an RTT sample, manage the timer;
     * {@code probeRepairedLoss}: this ACK shows that a tail loss probe repaired a loss (RFC 8985 §7.4.2).
     */
    void acknowledge(int ack, TcpSegment seg, boolean probeRepairedLoss, long now) {
        boolean endsRecovery = !c.recovery.canStartRecovery() && Seq.ge(ack, c.recovery.recoveryPoint); // fast, or after a timeout
        // RTT sample, as Linux (tcp_ack_update_rtt): the timed segment's, when it was never
        // retransmitted (RFC 6298 with Karn); otherwise the echoed timestamp (RFC 7323 §4.1), but not
        // when the segment at SND.UNA was retransmitted after the echoed time: then the ACK answers a
        // duplicate the peer already held and echoes an old TS.Recent (§4.3), which would be a
        // sample as long as the whole loss episode and pin the RTO at its maximum.
        TcpOptions opts = seg.options();
        long sample = -1;
        if (rttTiming && Seq.gt(ack, rttSeq)) {
            sample = now - rttStart;
            rttTiming = false;
        } else if (c.timestampsOn && opts.hasTimestamps() && opts.tsEcr() != 0
                && (!unaRetransmitted || Seq.ge(opts.tsEcr(), unaRetransmitTs))) {
            sample = (long) (c.tsNow(now) - opts.tsEcr()) * c.config.timestampTickNanos();
            rttTiming = false;
        }
        if (sample >= 0) {
            c.rtt.sample(sample, ack, c.sndMax);
            c.recovery.rttSample(sample, now);
            if (c.congestion != null && !c.recovery.inRecovery) c.congestion.onRttSample(sample, ack, c.sndNxt);
        }
        unaRetransmitted = false;
        int dataEnd = c.dataEnd();
        int dataAcked = Seq.distance(c.sendBufferSeq, Seq.min(ack, dataEnd));
        if (dataAcked > 0) {
            c.sendBuffer.discard(dataAcked);
            c.sendBufferSeq += dataAcked;
        }
        int newlyAcked = Seq.distance(c.sndUna, ack);
        int deliveredNow = deliveredSinceSent(ack, dataAcked);
        deliveredNow = c.recovery.deliveredByCumulativeAck(newlyAcked, deliveredNow);
        c.sndUna = ack;
        c.synAcknowledged = true; // SND.UNA only ever moves past ISS here, and the SYN is the first thing it covers
        // Markers that lie behind SND.UNA follow it: sequence comparisons are only defined within 2^31
        // (RFC 9293 §3.4), so a marker left behind for 2 GiB would start to look ahead of SND.UNA.
        if (Seq.lt(c.sender.smallSegmentEnd, ack)) c.sender.smallSegmentEnd = ack;
        if (Seq.lt(c.sndNxt, ack)) c.sndNxt = ack;
        c.sender.acknowledged(ack);
        c.recovery.acknowledged(ack, endsRecovery);
        c.retries = 0;
        c.firstRetransmitAt = NONE; // the user timeout counts from the next first retransmission
        // RFC 6298 §5.2-5.3: stop the timer when all is acknowledged, else restart it (NewReno's
        // Impatient variant keeps it running in a recovery after the first partial ACK).
        boolean impatient = c.recovery.keepsTimer(ack);
        if (c.sndUna == c.sndMax) {
            c.timers.retransmitAt = NONE;
            c.info.chronoStop(CHRONO_BUSY, now); // Linux's tcp_clean_rtx_queue once nothing sent is outstanding
        } else if (!impatient || c.timers.retransmitAt == NONE) {
            c.timers.retransmitAt = now + c.rtt.rto();
        }
        if (c.congestion == null) return;
        if (c.recovery.inRecovery) {
            c.recovery.recoveryAck(ack, newlyAcked, now);
        } else if (c.recovery.inCwr) {
            c.recovery.cwrAck(ack); // the window does not grow while ECN's reduction lasts
        } else if (probeRepairedLoss) {
            c.congestion.onCongestionEvent(c.probe.flight(), now); // RFC 8985 §7.4.2: as for a fast recovery, with the flight probed
        } else if (c.sender.cwndLimited()) {
            c.congestion.onAck(deliveredNow, c.rtt.srtt(), now);
        }
        TailLossProbe.scheduleLossProbe(c, now);
    }

    /**
     * The bytes of {@code dataAcked} that the congestion window counts, as Linux counts delivered
     * segments: not those SACKed earlier (they were delivered then), and, after a timeout sent
     * SND.NXT back (go-back-N), not those beyond SND.NXT: the ACK leaps over data the peer had held
     * out of order since before the timeout, which says nothing of what the path carries now (RFC
     * 3465 §2.3) and, counted in slow start, would open cwnd to ssthresh in one ACK and send it as
     * one burst.
     */
    private int deliveredSinceSent(int ack, int dataAcked) {
        if (dataAcked <= 0) return 0;
        int end = Seq.min(ack, c.sndNxt);
        int sent = Seq.distance(c.sndUna, end) - c.recovery.sackedBelow(end);
        return Math.max(0, Math.min(dataAcked, sent));
    }
}
