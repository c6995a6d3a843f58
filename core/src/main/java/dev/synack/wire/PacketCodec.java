package dev.synack.wire;

import java.nio.ByteBuffer;

/**
 * Decodes and encodes IPv4 (RFC 791) and IPv6 (RFC 8200) packets carrying TCP (RFC 9293 §3.1).
 *
 * <p>Both directions work in place: {@link #decode} reads the fields where they stand and points the
 * segment's payload window into the input (see {@link TcpSegment#copyPayload}), {@link #encode}
 * writes straight into the output buffer. Neither allocates.
 */
public final class PacketCodec {
    private PacketCodec() {}

    /**
     * Parses the IPv4+TCP or IPv6+TCP packet between {@code packet}'s position and limit into {@code into}
     * (whose segment payload becomes a window into {@code packet}: no copy, nothing allocated; the
     * packet's bytes must stay put while the segment is in use). Never throws on bad input: returns
     * the reason instead. Does not move {@code packet}'s position.
     *
     * <p>Checks, in this order, the first failure deciding the result:
     * <ol>
     *   <li>{@link ParseResult#TRUNCATED}: fewer than 20 bytes;</li>
     *   <li>{@link ParseResult#NOT_IP}: version is neither 4 nor 6; version 6 goes on as
     *       {@code decodeIpv6} says (fixed header, extension headers, then the TCP checks below);</li>
     *   <li>{@link ParseResult#TRUNCATED}: fewer bytes than IHL*4 or than the total length (bytes past
     *       the total length, such as Ethernet padding, are ignored);</li>
     *   <li>{@link ParseResult#BAD_IP_HEADER_LENGTH}: IHL below 5 (RFC 791 §3.1);</li>
     *   <li>{@link ParseResult#BAD_TOTAL_LENGTH}: total length below IHL*4;</li>
     *   <li>{@link ParseResult#BAD_IP_CHECKSUM};</li>
     *   <li>{@link ParseResult#BAD_IP_OPTION}: an IPv4 option's length is below 2 or runs past the
     *       header ({@link Ipv4Header#optionsValid});</li>
     *   <li>{@link ParseResult#FRAGMENT}: MF set or a non-zero fragment offset (no reassembly);</li>
     *   <li>{@link ParseResult#NOT_TCP}: protocol is not 6;</li>
     *   <li>{@link ParseResult#TRUNCATED}: fewer than 20 bytes of TCP;</li>
     *   <li>{@link ParseResult#BAD_DATA_OFFSET}: data offset below 5 or past the segment's end;</li>
     *   <li>{@link ParseResult#BAD_TCP_CHECKSUM}: over the pseudo-header and segment (RFC 9293 §3.1);</li>
     *   <li>{@link ParseResult#BAD_OPTION_LENGTH}: see {@link TcpHeader#parseOptions}.</li>
     * </ol>
     * On {@link ParseResult#OK} {@code into} holds the addresses, TTL and segment; on any other result
     * its segment is cleared and its addresses and TTL are left as they were.
     */
    public static ParseResult decode(ByteBuffer packet, TcpPacket into) {
        return decode(packet, into, true);
    }

    /**
     * As {@link #decode(ByteBuffer, TcpPacket)}, skipping the TCP checksum check when
     * {@code verifyTcpChecksum} is false: for packets from a link that carried them unaltered from a
     * stack that left the checksum uncomputed (checksum offload, as on the kernel's loopback). The
     * IPv4 header checksum is always verified.
     */
    public static ParseResult decode(ByteBuffer packet, TcpPacket into, boolean verifyTcpChecksum) {
        ParseResult result = decodeInto(packet, into, verifyTcpChecksum);
        if (result != ParseResult.OK) into.segment().clear();
        return result;
    }

    private static ParseResult decodeInto(ByteBuffer packet, TcpPacket into, boolean verifyTcpChecksum) {
        int ip = packet.position();
        if (packet.remaining() < Ipv4Header.MIN_LENGTH) return ParseResult.TRUNCATED;
        return switch (Ipv4Header.version(packet, ip)) {
            case Ipv4Header.VERSION -> decodeIpv4(packet, ip, into, verifyTcpChecksum);
            case Ipv6Header.VERSION -> decodeIpv6(packet, ip, into, verifyTcpChecksum);
            default -> ParseResult.NOT_IP;
        };
    }

