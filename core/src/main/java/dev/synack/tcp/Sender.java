package dev.synack.tcp;

import static dev.synack.tcp.Connection.NONE;
import static dev.synack.tcp.ConnectionInfo.CHRONO_BUSY;

import dev.synack.wire.TcpFlags;
import java.nio.ByteBuffer;

/**
 * What leaves and when, outside loss recovery: the send window and sender SWS avoidance (RFC 9293
 * §3.8.6.2.1), Nagle's algorithm (RFC 896, §3.7.4) in Linux's form, limited transmit (RFC 3042),
 * PSH (§3.9.1), TCP_CORK, MSG_MORE and MSG_EOR, TCP_NOTSENT_LOWAT, trains sized as Linux's TSO
 * packets, cwnd validation (RFC 7661) and the restart after idle (RFC 5681 §4.1).
 *
 * <p>Nagle's algorithm is Linux's (Minshall's variant): a small segment waits only while an earlier
 * small segment is unacknowledged; close()/shutdown(WRITE) push the tail out. Records, corking and
 * idle restarts as Linux: a write with {@link WriteFlags#END_OF_RECORD} (MSG_EOR) ends a record no
 * segment crosses; TCP_CORK and {@link WriteFlags#MORE} (MSG_MORE, for its call) hold segments
 * shorter than the MSS; after an idle period longer than the RTO, cwnd restarts ({@link
 * TcpConfig#slowStartAfterIdle()}). PSH as Linux sets it: on the segment ending a write (and on its
 * retransmissions), on the last of the new segments Linux would send as one TSO packet, and on a
 * window probe with data. synack does not pace or use TSO; Linux's pacing rate only sizes those
 * trains. The congestion window is a {@link CongestionControl}: CUBIC (RFC 9438) or NewReno (RFC
 * 5681).
 */
final class Sender {
    /** Linux's largest TSO/GSO packet (GSO_LEGACY_MAX_SIZE): the longest train of segments sent together. */
    private static final int MAX_TRAIN_BYTES = 65536;
    /** Linux's TSO autosizing: a packet holds about 2^-10 s of data at the pacing rate (sk_pacing_shift)... */
    private static final int PACING_SHIFT = 10;
    /** ...plus 64 KiB halved for every 2^9 us of RTT (tcp_tso_rtt_log)... */
    private static final int TSO_RTT_LOG = 9;

    private final Connection c;
    /** TCP_NOTSENT_LOWAT as set on this connection; 0: the stack's default (net.ipv4.tcp_notsent_lowat). */
    long notsentLowatOption;
    /**
     * Whether cwnd is used, judged per round trip as Linux does (tcp_cwnd_validate): a send in the
     * round filled cwnd, the largest flight (SND.MAX - SND.UNA) sent in it, and the SND.MAX that
     * ends it. A send that fills cwnd, a larger flight, or the first send after SND.UNA passes the
     * end starts a new round.
     */
    private boolean roundCwndLimited;
    private int roundMaxFlight;
    int roundEnd;
    /** End of the last small (less than MSS) segment sent: Nagle holds a small one while this is unacknowledged. */
    int smallSegmentEnd;
    /** Where the segment that reached SND.MAX started: the tail loss probe sends that segment again. */
    int lastSegmentStart;
    /** Ends of unacknowledged segments sent with PSH, so that retransmissions keep the flag; made with the first. */
    private PushMarks pushMarks;
    /**
     * Whether the end of the data written so far carries a push mark: every write marks it but one
     * with MSG_MORE, which leaves the mark of earlier unsent data (Linux's tcp_push marks the tail
     * skb unless MSG_MORE; a write appended to an unsent skb keeps that skb's flags).
     */
    private boolean tailPushed = true;
    /** TCP_CORK: segments shorter than the MSS wait (Linux's TCP_NAGLE_CORK) until uncorked or the persist timer fires. */
    boolean corked;
    /** A write with MSG_MORE is sending: it holds its small segments as TCP_CORK does, for this call only. */
    private boolean writingMore;
    /** Setting TCP_NODELAY is sending: small segments go even while corked (Linux's TCP_NAGLE_PUSH). */
    private boolean pushingAll;
    /** When new data last left (Linux's lsndtime), for the restart after idle; NONE before any. */
    private long lastDataSentAt = NONE;
    /**
     * Linux's pacing rate (bytes per second) as of the last ACK, or MAX_VALUE before an RTT sample.
     * synack does not pace: the rate only sizes the trains of segments Linux would send as one
     * TSO/GSO packet, for their PSH flag ({@link #trainLimit}).
     */
    private long pacingRate = Long.MAX_VALUE;
    boolean noDelay;

