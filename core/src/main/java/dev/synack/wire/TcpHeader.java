package dev.synack.wire;

import static dev.synack.wire.Bytes.i32;
import static dev.synack.wire.Bytes.putI32;
import static dev.synack.wire.Bytes.putU16;
import static dev.synack.wire.Bytes.u16;
import static dev.synack.wire.Bytes.u8;

import java.nio.ByteBuffer;

/**
 * The TCP header of RFC 9293 §3.1, read in place, with its options (RFC 9293 §3.2, RFC 7323,
 * RFC 2018) parsed into a {@link TcpOptions} and a writer that lays a {@link TcpSegment}'s header out
 * with its options in exactly their recorded order.
 *
 * <p>Like {@link Ipv4Header}: a reusable view ({@link #wrap}) plus static accessors that need no view
 * object; big-endian whatever the buffer's byte order; positions and limits untouched; no validation
 * in the accessors ({@link PacketCodec#decode} validates).
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * |          Source Port          |       Destination Port        |
 * |                        Sequence Number                        |
 * |                    Acknowledgment Number                      |
 * |  Data |       |C|E|U|A|P|R|S|F|                               |
 * | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
 * |           Checksum            |         Urgent Pointer        |
 * |                           [Options]                           |
 * </pre>
 */
public final class TcpHeader {
    /** A header without options: data offset 5. */
    public static final int MIN_LENGTH = 20;
    /** Data offset 15: 40 bytes of options. */
    public static final int MAX_LENGTH = MIN_LENGTH + TcpOptions.MAX_LENGTH;
    public static final int MIN_DATA_OFFSET = MIN_LENGTH / 4;

    // Option lengths fixed by their RFCs; SACK is 2 + 8 per block (RFC 2018 §3).
    private static final int MSS_LENGTH = 4;              // RFC 9293 §3.2
    private static final int WINDOW_SCALE_LENGTH = 3;     // RFC 7323 §2.2
    private static final int SACK_PERMITTED_LENGTH = 2;   // RFC 2018 §2
    private static final int TIMESTAMPS_LENGTH = 10;      // RFC 7323 §3.2
    private static final int SACK_BASE_LENGTH = 2;
    private static final int SACK_BLOCK_LENGTH = 8;

    private static final int OFF_SOURCE_PORT = 0;
    private static final int OFF_DESTINATION_PORT = 2;
    private static final int OFF_SEQ = 4;
    private static final int OFF_ACK = 8;
    private static final int OFF_DATA_OFFSET = 12;
    private static final int OFF_FLAGS = 13;
    private static final int OFF_WINDOW = 14;
    private static final int OFF_CHECKSUM = 16;
    private static final int OFF_URGENT = 18;

    private ByteBuffer buffer;
    private int offset;