    private static ParseResult decodeIpv4(ByteBuffer packet, int ip, TcpPacket into, boolean verifyTcpChecksum) {
        int available = packet.remaining();
        int ipHeaderLength = Ipv4Header.ihl(packet, ip) * 4;
        int totalLength = Ipv4Header.totalLength(packet, ip);
        if (available < ipHeaderLength || available < totalLength) return ParseResult.TRUNCATED;
        if (ipHeaderLength < Ipv4Header.MIN_LENGTH) return ParseResult.BAD_IP_HEADER_LENGTH;
        if (totalLength < ipHeaderLength) return ParseResult.BAD_TOTAL_LENGTH;
        if (!Ipv4Header.checksumValid(packet, ip)) return ParseResult.BAD_IP_CHECKSUM;
        if (ipHeaderLength > Ipv4Header.MIN_LENGTH && !Ipv4Header.optionsValid(packet, ip)) return ParseResult.BAD_IP_OPTION;
        if (Ipv4Header.isFragment(packet, ip)) return ParseResult.FRAGMENT;
        if (Ipv4Header.protocol(packet, ip) != TcpPacket.PROTOCOL_TCP) return ParseResult.NOT_TCP;
        int tcpLength = totalLength - ipHeaderLength;
        int source = Ipv4Header.sourceAddress(packet, ip);
        int destination = Ipv4Header.destinationAddress(packet, ip);
        long pseudoHeader = Checksum.pseudoHeader(source, destination, TcpPacket.PROTOCOL_TCP, tcpLength);
        ParseResult result = decodeTcp(packet, ip + ipHeaderLength, tcpLength, verifyTcpChecksum ? pseudoHeader : -1, into);
        if (result == ParseResult.OK) {
            into.sourceAddress(source).destinationAddress(destination).ttl(Ipv4Header.ttl(packet, ip));
            into.segment().ecn(Ipv4Header.typeOfService(packet, ip));
        }
        return result;
    }

    /**
     * IPv6 (RFC 8200): a payload length that the bytes cover, an extension-header chain
     * {@link Ipv6Header#walk} accepts, TCP as the upper layer, and no IPv4-mapped address on the wire
     * (RFC 4291 §2.5.5.2: they stand for IPv4 nodes; as Linux's tcp_v6_rcv drops them), which also
     * keeps {@link IpAddress}'s mapping of IPv4 unambiguous.
     */
    private static ParseResult decodeIpv6(ByteBuffer packet, int ip, TcpPacket into, boolean verifyTcpChecksum) {
        if (packet.remaining() < Ipv6Header.LENGTH) return ParseResult.TRUNCATED;
        int end = ip + Ipv6Header.LENGTH + Ipv6Header.payloadLength(packet, ip);
        if (end > packet.limit()) return ParseResult.TRUNCATED;
        long walked = Ipv6Header.walk(packet, ip, end);
        ParseResult failure = Ipv6Header.failure(walked);
        if (failure != null) return failure;
        if (Ipv6Header.upperProtocol(walked) != TcpPacket.PROTOCOL_TCP) return ParseResult.NOT_TCP;
        long sourceHi = Ipv6Header.sourceHi(packet, ip), sourceLo = Ipv6Header.sourceLo(packet, ip);
        long destinationHi = Ipv6Header.destinationHi(packet, ip), destinationLo = Ipv6Header.destinationLo(packet, ip);
        if (IpAddress.isIpv4(sourceHi, sourceLo) || IpAddress.isIpv4(destinationHi, destinationLo)) {
            return ParseResult.BAD_IPV6_ADDRESS;
        }
        int tcp = Ipv6Header.upperOffset(walked);
        int tcpLength = end - tcp;
        long pseudoHeader = Checksum.pseudoHeader6(sourceHi, sourceLo, destinationHi, destinationLo,
                TcpPacket.PROTOCOL_TCP, tcpLength);
        ParseResult result = decodeTcp(packet, tcp, tcpLength, verifyTcpChecksum ? pseudoHeader : -1, into);
        if (result == ParseResult.OK) {
            into.source(sourceHi, sourceLo).destination(destinationHi, destinationLo)
                    .ttl(Ipv6Header.hopLimit(packet, ip)).flowLabel(Ipv6Header.flowLabel(packet, ip));
            into.segment().ecn(Ipv6Header.trafficClass(packet, ip));
        }
        return result;
    }

