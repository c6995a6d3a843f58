package dev.synack.tcp;

import java.time.Duration;

/**
 * Every timer and limit of the engine and the stack, immutable, with named profiles. Nothing the
 * engine does depends on a number that is not here.
 *
 * <ul>
 *   <li>{@link #linux()}: the Linux defaults written down in design.md.</li>
 *   <li>{@link #rfc()}: the RFCs' own numbers where they differ: MSL 2 min (RFC 9293 §3.4.2, so
 *       TIME_WAIT lasts 4 min), minimum RTO 1 s on the whole RTO and maximum 60 s (RFC 6298
 *       §2.4-2.5), a fixed 200 ms delayed ACK (RFC 1122 §4.2.3.2 allows up to 500 ms), NewReno with
 *       slow start by at most 2 SMSS per ACK (RFC 3465 §2.2), RFC 6675's DupThresh loss detection
 *       instead of RACK ({@link #rack()}) and without proportional rate reduction
 *       ({@link #proportionalRateReduction()}), every unacceptable segment answered (RFC 9293
 *       §3.10.7.4; only RFC 5961's challenge ACKs are limited).</li>
 * </ul>
 * Change any value with {@link #toBuilder()}: {@code TcpConfig.linux().toBuilder().msl(Duration.ofSeconds(1)).build()}.
 */
public final class TcpConfig {
    // Segment size and options (RFC 9293 §3.7.1, RFC 7323, RFC 2018)
    private final int mss;
    private final int defaultPeerMss;
    private final int minSendMss;
    private final boolean windowScaling;
    private final int windowScale;
    private final boolean sack;
    private final boolean timestamps;
    private final long timestampTickNanos;

    // Buffers and windows
    private final int receiveBufferSize;
    private final int sendBufferSize;
    private final long notsentLowat;
    private final int initialCwndSegments;
    private final int maxReceiveBufferSize;
    private final boolean receiveBufferAutotuning;
    private final int maxOutOfOrderRanges;
    private final CongestionAlgorithm congestionAlgorithm;
    private final int slowStartAckLimitSegments;
    private final boolean slowStartAfterIdle;
    private final int minTsoSegments;
    private final int dupThresh;
    private final boolean rack;
    private final boolean rackStaticReorderingWindow;
    private final boolean rackDupThresh;
    private final boolean proportionalRateReduction;
    private final boolean tailLossProbes;
    private final long pawsIdleLimitNanos;

    // Retransmission (RFC 6298) and retries (RFC 1122 §4.2.3.5)
    private final long initialRtoNanos;
    private final long minRtoNanos;
    private final long maxRtoNanos;
    private final RtoRule rtoRule;
    private final int synRetries;
    private final int synAckRetries;
    private final int dataRetries;

    // Acknowledgements (RFC 1122 §4.2.3.2, RFC 9293 §3.8.6.3)
    private final long delayedAckMinNanos;
    private final long delayedAckMaxNanos;
    private final int quickAcks;

    // Termination
    private final long mslNanos;
    private final long finWait2TimeoutNanos;
    private final ReadShutdownData readShutdownData;

    // Keepalive (RFC 1122 §4.2.3.6)
    private final long keepaliveIdleNanos;
    private final long keepaliveIntervalNanos;
    private final int keepaliveProbes;

    // Timer granularity (Linux's jiffies)
    private final long timerTickNanos;

    // Listen queues
    private final int maxBacklog;
    private final int synCookies;

    // RFC 5961 §7: challenge ACKs per second
    private final int challengeAckLimit;

    // What an attacker can make the host send
    private final long invalidRateLimitNanos;
    private final int resetRateLimit;
    private final int echoReplyRateLimit;
    private final int echoReplyBurst;

    // Stack-wide memory (MemoryBudget)
    private final long memoryHigh;
    private final int maxOrphans;

    // Stack-wide
    private final int ephemeralPortLow;
    private final int ephemeralPortHigh;
    private final int ttl;

