package dev.synack.tcp;

import dev.synack.wire.TcpSegment;
import java.nio.ByteBuffer;

/**
 * A ring of bytes up to a capacity (the limit a buffer size sets): the storage behind the send and
 * the receive buffer. The array is allocated on first use, so that embryonic connections (SYN_RECV)
 * cost no buffer memory, and it starts small and doubles as the bytes in it need, up to the capacity,
 * as the kernel takes memory for a socket's buffers a packet at a time rather than at their
 * limit: a connection that moves a few bytes never zeroes a 128 KiB array. Once it has reached the
 * size the traffic needs, nothing more is allocated.
 */
final class ByteRing {
    /**
     * The smallest array a ring starts with (or its capacity, when smaller); a first write larger
     * than this starts at the power of two that holds it. Small, because request/response traffic
     * often moves a few bytes per connection: 256 bytes is about what the kernel charges a socket
     * for a small packet.
     */
    static final int INITIAL_STORAGE = 256;
    /** The largest array a ring takes (the JVM's limit, about). */
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 16;

    private int capacity;
    private final int initialStorage;
    /**
     * Null, or an array of at least min(initialStorage, capacity) bytes and at most capacity bytes;
     * a send ring whose bytes a receiver borrowed may take a larger one (see {@link LentBytes}).
     */
    private byte[] bytes;
    /** The array wrapped, for {@link #windowInto}; remade when the array changes. */
    private ByteBuffer arrayView;
    /** Index of the oldest byte. */
    private int head;
    private int size;
    /** The array lent out through {@link #windowInto} as a {@link LentBytes}, made on first loan; null once the array changes. */
    private LentBytes lent;

    /**
     * One array of a send ring, lent to a receiver in the same memory that keeps referring to its
     * bytes instead of copying them (ReceiveQueue.borrow): the kernel's loopback hands its buffers
     * over the same way. The receiver pins the sequence number of the oldest byte it still refers to;
     * the ring then never writes over that byte or any after it ({@link #write(ByteBuffer, int)}),
     * although they are acknowledged and discarded from its own count: those bytes belong to the
     * receiver's buffer now (RFC 9293: acknowledged means received), not to this send buffer. The pin
     * is written by the receiver's thread and read by the sender's, hence volatile; both happen under
     * their own stack's lock, and the receiver pins bytes before it acknowledges them, so the sender
     * sees the pin before it may discard them.
     */
    static final class LentBytes {
        private static final long NONE = -1;
        final byte[] bytes;
        /** Sequence number (unsigned) of the oldest byte a receiver refers to, or {@link #NONE}. */
        private volatile long pinned = NONE;

        LentBytes(byte[] bytes) { this.bytes = bytes; }

        boolean isPinned() { return pinned != NONE; }

        /** The receiver refers to the bytes from {@code seq} on (and to none before it). */
        void pin(int seq) { pinned = seq & 0xffff_ffffL; }

        /** The receiver refers to none of these bytes any more. */
        void unpin() { pinned = NONE; }

        /** How many bytes before {@code headSeq} (the ring's oldest byte) a receiver still refers to. */
        int retainedBefore(int headSeq) {
            long p = pinned;
            return p == NONE ? 0 : Math.max(0, Seq.distance((int) p, headSeq));
        }
    }

    ByteRing(int capacity) {
        this(capacity, INITIAL_STORAGE);
    }

    /** A ring whose array starts at {@code initialStorage} bytes (tests use small ones to exercise growth). */
    ByteRing(int capacity, int initialStorage) {
        if (capacity <= 0) throw new IllegalArgumentException("capacity must be positive, was " + capacity);
        if (initialStorage <= 0) throw new IllegalArgumentException("initial storage must be positive, was " + initialStorage);
        this.capacity = capacity;
        this.initialStorage = initialStorage;
    }

    int capacity() { return capacity; }
    int size() { return size; }
    int free() { return capacity - size; }
    boolean isEmpty() { return size == 0; }

