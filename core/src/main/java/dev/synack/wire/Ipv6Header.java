package dev.synack.wire;

import static dev.synack.wire.Bytes.i32;
import static dev.synack.wire.Bytes.i64;
import static dev.synack.wire.Bytes.putI32;
import static dev.synack.wire.Bytes.putI64;
import static dev.synack.wire.Bytes.putU16;
import static dev.synack.wire.Bytes.u16;
import static dev.synack.wire.Bytes.u8;

import java.nio.ByteBuffer;

/**
 * The IPv6 fixed header of RFC 8200 §3 and its extension-header chain (§4), read and written in place
 * by static methods at absolute indexes (nothing allocated, positions and limits untouched).
 *
 * <pre>
 * |Version| Traffic Class |           Flow Label                  |
 * |         Payload Length        |  Next Header  |   Hop Limit   |
 * |                Source Address (128 bits)                      |
 * |             Destination Address (128 bits)                    |
 * </pre>
 *
 * <p>{@link #walk} follows the chain to the upper-layer header. As a host that neither forwards nor
 * reassembles: Hop-by-Hop Options (only first, §4.3), Destination Options (§4.6) and a Routing header
 * with no segments left (§4.4) are skipped; an option whose type asks for the packet to be discarded
 * (its two high bits not 00, §4.2) drops it; a Fragment header drops it (TCP never needs one: every
 * segment fits the path), as does a Routing header with segments left (this host would have to
 * forward it), "No Next Header" (59) and any header it does not know (ESP, AH, Mobility ...).
 */
public final class Ipv6Header {
    public static final int LENGTH = 40;
    public static final int VERSION = 6;
    /** The most payload the 16-bit payload length can describe (no jumbograms). */
    public static final int MAX_PAYLOAD_LENGTH = 0xffff;
    public static final int HOP_BY_HOP = 0;
    public static final int ROUTING = 43;
    public static final int FRAGMENT = 44;
    public static final int NO_NEXT_HEADER = 59;
    public static final int DESTINATION_OPTIONS = 60;

    private static final int OFF_PAYLOAD_LENGTH = 4;
    private static final int OFF_NEXT_HEADER = 6;
    private static final int OFF_HOP_LIMIT = 7;
    private static final int OFF_SOURCE = 8;
    private static final int OFF_DESTINATION = 24;
    private static final int FLOW_LABEL_MASK = 0xfffff;
    private static final int OPTION_PAD1 = 0;
    private static final int OPTION_PADN = 1;
    /** RFC 2711's Router Alert, which the kernel's MLD reports carry in their Hop-by-Hop header. */
    private static final int OPTION_ROUTER_ALERT = 5;

    private Ipv6Header() {}

    public static int version(ByteBuffer b, int offset) { return u8(b, offset) >>> 4; }
    public static int trafficClass(ByteBuffer b, int offset) { return (i32(b, offset) >>> 20) & 0xff; }
    public static int flowLabel(ByteBuffer b, int offset) { return i32(b, offset) & FLOW_LABEL_MASK; }

    /** Rewrites the ECN field (the traffic class's low two bits, RFC 3168 §5) of the header at {@code offset}. */
    public static void ecn(ByteBuffer b, int offset, int codepoint) {
        int word = i32(b, offset);
        putI32(b, offset, (word & ~(IpEcn.MASK << 20)) | ((codepoint & IpEcn.MASK) << 20));
    }
    public static int payloadLength(ByteBuffer b, int offset) { return u16(b, offset + OFF_PAYLOAD_LENGTH); }
    public static int nextHeader(ByteBuffer b, int offset) { return u8(b, offset + OFF_NEXT_HEADER); }
    public static int hopLimit(ByteBuffer b, int offset) { return u8(b, offset + OFF_HOP_LIMIT); }
    public static long sourceHi(ByteBuffer b, int offset) { return i64(b, offset + OFF_SOURCE); }
    public static long sourceLo(ByteBuffer b, int offset) { return i64(b, offset + OFF_SOURCE + 8); }
    public static long destinationHi(ByteBuffer b, int offset) { return i64(b, offset + OFF_DESTINATION); }
    public static long destinationLo(ByteBuffer b, int offset) { return i64(b, offset + OFF_DESTINATION + 8); }

    /** The pseudo-header sum (RFC 8200 §8.1) of an upper-layer message in the packet at {@code offset}. */
    public static long pseudoHeaderSum(ByteBuffer b, int offset, int nextHeader, int upperLength) {
        return Checksum.pseudoHeader6(sourceHi(b, offset), sourceLo(b, offset),
                destinationHi(b, offset), destinationLo(b, offset), nextHeader, upperLength);
    }

    /**
     * Writes the 40-byte fixed header at absolute index {@code offset}: traffic class 0 and the
     * 20-bit {@code flowLabel} (RFC 6437), then the rest as given. Returns 40.
     */
    public static int write(ByteBuffer out, int offset, int payloadLength, int nextHeader, int hopLimit, int flowLabel,
                            long sourceHi, long sourceLo, long destinationHi, long destinationLo) {
        return write(out, offset, payloadLength, nextHeader, hopLimit, 0, flowLabel, sourceHi, sourceLo, destinationHi, destinationLo);
    }