    private TcpConfig(Builder b) {
        mss = b.mss;
        defaultPeerMss = b.defaultPeerMss;
        minSendMss = b.minSendMss;
        windowScaling = b.windowScaling;
        windowScale = b.windowScale;
        sack = b.sack;
        timestamps = b.timestamps;
        timestampTickNanos = b.timestampTickNanos;
        receiveBufferSize = b.receiveBufferSize;
        sendBufferSize = b.sendBufferSize;
        notsentLowat = b.notsentLowat;
        initialCwndSegments = b.initialCwndSegments;
        maxReceiveBufferSize = Math.max(b.maxReceiveBufferSize, b.receiveBufferSize);
        receiveBufferAutotuning = b.receiveBufferAutotuning;
        maxOutOfOrderRanges = b.maxOutOfOrderRanges;
        congestionAlgorithm = b.congestionAlgorithm;
        slowStartAckLimitSegments = b.slowStartAckLimitSegments;
        slowStartAfterIdle = b.slowStartAfterIdle;
        minTsoSegments = b.minTsoSegments;
        dupThresh = b.dupThresh;
        rack = b.rack;
        rackStaticReorderingWindow = b.rackStaticReorderingWindow;
        rackDupThresh = b.rackDupThresh;
        proportionalRateReduction = b.proportionalRateReduction;
        tailLossProbes = b.tailLossProbes;
        pawsIdleLimitNanos = b.pawsIdleLimitNanos;
        initialRtoNanos = b.initialRtoNanos;
        minRtoNanos = b.minRtoNanos;
        maxRtoNanos = b.maxRtoNanos;
        rtoRule = b.rtoRule;
        synRetries = b.synRetries;
        synAckRetries = b.synAckRetries;
        dataRetries = b.dataRetries;
        delayedAckMinNanos = b.delayedAckMinNanos;
        delayedAckMaxNanos = b.delayedAckMaxNanos;
        quickAcks = b.quickAcks;
        mslNanos = b.mslNanos;
        finWait2TimeoutNanos = b.finWait2TimeoutNanos;
        readShutdownData = b.readShutdownData;
        keepaliveIdleNanos = b.keepaliveIdleNanos;
        keepaliveIntervalNanos = b.keepaliveIntervalNanos;
        keepaliveProbes = b.keepaliveProbes;
        timerTickNanos = b.timerTickNanos;
        maxBacklog = b.maxBacklog;
        synCookies = b.synCookies;
        challengeAckLimit = b.challengeAckLimit;
        invalidRateLimitNanos = b.invalidRateLimitNanos;
        resetRateLimit = b.resetRateLimit;
        echoReplyRateLimit = b.echoReplyRateLimit;
        echoReplyBurst = b.echoReplyBurst;
        memoryHigh = b.memoryHigh;
        maxOrphans = b.maxOrphans;
        ephemeralPortLow = b.ephemeralPortLow;
        ephemeralPortHigh = b.ephemeralPortHigh;
        ttl = b.ttl;
    }

    /** Linux's defaults (design.md, "Reference facts"). */
    public static TcpConfig linux() {
        return new Builder().build();
    }

    /**
     * The RFCs' numbers: MSL 2 min (TIME_WAIT 4 min), RTO 1 s..60 s with the minimum on the whole
     * RTO, delayed ACK 200 ms, slow start by at most 2 SMSS per ACK, no RACK, no limit on ACKs to
     * unacceptable segments.
     */
    public static TcpConfig rfc() {
        return new Builder()
                .msl(Duration.ofMinutes(2))
                .minRto(Duration.ofSeconds(1))
                .maxRto(Duration.ofSeconds(60))
                .rtoRule(RtoRule.RFC_6298)
                .delayedAck(Duration.ofMillis(200), Duration.ofMillis(200))
                .congestionAlgorithm(CongestionAlgorithm.NEW_RENO)
                .slowStartAckLimitSegments(2)
                .timerTick(Duration.ZERO)
                .rack(false)
                .proportionalRateReduction(false)
                .readShutdownData(ReadShutdownData.KEEP) // the RFCs drop no acknowledged data: see readShutdownData()
                .invalidRateLimit(Duration.ZERO)
                .build();
    }

    public Builder toBuilder() { return new Builder(this); }