    /** Appends as many bytes of {@code src} as fit, advancing its position; returns the count. */
    int write(ByteBuffer src) {
        return write(src, 0);
    }

    /**
     * {@link #write(ByteBuffer)} into a ring whose current array has {@code retained} bytes just before
     * the oldest one still lent to a receiver ({@link LentBytes#retainedBefore}): they are not written
     * over; when they are in the way, the ring moves to a new array (leaving the old one to the
     * receiver) large enough to hold them as well next time, so that a steady stream settles.
     */
    int write(ByteBuffer src, int retained) {
        int n = Math.min(src.remaining(), free());
        append(src, src.position(), n, retained);
        src.position(src.position() + n);
        return n;
    }

    /** Appends {@code length} bytes of {@code src} from absolute index {@code index} (position untouched). */
    void append(ByteBuffer src, int index, int length) {
        append(src, index, length, 0);
    }

    private void append(ByteBuffer src, int index, int length, int retained) {
        if (length > free()) throw new IllegalArgumentException("ring overflow: " + length + " > " + free());
        if (length == 0) return;
        ensureStorage(size + length, retained);
        int tail = (head + size) % bytes.length;
        int first = Math.min(length, bytes.length - tail);
        src.get(index, bytes, tail, first);
        if (length > first) src.get(index + first, bytes, 0, length - first);
        size += length;
    }

    /**
     * Appends {@code length} payload bytes of {@code seg}, from its {@code from}-th on: received text
     * goes from the packet straight into the ring, with no view of it allocated.
     */
    void append(TcpSegment seg, int from, int length) {
        if (length > free()) throw new IllegalArgumentException("ring overflow: " + length + " > " + free());
        if (length == 0) return;
        ensureStorage(size + length);
        int tail = (head + size) % bytes.length;
        int first = Math.min(length, bytes.length - tail);
        seg.copyPayload(from, bytes, tail, first);
        if (length > first) seg.copyPayload(from + first, bytes, 0, length - first);
        size += length;
    }

    /**
     * Stores {@code length} payload bytes of {@code seg} (from its {@code from}-th on) at
     * {@code offset} bytes after the oldest byte, which may lie beyond the stored bytes, in the free
     * region: that is where out-of-order data waits until the gap before it fills. The size does not
     * change; {@link #extend(int)} later takes the bytes in.
     */
    void writeAt(int offset, TcpSegment seg, int from, int length) {
        if (offset < 0 || length < 0 || (long) offset + length > capacity) {
            throw new IndexOutOfBoundsException("offset " + offset + " length " + length + " capacity " + capacity);
        }
        if (length == 0) return;
        ensureStorage(offset + length);
        int start = (int) (((long) head + offset) % bytes.length);
        int first = Math.min(length, bytes.length - start);
        seg.copyPayload(from, bytes, start, first);
        if (length > first) seg.copyPayload(from + first, bytes, 0, length - first);
    }

    /** Takes in {@code n} bytes already placed after the stored ones by {@link #writeAt}. */
    void extend(int n) {
        if (n < 0 || n > free()) throw new IllegalArgumentException("extend " + n + " with " + free() + " free");
        size += n;
    }

    /**
     * Raises the capacity to {@code newCapacity} (never lowers it), keeping every byte, stored or placed
     * beyond the stored ones: receive-buffer autotuning. The array grows later, when bytes need it.
     */
    void growTo(int newCapacity) {
        if (newCapacity > capacity) capacity = newCapacity;
    }

    /** Moves up to {@code dst.remaining()} bytes into {@code dst}, removing them; returns the count. */
    int read(ByteBuffer dst) {
        int n = Math.min(dst.remaining(), size);
        copyTo(0, n, dst);
        discard(n);
        return n;
    }

