package dev.synack.tcp;

/**
 * SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF", 2012): a keyed 64-bit
 * pseudo-random function built for short inputs such as a 4-tuple, the kind of F that RFC 6528 §3
 * asks for (Linux derives its ISNs and ephemeral port offsets with it too). Two compression rounds
 * per 8-byte word, four finalization rounds; words are read little-endian, as the paper defines.
 * Stateless and allocation-free.
 */
public final class SipHash {
    private SipHash() {}

    /** The 64-bit SipHash-2-4 of {@code length} bytes of {@code message} under the key (k0, k1). */
    public static long hash(long k0, long k1, byte[] message, int length) {
        if (length < 0 || length > message.length) {
            throw new IndexOutOfBoundsException("length " + length + " outside 0.." + message.length);
        }
        long v0 = k0 ^ 0x736f6d6570736575L;
        long v1 = k1 ^ 0x646f72616e646f6dL;
        long v2 = k0 ^ 0x6c7967656e657261L;
        long v3 = k1 ^ 0x7465646279746573L;
        int whole = length & ~7;
        int words = whole / 8 + 1; // the last word holds the remaining bytes and the length (mod 256) in its top byte
        // Each word: two compression rounds; then (step == words) the four finalization rounds.
        for (int step = 0; step <= words; step++) {
            boolean finalization = step == words;
            long m = 0;
            if (!finalization) {
                int at = step * 8;
                m = step < words - 1 ? littleEndian(message, at, 8) : littleEndian(message, at, length - at) | ((long) length << 56);
                v3 ^= m;
            } else {
                v2 ^= 0xff;
            }
            for (int round = finalization ? 4 : 2; round > 0; round--) {
                v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
                v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
                v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
                v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
            }
            v0 ^= m;
        }
        return v0 ^ v1 ^ v2 ^ v3;
    }

    /** The {@code count} (0..8) bytes from {@code at} as a little-endian number. */
    static long littleEndian(byte[] b, int at, int count) {
        long v = 0;
        for (int i = count - 1; i >= 0; i--) v = (v << 8) | (b[at + i] & 0xffL);
        return v;
    }

    /** Writes {@code v} big-endian (network order) at {@code b[at..at+3]}: how callers lay out a 4-tuple. */
    static void putBigEndian(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }
}
