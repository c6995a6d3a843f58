package dev.synack.wire;

import java.nio.ByteBuffer;

/**
 * Big-endian (network order, RFC 791 Appendix B) field access at absolute indexes, independent of the
 * buffer's own {@link java.nio.ByteOrder} and leaving its position and limit alone.
 */
final class Bytes {
    private Bytes() {}

    static int u8(ByteBuffer b, int index) {
        return b.get(index) & 0xff;
    }

    static int u16(ByteBuffer b, int index) {
        return ((b.get(index) & 0xff) << 8) | (b.get(index + 1) & 0xff);
    }

    static int i32(ByteBuffer b, int index) {
        return ((b.get(index) & 0xff) << 24) | ((b.get(index + 1) & 0xff) << 16)
                | ((b.get(index + 2) & 0xff) << 8) | (b.get(index + 3) & 0xff);
    }

    static void putU16(ByteBuffer b, int index, int value) {
        b.put(index, (byte) (value >>> 8));
        b.put(index + 1, (byte) value);
    }

    static void putI32(ByteBuffer b, int index, int value) {
        b.put(index, (byte) (value >>> 24));
        b.put(index + 1, (byte) (value >>> 16));
        b.put(index + 2, (byte) (value >>> 8));
        b.put(index + 3, (byte) value);
    }

    static long i64(ByteBuffer b, int index) {
        return ((long) i32(b, index) << 32) | (i32(b, index + 4) & 0xffff_ffffL);
    }

    static void putI64(ByteBuffer b, int index, long value) {
        putI32(b, index, (int) (value >>> 32));
        putI32(b, index + 4, (int) value);
    }
}
