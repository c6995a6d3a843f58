package dev.synack.wire;

/**
 * The options of one TCP segment: their values and the order in which they stand on the wire,
 * padding (NOP, EOL) included, so that a segment can be emitted with exactly the layout a given
 * stack uses (Linux's layouts, as its tcp_options_write emits them) and printed as tcpdump prints it.
 *
 * <p>Mutable and reusable: the parser fills one in place, the engine builds one with the appending
 * methods ({@link #mss(int)}, {@link #nop()}, ...), which add both the value and its place in the
 * layout. Kinds (RFC 9293 §3.2, RFC 7323, RFC 2018): EOL 0, NOP 1, MSS 2, window scale 3,
 * SACK-permitted 4, SACK 5, timestamps 8, TCP Fast Open 34 (RFC 7413 §4.1.1) and its
 * pre-assignment form, experimental kind 254 with magic 0xF989 (RFC 6994; packetdrill's FOEXP).
 * Unknown kinds met by the parser are kept in the layout (for traces) but not re-encoded.
 */
public final class TcpOptions {
    public static final int KIND_EOL = 0;
    public static final int KIND_NOP = 1;
    public static final int KIND_MSS = 2;
    public static final int KIND_WINDOW_SCALE = 3;
    public static final int KIND_SACK_PERMITTED = 4;
    public static final int KIND_SACK = 5;
    public static final int KIND_TIMESTAMPS = 8;
    /** TCP Fast Open cookie (RFC 7413 §4.1.1): kind, length, cookie of 0 (a request) or 4..16 bytes. */
    public static final int KIND_FAST_OPEN = 34;
    /** The shared experimental kind (RFC 6994) that carried Fast Open before kind 34: kind, length, magic, cookie. */
    public static final int KIND_EXPERIMENTAL = 254;
    /** The experiment identifier of Fast Open under {@link #KIND_EXPERIMENTAL}. */
    public static final int FAST_OPEN_MAGIC = 0xF989;
    /** RFC 7413 §4.1.1: a cookie has 4 to 16 bytes, an even number. */
    public static final int MIN_COOKIE = 4;
    public static final int MAX_COOKIE = 16;

    /** The option space is at most 40 bytes (data offset 15 words minus the 5-word header). */
    public static final int MAX_LENGTH = 40;
    /** Four SACK blocks fit in 40 bytes (2 + 4*8 = 34), three alongside timestamps (RFC 2018 §3). */
    public static final int MAX_SACK_BLOCKS = 4;
    /** A SACK block: two 32-bit edges. */
    private static final int SACK_BLOCK_LENGTH = 8;

    private int mss = -1;
    private int windowScale = -1;
    private boolean sackPermitted;
    private boolean timestamps;
    private int tsVal;
    private int tsEcr;
    /** SACK block edges, allocated with the first block: most options objects never hold one (a connection's SYN and its segments without SACK). */
    private int[] sackLeft;
    private int[] sackRight;
    private int sackCount;
    /**
     * The Fast Open option's cookie: its length, -1 when the segment has no such option, 0 for a
     * cookie request; the bytes are allocated with the first cookie (most segments never carry one).
     */
    private int cookieLength = -1;
    private byte[] cookie;
    /** Option kinds in wire order; one entry per option, padding included. */
    private final byte[] layout = new byte[MAX_LENGTH];
    private int layoutLength;
    /**
     * The bytes of the options in the layout, SACK blocks apart, and how many SACK options it holds:
     * {@link #encodedLength()} without a walk over the layout (every segment sent asks for it, some twice).
     */
    private int fixedLength;
    private int sackOptions;

    public TcpOptions clear() {
        mss = -1;
        windowScale = -1;
        sackPermitted = false;
        timestamps = false;
        tsVal = 0;
        tsEcr = 0;
        sackCount = 0;
        cookieLength = -1;
        layoutLength = 0;
        fixedLength = 0;
        sackOptions = 0;
        return this;
    }

    public TcpOptions copyFrom(TcpOptions other) {
        mss = other.mss;
        windowScale = other.windowScale;
        sackPermitted = other.sackPermitted;
        timestamps = other.timestamps;
        tsVal = other.tsVal;
        tsEcr = other.tsEcr;
        sackCount = other.sackCount;
        if (sackCount > 0) {
            if (sackLeft == null) allocateSackBlocks();
            System.arraycopy(other.sackLeft, 0, sackLeft, 0, sackCount);
            System.arraycopy(other.sackRight, 0, sackRight, 0, sackCount);
        }
        cookieLength = other.cookieLength;
        if (cookieLength > 0) System.arraycopy(other.cookie, 0, cookieBytes(), 0, cookieLength);
        layoutLength = other.layoutLength;
        System.arraycopy(other.layout, 0, layout, 0, layoutLength);
        fixedLength = other.fixedLength;
        sackOptions = other.sackOptions;
        return this;
    }