    /** Where the newest block of unsent data written began (Linux's tail skb), for {@link #writeBelowLowWater}. */
    private int unsentBlockStart;

    Sender(Connection c) {
        this.c = c;
    }

    /**
     * SEND's work once the call is allowed (RFC 9293 §3.10.2): takes what the buffer and the
     * low-water mark let in, marks the write's end for PSH and records (MSG_EOR), and sends what
     * the windows allow, holding small segments for MSG_MORE. Returns the count taken.
     */
    int write(ByteBuffer src, int flags, long now) {
        boolean unsentBefore = Seq.distance(c.sndNxt, c.dataEnd()) > 0;
        int n = lowWaterMarkLimits() ? writeBelowLowWater(src, now) : bufferWrite(src);
        boolean more = (flags & WriteFlags.MORE) != 0;
        if (n > 0) {
            c.info.chronoStart(CHRONO_BUSY, now);
            restartWindowAfterIdle(now);
            tailPushed = !more || (tailPushed && unsentBefore);
            if ((flags & WriteFlags.END_OF_RECORD) != 0 && !src.hasRemaining()) c.sendBuffer.endRecord();
        }
        writingMore = more;
        try {
            transmitPending(now);
        } finally {
            writingMore = false;
        }
        return n;
    }

    /** TCP_NODELAY; turning it on sends what Nagle held back, even while corked (Linux's TCP_NAGLE_PUSH). */
    void setNoDelay(boolean on, long now) {
        noDelay = on;
        if (on) {
            pushingAll = true;
            try {
                transmitPending(now);
            } finally {
                pushingAll = false;
            }
        }
    }

    /**
     * Appends what the send buffer and the stack's memory let in (sk_stream_memory_free: over the
     * hard level a writer's arrays take no more than {@link MemoryBudget#MIN_SEND} in all).
     */
    private int bufferWrite(ByteBuffer src) {
        int room = c.sendSpace();
        if (room >= src.remaining()) return c.sendBuffer.write(src);
        int limit = src.limit();
        src.limit(src.position() + room);
        try {
            return c.sendBuffer.write(src);
        } finally {
            src.limit(limit);
        }
    }

    /** Sends what the windows, Nagle and the silly-window rules allow (RFC 9293 §3.8.6.2.1, §3.7.4). */
    void transmitPending(long now) {
        if (!c.canSendData()) return;
        if (!c.recovery.inRecovery || !c.recovery.transmitInRecovery(now)) transmitNormally(now);
        // The persist timer runs when data waits, nothing is in flight and so no ACK will come.
        if (Seq.distance(c.sndNxt, c.dataEnd()) > 0 && c.sndUna == c.sndMax) {
            if (c.timers.persistAt == NONE) {
                c.idleTimers.persistBackoff = 0;
                c.idleTimers.zeroWindowProbingSince = NONE;
                c.timers.persistAt = now + c.idleTimers.persistInterval();
            }
        } else {
            c.timers.persistAt = NONE;
        }
        c.info.updateRwndLimited(now);
    }

    /**
     * Sends segment after segment while {@link #sendableLength} allows. New segments that leave
     * together make a train, as Linux would send them in one TSO/GSO packet ({@link #trainLimit}),
     * and the last segment of a train of two or more carries PSH: Linux's __tcp_transmit_skb pushes
     * every packet of more than one segment, to end the receiver's GRO batch ("tcp: force a PSH flag
     * on TSO packets"). A lone segment is pushed only when it ends a write.
     */
    private void transmitNormally(long now) {
        int trainSegments = 0;
        int trainLimit = trainLimit();
        while (true) {
            skipSackedData();
            if (Seq.distance(c.sndNxt, c.dataEnd()) <= 0) {
                // The FIN follows the data; a bare FIN needs no window (Linux accepts one at a zero window).
                if (c.finQueued && c.sndNxt == c.finSeq) sendData(c.sndNxt, 0, true, false, now);
                break;
            }
            int len = withinPiece(c.sndNxt, sendableLength(c.sndNxt));
            if (len <= 0) break;
            int end = c.sndNxt + len;
            boolean fin = c.finQueued && end == c.dataEnd();
            // Retransmissions (going back after a timeout) leave one by one, as Linux's do here.
            boolean newData = Seq.ge(c.sndNxt, c.sndMax);
            trainSegments = newData ? trainSegments + 1 : 0;
            boolean trainGoesOn = newData && !fin && trainSegments < trainLimit && !endsRecord(end) && sendableLength(end) > 0;
            sendData(c.sndNxt, len, fin, trainSegments > 1 && !trainGoesOn, now);
            if (!trainGoesOn) trainSegments = 0;
        }
    }

