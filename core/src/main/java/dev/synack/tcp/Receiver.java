package dev.synack.tcp;

import static dev.synack.tcp.Connection.NONE;

import dev.synack.wire.TcpFlags;
import dev.synack.wire.TcpSegment;
import java.nio.ByteBuffer;

/**
 * The receive side of segment arrival: the acceptability test (RFC 9293 §3.10.7.4 first), PAWS and
 * TS.Recent (RFC 7323 §4.3, §5), the segment text (seventh: in-order data, out-of-order data kept
 * in the receive ring's free region, {@link ReassemblyQueue}), D-SACK reports (RFC 2883 §4), what
 * memory lets in (Linux's tcp_data_queue), and when an ACK goes out (RFC 1122 §4.2.3.2, RFC 5681
 * §4.2, RFC 5961 challenge ACKs).
 *
 * <p>Choices where the RFCs leave room, as Linux: out-of-order segments are kept (their in-window
 * bytes, with a bounded table of ranges) and answered at once with a duplicate ACK carrying SACK
 * blocks when agreed; data or a SYN carried by a SYN-ACK is dropped (the peer retransmits it).
 * D-SACK blocks (RFC 2883) report data below RCV.NXT, and the part of a segment that repeats held
 * out-of-order data, first, before the SACK blocks. Delayed ACKs use {@link
 * TcpConfig#delayedAckMinNanos()} (Linux's initial 40 ms) as their timeout; an ACK goes out at once
 * when more than one full-sized segment is unacknowledged. Challenge ACKs (RFC 5961 §7) are limited
 * per connection, not host-wide as on Linux; with the ACKs to unacceptable segments they share
 * Linux's per-connection interval (tcp_invalid_ratelimit): see {@link AckLimiter}. After an
 * asynchronous error (reset, timeout, refusal) read() still returns the bytes already received, then
 * throws the error on every call.
 */
final class Receiver {
    /** Linux's TCP_PAWS_WINDOW: a timestamp one tick older than TS.Recent is still accepted. */
    private static final int PAWS_WINDOW_TICKS = 1;

    private final Connection c;
    /** Out-of-order ranges above RCV.NXT; their bytes wait in the receive ring's free region. */
    final ReassemblyQueue reassembly;
    /** A FIN that arrived out of order: it takes effect when RCV.NXT reaches {@link #outOfOrderFinSeq}. */
    private boolean outOfOrderFin;
    private int outOfOrderFinSeq;
    /** RFC 2883: a duplicate range to report as the first SACK block of the next segment. */
    boolean dsackPending;
    int dsackLeft;
    int dsackRight;

    private int quickAcksLeft;
    /** The limits on ACKs to unacceptable segments and challenge ACKs: created with the first one limited. */
    AckLimiter ackLimiter;
    /** The last segment's timestamp failed PAWS (see {@link #oldSegmentAckApplies}). */
    private boolean pawsRejected;

    Receiver(Connection c) {
        this.c = c;
        this.reassembly = new ReassemblyQueue(c.config.maxOutOfOrderRanges());
        this.quickAcksLeft = c.config.quickAcks();
    }

