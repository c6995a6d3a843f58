package dev.synack.tcp;

import dev.synack.wire.TcpOptions;

/**
 * RACK, the time-based loss detection of RFC 8985 §6, for one connection with SACK: a segment is
 * lost once a segment sent at least a reordering window after it has been delivered (cumulatively
 * or selectively acknowledged) and a round trip has passed since it was sent. The connection tells
 * it what it sends ({@link #sent}) and each ACK ({@link #startAck}, {@link #acknowledged},
 * {@link #sacked}, {@link #finishAck}), then asks which segments are lost ({@link #detectLoss}),
 * for how long the others must still wait (its reordering timer, §6.3), and which to retransmit.
 *
 * <p>State (RFC 8985 §5): RACK.segment's transmit time and end ({@link #xmitTs}, {@link #endSeq}),
 * RACK.rtt, RACK.fack and RACK.reordering_seen, RACK.min_RTT, and the reordering window's
 * multiplier, persistence and D-SACK round.
 */
final class Rack implements SentSegments.Deliveries {
    /** §6.2 step 4: a widened reordering window lasts 16 recoveries after the last D-SACK that widened it. */
    private static final int REO_WND_PERSIST = 16;
    /** The multiplier stops growing here, as Linux's reo_wnd_steps (one byte); SRTT bounds the window anyway. */
    private static final int MAX_REO_WND_MULT = 255;
    /**
     * §6.2 step 1 asks for a windowed minimum of the RTT samples, so that min_RTT can follow a move to
     * a longer path; the window is Linux's net.ipv4.tcp_min_rtt_wlen default, 300 s.
     */
    private static final long MIN_RTT_WINDOW_NANOS = 300_000_000_000L;

    private final TcpConfig config;
    /** Payload bytes per segment, for the records' packet counts. */
    private final int mss;
    /**
     * The records of what was sent, made at the first transmission: a connection that sends nothing
     * (an idle one) does without them, and until then every count is zero and nothing is lost.
     */
    private SentSegments segments;
    /** The records' loss hint while they do not exist yet: the cumulative ACKs move it all the same. */
    private int lostHintBeforeRecords;

    /** RACK.xmit_ts and RACK.end_seq: the most recently sent segment delivered so far (once {@link #anyDelivered}). */
    private boolean anyDelivered;
    private long xmitTs;
    private int endSeq;
    /** RACK.rtt: the round trip of that segment's delivery. */
    private long rtt;
    /** RACK.fack: the highest end of a delivered segment; RACK.reordering_seen. */
    private boolean fackSet;
    private int fack;
    private boolean reorderingSeen;
    /** RACK.min_RTT and when its sample was taken; negative before the first. */
    private long minRtt = -1;
    private long minRttAt;
    /** RACK.reo_wnd_mult, RACK.reo_wnd_persist, RACK.dsack_round (valid while {@link #dsackRoundSet}). */
    private int reoWndMult = 1;
    private int reoWndPersist;
    private boolean dsackRoundSet;
    private int dsackRound;

    // The ACK being taken in (§6.2 step 2 chooses among the segments it delivers).
    private long ackTime;
    private boolean ackEchoes;
    private int ackTsEcr;
    private boolean ackDelivered;
    private long ackNewestSent;
    private int ackNewestEnd;
    /**
     * RACK.rtt from this ACK, as Linux's tcp_rack_advance takes it: the round trip of the last
     * segment it delivered that counts, going through the SACKed ones and then the cumulatively
     * acknowledged ones, each in sequence order (RFC 8985 §6.2 step 2 would take the most recently
     * sent one; the two differ when a retransmission and older originals are delivered together).
     */
    private long ackRtt;
    /** {@link #ackRtt} came from a cumulatively acknowledged segment; {@link #acknowledged} is delivering. */
    private boolean ackRttCumulative;
    private boolean deliveringCumulatively;
    /** The segment {@link #findLost()} found. */
    private int lostId = SentSegments.NONE;

    /** For a connection sending segments of {@code mss} bytes of payload. */
    Rack(TcpConfig config, int mss) {
        this.config = config;
        this.mss = mss;
    }

