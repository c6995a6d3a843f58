package dev.synack.tcp;

import java.util.Arrays;

/**
 * The segments sent and not yet cumulatively acknowledged, as RACK (RFC 8985) keeps them: each one's
 * sequence range, the time it was last sent (Segment.xmit_ts, §6.1) and its state (SACKed, deemed
 * lost, retransmitted). The records cover [SND.UNA, SND.MAX) without gaps, one per segment as it
 * was first sent; a retransmission that covers part of a record splits it.
 *
 * <p>Two orders over the same records, in arrays indexed by a record id so that nothing is
 * allocated per segment: sequence order (a ring of ids, searched by binary search), and the order of
 * last transmission, oldest first, over the records whose latest copy may still be in the network
 * (neither SACKed nor deemed lost): a doubly linked list, as Linux's tsorted list, so that loss
 * detection (§6.2 step 5) looks only at the segments it can judge and stops at the first one sent
 * after the most recently delivered.
 *
 * <p>Totals of each state are kept in bytes (for pipe) and in Linux's packets: a record counts as
 * its data length over the MSS, rounded up, at least one (a FIN alone is one), as Linux's
 * tcp_skb_pcount counts a TSO skb; so they are Linux's packets_out, sacked_out, lost_out and
 * retrans_out when the records are cut as Linux's skbs are (one per segment sent here).
 *
 * <p>Memory follows the flight: the arrays double while it grows and then stay (no allocation in
 * steady state). Past {@link #FOLD_THRESHOLD} records, a new segment that continues an untouched
 * newest record is folded into it, so a stream of tiny segments cannot make the table grow without
 * bound.
 */
final class SentSegments {
    static final int NONE = -1;
    /** Beyond this many records, new data continuing an untouched newest record extends it. */
    static final int FOLD_THRESHOLD = 8192;
    private static final int INITIAL_CAPACITY = 16;
    private static final int[] NO_INTS = new int[0];

    /** Every byte of it was SACKed. */
    private static final int SACKED = 1;
    /** It was SACKed at some point: a timeout forgets SACKs (RFC 2018 §8), but a delivery is news only once. */
    private static final int DELIVERED = 1 << 1;
    /** Deemed lost (by RACK or a timeout); stays until it is delivered, while a retransmission may be out. */
    private static final int LOST = 1 << 2;
    /** A retransmission is in the network and not deemed lost. */
    private static final int RETRANS_OUT = 1 << 3;
    /** Sent more than once: RFC 8985's Segment.retransmitted. */
    private static final int RETRANSMITTED = 1 << 4;

    /** The receiver of the segments an ACK delivers for the first time, in ascending sequence order. */
    interface Deliveries {
        void delivered(long sentAt, int end, boolean retransmitted);
    }

    // Record fields, by id.
    private int[] start = NO_INTS;
    private int[] end = NO_INTS;
    private long[] sentAt;
    private byte[] flags;
    /** Links of the transmission-order list (ids, or NONE). */
    private int[] newer;
    private int[] older;
    private int oldest = NONE;
    private int newest = NONE;

    /** Ids in sequence order: a ring of the arrays' capacity (a power of two). */
    private int[] bySeq = NO_INTS;
    private int head;
    private int count;
    private int[] freeIds = NO_INTS;
    private int freeCount;

    /** Payload bytes per packet, for the packet counts. */
    private final int mss;
    /** The sequence number after our FIN, once it was sent ({@link #finSent}). */
    private boolean finSent;
    private int finEnd;

    private long lostMarks;
    // Totals over the records, in bytes and packets, kept by tally.
    private int packetsOut;
    private long sackedBytes;
    private int sackedPackets;
    private long lostBytes;
    private int lostPackets;
    private long retransOutBytes;
    private int retransOutPackets;
    /** Bytes deemed lost whose retransmission has not gone out. */
    private long awaitingBytes;
    /** No record starting below this awaits retransmission. */
    private int lostHint;

    /** {@code lostHint}: the loss hint the cumulative ACKs before the first transmission left ({@link #lostHintAfter}). */
    SentSegments(int mss, int lostHint) {
        this.mss = mss;
        this.lostHint = lostHint;
    }