    /** The MSS we advertise: 1460 for a 1500-byte MTU (IPv4, no IP or TCP options). */
    public int mss() { return mss; }
    /** The MSS assumed when the peer's SYN carries none (RFC 9293 §3.7.1: 536). */
    public int defaultPeerMss() { return defaultPeerMss; }
    /**
     * The smallest MSS we send with, whatever the peer announced: Linux's tcp_min_snd_mss (48,
     * TCP_MIN_SND_MSS), so that a peer announcing a tiny MSS cannot make us cut a transfer into
     * one-byte segments. The timestamps option is taken from it, as from any MSS (48 - 12 = 36).
     */
    public int minSendMss() { return minSendMss; }
    public boolean windowScaling() { return windowScaling; }
    /** The shift we offer in our SYN (RFC 7323 §2.3); Linux: 7. */
    public int windowScale() { return windowScale; }
    public boolean sack() { return sack; }
    public boolean timestamps() { return timestamps; }
    /** One tick of the timestamp clock (RFC 7323 §5.4); Linux: 1 ms. */
    public long timestampTickNanos() { return timestampTickNanos; }
    public int receiveBufferSize() { return receiveBufferSize; }
    public int sendBufferSize() { return sendBufferSize; }
    /**
     * Linux's net.ipv4.tcp_notsent_lowat: the default low-water mark of unsent bytes for sockets
     * that do not set TCP_NOTSENT_LOWAT; {@link #NOTSENT_LOWAT_UNLIMITED} (Linux's default, UINT_MAX)
     * leaves writability to the send buffer alone.
     */
    public long notsentLowat() { return notsentLowat; }
    /** Linux's default tcp_notsent_lowat (UINT_MAX): no low-water mark. */
    public static final long NOTSENT_LOWAT_UNLIMITED = 0xffff_ffffL;
    /** RFC 6928: 10 segments. */
    public int initialCwndSegments() { return initialCwndSegments; }
    /**
     * The most the receive buffer may grow to by autotuning (Linux tcp_rmem[2]: 6 MiB); the window
     * scale must be able to say it (7 covers 8 MiB).
     */
    public int maxReceiveBufferSize() { return maxReceiveBufferSize; }
    /** Grow the receive buffer toward {@link #maxReceiveBufferSize()} as the bandwidth-delay product requires (Linux tcp_moderate_rcvbuf). */
    public boolean receiveBufferAutotuning() { return receiveBufferAutotuning; }
    /** The most separate out-of-order ranges a receiver holds; a segment that would make another is dropped. */
    public int maxOutOfOrderRanges() { return maxOutOfOrderRanges; }
    /** CUBIC in {@link #linux()}, NewReno in {@link #rfc()}. */
    public CongestionAlgorithm congestionAlgorithm() { return congestionAlgorithm; }
    /**
     * The most one ACK grows cwnd by in slow start, in SMSS: the limit L of appropriate byte counting
     * (RFC 3465 §2.2, L = 2 SMSS; RFC 5681 §3.1 eq. 2 itself counts at most 1 SMSS and allows more
     * only as RFC 3465's experiment). 0 means no limit: every newly acknowledged segment counts, and
     * what goes past ssthresh counts toward congestion avoidance, as Linux's tcp_slow_start does
     * (the {@link #linux()} profile); {@link #rfc()}: 2.
     */
    public int slowStartAckLimitSegments() { return slowStartAckLimitSegments; }
    /**
     * Restart slow start after an idle period (RFC 5681 §4.1, RFC 2861's restart window; Linux's
     * tcp_slow_start_after_idle, on by default): when sending resumes with nothing in flight more
     * than an RTO after data was last sent, cwnd is halved for every RTO of the pause, down to
     * min(initial window, cwnd), and ssthresh kept at least 3/4 of the old cwnd, as Linux's
     * tcp_cwnd_restart. On in both profiles (RFC 5681 says SHOULD).
     */
    public boolean slowStartAfterIdle() { return slowStartAfterIdle; }
    /**
     * The fewest segments in a train of new segments sent together (Linux's tcp_min_tso_segs, 2):
     * synack has no TSO, but sends as Linux's TSO packets would leave, the last of a train pushed.
     */
    public int minTsoSegments() { return minTsoSegments; }
    /** DupThresh of RFC 5681 §3.2 and RFC 6675 §2: 3 duplicate ACKs (or SACKed segments) mean a loss. */
    public int dupThresh() { return dupThresh; }

    /**
     * RACK loss detection (RFC 8985 §6) on connections with SACK: a segment is lost once one sent
     * a reordering window after it was delivered, and RFC 6675's DupThresh rules are not used; its
     * only count-based rule is RACK's own (no reordering window while DupThresh segments are SACKed
     * and no reordering was seen). Without SACK, duplicate ACKs and DupThresh decide either way
     * (RFC 5681, RFC 6582). Linux: net.ipv4.tcp_recovery bit 0x1, on by default, in the Linux
     * profile. Off in the RFC profile: RFC 9293 (§3.8.2) asks for RFC 5681's congestion control
     * and not for RFC 8985, an optional alternative to the DupThresh rules, so that profile keeps
     * RFC 6675.
     */
    public boolean rack() { return rack; }

    /**
     * RACK's reordering window stays min_RTT / 4: D-SACKs do not widen it (RFC 8985 §6.2 step 4
     * adapts it; Linux's tcp_recovery bit 0x2 turns that off). Off in both profiles.
     */
    public boolean rackStaticReorderingWindow() { return rackStaticReorderingWindow; }

    /**
     * RACK's DupThresh rule (RFC 8985 §6.2 step 4): while no reordering was seen, the reordering
     * window is zero once {@link #dupThresh()} segments are SACKed. On in both profiles; Linux's
     * tcp_recovery bit 0x4 turns it off.
     */
    public boolean rackDupThresh() { return rackDupThresh; }

