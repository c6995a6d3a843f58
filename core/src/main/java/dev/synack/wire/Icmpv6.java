package dev.synack.wire;

import static dev.synack.wire.Bytes.putU16;
import static dev.synack.wire.Bytes.u16;
import static dev.synack.wire.Bytes.u8;

import java.nio.ByteBuffer;

/**
 * The part of ICMPv6 (RFC 4443) a host needs for {@code ping6}: recognising an echo request and
 * building its echo reply (§4.1, §4.2: the reply carries the request's identifier, sequence number
 * and data), with the checksum over the IPv6 pseudo-header (§2.3). It also names the neighbour
 * discovery and multicast listener messages (RFC 4861, RFC 3810) a kernel sends down a
 * point-to-point TUN device, which such a link does not need answered.
 */
public final class Icmpv6 {
    /** IPv6 next-header value of ICMPv6. */
    public static final int NEXT_HEADER = 58;
    public static final int TYPE_DESTINATION_UNREACHABLE = 1;
    public static final int TYPE_PACKET_TOO_BIG = 2;
    public static final int TYPE_ECHO_REQUEST = 128;
    public static final int TYPE_ECHO_REPLY = 129;
    /** Type, code, checksum, identifier, sequence number. */
    public static final int ECHO_HEADER_LENGTH = 8;
    /** The hop limit this host's ICMPv6 messages carry (Linux's default, as for TCP). */
    public static final int DEFAULT_HOP_LIMIT = 64;

    private static final int OFF_TYPE = 0;
    private static final int OFF_CODE = 1;
    private static final int OFF_CHECKSUM = 2;
    private static final int OFF_IDENTIFIER = 4;
    private static final int OFF_SEQUENCE = 6;

    private Icmpv6() {}

    /** Where the ICMPv6 message of the IPv6 packet at {@code packet}'s position starts, or -1 when it carries none. */
    public static int messageOffset(ByteBuffer packet) {
        int ip = packet.position();
        if (packet.remaining() < Ipv6Header.LENGTH || Ipv6Header.version(packet, ip) != Ipv6Header.VERSION) return -1;
        int end = ip + Ipv6Header.LENGTH + Ipv6Header.payloadLength(packet, ip);
        if (end > packet.limit()) return -1;
        long walked = Ipv6Header.walk(packet, ip, end);
        if (Ipv6Header.failure(walked) != null || Ipv6Header.upperProtocol(walked) != NEXT_HEADER) return -1;
        int icmp = Ipv6Header.upperOffset(walked);
        return end - icmp < 4 ? -1 : icmp;
    }

    /** True when the bytes at {@code packet}'s position are an IPv6 packet carrying an ICMPv6 message. */
    public static boolean isIcmpv6(ByteBuffer packet) {
        return messageOffset(packet) >= 0;
    }

    /** The ICMPv6 type of the packet ({@link #isIcmpv6} must hold). */
    public static int type(ByteBuffer packet) { return u8(packet, messageOffset(packet) + OFF_TYPE); }

    /** The echo identifier of an ICMPv6 echo packet. */
    public static int identifier(ByteBuffer packet) { return u16(packet, messageOffset(packet) + OFF_IDENTIFIER); }

    /** The echo sequence number of an ICMPv6 echo packet. */
    public static int sequence(ByteBuffer packet) { return u16(packet, messageOffset(packet) + OFF_SEQUENCE); }

    /** Whether the message's checksum verifies over the pseudo-header and message (RFC 4443 §2.3). */
    public static boolean checksumValid(ByteBuffer packet) {
        int ip = packet.position();
        int icmp = messageOffset(packet);
        int length = ip + Ipv6Header.LENGTH + Ipv6Header.payloadLength(packet, ip) - icmp;
        long sum = Ipv6Header.pseudoHeaderSum(packet, ip, NEXT_HEADER, length);
        return Checksum.fold(Checksum.add(sum, packet, icmp, length)) == 0xffff;
    }

    /**
     * Neighbour discovery (router solicitation and advertisement, neighbour solicitation and
     * advertisement, redirect: types 133..137, RFC 4861 §4) and multicast listener messages (130..132
     * and 143, RFC 2710 and RFC 3810): what a kernel sends on bringing up an interface. A
     * point-to-point TUN device has no link-layer addresses to resolve, so a host there ignores them.
     */
    public static boolean isLinkHousekeeping(int type) {
        return (type >= 130 && type <= 137) || type == 143;
    }

