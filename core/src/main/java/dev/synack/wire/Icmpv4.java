package dev.synack.wire;

import static dev.synack.wire.Bytes.putU16;
import static dev.synack.wire.Bytes.u16;
import static dev.synack.wire.Bytes.u8;

import java.nio.ByteBuffer;

/**
 * The part of ICMP for IPv4 (RFC 792) a host needs to answer {@code ping}: recognising an echo
 * request and building its echo reply. The reply keeps the request's identifier, sequence number and
 * data (RFC 792, "Echo or Echo Reply Message": "The data received in the echo message must be
 * returned in the echo reply message"), swaps the addresses and carries a fresh checksum.
 */
public final class Icmpv4 {
    /** IPv4 protocol number of ICMP. */
    public static final int PROTOCOL = 1;
    public static final int TYPE_ECHO_REPLY = 0;
    public static final int TYPE_ECHO_REQUEST = 8;
    /** Type, code, checksum, identifier, sequence number. */
    public static final int ECHO_HEADER_LENGTH = 8;

    private static final int OFF_TYPE = 0;
    private static final int OFF_CODE = 1;
    private static final int OFF_CHECKSUM = 2;
    private static final int OFF_IDENTIFIER = 4;
    private static final int OFF_SEQUENCE = 6;

    private Icmpv4() {}

    /** True when the bytes at {@code packet}'s position start an IPv4 header whose protocol is ICMP. */
    public static boolean isIcmp(ByteBuffer packet) {
        int p = packet.position();
        return packet.remaining() >= Ipv4Header.MIN_LENGTH && Ipv4Header.version(packet, p) == Ipv4Header.VERSION
                && Ipv4Header.protocol(packet, p) == PROTOCOL;
    }

    /**
     * Why the IPv4 packet at {@code packet}'s position is not a well-formed, unfragmented echo request
     * (both checksums correct, sound IPv4 options), or null when it is one. Does not move the
     * position. An unsound option is reported as {@link ParseResult#BAD_IP_OPTION}'s reason, that
     * very string.
     */
    public static String echoRequestProblem(ByteBuffer packet) {
        String problem = messageProblem(packet, ECHO_HEADER_LENGTH, "ICMP message shorter than an echo header");
        if (problem != null) return problem;
        int icmp = packet.position() + Ipv4Header.ihl(packet, packet.position()) * 4;
        int type = u8(packet, icmp + OFF_TYPE);
        if (type != TYPE_ECHO_REQUEST) return "ICMP type " + type + " is not an echo request";
        if (u8(packet, icmp + OFF_CODE) != 0) return "echo request with code " + u8(packet, icmp + OFF_CODE);
        return null;
    }

    /**
     * Why the IPv4 packet at {@code packet}'s position is not a sound, unfragmented ICMP message of
     * at least {@code minimumLength} bytes ({@code tooShort} when shorter) with a correct checksum,
     * or null. Does not move the position.
     */
    static String messageProblem(ByteBuffer packet, int minimumLength, String tooShort) {
        int ip = packet.position();
        int available = packet.remaining();
        if (available < Ipv4Header.MIN_LENGTH) return "truncated packet";
        if (Ipv4Header.version(packet, ip) != Ipv4Header.VERSION) return "IP version is not 4";
        int headerLength = Ipv4Header.ihl(packet, ip) * 4;
        int totalLength = Ipv4Header.totalLength(packet, ip);
        if (headerLength < Ipv4Header.MIN_LENGTH) return "bad IPv4 header length";
        if (available < headerLength || available < totalLength) return "truncated packet";
        if (totalLength < headerLength + minimumLength) return tooShort;
        if (!Ipv4Header.checksumValid(packet, ip)) return "bad IPv4 header checksum";
        if (headerLength > Ipv4Header.MIN_LENGTH && !Ipv4Header.optionsValid(packet, ip)) return ParseResult.BAD_IP_OPTION.reason();
        if (Ipv4Header.isFragment(packet, ip)) return "IPv4 fragment (reassembly not supported)";
        if (Ipv4Header.protocol(packet, ip) != PROTOCOL) return "not an ICMP packet";
        // RFC 792: the checksum is the one's complement of the one's complement sum of the ICMP message.
        if (Checksum.fold(Checksum.add(0, packet, ip + headerLength, totalLength - headerLength)) != 0xffff) return "bad ICMP checksum";
        return null;
    }