    /**
     * Proportional Rate Reduction paces what a fast recovery sends, with SACK or without, so that
     * about ssthresh is in flight when it ends ({@link ProportionalRateReduction}, as Linux's
     * tcp_cwnd_reduction, which Linux always runs); without SACK it comes with Linux's accounting of
     * duplicate ACKs as delivered segments (no RFC 6582 window inflation, and slow start does not
     * count those segments again). On in {@link #linux()}. Off in {@link #rfc()}, which keeps RFC
     * 6675 §5 (cwnd = ssthresh at once, then cwnd - pipe sent on each ACK) and RFC 6582: PRR is
     * standards track since RFC 9937 (December 2025, obsoleting the experimental RFC 6937), but
     * RFC 9937 takes RecoverFS from pipe where Linux takes the cwnd before the reduction, and the
     * engine implements Linux's form only.
     */
    public boolean proportionalRateReduction() { return proportionalRateReduction; }

    /**
     * Tail loss probes (RFC 8985 §7) on connections with SACK. On in both profiles; Linux's
     * tcp_early_retrans 3 or 4 (the default 3), off with 0 (and with 1 or 2, which no longer mean
     * anything else).
     */
    public boolean tailLossProbes() { return tailLossProbes; }
    /** RFC 7323 §5.5: after this long idle, TS.Recent is invalid and PAWS does not apply (24 days). */
    public long pawsIdleLimitNanos() { return pawsIdleLimitNanos; }
    public long initialRtoNanos() { return initialRtoNanos; }
    public long minRtoNanos() { return minRtoNanos; }
    public long maxRtoNanos() { return maxRtoNanos; }
    /**
     * Where {@link #minRtoNanos()} applies: {@link RtoRule#LINUX} to the variance term (RTO = SRTT +
     * max(variance, minimum), Linux's 200 ms tcp_rto_min), {@link RtoRule#RFC_6298} to the whole RTO
     * (§2.4, the {@link #rfc()} profile's 1 s).
     */
    public RtoRule rtoRule() { return rtoRule; }
    /** SYN retransmissions before "connection timed out" (Linux tcp_syn_retries: 6). */
    public int synRetries() { return synRetries; }
    /** SYN-ACK retransmissions before the embryonic connection is dropped (tcp_synack_retries: 5). */
    public int synAckRetries() { return synAckRetries; }
    /** Data retransmissions before the connection is reset (tcp_retries2: 15). */
    public int dataRetries() { return dataRetries; }
    public long delayedAckMinNanos() { return delayedAckMinNanos; }
    public long delayedAckMaxNanos() { return delayedAckMaxNanos; }
    /** ACKs sent at once, not delayed, at the start of a connection (Linux quick-ack mode). */
    public int quickAcks() { return quickAcks; }
    /** Maximum segment lifetime; TIME_WAIT lasts {@link #timeWaitNanos()} = 2 x MSL. */
    public long mslNanos() { return mslNanos; }
    public long timeWaitNanos() { return 2 * mslNanos; }
    /** An orphaned FIN_WAIT2 connection is dropped after this (Linux tcp_fin_timeout: 60 s). */
    public long finWait2TimeoutNanos() { return finWait2TimeoutNanos; }
    /**
     * What shutdown(SHUT_RD) does to received data: {@link ReadShutdownData#KEEP} in both profiles.
     * Linux keeps it readable; for the RFC profile, RFC 9293 defines no receive-side shutdown and
     * acknowledges data in order to deliver it (§3.10.7.4, seventh), and RFC 1122 §4.2.2.13 answers
     * data that can no longer be read with a RST rather than losing it silently, which is what KEEP
     * does once both directions are shut. {@link ReadShutdownData#DISCARD} is the BSD behaviour.
     */
    public ReadShutdownData readShutdownData() { return readShutdownData; }
    public long keepaliveIdleNanos() { return keepaliveIdleNanos; }
    public long keepaliveIntervalNanos() { return keepaliveIntervalNanos; }
    public int keepaliveProbes() { return keepaliveProbes; }

    /**
     * The tick of Linux's timers (a jiffy, 1/HZ s), for the timers Linux counts in ticks: RACK's
     * reordering timer (RFC 8985 §6.3) and the tail loss probe's timeout (§7.2) are rounded up to
     * whole ticks and given TCP_TIMEOUT_MIN, two ticks, more (the probe only when more than one
     * segment is out: with one, the delayed-ACK allowance replaces it). Without that slack, on a
     * path whose round trip is a few microseconds, a moment's scheduling delay at the receiver would
     * fire a needless probe or retransmission. Zero: no ticks, RFC 8985's bare timeouts (the RFC
     * profile).
     *
     * <p>Linux profile: 4 ms, HZ=250, as Debian's kernels and the Linux 6.18 whose packetdrill runs
     * the project compares with: there fr-4pkt-fack-last-mss.pkt's reordering timer fired 35 ms
     * after the SACK (7 + 2 ticks; HZ=1000 gives 25 + 2 ms). Of the upstream corpus, 30 scripts pass
     * at HZ=250 (that one among them) and 31 at HZ=1000, where two pass that were written for
     * HZ=1000 and fail on that kernel too.
     */
    public long timerTickNanos() { return timerTickNanos; }
    /** listen(backlog) is capped to this (Linux somaxconn: 4096). */
    public int maxBacklog() { return maxBacklog; }
    /**
     * SYN cookies (RFC 4987 §3.6), as Linux's net.ipv4.tcp_syncookies: 0 never (a SYN finding the
     * SYN queue full is dropped), 1 when a listener's SYN queue is full (Linux's default), 2 for
     * every SYN. See {@link SynCookies}.
     */
    public int synCookies() { return synCookies; }
    public int challengeAckLimit() { return challengeAckLimit; }