    /**
     * Why the IPv6 packet at {@code packet}'s position is not a well-formed echo request, or null
     * when it is one.
     */
    public static String echoRequestProblem(ByteBuffer packet) {
        int icmp = messageOffset(packet);
        if (icmp < 0) return "not an ICMPv6 message";
        int ip = packet.position();
        int length = ip + Ipv6Header.LENGTH + Ipv6Header.payloadLength(packet, ip) - icmp;
        if (length < ECHO_HEADER_LENGTH) return "truncated ICMPv6 message";
        if (!checksumValid(packet)) return "bad ICMPv6 checksum";
        int type = u8(packet, icmp + OFF_TYPE);
        if (type != TYPE_ECHO_REQUEST) return "ICMPv6 type " + type + " is not an echo request";
        if (u8(packet, icmp + OFF_CODE) != 0) return "echo request with code " + u8(packet, icmp + OFF_CODE);
        return null;
    }

    /**
     * Writes at {@code out}'s position the echo reply to {@code request} (which
     * {@link #echoRequestProblem} accepted), from its destination back to its source, with no
     * extension headers. Returns the reply's length; {@code out}'s position is not moved.
     */
    public static int writeEchoReply(ByteBuffer request, ByteBuffer out, int hopLimit) {
        int ip = request.position();
        int icmp = messageOffset(request);
        int length = ip + Ipv6Header.LENGTH + Ipv6Header.payloadLength(request, ip) - icmp;
        int o = out.position();
        if (out.limit() - o < Ipv6Header.LENGTH + length) {
            throw new IndexOutOfBoundsException("no room for a " + (Ipv6Header.LENGTH + length) + "-byte echo reply");
        }
        Ipv6Header.write(out, o, length, NEXT_HEADER, hopLimit, 0,
                Ipv6Header.destinationHi(request, ip), Ipv6Header.destinationLo(request, ip),
                Ipv6Header.sourceHi(request, ip), Ipv6Header.sourceLo(request, ip));
        int reply = o + Ipv6Header.LENGTH;
        out.put(reply, request, icmp, length);
        out.put(reply + OFF_TYPE, (byte) TYPE_ECHO_REPLY);
        out.put(reply + OFF_CODE, (byte) 0);
        writeChecksum(out, o, reply, length);
        return Ipv6Header.LENGTH + length;
    }

    /**
     * Writes an echo request (for tests and tools) at {@code out}'s position: IPv6 header, then type
     * 128 with the identifier, sequence number and data given. Returns its length.
     */
    public static int writeEchoRequest(ByteBuffer out, IpAddress source, IpAddress destination, int hopLimit,
                                       int identifier, int sequence, byte[] data) {
        int length = ECHO_HEADER_LENGTH + data.length;
        int o = out.position();
        Ipv6Header.write(out, o, length, NEXT_HEADER, hopLimit, 0, source.hi(), source.lo(), destination.hi(), destination.lo());
        int icmp = o + Ipv6Header.LENGTH;
        out.put(icmp + OFF_TYPE, (byte) TYPE_ECHO_REQUEST);
        out.put(icmp + OFF_CODE, (byte) 0);
        putU16(out, icmp + OFF_IDENTIFIER, identifier);
        putU16(out, icmp + OFF_SEQUENCE, sequence);
        out.put(icmp + ECHO_HEADER_LENGTH, data);
        writeChecksum(out, o, icmp, length);
        return Ipv6Header.LENGTH + length;
    }

    /** RFC 4443 §2.4 (c): an error message is no longer than the minimum IPv6 MTU. */
    public static final int MAX_ERROR_LENGTH = 1280;

    /**
     * Writes at {@code out}'s position a packet too big (RFC 4443 §3.2) from {@code source} to the
     * sender of {@code invoking} (its IPv6 packet between position and limit), reporting {@code mtu}
     * and quoting as much of the invoking packet as the message's 1280 bytes hold. Returns its length.
     */
    public static int writePacketTooBig(ByteBuffer out, IpAddress source, ByteBuffer invoking, long mtu, int hopLimit) {
        return writeError(out, source, invoking, TYPE_PACKET_TOO_BIG, 0, (int) mtu, hopLimit);
    }

    /** RFC 4443 §3.1's code for a port with no listener ("port unreachable"). */
    public static final int CODE_PORT_UNREACHABLE = 4;

    /**
     * Writes at {@code out}'s position a destination unreachable, port unreachable (RFC 4443 §3.1,
     * code 4) from {@code source} to the sender of {@code invoking}, quoting as much of it as 1280
     * bytes hold. Returns its length.
     */
    public static int writePortUnreachable(ByteBuffer out, IpAddress source, ByteBuffer invoking, int hopLimit) {
        return writeError(out, source, invoking, TYPE_DESTINATION_UNREACHABLE, CODE_PORT_UNREACHABLE, 0, hopLimit);
    }