    /** Going back after a timeout: what the peer SACKed since is not sent again (RFC 6675 §5.1). */
    private void skipSackedData() {
        if (Seq.lt(c.sndNxt, c.sndMax) && c.recovery.isSacked(c.sndNxt)) c.sndNxt = Seq.min(c.recovery.skipSacked(c.sndNxt), c.sndMax);
    }

    /**
     * The length of the data segment that may leave from {@code from} now (0: none), outside SACK
     * recovery: what the peer's window and cwnd leave (RFC 9293 §3.8.6.2.1, RFC 5681), at most one
     * SMSS, a small segment only when Nagle and the sender's SWS avoidance allow it.
     */
    private int sendableLength(int from) {
        int unsent = Seq.distance(from, c.dataEnd());
        if (unsent <= 0) return 0;
        // A segment never carries bytes of two records (MSG_EOR); one ending a record before the last
        // is not held back: Linux's Nagle and cork test only the last skb of the queue (tcp_write_xmit).
        int record = c.sendBuffer.recordRoom(Seq.distance(c.sendBufferSeq, from), unsent);
        int flight = Seq.distance(c.sndUna, from);
        // Limited transmit (RFC 3042 §2): each of the first DupThresh - 1 duplicate ACKs lets one
        // more new segment out, beyond cwnd but within the peer's window.
        int limitedTransmit = !c.recovery.inRecovery && c.recovery.dupAcks < c.config.dupThresh() && Seq.ge(from, c.sndMax) ? c.recovery.dupAcks * c.effectiveMss : 0;
        int usable = (int) (Math.min(c.sndWnd, (long) c.congestion.cwnd() + limitedTransmit) - flight);
        int len = Math.min(record, Math.min(c.effectiveMss, usable));
        if (len <= 0) return 0;
        if (len < c.effectiveMss) {
            // Nagle (RFC 896, RFC 9293 §3.7.4) in Linux's form (Minshall's variant): a small segment
            // waits while an earlier small segment is unacknowledged, unless TCP_NODELAY or the
            // connection is closing (Linux pushes the tail out with the FIN). TCP_CORK and MSG_MORE
            // hold it whatever is in flight (TCP_NAGLE_CORK), unless TCP_NODELAY is being set.
            boolean recordCut = len == record && record < unsent;
            boolean held = (corked || writingMore) && !pushingAll;
            boolean nagleAllows = recordCut || c.finQueued
                    || (!held && (noDelay || flight == 0 || !Seq.gt(smallSegmentEnd, c.sndUna)));
            boolean swsAllows = len == record || len >= c.maxSndWnd / 2; // sender SWS avoidance, §3.8.6.2.1
            if (!nagleAllows || !swsAllows) return 0;
        }
        return len;
    }

    /**
     * The most segments in a train, as Linux sizes a TSO/GSO packet: by tcp_tso_autosize (about a
     * millisecond of data at the pacing rate, plus 64 KiB halved per 512 us of RTT, at most 64 KiB,
     * at least {@link TcpConfig#minTsoSegments()}), not beyond half the largest window the peer
     * offered (tcp_bound_to_half_wnd in tcp_xmit_size_goal), nor beyond half of cwnd (tcp_cwnd_test
     * gives one packet at most half the window). The smoothed RTT stands for Linux's minimum RTT.
     */
    int trainLimit() {
        long bytes = pacingRate >> PACING_SHIFT;
        long rttShift = (c.rtt.srtt() / 1000) >> TSO_RTT_LOG;
        if (rttShift < Integer.SIZE) bytes += MAX_TRAIN_BYTES >> rttShift;
        int autosized = Math.max((int) (Math.min(bytes, MAX_TRAIN_BYTES) / c.effectiveMss), c.config.minTsoSegments());
        int halfCwnd = Math.max(1, c.congestion.cwnd() / c.effectiveMss / 2);
        return Math.min(Math.min(autosized, sizeGoalSegments()), halfCwnd);
    }

