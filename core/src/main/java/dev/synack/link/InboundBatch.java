package dev.synack.link;

import dev.synack.stack.FlowShard;
import dev.synack.stack.NetStack;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The packets one wakeup of a TUN queue's reader read and the kernel vouches for (see
 * {@link VirtioNetHeader#vouchesForTransportChecksum}), staged back to back in one reusable heap
 * array, for their stack to process under one hold of its lock (as a NAPI poll hands a budget of
 * packets up the kernel's stack at once): the threads they wake and the readiness handlers they
 * make due run once, after the whole batch, rather than after each packet. A connection's
 * handshake ACK and its first data, read in the same wakeup, then reach an accepting thread
 * together. The reader's thread alone uses it.
 */
final class InboundBatch {
    /** Room for a few 64 KiB super-segments or {@link TunQueue#READ_BATCH} small packets. */
    static final int BYTES = 256 * 1024;

    private final byte[] area = new byte[BYTES];
    /** Views of {@link #area}, one per staged packet (position to limit), made once. */
    private final ByteBuffer[] packets = new ByteBuffer[TunQueue.READ_BATCH];
    private int count;
    private int used;

    InboundBatch() {
        for (int i = 0; i < packets.length; i++) packets[i] = ByteBuffer.wrap(area);
    }

    /** Whether a packet of {@code length} bytes fits beside those staged. */
    boolean fits(int length) {
        return count < packets.length && used + length <= BYTES;
    }

    /** Stages the {@code length} bytes at {@code ip} (which {@link #fits}). */
    void add(MemorySegment ip, int length) {
        MemorySegment.copy(ip, ValueLayout.JAVA_BYTE, 0, area, used, length);
        packets[count++].limit(used + length).position(used);
        used += length;
    }

    int count() { return count; }

    /** The staged packets, in the order read: the first {@link #count()} entries. */
    ByteBuffer[] packets() { return packets; }

    /**
     * Passes the staged packets on to {@code stacks} (a host's shards, or null before there is one)
     * and empties the batch, whatever happens: each run of packets for one stack (with steering, the
     * whole batch) is processed under one hold of its lock when it is free, else copied and queued
     * on its event loop. Packets of a flow another shard owns than queue {@code queue}'s are counted
     * in {@code offQueue}. Returns how many were lost (no host yet).
     */
    int deliver(NetStack[] stacks, int queue, AtomicLong offQueue) {
        int n = count;
        if (n == 0) return 0;
        try {
            if (stacks == null) return n;
            int from = 0;
            int shard = shardOf(packets[0], stacks, queue, offQueue);
            for (int i = 1; i <= n; i++) {
                int next = i < n ? shardOf(packets[i], stacks, queue, offQueue) : -1;
                if (next == shard) continue;
                NetStack to = stacks[shard];
                if (!to.processIfFree(packets, from, i, true)) {
                    for (int j = from; j < i; j++) to.enqueue(TunQueue.copy(packets[j]), true);
                }
                from = i;
                shard = next;
            }
            return 0;
        } finally {
            clear();
        }
    }

    private static int shardOf(ByteBuffer packet, NetStack[] stacks, int queue, AtomicLong offQueue) {
        if (stacks.length == 1) return 0;
        int shard = FlowShard.of(packet, stacks.length);
        if (shard != queue % stacks.length) offQueue.incrementAndGet();
        return shard;
    }

    /** Empties the batch (its packets were processed, or copied to be queued); {@link #add} sets a view's bounds anew. */
    private void clear() {
        count = 0;
        used = 0;
    }
}