    /**
     * The least time between two ACKs a connection sends in reply to segments it does not accept
     * (out of the window, PAWS-rejected, old duplicates in TIME_WAIT, retransmitted SYNs in
     * SYN_RECV) and challenge ACKs, for segments without payload: Linux's tcp_invalid_ratelimit,
     * 500 ms. 0: no limit, as RFC 9293 answers every unacceptable segment (the rfc() profile).
     */
    public long invalidRateLimitNanos() { return invalidRateLimitNanos; }

    /**
     * RSTs per second the host sends, all connections together, in reply to segments for no
     * connection and no listener (a token bucket as deep as one second's worth). 0: no limit, as
     * Linux, which does not limit these resets; FreeBSD limits them to 200 per second
     * (net.inet.icmp.icmplim, which covers RSTs to closed ports).
     */
    public int resetRateLimit() { return resetRateLimit; }

    /**
     * ICMP echo replies per second, host-wide (a token bucket of {@link #echoReplyBurst()}). 0: no
     * limit, as Linux by default: its global ICMP budget (icmp_msgs_per_sec 1000, icmp_msgs_burst
     * 50) applies only to the types in icmp_ratemask, which leaves echo replies out.
     * {@code echoReplyRateLimit(1000, 50)} puts them under that budget, as adding type 0 to the
     * mask does.
     */
    public int echoReplyRateLimit() { return echoReplyRateLimit; }
    public int echoReplyBurst() { return echoReplyBurst; }

    /**
     * The hard level of the stack's {@link MemoryBudget} in bytes (Linux's tcp_mem[2]); the pressure
     * level is three quarters of it and the low level half. 0: a quarter of the largest heap
     * ({@link MemoryBudget#defaultHigh}), as Linux sizes tcp_mem from the memory it has.
     */
    public long memoryHigh() { return memoryHigh; }

    /**
     * tcp_max_orphans: connections closed by their users that may hold a state at once; beyond it
     * an orphan is reset and freed. 0: one per 64 KiB of the hard level ({@link MemoryBudget#defaultMaxOrphans}).
     */
    public int maxOrphans() { return maxOrphans; }
    public int ephemeralPortLow() { return ephemeralPortLow; }
    public int ephemeralPortHigh() { return ephemeralPortHigh; }
    public int ttl() { return ttl; }

    @Override
    public String toString() {
        return "TcpConfig[mss=" + mss + ", wscale=" + (windowScaling ? windowScale : "off") + ", sack=" + sack
                + ", timestamps=" + timestamps + ", rcvbuf=" + receiveBufferSize + (receiveBufferAutotuning ? ".." + maxReceiveBufferSize : "")
                + ", cc=" + congestionAlgorithm + (sack ? ", loss detection=" + (rack ? "RACK" : "RFC 6675") : "") + ", sndbuf=" + sendBufferSize
                + ", rto=" + Duration.ofNanos(initialRtoNanos) + " [" + Duration.ofNanos(minRtoNanos) + ".."
                + Duration.ofNanos(maxRtoNanos) + "], msl=" + Duration.ofNanos(mslNanos) + "]";
    }

