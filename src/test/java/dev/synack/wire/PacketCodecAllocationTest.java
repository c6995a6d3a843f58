package dev.synack.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * The encode and decode paths allocate nothing once warm (a non-empty payload's view object aside,
 * which these packets do not have). Measured with the JVM's per-thread allocation counter; the test is
 * skipped where the JVM does not offer it.
 */
class PacketCodecAllocationTest {
    private static final int WARM_UP = 50_000;
    private static final int MEASURED = 10_000;

    @Test
    void encodeAndDecodeOfASegmentWithoutPayloadAllocateNothing() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "no per-thread allocation counter in this JVM");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
                "per-thread allocation counting unavailable");

        TcpPacket packet = new TcpPacket().sourceAddress(0x0a00_0001).destinationAddress(0x0a00_0002);
        packet.segment().sourcePort(40000).destinationPort(80).seq(1).ack(2).flags(TcpFlags.ACK).window(502)
                .options().nop().nop().timestamps(3, 4).nop().nop().sack().addSackBlock(5, 6);
        ByteBuffer wire = ByteBuffer.allocateDirect(128);
        TcpPacket decoded = new TcpPacket();

        int checksumSink = run(packet, wire, decoded, WARM_UP);
        long threadId = Thread.currentThread().threadId();
        long before = threads.getThreadAllocatedBytes(threadId);
        checksumSink += run(packet, wire, decoded, MEASURED);
        long allocated = threads.getThreadAllocatedBytes(threadId) - before;

        assertThat(decoded.segment().options()).hasToString("nop,nop,TS val 3 ecr 4,nop,nop,sack 1 5:6");
        assertThat(checksumSink).isNotZero();
        // Less than one byte per round trip: a single object per call would be at least 16 bytes each.
        assertThat(allocated).as("bytes allocated over %d encode+decode round trips", MEASURED).isLessThan(MEASURED);
    }

    private static int run(TcpPacket packet, ByteBuffer wire, TcpPacket decoded, int rounds) {
        int sink = 0;
        for (int i = 0; i < rounds; i++) {
            packet.segment().seq(i);
            wire.clear();
            PacketCodec.encode(packet, wire);
            wire.flip();
            if (PacketCodec.decode(wire, decoded) != ParseResult.OK) throw new AssertionError("round " + i);
            sink += decoded.segment().seq() == i ? 1 : 0;
        }
        return sink;
    }
}