    /**
     * [seq, end) went out at {@code now} (data and, when {@code fin}, our FIN as its last sequence
     * number); below {@code sndMax}, SND.MAX before it, it is a retransmission.
     */
    void sent(int seq, int end, boolean fin, int sndMax, long now) {
        if (segments == null) segments = new SentSegments(mss, lostHintBeforeRecords);
        segments.sent(seq, end, fin, sndMax, now);
    }

    /** §6.2 step 1: an RTT sample (RFC 6298 or RFC 7323) updates min_RTT, a minimum over a moving window. */
    void rttSample(long sample, long now) {
        if (minRtt < 0 || sample <= minRtt || now - minRttAt > MIN_RTT_WINDOW_NANOS) {
            minRtt = sample;
            minRttAt = now;
        }
    }

    // =====================================================================================
    // An ACK (§6.2 steps 2-4)
    // =====================================================================================

    /** An ACK arrives at {@code now}: its echoed timestamp (when timestamps are on) judges retransmissions it delivers. */
    void startAck(TcpOptions options, boolean timestamps, long now) {
        ackTime = now;
        ackEchoes = timestamps && options.hasTimestamps();
        ackTsEcr = ackEchoes ? options.tsEcr() : 0;
        ackDelivered = false;
        ackRttCumulative = false;
    }

    /** The cumulative ACK reached {@code ack}. Call before {@link #sacked}: deliveries go in ascending order. */
    void acknowledged(int ack) {
        if (segments == null) {
            lostHintBeforeRecords = SentSegments.lostHintAfter(lostHintBeforeRecords, ack);
            return;
        }
        deliveringCumulatively = true;
        segments.acknowledged(ack, this);
        deliveringCumulatively = false;
    }

    /** The scoreboard took in SACK blocks with news ({@link SackScoreboard#update} returned true). */
    void sacked(SackScoreboard scoreboard) {
        if (segments != null) segments.sacked(scoreboard, this);
    }

    /** A segment delivered for the first time by this ACK, in ascending sequence order: steps 2 and 3. */
    @Override
    public void delivered(long sentAt, int end, boolean retransmitted) {
        // Step 3: a never-retransmitted segment delivered below the highest one delivered came out of order.
        if (!fackSet || Seq.gt(end, fack)) {
            fack = end;
            fackSet = true;
        } else if (Seq.lt(end, fack) && !retransmitted) {
            reorderingSeen = true;
        }
        // Step 2: a retransmitted segment is ignored when the ACK may answer an earlier copy: its echoed
        // timestamp is older than the retransmission, or the retransmission is younger than min_RTT.
        if (retransmitted) {
            if (ackEchoes && Seq.lt(ackTsEcr, Connection.timestampClock(config, sentAt))) return;
            if (minRtt >= 0 && ackTime - sentAt < minRtt) return;
        }
        if (deliveringCumulatively || !ackRttCumulative) {
            ackRtt = ackTime - sentAt;
            ackRttCumulative = deliveringCumulatively;
        }
        if (!ackDelivered || sentAfter(sentAt, end, ackNewestSent, ackNewestEnd)) {
            ackDelivered = true;
            ackNewestSent = sentAt;
            ackNewestEnd = end;
        }
    }

    /**
     * The ACK is taken in ({@code dsack}: it carried a D-SACK block; SND.UNA and SND.MAX after it).
     * Step 2: RACK.rtt is the round trip of a segment it delivered ({@link #ackRtt}), and
     * RACK.segment moves to that one when it was sent later. Step 4: the D-SACK round. Returns true
     * when the ACK delivered a segment that counts, so that losses are worth looking for again.
     */
    boolean finishAck(boolean dsack, int sndUna, int sndMax) {
        if (dsackRoundSet && Seq.ge(sndUna, dsackRound)) dsackRoundSet = false;
        if (dsack && !dsackRoundSet && !config.rackStaticReorderingWindow()) {
            // One widening per round trip that sees D-SACKs; the widened window outlives 16 recoveries.
            dsackRoundSet = true;
            dsackRound = sndMax;
            reoWndMult = Math.min(reoWndMult + 1, MAX_REO_WND_MULT);
            reoWndPersist = REO_WND_PERSIST;
        }
        if (!ackDelivered) return false;
        rtt = ackRtt;
        if (!anyDelivered || sentAfter(ackNewestSent, ackNewestEnd, xmitTs, endSeq)) {
            anyDelivered = true;
            xmitTs = ackNewestSent;
            endSeq = ackNewestEnd;
        }
        return true;
    }

