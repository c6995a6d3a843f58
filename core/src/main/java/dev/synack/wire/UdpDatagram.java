package dev.synack.wire;

import java.nio.ByteBuffer;

/**
 * A UDP datagram (RFC 768) in an IPv4 or IPv6 packet, read in place into this reused object, or
 * written. The header is four 16-bit fields: source port, destination port, length (header and
 * data) and checksum, the one's complement sum of the pseudo-header (the TCP one, protocol 17),
 * the header and the data.
 *
 * <p>Checksums: over IPv4 a zero checksum means the sender computed none (RFC 768), and a
 * computed 0 is sent as 0xffff; over IPv6 the checksum is mandatory and a zero one is an error
 * (RFC 8200 §8.1). Nothing is allocated by {@link #read}.
 */
public final class UdpDatagram {
    public static final int PROTOCOL = 17;
    public static final int HEADER_LENGTH = 8;

    private long sourceHi;
    private long sourceLo;
    private long destinationHi;
    private long destinationLo;
    private int sourcePort;
    private int destinationPort;
    private int payloadOffset;
    private int payloadLength;
    /** The UDP header's absolute index in the packet last read. */
    private int udpOffset;

    public long sourceHi() { return sourceHi; }
    public long sourceLo() { return sourceLo; }
    public long destinationHi() { return destinationHi; }
    public long destinationLo() { return destinationLo; }
    public IpAddress source() { return IpAddress.of(sourceHi, sourceLo); }
    public IpAddress destination() { return IpAddress.of(destinationHi, destinationLo); }
    public int sourcePort() { return sourcePort; }
    public int destinationPort() { return destinationPort; }
    /** The data's absolute index and length in the packet last read. */
    public int payloadOffset() { return payloadOffset; }
    public int payloadLength() { return payloadLength; }
    public boolean isIpv6() { return !IpAddress.isIpv4(sourceHi, sourceLo); }

    /**
     * Whether the packet at {@code packet}'s position, whose IP header {@link PacketCodec#decode}
     * found sound (it answered {@link ParseResult#NOT_TCP}), carries UDP.
     */
    public static boolean isUdp(ByteBuffer packet) {
        return upperOffset(packet) >= 0;
    }

    /** Where the UDP header starts, or -1 when the packet is not UDP. */
    private static int upperOffset(ByteBuffer packet) {
        int ip = packet.position();
        if (!packet.hasRemaining()) return -1;
        int version = (packet.get(ip) & 0xf0) >>> 4;
        if (version == Ipv4Header.VERSION) {
            if (packet.remaining() < Ipv4Header.MIN_LENGTH || Ipv4Header.protocol(packet, ip) != PROTOCOL) return -1;
            return ip + Ipv4Header.ihl(packet, ip) * 4;
        }
        if (version != Ipv6Header.VERSION || packet.remaining() < Ipv6Header.LENGTH) return -1;
        int end = ip + Ipv6Header.LENGTH + Ipv6Header.payloadLength(packet, ip);
        if (end > packet.limit()) return -1;
        long walked = Ipv6Header.walk(packet, ip, end);
        if (Ipv6Header.failure(walked) != null || Ipv6Header.upperProtocol(walked) != PROTOCOL) return -1;
        return Ipv6Header.upperOffset(walked);
    }

