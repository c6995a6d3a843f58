package dev.synack.tcp;

/**
 * The congestion window policy (RFC 5681 and successors). The connection asks it how much may be in
 * flight and tells it about acknowledgements and losses; loss recovery itself (which segment to
 * resend, RFC 6582 / RFC 6675) stays in the connection, which adjusts cwnd through {@link
 * #setCwnd(int)} while it recovers. All sizes are bytes.
 */
interface CongestionControl {
    /**
     * The largest cwnd kept, in bytes: the largest send window a peer can offer, 65535 << 14 (RFC 7323
     * §2.3). More window than that can never be used, and growing on would only run cwnd (an int) into
     * overflow on a long transfer (Linux bounds snd_cwnd by snd_cwnd_clamp the same way).
     */
    int MAX_CWND = 0xffff << 14;

    /** The congestion window cwnd. */
    int cwnd();

    /** The slow-start threshold ssthresh. */
    int ssthresh();

    /**
     * {@code ackedBytes} of new data were cumulatively acknowledged outside loss recovery; {@code
     * srttNanos} is the smoothed round-trip time (0 before the first sample).
     */
    void onAck(int ackedBytes, long srttNanos, long now);

    /**
     * A loss was detected by duplicate ACKs or SACK (RFC 5681 §3.2 step 2, RFC 6675 §5 step 4.2):
     * lower ssthresh, and set cwnd = ssthresh, with {@code flightSize} bytes outstanding.
     */
    void onCongestionEvent(int flightSize, long now);

    /** The retransmission timer expired with {@code flightSize} bytes outstanding (RFC 5681 §3.1 eq. 4; cwnd = 1 SMSS). */
    void onRetransmissionTimeout(int flightSize, long now);

    /**
     * A round-trip sample of {@code rttNanos} from an ACK of {@code ack}, with SND.NXT at {@code
     * sndNxt}: delay-based slow-start exit (HyStart++, RFC 9406) uses it; others may ignore it.
     */
    default void onRttSample(long rttNanos, int ack, int sndNxt) { }

    /**
     * Sending resumes after an idle period (RFC 5681 §4.1, as Linux's tcp_cwnd_restart): ssthresh
     * becomes at least 3/4 of cwnd ({@link #idleSsthresh}), then cwnd is {@code bytes}.
     */
    void restartAfterIdle(int bytes);

    /**
     * ssthresh when sending restarts after idle: at least 3/4 of cwnd, counted in whole segments as
     * Linux's tcp_current_ssthresh (cwnd/2 + cwnd/4).
     */
    static int idleSsthresh(int ssthresh, int cwndBytes, int smss) {
        int segments = cwndBytes / smss;
        return Math.max(ssthresh, ((segments >> 1) + (segments >> 2)) * smss);
    }

    /**
     * The MSS became {@code smss} (a lower path MTU, {@link IcmpErrors}): cwnd and ssthresh keep
     * their size in segments, as Linux keeps them in packets.
     */
    void mssChanged(int smss);

    /** A size in bytes for segments of {@code to} bytes, from one for segments of {@code from}; "arbitrarily high" stays so. */
    static int rescale(int bytes, int from, int to) {
        return bytes == Integer.MAX_VALUE ? bytes : (int) Math.min(MAX_CWND, (long) bytes * to / from);
    }

    /** Loss recovery sets cwnd directly (RFC 6582 §3.2 inflation, deflation and exit). */
    void setCwnd(int bytes);

    /** The policy {@code config} names, for segments of {@code smss} bytes. */
    static CongestionControl create(TcpConfig config, int smss) {
        return create(config.congestionAlgorithm(), smss, config.initialCwndSegments(), config.slowStartAckLimitSegments());
    }

    /**
     * The policy {@code algorithm} names, for segments of {@code smss} bytes, starting at {@code
     * initialWindowSegments} (RFC 6928), growing in slow start by at most {@code
     * slowStartAckLimitSegments} SMSS per ACK (0: no limit; TcpConfig#slowStartAckLimitSegments).
     */
    static CongestionControl create(CongestionAlgorithm algorithm, int smss, int initialWindowSegments, int slowStartAckLimitSegments) {
        return switch (algorithm) {
            case NEW_RENO -> new NewRenoCongestionControl(smss, initialWindowSegments, slowStartAckLimitSegments);
            case CUBIC -> new CubicCongestionControl(smss, initialWindowSegments, slowStartAckLimitSegments);
        };
    }

    /**
     * The part of {@code ackedBytes} that slow start counts: all of it (Linux tcp_slow_start counts
     * every newly acknowledged segment), or at most L = {@code limitSegments} SMSS (RFC 3465 §2.2)
     * when the limit is not 0.
     */
    static int slowStartCredit(int ackedBytes, int smss, int limitSegments) {
        return limitSegments == 0 ? ackedBytes : (int) Math.min(ackedBytes, (long) limitSegments * smss);
    }
}
