package dev.synack.link;

import dev.synack.wire.Checksum;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The virtio-net header (struct virtio_net_hdr, linux/virtio_net.h: 10 bytes) in front of every
 * packet read from or written to a TUN device opened with IFF_VNET_HDR. It says what the kernel
 * left undone: a TCP checksum to complete ({@link #NEEDS_CSUM}: the checksum field holds only the
 * pseudo-header's sum) and whether the packet is a super-segment to be cut into {@code gso_size}
 * pieces ({@link #GSO_TCPV4}, {@link #GSO_TCPV6}). Fields are little-endian (virtio 1.0, and the
 * legacy format on little-endian machines, the only ones TunLink runs on).
 */
final class VirtioNetHeader {
    static final int SIZE = 10;
    /** flags: the checksum from csum_start to the end is to be computed and stored at csum_start + csum_offset. */
    static final int NEEDS_CSUM = 1;
    /** flags: the packet's checksums were checked already (a packet the kernel forwards from a device that checked them). */
    static final int DATA_VALID = 2;
    static final int GSO_NONE = 0;
    static final int GSO_TCPV4 = 1;
    static final int GSO_TCPV6 = 4;
    /** gso_type: a UDP super-datagram, to be cut into datagrams of gso_size payload bytes (USO). */
    static final int GSO_UDP_L4 = 5;
    /** gso_type's flag: the super-segment carries CWR, to be kept on the first piece only. */
    static final int GSO_ECN = 0x80;

    private static final int TCP = 6;
    private static final int UDP = 17;
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int FLAGS = 0;
    private static final int GSO_TYPE = 1;
    private static final int HDR_LEN = 2;
    private static final int GSO_SIZE = 4;
    private static final int CSUM_START = 6;
    private static final int CSUM_OFFSET = 8;

    private VirtioNetHeader() {}

    /** Writes a header that asks nothing of the kernel (the packet is complete and no larger than the MTU). */
    static void writeNone(ByteBuffer frame) {
        frame.putLong(0, 0L);
        frame.putShort(8, (short) 0);
    }

    /**
     * Writes a header that leaves the TCP checksum to the kernel: it is to be completed from
     * {@code csumStart} (its field at {@code csumOffset} beyond, holding the pseudo-header's sum);
     * with a {@code gsoType} other than {@link #GSO_NONE}, the packet is a super-segment to be cut
     * into pieces of {@code gsoSize} payload bytes behind {@code headerLength} bytes of IP and TCP
     * header. {@code le}: the frame, little-endian.
     */
    static void writeChecksumLeft(ByteBuffer le, int gsoType, int headerLength, int gsoSize, int csumStart,
                                  int csumOffset) {
        assert le.order() == ByteOrder.LITTLE_ENDIAN;
        le.put(FLAGS, (byte) NEEDS_CSUM);
        le.put(GSO_TYPE, (byte) gsoType);
        le.putShort(HDR_LEN, (short) headerLength);
        le.putShort(GSO_SIZE, (short) gsoSize);
        le.putShort(CSUM_START, (short) csumStart);
        le.putShort(CSUM_OFFSET, (short) csumOffset);
    }

    static int gsoType(MemorySegment header) {
        return header.get(ValueLayout.JAVA_BYTE, GSO_TYPE) & 0xff & ~GSO_ECN;
    }

    static int gsoSize(MemorySegment header) {
        return header.get(U16, GSO_SIZE) & 0xffff;
    }

    /**
     * Whether the kernel answers for the TCP or UDP checksum of this packet ({@code length} bytes of
     * IP at {@code ip}): it left the checksum for the device to compute ({@link #NEEDS_CSUM}: the
     * packet never left this machine, so the bytes cannot have been damaged on a wire) or had it
     * checked already ({@link #DATA_VALID}). A virtio-net driver takes such packets without
     * computing or verifying anything (CHECKSUM_PARTIAL, CHECKSUM_UNNECESSARY); so does synack.
     * Other protocols (and IPv6 packets with extension headers) are not vouched for here: their
     * checksum is completed ({@link #completeChecksum}) and verified.
     */
    static boolean vouchesForTransportChecksum(MemorySegment header, MemorySegment ip, int length) {
        if ((header.get(ValueLayout.JAVA_BYTE, FLAGS) & (NEEDS_CSUM | DATA_VALID)) == 0 || length < 28) return false;
        int version = (ip.get(ValueLayout.JAVA_BYTE, 0) & 0xf0) >>> 4;
        int protocol = version == 4 ? ip.get(ValueLayout.JAVA_BYTE, 9) : version == 6 ? ip.get(ValueLayout.JAVA_BYTE, 6) : -1;
        return protocol == TCP || protocol == UDP;
    }

    /**
     * Completes the checksum the kernel left partial, when the header says so: the one's complement
     * sum from csum_start to the end of the packet ({@code length} bytes after the header) goes at
     * csum_start + csum_offset. False when the header's offsets do not fit in the packet.
     */
    static boolean completeChecksum(MemorySegment header, MemorySegment packet, int length) {
        if ((header.get(ValueLayout.JAVA_BYTE, FLAGS) & NEEDS_CSUM) == 0) return true;
        int start = header.get(U16, CSUM_START) & 0xffff;
        int field = start + (header.get(U16, CSUM_OFFSET) & 0xffff);
        if (start >= length || field + 2 > length) return false;
        long sum = Checksum.add(0, packet.asByteBuffer(), start, length - start);
        packet.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), field, (short) Checksum.finish(sum));
        return true;
    }
}
