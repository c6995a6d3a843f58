package dev.synack.tcp;

import static dev.synack.tcp.TcpSettings.nonNegative;
import static dev.synack.tcp.TcpSettings.positive;
import static dev.synack.tcp.TcpSettings.require;

import java.time.Duration;
import java.util.Objects;

/**
 * Every timer and limit of the engine and the stack, immutable, with named profiles. Nothing the
 * engine does depends on a number that is not here.
 *
 * <ul>
 *   <li>{@link #linux()}: the Linux kernel's defaults (its sysctls and constants as a fresh install has them).</li>
 *   <li>{@link #rfc()}: the RFCs' own numbers where they differ: MSL 2 min (RFC 9293 §3.4.2, so
 *       TIME_WAIT lasts 4 min), minimum RTO 1 s on the whole RTO and maximum 60 s (RFC 6298
 *       §2.4-2.5), a fixed 200 ms delayed ACK (RFC 1122 §4.2.3.2 allows up to 500 ms), NewReno with
 *       slow start by at most 2 SMSS per ACK (RFC 3465 §2.2), RFC 6675's DupThresh loss detection
 *       instead of RACK ({@link #rack()}) and without proportional rate reduction
 *       ({@link #proportionalRateReduction()}), every unacceptable segment answered (RFC 9293
 *       §3.10.7.4; only RFC 5961's challenge ACKs are limited).</li>
 *   <li>{@link #freebsd()}: FreeBSD 14's defaults and choices (see there).</li>
 * </ul>
 * Change any value with {@link #toBuilder()}: {@code TcpConfig.linux().toBuilder().msl(Duration.ofSeconds(1)).build()}.
 */
public final class TcpConfig {
    /** The values, owned by this instance alone: nothing changes them after {@link Builder#build()}. */
    private final TcpSettings s;

    private TcpConfig(TcpSettings s) { this.s = s; }

    /** Linux's defaults: the values of a fresh kernel's sysctls and constants. */
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

    /**
     * FreeBSD 14.x's defaults (a GENERIC kernel, HZ=1000, the default "freebsd" TCP stack), each from
     * its sysctl or constant; where FreeBSD and Linux agree with the RFCs the engine's code is shared:
     * <ul>
     *   <li>net.inet.tcp.msl 30000 ms (TIME_WAIT 60 s); net.inet.tcp.finwait2_timeout 60 s;</li>
     *   <li>net.inet.tcp.delacktime 100 ms, no quick-ACK phase (delayed_ack 1: every second
     *       segment is acknowledged at once, the others after 100 ms);</li>
     *   <li>RTO: tcp_rexmit_initial 1 s, SRTT + 4 RTTVAR + net.inet.tcp.rexmit_slop 200 ms, at least
     *       net.inet.tcp.rexmit_min 30 ms, at most TCPTV_REXMTMAX 64 s; TCP_MAXRXTSHIFT 12
     *       retransmissions; the syncache retransmits a SYN-ACK 3 times (SYNCACHE_MAXREXMTS);</li>
     *   <li>persist interval between net.inet.tcp.persmin 5 s and persmax 60 s; keepalive
     *       keepidle 2 h, keepintvl 75 s, TCPTV_KEEPCNT 8 probes;</li>
     *   <li>net.inet.tcp.recvspace 65536 (autotuned, recvbuf_auto, up to recvbuf_max 2 MiB),
     *       sendspace 32768; window scale 6 (the least that covers kern.ipc.maxsockbuf, 2 MiB);
     *       the SYN's window 65535; net.inet.tcp.rfc1323 1 (timestamps and scaling), sack.enable 1;
     *       options laid out as tcp_addoptions does ({@link SynOptionLayout#BSD});</li>
     *   <li>congestion control CUBIC (net.inet.tcp.cc.algorithm, cubic since 14.0), initial window
     *       10 segments (initcwnd_segments), appropriate byte counting with L = 2
     *       (net.inet.tcp.abc_l_var); SACK loss recovery as RFC 6675 (no RACK or tail loss probe in
     *       the default stack), PRR on (net.inet.tcp.do_prr 1);</li>
     *   <li>RFC 5961's checks on (insecure_rst 0, insecure_syn 0); ACKs while our FIN is
     *       unacknowledged carry it again ({@link #acksRepeatFin()}) and the ACK field of an old
     *       duplicate is processed ({@link #oldSegmentAcksProcessed()}); shutdown(SHUT_RD) discards
     *       ({@link ReadShutdownData#DISCARD});</li>
     *   <li>every unacceptable segment answered (tcp_input's dropafterack has no rate limit);
     *       net.inet.icmp.icmplim 200 per second for RSTs to closed ports and echo replies;
     *       kern.ipc.soacceptqueue 128; net.inet.ip.portrange 10000-65535; syncookies 1.</li>
     * </ul>
     */
    public static TcpConfig freebsd() {
        return new Builder()
                .msl(Duration.ofSeconds(30))
                .finWait2Timeout(Duration.ofSeconds(60))
                .delayedAck(Duration.ofMillis(100), Duration.ofMillis(100))
                .quickAcks(0)
                .initialRto(Duration.ofSeconds(1))
                .minRto(Duration.ofMillis(30))
                .maxRto(Duration.ofSeconds(64))
                .rtoRule(RtoRule.RFC_6298)
                .rtoSlop(Duration.ofMillis(200))
                .dataRetries(12)
                .synAckRetries(3)
                .persistRange(Duration.ofSeconds(5), Duration.ofSeconds(60))
                .keepaliveIdle(Duration.ofHours(2))
                .keepaliveInterval(Duration.ofSeconds(75))
                .keepaliveProbes(8)
                .receiveBufferSize(65536)
                .maxReceiveBufferSize(2 * 1024 * 1024)
                .sendBufferSize(32768)
                .windowScale(6)
                .synOptionLayout(SynOptionLayout.BSD)
                .synWindowInSegments(false)
                .receiveBufferInSegments(true)
                .windowOffersFreeSpace(true)
                .congestionAlgorithm(CongestionAlgorithm.CUBIC)
                .initialCwndSegments(10)
                .slowStartAckLimitSegments(2)
                .rack(false)
                .tailLossProbes(false)
                .timerTick(Duration.ofMillis(1))
                .rstChallenge(true)
                .synChallenge(true)
                .acksRepeatFin(true)
                .oldSegmentAcksProcessed(true)
                .readShutdownData(ReadShutdownData.DISCARD)
                .invalidRateLimit(Duration.ZERO)
                .resetRateLimit(200)
                .echoReplyRateLimit(200, 200)
                .maxBacklog(128)
                .ephemeralPorts(10000, 65535)
                .synCookies(1)
                .build();
    }

