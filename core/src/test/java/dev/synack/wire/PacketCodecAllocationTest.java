package dev.synack.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * The encode and decode paths allocate nothing once warm, with or without payload: the decoded payload
 * is a window into the packet, read through {@link TcpSegment#copyPayload}. Measured with the JVM's
 * per-thread allocation counter; the tests are skipped where the JVM does not offer it.
 */
class PacketCodecAllocationTest {
    private static final int WARM_UP = 50_000;
    private static final int MEASURED = 10_000;

    private static com.sun.management.ThreadMXBean allocationCounter() {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "no per-thread allocation counter in this JVM");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
                "per-thread allocation counting unavailable");
        return threads;
    }

    @Test
    void encodeAndDecodeOfASegmentWithoutPayloadAllocateNothing() {
        com.sun.management.ThreadMXBean threads = allocationCounter();

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

    /** A bulk-transfer data segment, decoded and its payload copied out, as the receive path does. */
    @Test
    void decodeOfADataSegmentAndReadingItsPayloadAllocateNothing() {
        com.sun.management.ThreadMXBean threads = allocationCounter();

        byte[] text = new byte[1448];
        for (int i = 0; i < text.length; i++) text[i] = (byte) (i * 7);
        TcpPacket packet = new TcpPacket().sourceAddress(0x0a00_0001).destinationAddress(0x0a00_0002);
        packet.segment().sourcePort(40000).destinationPort(80).seq(1).ack(2).flags(TcpFlags.ACK | TcpFlags.PSH)
                .window(502).payload(ByteBuffer.wrap(text)).options().nop().nop().timestamps(3, 4);
        // Heap and direct packets, as the links hand them over (the heap one writable: decode must not write it).
        ByteBuffer heap = ByteBuffer.allocate(1600);
        PacketCodec.encode(packet, heap);
        heap.flip();
        ByteBuffer direct = ByteBuffer.allocateDirect(1600).put(heap.duplicate()).flip();
        byte[] receiveRing = new byte[text.length];
        TcpPacket decoded = new TcpPacket();

        ByteBuffer[] packets = {heap, direct};
        long sink = decodeAndRead(packets, decoded, receiveRing, WARM_UP);
        long threadId = Thread.currentThread().threadId();
        long before = threads.getThreadAllocatedBytes(threadId);
        sink += decodeAndRead(packets, decoded, receiveRing, MEASURED);
        long allocated = threads.getThreadAllocatedBytes(threadId) - before;

        assertThat(receiveRing).isEqualTo(text);
        assertThat(sink).isEqualTo((long) (WARM_UP + MEASURED) * 2 * text.length);
        // Less than one byte per decode: a single object per call would be at least 16 bytes each.
        assertThat(allocated).as("bytes allocated over %d decodes", 2 * MEASURED).isLessThan(2 * MEASURED);
    }

    /** Decodes each packet {@code rounds} times, copying the payload out in two parts as a ring wrapping does. */
    private static long decodeAndRead(ByteBuffer[] packets, TcpPacket decoded, byte[] out, int rounds) {
        long sink = 0;
        for (int i = 0; i < rounds; i++) {
            for (ByteBuffer packet : packets) {
                if (PacketCodec.decode(packet, decoded) != ParseResult.OK) throw new AssertionError("round " + i);
                TcpSegment segment = decoded.segment();
                int length = segment.payloadLength();
                int first = i % length;
                segment.copyPayload(0, out, 0, first);
                segment.copyPayload(first, out, first, length - first);
                sink += length;
            }
        }
        return sink;
    }
}