    // ---- appending (building a segment's options in wire order) ----

    public TcpOptions mss(int value) {
        mss = value & 0xffff;
        return append(KIND_MSS);
    }

    public TcpOptions windowScale(int shift) {
        windowScale = shift & 0xff;
        return append(KIND_WINDOW_SCALE);
    }

    public TcpOptions sackPermitted() {
        sackPermitted = true;
        return append(KIND_SACK_PERMITTED);
    }

    public TcpOptions timestamps(int value, int echoReply) {
        timestamps = true;
        tsVal = value;
        tsEcr = echoReply;
        return append(KIND_TIMESTAMPS);
    }

    /** Appends one SACK option; add its blocks with {@link #addSackBlock(int, int)}. */
    public TcpOptions sack() {
        sackCount = 0;
        return append(KIND_SACK);
    }

    public TcpOptions addSackBlock(int left, int right) {
        if (sackCount == MAX_SACK_BLOCKS) throw new IllegalStateException("at most " + MAX_SACK_BLOCKS + " SACK blocks");
        if (sackLeft == null) allocateSackBlocks();
        sackLeft[sackCount] = left;
        sackRight[sackCount] = right;
        sackCount++;
        return this;
    }

    private void allocateSackBlocks() {
        sackLeft = new int[MAX_SACK_BLOCKS];
        sackRight = new int[MAX_SACK_BLOCKS];
    }

    /**
     * Appends a Fast Open option (RFC 7413 §4.1.1), kind 34 or, with {@code experimental}, kind 254
     * with its magic: {@code length} bytes of {@code bytes} from {@code offset} as the cookie, 0 for
     * a cookie request.
     *
     * @throws IllegalArgumentException if the length is neither 0 nor an even number in 4..16
     */
    public TcpOptions fastOpen(boolean experimental, byte[] bytes, int offset, int length) {
        checkFastOpen(length);
        if (length > 0) System.arraycopy(bytes, offset, cookieBytes(), 0, length);
        return fastOpenAppended(experimental, length);
    }

    /** {@link #fastOpen(boolean, byte[], int, int)} with the cookie read from a packet at absolute index {@code at} (the parser's use). */
    TcpOptions fastOpen(boolean experimental, java.nio.ByteBuffer packet, int at, int length) {
        checkFastOpen(length);
        if (length > 0) packet.get(at, cookieBytes(), 0, length);
        return fastOpenAppended(experimental, length);
    }

    private void checkFastOpen(int length) {
        if (length != 0 && !validCookieLength(length)) throw new IllegalArgumentException("a Fast Open cookie has 4..16 bytes, even: " + length);
        if (cookieLength >= 0) throw new IllegalStateException("one Fast Open option per segment");
    }

    private byte[] cookieBytes() {
        if (cookie == null) cookie = new byte[MAX_COOKIE];
        return cookie;
    }

    private TcpOptions fastOpenAppended(boolean experimental, int length) {
        cookieLength = length;
        append(experimental ? KIND_EXPERIMENTAL : KIND_FAST_OPEN);
        fixedLength += fastOpenLength(experimental, length);
        return this;
    }

    /** RFC 7413 §4.1.1's cookie sizes. */
    public static boolean validCookieLength(int length) {
        return length >= MIN_COOKIE && length <= MAX_COOKIE && (length & 1) == 0;
    }

    /** Kind and length, plus the magic in the experimental form. */
    static int fastOpenBase(boolean experimental) {
        return experimental ? 4 : 2;
    }

    /** The bytes a Fast Open option with a cookie of {@code cookieLength} (0: a request) takes. */
    public static int fastOpenLength(boolean experimental, int cookieLength) {
        return fastOpenBase(experimental) + cookieLength;
    }

    public TcpOptions nop() {
        return append(KIND_NOP);
    }

    public TcpOptions eol() {
        return append(KIND_EOL);
    }

    /** Records an option of a kind this class does not interpret (the parser's use). */
    public TcpOptions unknown(int kind) {
        return append(kind);
    }

