package dev.synack.tcp;

import dev.synack.wire.TcpSegment;
import java.nio.ByteBuffer;

/**
 * The receive buffer: received in-order bytes waiting for the application, in two parts read in
 * this order:
 * <ol>
 *   <li><em>borrowed</em> bytes: ranges of a sending connection's send buffer in the same memory
 *       ({@link LentBytes}), taken over by reference rather than copied, as the kernel's
 *       loopback hands the sender's buffers to the receiving socket: the reader then copies each byte
 *       once, straight from the sender's array to the application;</li>
 *   <li>a {@link ByteRing} of copied bytes, which also holds out-of-order data in its free region
 *       until the gap before it fills.</li>
 * </ol>
 * Bytes are borrowed only while the ring is empty (and the caller has no out-of-order data), so
 * that every borrowed byte comes before every copied one: once a byte is copied, the following ones
 * are copied too until the reader has emptied the ring. Every count (size, free room, and so the
 * advertised window) includes the borrowed bytes exactly as if they had been copied: what the peer
 * sees on the wire does not depend on which path a segment took.
 *
 * <p>Each borrowed range keeps its lender pinned ({@link LentBytes#pin}) at the oldest byte
 * still unread, so that the sender never writes over it; the pin moves as the reader reads and is
 * released when the last byte of that lender is read or the queue is cleared. Nothing is allocated
 * per segment: contiguous ranges of one lender merge, and the table of ranges only grows.
 */
final class ReceiveQueue {
    private static final int INITIAL_RANGES = 4;
    private static final LentBytes[] NO_LENDERS = new LentBytes[0];
    private static final int[] NO_INTS = new int[0];

    private final ByteRing ring;

    /**
     * The borrowed ranges, a FIFO: lender, array index of the first unread byte, its sequence number,
     * bytes left. Empty until the first borrow: a connection that never meets a lender (a TUN or a
     * simulated link, an idle one) carries no table.
     */
    private LentBytes[] lenders = NO_LENDERS;
    private int[] index = NO_INTS;
    private int[] seq = NO_INTS;
    private int[] length = NO_INTS;
    private int first;
    private int ranges;
    /** Bytes in the borrowed ranges. */
    private int borrowed;
    /** Bytes ever borrowed (for tests: which path the data took). */
    private long borrowedTotal;

    ReceiveQueue(int capacity) {
        ring = new ByteRing(capacity);
    }

    int capacity() { return ring.capacity(); }
    int size() { return borrowed + ring.size(); }
    int free() { return ring.capacity() - size(); }
    boolean isEmpty() { return size() == 0; }

    /** True when a received segment may be borrowed rather than copied (nothing copied waits to be read). */
    boolean canBorrow() { return ring.isEmpty(); }

    /**
     * Takes {@code length} payload bytes of {@code seg} from its {@code from}-th on by reference: the
     * segment's payload lies in {@code lender}'s array (the sending engine said so through
     * {@link TcpSegment#markPayloadStable(Object)}). Only while {@link #canBorrow()}.
     */
    void borrow(LentBytes lender, TcpSegment seg, int from, int length) {
        if (!canBorrow()) throw new IllegalStateException("copied bytes wait to be read: borrowing now would reorder");
        if (length > free()) throw new IllegalArgumentException("receive buffer overflow: " + length + " > " + free());
        if (length == 0) return;
        borrowedTotal += length;
        int at = seg.payloadIndex() + from;
        int start = seg.seq() + from;
        if (ranges > 0) {
            int last = (first + ranges - 1) & (lenders.length - 1);
            if (lenders[last] == lender && index[last] + this.length[last] == at && seq[last] + this.length[last] == start) {
                this.length[last] += length; // the next bytes of the same array: one range
                borrowed += length;
                return;
            }
        }
        if (ranges == lenders.length) grow();
        int slot = (first + ranges) & (lenders.length - 1);
        lenders[slot] = lender;
        index[slot] = at;
        seq[slot] = start;
        this.length[slot] = length;
        ranges++;
        borrowed += length;
        if (!lender.isPinned()) lender.pin(start); // a lender pinned already is pinned lower, by an earlier range
    }

    /** Appends {@code length} payload bytes of {@code seg} (from its {@code from}-th on), copied. */
    void append(TcpSegment seg, int from, int length) {
        if (length > free()) throw new IllegalArgumentException("receive buffer overflow: " + length + " > " + free());
        ring.append(seg, from, length);
    }

    /** {@link ByteRing#writeAt} with {@code offset} counted from the oldest byte of the whole queue. */
    void writeAt(int offset, TcpSegment seg, int from, int length) {
        ring.writeAt(offset - borrowed, seg, from, length);
    }