    /** Builds a {@link TcpConfig}; starts from the {@link #linux()} values. */
    public static final class Builder {
        private int mss = 1460;
        private int defaultPeerMss = 536;
        private int minSendMss = 48;
        private boolean windowScaling = true;
        private int windowScale = 7;
        private boolean sack = true;
        private boolean timestamps = true;
        private long timestampTickNanos = 1_000_000L;
        private int receiveBufferSize = 131_072;
        private int sendBufferSize = 262_144;
        private long notsentLowat = NOTSENT_LOWAT_UNLIMITED;
        private int initialCwndSegments = 10;
        private int maxReceiveBufferSize = 6 * 1024 * 1024;
        private boolean receiveBufferAutotuning = true;
        private int maxOutOfOrderRanges = 64;
        private CongestionAlgorithm congestionAlgorithm = CongestionAlgorithm.CUBIC;
        private int slowStartAckLimitSegments = 0;
        private boolean slowStartAfterIdle = true;
        private int minTsoSegments = 2;
        private int dupThresh = 3;
        private boolean rack = true;
        private boolean rackStaticReorderingWindow = false;
        private boolean rackDupThresh = true;
        private boolean proportionalRateReduction = true;
        private boolean tailLossProbes = true;
        private long pawsIdleLimitNanos = Duration.ofDays(24).toNanos();
        private long initialRtoNanos = Duration.ofSeconds(1).toNanos();
        private long minRtoNanos = Duration.ofMillis(200).toNanos();
        private long maxRtoNanos = Duration.ofSeconds(120).toNanos();
        private RtoRule rtoRule = RtoRule.LINUX;
        private int synRetries = 6;
        private int synAckRetries = 5;
        private int dataRetries = 15;
        private long delayedAckMinNanos = Duration.ofMillis(40).toNanos();
        private long delayedAckMaxNanos = Duration.ofMillis(200).toNanos();
        private int quickAcks = 16;
        private long mslNanos = Duration.ofSeconds(30).toNanos();
        private long finWait2TimeoutNanos = Duration.ofSeconds(60).toNanos();
        private ReadShutdownData readShutdownData = ReadShutdownData.KEEP;
        private long keepaliveIdleNanos = Duration.ofHours(2).toNanos();
        private long keepaliveIntervalNanos = Duration.ofSeconds(75).toNanos();
        private int keepaliveProbes = 9;
        private long timerTickNanos = Duration.ofMillis(4).toNanos();
        private int maxBacklog = 4096;
        private int synCookies = 1;
        private int challengeAckLimit = 1000;
        private long invalidRateLimitNanos = Duration.ofMillis(500).toNanos();
        private int resetRateLimit = 0;
        private int echoReplyRateLimit = 0;
        private int echoReplyBurst = 0;
        private long memoryHigh = 0;
        private int maxOrphans = 0;
        private int ephemeralPortLow = 32768;
        private int ephemeralPortHigh = 60999;
        private int ttl = 64;

        public Builder() {}

        private Builder(TcpConfig c) {
            mss = c.mss;
            defaultPeerMss = c.defaultPeerMss;
            minSendMss = c.minSendMss;
            windowScaling = c.windowScaling;
            windowScale = c.windowScale;
            sack = c.sack;
            timestamps = c.timestamps;
            timestampTickNanos = c.timestampTickNanos;
            receiveBufferSize = c.receiveBufferSize;
            sendBufferSize = c.sendBufferSize;
            notsentLowat = c.notsentLowat;
            initialCwndSegments = c.initialCwndSegments;
            maxReceiveBufferSize = c.maxReceiveBufferSize;
            receiveBufferAutotuning = c.receiveBufferAutotuning;
            maxOutOfOrderRanges = c.maxOutOfOrderRanges;
            congestionAlgorithm = c.congestionAlgorithm;
            slowStartAckLimitSegments = c.slowStartAckLimitSegments;
            slowStartAfterIdle = c.slowStartAfterIdle;
            minTsoSegments = c.minTsoSegments;
            dupThresh = c.dupThresh;
            rack = c.rack;
            rackStaticReorderingWindow = c.rackStaticReorderingWindow;
            rackDupThresh = c.rackDupThresh;
            proportionalRateReduction = c.proportionalRateReduction;
            tailLossProbes = c.tailLossProbes;
            pawsIdleLimitNanos = c.pawsIdleLimitNanos;
            initialRtoNanos = c.initialRtoNanos;
            minRtoNanos = c.minRtoNanos;
            maxRtoNanos = c.maxRtoNanos;
            rtoRule = c.rtoRule;
            synRetries = c.synRetries;
            synAckRetries = c.synAckRetries;
            synCookies = c.synCookies;
            dataRetries = c.dataRetries;
            delayedAckMinNanos = c.delayedAckMinNanos;
            delayedAckMaxNanos = c.delayedAckMaxNanos;
            quickAcks = c.quickAcks;
            mslNanos = c.mslNanos;
            finWait2TimeoutNanos = c.finWait2TimeoutNanos;
            readShutdownData = c.readShutdownData;
            keepaliveIdleNanos = c.keepaliveIdleNanos;
            keepaliveIntervalNanos = c.keepaliveIntervalNanos;
            keepaliveProbes = c.keepaliveProbes;
            timerTickNanos = c.timerTickNanos;
            maxBacklog = c.maxBacklog;
            challengeAckLimit = c.challengeAckLimit;
            invalidRateLimitNanos = c.invalidRateLimitNanos;
            resetRateLimit = c.resetRateLimit;
            echoReplyRateLimit = c.echoReplyRateLimit;
            echoReplyBurst = c.echoReplyBurst;
            memoryHigh = c.memoryHigh;
            maxOrphans = c.maxOrphans;
            ephemeralPortLow = c.ephemeralPortLow;
            ephemeralPortHigh = c.ephemeralPortHigh;
            ttl = c.ttl;
        }

