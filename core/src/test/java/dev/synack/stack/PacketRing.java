package dev.synack.stack;

import java.nio.ByteBuffer;

/**
 * A link for driving two stacks on one thread without allocating: a FIFO of preallocated packet
 * buffers. {@link #transmit} copies a packet into the next free buffer; {@link #pump} delivers
 * every queued packet, in order, to the stack it is addressed to. Used where allocation per packet
 * is measured (NetStackAllocationTest, the JMH bulk-transfer benchmark).
 */
public final class PacketRing implements PacketTransmitter {
    private final ByteBuffer[] packets;
    private int head;
    private int size;
    /** Packets that found the ring full (a lost packet makes an allocation figure meaningless). */
    private long overflows;

    /** Room for two full windows of segments each way, each buffer one packet of the MSS plus headers. */
    public PacketRing(int mss, int buffer) {
        int slots = 4 * (buffer / mss + 1) + 64;
        packets = new ByteBuffer[slots];
        for (int i = 0; i < slots; i++) packets[i] = ByteBuffer.allocate(mss + 120);
    }

    public long overflows() { return overflows; }

    @Override
    public void transmit(NetStack from, ByteBuffer packet) {
        if (size == packets.length) {
            overflows++;
            return;
        }
        ByteBuffer slot = packets[(head + size++) % packets.length];
        int length = packet.remaining();
        slot.clear();
        slot.put(0, packet, packet.position(), length).limit(length); // absolute: no view allocated
    }

    /** Whether the packet (at index 0) is addressed to {@code s}: by its IPv4 destination, or its IPv6 one's low half. */
    private static boolean isFor(ByteBuffer p, NetStack s) {
        return (p.get(0) & 0xf0) == 0x60 ? p.getLong(32) == s.ipv6Address().lo() : p.getInt(16) == s.address();
    }

    /** Delivers every queued packet (and those the deliveries send) to its destination stack. */
    public void pump(NetStack a, NetStack b) {
        while (size > 0) {
            ByteBuffer p = packets[head];
            head = (head + 1) % packets.length;
            size--;
            (isFor(p, a) ? a : b).deliver(p);
        }
    }
}