    /** The profile named {@code linux}, {@code freebsd} or {@code rfc}, as the command line spells it. */
    public static TcpConfig profile(String name) {
        return switch (name) {
            case "linux" -> linux();
            case "freebsd" -> freebsd();
            case "rfc" -> rfc();
            default -> throw new IllegalArgumentException("unknown profile '" + name + "': linux, freebsd or rfc");
        };
    }

    public Builder toBuilder() { return new Builder(this); }

    /** The MSS we advertise: 1460 for a 1500-byte MTU (IPv4, no IP or TCP options). */
    public int mss() { return s.mss; }
    /** The MSS assumed when the peer's SYN carries none (RFC 9293 §3.7.1: 536). */
    public int defaultPeerMss() { return s.defaultPeerMss; }
    /**
     * The smallest MSS we send with, whatever the peer announced: Linux's tcp_min_snd_mss (48,
     * TCP_MIN_SND_MSS), so that a peer announcing a tiny MSS cannot make us cut a transfer into
     * one-byte segments. The timestamps option is taken from it, as from any MSS (48 - 12 = 36).
     */
    public int minSendMss() { return s.minSendMss; }
    public boolean windowScaling() { return s.windowScaling; }
    /** The shift we offer in our SYN (RFC 7323 §2.3); Linux: 7. */
    public int windowScale() { return s.windowScale; }
    public boolean sack() { return s.sack; }
    /**
     * Explicit Congestion Notification (RFC 3168): {@link EcnMode#PASSIVE} in every
     * profile (Linux's net.ipv4.tcp_ecn and FreeBSD's net.inet.tcp.ecn.enable default to 2).
     */
    public EcnMode ecn() { return s.ecn; }
    public boolean timestamps() { return s.timestamps; }
    /** One tick of the timestamp clock (RFC 7323 §5.4); Linux: 1 ms. */
    public long timestampTickNanos() { return s.timestampTickNanos; }
    /** How our SYN and SYN-ACK lay out their options: {@link SynOptionLayout#LINUX} or {@link SynOptionLayout#BSD} (freebsd()). */
    public SynOptionLayout synOptionLayout() { return s.synOptionLayout; }
    /**
     * The window in our SYN or SYN-ACK is rounded down to whole segments, as Linux's
     * tcp_select_initial_window does (64240 for a 64 KiB buffer and MSS 1460); off, it is the free
     * buffer up to 65535, as FreeBSD's tcp_output and syncache offer it (freebsd()).
     */
    public boolean synWindowInSegments() { return s.synWindowInSegments; }
    /**
     * Once the peer's MSS is known the receive buffer grows to a whole number of segments (65536
     * becomes 65700 for MSS 1460), as FreeBSD's tcp_mss does to so_rcv (freebsd()); off in linux()
     * and rfc().
     */
    public boolean receiveBufferInSegments() { return s.receiveBufferInSegments; }
    /**
     * Every window we send offers all the free buffer (never less than before), unless that is under
     * a quarter of the buffer and under a segment, as FreeBSD's tcp_output computes recwin; receiver
     * SWS avoidance then only decides when a window update is worth a segment of its own
     * (freebsd()). Off (linux(), rfc()): the offer itself grows only by the SWS threshold (RFC 9293
     * §3.8.6.2.2), as Linux's __tcp_select_window holds it back.
     */
    public boolean windowOffersFreeSpace() { return s.windowOffersFreeSpace; }
    public int receiveBufferSize() { return s.receiveBufferSize; }
    public int sendBufferSize() { return s.sendBufferSize; }
    /**
     * Linux's net.ipv4.tcp_notsent_lowat: the default low-water mark of unsent bytes for sockets
     * that do not set TCP_NOTSENT_LOWAT; {@link #NOTSENT_LOWAT_UNLIMITED} (Linux's default, UINT_MAX)
     * leaves writability to the send buffer alone.
     */
    public long notsentLowat() { return s.notsentLowat; }
    /** Linux's default tcp_notsent_lowat (UINT_MAX): no low-water mark. */
    public static final long NOTSENT_LOWAT_UNLIMITED = 0xffff_ffffL;
    /** RFC 6928: 10 segments. */
    public int initialCwndSegments() { return s.initialCwndSegments; }
    /**
     * The most the receive buffer may grow to by autotuning (Linux tcp_rmem[2]: 6 MiB); the window
     * scale must be able to say it (7 covers 8 MiB).
     */
    public int maxReceiveBufferSize() { return s.maxReceiveBufferSize; }
    /** Grow the receive buffer toward {@link #maxReceiveBufferSize()} as the bandwidth-delay product requires (Linux tcp_moderate_rcvbuf). */
    public boolean receiveBufferAutotuning() { return s.receiveBufferAutotuning; }
    /** The most separate out-of-order ranges a receiver holds; a segment that would make another is dropped. */
    public int maxOutOfOrderRanges() { return s.maxOutOfOrderRanges; }
    /** CUBIC in {@link #linux()}, NewReno in {@link #rfc()}. */
    public CongestionAlgorithm congestionAlgorithm() { return s.congestionAlgorithm; }
    /**
     * The most one ACK grows cwnd by in slow start, in SMSS: the limit L of appropriate byte counting
     * (RFC 3465 §2.2, L = 2 SMSS; RFC 5681 §3.1 eq. 2 itself counts at most 1 SMSS and allows more
     * only as RFC 3465's experiment). 0 means no limit: every newly acknowledged segment counts, and
     * what goes past ssthresh counts toward congestion avoidance, as Linux's tcp_slow_start does
     * (the {@link #linux()} profile); {@link #rfc()}: 2.
     */
    public int slowStartAckLimitSegments() { return s.slowStartAckLimitSegments; }
    /**
     * Restart slow start after an idle period (RFC 5681 §4.1, RFC 2861's restart window; Linux's
     * tcp_slow_start_after_idle, on by default): when sending resumes with nothing in flight more
     * than an RTO after data was last sent, cwnd is halved for every RTO of the pause, down to
     * min(initial window, cwnd), and ssthresh kept at least 3/4 of the old cwnd, as Linux's
     * tcp_cwnd_restart. On in both profiles (RFC 5681 says SHOULD).
     */
    public boolean slowStartAfterIdle() { return s.slowStartAfterIdle; }
    /**
     * The fewest segments in a train of new segments sent together (Linux's tcp_min_tso_segs, 2):
     * synack has no TSO, but sends as Linux's TSO packets would leave, the last of a train pushed.
     */
    public int minTsoSegments() { return s.minTsoSegments; }
    /** DupThresh of RFC 5681 §3.2 and RFC 6675 §2: 3 duplicate ACKs (or SACKed segments) mean a loss. */
    public int dupThresh() { return s.dupThresh; }

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
    public boolean rack() { return s.rack; }

