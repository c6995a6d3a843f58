package dev.synack.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.synack.tcp.Connection;
import dev.synack.tcp.IsnGenerator;
import dev.synack.tcp.Listener;
import dev.synack.tcp.TcpConfig;
import dev.synack.tcp.TcpState;
import dev.synack.wire.Ipv4Address;
import dev.synack.wire.PacketCodec;
import dev.synack.wire.TcpFlags;
import dev.synack.wire.TcpPacket;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The stack's per-packet path (decode, demux lookup, engine, timer rescheduling, encode) allocates
 * nothing once warm when nobody traces, whether the packet is a bare ACK or carries data: measured
 * with the JVM's per-thread allocation counter, skipped where the JVM does not offer it.
 */
@Timeout(30)
class NetStackAllocationTest {
    private static final int LOCAL = Ipv4Address.parse("10.0.0.1");
    private static final int REMOTE = Ipv4Address.parse("10.0.0.2");
    private static final int WARM_UP = 50_000;
    private static final int MEASURED = 10_000;

    private final TcpPacket lastSent = new TcpPacket();
    private int sentCount;

    private static com.sun.management.ThreadMXBean allocationCounter() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "no per-thread allocation counter in this JVM");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
                "per-thread allocation counting unavailable");
        return threads;
    }

    @Test
    void aBareAckToAnEstablishedConnectionAllocatesNothing() throws Exception {
        com.sun.management.ThreadMXBean threads = allocationCounter();

        ByteBuffer sentCopy = ByteBuffer.allocate(2048);
        NetStack stack = listeningOn80((from, packet) -> {
            sentCopy.clear();
            sentCopy.put(packet.duplicate()).flip();
            PacketCodec.decode(sentCopy, lastSent);
            sentCount++;
        });
        stack.deliver(packet(100, 0, TcpFlags.SYN));
        assertThat(lastSent.segment().flags()).isEqualTo(TcpFlags.SYN | TcpFlags.ACK);
        int serverIsn = lastSent.segment().seq();
        ByteBuffer ack = packet(101, serverIsn + 1, TcpFlags.ACK);
        stack.deliver(ack);
        assertThat(stack.counters()).containsEntry("CurrEstab", 1L);
        int sentBefore = sentCount;

        deliver(stack, ack, WARM_UP);
        long threadId = Thread.currentThread().threadId();
        long before = threads.getThreadAllocatedBytes(threadId);
        deliver(stack, ack, MEASURED);
        long allocated = threads.getThreadAllocatedBytes(threadId) - before;

        assertThat(sentCount).as("a duplicate bare ACK with nothing outstanding is not answered").isEqualTo(sentBefore);
        assertThat(stack.counter(Counter.IN_SEGS)).isEqualTo(2L + WARM_UP + MEASURED);
        // Less than one byte per packet: a single object per packet would be at least 16 bytes each.
        assertThat(allocated).as("bytes allocated over %d packets", MEASURED).isLessThan(MEASURED);
    }

    @Test
    void icmpErrorsForAnEstablishedConnectionAllocateNothing() throws Exception {
        com.sun.management.ThreadMXBean threads = allocationCounter();
        NetStack stack = listeningOn80((from, packet) -> { });
        stack.deliver(packet(100, 0, TcpFlags.SYN));
        stack.deliver(packet(101, 5001, TcpFlags.ACK));
        assertThat(stack.counters()).containsEntry("CurrEstab", 1L);
        // Host unreachable quoting SND.UNA (a soft error, taken) and one quoting a sequence number far
        // outside the window (dropped).
        ByteBuffer soft = icmpError(5001);
        ByteBuffer forged = icmpError(5001 + 1_000_000);
        for (int i = 0; i < WARM_UP; i++) {
            stack.deliver(soft);
            stack.deliver(forged);
        }
        long threadId = Thread.currentThread().threadId();
        long before = threads.getThreadAllocatedBytes(threadId);
        for (int i = 0; i < MEASURED; i++) {
            stack.deliver(soft);
            stack.deliver(forged);
        }
        long allocated = threads.getThreadAllocatedBytes(threadId) - before;
        assertThat(stack.counter(Counter.OUT_OF_WINDOW_ICMPS)).isEqualTo(WARM_UP + MEASURED);
        assertThat(stack.counter(Counter.ICMP_IN_DEST_UNREACHS)).isEqualTo(2L * (WARM_UP + MEASURED));
        assertThat(allocated).as("bytes allocated over %d ICMP errors", 2 * MEASURED).isLessThan(MEASURED);
    }

    /** A stack at LOCAL (ISN 5000) listening on port 80, sending to {@code transmitter}. */
    private static NetStack listeningOn80(PacketTransmitter transmitter) throws Exception {
        NetStack stack = new NetStack("host", LOCAL, TcpConfig.linux(), () -> 0L, IsnGenerator.fixed(5000), 1);
        stack.attach(transmitter, null);
        stack.lock();
        try {
            stack.bind(80);
            stack.listen(80, 4);
        } finally {
            stack.unlock();
        }
        return stack;
    }

    /** A host unreachable from a router about a segment LOCAL:80 -> REMOTE:40000 with sequence number {@code seq}. */
    private static ByteBuffer icmpError(int seq) {
        ByteBuffer b = ByteBuffer.allocate(64);
        b.limit(dev.synack.wire.Icmpv4Error.writeQuotingTcp(b, Ipv4Address.parse("10.0.0.254"), LOCAL, 3, 1, 0,
                LOCAL, REMOTE, 40, 80, 40000, seq));
        return b;
    }

    private static void deliver(NetStack stack, ByteBuffer packet, int times) {
        for (int i = 0; i < times; i++) stack.deliver(packet);
    }

    private static ByteBuffer packet(int seq, int ack, int flags) {
        TcpPacket p = new TcpPacket().sourceAddress(REMOTE).destinationAddress(LOCAL);
        p.segment().sourcePort(40000).destinationPort(80).seq(seq).ack(ack).flags(flags).window(1000);
        ByteBuffer out = ByteBuffer.allocate(PacketCodec.encodedLength(p));
        PacketCodec.encode(p, out);
        return out.flip();
    }

    /**
     * Two stacks joined by a ring of preallocated packet buffers move a bulk transfer on this thread:
     * every data segment is encoded, copied into the ring, decoded, demultiplexed and taken into the
     * receive ring, every ACK goes back the same way. Buffers are fixed in size (no autotuning), so
     * that nothing may legitimately grow while the counter watches.
     */
    @ParameterizedTest(name = "mss {0}, IPv6 {1}")
    @CsvSource({"1460, false", "65495, false", "1460, true"})
    void bulkTransferBetweenTwoStacksAllocatesNothingPerSegment(int mss, boolean ipv6) throws Exception {
        com.sun.management.ThreadMXBean threads = allocationCounter();
        int buffer = 1 << 20;
        TcpConfig config = TcpConfig.linux().toBuilder().mss(mss).sendBufferSize(buffer).receiveBufferSize(buffer)
                .maxReceiveBufferSize(buffer).build();
        BulkPair bulk = new BulkPair(config, mss, buffer, ipv6);
        assertThat(bulk.sender.tuple().isIpv6()).isEqualTo(ipv6);

        bulk.transfer(200);
        // The fewest bytes any of several rounds allocated: a first run of a rare branch (class
        // loading, a deoptimisation) may allocate once, but an allocation per segment shows in all.
        long fewest = Long.MAX_VALUE;
        long segments = 0;
        long threadId = Thread.currentThread().threadId();
        for (int round = 0; round < 5; round++) {
            long segmentsBefore = bulk.server.counter(Counter.IN_SEGS);
            long before = threads.getThreadAllocatedBytes(threadId);
            long moved = bulk.transfer(100);
            long allocated = threads.getThreadAllocatedBytes(threadId) - before;
            segments = bulk.server.counter(Counter.IN_SEGS) - segmentsBefore;
            fewest = Math.min(fewest, allocated);
            assertThat(moved).isEqualTo(100L * BulkPair.CHUNK);
            assertThat(segments).as("data segments received").isGreaterThanOrEqualTo(moved / mss);
        }

        assertThat(bulk.ring.overflows()).as("packets lost to a full ring").isZero();
        assertThat(bulk.sender.state()).isEqualTo(TcpState.ESTABLISHED);
        // Less than one byte per segment: a single object per segment would be 16 bytes or more.
        assertThat(fewest).as("bytes allocated while %d segments arrived", segments).isLessThan(segments);
    }

    /** A watch that only counts its calls. */
    private static final class CountingWatch extends ReadinessWatch {
        long calls;

        @Override
        protected void ready() { calls++; }

        @Override
        protected void failed(Throwable error) { throw new AssertionError(error); }
    }

    /**
     * Readiness watches (non-blocking sockets) cost nothing per event either: marking a watched
     * connection ready on every segment and running the watch before the lock is released
     * allocates nothing.
     */
    @Test
    void readinessWatchesAllocateNothingPerEvent() throws Exception {
        com.sun.management.ThreadMXBean threads = allocationCounter();
        int buffer = 1 << 20;
        TcpConfig config = TcpConfig.linux().toBuilder().sendBufferSize(buffer).receiveBufferSize(buffer)
                .maxReceiveBufferSize(buffer).build();
        BulkPair bulk = new BulkPair(config, 1460, buffer);
        CountingWatch writable = new CountingWatch();
        CountingWatch readable = new CountingWatch();
        bulk.client.watch(bulk.sender, writable);
        bulk.server.watch(bulk.receiver, readable);

        bulk.transfer(200);
        long fewest = Long.MAX_VALUE;
        long segments = 0;
        long calls = 0;
        long threadId = Thread.currentThread().threadId();
        for (int round = 0; round < 5; round++) {
            long segmentsBefore = bulk.server.counter(Counter.IN_SEGS) + bulk.client.counter(Counter.IN_SEGS);
            long callsBefore = writable.calls + readable.calls;
            long before = threads.getThreadAllocatedBytes(threadId);
            bulk.transfer(100);
            long allocated = threads.getThreadAllocatedBytes(threadId) - before;
            segments = bulk.server.counter(Counter.IN_SEGS) + bulk.client.counter(Counter.IN_SEGS) - segmentsBefore;
            calls = writable.calls + readable.calls - callsBefore;
            fewest = Math.min(fewest, allocated);
        }
        assertThat(writable.calls).as("writable calls (ACKs)").isPositive();
        assertThat(readable.calls).as("readable calls (data)").isPositive();
        assertThat(calls).as("watch calls in the last round").isGreaterThan(segments / 4);
        assertThat(bulk.server.counter(Counter.HANDLER_ERRORS)).isZero();
        assertThat(fewest).as("bytes allocated while %d segments arrived and %d watch calls ran", segments, calls)
                .isLessThan(segments);
    }
}
