package dev.synack.tcp;

import java.nio.ByteBuffer;

/**
 * One array of a {@link SendBuffer} (a <em>piece</em>), which a receiver in the same memory may keep
 * referring to instead of copying its bytes (ReceiveQueue.borrow): the kernel's loopback hands its
 * buffers over the same way. The receiver pins the sequence number of the oldest byte it still
 * refers to; the sender then never writes over the piece again, although its bytes are
 * acknowledged and discarded from the sender's own count: those bytes belong to the receiver's
 * buffer now (RFC 9293: acknowledged means received), not to the send buffer. The sender takes the
 * piece back once the receiver has read them all and unpinned it.
 *
 * <p>The pin is written by the receiver's thread and read by the sender's, hence volatile; both
 * happen under their own stack's lock, and the receiver pins bytes before it acknowledges them, so
 * the sender sees the pin before it may discard them.
 */
final class LentBytes {
    private static final long NONE = -1;
    final byte[] bytes;
    /** The array wrapped, for the segments whose payload is a window into it. */
    final ByteBuffer view;
    /** Sequence number (unsigned) of the oldest byte a receiver refers to, or {@link #NONE}. */
    private volatile long pinned = NONE;

    LentBytes(int length) {
        this.bytes = new byte[length];
        this.view = ByteBuffer.wrap(bytes);
    }

    int length() { return bytes.length; }

    boolean isPinned() { return pinned != NONE; }

    /** The receiver refers to the bytes from {@code seq} on (and to none before it). */
    void pin(int seq) { pinned = seq & 0xffff_ffffL; }

    /** The receiver refers to none of these bytes any more. */
    void unpin() { pinned = NONE; }
}
