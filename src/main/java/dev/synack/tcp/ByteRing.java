package dev.synack.tcp;

import java.nio.ByteBuffer;

/**
 * A fixed-capacity ring of bytes: the storage behind the send and the receive buffer. The array is
 * allocated on first use, so that embryonic connections (SYN_RECV) cost no buffer memory; after that
 * nothing is allocated, whatever the traffic.
 */
final class ByteRing {
    private final int capacity;
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
        size -= n;
        if (size == 0) head = 0;
    }

    void clear() {
        head = 0;
        size = 0;
    }

    private void ensureAllocated() {
        if (bytes == null) bytes = new byte[capacity];
    }
}