    /** Copies {@code length} bytes starting {@code offset} bytes after the oldest into {@code dst} without removing them. */
    void copyTo(int offset, int length, ByteBuffer dst) {
        if (offset < 0 || length < 0 || offset + length > size) {
            throw new IndexOutOfBoundsException("offset " + offset + " length " + length + " size " + size);
        }
        if (length == 0) return;
        int start = (head + offset) % bytes.length;
        int first = Math.min(length, bytes.length - start);
        dst.put(bytes, start, first);
        if (length > first) dst.put(bytes, 0, length - first);
    }

    /**
     * Points {@code seg}'s payload at the {@code length} stored bytes starting {@code offset} bytes
     * after the oldest, in place, when they lie in one piece of the array (the usual case); returns
     * false, leaving {@code seg} alone, when the range wraps round the end of the array. Valid until
     * the ring next changes. Allocates only a view of the array, once per array.
     */
    boolean windowInto(TcpSegment seg, int offset, int length) {
        if (offset < 0 || length <= 0 || offset + length > size) {
            throw new IndexOutOfBoundsException("offset " + offset + " length " + length + " size " + size);
        }
        int start = (head + offset) % bytes.length;
        if (length > bytes.length - start) return false;
        if (arrayView == null || arrayView.array() != bytes) arrayView = ByteBuffer.wrap(bytes);
        seg.payload(arrayView, start, length);
        return true;
    }

    /** The current array as lent to a receiver (made on first call per array). */
    LentBytes lender() {
        if (lent == null || lent.bytes != bytes) lent = new LentBytes(bytes);
        return lent;
    }

    /** How many bytes before the oldest one a receiver still refers to in the current array (0 when it was never lent). */
    int retainedBefore(int headSeq) {
        LentBytes l = lent;
        return l == null || l.bytes != bytes ? 0 : l.retainedBefore(headSeq);
    }

    /** Drops the {@code n} oldest bytes. */
    void discard(int n) {
        if (n < 0 || n > size) throw new IndexOutOfBoundsException("discard " + n + " of " + size);
        if (n == 0) return;
        head = (head + n) % bytes.length;
        size -= n; // head stays put even when empty: bytes placed beyond the stored ones keep their offset
    }

    /** Gives the array back to the garbage collector when nothing is stored; it is allocated again on demand. */
    void releaseIfEmpty() {
        if (size == 0) {
            bytes = null;
            arrayView = null;
            head = 0;
        }
    }

    void clear() {
        head = 0;
        size = 0;
    }

    /** Length of the ring's array now (0 when released): what it costs in memory. */
    int storage() { return bytes == null ? 0 : bytes.length; }

    /**
     * Makes the array hold at least {@code needed} bytes from the head (needed <= capacity), doubling
     * it as often as that takes (capped at the capacity). Growing copies every byte of the old array
     * in ring order from the head, so that stored bytes and bytes placed beyond them keep their offsets.
     */
    private void ensureStorage(int needed) {
        ensureStorage(needed, 0);
    }

    /**
     * As {@link #ensureStorage(int)}, keeping the {@code retained} bytes before the head (lent to a
     * receiver) unwritten: when they are in the way, a new array is taken even if the needed bytes
     * would fit, twice the size until it could hold the retained bytes too, beyond the capacity (which
     * bounds what this ring counts, not what a receiver holds: the retained bytes are at most what the
     * receiver's own buffer takes, its window); the old array stays as it is for the receiver.
     */
    private void ensureStorage(int needed, int retained) {
        int length = bytes == null ? 0 : bytes.length;
        if ((long) needed + retained <= length) return;
        int grown = Math.max(length, Math.min(initialStorage, capacity));
        if (retained > 0 && needed <= length) {
            long wanted = Math.min((long) needed + retained, MAX_ARRAY);
            while (grown < wanted) grown = (int) Math.min(2L * grown, MAX_ARRAY);
        }
        while (grown < needed) grown = (int) Math.min(2L * grown, capacity);
        byte[] next = new byte[grown];
        if (bytes != null) {
            System.arraycopy(bytes, head, next, 0, length - head);
            System.arraycopy(bytes, 0, next, length - head, head);
        }
        bytes = next;
        head = 0;
    }
}