    /** An error message of {@code type} and {@code code} with {@code word} after the checksum (RFC 4443 §3). */
    private static int writeError(ByteBuffer out, IpAddress source, ByteBuffer invoking, int type, int code, int word, int hopLimit) {
        int ip = invoking.position();
        int quoted = Math.min(invoking.remaining(), MAX_ERROR_LENGTH - Ipv6Header.LENGTH - ERROR_HEADER_LENGTH);
        int length = ERROR_HEADER_LENGTH + quoted;
        int o = out.position();
        Ipv6Header.write(out, o, length, NEXT_HEADER, hopLimit, 0, source.hi(), source.lo(),
                Ipv6Header.sourceHi(invoking, ip), Ipv6Header.sourceLo(invoking, ip));
        int icmp = o + Ipv6Header.LENGTH;
        out.put(icmp + OFF_TYPE, (byte) type);
        out.put(icmp + OFF_CODE, (byte) code);
        out.putInt(icmp + 4, word);
        out.put(icmp + ERROR_HEADER_LENGTH, invoking, ip, quoted);
        writeChecksum(out, o, icmp, length);
        return Ipv6Header.LENGTH + length;
    }

    /**
     * An ICMPv6 error about a TCP segment this host sent (RFC 4443 §3.1 destination unreachable,
     * §3.2 packet too big): its type and code, the MTU a packet-too-big reports (0 otherwise), and
     * what the quoted packet says of the segment: its addresses (this host's first), ports and
     * sequence number, which the receiver checks against its connection before acting (RFC 5927).
     */
    public record ErrorReport(int type, int code, long mtu, IpAddress source, IpAddress destination, int sourcePort,
                              int destinationPort, int seq) {
        public boolean isPacketTooBig() { return type == TYPE_PACKET_TOO_BIG; }
    }

    /** Type, code, checksum and the 32-bit MTU or unused word, before the quoted packet (RFC 4443 §3). */
    private static final int ERROR_HEADER_LENGTH = 8;
    /** The TCP bytes an error must quote to name the segment: ports and sequence number (RFC 4443 §3 quotes far more). */
    private static final int QUOTED_TCP_BYTES = 8;

    /**
     * The error the ICMPv6 packet at {@code packet}'s position reports about a TCP segment, or null
     * when it is not a well-formed destination-unreachable or packet-too-big (checksum verified)
     * quoting enough of an IPv6 TCP segment (its fixed header, no extension headers, 8 bytes of TCP).
     */
    public static ErrorReport errorReport(ByteBuffer packet) {
        int icmp = messageOffset(packet);
        if (icmp < 0 || !checksumValid(packet)) return null;
        int type = u8(packet, icmp + OFF_TYPE);
        if (type != TYPE_DESTINATION_UNREACHABLE && type != TYPE_PACKET_TOO_BIG) return null;
        int end = packet.position() + Ipv6Header.LENGTH + Ipv6Header.payloadLength(packet, packet.position());
        int quoted = icmp + ERROR_HEADER_LENGTH;
        if (end - quoted < Ipv6Header.LENGTH + QUOTED_TCP_BYTES || Ipv6Header.version(packet, quoted) != Ipv6Header.VERSION
                || Ipv6Header.nextHeader(packet, quoted) != TcpPacket.PROTOCOL_TCP) {
            return null;
        }
        int tcp = quoted + Ipv6Header.LENGTH;
        return new ErrorReport(type, u8(packet, icmp + OFF_CODE),
                type == TYPE_PACKET_TOO_BIG ? Bytes.i32(packet, icmp + 4) & 0xffff_ffffL : 0,
                IpAddress.of(Ipv6Header.sourceHi(packet, quoted), Ipv6Header.sourceLo(packet, quoted)),
                IpAddress.of(Ipv6Header.destinationHi(packet, quoted), Ipv6Header.destinationLo(packet, quoted)),
                TcpHeader.sourcePort(packet, tcp), TcpHeader.destinationPort(packet, tcp), TcpHeader.seq(packet, tcp));
    }

    private static void writeChecksum(ByteBuffer out, int ip, int icmp, int length) {
        putU16(out, icmp + OFF_CHECKSUM, 0);
        long sum = Ipv6Header.pseudoHeaderSum(out, ip, NEXT_HEADER, length);
        putU16(out, icmp + OFF_CHECKSUM, Checksum.finish(Checksum.add(sum, out, icmp, length)));
    }
}