    /**
     * RACK's reordering window stays min_RTT / 4: D-SACKs do not widen it (RFC 8985 §6.2 step 4
     * adapts it; Linux's tcp_recovery bit 0x2 turns that off). Off in both profiles.
     */
    public boolean rackStaticReorderingWindow() { return s.rackStaticReorderingWindow; }

    /**
     * RACK's DupThresh rule (RFC 8985 §6.2 step 4): while no reordering was seen, the reordering
     * window is zero once {@link #dupThresh()} segments are SACKed. On in both profiles; Linux's
     * tcp_recovery bit 0x4 turns it off.
     */
    public boolean rackDupThresh() { return s.rackDupThresh; }

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
    public boolean proportionalRateReduction() { return s.proportionalRateReduction; }

    /**
     * Tail loss probes (RFC 8985 §7) on connections with SACK. On in both profiles; Linux's
     * tcp_early_retrans 3 or 4 (the default 3), off with 0 (and with 1 or 2, which no longer mean
     * anything else).
     */
    public boolean tailLossProbes() { return s.tailLossProbes; }
    /** RFC 7323 §5.5: after this long idle, TS.Recent is invalid and PAWS does not apply (24 days). */
    public long pawsIdleLimitNanos() { return s.pawsIdleLimitNanos; }
    public long initialRtoNanos() { return s.initialRtoNanos; }
    public long minRtoNanos() { return s.minRtoNanos; }
    public long maxRtoNanos() { return s.maxRtoNanos; }
    /**
     * Where {@link #minRtoNanos()} applies: {@link RtoRule#LINUX} to the variance term (RTO = SRTT +
     * max(variance, minimum), Linux's 200 ms tcp_rto_min), {@link RtoRule#RFC_6298} to the whole RTO
     * (§2.4, the {@link #rfc()} profile's 1 s).
     */
    public RtoRule rtoRule() { return s.rtoRule; }
    /**
     * Added to SRTT + 4 RTTVAR under {@link RtoRule#RFC_6298} before the minimum applies: FreeBSD's
     * net.inet.tcp.rexmit_slop (200 ms; TCPT_RANGESET adds it), which keeps a short path's RTO above
     * the peer's delayed-ACK timer while rexmit_min (30 ms) stays small. 0 in linux() and rfc().
     */
    public long rtoSlopNanos() { return s.rtoSlopNanos; }
    /**
     * The bounds of the persist timer's interval (the backed-off RTO is held between them): 0 means
     * the RTO's own bounds ({@link #minRtoNanos()}, {@link #maxRtoNanos()}), as Linux's tcp_probe_timer;
     * FreeBSD: net.inet.tcp.persmin 5 s and persmax 60 s.
     */
    public long persistMinNanos() { return s.persistMinNanos == 0 ? s.minRtoNanos : s.persistMinNanos; }
    public long persistMaxNanos() { return s.persistMaxNanos == 0 ? s.maxRtoNanos : s.persistMaxNanos; }
    /** SYN retransmissions before "connection timed out" (Linux tcp_syn_retries: 6). */
    public int synRetries() { return s.synRetries; }
    /** SYN-ACK retransmissions before the embryonic connection is dropped (tcp_synack_retries: 5). */
    public int synAckRetries() { return s.synAckRetries; }
    /** Data retransmissions before the connection is reset (tcp_retries2: 15). */
    public int dataRetries() { return s.dataRetries; }
    public long delayedAckMinNanos() { return s.delayedAckMinNanos; }
    public long delayedAckMaxNanos() { return s.delayedAckMaxNanos; }
    /** ACKs sent at once, not delayed, at the start of a connection (Linux quick-ack mode). */
    public int quickAcks() { return s.quickAcks; }
    /** Maximum segment lifetime; TIME_WAIT lasts {@link #timeWaitNanos()} = 2 x MSL. */
    public long mslNanos() { return s.mslNanos; }
    public long timeWaitNanos() { return 2 * s.mslNanos; }
    /** An orphaned FIN_WAIT2 connection is dropped after this (Linux tcp_fin_timeout: 60 s). */
    public long finWait2TimeoutNanos() { return s.finWait2TimeoutNanos; }
    /**
     * What shutdown(SHUT_RD) does to received data: {@link ReadShutdownData#KEEP} in both profiles.
     * Linux keeps it readable; for the RFC profile, RFC 9293 defines no receive-side shutdown and
     * acknowledges data in order to deliver it (§3.10.7.4, seventh), and RFC 1122 §4.2.2.13 answers
     * data that can no longer be read with a RST rather than losing it silently, which is what KEEP
     * does once both directions are shut. {@link ReadShutdownData#DISCARD} is the BSD behaviour.
     */
    public ReadShutdownData readShutdownData() { return s.readShutdownData; }
    /**
     * While our FIN is sent and unacknowledged (FIN_WAIT1, CLOSING, LAST_ACK), every ACK we send
     * carries the FIN again at its sequence number, as FreeBSD's tcp_output does (tcp_outflags holds
     * FIN for those states and it steps snd_nxt back onto the FIN): a simultaneous close's FIN is
     * answered by {@code F. fin:fin(0) ack peer-fin+1}. Challenge ACKs (tcp_respond) stay plain.
     * Off in linux() and rfc(): Linux acknowledges with SND.NXT after the FIN and no FIN bit.
     */
    public boolean acksRepeatFin() { return s.acksRepeatFin; }
    /**
     * A segment lying wholly before RCV.NXT is still answered with an ACK and dropped, but its ACK
     * field is processed, as FreeBSD's tcp_input trims such a segment to nothing and "keeps on
     * processing for RST or ACK": a peer's FIN retransmitted with the ACK of our FIN (what
     * {@link #acksRepeatFin()} sends) completes a simultaneous close. Off in linux() and rfc(): RFC
     * 9293 §3.10.7.4 first drops an unacceptable segment after the ACK.
     */
    public boolean oldSegmentAcksProcessed() { return s.oldSegmentAcksProcessed; }
    public long keepaliveIdleNanos() { return s.keepaliveIdleNanos; }
    public long keepaliveIntervalNanos() { return s.keepaliveIntervalNanos; }
    public int keepaliveProbes() { return s.keepaliveProbes; }

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
    public long timerTickNanos() { return s.timerTickNanos; }
    /** listen(backlog) is capped to this (Linux somaxconn: 4096). */
    public int maxBacklog() { return s.maxBacklog; }
    /**
     * SYN cookies (RFC 4987 §3.6), as Linux's net.ipv4.tcp_syncookies: 0 never (a SYN finding the
     * SYN queue full is dropped), 1 when a listener's SYN queue is full (Linux's default), 2 for
     * every SYN. See {@link SynCookies}.
     */
    public int synCookies() { return s.synCookies; }
    /**
     * TCP Fast Open (RFC 7413), as Linux's net.ipv4.tcp_fastopen bits ({@link FastOpen}): 0x1 client,
     * 0x2 server, 0x4 client data without a cookie, 0x200 server data without a cookie, 0x400 server
     * on every listener without TCP_FASTOPEN. Linux's default, 1, in every profile: client only.
     */
    public int fastOpen() { return s.fastOpen; }
    /** The server cookie's SipHash key (net.ipv4.tcp_fastopen_key), both halves 0 when the stack picks one at random. */
    public long fastOpenKey0() { return s.fastOpenKey0; }
    public long fastOpenKey1() { return s.fastOpenKey1; }
    public int challengeAckLimit() { return s.challengeAckLimit; }
    /**
     * RFC 5961 §3.2: a RST in the window but not at RCV.NXT gets a challenge ACK. On in every profile;
     * off is FreeBSD's net.inet.tcp.insecure_rst=1 (and RFC 793): any RST in the window resets.
     */
    public boolean rstChallenge() { return s.rstChallenge; }
    /**
     * RFC 5961 §4.2: a SYN on a synchronized connection gets a challenge ACK. On in every profile;
     * off is FreeBSD's net.inet.tcp.insecure_syn=1 (and RFC 793): a SYN in the window resets the
     * connection (RST from SND.NXT, ECONNRESET), one outside it still gets the challenge ACK.
     */
    public boolean synChallenge() { return s.synChallenge; }

