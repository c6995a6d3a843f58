package dev.synack.link;

import dev.synack.wire.Checksum;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Joins the TCP segments a stack sends in a burst into super-segments for a TUN device with a
 * virtio-net header, as generic receive offload joins them on a card (what gVisor and wireguard-go do
 * before their TUN writes): one write and one trip through the kernel's stack carry up to 64 KiB,
 * and the kernel cuts them back into the original segments only if it must (it forwards them),
 * otherwise its TCP takes the super-segment whole.
 *
 * <p>A segment joins the one being built when it continues it exactly: IPv4 without options (the
 * same addresses, TOS, TTL and DF) or IPv6 without extension headers (the same addresses, traffic
 * class, flow label and hop limit), the same ports, ACK, window and TCP options (timestamps
 * included), its sequence number where the last one ended, a payload no longer than the first one's
 * (that length is the {@code gso_size} the kernel cuts at), and only ACK set on the segments before
 * it (PSH or FIN may end the last one, as the kernel's segmentation leaves them on the last piece).
 * Anything else (pure ACKs, SYN, RST, other protocols) goes out alone, after what was being built.
 * The frame holds the header and the packet being built; {@link #flush} writes it.
 *
 * <p>Checksums: the stack leaves TCP checksums to the device ({@link TunLink#offloadsTcpChecksums}),
 * as the kernel's TCP leaves them to a card with checksum offload: every TCP packet, alone or
 * joined, goes out with only the pseudo-header's sum in its checksum field and a header asking the
 * kernel to complete it (NEEDS_CSUM), which the kernel does only where it must (a packet it
 * forwards out of a device without the offload); its own TCP takes it as checked.
 */
final class SegmentCoalescer {
    /** Writes {@code length} bytes of the frame (header included). */
    @FunctionalInterface
    interface FrameWriter {
        void write(int length);
    }

    private static final int IP = VirtioNetHeader.SIZE;
    private static final int IPV4_HEADER = 20;
    private static final int IPV6_HEADER = 40;
    private static final int PROTOCOL_TCP = 6;
    private static final int FLAGS_OFFSET = 13;
    private static final int ACK = 0x10;
    private static final int PSH = 0x08;
    private static final int FIN = 0x01;
    /** What the kernel takes in one GSO packet (an IPv4 packet's total length) and in pieces (gso_max_segs is larger). */
    private static final int MAX_PACKET = 65_535;
    private static final int MAX_SEGMENTS = 64;

    private final ByteBuffer frame;
    /** The frame in the header's byte order. */
    private final ByteBuffer frameLittleEndian;
    private final FrameWriter writer;
    /** Bytes of the IP packet being built (0: none). */
    private int length;
    private int segments;
    private int gsoSize;
    private int tcpHeaderLength;
    /** The IP header of the packet being built: 20 (IPv4) or 40 (IPv6). */
    private int ipHeaderLength;
    private int nextSeq;
    /** Super-segments written so far. */
    private long superSegments;

    /** {@code frame}: the device's write buffer, at least header plus 64 KiB. */
    SegmentCoalescer(ByteBuffer frame, FrameWriter writer) {
        this.frame = frame.duplicate().order(ByteOrder.BIG_ENDIAN);
        this.frameLittleEndian = frame.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        this.writer = writer;
    }

    /**
     * Adds {@code packet} (position to limit): joined to the one being built, or written after it.
     * {@code checksumLeft}: the sender left the TCP checksum for the device (the field is to be
     * overwritten with the pseudo-header's sum and the kernel asked to complete it); otherwise the
     * packet is written exactly as it came, never joined, so that bytes damaged on purpose (a fault
     * injector in front of the device) reach the kernel damaged.
     */
    void add(ByteBuffer packet, boolean checksumLeft) {
        int at = packet.position();
        int n = packet.remaining();
        if (!checksumLeft) {
            flush();
            copyIn(packet, at, n);
            writer.write(IP + n);
            return;
        }
        int ip = tcpHeaderOffset(packet, at, n);
        int tcpHeader = ip == 0 ? 0 : (packet.get(at + ip + 12) & 0xf0) >>> 2;
        int payload = ip == 0 ? 0 : n - ip - tcpHeader;
        boolean joinable = payload > 0 && isJoinable(packet, at, ip);
        if (joinable && length > 0 && continues(packet, at, n, ip, payload)) {
            append(packet, at, n, payload);
            return;
        }
        flush();
        copyIn(packet, at, n);
        if (joinable && (packet.get(at + ip + FLAGS_OFFSET) & 0xff) == ACK) { // PSH or FIN only ends one
            start(packet, at, ip, payload);
            return;
        }
        if (ip != 0) leaveChecksum(ip, n, ip + tcpHeader, VirtioNetHeader.GSO_NONE, 0);
        writer.write(IP + n);
    }

    /** Writes what is being built, if anything. */
    void flush() {
        if (length == 0) return;
        if (segments == 1) {
            leaveChecksum(ipHeaderLength, length, ipHeaderLength + tcpHeaderLength, VirtioNetHeader.GSO_NONE, 0);
        } else {
            finishSuperSegment();
            superSegments++;
        }
        int n = IP + length;
        length = 0;
        segments = 0;
        writer.write(n);
    }

    /** How many super-segments (more than one segment joined) were written. */
    long superSegments() { return superSegments; }

    /** True while a packet is being built (to be written by {@link #flush}). */
    boolean holdsPacket() { return length > 0; }

    /**
     * The IP header length of a TCP packet that is whole and consistent (IPv4 not fragmented, its
     * total length the packet's; IPv6 with TCP as the next header and its payload length the
     * packet's; room for a TCP header); 0 for any other packet, which is written as it came.
     */
    private static int tcpHeaderOffset(ByteBuffer p, int at, int n) {
        if (n < IPV4_HEADER + 20) return 0;
        int version = (p.get(at) & 0xf0) >>> 4;
        int ip;
        if (version == 4) {
            ip = (p.get(at) & 0x0f) * 4;
            if (ip < IPV4_HEADER || (p.get(at + 9) & 0xff) != PROTOCOL_TCP) return 0;
            if ((p.getShort(at + 6) & 0x3fff) != 0 || (p.getShort(at + 2) & 0xffff) != n) return 0; // fragments, padding
        } else if (version == 6) {
            ip = IPV6_HEADER;
            if ((p.get(at + 6) & 0xff) != PROTOCOL_TCP || (p.getShort(at + 4) & 0xffff) != n - IPV6_HEADER) return 0;
        } else {
            return 0;
        }
        int tcpHeader = n < ip + 20 ? 0 : (p.get(at + ip + 12) & 0xf0) >>> 2;
        return tcpHeader < 20 || ip + tcpHeader > n ? 0 : ip;
    }

    /**
     * Whether a TCP packet with an IP header of {@code ip} bytes could join or start a
     * super-segment: IPv4 without options (IPv6 has no extension headers here), ACK set and
     * nothing but PSH or FIN beside it.
     */
    private static boolean isJoinable(ByteBuffer p, int at, int ip) {
        boolean plainIpHeader = ip == IPV4_HEADER || (p.get(at) & 0xf0) == 0x60;
        if (!plainIpHeader) return false;
        int flags = p.get(at + ip + FLAGS_OFFSET) & 0xff;
        return (flags & ~(PSH | FIN)) == ACK;
    }

    /** Whether {@code p}, with an IP header of {@code ip} bytes, continues the super-segment being built. */
    private boolean continues(ByteBuffer p, int at, int n, int ip, int payload) {
        if (ip != ipHeaderLength || payload > gsoSize || length + payload > MAX_PACKET || segments == MAX_SEGMENTS) return false;
        if (n - payload != ip + tcpHeaderLength || p.getInt(at + ip + 4) != nextSeq) return false;
        if (ip == IPV4_HEADER) {
            // Version, IHL and TOS; DF; TTL and protocol; both addresses (length, ID and checksum may differ).
            if (p.getShort(at) != frame.getShort(IP) || p.getShort(at + 6) != frame.getShort(IP + 6)
                    || p.getShort(at + 8) != frame.getShort(IP + 8) || p.getLong(at + 12) != frame.getLong(IP + 12)) {
                return false;
            }
        } else {
            // Version, traffic class and flow label; next header and hop limit; both addresses (the length may differ).
            if (p.getInt(at) != frame.getInt(IP) || p.getShort(at + 6) != frame.getShort(IP + 6)) return false;
            for (int i = 8; i < IPV6_HEADER; i += 8) {
                if (p.getLong(at + i) != frame.getLong(IP + i)) return false;
            }
        }
        // TCP: ports; ACK; data offset; window; urgent pointer; options (sequence, flags and checksum may differ).
        int tcp = at + ip;
        int own = IP + ip;
        if (p.getInt(tcp) != frame.getInt(own) || p.getInt(tcp + 8) != frame.getInt(own + 8)
                || p.get(tcp + 12) != frame.get(own + 12) || p.getShort(tcp + 14) != frame.getShort(own + 14)
                || p.getShort(tcp + 18) != frame.getShort(own + 18)) {
            return false;
        }
        for (int i = 20; i < tcpHeaderLength; i++) {
            if (p.get(tcp + i) != frame.get(own + i)) return false;
        }
        return true;
    }

    private void copyIn(ByteBuffer p, int at, int n) {
        VirtioNetHeader.writeNone(frame);
        frame.put(IP, p, at, n);
    }

    private void start(ByteBuffer p, int at, int ip, int payload) {
        length = p.remaining();
        segments = 1;
        gsoSize = payload;
        ipHeaderLength = ip;
        tcpHeaderLength = length - ip - payload;
        nextSeq = p.getInt(at + ip + 4) + payload;
    }

    private void append(ByteBuffer p, int at, int n, int payload) {
        frame.put(IP + length, p, at + n - payload, payload);
        length += payload;
        segments++;
        nextSeq += payload;
        int flags = p.get(at + ipHeaderLength + FLAGS_OFFSET) & 0xff;
        if (flags != ACK || payload < gsoSize) {
            // The last piece: its PSH or FIN goes on the super-segment (the kernel keeps them on the last piece only).
            frame.put(IP + ipHeaderLength + FLAGS_OFFSET, (byte) flags);
            flush();
        }
    }

    /**
     * The IP length (and, for IPv4, the header checksum) for the whole, and a header asking the
     * kernel to complete the TCP checksum and to cut {@code gso_size} pieces when it must.
     */
    private void finishSuperSegment() {
        if (ipHeaderLength == IPV4_HEADER) {
            frame.putShort(IP + 2, (short) length);
            frame.putShort(IP + 10, (short) 0);
            frame.putShort(IP + 10, (short) Checksum.finish(Checksum.add(0, frame, IP, IPV4_HEADER)));
        } else {
            frame.putShort(IP + 4, (short) (length - IPV6_HEADER));
        }
        leaveChecksum(ipHeaderLength, length, ipHeaderLength + tcpHeaderLength,
                ipHeaderLength == IPV4_HEADER ? VirtioNetHeader.GSO_TCPV4 : VirtioNetHeader.GSO_TCPV6, gsoSize);
    }

    /**
     * RFC 9293 §3.1 checksum, left to the kernel as a device leaves it to the card: the TCP
     * checksum field of the frame's packet ({@code packetLength} bytes, its TCP header at
     * {@code ip}) holds only the pseudo-header's sum, and the header asks for the rest
     * (NEEDS_CSUM from {@code ip}; {@code gsoType}/{@code gsoSize} as for {@link VirtioNetHeader#writeChecksumLeft}).
     */
    private void leaveChecksum(int ip, int packetLength, int headerLength, int gsoType, int gsoSize) {
        int tcpLength = packetLength - ip;
        long pseudo = (frame.get(IP) & 0xf0) == 0x40
                ? Checksum.pseudoHeader(frame.getInt(IP + 12), frame.getInt(IP + 16), PROTOCOL_TCP, tcpLength)
                : Checksum.pseudoHeader6(frame.getLong(IP + 8), frame.getLong(IP + 16), frame.getLong(IP + 24),
                        frame.getLong(IP + 32), PROTOCOL_TCP, tcpLength);
        frame.putShort(IP + ip + 16, (short) Checksum.fold(pseudo));
        VirtioNetHeader.writeChecksumLeft(frameLittleEndian, gsoType, headerLength, gsoSize, ip, 16);
    }
}