    /**
     * RFC 9293 §3.10.7.4 first and second: PAWS comes before the sequence number (RFC 7323 §5.3 R1:
     * an older timestamp marks an old duplicate); for a RST, RFC 5961 §3.2 replaces the
     * acceptability test (exactly RCV.NXT, in the window, or outside it); otherwise the four cases
     * of the acceptability test, and an unacceptable segment gets an ACK. Returns false when the
     * segment was dealt with here.
     */
    boolean sequenceAcceptable(TcpSegment seg, long now) {
        int rcvWnd = c.rcvWindow.receiveWindow();
        pawsRejected = false;
        if (pawsRejects(seg, now)) {
            pawsRejected = true;
            if (answerUnacceptable(seg, RateLimited.PAWS_ACK, now)) c.ackNow = true;
            c.dropped(seg, "PAWS: timestamp older than TS.Recent", now);
            return false;
        }
        if (seg.has(TcpFlags.RST)) {
            resetArrived(seg, rcvWnd, now);
            return false;
        }
        if (!acceptable(seg, rcvWnd)) {
            if (seg.has(TcpFlags.SYN)) {
                challengeAck(now); // RFC 5961 §4.2: a SYN, whatever its sequence number
            } else {
                if (answerUnacceptable(seg, RateLimited.OUT_OF_WINDOW_ACK, now)) c.ackNow = true;
                // RFC 2883 §4.1.1: a duplicate of what was already received is reported in a D-SACK
                // block; as Linux's tcp_send_dupack, a repeated FIN is part of it.
                if (Seq.lt(seg.seq(), c.rcvNxt)) reportDuplicate(seg.seq(), Seq.min(seg.seq() + seg.sequenceLength(), c.rcvNxt));
            }
            c.dropped(seg, "unacceptable sequence number", now);
            return false;
        }
        return true;
    }

    /**
     * RFC 9293 §3.10.7.4 second, as amended by RFC 5961 §3.2: a RST resets at exactly RCV.NXT, gets
     * a challenge ACK elsewhere in the window, or, without RFC 5961 ({@link TcpConfig#rstChallenge()}
     * off), resets anywhere in the window as RFC 793 had it.
     */
    private void resetArrived(TcpSegment seg, int rcvWnd, long now) {
        boolean inWindow = rcvWnd > 0 && Seq.inWindow(seg.seq(), c.rcvNxt, c.rcvNxt + rcvWnd);
        if (seg.seq() == c.rcvNxt || (inWindow && !c.config.rstChallenge())) {
            switch (c.state) {
                case SYN_RECV -> {
                    // A Fast Open child is a socket already (its data queued, accept()able): reset as one (Linux's tcp_reset).
                    if (FastOpen.child(c)) Closing.fail(c, TcpError.CONNECTION_RESET, "rcvd RST", now);
                    else if (c.passiveOpen) Closing.returnToListen(c, "rcvd RST (passive open)", now);
                    else Closing.fail(c, TcpError.CONNECTION_REFUSED, "rcvd RST (connection refused)", now);
                }
                // Linux (tcp_reset): EPIPE in CLOSE_WAIT, where the peer already said it sends no more.
                case CLOSE_WAIT -> Closing.fail(c, TcpError.OUTPUT_SHUTDOWN, "rcvd RST", now);
                default -> Closing.fail(c, TcpError.CONNECTION_RESET, "rcvd RST", now);
            }
        } else if (inWindow) {
            challengeAck(now);
            c.dropped(seg, "RST in window but not at RCV.NXT: challenge ACK (RFC 5961 §3.2)", now);
        } else {
            c.dropped(seg, "RST outside the window", now);
        }
    }

    /**
     * Whether the ACK field of {@code seg}, which the acceptability test refused, is still processed:
     * with {@link TcpConfig#oldSegmentAcksProcessed()}, when the whole segment lies before RCV.NXT
     * (an old duplicate, such as a FIN retransmitted with an ACK of ours), carries ACK, and neither
     * SYN nor RST (nor a PAWS-rejected timestamp, which marks it as truly old).
     */
    boolean oldSegmentAckApplies(TcpSegment seg) {
        return c.config.oldSegmentAcksProcessed() && seg.has(TcpFlags.ACK) && !seg.has(TcpFlags.SYN) && !seg.has(TcpFlags.RST)
                && Seq.le(seg.seq() + seg.sequenceLength(), c.rcvNxt) && !pawsRejected;
    }