    /**
     * Linux's tcp_xmit_size_goal in segments: the largest TSO/GSO packet, bounded by half the largest
     * window the peer offered (tcp_bound_to_half_wnd); writes fill send-queue blocks of this size.
     */
    private int sizeGoalSegments() {
        int cutoff = c.maxSndWnd > c.config.defaultPeerMss() ? c.maxSndWnd / 2 : c.maxSndWnd;
        return Math.max(1, (cutoff > 0 ? Math.min(MAX_TRAIN_BYTES, cutoff) : MAX_TRAIN_BYTES) / c.effectiveMss);
    }

    /**
     * Linux's tcp_update_pacing_rate, which every ACK runs (tcp_cong_control): 200 % of the window
     * per smoothed RTT while cwnd is below half ssthresh, 120 % after (tcp_pacing_ss_ratio,
     * tcp_pacing_ca_ratio), of the larger of cwnd and the flight; unlimited before an RTT sample.
     */
    void updatePacingRate() {
        if (c.congestion == null || !c.rtt.hasSample() || c.rtt.srtt() <= 0) {
            pacingRate = Long.MAX_VALUE;
            return;
        }
        long window = Math.max(c.congestion.cwnd(), Seq.distance(c.sndUna, c.sndMax));
        int percent = c.congestion.cwnd() < c.congestion.ssthresh() / 2 ? 200 : 120;
        pacingRate = window * percent * 10_000_000L / c.rtt.srtt();
    }

    /** Whether, after one more full new segment, cwnd ({@code room} left now) and the peer's window let another full one go. */
    boolean newSegmentFollows(long room) {
        int next = c.sndNxt + c.effectiveMss;
        return room >= 2L * c.effectiveMss && Seq.distance(next, c.dataEnd()) > 0
                && c.sndWnd - Seq.distance(c.sndUna, next) >= c.effectiveMss;
    }

    /**
     * RFC 6675 NextSeg() rule 2: one segment of new data, if the peer's window has room, with PSH
     * when {@code push} (it ends a train). Returns false when none went.
     */
    boolean sendNewSegment(boolean push, long now) {
        if (Seq.lt(c.sndNxt, c.sndMax)) return false;
        int unsent = Seq.distance(c.sndNxt, c.dataEnd());
        if (unsent <= 0) {
            if (c.finQueued && c.sndNxt == c.finSeq) {
                sendData(c.sndNxt, 0, true, false, now);
                return true;
            }
            return false;
        }
        int room = c.sndWnd - Seq.distance(c.sndUna, c.sndNxt);
        int len = Math.min(unsent, Math.min(c.effectiveMss, room));
        if (len <= 0) return false;
        sendData(c.sndNxt, len, c.finQueued && len == unsent, push, now);
        return true;
    }

    /** Retransmits the segment at SND.UNA (timeout). */
    void retransmitFirst(long now) {
        retransmit(c.sndUna, c.sndMax, now);
    }

    /**
     * The one path every retransmission takes (timeout, fast retransmit, NewReno partial ACK, SACK
     * recovery), so RetransSegs counts each: one segment of at most SMSS from {@code seq}, not beyond
     * {@code limit}, with the FIN when it falls inside. Returns the end of what was sent.
     */
    int retransmit(int seq, int limit, long now) {
        int dataLimit = Seq.min(limit, c.dataEnd());
        int len = Math.max(0, Math.min(c.effectiveMss, Seq.distance(seq, dataLimit)));
        int end = seq + len;
        boolean fin = c.finQueued && end == c.finSeq && Seq.gt(limit, c.finSeq);
        if (len > 0 || fin) {
            if (seq == c.sndUna) {
                c.acks.unaRetransmitted = true;
                c.acks.unaRetransmitTs = c.tsNow(now);
            }
            return sendData(seq, len, fin, false, now);
        }
        return end;
    }

    /**
     * {@code len}, or less so that [seq, seq+len) ends where the send buffer's piece holding
     * {@code seq} ends, when the path carries payload windows ({@link TcpOutput#carriesPayloadWindows}):
     * the segment's payload is then a window into the buffer (attachPayload), which a receiver in
     * the same memory can take over without a copy, and not a copy that would make it copy every
     * later byte as well until its reader catches up (ReceiveQueue). One more segment per piece, as
     * Linux's segments end where its skbs do. Other paths copy the bytes anyway: a segment that
     * straddles two pieces goes whole, through a scratch copy.
     */
    private int withinPiece(int seq, int len) {
        int inPiece = c.sendBuffer.inOnePiece(Seq.distance(c.sendBufferSeq, seq), len);
        return inPiece < len && c.output.carriesPayloadWindows() ? inPiece : len;
    }

