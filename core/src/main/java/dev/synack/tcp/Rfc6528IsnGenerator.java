package dev.synack.tcp;

import java.security.SecureRandom;

/**
 * RFC 6528 §3: ISN = M + F(localip, localport, remoteip, remoteport, secretkey), where M is a clock
 * ticking every 4 microseconds and F a keyed hash. F here is {@link SipHash} (SipHash-2-4, a keyed
 * pseudo-random function made for short inputs, as Linux uses) over the 4-tuple under a 128-bit
 * secret key (RFC 6528 suggests MD5; any keyed PRF satisfies it, and SipHash costs far less per
 * connection than a cryptographic digest while no allocation is made). A simulation passes a key drawn from
 * its seed so that runs repeat; a real stack uses a random key.
 */
public final class Rfc6528IsnGenerator implements IsnGenerator {
    private static final long TICK_NANOS = 4_000;

    private final long k0;
    private final long k1;
    /** The 4-tuple laid out for the hash: 12 bytes for IPv4, 36 for IPv6. */
    private final byte[] tupleBytes = new byte[36];

    /** @param key the secret: 16 bytes (a shorter key is padded with zeros, a longer one rejected) */
    public Rfc6528IsnGenerator(byte[] key) {
        if (key.length > 16) throw new IllegalArgumentException("the key has " + key.length + " bytes; at most 16");
        byte[] k = java.util.Arrays.copyOf(key, 16);
        this.k0 = SipHash.littleEndian(k, 0, 8);
        this.k1 = SipHash.littleEndian(k, 8, 8);
    }

    public static Rfc6528IsnGenerator withRandomKey() {
        byte[] key = new byte[16];
        new SecureRandom().nextBytes(key);
        return new Rfc6528IsnGenerator(key);
    }

    @Override
    public int isn(FourTuple t, long nowNanos) {
        int length = t.hashInput(tupleBytes, true);
        int f = (int) SipHash.hash(k0, k1, tupleBytes, length);
        int m = (int) (nowNanos / TICK_NANOS);
        return m + f;
    }

    /**
     * SYN cookies keyed by two secrets derived from this generator's (SipHash of a label under it),
     * so that one random key per stack serves both and neither secret reveals the other.
     */
    @Override
    public SynCookies synCookies() {
        return new SynCookies(derived(1), derived(2), derived(3), derived(4));
    }

    private long derived(int label) {
        byte[] b = {(byte) 's', (byte) 'y', (byte) 'n', (byte) label};
        return SipHash.hash(k0, k1, b, b.length);
    }
}