    /** The loss hint after a cumulative ACK of {@code ack}: no record below SND.UNA can await retransmission. */
    static int lostHintAfter(int lostHint, int ack) {
        return Seq.lt(lostHint, ack) ? ack : lostHint;
    }

    /** Linux's packets_out: the packets sent and not cumulatively acknowledged. */
    int packetsOut() { return packetsOut; }
    /** Linux's sacked_out: the packets SACKed. */
    int sackedPackets() { return sackedPackets; }
    /** Linux's lost_out: the packets deemed lost, retransmitted since or not. */
    int lostPackets() { return lostPackets; }
    /** Linux's retrans_out: the packets whose retransmission is in the network. */
    int retransOutPackets() { return retransOutPackets; }
    boolean hasLost() { return awaitingBytes > 0; }
    /** How many times a record was deemed lost by RACK, ever (Linux's tp->lost, by records): its growth shows an ACK's new losses. */
    long lostMarks() { return lostMarks; }
    boolean isEmpty() { return count == 0; }

    /**
     * RFC 6675's pipe with these marks, as Linux's tcp_packets_in_flight: of the {@code flight} bytes
     * outstanding, those neither SACKed nor deemed lost, plus the retransmissions in the network.
     */
    long inNetwork(int flight) {
        return Math.max(0, flight - sackedBytes - lostBytes + retransOutBytes);
    }

    // ---- transmissions ----

    /**
     * [seq, end) went out at {@code now} ({@code fin}: its last sequence number is our FIN); the part
     * below {@code sndMax} (SND.MAX before it) had been sent before.
     */
    void sent(int seq, int end, boolean fin, int sndMax, long now) {
        if (fin && !finSent) {
            finSent = true;
            finEnd = end;
        }
        if (Seq.lt(seq, sndMax)) resent(seq, Seq.min(end, sndMax), now);
        if (Seq.gt(end, sndMax)) appended(Seq.max(seq, sndMax), end, now);
    }

    private void appended(int seq, int to, long now) {
        if (count >= FOLD_THRESHOLD) {
            int last = idAt(count - 1);
            if (flags[last] == 0 && end[last] == seq) {
                int before = packets(last);
                end[last] = to;
                tally(0, Seq.distance(seq, to), packets(last) - before);
                sentAt[last] = now;
                unlink(last);
                linkNewest(last);
                return;
            }
        }
        int id = allocate();
        start[id] = seq;
        end[id] = to;
        sentAt[id] = now;
        flags[id] = 0;
        tally(0, Seq.distance(seq, to), packets(id));
        bySeq[(head + count) & (bySeq.length - 1)] = id;
        count++;
        linkNewest(id);
    }

    /** §6.1: a retransmission records its time and that it was retransmitted, and clears the loss mark's effect. */
    private void resent(int seq, int to, long now) {
        splitAt(seq);
        splitAt(to);
        for (int p = Math.max(0, positionOf(seq)); p < count; p++) {
            int id = idAt(p);
            if (!Seq.lt(start[id], to)) break;
            int f = flags[id];
            if (!Seq.gt(end[id], seq) || (f & SACKED) != 0) continue; // below it, or delivered: the copy changes nothing
            setFlags(id, f | RETRANSMITTED | RETRANS_OUT);
            sentAt[id] = now;
            unlink(id);
            linkNewest(id);
        }
    }

    // ---- acknowledgements ----

    /** The cumulative ACK reached {@code ack}: records below it go, each reported once if it was never SACKed. */
    void acknowledged(int ack, Deliveries deliveries) {
        while (count > 0) {
            int id = idAt(0);
            if (Seq.gt(end[id], ack)) {
                if (Seq.gt(ack, start[id])) { // a partial acknowledgement: the rest stays a record
                    int before = packets(id);
                    int bytes = Seq.distance(start[id], ack);
                    start[id] = ack;
                    tally(flags[id], -bytes, packets(id) - before);
                }
                break;
            }
            int f = flags[id];
            if ((f & DELIVERED) == 0) deliveries.delivered(sentAt[id], end[id], (f & RETRANSMITTED) != 0);
            tally(f, -length(id), -packets(id));
            if (inFlight(f)) unlink(id);
            head = (head + 1) & (bySeq.length - 1);
            count--;
            freeIds[freeCount++] = id;
        }
        lostHint = lostHintAfter(lostHint, ack);
    }