        public Builder mss(int v) { mss = require(v, 88, 65495, "mss"); return this; }
        public Builder defaultPeerMss(int v) { defaultPeerMss = require(v, 88, 65495, "defaultPeerMss"); return this; }
        /** Linux's sysctl tcp_min_snd_mss accepts no value below TCP_MIN_SND_MSS (48). */
        public Builder minSendMss(int v) { minSendMss = require(v, 48, 65495, "minSendMss"); return this; }
        public Builder windowScaling(boolean v) { windowScaling = v; return this; }
        /** RFC 7323 §2.3: at most 14. */
        public Builder windowScale(int v) { windowScale = require(v, 0, 14, "windowScale"); return this; }
        public Builder sack(boolean v) { sack = v; return this; }
        public Builder timestamps(boolean v) { timestamps = v; return this; }
        public Builder timestampTick(Duration d) { timestampTickNanos = positive(d, "timestampTick"); return this; }
        public Builder receiveBufferSize(int v) { receiveBufferSize = require(v, 1, 1 << 30, "receiveBufferSize"); return this; }
        public Builder sendBufferSize(int v) { sendBufferSize = require(v, 1, 1 << 30, "sendBufferSize"); return this; }
        /** net.ipv4.tcp_notsent_lowat: 1 to UINT_MAX bytes (see {@link TcpConfig#notsentLowat()}). */
        public Builder notsentLowat(long v) {
            if (v < 1 || v > NOTSENT_LOWAT_UNLIMITED) throw new IllegalArgumentException("notsentLowat must be 1.." + NOTSENT_LOWAT_UNLIMITED + ", got " + v);
            notsentLowat = v;
            return this;
        }
        public Builder initialCwndSegments(int v) { initialCwndSegments = require(v, 1, 1000, "initialCwndSegments"); return this; }
        public Builder maxReceiveBufferSize(int v) { maxReceiveBufferSize = require(v, 1, 1 << 30, "maxReceiveBufferSize"); return this; }
        public Builder receiveBufferAutotuning(boolean v) { receiveBufferAutotuning = v; return this; }
        public Builder maxOutOfOrderRanges(int v) { maxOutOfOrderRanges = require(v, 1, 1 << 16, "maxOutOfOrderRanges"); return this; }
        public Builder congestionAlgorithm(CongestionAlgorithm v) {
            if (v == null) throw new IllegalArgumentException("congestionAlgorithm must not be null");
            congestionAlgorithm = v;
            return this;
        }
        /** See {@link TcpConfig#slowStartAckLimitSegments()}; 0 for no limit. */
        public Builder slowStartAckLimitSegments(int v) { slowStartAckLimitSegments = require(v, 0, 1000, "slowStartAckLimitSegments"); return this; }
        /** See {@link TcpConfig#slowStartAfterIdle()}. */
        public Builder slowStartAfterIdle(boolean v) { slowStartAfterIdle = v; return this; }
        /** See {@link TcpConfig#minTsoSegments()}. */
        public Builder minTsoSegments(int v) { minTsoSegments = require(v, 1, 255, "minTsoSegments"); return this; }
        public Builder pawsIdleLimit(Duration d) { pawsIdleLimitNanos = positive(d, "pawsIdleLimit"); return this; }
        public Builder dupThresh(int v) { dupThresh = require(v, 1, 1000, "dupThresh"); return this; }
        /** See {@link TcpConfig#rack()}. */
        public Builder rack(boolean v) { rack = v; return this; }
        /** See {@link TcpConfig#rackStaticReorderingWindow()}. */
        public Builder rackStaticReorderingWindow(boolean v) { rackStaticReorderingWindow = v; return this; }
        /** See {@link TcpConfig#rackDupThresh()}. */
        public Builder rackDupThresh(boolean v) { rackDupThresh = v; return this; }
        /** See {@link TcpConfig#proportionalRateReduction()}. */
        public Builder proportionalRateReduction(boolean v) { proportionalRateReduction = v; return this; }
        /** See {@link TcpConfig#tailLossProbes()}. */
        public Builder tailLossProbes(boolean v) { tailLossProbes = v; return this; }
        public Builder initialRto(Duration d) { initialRtoNanos = positive(d, "initialRto"); return this; }
        public Builder minRto(Duration d) { minRtoNanos = positive(d, "minRto"); return this; }
        public Builder maxRto(Duration d) { maxRtoNanos = positive(d, "maxRto"); return this; }
        public Builder rtoRule(RtoRule v) {
            if (v == null) throw new IllegalArgumentException("rtoRule must not be null");
            rtoRule = v;
            return this;
        }
        public Builder synRetries(int v) { synRetries = require(v, 0, 255, "synRetries"); return this; }
        public Builder synAckRetries(int v) { synAckRetries = require(v, 0, 255, "synAckRetries"); return this; }
        public Builder dataRetries(int v) { dataRetries = require(v, 0, 255, "dataRetries"); return this; }

