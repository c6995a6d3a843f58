package dev.synack.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.synack.tcp.IsnGenerator;
import dev.synack.tcp.TcpConfig;
import dev.synack.wire.Ipv4Address;
import dev.synack.wire.PacketCodec;
import dev.synack.wire.TcpFlags;
import dev.synack.wire.TcpPacket;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The stack's per-packet path (decode, demux lookup, engine, timer rescheduling) allocates nothing
 * once warm when nobody traces: measured with the JVM's per-thread allocation counter, skipped where
 * the JVM does not offer it.
 */
@Timeout(30)
class NetStackAllocationTest {
    private static final int LOCAL = Ipv4Address.parse("10.0.0.1");
    private static final int REMOTE = Ipv4Address.parse("10.0.0.2");
    private static final int WARM_UP = 50_000;
    private static final int MEASURED = 10_000;

    private final TcpPacket lastSent = new TcpPacket();
    private int sentCount;

    @Test
    void aBareAckToAnEstablishedConnectionAllocatesNothing() throws Exception {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "no per-thread allocation counter in this JVM");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
                "per-thread allocation counting unavailable");

        NetStack stack = new NetStack("host", LOCAL, TcpConfig.linux(), () -> 0L, IsnGenerator.fixed(5000), 1);
        ByteBuffer sentCopy = ByteBuffer.allocate(2048);
        stack.attach((from, packet) -> {
            sentCopy.clear();
            sentCopy.put(packet.duplicate()).flip();
            PacketCodec.decode(sentCopy, lastSent);
            sentCount++;
        }, null);
        stack.lock();
        try {
            stack.bind(80);
            stack.listen(80, 4);
        } finally {
            stack.unlock();
        }
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
}
