package dev.synack.tcp;

import dev.synack.wire.TcpOptions;

/**
 * The server's TCP Fast Open cookies (RFC 7413 §4.1.2): a MAC of the client's address under a
 * secret key, so that only a client that once received it from this server can send data in its
 * SYN. As Linux since 5.x (__tcp_fastopen_cookie_gen_cipher), the MAC is SipHash-2-4 of the SYN's
 * source then destination address (4 bytes each for IPv4, 16 for IPv6, network order), the 64-bit
 * result laid out little-endian as an 8-byte cookie; the key is net.ipv4.tcp_fastopen_key, four
 * 32-bit words whose little-endian bytes are the 16-byte SipHash key. Same key, same addresses,
 * same cookie as the kernel's: the upstream packetdrill scripts' cookies come out.
 *
 * <p>One per stack (one scratch buffer: call it under the stack's lock). Allocation-free.
 */
public final class FastOpenCookies {
    /** The cookie's length (Linux's TCP_FASTOPEN_COOKIE_SIZE). */
    public static final int LENGTH = 8;

    private final long k0;
    private final long k1;
    private final byte[] scratch = new byte[32];
    private final byte[] cookie = new byte[LENGTH];

    public FastOpenCookies(long k0, long k1) {
        this.k0 = k0;
        this.k1 = k1;
    }

    /**
     * The key halves of a net.ipv4.tcp_fastopen_key text, {@code a1a1a1a1-b2b2b2b2-c3c3c3c3-d4d4d4d4}
     * (a backup key after a comma is ignored): word 0 and 1 make the first half, 2 and 3 the second.
     *
     * @throws IllegalArgumentException unless the text is four hex words joined by '-'
     */
    public static long[] parseKey(String text) {
        String primary = text.split(",", -1)[0].strip();
        String[] w = primary.split("-", -1);
        if (w.length != 4) throw new IllegalArgumentException("a Fast Open key is four 32-bit hex words joined by '-': " + text);
        long[] words = new long[4];
        for (int i = 0; i < 4; i++) {
            if (w[i].isEmpty() || w[i].length() > 8) throw new IllegalArgumentException("not a 32-bit hex word: '" + w[i] + "'");
            words[i] = Long.parseLong(w[i], 16);
        }
        return new long[] {words[0] | words[1] << 32, words[2] | words[3] << 32};
    }

    /** The stack's cookies: the configured key, or {@code random} (two halves) when none is configured. */
    static FastOpenCookies forConfig(TcpConfig config, long randomK0, long randomK1) {
        boolean configured = config.fastOpenKey0() != 0 || config.fastOpenKey1() != 0;
        return configured ? new FastOpenCookies(config.fastOpenKey0(), config.fastOpenKey1())
                : new FastOpenCookies(randomK0, randomK1);
    }

    /** The cookie for a SYN from the tuple's remote address to its local one, into {@link #cookie()}. */
    byte[] cookieFor(FourTuple tuple) {
        int length = FourTuple.putAddress(scratch, 0, tuple.remoteAddress());
        length = FourTuple.putAddress(scratch, length, tuple.localAddress());
        long h = SipHash.hash(k0, k1, scratch, length);
        for (int i = 0; i < LENGTH; i++) cookie[i] = (byte) (h >>> (8 * i));
        return cookie;
    }

    /** Whether the SYN's Fast Open option carries the cookie this server gives the tuple's remote address. */
    boolean valid(FourTuple tuple, TcpOptions options) {
        if (options.cookieLength() != LENGTH) return false;
        byte[] expected = cookieFor(tuple);
        int diff = 0;
        for (int i = 0; i < LENGTH; i++) diff |= expected[i] ^ options.cookieByte(i);
        return diff == 0;
    }
}
