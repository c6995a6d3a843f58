package dev.synack.tcp;

/**
 * SYN cookies (RFC 4987 §3.6) laid out as Linux's syncookies.c lays them out, so that a listener
 * whose SYN queue is full can still answer a SYN without keeping any state: everything the
 * connection needs later comes back in the peer's ACK.
 *
 * <p>The cookie is our ISN: {@code H0(tuple) + peerIsn + (counter << 24) + ((H1(tuple, counter) +
 * mssIndex) mod 2^24)}, with H0 and H1 keyed SipHash-2-4 under two secrets, the counter the time in
 * 60-second periods (Linux's TCP_SYNCOOKIE_PERIOD) and mssIndex an index into {@link #MSS_TABLE}
 * (Linux's msstab for IPv4). An ACK is accepted when its ACK - 1 decodes, for its 4-tuple and
 * SEQ - 1, to a counter of this period or the one before (Linux's MAX_SYNCOOKIE_AGE of 2) and an
 * index inside the table.
 *
 * <p>With timestamps, the low 6 bits of the SYN-ACK's TSval carry what the SYN offered (Linux's
 * cookie_init_timestamp): bits 0-3 its window shift (15: none), bit 4 SACK-permitted, bit 5 ECN
 * (never set: synack has no ECN). The peer echoes them in every TSecr. Without timestamps nothing
 * carries them, so the connection runs without window scaling and SACK, as on Linux.
 *
 * <p>Not thread-safe (one scratch buffer); the stack calls it under its lock. Allocation-free.
 */
public final class SynCookies {
    /** The MSS values a cookie can carry (Linux's msstab for IPv4), ascending. */
    static final int[] MSS_TABLE = {536, 1300, 1440, 1460};
    /** Seconds per counter tick (Linux's TCP_SYNCOOKIE_PERIOD: 60 s). */
    static final long PERIOD_NANOS = 60_000_000_000L;
    /** Counter values accepted: this one and the one before (Linux's MAX_SYNCOOKIE_AGE). */
    static final int MAX_AGE = 2;
    /**
     * How long after a listener last sent a cookie an ACK is checked for one (Linux's
     * TCP_SYNCOOKIE_VALID = MAX_SYNCOOKIE_AGE periods); other ACKs are not even hashed.
     */
    public static final long VALID_NANOS = MAX_AGE * PERIOD_NANOS;

    private static final int COUNTER_SHIFT = 24;
    private static final int LOW_MASK = (1 << COUNTER_SHIFT) - 1;
    /** The TSval bits holding the SYN's options (Linux's TSBITS = 6). */
    static final int TS_BITS = 6;
    private static final int TS_MASK = (1 << TS_BITS) - 1;
    private static final int TS_WSCALE_MASK = 0xf;
    private static final int TS_SACK = 1 << 4;
    /** Largest window shift (RFC 7323 §2.3). */
    private static final int MAX_WSCALE = 14;

    private final long h0k0, h0k1, h1k0, h1k1;
    /** The 4-tuple and counter laid out for the hash: 16 bytes for IPv4, 40 for IPv6. */
    private final byte[] scratch = new byte[40];

    /** The two SipHash keys: (h0k0, h0k1) for the tuple hash, (h1k0, h1k1) for the one with the counter. */
    public SynCookies(long h0k0, long h0k1, long h1k0, long h1k1) {
        this.h0k0 = h0k0;
        this.h0k1 = h0k1;
        this.h1k0 = h1k0;
        this.h1k1 = h1k1;
    }

    /** The stack's Fast Open cookies, made with the first listener that needs them. */
    private FastOpenCookies fastOpenCookies;

    /**
     * The stack's Fast Open cookies (RFC 7413 §4.1.2): under the configured tcp_fastopen_key, else
     * under a key derived from this stack's secret (Linux picks a random key at first use).
     */
    FastOpenCookies fastOpenCookies(TcpConfig config) {
        if (fastOpenCookies == null) fastOpenCookies = FastOpenCookies.forConfig(config, h1k0 ^ h0k1, h1k1 ^ h0k0);
        return fastOpenCookies;
    }

