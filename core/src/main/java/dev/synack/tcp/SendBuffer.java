package dev.synack.tcp;

import dev.synack.wire.TcpSegment;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The send buffer: the bytes written and not yet acknowledged, oldest first, up to a capacity (the
 * send buffer size), kept in <em>pieces</em> ({@link LentBytes}), arrays that only fill up: a byte,
 * once written, stays where it is until its piece is given up. Outgoing segments are windows into
 * the pieces ({@link #windowInto}), which a receiver in the same memory may go on referring to after
 * the bytes are acknowledged (see {@link LentBytes}); a piece is written again only once no receiver
 * refers to it.
 *
 * <p>Memory follows the traffic. The first piece starts small ({@link ByteRing#INITIAL_STORAGE}) and
 * is replaced by one twice as large, the bytes moving along, whenever it is outgrown, until it
 * reaches the piece size (the capacity rounded up to a power of two, at most {@link #MAX_PIECE}):
 * a connection that moves a few bytes never zeroes a large array. From then on a full stream adds
 * piece after piece; a piece whose bytes are all acknowledged goes back to a small stock of spares
 * as soon as no receiver refers to it, and the next piece needed is the spare given back last.
 *
 * <p>Why pieces and not one ring: the array a writer copies into should be memory that was read a
 * moment ago, still in a cache, as the kernel's freed socket buffers are reused. A ring's next bytes
 * were last used a whole ring earlier, and a ring must hold the send buffer and what a receiver still
 * refers to, several megabytes on a fast stream: measured on the project's machine, copying into a
 * 16 MiB ring ran at a third of the speed of copying into a 4 MiB one. The spare handed out is the
 * piece the receiver finished last.
 *
 * <p>The buffer also keeps where records end (a write with MSG_EOR, {@link #endRecord}): Linux marks
 * the skb holding the end of such a write (TCP_SKB_CB(skb)->eor) and never puts later bytes into it,
 * when queueing new data, when joining segments for a retransmission or for a loss probe
 * (tcp_skb_can_collapse_to, tcp_skb_can_collapse). {@link #recordRoom} gives the sender that limit.
 */
final class SendBuffer {
    /** The largest piece: 1 MiB, so a 64 KiB segment seldom straddles two (those are copied). */
    static final int MAX_PIECE = 1 << 20;
    private static final LentBytes[] EMPTY = new LentBytes[0];
    private static final int[] NO_RECORDS = new int[0];

    private int capacity;
    /** The length of every piece once the buffer holds more than one: a power of two. */
    private final int pieceSize;
    private final int pieceShift;
    /** Spares kept at most: enough for this buffer and as much again held by a receiver. */
    private int maxSpares;

    /** The pieces holding the bytes, oldest first ({@link PieceQueue#NONE} until the first write: idle connections are many). */
    private PieceQueue pieces = PieceQueue.NONE;
    /** Index of the oldest byte in the first piece. */
    private int head;
    /** Index just after the newest byte in the last piece. */
    private int tail;
    private int size;
    /** Bytes written since the buffer was made, modulo 2^32: the position just after the newest byte. */
    private int written;

    /**
     * Where records end, oldest first: positions counted as {@link #written} counts, of the ends not
     * yet discarded; a ring whose length is a power of two, grown when full (an ended record is never
     * forgotten: a segment must not join two of them).
     */
    private int[] recordEnds = NO_RECORDS;
    private int recordHead;
    private int recordCount;

    /**
     * Pieces all of whose bytes are acknowledged but that a receiver still referred to when they
     * were, in the order the receiver reads them.
     */
    private PieceQueue retired = PieceQueue.NONE;
    /** Free pieces of {@link #pieceSize}, the one given back last on top. */
    private LentBytes[] spares = EMPTY;
    private int spareCount;

    SendBuffer(int capacity) {
        if (capacity <= 0) throw new IllegalArgumentException("capacity must be positive, was " + capacity);
        this.capacity = capacity;
        this.pieceSize = Math.min(MAX_PIECE, powerOfTwoAtLeast(capacity));
        this.pieceShift = Integer.numberOfTrailingZeros(pieceSize);
        this.maxSpares = sparesFor(capacity, pieceSize);
    }

    private static int sparesFor(int capacity, int pieceSize) {
        return 2 * (int) (((long) capacity + pieceSize - 1) / pieceSize) + 2;
    }

    /**
     * Changes the capacity (SO_SNDBUF). Bytes already held stay, even beyond a smaller capacity:
     * writes take no more until acknowledgements bring the size below it. The piece size stays
     * the one the first capacity chose.
     */
    void resize(int newCapacity) {
        if (newCapacity <= 0) throw new IllegalArgumentException("capacity must be positive, was " + newCapacity);
        capacity = newCapacity;
        maxSpares = sparesFor(newCapacity, pieceSize);
    }

    int size() { return size; }
    int free() { return Math.max(0, capacity - size); }
    int capacity() { return capacity; }
    boolean isEmpty() { return size == 0; }
    int pieceSize() { return pieceSize; }

    /**
     * How many bytes a write may take now with this buffer's arrays (pieces, retired ones, spares)
     * kept within {@code maxStorage} bytes: the free room, less what would need a piece the limit
     * leaves no room for. Bytes that fit in arrays already held cost nothing, even beyond the limit.
     * A write of at most that many bytes allocates no more ({@link #write} picks the same pieces).
     */
    int room(long maxStorage) {
        int free = free();
        if (free == 0 || maxStorage == Long.MAX_VALUE) return free;
        long extra = Math.max(0, maxStorage - storage());
        if (growth(free) <= extra) return free;
        int lo = 0; // growth(lo) <= extra
        int hi = free; // growth(hi) > extra
        while (hi - lo > 1) {
            int mid = (lo + hi) >>> 1;
            if (growth(mid) <= extra) lo = mid;
            else hi = mid;
        }
        return lo;
    }

    /**
     * The bytes of new arrays writing {@code n} more bytes would take: {@link #write} and
     * {@link #makeRoom} step by step, without allocating.
     */
    private long growth(int n) {
        int count = pieces.size();
        int lastLength = count == 0 ? 0 : pieces.last().length();
        int t = tail;
        int held = size;
        if (held == 0 && count == 1 && !pieces.first().isPinned()) t = 0;
        int reusable = spareCount + reusableRetired();
        long added = 0;
        int left = n;
        while (left > 0) {
            if (count == 0 || t == lastLength) {
                if (count == 0) {
                    int length = lengthFor(left);
                    if (length == pieceSize || spareCount > 0 || retired.size() > 0) {
                        length = pieceSize;
                        if (reusable > 0) reusable--;
                        else added += pieceSize;
                    } else {
                        added += length;
                    }
                    lastLength = length;
                    count = 1;
                    t = 0;
                } else if (count == 1 && lastLength < pieceSize) {
                    int larger = Math.max(2 * lastLength, lengthFor(held + left));
                    added += larger - lastLength;
                    lastLength = larger;
                    t = held;
                } else {
                    if (reusable > 0) reusable--;
                    else added += pieceSize;
                    count++;
                    lastLength = pieceSize;
                    t = 0;
                }
            }
            int c = Math.min(left, lastLength - t);
            t += c;
            held += c;
            left -= c;
        }
        return added;
    }

    /** Retired pieces {@link #takePiece} would turn into spares now: the ones before the first still pinned. */
    private int reusableRetired() {
        int k = 0;
        while (k < retired.size() && !retired.get(k).isPinned()) k++;
        return k;
    }

    /** Appends as many bytes of {@code src} as fit, advancing its position; returns the count. */
    int write(ByteBuffer src) {
        int n = Math.min(src.remaining(), free());
        if (n == 0) return 0;
        if (size == 0 && pieces.size() == 1) startOver();
        int at = src.position();
        int left = n;
        while (left > 0) {
            if (pieces.size() == 0 || tail == pieces.last().length()) makeRoom(left);
            LentBytes p = pieces.last();
            int c = Math.min(left, p.length() - tail);
            src.get(at, p.bytes, tail, c);
            at += c;
            tail += c;
            size += c;
            left -= c;
        }
        src.position(at);
        written += n;
        return n;
    }

    /**
     * The newest byte ends a record (MSG_EOR): no segment may carry it together with a byte written
     * later. Nothing happens when the buffer is empty or the newest byte already ends one.
     */
    void endRecord() {
        if (size == 0 || (recordCount > 0 && recordEnds[(recordHead + recordCount - 1) & (recordEnds.length - 1)] == written)) return;
        if (recordCount == recordEnds.length) {
            int[] larger = new int[Math.max(4, 2 * recordEnds.length)];
            for (int i = 0; i < recordCount; i++) larger[i] = recordEnds[(recordHead + i) & (recordEnds.length - 1)];
            recordEnds = larger;
            recordHead = 0;
        }
        recordEnds[(recordHead + recordCount) & (recordEnds.length - 1)] = written;
        recordCount++;
    }

    /**
     * How many of the {@code length} bytes from {@code offset} on belong to the record holding the
     * byte at {@code offset}: a segment starting there ends at most where that record ends.
     */
    int recordRoom(int offset, int length) {
        if (recordCount == 0) return length;
        int end = recordEndAfter(offset);
        return end < 0 ? length : Math.min(length, end - offset);
    }

    /** True when a record ends just before the byte {@code offset} after the oldest (a segment ending there may not go on). */
    boolean endsRecord(int offset) {
        return recordCount > 0 && offset > 0 && recordEndAfter(offset - 1) == offset;
    }

    /** The offset of the first record end beyond {@code offset}, or -1 when none: a binary search of the ends. */
    private int recordEndAfter(int offset) {
        int oldest = written - size;
        int mask = recordEnds.length - 1;
        int lo = 0;
        int hi = recordCount;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (recordEnds[(recordHead + mid) & mask] - oldest > offset) hi = mid;
            else lo = mid + 1;
        }
        return lo == recordCount ? -1 : recordEnds[(recordHead + lo) & mask] - oldest;
    }

    /** Drops the record ends at or before the oldest byte (their bytes are acknowledged). */
    private void forgetEndedRecords() {
        int oldest = written - size;
        while (recordCount > 0 && recordEnds[recordHead] - oldest <= 0) {
            recordHead = (recordHead + 1) & (recordEnds.length - 1);
            recordCount--;
        }
    }

    /**
     * Points {@code seg}'s payload at the {@code length} bytes starting {@code offset} bytes after the
     * oldest, in place, and returns their piece; null, leaving {@code seg} alone, when they straddle
     * two pieces. Valid while those bytes are in the buffer, and beyond (see the class comment).
     */
    LentBytes windowInto(TcpSegment seg, int offset, int length) {
        checkRange(offset, length);
        if (length == 0) return null;
        int pos = head + offset;
        LentBytes p = pieceAt(pos);
        int index = indexAt(pos);
        if (length > p.length() - index) return null;
        seg.payload(p.view, index, length);
        return p;
    }

    /**
     * How many of the {@code length} bytes from {@code offset} on lie in the piece holding the first
     * of them: a segment cut there stays a window ({@link #windowInto}).
     */
    int inOnePiece(int offset, int length) {
        checkRange(offset, length);
        if (pieces.size() <= 1) return length;
        return Math.min(length, pieceSize - ((head + offset) & (pieceSize - 1)));
    }

    /** True when the byte {@code offset} after the oldest starts a piece other than the first (a segment ending just before it was cut there). */
    boolean startsPiece(int offset) {
        return pieces.size() > 1 && offset > 0 && offset < size && ((head + offset) & (pieceSize - 1)) == 0;
    }

    /** Copies {@code length} bytes starting {@code offset} bytes after the oldest into {@code dst} without removing them. */
    void copyTo(int offset, int length, ByteBuffer dst) {
        checkRange(offset, length);
        int pos = head + offset;
        while (length > 0) {
            LentBytes p = pieceAt(pos);
            int index = indexAt(pos);
            int c = Math.min(length, p.length() - index);
            dst.put(p.bytes, index, c);
            pos += c;
            length -= c;
        }
    }

    /** Drops the {@code n} oldest bytes (acknowledged); pieces left without bytes are given up. */
    void discard(int n) {
        if (n < 0 || n > size) throw new IndexOutOfBoundsException("discard " + n + " of " + size);
        size -= n;
        head += n;
        if (recordCount > 0) forgetEndedRecords();
        while (pieces.size() > 1 && head >= pieces.first().length()) {
            head -= pieces.first().length();
            retire(pieces.removeFirst());
        }
    }

    /** Drops every byte (the connection was reset or aborted: they will never be sent). */
    void clear() {
        size = 0;
        recordCount = 0;
        while (pieces.size() > 0) retire(pieces.removeFirst());
        head = tail = 0;
    }

    /** Gives every piece back to the garbage collector when nothing is stored; pieces are taken again on demand. */
    void releaseIfEmpty() {
        if (size != 0) return;
        pieces = retired = PieceQueue.NONE;
        spares = EMPTY;
        head = tail = spareCount = 0;
    }

    /** Bytes of memory this buffer holds on to: its pieces, retired ones and spares. */
    long storage() {
        long total = pieces.storage() + retired.storage();
        for (int i = 0; i < spareCount; i++) total += spares[i].length();
        return total;
    }

    /** Pieces now holding bytes (for tests). */
    int pieceCount() { return pieces.size(); }

    // ------------------------------------------------------------------ placement

    /**
     * The buffer holds no byte: the next one goes to the start of its piece when no receiver refers
     * to that piece (a request/response connection reuses one small array); else it goes on after
     * the bytes the receiver refers to, in the same piece.
     */
    private void startOver() {
        // With no byte left, every byte so far is discarded: only the last piece is left (discard).
        if (!pieces.first().isPinned()) head = tail = 0;
    }

    /** The last piece is full (or there is none): make room for {@code left} more bytes. */
    private void makeRoom(int left) {
        if (pieces.size() == 0) {
            if (pieces == PieceQueue.NONE) pieces = new PieceQueue();
            // Small again only while no full piece was ever needed: a stream that paused (its
            // buffer emptied) goes on in full pieces, the spares its receiver gave back.
            int length = lengthFor(left);
            boolean full = length == pieceSize || spareCount > 0 || retired.size() > 0;
            pieces.add(full ? takePiece() : new LentBytes(length));
            head = tail = 0;
            return;
        }
        LentBytes only = pieces.first();
        if (pieces.size() == 1 && only.length() < pieceSize) {
            // Outgrown while small: a larger piece takes the bytes. The old one stays as it is, for
            // a receiver that may still refer to it.
            LentBytes larger = new LentBytes(Math.max(2 * only.length(), lengthFor(size + left)));
            System.arraycopy(only.bytes, head, larger.bytes, 0, size);
            pieces.replaceFirst(larger);
            head = 0;
            tail = size;
            return;
        }
        pieces.add(takePiece());
        tail = 0;
    }

    /** The power of two that holds {@code bytes}, at least the initial storage, at most the piece size. */
    private int lengthFor(int bytes) {
        int smallest = Math.min(ByteRing.INITIAL_STORAGE, pieceSize);
        return Math.min(pieceSize, powerOfTwoAtLeast(Math.max(smallest, bytes)));
    }

    /** The piece holding position {@code pos} counted from the start of the first piece. */
    private LentBytes pieceAt(int pos) {
        // Every piece is pieceSize long once there are several (the first grows to it before a second is added).
        return pieces.get(pieces.size() == 1 ? 0 : pos >>> pieceShift);
    }

    private int indexAt(int pos) {
        return pieces.size() == 1 ? pos : pos & (pieceSize - 1);
    }

    private void checkRange(int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > size) {
            throw new IndexOutOfBoundsException("offset " + offset + " length " + length + " size " + size);
        }
    }

    // ------------------------------------------------------------------ recycling

    /**
     * A piece without bytes of ours: a spare at once when no receiver refers to it, else retired
     * until the receiver lets it go. Pieces shorter than the piece size (outgrown while the
     * buffer was small) are left to the garbage collector.
     */
    private void retire(LentBytes p) {
        if (p.length() != pieceSize) return;
        if (!p.isPinned()) {
            pushSpare(p);
            return;
        }
        if (retired == PieceQueue.NONE) retired = new PieceQueue();
        retired.add(p);
    }

    /**
     * The piece to fill next: the spare given back last (the retired pieces a receiver has since
     * finished with become spares first, in the order it read them), else a new one.
     */
    private LentBytes takePiece() {
        while (retired.size() > 0 && !retired.first().isPinned()) pushSpare(retired.removeFirst());
        if (spareCount == 0) return new LentBytes(pieceSize);
        LentBytes p = spares[--spareCount];
        spares[spareCount] = null;
        return p;
    }

    /** Puts {@code p} on top of the spares; when they are at their limit, the one given back first is let go. */
    private void pushSpare(LentBytes p) {
        if (spareCount == maxSpares) {
            System.arraycopy(spares, 1, spares, 0, spareCount - 1);
            spareCount--;
        }
        if (spareCount == spares.length) spares = Arrays.copyOf(spares, Math.min(maxSpares, Math.max(2, 2 * spares.length)));
        spares[spareCount++] = p;
    }

    /** A FIFO of pieces: a ring of references that doubles when full. */
    private static final class PieceQueue {
        /** The empty queue a buffer holds until it needs one of its own (never added to). */
        static final PieceQueue NONE = new PieceQueue();

        private LentBytes[] ring = EMPTY;
        private int first;
        private int size;

        int size() { return size; }
        LentBytes first() { return ring[first]; }
        LentBytes last() { return get(size - 1); }
        LentBytes get(int k) { return ring[(first + k) & (ring.length - 1)]; }
        void replaceFirst(LentBytes p) { ring[first] = p; }

        void add(LentBytes p) {
            if (size == ring.length) {
                LentBytes[] bigger = new LentBytes[Math.max(1, 2 * ring.length)];
                for (int k = 0; k < size; k++) bigger[k] = get(k);
                ring = bigger;
                first = 0;
            }
            ring[(first + size) & (ring.length - 1)] = p;
            size++;
        }

        LentBytes removeFirst() {
            LentBytes p = ring[first];
            ring[first] = null;
            first = (first + 1) & (ring.length - 1);
            size--;
            return p;
        }

        /** Bytes of memory its pieces take. */
        long storage() {
            long total = 0;
            for (int k = 0; k < size; k++) total += get(k).length();
            return total;
        }
    }

    private static int powerOfTwoAtLeast(int n) {
        int p = Integer.highestOneBit(n);
        return p == n ? n : (p > (1 << 29) ? 1 << 30 : p << 1);
    }
}
