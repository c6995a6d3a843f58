package dev.synack.wire;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The Internet checksum of RFC 1071: the 16-bit one's complement of the one's complement sum of the
 * data taken as big-endian 16-bit words, an odd final byte padded with a zero byte (RFC 1071 §4.1).
 *
 * <p>Use it in two steps so that several ranges can be summed without copying them together:
 * accumulate with the {@code add} methods (the running sum is a plain {@code long}, starting at 0),
 * then {@link #finish(long)} for the value to put in a header, or {@link #fold(long)} to verify one:
 * data that includes a correct checksum field sums (folded) to {@code 0xffff}. The TCP checksum
 * (RFC 9293 §3.1) starts from {@link #pseudoHeader(int, int, int, int)}.
 *
 * <p>Ranges are read eight bytes at a time and summed as two 32-bit halves into 64-bit sums (four
 * of them in turn, so that the additions do not wait on each other); carries are folded back only at
 * the end (RFC 1071 §2(C), deferred carries). A range never exceeds 2^31 bytes, so the sums cannot
 * overflow. Because the sum is
 * independent of byte order up to a final swap (RFC 1071 §2(B)), buffers in either {@link ByteOrder}
 * are read in their own order and the range's sum swapped when needed. Nothing is allocated and
 * buffer positions and limits are never changed.
 *
 * <p>Every range but the last one added to a sum must have an even length: an odd-length range ends
 * with a byte padded to a whole word, as the last byte of the checksummed data is.
 */
public final class Checksum {
    private static final VarHandle LE_LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LE_INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LE_SHORTS = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

    private Checksum() {}

    /** The sum of a 64-bit word's two 32-bit halves: four 16-bit words added at once, carries kept (RFC 1071 §2(C)). */
    private static long halves(long w) {
        return (w >>> 32) + (w & 0xffff_ffffL);
    }

    /** Adds {@code length} bytes of {@code buffer} from absolute index {@code offset}. */
    public static long add(long sum, ByteBuffer buffer, int offset, int length) {
        checkRange(offset, length, buffer.limit());
        if (buffer.hasArray()) return add(sum, buffer.array(), buffer.arrayOffset() + offset, length);
        int end = offset + length;
        int i = offset;
        long s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        while (end - i >= 32) {
            long w0 = buffer.getLong(i), w1 = buffer.getLong(i + 8), w2 = buffer.getLong(i + 16), w3 = buffer.getLong(i + 24);
            s0 += halves(w0);
            s1 += halves(w1);
            s2 += halves(w2);
            s3 += halves(w3);
            i += 32;
        }
        long s = s0 + s1 + s2 + s3;
        while (end - i >= 8) {
            long w = buffer.getLong(i);
            s += halves(w);
            i += 8;
        }
        if (end - i >= 4) {
            s += buffer.getInt(i) & 0xffff_ffffL;
            i += 4;
        }
        if (end - i >= 2) {
            s += buffer.getShort(i) & 0xffff;
            i += 2;
        }
        int words = fold(s);
        if (buffer.order() == ByteOrder.LITTLE_ENDIAN) words = swap16(words);
        if (i < end) words += (buffer.get(i) & 0xff) << 8; // the odd last byte is a word's high half
        return sum + words;
    }

    /**
     * Adds {@code length} bytes of {@code bytes} from index {@code offset}. Words are read in
     * little-endian order (the processor's own, no byte swap per word) into four independent sums
     * that the processor adds in parallel; the folded total is swapped once (RFC 1071 §2(B)).
     */
    public static long add(long sum, byte[] bytes, int offset, int length) {
        checkRange(offset, length, bytes.length);
        int end = offset + length;
        int i = offset;
        long s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        while (end - i >= 32) {
            long w0 = (long) LE_LONGS.get(bytes, i), w1 = (long) LE_LONGS.get(bytes, i + 8);
            long w2 = (long) LE_LONGS.get(bytes, i + 16), w3 = (long) LE_LONGS.get(bytes, i + 24);
            s0 += halves(w0);
            s1 += halves(w1);
            s2 += halves(w2);
            s3 += halves(w3);
            i += 32;
        }
        long s = s0 + s1 + s2 + s3;
        while (end - i >= 8) {
            long w = (long) LE_LONGS.get(bytes, i);
            s += halves(w);
            i += 8;
        }
        if (end - i >= 4) {
            s += (int) LE_INTS.get(bytes, i) & 0xffff_ffffL;
            i += 4;
        }
        if (end - i >= 2) {
            s += (short) LE_SHORTS.get(bytes, i) & 0xffff;
            i += 2;
        }
        int words = swap16(fold(s));
        if (i < end) words += (bytes[i] & 0xff) << 8; // the odd last byte is a word's high half
        return sum + words;
    }

    /** Adds one 16-bit word (the low 16 bits of {@code word}). */
    public static long addWord(long sum, int word) {
        return sum + (word & 0xffff);
    }

    /** Adds a 32-bit value as two 16-bit words, such as an IPv4 address. */
    public static long addInt(long sum, int value) {
        return sum + (value >>> 16) + (value & 0xffff);
    }

    /**
     * The sum of the TCP pseudo-header of RFC 9293 §3.1: source address, destination address, a zero
     * byte, the protocol number and the TCP length (header plus data, in octets).
     */
    public static long pseudoHeader(int sourceAddress, int destinationAddress, int protocol, int tcpLength) {
        long s = addInt(0, sourceAddress);
        s = addInt(s, destinationAddress);
        s = addWord(s, protocol & 0xff);
        return addWord(s, tcpLength);
    }

    /** Adds a 64-bit value as four 16-bit words: half of an IPv6 address. */
    public static long addLong(long sum, long value) {
        return addInt(addInt(sum, (int) (value >>> 32)), (int) value);
    }

    /**
     * The sum of the IPv6 pseudo-header of RFC 8200 §8.1 (used by TCP and ICMPv6, RFC 4443 §2.3):
     * source and destination address (each as two longs, high half first), the 32-bit upper-layer
     * length and three zero bytes before the next header value. For a length below 65536 its words
     * are those of the IPv4 pseudo-header's length and protocol, so both share {@link #addWord}.
     */
    public static long pseudoHeader6(long sourceHi, long sourceLo, long destinationHi, long destinationLo,
                                     int nextHeader, int upperLength) {
        long s = addLong(addLong(0, sourceHi), sourceLo);
        s = addLong(addLong(s, destinationHi), destinationLo);
        s = addInt(s, upperLength);
        return addWord(s, nextHeader & 0xff);
    }

    /** Folds the carries of a running sum back in: the 16-bit one's complement sum. */
    public static int fold(long sum) {
        long s = (sum >>> 32) + (sum & 0xffff_ffffL);
        s = (s >>> 16) + (s & 0xffff);
        s = (s >>> 16) + (s & 0xffff);
        s = (s >>> 16) + (s & 0xffff);
        return (int) s;
    }

    /** The checksum to write into a header: the one's complement of the folded sum. */
    public static int finish(long sum) {
        return ~fold(sum) & 0xffff;
    }

    /** The checksum of one range of a buffer. */
    public static int compute(ByteBuffer buffer, int offset, int length) {
        return finish(add(0, buffer, offset, length));
    }

    /** The checksum of one range of an array. */
    public static int compute(byte[] bytes, int offset, int length) {
        return finish(add(0, bytes, offset, length));
    }

    private static int swap16(int word) {
        return ((word & 0xff) << 8) | (word >>> 8);
    }

    private static void checkRange(int offset, int length, int size) {
        if (offset < 0 || length < 0 || offset > size - length) {
            throw new IndexOutOfBoundsException("range " + offset + "+" + length + " outside 0.." + size);
        }
    }
}