    private TcpOptions append(int kind) {
        if (layoutLength == MAX_LENGTH) throw new IllegalStateException("more options than fit in 40 bytes");
        layout[layoutLength++] = (byte) kind;
        fixedLength += fixedLength(kind);
        if (kind == KIND_SACK) sackOptions++;
        return this;
    }

    /** Bytes one option of {@code kind} takes, SACK blocks apart. */
    private static int fixedLength(int kind) {
        return switch (kind) {
            case KIND_EOL, KIND_NOP -> 1;
            case KIND_MSS -> 4;
            case KIND_WINDOW_SCALE -> 3;
            case KIND_SACK_PERMITTED -> 2;
            case KIND_SACK -> 2;
            case KIND_TIMESTAMPS -> 10;
            default -> 0; // unknown kinds are not re-encoded
        };
    }

    // ---- reading ----

    public boolean hasMss() { return mss >= 0; }
    public int mss() { return mss; }
    public boolean hasWindowScale() { return windowScale >= 0; }
    public int windowScale() { return windowScale; }
    public boolean sackPermittedPresent() { return sackPermitted; }
    public boolean hasTimestamps() { return timestamps; }
    public int tsVal() { return tsVal; }
    public int tsEcr() { return tsEcr; }
    public int sackBlockCount() { return sackCount; }
    public int sackLeft(int i) { return sackLeft[i]; }
    public int sackRight(int i) { return sackRight[i]; }
    /** Whether a Fast Open option (either kind) is present: a cookie or a cookie request. */
    public boolean hasFastOpen() { return cookieLength >= 0; }
    /** Whether that option is the experimental kind 254 (only meaningful with {@link #hasFastOpen()}). */
    public boolean fastOpenExperimental() {
        for (int i = 0; i < layoutLength; i++) {
            if (kindAt(i) == KIND_EXPERIMENTAL) return true;
        }
        return false;
    }
    /** The cookie's length: 0 for a cookie request, -1 when there is no Fast Open option. */
    public int cookieLength() { return cookieLength; }
    /** The i-th byte of the cookie. */
    public byte cookieByte(int i) { return cookie[i]; }
    /** Copies the cookie into {@code into} from {@code offset}. */
    public void copyCookie(byte[] into, int offset) {
        if (cookieLength > 0) System.arraycopy(cookie, 0, into, offset, cookieLength);
    }
    public int layoutLength() { return layoutLength; }
    /** The kind of the i-th option in wire order. */
    public int kindAt(int i) { return layout[i] & 0xff; }
    public boolean isEmpty() { return layoutLength == 0; }

    /** Bytes these options take on the wire, before padding the header to a multiple of four. */
    public int encodedLength() {
        return fixedLength + sackOptions * SACK_BLOCK_LENGTH * sackCount;
    }

    /** tcpdump's spelling, e.g. {@code mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7}; empty when none. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < layoutLength; i++) {
            if (i > 0) b.append(',');
            int kind = kindAt(i);
            switch (kind) {
                case KIND_EOL -> b.append("eol");
                case KIND_NOP -> b.append("nop");
                case KIND_MSS -> b.append("mss ").append(mss);
                case KIND_WINDOW_SCALE -> b.append("wscale ").append(windowScale);
                case KIND_SACK_PERMITTED -> b.append("sackOK");
                case KIND_TIMESTAMPS -> b.append("TS val ").append(Integer.toUnsignedString(tsVal))
                        .append(" ecr ").append(Integer.toUnsignedString(tsEcr));
                case KIND_SACK -> {
                    b.append("sack ").append(sackCount);
                    for (int s = 0; s < sackCount; s++) {
                        b.append(' ').append(Integer.toUnsignedString(sackLeft[s]))
                                .append(':').append(Integer.toUnsignedString(sackRight[s]));
                    }
                }
                case KIND_FAST_OPEN -> appendFastOpen(b.append("FO"));
                case KIND_EXPERIMENTAL -> {
                    if (hasFastOpen()) appendFastOpen(b.append("FOEXP"));
                    else b.append("opt-").append(kind);
                }
                default -> b.append("opt-").append(kind);
            }
        }
        return b.toString();
    }

    /** packetdrill's spelling of the cookie: a space and its bytes in hex, nothing for a request. */
    private void appendFastOpen(StringBuilder b) {
        if (cookieLength > 0) b.append(' ');
        for (int i = 0; i < cookieLength; i++) b.append(Character.forDigit((cookie[i] >> 4) & 0xf, 16)).append(Character.forDigit(cookie[i] & 0xf, 16));
    }
}