    /** The counter at {@code now}. */
    static int counter(long now) {
        return (int) Math.floorDiv(now, PERIOD_NANOS);
    }

    /**
     * The index of the largest table MSS not above {@code peerMss}; 0 (536) below the table, as
     * Linux's cookie_init_sequence rounds down.
     */
    static int mssIndex(int peerMss) {
        int i = MSS_TABLE.length - 1;
        while (i > 0 && peerMss < MSS_TABLE[i]) i--;
        return i;
    }

    /** Our ISN for a SYN of {@code tuple} with ISN {@code peerIsn} announcing {@code peerMss}, at {@code now}. */
    public int cookie(FourTuple tuple, int peerIsn, int peerMss, long now) {
        int count = counter(now);
        return hash(tuple, 0, false) + peerIsn + (count << COUNTER_SHIFT)
                + ((hash(tuple, count, true) + mssIndex(peerMss)) & LOW_MASK);
    }

    /**
     * The peer's MSS from the table when {@code cookie} (the ACK's ACK - 1) is one we made for
     * {@code tuple} and {@code peerIsn} (its SEQ - 1) within the last {@link #MAX_AGE} periods; 0 when not.
     */
    public int check(FourTuple tuple, int peerIsn, int cookie, long now) {
        int count = counter(now);
        int rest = cookie - hash(tuple, 0, false) - peerIsn;
        int age = (count - (rest >>> COUNTER_SHIFT)) & (-1 >>> COUNTER_SHIFT);
        if (age >= MAX_AGE) return 0;
        int index = (rest - hash(tuple, count - age, true)) & LOW_MASK;
        return index < MSS_TABLE.length ? MSS_TABLE[index] : 0;
    }

    /**
     * Our SYN-ACK's TSval: {@code tsNow} with its low bits replaced by the SYN's options, stepped
     * back one 64-tick block when that would put it ahead of {@code tsNow}, so that the clock never
     * runs backwards for the peer (Linux's cookie_init_timestamp). {@code peerWscale} < 0: none.
     */
    static int timestamp(int tsNow, int peerWscale, boolean sack) {
        int options = (peerWscale >= 0 ? peerWscale : TS_WSCALE_MASK) | (sack ? TS_SACK : 0);
        int ts = (tsNow & ~TS_MASK) | options;
        return Seq.gt(ts, tsNow) ? ts - (1 << TS_BITS) : ts;
    }

    /**
     * What the SYN offered, read back from the TSecr of its ACK (Linux's cookie_timestamp_decode);
     * null when the bits name something {@code config} refuses (the cookie is then not accepted).
     */
    static Offered offered(int tsEcr, TcpConfig config) {
        int options = tsEcr & TS_MASK;
        boolean sack = (options & TS_SACK) != 0;
        if (sack && !config.sack()) return null;
        int ws = options & TS_WSCALE_MASK;
        if (ws == TS_WSCALE_MASK) return sack ? Offered.SACK_ONLY : Offered.NOTHING;
        if (ws > MAX_WSCALE || !config.windowScaling()) return null;
        return new Offered(sack, ws);
    }

    /** The options a SYN offered, as a cookie keeps them: SACK-permitted and the window shift (-1: none). */
    record Offered(boolean sack, int windowScale) {
        static final Offered NOTHING = new Offered(false, -1);
        static final Offered SACK_ONLY = new Offered(true, -1);
    }

    private int hash(FourTuple t, int count, boolean withCounter) {
        int length = t.hashInput(scratch, false);
        SipHash.putBigEndian(scratch, length, count);
        return withCounter ? (int) SipHash.hash(h1k0, h1k1, scratch, length + 4) : (int) SipHash.hash(h0k0, h0k1, scratch, length);
    }
}
