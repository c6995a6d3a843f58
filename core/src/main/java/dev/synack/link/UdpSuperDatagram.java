package dev.synack.link;

import dev.synack.wire.Checksum;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * A UDP super-datagram read from a TUN device that took UDP segmentation offload (TUN_F_USO4 and
 * TUN_F_USO6; virtio-net's GSO_UDP_L4): one IP and one UDP header before the payloads of several
 * datagrams of {@code gso_size} bytes each, the last possibly shorter, as a kernel socket using
 * UDP_SEGMENT hands them over in one send. It is cut into the datagrams it stands for, as the
 * kernel's own segmentation would cut it on a device without the offload (__udp_gso_segment): the
 * headers copied to each, the IP lengths and the UDP length set, an IPv4 identification advanced by
 * one per datagram and its header checksum recomputed, and the UDP checksum computed unless the
 * kernel answers for it.
 */
final class UdpSuperDatagram {
    static final int UDP = 17;
    private static final int UDP_HEADER = 8;

    private UdpSuperDatagram() {}

    /**
     * Cuts the super-datagram of {@code length} bytes at {@code ip} into datagrams of at most
     * {@code gsoSize} payload bytes, each handed to {@code out} as a packet of its own; returns how
     * many, or -1 (nothing handed on) when it is not a UDP packet over IPv4 or IPv6 without
     * extension headers, or its sizes do not add up. {@code checksumTrusted}: the UDP checksums
     * are left as they are (the kernel's word for them stands); otherwise each is computed.
     */
    static int cut(MemorySegment ip, int length, int gsoSize, boolean checksumTrusted, Consumer<ByteBuffer> out) {
        if (length < 28) return -1;
        int version = (ip.get(ValueLayout.JAVA_BYTE, 0) & 0xf0) >>> 4;
        int ipHeader;
        if (version == 4) {
            ipHeader = (ip.get(ValueLayout.JAVA_BYTE, 0) & 0x0f) * 4;
            if (ipHeader < 20 || ip.get(ValueLayout.JAVA_BYTE, 9) != UDP) return -1;
        } else if (version == 6) {
            ipHeader = 40;
            if (ip.get(ValueLayout.JAVA_BYTE, 6) != UDP) return -1;
        } else {
            return -1;
        }
        int headers = ipHeader + UDP_HEADER;
        if (gsoSize <= 0 || length <= headers || headers + gsoSize > 65_535) return -1;
        int payload = length - headers;
        int count = 0;
        int firstId = version == 4 ? ip.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN), 4) & 0xffff : 0;
        for (int at = 0; at < payload; at += gsoSize, count++) {
            int n = Math.min(gsoSize, payload - at);
            ByteBuffer d = ByteBuffer.allocate(headers + n);
            MemorySegment.copy(ip, ValueLayout.JAVA_BYTE, 0, d.array(), 0, headers);
            MemorySegment.copy(ip, ValueLayout.JAVA_BYTE, headers + at, d.array(), headers, n);
            if (version == 4) {
                d.putShort(2, (short) (headers + n));
                d.putShort(4, (short) (firstId + count));
                d.putShort(10, (short) 0);
                d.putShort(10, (short) Checksum.compute(d, 0, ipHeader));
            } else {
                d.putShort(4, (short) (UDP_HEADER + n));
            }
            d.putShort(ipHeader + 4, (short) (UDP_HEADER + n));
            if (!checksumTrusted) {
                d.putShort(ipHeader + 6, (short) 0);
                long pseudo = version == 4
                        ? Checksum.pseudoHeader(d.getInt(12), d.getInt(16), UDP, UDP_HEADER + n)
                        : Checksum.pseudoHeader6(d.getLong(8), d.getLong(16), d.getLong(24), d.getLong(32), UDP, UDP_HEADER + n);
                int sum = Checksum.finish(Checksum.add(pseudo, d, ipHeader, UDP_HEADER + n));
                // RFC 768: a computed checksum of zero is sent as all ones (zero means none).
                d.putShort(ipHeader + 6, (short) (sum == 0 ? 0xffff : sum));
            }
            out.accept(d);
        }
        return count;
    }
}
