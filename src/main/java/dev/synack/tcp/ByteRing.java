package dev.synack.tcp;

import dev.synack.wire.TcpSegment;
import java.nio.ByteBuffer;

/**
 * A fixed-capacity ring of bytes: the storage behind the send and the receive buffer. The array is
 * allocated on first use, so that embryonic connections (SYN_RECV) cost no buffer memory; after that
 * nothing is allocated, whatever the traffic.
 */
final class ByteRing {
    private int capacity;
    private byte[] bytes;
    /** Index of the oldest byte. */
    private int head;
    private int size;

    ByteRing(int capacity) {
        if (capacity <= 0) throw new IllegalArgumentException("capacity must be positive, was " + capacity);
        this.capacity = capacity;
    }

    int capacity() { return capacity; }
    int size() { return size; }
    int free() { return capacity - size; }
    boolean isEmpty() { return size == 0; }

    /** Appends as many bytes of {@code src} as fit, advancing its position; returns the count. */
    int write(ByteBuffer src) {
        int n = Math.min(src.remaining(), free());
        append(src, src.position(), n);
        src.position(src.position() + n);
        return n;
    }

    /** Appends {@code length} bytes of {@code src} from absolute index {@code index} (position untouched). */
    void append(ByteBuffer src, int index, int length) {
        if (length > free()) throw new IllegalArgumentException("ring overflow: " + length + " > " + free());
        if (length == 0) return;
        ensureAllocated();
        int tail = (head + size) % capacity;
        int first = Math.min(length, capacity - tail);
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
        ensureAllocated();
        int tail = (head + size) % capacity;
        int first = Math.min(length, capacity - tail);
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
        ensureAllocated();
        int start = (int) (((long) head + offset) % capacity);
        int first = Math.min(length, capacity - start);
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
     * beyond the stored ones: receive-buffer autotuning. Allocates only when it grows.
     */
    void growTo(int newCapacity) {
        if (newCapacity <= capacity) return;
        if (bytes != null) {
            byte[] grown = new byte[newCapacity];
            int first = capacity - head;
            System.arraycopy(bytes, head, grown, 0, first);
            System.arraycopy(bytes, 0, grown, first, head);
            bytes = grown;
            head = 0;
        }
        capacity = newCapacity;
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
        int start = (head + offset) % capacity;
        int first = Math.min(length, capacity - start);
        dst.put(bytes, start, first);
        if (length > first) dst.put(bytes, 0, length - first);
    }

    /** Drops the {@code n} oldest bytes. */
    void discard(int n) {
        if (n < 0 || n > size) throw new IndexOutOfBoundsException("discard " + n + " of " + size);
        if (n == 0) return;
        head = (head + n) % capacity;
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

    private void ensureAllocated() {
        if (bytes == null) bytes = new byte[capacity];
    }
}