    /**
     * Emits the data segment [seq, seq+len) (plus FIN) from the send buffer, cut short where a piece
     * of the send buffer ends (the FIN then waits for the rest: {@link #withinPiece}). It carries PSH
     * when it ends a write ({@link #endsWrite}) or {@code push} asks for it. Returns the sequence
     * number after what it sent.
     */
    int sendData(int seq, int len, boolean fin, boolean push, long now) {
        if (len > 0) {
            int whole = len;
            len = c.sendBuffer.recordRoom(Seq.distance(c.sendBufferSeq, seq), withinPiece(seq, len));
            if (len < whole) fin = false;
        }
        int end = seq + len;
        int flags = TcpFlags.ACK;
        boolean endsWrite = endsWrite(seq, end);
        if (endsWrite) {
            if (pushMarks == null) pushMarks = new PushMarks();
            pushMarks.add(end);
        }
        if (len > 0 && (endsWrite || push)) flags |= TcpFlags.PSH;
        if (fin) flags |= TcpFlags.FIN;
        int segEnd = fin ? end + 1 : end;
        // A segment cut short where a piece of the send buffer ends is not small in Nagle's sense:
        // more data follows it at once.
        if (len > 0 && len < c.effectiveMss && !c.sendBuffer.startsPiece(Seq.distance(c.sendBufferSeq, end))) smallSegmentEnd = end;
        if (Seq.lt(seq, c.sndMax)) {
            c.acks.rttTiming = false; // Karn: no sample from a retransmitted segment
            c.info.totalRetrans++;
            c.info.bytesRetrans += len;
        } else if (!c.acks.rttTiming) {
            c.acks.rttTiming = true;
            c.acks.rttSeq = seq;
            c.acks.rttStart = now;
        }
        if (c.sndUna == c.sndMax || len > c.longestInFlight) c.longestInFlight = len;
        SegmentWriter.sendSegment(c, seq, flags, len, now);
        c.recovery.sent(seq, segEnd, fin, now);
        if (Seq.gt(segEnd, c.sndNxt)) c.sndNxt = segEnd;
        boolean newData = Seq.gt(segEnd, c.sndMax);
        if (newData) {
            c.sndMax = segEnd;
            lastSegmentStart = seq;
            lastDataSentAt = now;
        }
        noteCwndUse();
        if (c.timers.retransmitAt == NONE) c.timers.retransmitAt = now + c.rtt.rto();
        c.timers.persistAt = NONE;
        if (newData) TailLossProbe.scheduleLossProbe(c, now);
        return segEnd;
    }

    /**
     * Slow start after idle (RFC 5681 §4.1, {@link TcpConfig#slowStartAfterIdle()}), as Linux's
     * tcp_slow_start_after_idle_check and tcp_cwnd_restart: with nothing in flight and more than an
     * RTO since new data last left, cwnd is halved once per RTO of the pause, to no less than the
     * restart window min(initial window, cwnd). Linux checks when data is queued and when the
     * peer's window changes while data waits.
     */
    void restartWindowAfterIdle(long now) {
        if (!c.config.slowStartAfterIdle() || c.congestion == null || lastDataSentAt == NONE || c.sndUna != c.sndMax) return;
        long rto = c.rtt.rto();
        long idle = now - lastDataSentAt;
        if (idle <= rto) return;
        int cwndSegments = c.congestion.cwnd() / c.effectiveMss;
        int restart = Math.min(c.config.initialCwndSegments(), cwndSegments);
        while ((idle -= rto) > 0 && cwndSegments > restart) cwndSegments >>= 1;
        c.congestion.restartAfterIdle(Math.max(cwndSegments, restart) * c.effectiveMss);
    }