    /** RFC 9293 §3.10.7.4 first: the four cases of the acceptability test. */
    private boolean acceptable(TcpSegment seg, int rcvWnd) {
        int seq = seg.seq();
        int len = seg.sequenceLength();
        if (len == 0) {
            return rcvWnd == 0 ? seq == c.rcvNxt : Seq.inWindow(seq, c.rcvNxt, c.rcvNxt + rcvWnd);
        }
        if (rcvWnd == 0) {
            // Linux takes a bare FIN at RCV.NXT even when the window is closed.
            return seq == c.rcvNxt && seg.payloadLength() == 0 && seg.has(TcpFlags.FIN);
        }
        return Seq.inWindow(seq, c.rcvNxt, c.rcvNxt + rcvWnd) || Seq.inWindow(seq + len - 1, c.rcvNxt, c.rcvNxt + rcvWnd);
    }

    /**
     * PAWS (RFC 7323 §5.3 R1) as Linux applies it (tcp_paws_discard): a segment whose TSval is older
     * than TS.Recent is an old duplicate, except by a single tick (TCP_PAWS_WINDOW), while TS.Recent
     * is valid (§5.5), and except a reordered pure duplicate ACK that changes nothing
     * (tcp_disordered_ack): at RCV.NXT, acknowledging SND.UNA, no window update, at most an RTO old.
     */
    private boolean pawsRejects(TcpSegment seg, long now) {
        if (!c.timestampsOn || !seg.options().hasTimestamps() || seg.has(TcpFlags.RST)) return false;
        int behind = c.tsRecent - seg.options().tsVal();
        if (behind <= PAWS_WINDOW_TICKS || !tsRecentValid(now)) return false;
        return !disorderedAck(seg, behind);
    }

    private boolean disorderedAck(TcpSegment seg, int ticksBehind) {
        if (!seg.has(TcpFlags.ACK) || seg.sequenceLength() != 0 || seg.seq() != c.rcvNxt || seg.ack() != c.sndUna) return false;
        int window = seg.window() << c.sndShift;
        boolean updatesWindow = Seq.gt(seg.seq(), c.sndWl1) || (seg.seq() == c.sndWl1 && window > c.sndWnd);
        return !updatesWindow && ticksBehind <= c.rtt.rto() / c.config.timestampTickNanos();
    }

    /** RFC 7323 §5.5: a TS.Recent older than the PAWS idle limit (24 days) is invalid; PAWS skips it. */
    private boolean tsRecentValid(long now) {
        return now - c.tsRecentAt <= c.config.pawsIdleLimitNanos();
    }

    /**
     * RFC 7323 §4.3: TS.Recent follows the segment that covers Last.ACK.sent, and only forward; after
     * an idle time longer than the PAWS limit (§5.5: 24 days) TS.Recent is no longer valid and the
     * next such segment's value is taken whatever it is. Only a segment that gets as far as the ACK
     * processing with an ACK in SND.UNA..SND.MAX counts, as in Linux's tcp_ack: a segment dropped
     * before (a SYN, no ACK, an ACK of unsent or too old data) leaves TS.Recent alone, so that a
     * forged or stray segment cannot move the value our ACKs echo; neither does an ACK below SND.UNA.
     */
    void updateTsRecent(TcpSegment seg, long now) {
        if (!c.timestampsOn || !seg.options().hasTimestamps()) return;
        int tsVal = seg.options().tsVal();
        if ((Seq.ge(tsVal, c.tsRecent) || !tsRecentValid(now)) && Seq.le(seg.seq(), c.lastAckSent)) {
            c.tsRecent = tsVal;
            c.tsRecentAt = now;
        }
    }

    /**
     * RECEIVE's answer (RFC 9293 §3.10.3): the count of in-order bytes copied into {@code dst}, 0
     * when none is available yet, -1 at end-of-stream.
     */
    int read(ByteBuffer dst, boolean peek) {
        if (discardsInput()) return -1;
        if (!c.receiveBuffer.isEmpty()) {
            if (peek) return c.receiveBuffer.peek(dst);
            int n = c.receiveBuffer.read(dst);
            if (c.finReceived || c.released) c.receiveBuffer.releaseIfEmpty(); // nothing more can arrive
            return n;
        }
        if (c.error != null) throw new TcpException(c.error);
        // As Linux's tcp_recvmsg: with nothing queued, a receive side shut by either end is end-of-file.
        if (c.finReceived || c.readShutdown) return -1;
        if (!c.opened) throw new TcpException(TcpError.NOT_CONNECTED);
        return 0;
    }