    /**
     * The least time between two ACKs a connection sends in reply to segments it does not accept
     * (out of the window, PAWS-rejected, old duplicates in TIME_WAIT, retransmitted SYNs in
     * SYN_RECV) and challenge ACKs, for segments without payload: Linux's tcp_invalid_ratelimit,
     * 500 ms. 0: no limit, as RFC 9293 answers every unacceptable segment (the rfc() profile).
     */
    public long invalidRateLimitNanos() { return s.invalidRateLimitNanos; }

    /**
     * RSTs per second the host sends, all connections together, in reply to segments for no
     * connection and no listener (a token bucket as deep as one second's worth). 0: no limit, as
     * Linux, which does not limit these resets; FreeBSD limits them to 200 per second
     * (net.inet.icmp.icmplim, which covers RSTs to closed ports).
     */
    public int resetRateLimit() { return s.resetRateLimit; }

    /**
     * ICMP echo replies per second, host-wide (a token bucket of {@link #echoReplyBurst()}). 0: no
     * limit, as Linux by default: its global ICMP budget (icmp_msgs_per_sec 1000, icmp_msgs_burst
     * 50) applies only to the types in icmp_ratemask, which leaves echo replies out.
     * {@code echoReplyRateLimit(1000, 50)} puts them under that budget, as adding type 0 to the
     * mask does.
     */
    public int echoReplyRateLimit() { return s.echoReplyRateLimit; }
    public int echoReplyBurst() { return s.echoReplyBurst; }