    /**
     * The scoreboard took in SACK blocks: the records it now covers whole are SACKed, which ends their
     * loss and retransmission marks (as Linux's tcp_sacktag_one); those never delivered before are
     * reported.
     */
    void sacked(SackScoreboard scoreboard, Deliveries deliveries) {
        int to = scoreboard.newlySackedRight();
        for (int p = Math.max(0, positionOf(scoreboard.newlySackedLeft())); p < count; p++) {
            int id = idAt(p);
            if (!Seq.lt(start[id], to)) break;
            int f = flags[id];
            if ((f & SACKED) != 0 || !scoreboard.covered(start[id], end[id])) continue;
            if ((f & DELIVERED) == 0) deliveries.delivered(sentAt[id], end[id], (f & RETRANSMITTED) != 0);
            setFlags(id, (f & RETRANSMITTED) | SACKED | DELIVERED);
        }
    }

    // ---- losses ----

    /** The record sent longest ago whose latest copy may still be in the network, or NONE. */
    int oldestInFlight() { return oldest; }
    /** The next record in transmission order after {@code id}, or NONE. */
    int sentNext(int id) { return newer[id]; }
    long sentAt(int id) { return sentAt[id]; }
    int start(int id) { return start[id]; }
    int end(int id) { return end[id]; }

    /** §6.2 step 5: record {@code id} (in flight) is deemed lost; it waits for its retransmission. */
    void markLost(int id) {
        lostMarks++;
        setFlags(id, (flags[id] & ~RETRANS_OUT) | LOST);
        if (Seq.lt(start[id], lostHint)) lostHint = start[id];
    }

    /**
     * A retransmission timeout: every record will be sent again (go-back-N) and the SACKs are
     * forgotten with the scoreboard (RFC 2018 §8), so all are deemed lost, as Linux's
     * tcp_timeout_mark_lost marks them.
     */
    void timedOut() {
        for (int p = 0; p < count; p++) {
            int id = idAt(p);
            setFlags(id, (flags[id] & (DELIVERED | RETRANSMITTED)) | LOST);
        }
        if (count > 0) lostHint = start[idAt(0)];
    }

    /** The lowest record deemed lost and not retransmitted since, or NONE. */
    int firstLost() {
        if (awaitingBytes == 0) return NONE;
        for (int p = Math.max(0, positionOf(lostHint)); p < count; p++) {
            int id = idAt(p);
            if (awaits(flags[id])) {
                lostHint = start[id];
                return id;
            }
        }
        return NONE;
    }

    /** Gives the arrays back when nothing is outstanding (the connection sends no more). */
    void releaseIfEmpty() {
        if (count != 0) return;
        start = end = bySeq = freeIds = NO_INTS;
        sentAt = null;
        flags = null;
        newer = older = null;
        head = freeCount = 0;
        oldest = newest = NONE;
    }

    // ---- state and totals ----

    private static boolean inFlight(int f) {
        return (f & SACKED) == 0 && ((f & LOST) == 0 || (f & RETRANS_OUT) != 0);
    }

    private static boolean awaits(int f) {
        return (f & (LOST | RETRANS_OUT)) == LOST;
    }

    /** Changes a record's state, keeping the totals and the transmission-order list in step. */
    private void setFlags(int id, int to) {
        int from = flags[id];
        if (from == to) return;
        long bytes = length(id);
        int packets = packets(id);
        tally(from, -bytes, -packets);
        tally(to, bytes, packets);
        flags[id] = (byte) to;
        if (inFlight(from) && !inFlight(to)) unlink(id);
        else if (!inFlight(from) && inFlight(to)) linkNewest(id);
    }