    /**
     * RFC 9293 §3.10.7.4 seventh: takes in-order text into the receive buffer. Returns true when the
     * segment's FIN (if any) is now in order and must be processed.
     */
    boolean processData(TcpSegment seg, long now) {
        boolean receiving = c.state == TcpState.ESTABLISHED || c.state == TcpState.FIN_WAIT1 || c.state == TcpState.FIN_WAIT2;
        if (!receiving) return false; // CLOSE_WAIT, CLOSING, LAST_ACK: the peer's FIN came already
        int seq = seg.seq();
        int len = seg.payloadLength();
        if (len > 0 && Ecn.dataArrived(c, seg)) c.ackNow = true;
        if (Seq.gt(seq, c.rcvNxt)) return outOfOrderArrived(seg, now);
        if (len == 0) return seg.has(TcpFlags.FIN);
        int skip = Seq.distance(seq, c.rcvNxt); // bytes already received
        int fresh = len - skip;
        if (skip > 0) reportDuplicate(seq, fresh > 0 ? c.rcvNxt : seq + len); // RFC 2883 §4.1.1
        if (fresh <= 0) {
            c.ackNow = true;
            return seg.has(TcpFlags.FIN) && fresh == 0;
        }
        if (nobodyWillRead()) {
            unreadableDataArrived(seg, now);
            return false;
        }
        int room = c.rcvWindow.receiveWindow();
        if (!discardsInput()) room = Math.min(room, c.receiveBuffer.free());
        int take = Math.min(fresh, room);
        if (take > 0 && !discardsInput() && !memoryForInOrder(seg, take)) {
            c.memory.countRcvQDrop();
            c.dropped(seg, "out of memory: " + take + " bytes dropped", now);
            return false; // the peer sends them again (its FIN with them)
        }
        if (take > 0) {
            if (!discardsInput()) {
                if (borrows(seg)) {
                    // A sender in the same memory lent its send buffer's bytes: keep a reference instead
                    // of a copy (the reader copies them once, as from a kernel loopback's buffers).
                    c.receiveBuffer.borrow((LentBytes) seg.payloadOwner(), seg, skip, take);
                } else {
                    c.receiveBuffer.reserve(c.receiveBuffer.size() + take, receiveStorageLimit());
                    c.receiveBuffer.append(seg, skip, take);
                }
            }
            boolean outOfOrderHeld = !reassembly.isEmpty();
            if (outOfOrderHeld) reportRepeatedOutOfOrder(c.rcvNxt + take);
            c.rcvNxt += take;
            c.info.lastDataReceivedAt = now;
            fillFromReassembly();
            scheduleAckForData(outOfOrderHeld, now);
        }
        if (take < fresh) {
            c.ackNow = true;
            c.dropped(seg, "beyond the receive window: " + (fresh - take) + " bytes dropped", now);
            return outOfOrderFinReached();
        }
        return seg.has(TcpFlags.FIN) || outOfOrderFinReached();
    }