    /** The TCP segment of {@code tcpLength} bytes at {@code tcp}; its checksum verified unless {@code pseudoHeader} is -1. */
    private static ParseResult decodeTcp(ByteBuffer packet, int tcp, int tcpLength, long pseudoHeader, TcpPacket into) {
        if (tcpLength < TcpHeader.MIN_LENGTH) return ParseResult.TRUNCATED;
        int tcpHeaderLength = TcpHeader.dataOffset(packet, tcp) * 4;
        if (tcpHeaderLength < TcpHeader.MIN_LENGTH || tcpHeaderLength > tcpLength) return ParseResult.BAD_DATA_OFFSET;
        if (pseudoHeader != -1 && !TcpHeader.checksumValid(packet, tcp, tcpLength, pseudoHeader)) return ParseResult.BAD_TCP_CHECKSUM;

        TcpSegment segment = into.segment();
        ParseResult options = TcpHeader.parseOptions(packet, tcp + TcpHeader.MIN_LENGTH,
                tcpHeaderLength - TcpHeader.MIN_LENGTH, segment.options());
        if (options != ParseResult.OK) return options;
        segment.sourcePort(TcpHeader.sourcePort(packet, tcp))
                .destinationPort(TcpHeader.destinationPort(packet, tcp))
                .seq(TcpHeader.seq(packet, tcp))
                .ack(TcpHeader.ack(packet, tcp))
                .flags(TcpHeader.flags(packet, tcp))
                .window(TcpHeader.window(packet, tcp))
                .urgentPointer(TcpHeader.urgentPointer(packet, tcp));
        int payloadLength = tcpLength - tcpHeaderLength;
        segment.payload(packet, tcp + tcpHeaderLength, payloadLength);
        return ParseResult.OK;
    }

    /**
     * Writes {@code packet} as an IPv4 packet (20-byte header, DF set, ttl, header checksum) with its
     * TCP segment (options padded to a multiple of four bytes, checksum over the pseudo-header) at
     * {@code out}'s position, advancing it. Returns the number of bytes written. The payload's bytes
     * are copied from its window (see {@link TcpSegment#payload(ByteBuffer)}).
     *
     * @throws IllegalArgumentException if the packet would exceed 65535 bytes or its options cannot
     *     be encoded (see {@link TcpHeader#write}), or {@code out} has too little room; nothing is
     *     written then
     */
    public static int encode(TcpPacket packet, ByteBuffer out) {
        return encode(packet, out, true);
    }

    /**
     * As {@link #encode(TcpPacket, ByteBuffer)}; when {@code tcpChecksum} is false the TCP checksum
     * field is left zero (checksum offload: only for a link that carries the bytes unaltered to
     * receivers that are told not to verify it). The IPv4 header checksum is always written.
     */
    public static int encode(TcpPacket packet, ByteBuffer out, boolean tcpChecksum) {
        int length = encodedLength(packet);
        if (out.remaining() < length) {
            throw new IllegalArgumentException("packet needs " + length + " bytes, buffer has " + out.remaining());
        }
        TcpSegment segment = packet.segment();
        int ip = out.position();
        boolean v6 = packet.isIpv6();
        int tcp = ip + (v6
                ? Ipv6Header.write(out, ip, length - Ipv6Header.LENGTH, TcpPacket.PROTOCOL_TCP, packet.ttl(), segment.ecn(), packet.flowLabel(),
                        packet.sourceHi(), packet.sourceLo(), packet.destinationHi(), packet.destinationLo())
                : Ipv4Header.write(out, ip, length, segment.ecn(), packet.ttl(), TcpPacket.PROTOCOL_TCP,
                        packet.sourceAddress(), packet.destinationAddress()));
        int tcpHeaderLength = TcpHeader.write(segment, out, tcp);
        segment.copyPayload(0, out, tcp + tcpHeaderLength, segment.payloadLength());
        if (tcpChecksum) {
            int tcpLength = ip + length - tcp;
            TcpHeader.writeChecksum(out, tcp, tcpLength, v6
                    ? Checksum.pseudoHeader6(packet.sourceHi(), packet.sourceLo(), packet.destinationHi(), packet.destinationLo(),
                            TcpPacket.PROTOCOL_TCP, tcpLength)
                    : Checksum.pseudoHeader(packet.sourceAddress(), packet.destinationAddress(), TcpPacket.PROTOCOL_TCP, tcpLength));
        }
        out.position(ip + length);
        return length;
    }

    /**
     * Bytes {@link #encode} will write for this packet.
     *
     * @throws IllegalArgumentException as {@link #encode} does for a packet it cannot write
     */
    public static int encodedLength(TcpPacket packet) {
        TcpSegment segment = packet.segment();
        int tcpLength = TcpHeader.headerLength(segment) + segment.payloadLength();
        if (packet.isIpv6()) {
            if (tcpLength > Ipv6Header.MAX_PAYLOAD_LENGTH) {
                throw new IllegalArgumentException("segment of " + tcpLength + " bytes exceeds the IPv6 payload maximum of "
                        + Ipv6Header.MAX_PAYLOAD_LENGTH + " (payload " + segment.payloadLength() + ")");
            }
            return Ipv6Header.LENGTH + tcpLength;
        }
        int length = Ipv4Header.MIN_LENGTH + tcpLength;
        if (length > Ipv4Header.MAX_TOTAL_LENGTH) {
            throw new IllegalArgumentException("packet of " + length + " bytes exceeds the IPv4 maximum of "
                    + Ipv4Header.MAX_TOTAL_LENGTH + " (payload " + segment.payloadLength() + ")");
        }
        return length;
    }
}