    /** Adds {@code bytes} and {@code packets} to the totals of state {@code f} (negative to take them away). */
    private void tally(int f, long bytes, int packets) {
        packetsOut += packets;
        if ((f & SACKED) != 0) {
            sackedBytes += bytes;
            sackedPackets += packets;
        }
        if ((f & LOST) != 0) {
            lostBytes += bytes;
            lostPackets += packets;
        }
        if ((f & RETRANS_OUT) != 0) {
            retransOutBytes += bytes;
            retransOutPackets += packets;
        }
        if (awaits(f)) awaitingBytes += bytes;
    }

    private long length(int id) {
        return Seq.distance(start[id], end[id]);
    }

    /** The record's packets, as Linux's tcp_skb_pcount: its data (the FIN aside) over the MSS, rounded up, at least 1. */
    private int packets(int id) {
        int data = Seq.distance(start[id], end[id]) - (finSent && end[id] == finEnd ? 1 : 0);
        return Math.max(1, (data + mss - 1) / mss);
    }

    // ---- sequence order ----

    private int idAt(int position) {
        return bySeq[(head + position) & (bySeq.length - 1)];
    }

    /** The position of the record holding {@code seq}: -1 below the first, the last one's above it. */
    private int positionOf(int seq) {
        if (count == 0) return -1;
        int base = start[idAt(0)];
        int target = Seq.distance(base, seq);
        if (target < 0) return -1;
        int lo = 0;
        int hi = count - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (Seq.distance(base, start[idAt(mid)]) <= target) lo = mid;
            else hi = mid - 1;
        }
        return lo;
    }

    /** Makes {@code seq} a record boundary when it falls inside one: the upper part becomes a record of its own. */
    private void splitAt(int seq) {
        int p = positionOf(seq);
        if (p < 0) return;
        int id = idAt(p);
        if (!Seq.gt(seq, start[id]) || !Seq.lt(seq, end[id])) return;
        int before = packets(id);
        int twin = allocate();
        start[twin] = seq;
        end[twin] = end[id];
        sentAt[twin] = sentAt[id];
        flags[twin] = flags[id];
        end[id] = seq;
        tally(flags[id], 0, packets(id) + packets(twin) - before);
        insertAt(p + 1, twin);
        if (inFlight(flags[id])) linkAfter(id, twin); // sent at the same time: next in transmission order
    }

    private void insertAt(int position, int id) {
        int mask = bySeq.length - 1;
        for (int i = count; i > position; i--) bySeq[(head + i) & mask] = bySeq[(head + i - 1) & mask];
        bySeq[(head + position) & mask] = id;
        count++;
    }

    // ---- transmission order ----

    private void linkNewest(int id) {
        older[id] = newest;
        newer[id] = NONE;
        if (newest != NONE) newer[newest] = id;
        else oldest = id;
        newest = id;
    }

    private void linkAfter(int before, int id) {
        int next = newer[before];
        older[id] = before;
        newer[id] = next;
        if (next != NONE) older[next] = id;
        else newest = id;
        newer[before] = id;
    }

    private void unlink(int id) {
        int prev = older[id];
        int next = newer[id];
        if (prev != NONE) newer[prev] = next;
        else oldest = next;
        if (next != NONE) older[next] = prev;
        else newest = prev;
        older[id] = newer[id] = NONE;
    }

    // ---- storage ----

    /** A free record id; the arrays double when none is left (the ring is laid out afresh from position 0). */
    private int allocate() {
        if (freeCount == 0) grow();
        return freeIds[--freeCount];
    }

    private void grow() {
        int capacity = start.length;
        int grown = capacity == 0 ? INITIAL_CAPACITY : 2 * capacity;
        start = Arrays.copyOf(start, grown);
        end = Arrays.copyOf(end, grown);
        sentAt = sentAt == null ? new long[grown] : Arrays.copyOf(sentAt, grown);
        flags = flags == null ? new byte[grown] : Arrays.copyOf(flags, grown);
        newer = newer == null ? new int[grown] : Arrays.copyOf(newer, grown);
        older = older == null ? new int[grown] : Arrays.copyOf(older, grown);
        int[] ring = new int[grown];
        for (int i = 0; i < count; i++) ring[i] = idAt(i);
        bySeq = ring;
        head = 0;
        freeIds = Arrays.copyOf(freeIds, grown);
        for (int id = grown - 1; id >= capacity; id--) freeIds[freeCount++] = id;
    }
}
