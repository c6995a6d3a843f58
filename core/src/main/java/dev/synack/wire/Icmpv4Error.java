package dev.synack.wire;

import static dev.synack.wire.Bytes.i32;
import static dev.synack.wire.Bytes.putI32;
import static dev.synack.wire.Bytes.putU16;
import static dev.synack.wire.Bytes.u16;
import static dev.synack.wire.Bytes.u8;

import java.nio.ByteBuffer;

/**
 * ICMPv4 error messages (RFC 792) that quote a packet this host sent: destination unreachable
 * (every code of RFC 792 and RFC 1122 §3.2.2.1, with code 4's next-hop MTU of RFC 1191 §4), source
 * quench, redirect, time exceeded and parameter problem. A reusable view: {@link #parse} checks one
 * message and fills the fields, allocating nothing; {@link #write} builds one (for tests, the
 * simulator's routers and the script runner).
 *
 * <pre>
 * |     Type      |     Code      |          Checksum             |
 * |   unused (or pointer, or 0 + next-hop MTU, or gateway)        |
 * |  quoted IP header (IHL*4 bytes) + at least 8 bytes of its data |
 * </pre>
 *
 * The 8 quoted bytes of a TCP segment hold its ports and sequence number (RFC 792: "the first 64
 * bits of the original datagram's data ... used by the host to match the message to the
 * appropriate process"; RFC 5927 §4.1 on checking them).
 */
public final class Icmpv4Error {
    public static final int TYPE_DESTINATION_UNREACHABLE = 3;
    public static final int TYPE_SOURCE_QUENCH = 4;
    public static final int TYPE_REDIRECT = 5;
    public static final int TYPE_TIME_EXCEEDED = 11;
    public static final int TYPE_PARAMETER_PROBLEM = 12;

    /** Destination-unreachable codes (RFC 792, RFC 1122 §3.2.2.1, RFC 1812 §5.2.7.1). */
    public static final int CODE_NET_UNREACHABLE = 0;
    public static final int CODE_HOST_UNREACHABLE = 1;
    public static final int CODE_PROTOCOL_UNREACHABLE = 2;
    public static final int CODE_PORT_UNREACHABLE = 3;
    /** Fragmentation needed and DF set: the next-hop MTU is in the second word's low half (RFC 1191 §4). */
    public static final int CODE_FRAGMENTATION_NEEDED = 4;
    public static final int CODE_SOURCE_ROUTE_FAILED = 5;
    public static final int CODE_NET_UNKNOWN = 6;
    public static final int CODE_HOST_UNKNOWN = 7;
    public static final int CODE_HOST_ISOLATED = 8;
    public static final int CODE_NET_PROHIBITED = 9;
    public static final int CODE_HOST_PROHIBITED = 10;
    public static final int CODE_NET_UNREACHABLE_FOR_TOS = 11;
    public static final int CODE_HOST_UNREACHABLE_FOR_TOS = 12;
    public static final int CODE_PACKET_FILTERED = 13;
    public static final int CODE_PRECEDENCE_VIOLATION = 14;
    public static final int CODE_PRECEDENCE_CUTOFF = 15;

    /** Type, code, checksum and the second word. */
    public static final int HEADER_LENGTH = 8;
    /** What RFC 792 asks a router to quote beyond the IP header: the first 64 bits of the data. */
    public static final int QUOTED_DATA = 8;

    private static final int OFF_TYPE = 0;
    private static final int OFF_CODE = 1;
    private static final int OFF_CHECKSUM = 2;
    private static final int OFF_POINTER = 4;
    private static final int OFF_NEXT_HOP_MTU = 6;

    private int type;
    private int code;
    private int nextHopMtu;
    private int pointer;
    private int source;
    private int destination;
    private int ttl;
    private int quotedSource;
    private int quotedDestination;
    private int quotedProtocol;
    private int quotedSourcePort;
    private int quotedDestinationPort;
    private int quotedSequence;

    /** Whether {@code type} is one of the error messages this view reads. */
    public static boolean isErrorType(int type) {
        return type == TYPE_DESTINATION_UNREACHABLE || type == TYPE_SOURCE_QUENCH || type == TYPE_REDIRECT
                || type == TYPE_TIME_EXCEEDED || type == TYPE_PARAMETER_PROBLEM;
    }

    /**
     * Reads the IPv4 packet at {@code packet}'s position (position and limit unchanged) as an ICMP
     * error message; returns null when it is one and the fields are set, else why not. Checked: the
     * outer IPv4 header (length, checksum, options, not a fragment), the ICMP checksum, an error
     * type, and a quoted IPv4 header with at least {@link #QUOTED_DATA} bytes after it, as Linux's
     * icmp_rcv and icmp_unreach require. The quoted header's own checksum is not checked: a router
     * may have lowered its TTL (RFC 1812 §4.3.2.3).
     */
    public String parse(ByteBuffer packet) {
        String problem = Icmpv4.messageProblem(packet, HEADER_LENGTH, "ICMP message shorter than its header");
        if (problem != null) return problem;
        int ip = packet.position();
        int headerLength = Ipv4Header.ihl(packet, ip) * 4;
        int icmp = ip + headerLength;
        int icmpLength = Ipv4Header.totalLength(packet, ip) - headerLength;
        type = u8(packet, icmp + OFF_TYPE);
        if (!isErrorType(type)) return "ICMP type " + type + " is not an error message";
        code = u8(packet, icmp + OFF_CODE);
        pointer = u8(packet, icmp + OFF_POINTER);
        nextHopMtu = u16(packet, icmp + OFF_NEXT_HOP_MTU);
        int quoted = icmp + HEADER_LENGTH;
        int quotedLength = icmpLength - HEADER_LENGTH;
        if (quotedLength < Ipv4Header.MIN_LENGTH) return "ICMP error quotes no IPv4 header";
        if (Ipv4Header.version(packet, quoted) != Ipv4Header.VERSION) return "ICMP error quotes no IPv4 header";
        int quotedHeaderLength = Ipv4Header.ihl(packet, quoted) * 4;
        if (quotedHeaderLength < Ipv4Header.MIN_LENGTH) return "ICMP error quotes a bad IPv4 header length";
        if (quotedLength < quotedHeaderLength + QUOTED_DATA) return "ICMP error quotes less than 8 bytes of data";
        source = Ipv4Header.sourceAddress(packet, ip);
        destination = Ipv4Header.destinationAddress(packet, ip);
        ttl = Ipv4Header.ttl(packet, ip);
        quotedSource = Ipv4Header.sourceAddress(packet, quoted);
        quotedDestination = Ipv4Header.destinationAddress(packet, quoted);
        quotedProtocol = Ipv4Header.protocol(packet, quoted);
        int data = quoted + quotedHeaderLength;
        quotedSourcePort = u16(packet, data);
        quotedDestinationPort = u16(packet, data + 2);
        quotedSequence = i32(packet, data + 4);
        return null;
    }