    /**
     * A segment beyond RCV.NXT: its in-window bytes are kept in the receive ring's free region at their
     * offset from RCV.NXT (never beyond the window we advertised, so memory stays within what was
     * offered) and acknowledged at once with a duplicate ACK carrying SACK blocks (RFC 5681 §4.2,
     * RFC 2018 §4; RFC 9293 §3.10.7.4 seventh allows keeping such segments for later processing).
     */
    private boolean outOfOrderArrived(TcpSegment seg, long now) {
        c.ackNow = true;
        int seq = seg.seq();
        int len = seg.payloadLength();
        if (len == 0) {
            if (seg.has(TcpFlags.FIN)) {
                // A bare FIN beyond a hole waits for it (Linux tcp_data_queue_ofo keeps the flag).
                outOfOrderFin = true;
                outOfOrderFinSeq = seq;
            } else {
                c.dropped(seg, "out of order without data", now);
            }
            return false;
        }
        if (nobodyWillRead()) {
            unreadableDataArrived(seg, now);
            return false;
        }
        int offset = Seq.distance(c.rcvNxt, seq);
        int room = c.rcvWindow.receiveWindow();
        if (!discardsInput()) room = Math.min(room, c.receiveBuffer.free());
        int take = Math.min(len, room - offset);
        if (take <= 0) {
            c.dropped(seg, "out of order beyond the receive window", now);
            return false;
        }
        int end = seq + take;
        if (outOfOrderDuplicate(seq, end)) {
            c.dropped(seg, "duplicate of out-of-order data", now);
            return false;
        }
        if (!discardsInput() && !memoryForReceived(c.receiveBuffer.size() + offset + take, take, false)) {
            // As Linux's tcp_data_queue_ofo: no memory, no out-of-order queueing (TCPOFODrop).
            c.memory.countOfoDrop();
            c.dropped(seg, "out of memory: out-of-order segment dropped", now);
            return false;
        }
        if (!reassembly.add(seq, end)) {
            c.dropped(seg, "out of order: reassembly table full", now);
            return false;
        }
        if (!discardsInput()) {
            c.receiveBuffer.reserve(c.receiveBuffer.size() + offset + take, receiveStorageLimit());
            c.receiveBuffer.writeAt(c.receiveBuffer.size() + offset, seg, 0, take);
        }
        if (seg.has(TcpFlags.FIN) && take == len) {
            outOfOrderFin = true;
            outOfOrderFinSeq = end;
        }
        return false;
    }

    /**
     * Whether new data can never be read: after close(), and, with {@link ReadShutdownData#KEEP}, after
     * shutdown(READ) once our FIN is queued (FIN_WAIT1, FIN_WAIT2; the only receiving states where
     * it is). Linux's tcp_rcv_state_process tests exactly that: RCV_SHUTDOWN, which close() sets
     * too, in FIN_WAIT1/2. Without our FIN, shut-down input is still queued (KEEP) or dropped (DISCARD).
     */
    private boolean nobodyWillRead() {
        return c.userClosed || (c.readShutdown && c.finQueued && c.config.readShutdownData() == ReadShutdownData.KEEP);
    }

    /**
     * New data that can never be read: reset (RFC 1122 §4.2.2.13, RFC 2525 §2.17). As Linux
     * (tcp_rcv_state_process returning to tcp_v4_send_reset), the RST answers the offending segment:
     * {@code seq = SEG.ACK}, no ACK bit. A socket still open (only shut down) reports the reset, as
     * Linux's tcp_reset does (ECONNRESET).
     */
    private void unreadableDataArrived(TcpSegment seg, long now) {
        SegmentWriter.sendReset(c, seg.ack(), now);
        if (c.userClosed) {
            Closing.enterClosed(c, "data after close()", now);
        } else {
            Closing.fail(c, TcpError.CONNECTION_RESET, "data after shutdown(READ) and our FIN", now);
        }
    }

    /** shutdown(READ) with {@link ReadShutdownData#DISCARD}: received bytes are acknowledged and dropped. */
    boolean discardsInput() {
        return c.readShutdown && c.config.readShutdownData() == ReadShutdownData.DISCARD;
    }

    /**
     * Whether {@code bytes} of in-order data may be queued, as Linux's tcp_data_queue decides: always
     * while the receive queue is empty (sk_forced_mem_schedule: every connection makes progress);
     * else within the hard level, after pruning the out-of-order queue when that is what it takes
     * (tcp_try_rmem_schedule, tcp_prune_ofo_queue: data beyond a hole goes before data the reader
     * can have now). Pruning gives back the ring's free region the out-of-order data held.
     */
    private boolean memoryForInOrder(TcpSegment seg, int bytes) {
        int end = c.receiveBuffer.size() + bytes;
        if (c.receiveBuffer.isEmpty() || memoryForReceived(end, bytes, borrows(seg))) return true;
        if (reassembly.isEmpty()) {
            c.memory.countPrune(false);
            return false;
        }
        pruneOutOfOrder();
        c.receiveBuffer.shrinkTo(end);
        return memoryForReceived(end, bytes, borrows(seg));
    }

