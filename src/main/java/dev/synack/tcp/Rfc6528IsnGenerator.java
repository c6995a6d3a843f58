package dev.synack.tcp;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * RFC 6528 §3: ISN = M + F(localip, localport, remoteip, remoteport, secretkey), where M is a clock
 * ticking every 4 microseconds and F a keyed hash. F here is SHA-256 over the key and the 4-tuple
 * (RFC 6528 suggests MD5; any strong keyed hash satisfies it). A simulation passes a key drawn from
 * its seed so that runs repeat; a real stack uses a random key.
 */
public final class Rfc6528IsnGenerator implements IsnGenerator {
    private static final long TICK_NANOS = 4_000;

    private final byte[] key;
    private final MessageDigest sha256;
    private final byte[] tupleBytes = new byte[12];

    public Rfc6528IsnGenerator(byte[] key) {
        this.key = key.clone();
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK provides SHA-256", e);
        }
    }

    public static Rfc6528IsnGenerator withRandomKey() {
        byte[] key = new byte[16];
        new SecureRandom().nextBytes(key);
        return new Rfc6528IsnGenerator(key);
    }

    @Override
    public int isn(FourTuple t, long nowNanos) {
        putInt(0, t.localAddress());
        putInt(4, t.remoteAddress());
        putInt(8, (t.localPort() << 16) | (t.remotePort() & 0xffff));
        sha256.reset();
        sha256.update(key);
        sha256.update(tupleBytes);
        byte[] digest = sha256.digest();
        int f = ((digest[0] & 0xff) << 24) | ((digest[1] & 0xff) << 16) | ((digest[2] & 0xff) << 8) | (digest[3] & 0xff);
        int m = (int) (nowNanos / TICK_NANOS);
        return m + f;
    }

    private void putInt(int at, int v) {
        tupleBytes[at] = (byte) (v >>> 24);
        tupleBytes[at + 1] = (byte) (v >>> 16);
        tupleBytes[at + 2] = (byte) (v >>> 8);
        tupleBytes[at + 3] = (byte) v;
    }
}