    /**
     * The hard level of the stack's {@link MemoryBudget} in bytes (Linux's tcp_mem[2]); the pressure
     * level is three quarters of it and the low level half. 0: a quarter of the largest heap
     * ({@link MemoryBudget#defaultHigh}), as Linux sizes tcp_mem from the memory it has.
     */
    public long memoryHigh() { return s.memoryHigh; }

    /**
     * tcp_max_orphans: connections closed by their users that may hold a state at once; beyond it
     * an orphan is reset and freed. 0: one per 64 KiB of the hard level ({@link MemoryBudget#defaultMaxOrphans}).
     */
    public int maxOrphans() { return s.maxOrphans; }
    public int ephemeralPortLow() { return s.ephemeralPortLow; }
    public int ephemeralPortHigh() { return s.ephemeralPortHigh; }
    public int ttl() { return s.ttl; }

    @Override
    public String toString() {
        return "TcpConfig[mss=" + s.mss + ", wscale=" + (s.windowScaling ? s.windowScale : "off") + ", sack=" + s.sack
                + ", timestamps=" + s.timestamps + ", rcvbuf=" + s.receiveBufferSize + (s.receiveBufferAutotuning ? ".." + s.maxReceiveBufferSize : "")
                + ", cc=" + s.congestionAlgorithm + (s.sack ? ", loss detection=" + (s.rack ? "RACK" : "RFC 6675") : "") + ", sndbuf=" + s.sendBufferSize
                + ", rto=" + Duration.ofNanos(s.initialRtoNanos) + " [" + Duration.ofNanos(s.minRtoNanos) + ".."
                + Duration.ofNanos(s.maxRtoNanos) + "], msl=" + Duration.ofNanos(s.mslNanos) + "]";
    }

