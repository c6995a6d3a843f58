package dev.synack.link;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;

/**
 * One queue of a TUN device: its file descriptor, the thread that reads it and the buffer packets
 * are written to it from. A device opened with one queue has one of these; with IFF_MULTI_QUEUE,
 * one per shard of its host ({@link TunLink#open(TunLink.Options, int)}): shard i writes to queue i,
 * so the kernel, which steers a flow's packets to the queue the flow last wrote on (the tun
 * driver's flow table), mostly reads them back on the same queue; whatever queue a packet arrives
 * on, {@link TunLink} hands it to its flow's shard.
 *
 * <p>Reads come in batches: after each wakeup of poll(2) the (non-blocking) descriptor is read until
 * it is empty or {@link #READ_BATCH} packets were taken, so a burst costs one wakeup, not one per
 * packet; the packets the kernel vouches for are staged in an {@link InboundBatch} and processed
 * together at the end of the wakeup (or when it is full, or before a packet that takes another path).
 */
final class TunQueue {
    /** Packets read per wakeup at most, before the reader looks at whether it should stop. */
    static final int READ_BATCH = 64;
    /** How long the reader waits in poll(2) before checking whether it should stop. */
    static final int POLL_MILLIS = 100;
    static final int MAX_FRAME = VirtioNetHeader.SIZE + 65_535;

    private final TunLink link;
    final int index;
    final int fd;
    final MemorySegment writeBuffer;
    private final MemorySegment writeState;
    /** Joins the shard's segments into super-segments in {@link #writeBuffer} (guarded by it). */
    final SegmentCoalescer coalescer;
    final Thread reader;
    /** The trusted packets of the current wakeup, delivered together ({@link TunLink#deliverBatch}). */
    final InboundBatch batch = new InboundBatch();
    /** Built up front: reporting a failure that came from running out of memory must not need memory. */
    final String readerName;

    TunQueue(TunLink link, int index, int fd, Arena arena, String device) {
        this.link = link;
        this.index = index;
        this.fd = fd;
        this.writeBuffer = arena.allocate(MAX_FRAME);
        this.writeState = Libc.allocateCallState(arena);
        this.coalescer = new SegmentCoalescer(writeBuffer.asByteBuffer(), this::writeFrame);
        String suffix = index == 0 ? "" : "-q" + index;
        this.reader = Thread.ofPlatform().daemon().name("synack-tun-" + device + suffix).unstarted(this::readLoop);
        this.readerName = "TUN reader of " + device + suffix;
    }

    /** Writes the first {@code length} bytes of the write buffer (a header and a packet) to the device; holds its lock. */
    private void writeFrame(int length) {
        long written = Libc.write(writeState, fd, writeBuffer, length);
        link.frameWritten(this, written, length);
    }

    private void readLoop() {
        try (Arena local = Arena.ofConfined()) {
            MemorySegment buffer = local.allocate(MAX_FRAME);
            MemorySegment state = Libc.allocateCallState(local);
            MemorySegment pollfd = Libc.allocatePollFd(local);
            while (link.isOpen()) {
                try {
                    if (!readBatch(buffer, state, pollfd)) break;
                } catch (IOException e) {
                    throw e;
                } catch (Throwable e) {
                    // A packet the path after the device could not take (a filter's bug, or memory
                    // ran out): the packet is lost, the reader is not. Fatal errors go to the stack's handler.
                    link.readerCaught(this, e);
                }
            }
        } catch (IOException e) {
            link.readerFailed(e);
        } catch (RuntimeException e) {
            link.readerFailed(new IOException("TUN reader failed", e));
        }
    }

    /**
     * Waits for the device to be readable (at most {@link #POLL_MILLIS}), then reads and passes on
     * up to {@link #READ_BATCH} packets, until the queue is empty; false when the device is closing.
     */
    private boolean readBatch(MemorySegment buffer, MemorySegment state, MemorySegment pollfd) throws IOException {
        if (!Libc.pollReadable(state, pollfd, fd, POLL_MILLIS)) return true;
        try {
            for (int i = 0; i < READ_BATCH; i++) {
                if (!link.isOpen()) return false;
                long read = Libc.read(state, fd, buffer, MAX_FRAME);
                if (read < 0) {
                    int errno = (int) -read;
                    if (errno == Libc.EINTR) continue;
                    if (errno == Libc.EAGAIN) return true; // empty: back to poll
                    if (link.isOpen()) throw new Libc.ErrnoException("read(" + TunLink.CLONE_DEVICE + ")", errno, null);
                    return false;
                }
                if (read > VirtioNetHeader.SIZE) link.frameRead(this, buffer, (int) read);
            }
            return true;
        } finally {
            link.deliverBatch(this);
        }
    }

    /** A heap copy of {@code packet}'s remaining bytes, for a stack to keep (its position left as it is). */
    static ByteBuffer copy(ByteBuffer packet) {
        ByteBuffer copy = ByteBuffer.allocate(packet.remaining());
        copy.put(0, packet, packet.position(), packet.remaining());
        return copy;
    }

    /** A copy of the IP packet of {@code length} bytes at {@code ip}, for the stack to keep. */
    static ByteBuffer copy(MemorySegment ip, int length) {
        ByteBuffer packet = ByteBuffer.allocate(length);
        MemorySegment.copy(ip, ValueLayout.JAVA_BYTE, 0, packet.array(), 0, length);
        return packet;
    }
}