    /** True when the in-order bytes of {@code seg} are taken by reference rather than copied. */
    private boolean borrows(TcpSegment seg) {
        return seg.payloadOwner() instanceof LentBytes && reassembly.isEmpty() && c.receiveBuffer.canBorrow();
    }

    /**
     * Whether the stack's memory has room for {@code bytes} more received bytes ending {@code end}
     * bytes after the oldest unread one: for the bytes, or for the array the receive ring grows to
     * for them (within what the budget leaves it), whichever is more; borrowed bytes need no array.
     */
    private boolean memoryForReceived(int end, int bytes, boolean borrowed) {
        long storage = borrowed ? c.receiveBuffer.storage() : c.receiveBuffer.storageFor(end, receiveStorageLimit());
        long after = Math.max((long) c.receiveBuffer.size() + reassembly.bytes() + bytes, storage);
        return c.memory.allows(ConnectionMemory.unchargedMemory(c) + after - ConnectionMemory.receiveHeld(c));
    }

    /** The most the receive ring's array may grow to now: what it holds and the room the budget leaves. */
    private long receiveStorageLimit() {
        return c.memory.storageLimit(c.receiveBuffer.storage(), ConnectionMemory.unchargedMemory(c), 0);
    }

    /**
     * Forgets the out-of-order data (its bytes in the ring's free region are written over later).
     * SACK blocks no longer report it: RFC 2018 §8 lets a receiver discard SACKed data, and the
     * sender keeps it until it is cumulatively acknowledged (Linux's tcp_prune_ofo_queue resets the
     * SACK state likewise).
     */
    private void pruneOutOfOrder() {
        c.memory.countPrune(true);
        reassembly.clear();
        outOfOrderFin = false;
    }

    /** RCV.NXT advanced: take in the out-of-order data it now reaches (the bytes are in the ring already). */
    private void fillFromReassembly() {
        if (reassembly.isEmpty()) return;
        int next = reassembly.advance(c.rcvNxt);
        int gained = Seq.distance(c.rcvNxt, next);
        if (gained > 0) {
            if (!discardsInput()) c.receiveBuffer.extend(gained);
            c.rcvNxt = next;
        }
    }

    private boolean outOfOrderFinReached() {
        if (outOfOrderFin && c.rcvNxt == outOfOrderFinSeq) {
            outOfOrderFin = false;
            return true;
        }
        return false;
    }

    /**
     * RFC 2883 §4.1.2 for an out-of-order segment [seq, end), as Linux's tcp_data_queue_ofo reports
     * it. Wholly inside held data, it is a duplicate: its range goes first and the block holding it
     * second (RFC 2883 §4). Overlapping held data, the repeated part is reported: from its start to
     * the end of the range holding its start, joined with the held ranges it covers further on
     * while they touch (tcp_dsack_set, tcp_dsack_extend). One that starts exactly where held data
     * ends is appended to it (tcp_ooo_try_coalesce) and reports nothing. Returns true when the
     * segment brings nothing new.
     */
    private boolean outOfOrderDuplicate(int seq, int end) {
        int held = reassembly.indexContaining(seq);
        if (held >= 0) {
            int right = reassembly.right(held);
            if (Seq.le(end, right)) {
                reportDuplicate(seq, end);
                reassembly.reportAgain(held);
                return true;
            }
            if (Seq.gt(seq, reassembly.left(held))) reportDuplicate(seq, right);
            else extendDuplicate(seq, right);
        } else if (reassembly.endsAt(seq)) {
            return false;
        }
        for (int i = held + 1; i < reassembly.size() && Seq.lt(reassembly.left(i), end); i++) {
            if (Seq.gt(reassembly.left(i), seq)) extendDuplicate(reassembly.left(i), Seq.min(reassembly.right(i), end));
        }
        return false;
    }