    /** §6.2 step 4: a fast recovery, or the recovery after a timeout, ended; 16 of them without D-SACK narrow the window again. */
    void recoveryEnded() {
        if (reoWndPersist > 0) reoWndPersist--;
        if (reoWndPersist == 0) reoWndMult = 1;
    }

    // =====================================================================================
    // Losses (§6.2 steps 4-5, §6.3)
    // =====================================================================================

    /**
     * §6.2 step 4, RACK.reo_wnd: min_RTT / 4 times the multiplier, at most SRTT. While no reordering
     * has been seen it is zero in a recovery ({@code recovering}: fast, or after a timeout) and, with
     * {@link TcpConfig#rackDupThresh()}, once {@code dupThresh} segments are SACKed, RACK's form of
     * the DupThresh rule (as Linux's tcp_rack_reo_wnd). Zero before any RTT sample.
     */
    long reorderingWindow(boolean recovering, int dupThresh, long srtt) {
        boolean dupThreshReached = config.rackDupThresh() && sackedPackets() >= dupThresh;
        if (!reorderingSeen && (recovering || dupThreshReached)) return 0;
        if (minRtt < 0) return 0;
        return Math.min(reoWndMult * (minRtt / 4), srtt);
    }

    /**
     * §6.2 step 5: every segment in flight sent before RACK.segment (by time, then by sequence) whose
     * RACK.rtt + {@code reoWnd} since its transmission has passed is lost. Returns how long the
     * latest of the others still has to wait (the reordering timer, §6.3), 0 when none waits.
     */
    long detectLoss(long now, long reoWnd) {
        if (!anyDelivered) return 0; // a delivery comes from a record: past here the records exist
        long timeout = 0;
        int id = segments.oldestInFlight();
        while (id != SentSegments.NONE) {
            int next = segments.sentNext(id);
            long sentAt = segments.sentAt(id);
            // The list is in transmission order: from the first one not sent before RACK.segment, none is.
            if (!sentAfter(xmitTs, endSeq, sentAt, segments.end(id))) break;
            long remaining = sentAt + rtt + reoWnd - now;
            if (remaining <= 0) segments.markLost(id);
            else timeout = Math.max(timeout, remaining);
            id = next;
        }
        return timeout;
    }

    /** Segments are deemed lost and not yet retransmitted. */
    boolean hasLost() {
        return segments != null && segments.hasLost();
    }

    /** The lowest segment deemed lost and not retransmitted since, or false when there is none; see {@link #lostStart()}. */
    boolean findLost() {
        lostId = segments == null ? SentSegments.NONE : segments.firstLost();
        return lostId != SentSegments.NONE;
    }

    /** The segment {@link #findLost()} found: its first sequence number and its end. */
    int lostStart() { return segments.start(lostId); }
    int lostEnd() { return segments.end(lostId); }

    /** RFC 6675's pipe with RACK's loss marks, for {@code flight} bytes outstanding. */
    long pipe(int flight) {
        return segments == null ? Math.max(0, flight) : segments.inNetwork(flight);
    }

    /** Linux's packet counts (tcp_info's tcpi_unacked, tcpi_sacked, tcpi_lost, tcpi_retrans); see {@link SentSegments}. */
    int packetsOut() { return segments == null ? 0 : segments.packetsOut(); }
    int sackedPackets() { return segments == null ? 0 : segments.sackedPackets(); }
    int lostPackets() { return segments == null ? 0 : segments.lostPackets(); }
    long lostMarks() { return segments == null ? 0 : segments.lostMarks(); }
    int retransOutPackets() { return segments == null ? 0 : segments.retransOutPackets(); }

    /** A retransmission timeout: every segment outstanding is lost and SACKs are forgotten (see {@link SentSegments#timedOut}). */
    void timedOut() {
        if (segments != null) segments.timedOut();
    }

    /** The connection sends no more: the per-segment arrays go once nothing is outstanding. */
    void releaseMemory() {
        if (segments != null) segments.releaseIfEmpty();
    }

    /** RACK_sent_after (§6.2): sent later, or at the same time and ending later. */
    private static boolean sentAfter(long t1, int seq1, long t2, int seq2) {
        return t1 > t2 || (t1 == t2 && Seq.gt(seq1, seq2));
    }
}