    /** Builds a {@link TcpConfig}; starts from the {@link #linux()} values. */
    public static final class Builder {
        private final TcpSettings s;

        /** Starts from the {@link TcpConfig#linux()} values. */
        public Builder() { s = new TcpSettings(); }

        private Builder(TcpConfig c) { s = c.s.copy(); }

        public Builder mss(int v) { s.mss = require(v, 88, 65495, "mss"); return this; }
        public Builder defaultPeerMss(int v) { s.defaultPeerMss = require(v, 88, 65495, "defaultPeerMss"); return this; }
        /** Linux's sysctl tcp_min_snd_mss accepts no value below TCP_MIN_SND_MSS (48). */
        public Builder minSendMss(int v) { s.minSendMss = require(v, 48, 65495, "minSendMss"); return this; }
        public Builder windowScaling(boolean v) { s.windowScaling = v; return this; }
        /** RFC 7323 §2.3: at most 14. */
        public Builder windowScale(int v) { s.windowScale = require(v, 0, 14, "windowScale"); return this; }
        public Builder sack(boolean v) { s.sack = v; return this; }
        /** See {@link TcpConfig#ecn()}. */
        public Builder ecn(EcnMode v) { s.ecn = Objects.requireNonNull(v, "ecn"); return this; }
        public Builder timestamps(boolean v) { s.timestamps = v; return this; }
        public Builder timestampTick(Duration d) { s.timestampTickNanos = positive(d, "timestampTick"); return this; }
        /** See {@link TcpConfig#windowOffersFreeSpace()}. */
        public Builder windowOffersFreeSpace(boolean v) { s.windowOffersFreeSpace = v; return this; }
        /** See {@link TcpConfig#receiveBufferInSegments()}. */
        public Builder receiveBufferInSegments(boolean v) { s.receiveBufferInSegments = v; return this; }
        /** See {@link TcpConfig#synWindowInSegments()}. */
        public Builder synWindowInSegments(boolean v) { s.synWindowInSegments = v; return this; }
        public Builder synOptionLayout(SynOptionLayout v) {
            if (v == null) throw new IllegalArgumentException("synOptionLayout must not be null");
            s.synOptionLayout = v;
            return this;
        }
        public Builder receiveBufferSize(int v) { s.receiveBufferSize = require(v, 1, 1 << 30, "receiveBufferSize"); return this; }
        public Builder sendBufferSize(int v) { s.sendBufferSize = require(v, 1, 1 << 30, "sendBufferSize"); return this; }
        /** net.ipv4.tcp_notsent_lowat: 1 to UINT_MAX bytes (see {@link TcpConfig#notsentLowat()}). */
        public Builder notsentLowat(long v) {
            if (v < 1 || v > NOTSENT_LOWAT_UNLIMITED) throw new IllegalArgumentException("notsentLowat must be 1.." + NOTSENT_LOWAT_UNLIMITED + ", got " + v);
            s.notsentLowat = v;
            return this;
        }
        public Builder initialCwndSegments(int v) { s.initialCwndSegments = require(v, 1, 1000, "initialCwndSegments"); return this; }
        public Builder maxReceiveBufferSize(int v) { s.maxReceiveBufferSize = require(v, 1, 1 << 30, "maxReceiveBufferSize"); return this; }
        public Builder receiveBufferAutotuning(boolean v) { s.receiveBufferAutotuning = v; return this; }
        public Builder maxOutOfOrderRanges(int v) { s.maxOutOfOrderRanges = require(v, 1, 1 << 16, "maxOutOfOrderRanges"); return this; }
        public Builder congestionAlgorithm(CongestionAlgorithm v) {
            if (v == null) throw new IllegalArgumentException("congestionAlgorithm must not be null");
            s.congestionAlgorithm = v;
            return this;
        }
        /** See {@link TcpConfig#slowStartAckLimitSegments()}; 0 for no limit. */
        public Builder slowStartAckLimitSegments(int v) { s.slowStartAckLimitSegments = require(v, 0, 1000, "slowStartAckLimitSegments"); return this; }
        /** See {@link TcpConfig#slowStartAfterIdle()}. */
        public Builder slowStartAfterIdle(boolean v) { s.slowStartAfterIdle = v; return this; }
        /** See {@link TcpConfig#minTsoSegments()}. */
        public Builder minTsoSegments(int v) { s.minTsoSegments = require(v, 1, 255, "minTsoSegments"); return this; }
        public Builder pawsIdleLimit(Duration d) { s.pawsIdleLimitNanos = positive(d, "pawsIdleLimit"); return this; }
        public Builder dupThresh(int v) { s.dupThresh = require(v, 1, 1000, "dupThresh"); return this; }
        /** See {@link TcpConfig#rack()}. */
        public Builder rack(boolean v) { s.rack = v; return this; }
        /** See {@link TcpConfig#rackStaticReorderingWindow()}. */
        public Builder rackStaticReorderingWindow(boolean v) { s.rackStaticReorderingWindow = v; return this; }
        /** See {@link TcpConfig#rackDupThresh()}. */
        public Builder rackDupThresh(boolean v) { s.rackDupThresh = v; return this; }
        /** See {@link TcpConfig#proportionalRateReduction()}. */
        public Builder proportionalRateReduction(boolean v) { s.proportionalRateReduction = v; return this; }
        /** See {@link TcpConfig#tailLossProbes()}. */
        public Builder tailLossProbes(boolean v) { s.tailLossProbes = v; return this; }
        public Builder initialRto(Duration d) { s.initialRtoNanos = positive(d, "initialRto"); return this; }
        public Builder minRto(Duration d) { s.minRtoNanos = positive(d, "minRto"); return this; }
        public Builder maxRto(Duration d) { s.maxRtoNanos = positive(d, "maxRto"); return this; }
        public Builder rtoRule(RtoRule v) {
            if (v == null) throw new IllegalArgumentException("rtoRule must not be null");
            s.rtoRule = v;
            return this;
        }
        /** See {@link TcpConfig#rtoSlopNanos()}. */
        public Builder rtoSlop(Duration d) { s.rtoSlopNanos = nonNegative(d, "rtoSlop"); return this; }
        /** See {@link TcpConfig#persistMinNanos()}; zero for the RTO's bounds. */
        public Builder persistRange(Duration min, Duration max) {
            s.persistMinNanos = nonNegative(min, "persist min");
            s.persistMaxNanos = nonNegative(max, "persist max");
            if (s.persistMaxNanos != 0 && s.persistMaxNanos < s.persistMinNanos) throw new IllegalArgumentException("persistRange: max < min");
            return this;
        }
        public Builder synRetries(int v) { s.synRetries = require(v, 0, 255, "synRetries"); return this; }
        public Builder synAckRetries(int v) { s.synAckRetries = require(v, 0, 255, "synAckRetries"); return this; }
        public Builder dataRetries(int v) { s.dataRetries = require(v, 0, 255, "dataRetries"); return this; }