    /**
     * RFC 2883 §4.1.2 for an in-order segment ending at {@code end} that repeats held out-of-order
     * bytes, as Linux's tcp_ofo_queue reports it: every held range starting below {@code end} was
     * received twice up to the nearer of its end and {@code end}; the first such part is reported,
     * joined with the next ones while they touch.
     */
    private void reportRepeatedOutOfOrder(int end) {
        for (int i = 0; i < reassembly.size() && Seq.lt(reassembly.left(i), end); i++) {
            extendDuplicate(reassembly.left(i), Seq.min(reassembly.right(i), end));
        }
    }

    /** RFC 2883: remember a duplicate range for the first SACK block of the next segment (Linux's tcp_dsack_set). */
    private void reportDuplicate(int left, int right) {
        if (!c.sackOn || !Seq.lt(left, right)) return;
        dsackPending = true;
        dsackLeft = left;
        dsackRight = right;
    }

    /** Linux's tcp_dsack_extend: joins a duplicate range to the pending one when they overlap or touch; starts one when none is pending. */
    private void extendDuplicate(int left, int right) {
        if (!dsackPending) {
            reportDuplicate(left, right);
        } else if (!Seq.gt(left, dsackRight) && !Seq.gt(dsackLeft, right)) {
            dsackLeft = Seq.min(dsackLeft, left);
            dsackRight = Seq.max(dsackRight, right);
        }
    }

    /**
     * RFC 1122 §4.2.3.2, RFC 9293 §3.8.6.3, RFC 5681 §4.2, with Linux's quick-ack start.
     * {@code outOfOrderHeld}: out-of-order data was held when the segment came.
     */
    private void scheduleAckForData(boolean outOfOrderHeld, long now) {
        if (outOfOrderHeld) {
            // The segment filled a hole, or holes remain: ACK at once so the sender learns at once
            // (RFC 5681 §4.2). Linux: ACK now when the out-of-order queue empties (tcp_data_queue),
            // and without delay while it is not empty (__tcp_ack_snd_check).
            c.ackNow = true;
        } else if (quickAcksLeft > 0) {
            quickAcksLeft--;
            c.ackNow = true;
        } else if (Seq.distance(c.lastAckSent, c.rcvNxt) > c.effectiveMss) {
            c.ackNow = true; // more than one full-sized segment unacknowledged: every second one is ACKed
        } else if (c.timers.delayedAckAt == NONE) {
            c.timers.delayedAckAt = now + c.config.delayedAckMinNanos();
        }
    }

    /** RFC 5961 §4.2 / §3.2 challenge ACK, within the limits of {@link AckLimiter}. */
    void challengeAck(long now) {
        if (ackLimiter == null) ackLimiter = new AckLimiter(now);
        if (ackLimiter.allowChallenge(c.config, c.output, now)) SegmentWriter.sendPlainAck(c, now);
    }

    /**
     * Whether to answer {@code seg}, which this connection does not accept, with an ACK now: at most
     * one such ACK per {@link TcpConfig#invalidRateLimitNanos()} (Linux's tcp_oow_rate_limited; see
     * {@link AckLimiter}). In SYN_RECV, counted as Linux's tcp_check_req counts it.
     */
    boolean answerUnacceptable(TcpSegment seg, RateLimited what, long now) {
        if (!AckLimiter.applies(seg, c.config)) return true;
        if (ackLimiter == null) ackLimiter = new AckLimiter(now);
        return ackLimiter.allowAnswer(c.config, c.state == TcpState.SYN_RECV ? RateLimited.SYN_RECV_ACK : what, c.output, now);
    }
}