    /** Takes in {@code n} bytes placed after the stored ones by {@link #writeAt}. */
    void extend(int n) {
        if (n > free()) throw new IllegalArgumentException("extend " + n + " with " + free() + " free");
        ring.extend(n);
    }

    void growTo(int newCapacity) { ring.growTo(newCapacity); }

    /** The ring's array length once it holds the bytes up to {@code end} after the oldest ({@link ByteRing#storageFor}). */
    int storageFor(int end, long maxStorage) { return ring.storageFor(end - borrowed, maxStorage); }

    /** Grows the ring's array to {@link #storageFor}{@code (end, maxStorage)}. */
    void reserve(int end, long maxStorage) { ring.reserve(end - borrowed, maxStorage); }

    /** Shrinks the ring's array to the queued bytes and those up to {@code end} (out-of-order data beyond is forgotten). */
    void shrinkTo(int end) { ring.shrinkTo(Math.max(0, end - borrowed)); }

    /** Moves up to {@code dst.remaining()} bytes into {@code dst}, borrowed ones first; returns the count. */
    int read(ByteBuffer dst) {
        int total = 0;
        while (ranges > 0 && dst.hasRemaining()) {
            int slot = first;
            LentBytes lender = lenders[slot];
            int n = Math.min(dst.remaining(), length[slot]);
            dst.put(lender.bytes, index[slot], n);
            total += n;
            borrowed -= n;
            index[slot] += n;
            seq[slot] += n;
            length[slot] -= n;
            if (length[slot] > 0) {
                lender.pin(seq[slot]);
                break;
            }
            lenders[slot] = null; // keep no array alive once read
            first = (first + 1) & (lenders.length - 1);
            ranges--;
            repin(lender);
        }
        return total + ring.read(dst);
    }

    /** Copies up to {@code dst.remaining()} bytes into {@code dst}, borrowed ones first, leaving them all queued (MSG_PEEK); returns the count. */
    int peek(ByteBuffer dst) {
        int total = 0;
        for (int i = 0, slot = first; i < ranges && dst.hasRemaining(); i++, slot = (slot + 1) & (lenders.length - 1)) {
            int n = Math.min(dst.remaining(), length[slot]);
            dst.put(lenders[slot].bytes, index[slot], n);
            total += n;
        }
        int stored = Math.min(dst.remaining(), ring.size());
        ring.copyTo(0, stored, dst);
        return total + stored;
    }

    /** Drops every byte (borrowed ones are given back to their lenders). */
    void clear() {
        unpinAll();
        ring.clear();
    }

    /** Gives the ring's array back to the garbage collector when nothing is stored. */
    void releaseIfEmpty() {
        if (borrowed == 0) ring.releaseIfEmpty();
    }

    /** Bytes ever borrowed rather than copied. */
    long borrowedTotal() { return borrowedTotal; }

    /** Bytes of memory this queue's own ring takes (borrowed bytes live in their lenders' arrays). */
    int storage() { return ring.storage(); }

    /**
     * Pins {@code lender} at its oldest range still queued, or releases it when none is. Ranges of
     * one lender need not be adjacent: a late segment sent from an older array of the sender's (a
     * delayed original, after a retransmission sent from the new one) can come between them.
     */
    private void repin(LentBytes lender) {
        for (int i = 0; i < ranges; i++) {
            int slot = (first + i) & (lenders.length - 1);
            if (lenders[slot] == lender) {
                lender.pin(seq[slot]);
                return;
            }
        }
        lender.unpin();
    }

    private void unpinAll() {
        for (int i = 0; i < ranges; i++) {
            int slot = (first + i) & (lenders.length - 1);
            lenders[slot].unpin();
            lenders[slot] = null;
        }
        first = 0;
        ranges = 0;
        borrowed = 0;
    }

    /** Twice the ranges (the first table: {@link #INITIAL_RANGES}), in order from the first. */
    private void grow() {
        int n = lenders.length;
        int grown = Math.max(INITIAL_RANGES, 2 * n);
        LentBytes[] l = new LentBytes[grown];
        int[] ix = new int[grown];
        int[] sq = new int[grown];
        int[] ln = new int[grown];
        for (int k = 0; k < ranges; k++) {
            int from = (first + k) & (n - 1);
            l[k] = lenders[from];
            ix[k] = index[from];
            sq[k] = seq[from];
            ln[k] = length[from];
        }
        lenders = l;
        index = ix;
        seq = sq;
        length = ln;
        first = 0;
    }
}
