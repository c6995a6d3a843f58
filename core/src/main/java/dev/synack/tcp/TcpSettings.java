package dev.synack.tcp;

import java.time.Duration;

/**
 * The values behind a {@link TcpConfig}, with the {@link TcpConfig#linux()} values as defaults, and the
 * range checks its {@link TcpConfig.Builder} applies. A {@link TcpConfig} holds a private copy; the
 * meaning of each value is documented on its accessor in {@link TcpConfig}.
 */
final class TcpSettings implements Cloneable {
    // Segment size and options (RFC 9293 §3.7.1, RFC 7323, RFC 2018)
    int mss = 1460;
    int defaultPeerMss = 536;
    int minSendMss = 48;
    boolean windowScaling = true;
    int windowScale = 7;
    boolean sack = true;
    EcnMode ecn = EcnMode.PASSIVE;
    boolean timestamps = true;
    long timestampTickNanos = 1_000_000L;
    SynOptionLayout synOptionLayout = SynOptionLayout.LINUX;
    boolean synWindowInSegments = true;
    boolean receiveBufferInSegments = false;
    boolean windowOffersFreeSpace = false;

    // Buffers and windows
    int receiveBufferSize = 131_072;
    int sendBufferSize = 262_144;
    long notsentLowat = TcpConfig.NOTSENT_LOWAT_UNLIMITED;
    int initialCwndSegments = 10;
    int maxReceiveBufferSize = 6 * 1024 * 1024;
    boolean receiveBufferAutotuning = true;
    int maxOutOfOrderRanges = 64;
    CongestionAlgorithm congestionAlgorithm = CongestionAlgorithm.CUBIC;
    int slowStartAckLimitSegments = 0;
    boolean slowStartAfterIdle = true;
    int minTsoSegments = 2;
    int dupThresh = 3;
    boolean rack = true;
    boolean rackStaticReorderingWindow = false;
    boolean rackDupThresh = true;
    boolean proportionalRateReduction = true;
    boolean tailLossProbes = true;
    long pawsIdleLimitNanos = Duration.ofDays(24).toNanos();

    // Retransmission (RFC 6298) and retries (RFC 1122 §4.2.3.5)
    long initialRtoNanos = Duration.ofSeconds(1).toNanos();
    long minRtoNanos = Duration.ofMillis(200).toNanos();
    long maxRtoNanos = Duration.ofMinutes(2).toNanos();
    RtoRule rtoRule = RtoRule.LINUX;
    long rtoSlopNanos = 0;
    long persistMinNanos = 0;
    long persistMaxNanos = 0;
    int synRetries = 6;
    int synAckRetries = 5;
    int dataRetries = 15;

    // Acknowledgements (RFC 1122 §4.2.3.2, RFC 9293 §3.8.6.3)
    long delayedAckMinNanos = Duration.ofMillis(40).toNanos();
    long delayedAckMaxNanos = Duration.ofMillis(200).toNanos();
    int quickAcks = 16;

    // Termination
    long mslNanos = Duration.ofSeconds(30).toNanos();
    long finWait2TimeoutNanos = Duration.ofSeconds(60).toNanos();
    ReadShutdownData readShutdownData = ReadShutdownData.KEEP;
    boolean acksRepeatFin = false;
    boolean oldSegmentAcksProcessed = false;

    // Keepalive (RFC 1122 §4.2.3.6)
    long keepaliveIdleNanos = Duration.ofHours(2).toNanos();
    long keepaliveIntervalNanos = Duration.ofSeconds(75).toNanos();
    int keepaliveProbes = 9;

    // Timer granularity (Linux's jiffies)
    long timerTickNanos = Duration.ofMillis(4).toNanos();

    // Listen queues
    int maxBacklog = 4096;
    int synCookies = 1;
    // TCP Fast Open (RFC 7413): net.ipv4.tcp_fastopen's bits and tcp_fastopen_key (0, 0: a random key per stack)
    int fastOpen = FastOpen.CLIENT_ENABLE;
    long fastOpenKey0;
    long fastOpenKey1;

    // RFC 5961 §7: challenge ACKs per second
    int challengeAckLimit = 1000;
    boolean rstChallenge = true;
    boolean synChallenge = true;

    // What an attacker can make the host send
    long invalidRateLimitNanos = Duration.ofMillis(500).toNanos();
    int resetRateLimit = 0;
    int echoReplyRateLimit = 0;
    int echoReplyBurst = 0;

    // Stack-wide memory (MemoryBudget)
    long memoryHigh = 0;
    int maxOrphans = 0;

    // Stack-wide
    int ephemeralPortLow = 32768;
    int ephemeralPortHigh = 60999;
    int ttl = 64;

    /** A field-by-field copy: every value is a primitive or an enum constant. */
    TcpSettings copy() {
        try {
            return (TcpSettings) super.clone();
        } catch (CloneNotSupportedException e) {
            throw new AssertionError(e);
        }
    }

    static int require(int v, int lo, int hi, String what) {
        if (v < lo || v > hi) throw new IllegalArgumentException(what + " must be in [" + lo + ", " + hi + "], was " + v);
        return v;
    }

    static long positive(Duration d, String what) {
        if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(what + " must be positive, was " + d);
        return d.toNanos();
    }

    static long nonNegative(Duration d, String what) {
        if (d.isNegative()) throw new IllegalArgumentException(what + " must not be negative, was " + d);
        return d.toNanos();
    }
}
