package dev.synack.wire;

import static dev.synack.wire.Bytes.i32;
import static dev.synack.wire.Bytes.putI32;
import static dev.synack.wire.Bytes.putU16;
import static dev.synack.wire.Bytes.u16;
import static dev.synack.wire.Bytes.u8;

import java.nio.ByteBuffer;

/**
 * The IPv4 header of RFC 791 §3.1, read in place. A view is a buffer and an offset: {@link #wrap}
 * points it at a header (no copy, reusable); the static accessors read the same fields without a view
 * object, for paths that must not allocate. Fields are read big-endian whatever the buffer's
 * {@link java.nio.ByteOrder}; nothing changes the buffer's position or limit. The accessors do not
 * validate: {@link PacketCodec#decode} does that before trusting a header.
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * |Version|  IHL  |Type of Service|          Total Length         |
 * |         Identification        |Flags|      Fragment Offset    |
 * |  Time to Live |    Protocol   |         Header Checksum       |
 * |                       Source Address                          |
 * |                    Destination Address                        |
 * </pre>
 */
public final class Ipv4Header {
    /** A header without options: IHL 5. */
    public static final int MIN_LENGTH = 20;
    /** The largest datagram the 16-bit total length field can describe. */
    public static final int MAX_TOTAL_LENGTH = 0xffff;
    public static final int VERSION = 4;
    /** Don't Fragment, in the 16-bit flags/fragment-offset word (RFC 791 §3.1). */
    public static final int FLAG_DF = 0x4000;
    /** More Fragments, in the same word. */
    public static final int FLAG_MF = 0x2000;
    private static final int FRAGMENT_OFFSET_MASK = 0x1fff;

    private static final int OFF_VERSION_IHL = 0;
    private static final int OFF_TOS = 1;
    private static final int OFF_TOTAL_LENGTH = 2;
    private static final int OFF_IDENTIFICATION = 4;
    private static final int OFF_FLAGS_FRAGMENT = 6;
    private static final int OFF_TTL = 8;
    private static final int OFF_PROTOCOL = 9;
    private static final int OFF_CHECKSUM = 10;
    private static final int OFF_SOURCE = 12;
    private static final int OFF_DESTINATION = 16;

    private ByteBuffer buffer;
    private int offset;