    /**
     * Whether [seq, end) carries the last byte of a write, which Linux marks with PSH (RFC 9293
     * §3.9.1; tcp_push marks the write's last skb). A segment sent now ends a write when it ends the
     * data written so far: a write whose end has not left yet when the next one comes has its end
     * joined to the next one (Linux appends to the unsent last skb and moves the mark). A
     * retransmission ends a write when it covers the end of a segment first sent as one.
     */
    private boolean endsWrite(int seq, int end) {
        if (end == seq) return false;
        return (end == c.dataEnd() && tailPushed) || endsRecord(end) || (Seq.lt(seq, c.sndMax) && pushMarks != null && pushMarks.within(seq, end));
    }

    /** SND.UNA reached {@code una}: the push marks at or below it are acknowledged. */
    void acknowledged(int una) {
        if (pushMarks != null) pushMarks.acknowledge(una);
    }

    /** True when a record (MSG_EOR) ends just before {@code seq}. */
    boolean endsRecord(int seq) {
        return c.sendBuffer.endsRecord(Seq.distance(c.sendBufferSeq, seq));
    }

    /**
     * Whether the flight used the congestion window, so that an ACK may grow it (RFC 7661 §4.1, RFC
     * 5681 §3.1's remark that cwnd should not grow when it is not used), as Linux's
     * tcp_is_cwnd_limited: a send in this round trip filled cwnd to within a segment, or, in slow
     * start, cwnd is below twice the round's largest flight. An application-limited sender keeps the
     * window it used.
     */
    boolean cwndLimited() {
        if (roundCwndLimited) return true;
        long cwnd = c.congestion.cwnd();
        return cwnd < c.congestion.ssthresh() && cwnd < 2L * roundMaxFlight;
    }

    /** After a send: the round trip's record of cwnd use (Linux tcp_cwnd_validate). */
    private void noteCwndUse() {
        if (c.congestion == null) return;
        int flight = Seq.distance(c.sndUna, c.sndMax);
        boolean filled = (long) flight + c.effectiveMss > c.congestion.cwnd();
        if (Seq.ge(c.sndUna, roundEnd) || filled || (!roundCwndLimited && flight > roundMaxFlight)) {
            roundCwndLimited = filled;
            roundMaxFlight = flight;
            roundEnd = c.sndMax;
        }
    }

    /** A window computed in long arithmetic, as an int: never below 0 nor past Integer.MAX_VALUE. */
    static int saturatedWindow(long bytes) {
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, bytes));
    }

    /** The low-water mark in force, as Linux's tcp_notsent_lowat(). */
    long notsentLowat() { return notsentLowatOption != 0 ? notsentLowatOption : c.config.notsentLowat(); }

    /**
     * Linux's tcp_stream_memory_free: unsent bytes, doubled when {@code wake} is 1 (for poll and
     * wake-ups, so that a writer is woken only once half the mark is free), stay below the mark.
     */
    boolean belowLowWater(int wake) {
        return ((long) c.unsentBytes() << wake) < notsentLowat();
    }

    /** A mark smaller than the send buffer can stop a write before the buffer fills. */
    private boolean lowWaterMarkLimits() {
        return notsentLowat() < c.sendBuffer.capacity() && c.state.isSynchronized() && c.effectiveMss > 0;
    }

    /**
     * A write under a low-water mark, cut as Linux's tcp_sendmsg_locked cuts it: data goes into
     * blocks of the TSO size goal ({@link #sizeGoalSegments}); the block being filled takes
     * bytes until it is full, but a new block starts only while the unsent bytes are below the
     * mark (sk_stream_memory_free). A full block is offered to the network at once (tcp_push_one),
     * so that what leaves no longer counts as unsent.
     */
    private int writeBelowLowWater(ByteBuffer src, long now) {
        int total = 0;
        int limit = src.limit();
        try {
            while (src.hasRemaining()) {
                int goal = sizeGoalSegments() * c.effectiveMss;
                int unsent = c.unsentBytes();
                int end = c.dataEnd();
                int blockStart = Seq.gt(unsentBlockStart, c.sndMax) && Seq.le(unsentBlockStart, end) ? unsentBlockStart : c.sndMax;
                int filled = unsent > 0 ? Seq.distance(blockStart, end) : goal;
                if (filled >= goal) {
                    if (!belowLowWater(0)) break;
                    unsentBlockStart = end;
                    filled = 0;
                }
                src.limit(src.position() + Math.min(src.remaining(), goal - filled));
                int n = bufferWrite(src);
                src.limit(limit);
                if (n == 0) break;
                total += n;
                if (filled + n == goal) transmitPending(now);
            }
        } finally {
            src.limit(limit);
        }
        return total;
    }
}