    public int type() { return type; }
    public int code() { return code; }
    /** Code 4's next-hop MTU (RFC 1191 §4); 0 from a router older than RFC 1191, meaningless for other codes. */
    public int nextHopMtu() { return nextHopMtu; }
    /** A parameter problem's pointer to the offending octet (RFC 792). */
    public int pointer() { return pointer; }
    /** The router or host that sent the message. */
    public int source() { return source; }
    public int destination() { return destination; }
    public int ttl() { return ttl; }
    /** The quoted packet's source: this host, for a packet it sent. */
    public int quotedSource() { return quotedSource; }
    public int quotedDestination() { return quotedDestination; }
    public int quotedProtocol() { return quotedProtocol; }
    /** For a quoted TCP or UDP packet: its source port (this host's). */
    public int quotedSourcePort() { return quotedSourcePort; }
    public int quotedDestinationPort() { return quotedDestinationPort; }
    /** For a quoted TCP segment: its sequence number. */
    public int quotedSequence() { return quotedSequence; }

    /**
     * Writes at {@code out}'s position an ICMP error from {@code source} to {@code destination}
     * (TTL 64) quoting the first {@code quoteLength} bytes of the IPv4 packet at {@code original}'s
     * position (at most its total length; a router quotes at least its header and 8 bytes, RFC 792,
     * and may quote more, RFC 1812 §4.3.2.3). {@code secondWord} is the 32 bits after the checksum:
     * see {@link #fragmentationNeededWord}. Returns the message's length; no position moves.
     */
    public static int write(ByteBuffer out, int source, int destination, int type, int code, int secondWord,
                            ByteBuffer original, int quoteLength) {
        int ip = original.position();
        int quoted = Math.min(quoteLength, Math.min(original.remaining(), Ipv4Header.totalLength(original, ip)));
        int icmpLength = HEADER_LENGTH + quoted;
        int length = Ipv4Header.MIN_LENGTH + icmpLength;
        int o = out.position();
        if (out.limit() - o < length) throw new IndexOutOfBoundsException("no room for a " + length + "-byte ICMP error");
        Ipv4Header.write(out, o, length, 64, Icmpv4.PROTOCOL, source, destination);
        int icmp = o + Ipv4Header.MIN_LENGTH;
        out.put(icmp + OFF_TYPE, (byte) type);
        out.put(icmp + OFF_CODE, (byte) code);
        putU16(out, icmp + OFF_CHECKSUM, 0);
        putI32(out, icmp + OFF_POINTER, secondWord);
        out.put(icmp + HEADER_LENGTH, original, ip, quoted);
        putU16(out, icmp + OFF_CHECKSUM, Checksum.compute(out, icmp, icmpLength));
        return length;
    }

    /** The second word of a fragmentation-needed message: 16 bits unused, then the next-hop MTU (RFC 1191 §4). */
    public static int fragmentationNeededWord(int nextHopMtu) {
        return nextHopMtu & 0xffff;
    }

    /** RFC 792's quote of the IPv4 packet at {@code original}'s position: its header and the first 8 bytes of its data. */
    public static int minimalQuote(ByteBuffer original) {
        return Ipv4Header.ihl(original, original.position()) * 4 + QUOTED_DATA;
    }

    /**
     * Writes at {@code out}'s position an ICMP error that quotes a TCP segment described by its
     * fields, as a router would after dropping it: a 20-byte IPv4 header ({@code quotedSource} to
     * {@code quotedDestination}, total length {@code quotedTotalLength}) and the segment's first 8
     * bytes (ports and sequence number). For the script runner and tests. Returns the length.
     */
    public static int writeQuotingTcp(ByteBuffer out, int source, int destination, int type, int code, int secondWord,
                                      int quotedSource, int quotedDestination, int quotedTotalLength,
                                      int sourcePort, int destinationPort, int sequence) {
        int quoteLength = Ipv4Header.MIN_LENGTH + QUOTED_DATA;
        // Only the quoted part is filled: the total length names the whole segment, as in any router's quote.
        ByteBuffer original = ByteBuffer.allocate(Math.max(quotedTotalLength, quoteLength));
        Ipv4Header.write(original, 0, original.capacity(), 64, TcpPacket.PROTOCOL_TCP, quotedSource, quotedDestination);
        putU16(original, Ipv4Header.MIN_LENGTH, sourcePort);
        putU16(original, Ipv4Header.MIN_LENGTH + 2, destinationPort);
        putI32(original, Ipv4Header.MIN_LENGTH + 4, sequence);
        return write(out, source, destination, type, code, secondWord, original, quoteLength);
    }
}