    /**
     * Reads the UDP datagram of the packet at {@code packet}'s position (a sound IP header, see
     * {@link #isUdp}); returns null, or why it is dropped (truncated, a length that disagrees with
     * the IP packet's, a bad or, over IPv6, missing checksum). {@code verifyChecksum} false: the
     * link vouched for it.
     */
    public String read(ByteBuffer packet, boolean verifyChecksum) {
        int ip = packet.position();
        int udp = upperOffset(packet);
        if (udp < 0) return "not UDP";
        boolean v6 = Ipv6Header.version(packet, ip) == Ipv6Header.VERSION;
        int end = v6 ? ip + Ipv6Header.LENGTH + Ipv6Header.payloadLength(packet, ip) : ip + Ipv4Header.totalLength(packet, ip);
        if (end > packet.limit() || end - udp < HEADER_LENGTH) return "UDP: truncated header";
        int length = Bytes.u16(packet, udp + 4);
        if (length < HEADER_LENGTH || length > end - udp) return "UDP: length field " + length + " disagrees with the IP packet";
        if (v6) {
            sourceHi = Ipv6Header.sourceHi(packet, ip);
            sourceLo = Ipv6Header.sourceLo(packet, ip);
            destinationHi = Ipv6Header.destinationHi(packet, ip);
            destinationLo = Ipv6Header.destinationLo(packet, ip);
        } else {
            sourceHi = 0;
            sourceLo = IpAddress.ipv4Lo(Ipv4Header.sourceAddress(packet, ip));
            destinationHi = 0;
            destinationLo = IpAddress.ipv4Lo(Ipv4Header.destinationAddress(packet, ip));
        }
        int checksum = Bytes.u16(packet, udp + 6);
        if (checksum == 0 && v6) return "UDP over IPv6 without a checksum";
        if (verifyChecksum && checksum != 0
                && Checksum.fold(Checksum.add(pseudoHeader(sourceHi, sourceLo, destinationHi, destinationLo, length), packet, udp, length)) != 0xffff) {
            return "UDP: bad checksum";
        }
        udpOffset = udp;
        sourcePort = Bytes.u16(packet, udp);
        destinationPort = Bytes.u16(packet, udp + 2);
        payloadOffset = udp + HEADER_LENGTH;
        payloadLength = length - HEADER_LENGTH;
        return null;
    }

    /** The UDP header's absolute index in the packet last read. */
    public int udpOffset() { return udpOffset; }

    private static long pseudoHeader(long sourceHi, long sourceLo, long destinationHi, long destinationLo, int length) {
        if (IpAddress.isIpv4(sourceHi, sourceLo)) return Checksum.pseudoHeader((int) sourceLo, (int) destinationLo, PROTOCOL, length);
        return Checksum.pseudoHeader6(sourceHi, sourceLo, destinationHi, destinationLo, PROTOCOL, length);
    }

    /** The largest payload one datagram carries: what the IPv4 total length (or IPv6 payload length) leaves. */
    public static int maxPayload(boolean ipv6) {
        return ipv6 ? Ipv6Header.MAX_PAYLOAD_LENGTH - HEADER_LENGTH : Ipv4Header.MAX_TOTAL_LENGTH - Ipv4Header.MIN_LENGTH - HEADER_LENGTH;
    }

    /**
     * Writes at {@code out}'s position an IP packet carrying a UDP datagram from {@code source}:
     * {@code sourcePort} to {@code destination}:{@code destinationPort} (same family) with the bytes
     * of {@code payload} (position to limit, left unchanged), its checksum complete. Returns the
     * packet's length; no position moves.
     *
     * @throws IllegalArgumentException when the payload is larger than one datagram carries
     */
    public static int write(ByteBuffer out, IpAddress source, int sourcePort, IpAddress destination, int destinationPort,
                            ByteBuffer payload, int ttl) {
        boolean v6 = source.isIpv6();
        int data = payload.remaining();
        if (data > maxPayload(v6)) throw new IllegalArgumentException("a UDP datagram carries at most " + maxPayload(v6) + " bytes, not " + data);
        int length = HEADER_LENGTH + data;
        int o = out.position();
        int ipLength = v6 ? Ipv6Header.write(out, o, length, PROTOCOL, ttl, 0, source.hi(), source.lo(), destination.hi(), destination.lo())
                : Ipv4Header.write(out, o, Ipv4Header.MIN_LENGTH + length, ttl, PROTOCOL, source.ipv4(), destination.ipv4());
        int udp = o + ipLength;
        Bytes.putU16(out, udp, sourcePort);
        Bytes.putU16(out, udp + 2, destinationPort);
        Bytes.putU16(out, udp + 4, length);
        Bytes.putU16(out, udp + 6, 0);
        out.put(udp + HEADER_LENGTH, payload, payload.position(), data);
        int sum = Checksum.finish(Checksum.add(pseudoHeader(source.hi(), source.lo(), destination.hi(), destination.lo(), length), out, udp, length));
        // RFC 768: a computed checksum of zero is transmitted as all ones (zero means "none").
        Bytes.putU16(out, udp + 6, sum == 0 ? 0xffff : sum);
        return ipLength + length;
    }
}