    /**
     * Writes at {@code out}'s position the echo reply to {@code request} (which
     * {@link #echoRequestProblem} accepted), from {@code request}'s destination back to its source,
     * with time-to-live {@code ttl}. Returns the reply's length; {@code out}'s position is not moved.
     */
    public static int writeEchoReply(ByteBuffer request, ByteBuffer out, int ttl) {
        int ip = request.position();
        int headerLength = Ipv4Header.ihl(request, ip) * 4;
        int icmpLength = Ipv4Header.totalLength(request, ip) - headerLength;
        int replyLength = Ipv4Header.MIN_LENGTH + icmpLength;
        int o = out.position();
        if (out.limit() - o < replyLength) {
            throw new IndexOutOfBoundsException("no room for a " + replyLength + "-byte echo reply");
        }
        Ipv4Header.write(out, o, replyLength, ttl, PROTOCOL,
                /* sourceAddress= */ Ipv4Header.destinationAddress(request, ip),
                /* destinationAddress= */ Ipv4Header.sourceAddress(request, ip));
        int icmp = o + Ipv4Header.MIN_LENGTH;
        out.put(icmp, request, ip + headerLength, icmpLength);
        out.put(icmp + OFF_TYPE, (byte) TYPE_ECHO_REPLY);
        out.put(icmp + OFF_CODE, (byte) 0);
        putU16(out, icmp + OFF_CHECKSUM, 0);
        putU16(out, icmp + OFF_CHECKSUM, Checksum.compute(out, icmp, icmpLength));
        return replyLength;
    }

    /**
     * Writes an echo request (for tests and tools) at {@code out}'s position: IPv4 header, then type 8
     * with the identifier, sequence number and data given. Returns its length.
     */
    public static int writeEchoRequest(ByteBuffer out, int source, int destination, int ttl, int identifier,
                                       int sequence, byte[] data) {
        int length = Ipv4Header.MIN_LENGTH + ECHO_HEADER_LENGTH + data.length;
        int o = out.position();
        Ipv4Header.write(out, o, length, ttl, PROTOCOL, source, destination);
        int icmp = o + Ipv4Header.MIN_LENGTH;
        out.put(icmp + OFF_TYPE, (byte) TYPE_ECHO_REQUEST);
        out.put(icmp + OFF_CODE, (byte) 0);
        putU16(out, icmp + OFF_CHECKSUM, 0);
        putU16(out, icmp + OFF_IDENTIFIER, identifier);
        putU16(out, icmp + OFF_SEQUENCE, sequence);
        out.put(icmp + ECHO_HEADER_LENGTH, data);
        putU16(out, icmp + OFF_CHECKSUM, Checksum.compute(out, icmp, length - Ipv4Header.MIN_LENGTH));
        return length;
    }

    /** The ICMP type of the IPv4 packet at {@code packet}'s position (IHL taken into account). */
    public static int type(ByteBuffer packet) {
        int ip = packet.position();
        return u8(packet, ip + Ipv4Header.ihl(packet, ip) * 4 + OFF_TYPE);
    }

    /** The echo identifier of the IPv4 ICMP echo packet at {@code packet}'s position. */
    public static int identifier(ByteBuffer packet) {
        int ip = packet.position();
        return u16(packet, ip + Ipv4Header.ihl(packet, ip) * 4 + OFF_IDENTIFIER);
    }

    /** The echo sequence number of the IPv4 ICMP echo packet at {@code packet}'s position. */
    public static int sequence(ByteBuffer packet) {
        int ip = packet.position();
        return u16(packet, ip + Ipv4Header.ihl(packet, ip) * 4 + OFF_SEQUENCE);
    }
}
