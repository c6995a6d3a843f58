package dev.synack.tcp;

import dev.synack.wire.TcpSegment;
import java.nio.ByteBuffer;

/**
 * A ring of bytes up to a capacity (the limit a buffer size sets): the storage of the receive
 * buffer's copied bytes (the send buffer keeps its bytes in pieces: {@link SendBuffer}). The array is allocated on first use, so that embryonic connections (SYN_RECV)
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

    private int capacity;
    private final int initialStorage;
    /** Null, or an array of at least min(initialStorage, capacity) bytes and at most capacity bytes. */
    private byte[] bytes;
    /** Index of the oldest byte. */
    private int head;
    private int size;

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
     * it as often as that takes (capped at the capacity).
     */
    private void ensureStorage(int needed) {
        reserve(needed, Long.MAX_VALUE);
    }

    /**
     * The length the array would have after {@link #reserve}: unchanged when it holds {@code needed}
     * bytes from the head already; else doubled as often as that takes (capped at the capacity),
     * but not beyond {@code maxStorage} unless {@code needed} is more.
     */
    int storageFor(int needed, long maxStorage) {
        int length = storage();
        if (needed <= length) return length;
        int grown = Math.max(length, Math.min(initialStorage, capacity));
        while (grown < needed) grown = (int) Math.min(2L * grown, capacity);
        return (int) Math.max(needed, Math.min(grown, maxStorage));
    }

    /** Grows the array to {@link #storageFor}{@code (needed, maxStorage)}. */
    void reserve(int needed, long maxStorage) {
        int length = storageFor(needed, maxStorage);
        if (length > storage()) resize(length);
    }

    /**
     * Shrinks the array to hold the stored bytes and {@code needed} bytes from the head, at most:
     * what lies in the free region beyond is lost (out-of-order data the caller forgot).
     */
    void shrinkTo(int needed) {
        int length = Math.max(size, needed);
        if (bytes != null && bytes.length > length) resize(length);
    }

    /**
     * A new array of {@code length} bytes (none for 0) holding the old one's first bytes in ring
     * order from the head, so that stored bytes and bytes placed beyond them keep their offsets.
     */
    private void resize(int length) {
        byte[] next = length == 0 ? null : new byte[length];
        if (bytes != null && next != null) {
            int keep = Math.min(bytes.length, length);
            int first = Math.min(keep, bytes.length - head);
            System.arraycopy(bytes, head, next, 0, first);
            System.arraycopy(bytes, 0, next, first, keep - first);
        }
        bytes = next;
        head = 0;
    }
}