        public Builder delayedAck(Duration min, Duration max) {
            s.delayedAckMinNanos = nonNegative(min, "delayedAck min");
            s.delayedAckMaxNanos = nonNegative(max, "delayedAck max");
            if (s.delayedAckMaxNanos < s.delayedAckMinNanos) throw new IllegalArgumentException("delayedAck: max < min");
            return this;
        }

        public Builder quickAcks(int v) { s.quickAcks = require(v, 0, 1 << 20, "quickAcks"); return this; }
        /** TIME_WAIT lasts twice this. */
        public Builder msl(Duration d) { s.mslNanos = nonNegative(d, "msl"); return this; }
        public Builder finWait2Timeout(Duration d) { s.finWait2TimeoutNanos = positive(d, "finWait2Timeout"); return this; }
        public Builder readShutdownData(ReadShutdownData v) {
            if (v == null) throw new IllegalArgumentException("readShutdownData must not be null");
            s.readShutdownData = v;
            return this;
        }
        /** See {@link TcpConfig#oldSegmentAcksProcessed()}. */
        public Builder oldSegmentAcksProcessed(boolean v) { s.oldSegmentAcksProcessed = v; return this; }
        /** See {@link TcpConfig#acksRepeatFin()}. */
        public Builder acksRepeatFin(boolean v) { s.acksRepeatFin = v; return this; }
        public Builder keepaliveIdle(Duration d) { s.keepaliveIdleNanos = positive(d, "keepaliveIdle"); return this; }
        public Builder keepaliveInterval(Duration d) { s.keepaliveIntervalNanos = positive(d, "keepaliveInterval"); return this; }
        public Builder keepaliveProbes(int v) { s.keepaliveProbes = require(v, 1, 255, "keepaliveProbes"); return this; }