    /** Points this view at the header starting at absolute index {@code offset} of {@code buffer}. */
    public TcpHeader wrap(ByteBuffer buffer, int offset) {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public ByteBuffer buffer() { return buffer; }
    public int offset() { return offset; }

    public int sourcePort() { return sourcePort(buffer, offset); }
    public int destinationPort() { return destinationPort(buffer, offset); }
    public int seq() { return seq(buffer, offset); }
    public int ack() { return ack(buffer, offset); }
    /** Header length in 32-bit words. */
    public int dataOffset() { return dataOffset(buffer, offset); }
    /** Header length in bytes, options included. */
    public int headerLength() { return dataOffset(buffer, offset) * 4; }
    /** The eight flag bits CWR..FIN (see {@link TcpFlags}); the reserved bits of byte 12 are not flags here. */
    public int flags() { return flags(buffer, offset); }
    public int window() { return window(buffer, offset); }
    public int checksum() { return checksum(buffer, offset); }
    public int urgentPointer() { return urgentPointer(buffer, offset); }
    /** Absolute index of the first option byte. */
    public int optionsOffset() { return offset + MIN_LENGTH; }
    /** Bytes of options (and their padding) between the fixed header and the data. */
    public int optionsLength() { return Math.max(0, headerLength() - MIN_LENGTH); }
    /** Parses this header's options; see {@link #parseOptions(ByteBuffer, int, int, TcpOptions)}. */
    public ParseResult parseOptions(TcpOptions into) { return parseOptions(buffer, optionsOffset(), optionsLength(), into); }

    // ---- static accessors (no view object) ----

    public static int sourcePort(ByteBuffer b, int offset) { return u16(b, offset + OFF_SOURCE_PORT); }
    public static int destinationPort(ByteBuffer b, int offset) { return u16(b, offset + OFF_DESTINATION_PORT); }
    public static int seq(ByteBuffer b, int offset) { return i32(b, offset + OFF_SEQ); }
    public static int ack(ByteBuffer b, int offset) { return i32(b, offset + OFF_ACK); }
    public static int dataOffset(ByteBuffer b, int offset) { return u8(b, offset + OFF_DATA_OFFSET) >>> 4; }
    public static int flags(ByteBuffer b, int offset) { return u8(b, offset + OFF_FLAGS); }
    public static int window(ByteBuffer b, int offset) { return u16(b, offset + OFF_WINDOW); }
    public static int checksum(ByteBuffer b, int offset) { return u16(b, offset + OFF_CHECKSUM); }
    public static int urgentPointer(ByteBuffer b, int offset) { return u16(b, offset + OFF_URGENT); }

    /**
     * The checksum a segment of {@code tcpLength} bytes (header and data) at {@code offset} must carry:
     * over the pseudo-header of RFC 9293 §3.1 and the segment, with the checksum field's own bytes
     * counted as they are (zero them first to compute a fresh one).
     */
    public static long sum(ByteBuffer b, int offset, int tcpLength, int sourceAddress, int destinationAddress) {
        return sum(b, offset, tcpLength, Checksum.pseudoHeader(sourceAddress, destinationAddress, TcpPacket.PROTOCOL_TCP, tcpLength));
    }

    /** As above, from a pseudo-header's sum already taken (IPv6: {@link Checksum#pseudoHeader6}). */
    public static long sum(ByteBuffer b, int offset, int tcpLength, long pseudoHeaderSum) {
        return Checksum.add(pseudoHeaderSum, b, offset, tcpLength);
    }

    /** Whether the segment verifies from the pseudo-header's sum {@code pseudoHeaderSum}. */
    public static boolean checksumValid(ByteBuffer b, int offset, int tcpLength, long pseudoHeaderSum) {
        return Checksum.fold(sum(b, offset, tcpLength, pseudoHeaderSum)) == 0xffff;
    }

    /** Computes and stores the checksum of the segment from the pseudo-header's sum {@code pseudoHeaderSum}. */
    public static void writeChecksum(ByteBuffer b, int offset, int tcpLength, long pseudoHeaderSum) {
        putU16(b, offset + OFF_CHECKSUM, 0);
        putU16(b, offset + OFF_CHECKSUM, Checksum.finish(sum(b, offset, tcpLength, pseudoHeaderSum)));
    }

    /** Whether the segment's checksum verifies over the pseudo-header and segment (RFC 9293 §3.1). */
    public static boolean checksumValid(ByteBuffer b, int offset, int tcpLength, int sourceAddress, int destinationAddress) {
        return Checksum.fold(sum(b, offset, tcpLength, sourceAddress, destinationAddress)) == 0xffff;
    }

    /** Computes and stores the checksum of the segment of {@code tcpLength} bytes at {@code offset}. */
    public static void writeChecksum(ByteBuffer b, int offset, int tcpLength, int sourceAddress, int destinationAddress) {
        putU16(b, offset + OFF_CHECKSUM, 0);
        putU16(b, offset + OFF_CHECKSUM, Checksum.finish(sum(b, offset, tcpLength, sourceAddress, destinationAddress)));
    }

    /**
     * Parses {@code length} bytes of options at absolute index {@code offset} into {@code into}
     * (cleared first), recording each option in wire order, padding included. Returns
     * {@link ParseResult#OK} or {@link ParseResult#BAD_OPTION_LENGTH}; never throws for a length of
     * at most {@link TcpOptions#MAX_LENGTH} inside the buffer's limit.
     *
     * <ul>
     *   <li>EOL ends the list (RFC 9293 §3.2); it is recorded, the bytes after it are not read.</li>
     *   <li>A length byte below 2, a missing length byte, or an option running past the area is
     *       {@code BAD_OPTION_LENGTH}, as is a known kind with the wrong length: MSS 4, window scale 3
     *       (RFC 7323 §2.2), SACK-permitted 2 (RFC 2018 §2), timestamps 10 (RFC 7323 §3.2), SACK 2+8n
     *       with n from 1 to 4 (RFC 2018 §3).</li>
     *   <li>A kind this parser does not know is skipped by its length and recorded as such.</li>
     *   <li>A window scale above 14 is kept as sent; clamping it is the engine's part (RFC 7323 §2.3).</li>
     * </ul>
     */
    public static ParseResult parseOptions(ByteBuffer b, int offset, int length, TcpOptions into) {
        if (length > TcpOptions.MAX_LENGTH) {
            throw new IllegalArgumentException("options area of " + length + " bytes exceeds " + TcpOptions.MAX_LENGTH);
        }
        into.clear();
        int end = offset + length;
        int i = offset;
        while (i < end) {
            int kind = u8(b, i);
            if (kind == TcpOptions.KIND_EOL) {
                into.eol();
                break;
            }
            if (kind == TcpOptions.KIND_NOP) {
                into.nop();
                i++;
                continue;
            }
            if (end - i < 2) return ParseResult.BAD_OPTION_LENGTH;
            int optionLength = u8(b, i + 1);
            if (optionLength < 2 || optionLength > end - i) return ParseResult.BAD_OPTION_LENGTH;
            switch (kind) {
                case TcpOptions.KIND_MSS -> {
                    if (optionLength != MSS_LENGTH) return ParseResult.BAD_OPTION_LENGTH;
                    into.mss(u16(b, i + 2));
                }
                case TcpOptions.KIND_WINDOW_SCALE -> {
                    if (optionLength != WINDOW_SCALE_LENGTH) return ParseResult.BAD_OPTION_LENGTH;
                    into.windowScale(u8(b, i + 2));
                }
                case TcpOptions.KIND_SACK_PERMITTED -> {
                    if (optionLength != SACK_PERMITTED_LENGTH) return ParseResult.BAD_OPTION_LENGTH;
                    into.sackPermitted();
                }
                case TcpOptions.KIND_TIMESTAMPS -> {
                    if (optionLength != TIMESTAMPS_LENGTH) return ParseResult.BAD_OPTION_LENGTH;
                    into.timestamps(i32(b, i + 2), i32(b, i + 6));
                }
                case TcpOptions.KIND_SACK -> {
                    int blockBytes = optionLength - SACK_BASE_LENGTH;
                    int blocks = blockBytes / SACK_BLOCK_LENGTH;
                    if (blockBytes % SACK_BLOCK_LENGTH != 0 || blocks < 1 || blocks > TcpOptions.MAX_SACK_BLOCKS) {
                        return ParseResult.BAD_OPTION_LENGTH;
                    }
                    into.sack();
                    for (int k = 0; k < blocks; k++) {
                        int at = i + SACK_BASE_LENGTH + k * SACK_BLOCK_LENGTH;
                        into.addSackBlock(i32(b, at), i32(b, at + 4));
                    }
                }
                case TcpOptions.KIND_FAST_OPEN -> parseFastOpen(b, i + 2, optionLength - 2, false, into);
                case TcpOptions.KIND_EXPERIMENTAL -> {
                    if (optionLength >= 4 && u16(b, i + 2) == TcpOptions.FAST_OPEN_MAGIC) parseFastOpen(b, i + 4, optionLength - 4, true, into);
                    else into.unknown(kind);
                }
                default -> into.unknown(kind);
            }
            i += optionLength;
        }
        return ParseResult.OK;
    }

    /**
     * A Fast Open option's body of {@code length} bytes at {@code at}: a request (0) or a cookie of
     * RFC 7413's sizes. Any other length (or a second Fast Open option) is kept as an unknown option,
     * as Linux's tcp_parse_fastopen_option ignores it.
     */
    private static void parseFastOpen(ByteBuffer b, int at, int length, boolean experimental, TcpOptions into) {
        int kind = experimental ? TcpOptions.KIND_EXPERIMENTAL : TcpOptions.KIND_FAST_OPEN;
        if ((length != 0 && !TcpOptions.validCookieLength(length)) || into.hasFastOpen()) {
            into.unknown(kind);
            return;
        }
        into.fastOpen(experimental, b, at, length);
    }

    /** Bytes of header {@link #write} emits for {@code segment}: 20 plus its options padded to a multiple of 4. */
    public static int headerLength(TcpSegment segment) {
        return MIN_LENGTH + paddedOptionsLength(segment.options());
    }

    /**
     * Writes {@code segment}'s header at absolute index {@code offset} with the checksum field zero:
     * the fixed fields, then the options in their recorded layout order, then zero (EOL) bytes up to
     * the next multiple of four (RFC 9293 §3.1, "the header is padded with zeros"); the padding is not
     * added to the layout. Options of unknown kind are not written. Returns the header length.
     *
     * @throws IllegalArgumentException if the options do not fit in 40 bytes or a SACK option has no block
     */
    public static int write(TcpSegment segment, ByteBuffer out, int offset) {
        TcpOptions options = segment.options();
        int headerLength = headerLength(segment);
        if (offset < 0 || offset > out.limit() - headerLength) {
            throw new IndexOutOfBoundsException("no room for a " + headerLength + "-byte TCP header at " + offset
                    + " (limit " + out.limit() + ")");
        }
        putU16(out, offset + OFF_SOURCE_PORT, segment.sourcePort());
        putU16(out, offset + OFF_DESTINATION_PORT, segment.destinationPort());
        putI32(out, offset + OFF_SEQ, segment.seq());
        putI32(out, offset + OFF_ACK, segment.ack());
        out.put(offset + OFF_DATA_OFFSET, (byte) ((headerLength / 4) << 4));
        out.put(offset + OFF_FLAGS, (byte) segment.flags());
        putU16(out, offset + OFF_WINDOW, segment.window());
        putU16(out, offset + OFF_CHECKSUM, 0);
        putU16(out, offset + OFF_URGENT, segment.urgentPointer());
        int i = offset + MIN_LENGTH;
        for (int k = 0; k < options.layoutLength(); k++) {
            i = writeOption(options, options.kindAt(k), out, i);
        }
        int end = offset + headerLength;
        while (i < end) out.put(i++, (byte) TcpOptions.KIND_EOL);
        return headerLength;
    }

    private static int writeOption(TcpOptions options, int kind, ByteBuffer out, int i) {
        switch (kind) {
            case TcpOptions.KIND_EOL, TcpOptions.KIND_NOP -> out.put(i++, (byte) kind);
            case TcpOptions.KIND_MSS -> {
                i = kindAndLength(out, i, kind, MSS_LENGTH);
                putU16(out, i, options.mss());
                i += 2;
            }
            case TcpOptions.KIND_WINDOW_SCALE -> {
                i = kindAndLength(out, i, kind, WINDOW_SCALE_LENGTH);
                out.put(i++, (byte) options.windowScale());
            }
            case TcpOptions.KIND_SACK_PERMITTED -> i = kindAndLength(out, i, kind, SACK_PERMITTED_LENGTH);
            case TcpOptions.KIND_TIMESTAMPS -> {
                i = kindAndLength(out, i, kind, TIMESTAMPS_LENGTH);
                putI32(out, i, options.tsVal());
                putI32(out, i + 4, options.tsEcr());
                i += 8;
            }
            case TcpOptions.KIND_SACK -> {
                int blocks = options.sackBlockCount();
                i = kindAndLength(out, i, kind, SACK_BASE_LENGTH + blocks * SACK_BLOCK_LENGTH);
                for (int s = 0; s < blocks; s++) {
                    putI32(out, i, options.sackLeft(s));
                    putI32(out, i + 4, options.sackRight(s));
                    i += SACK_BLOCK_LENGTH;
                }
            }
            case TcpOptions.KIND_FAST_OPEN, TcpOptions.KIND_EXPERIMENTAL -> {
                if (!options.hasFastOpen()) break; // an unknown experimental option, only recorded
                boolean experimental = kind == TcpOptions.KIND_EXPERIMENTAL;
                int length = options.cookieLength();
                i = kindAndLength(out, i, kind, TcpOptions.fastOpenBase(experimental) + length);
                if (experimental) {
                    putU16(out, i, TcpOptions.FAST_OPEN_MAGIC);
                    i += 2;
                }
                for (int k = 0; k < length; k++) out.put(i++, options.cookieByte(k));
            }
            default -> { } // unknown kinds were only recorded for traces: their bodies were not kept
        }
        return i;
    }

    private static int kindAndLength(ByteBuffer out, int i, int kind, int length) {
        out.put(i, (byte) kind);
        out.put(i + 1, (byte) length);
        return i + 2;
    }

    private static int paddedOptionsLength(TcpOptions options) {
        int length = options.encodedLength();
        if (length > TcpOptions.MAX_LENGTH) {
            throw new IllegalArgumentException("TCP options take " + length + " bytes, more than "
                    + TcpOptions.MAX_LENGTH + ": " + options);
        }
        if (options.sackBlockCount() == 0) {
            for (int k = 0; k < options.layoutLength(); k++) {
                if (options.kindAt(k) == TcpOptions.KIND_SACK) {
                    throw new IllegalArgumentException("SACK option without blocks (RFC 2018 §3): " + options);
                }
            }
        }
        return (length + 3) & ~3;
    }
}