        public Builder delayedAck(Duration min, Duration max) {
            delayedAckMinNanos = nonNegative(min, "delayedAck min");
            delayedAckMaxNanos = nonNegative(max, "delayedAck max");
            if (delayedAckMaxNanos < delayedAckMinNanos) throw new IllegalArgumentException("delayedAck: max < min");
            return this;
        }

        public Builder quickAcks(int v) { quickAcks = require(v, 0, 1 << 20, "quickAcks"); return this; }
        /** TIME_WAIT lasts twice this. */
        public Builder msl(Duration d) { mslNanos = nonNegative(d, "msl"); return this; }
        public Builder finWait2Timeout(Duration d) { finWait2TimeoutNanos = positive(d, "finWait2Timeout"); return this; }
        public Builder readShutdownData(ReadShutdownData v) {
            if (v == null) throw new IllegalArgumentException("readShutdownData must not be null");
            readShutdownData = v;
            return this;
        }
        public Builder keepaliveIdle(Duration d) { keepaliveIdleNanos = positive(d, "keepaliveIdle"); return this; }
        public Builder keepaliveInterval(Duration d) { keepaliveIntervalNanos = positive(d, "keepaliveInterval"); return this; }
        public Builder keepaliveProbes(int v) { keepaliveProbes = require(v, 1, 255, "keepaliveProbes"); return this; }

        /** See {@link TcpConfig#timerTickNanos()}; zero for RFC 8985's bare timeouts; at most 10 ms (Linux's HZ is 100 or more). */
        public Builder timerTick(Duration tick) {
            timerTickNanos = nonNegative(tick, "timerTick");
            if (timerTickNanos > 10_000_000L) throw new IllegalArgumentException("timerTick must be at most 10 ms (HZ >= 100), was " + tick);
            return this;
        }
        public Builder synCookies(int v) { synCookies = require(v, 0, 2, "synCookies"); return this; }
        public Builder maxBacklog(int v) { maxBacklog = require(v, 1, 1 << 20, "maxBacklog"); return this; }
        public Builder challengeAckLimit(int v) { challengeAckLimit = require(v, 1, Integer.MAX_VALUE, "challengeAckLimit"); return this; }
        /** See {@link TcpConfig#invalidRateLimitNanos()}; zero: no limit. */
        public Builder invalidRateLimit(Duration d) { invalidRateLimitNanos = nonNegative(d, "invalidRateLimit"); return this; }
        /** See {@link TcpConfig#memoryHigh()}; 0: from the heap. */
        public Builder memoryHigh(long bytes) {
            if (bytes < 0) throw new IllegalArgumentException("memoryHigh must not be negative, was " + bytes);
            memoryHigh = bytes;
            return this;
        }
        /** See {@link TcpConfig#maxOrphans()}; 0: from the memory budget. */
        public Builder maxOrphans(int n) { maxOrphans = require(n, 0, Integer.MAX_VALUE, "maxOrphans"); return this; }
        /** See {@link TcpConfig#resetRateLimit()}; 0: no limit. */
        public Builder resetRateLimit(int perSecond) { resetRateLimit = require(perSecond, 0, 1_000_000_000, "resetRateLimit"); return this; }

        /** See {@link TcpConfig#echoReplyRateLimit()}; 0: no limit. */
        public Builder echoReplyRateLimit(int perSecond, int burst) {
            echoReplyRateLimit = require(perSecond, 0, 1_000_000_000, "echoReplyRateLimit");
            echoReplyBurst = perSecond == 0 ? 0 : require(burst, 1, 1_000_000_000, "echoReplyBurst");
            return this;
        }

        public Builder ephemeralPorts(int low, int high) {
            ephemeralPortLow = require(low, 1, 65535, "ephemeral low");
            ephemeralPortHigh = require(high, low, 65535, "ephemeral high");
            return this;
        }

        public Builder ttl(int v) { ttl = require(v, 1, 255, "ttl"); return this; }

        public TcpConfig build() {
            if (minRtoNanos > maxRtoNanos) throw new IllegalArgumentException("minRto > maxRto");
            return new TcpConfig(this);
        }

        private static int require(int v, int lo, int hi, String what) {
            if (v < lo || v > hi) throw new IllegalArgumentException(what + " must be in [" + lo + ", " + hi + "], was " + v);
            return v;
        }

        private static long positive(Duration d, String what) {
            if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(what + " must be positive, was " + d);
            return d.toNanos();
        }

        private static long nonNegative(Duration d, String what) {
            if (d.isNegative()) throw new IllegalArgumentException(what + " must not be negative, was " + d);
            return d.toNanos();
        }
    }
}