        /** See {@link TcpConfig#timerTickNanos()}; zero for RFC 8985's bare timeouts; at most 10 ms (Linux's HZ is 100 or more). */
        public Builder timerTick(Duration tick) {
            s.timerTickNanos = nonNegative(tick, "timerTick");
            if (s.timerTickNanos > 10_000_000L) throw new IllegalArgumentException("timerTick must be at most 10 ms (HZ >= 100), was " + tick);
            return this;
        }
        public Builder synCookies(int v) { s.synCookies = require(v, 0, 2, "synCookies"); return this; }
        /** net.ipv4.tcp_fastopen's bits (see {@link TcpConfig#fastOpen()}); unknown bits are kept and ignored. */
        public Builder fastOpen(int bits) { s.fastOpen = require(bits, 0, Integer.MAX_VALUE, "fastOpen"); return this; }
        /** net.ipv4.tcp_fastopen_key as two SipHash key halves (see {@link FastOpenCookies#parseKey}). */
        public Builder fastOpenKey(long k0, long k1) { s.fastOpenKey0 = k0; s.fastOpenKey1 = k1; return this; }
        public Builder maxBacklog(int v) { s.maxBacklog = require(v, 1, 1 << 20, "maxBacklog"); return this; }
        public Builder challengeAckLimit(int v) { s.challengeAckLimit = require(v, 1, Integer.MAX_VALUE, "challengeAckLimit"); return this; }
        /** See {@link TcpConfig#rstChallenge()}. */
        public Builder rstChallenge(boolean v) { s.rstChallenge = v; return this; }
        /** See {@link TcpConfig#synChallenge()}. */
        public Builder synChallenge(boolean v) { s.synChallenge = v; return this; }
        /** See {@link TcpConfig#invalidRateLimitNanos()}; zero: no limit. */
        public Builder invalidRateLimit(Duration d) { s.invalidRateLimitNanos = nonNegative(d, "invalidRateLimit"); return this; }
        /** See {@link TcpConfig#memoryHigh()}; 0: from the heap. */
        public Builder memoryHigh(long bytes) {
            if (bytes < 0) throw new IllegalArgumentException("memoryHigh must not be negative, was " + bytes);
            s.memoryHigh = bytes;
            return this;
        }
        /** See {@link TcpConfig#maxOrphans()}; 0: from the memory budget. */
        public Builder maxOrphans(int n) { s.maxOrphans = require(n, 0, Integer.MAX_VALUE, "maxOrphans"); return this; }
        /** See {@link TcpConfig#resetRateLimit()}; 0: no limit. */
        public Builder resetRateLimit(int perSecond) { s.resetRateLimit = require(perSecond, 0, 1_000_000_000, "resetRateLimit"); return this; }

        /** See {@link TcpConfig#echoReplyRateLimit()}; 0: no limit. */
        public Builder echoReplyRateLimit(int perSecond, int burst) {
            s.echoReplyRateLimit = require(perSecond, 0, 1_000_000_000, "echoReplyRateLimit");
            s.echoReplyBurst = perSecond == 0 ? 0 : require(burst, 1, 1_000_000_000, "echoReplyBurst");
            return this;
        }

        public Builder ephemeralPorts(int low, int high) {
            s.ephemeralPortLow = require(low, 1, 65535, "ephemeral low");
            s.ephemeralPortHigh = require(high, low, 65535, "ephemeral high");
            return this;
        }

        public Builder ttl(int v) { s.ttl = require(v, 1, 255, "ttl"); return this; }

        public TcpConfig build() {
            if (s.minRtoNanos > s.maxRtoNanos) throw new IllegalArgumentException("minRto > maxRto");
            TcpSettings built = s.copy();
            // The most the receive buffer may grow to is never below its starting size.
            built.maxReceiveBufferSize = Math.max(built.maxReceiveBufferSize, built.receiveBufferSize);
            return new TcpConfig(built);
        }
    }
}