    /** As the other {@code write}, with traffic class {@code trafficClass} (its low two bits: ECN). */
    public static int write(ByteBuffer out, int offset, int payloadLength, int nextHeader, int hopLimit, int trafficClass,
                            int flowLabel, long sourceHi, long sourceLo, long destinationHi, long destinationLo) {
        if (payloadLength < 0 || payloadLength > MAX_PAYLOAD_LENGTH) {
            throw new IllegalArgumentException("IPv6 payload length " + payloadLength + " outside 0.." + MAX_PAYLOAD_LENGTH);
        }
        if (offset < 0 || offset > out.limit() - LENGTH) {
            throw new IndexOutOfBoundsException("no room for a 40-byte IPv6 header at " + offset + " (limit " + out.limit() + ")");
        }
        putI32(out, offset, (VERSION << 28) | ((trafficClass & 0xff) << 20) | (flowLabel & FLOW_LABEL_MASK));
        putU16(out, offset + OFF_PAYLOAD_LENGTH, payloadLength);
        out.put(offset + OFF_NEXT_HEADER, (byte) nextHeader);
        out.put(offset + OFF_HOP_LIMIT, (byte) hopLimit);
        putI64(out, offset + OFF_SOURCE, sourceHi);
        putI64(out, offset + OFF_SOURCE + 8, sourceLo);
        putI64(out, offset + OFF_DESTINATION, destinationHi);
        putI64(out, offset + OFF_DESTINATION + 8, destinationLo);
        return LENGTH;
    }

    /**
     * Follows the extension-header chain of the packet at {@code ip}, whose payload ends at
     * {@code end} (the caller checked the fixed header and the payload length). Returns the result
     * packed in a long, read with {@link #upperProtocol}, {@link #upperOffset} and {@link #failure}:
     * the upper-layer protocol and where its header starts, or why the packet is dropped.
     */
    public static long walk(ByteBuffer b, int ip, int end) {
        int next = nextHeader(b, ip);
        int at = ip + LENGTH;
        boolean first = true;
        while (true) {
            switch (next) {
                case HOP_BY_HOP, DESTINATION_OPTIONS -> {
                    if (next == HOP_BY_HOP && !first) return failed(ParseResult.BAD_EXTENSION_HEADER);
                    int length = extensionLength(b, at, end);
                    if (length < 0) return failed(ParseResult.TRUNCATED);
                    ParseResult options = optionsProblem(b, at + 2, at + length);
                    if (options != null) return failed(options);
                    next = u8(b, at);
                    at += length;
                }
                case ROUTING -> {
                    int length = extensionLength(b, at, end);
                    if (length < 0) return failed(ParseResult.TRUNCATED);
                    if (u8(b, at + 3) != 0) return failed(ParseResult.ROUTING_SEGMENTS_LEFT); // segments left
                    next = u8(b, at);
                    at += length;
                }
                case FRAGMENT -> { return failed(ParseResult.IPV6_FRAGMENT); }
                case NO_NEXT_HEADER -> { return failed(ParseResult.NO_NEXT_HEADER); }
                default -> {
                    if (isExtension(next)) return failed(ParseResult.UNKNOWN_NEXT_HEADER);
                    return ((long) next << 32) | at;
                }
            }
            first = false;
        }
    }

    /**
     * The extension headers synack does not process (IANA's list of IPv6 extension headers: ESP 50,
     * AH 51, Mobility 135, HIP 139, Shim6 140, the experimental 253 and 254): dropped as unknown.
     * Any other value ends the chain as an upper-layer protocol, which the caller accepts or not.
     */
    private static boolean isExtension(int next) {
        return next == 50 || next == 51 || next == 135 || next == 139 || next == 140 || next == 253 || next == 254;
    }

    /** An extension header's length in bytes ((Hdr Ext Len + 1) * 8), or -1 when it runs past {@code end}. */
    private static int extensionLength(ByteBuffer b, int at, int end) {
        if (end - at < 8) return -1;
        int length = (u8(b, at + 1) + 1) * 8;
        return length > end - at ? -1 : length;
    }

    /**
     * Why the options between {@code from} and {@code to} drop the packet (RFC 8200 §4.2: an unknown
     * option whose type's two high bits are not 00 says to discard it), or null.
     */
    private static ParseResult optionsProblem(ByteBuffer b, int from, int to) {
        int i = from;
        while (i < to) {
            int type = u8(b, i);
            if (type == OPTION_PAD1) {
                i++;
                continue;
            }
            if (i + 2 > to) return ParseResult.BAD_EXTENSION_HEADER;
            int length = 2 + u8(b, i + 1);
            if (length > to - i) return ParseResult.BAD_EXTENSION_HEADER;
            if (type != OPTION_PADN && type != OPTION_ROUTER_ALERT && (type >>> 6) != 0) {
                return ParseResult.UNKNOWN_IPV6_OPTION;
            }
            i += length;
        }
        return null;
    }

    private static long failed(ParseResult why) { return -1L - why.ordinal(); }

    /** The reason {@link #walk} dropped the packet, or null when it found the upper layer. */
    public static ParseResult failure(long walked) {
        return walked < 0 ? ParseResult.values()[(int) (-1L - walked)] : null;
    }

    /** The upper-layer protocol {@link #walk} found (such as 6, TCP, or 58, ICMPv6). */
    public static int upperProtocol(long walked) { return (int) (walked >>> 32); }

    /** The absolute index of the upper-layer header {@link #walk} found. */
    public static int upperOffset(long walked) { return (int) walked; }
}