    /** Points this view at the header starting at absolute index {@code offset} of {@code buffer}. */
    public Ipv4Header wrap(ByteBuffer buffer, int offset) {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public ByteBuffer buffer() { return buffer; }
    public int offset() { return offset; }

    public int version() { return version(buffer, offset); }
    /** Header length in 32-bit words. */
    public int ihl() { return ihl(buffer, offset); }
    /** Header length in bytes (IHL * 4). */
    public int headerLength() { return ihl(buffer, offset) * 4; }
    public int typeOfService() { return u8(buffer, offset + OFF_TOS); }
    public static int typeOfService(ByteBuffer b, int offset) { return u8(b, offset + OFF_TOS); }

    /**
     * Rewrites the ECN field (RFC 3168 §5, the TOS byte's low two bits) of the header at {@code offset}
     * to {@code codepoint}, as a router marking CE does, and its header checksum with it.
     */
    public static void ecn(ByteBuffer b, int offset, int codepoint) {
        int tos = (typeOfService(b, offset) & ~IpEcn.MASK) | (codepoint & IpEcn.MASK);
        b.put(offset + OFF_TOS, (byte) tos);
        putU16(b, offset + OFF_CHECKSUM, 0);
        putU16(b, offset + OFF_CHECKSUM, Checksum.compute(b, offset, ihl(b, offset) * 4));
    }
    public int totalLength() { return totalLength(buffer, offset); }
    public int identification() { return u16(buffer, offset + OFF_IDENTIFICATION); }
    /** The three flag bits as a 3-bit value: reserved 4, DF 2, MF 1. */
    public int flags() { return u16(buffer, offset + OFF_FLAGS_FRAGMENT) >>> 13; }
    public boolean dontFragment() { return (u16(buffer, offset + OFF_FLAGS_FRAGMENT) & FLAG_DF) != 0; }
    public boolean moreFragments() { return (u16(buffer, offset + OFF_FLAGS_FRAGMENT) & FLAG_MF) != 0; }
    /** Fragment offset in 8-byte units. */
    public int fragmentOffset() { return u16(buffer, offset + OFF_FLAGS_FRAGMENT) & FRAGMENT_OFFSET_MASK; }
    /** A fragment of a larger datagram: MF set or a non-zero offset (RFC 791 §3.2, fragmentation). */
    public boolean isFragment() { return isFragment(buffer, offset); }
    public int ttl() { return ttl(buffer, offset); }
    public int protocol() { return protocol(buffer, offset); }
    public int headerChecksum() { return u16(buffer, offset + OFF_CHECKSUM); }
    public int sourceAddress() { return sourceAddress(buffer, offset); }
    public int destinationAddress() { return destinationAddress(buffer, offset); }
    /** The header checksum verifies over the IHL*4 header bytes (RFC 791 §3.1, header checksum). */
    public boolean checksumValid() { return checksumValid(buffer, offset); }

    // ---- static accessors (no view object) ----

    public static int version(ByteBuffer b, int offset) { return u8(b, offset + OFF_VERSION_IHL) >>> 4; }
    public static int ihl(ByteBuffer b, int offset) { return u8(b, offset + OFF_VERSION_IHL) & 0x0f; }
    public static int totalLength(ByteBuffer b, int offset) { return u16(b, offset + OFF_TOTAL_LENGTH); }
    public static boolean isFragment(ByteBuffer b, int offset) {
        return (u16(b, offset + OFF_FLAGS_FRAGMENT) & (FLAG_MF | FRAGMENT_OFFSET_MASK)) != 0;
    }
    public static int ttl(ByteBuffer b, int offset) { return u8(b, offset + OFF_TTL); }
    public static int protocol(ByteBuffer b, int offset) { return u8(b, offset + OFF_PROTOCOL); }
    public static int sourceAddress(ByteBuffer b, int offset) { return i32(b, offset + OFF_SOURCE); }
    public static int destinationAddress(ByteBuffer b, int offset) { return i32(b, offset + OFF_DESTINATION); }
    public static boolean checksumValid(ByteBuffer b, int offset) {
        return Checksum.fold(Checksum.add(0, b, offset, ihl(b, offset) * 4)) == 0xffff;
    }

    /** Option kinds with no length byte (RFC 791 §3.1): end of option list and no operation. */
    private static final int OPTION_END = 0;
    private static final int OPTION_NOP = 1;

    /**
     * Whether every option of the header at {@code offset} (its bytes past the first 20, up to IHL*4,
     * which the caller has checked are there) has a sound length: a length byte of at least 2 that
     * ends within the header; the end-of-list option ends the walk (RFC 791 §3.1). As Linux's
     * ip_options_compile, which drops the packet otherwise (IP InHdrErrors); what the options say
     * is not used.
     */
    public static boolean optionsValid(ByteBuffer b, int offset) {
        int end = offset + ihl(b, offset) * 4;
        int i = offset + MIN_LENGTH;
        while (i < end) {
            int kind = u8(b, i);
            if (kind == OPTION_END) return true;
            if (kind == OPTION_NOP) {
                i++;
                continue;
            }
            if (i + 1 >= end) return false; // no room for the length byte
            int length = u8(b, i + 1);
            if (length < 2 || length > end - i) return false;
            i += length;
        }
        return true;
    }

    /**
     * Writes a 20-byte header (no options) at absolute index {@code offset}: version 4, IHL 5, type of
     * service 0, identification 0 and DF set (so no fragment can ever need reassembly, as Linux does for
     * TCP with path MTU discovery), then the header checksum over the finished header. Returns 20.
     */
    public static int write(ByteBuffer out, int offset, int totalLength, int ttl, int protocol,
                            int sourceAddress, int destinationAddress) {
        return write(out, offset, totalLength, 0, ttl, protocol, sourceAddress, destinationAddress);
    }

    /** As {@link #write(ByteBuffer, int, int, int, int, int, int)} with type of service {@code tos} (its low two bits: ECN). */
    public static int write(ByteBuffer out, int offset, int totalLength, int tos, int ttl, int protocol,
                            int sourceAddress, int destinationAddress) {
        if (totalLength < MIN_LENGTH || totalLength > MAX_TOTAL_LENGTH) {
            throw new IllegalArgumentException("IPv4 total length " + totalLength + " outside 20.." + MAX_TOTAL_LENGTH);
        }
        if (offset < 0 || offset > out.limit() - MIN_LENGTH) {
            throw new IndexOutOfBoundsException("no room for a 20-byte IPv4 header at " + offset + " (limit " + out.limit() + ")");
        }
        out.put(offset + OFF_VERSION_IHL, (byte) ((VERSION << 4) | (MIN_LENGTH / 4)));
        out.put(offset + OFF_TOS, (byte) tos);
        putU16(out, offset + OFF_TOTAL_LENGTH, totalLength);
        putU16(out, offset + OFF_IDENTIFICATION, 0);
        putU16(out, offset + OFF_FLAGS_FRAGMENT, FLAG_DF);
        out.put(offset + OFF_TTL, (byte) ttl);
        out.put(offset + OFF_PROTOCOL, (byte) protocol);
        putU16(out, offset + OFF_CHECKSUM, 0);
        putI32(out, offset + OFF_SOURCE, sourceAddress);
        putI32(out, offset + OFF_DESTINATION, destinationAddress);
        putU16(out, offset + OFF_CHECKSUM, Checksum.compute(out, offset, MIN_LENGTH));
        return MIN_LENGTH;
    }
}
