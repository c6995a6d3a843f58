package dev.synack.tcp;

/**
 * CUBIC (RFC 9438), Linux's default. Slow start as RFC 5681, counting every acknowledged byte as
 * Linux's tcp_slow_start does or at most L SMSS per ACK (RFC 3465 §2.2;
 * TcpConfig#slowStartAckLimitSegments), up to ssthresh, the rest of the ACK going to congestion
 * avoidance; in congestion avoidance the window follows W_cubic(t) = C (t - K)^3 + W_max (§4.2, eq. 1), where t is
 * the time since the current avoidance epoch began and K = cbrt((W_max - cwnd_epoch) / C) (eq. 2),
 * aiming each ACK at W_cubic(t + RTT) (§4.4) but never beyond 1.5 cwnd. A Reno estimate W_est runs
 * alongside (§4.3) and wins when it is higher (the Reno-friendly region). A loss multiplies cwnd by
 * beta = 0.7 (§4.6), remembering W_max, lowered further by fast convergence when the window had not
 * reached the previous W_max (§4.7). A timeout also sets cwnd to one SMSS (§4.8). Windows are kept
 * in segments, as the RFC writes them. Slow start ends early on a delay increase ({@link HyStart},
 * RFC 9406), which needs several RTT samples per round (timestamps give one per ACK).
 */
final class CubicCongestionControl implements CongestionControl {
    /** RFC 9438 §5: C = 0.4 (segments per second cubed). */
    static final double C = 0.4;
    /** RFC 9438 §4.6: the multiplicative decrease factor. */
    static final double BETA = 0.7;
    /** RFC 9438 §4.3: the Reno-friendly additive increase, 3 (1 - beta) / (1 + beta). */
    static final double ALPHA = 3 * (1 - BETA) / (1 + BETA);
    /** RFC 9438 §4.4: the target never exceeds 1.5 cwnd. */
    private static final double MAX_TARGET_RATIO = 1.5;
    private static final double NANOS_PER_SECOND = 1e9;
    private static final long NO_EPOCH = Long.MIN_VALUE;

    private int smss;
    /** RFC 3465 §2.2: the slow-start limit L, in segments; 0 for none. */
    private final int slowStartAckLimit;
    /** cwnd in segments (fractional, so that small increments add up). */
    private double cwnd;
    /** ssthresh in bytes; RFC 5681 §3.1: initially arbitrarily high. */
    private int ssthresh = Integer.MAX_VALUE;
    /** W_max in segments: the window just before the last reduction (after fast convergence). */
    private double wMax;
    /** cwnd_prior of §4.6, in segments: the window before the last reduction. */
    private double cwndPrior;
    private double k;
    private long epochStart = NO_EPOCH;
    /** W_est of §4.3, in segments. */
    private double wEst;
    /** Slow start ends early on a delay increase (RFC 9406; Linux's CUBIC has HyStart on by default). */
    private final HyStart hyStart = new HyStart();

    CubicCongestionControl(int smss, int initialWindowSegments, int slowStartAckLimitSegments) {
        this.smss = smss;
        this.slowStartAckLimit = slowStartAckLimitSegments;
        this.cwnd = initialWindowSegments;
    }

    @Override public int cwnd() { return (int) Math.min(MAX_CWND, Math.round(cwnd * smss)); }
    @Override public int ssthresh() { return ssthresh; }
    double wMaxSegments() { return wMax; }
    double kSeconds() { return k; }

    @Override
    public void onAck(int ackedBytes, long srttNanos, long now) {
        if (ackedBytes <= 0) return;
        grow(ackedBytes, srttNanos, now);
        cwnd = Math.min(cwnd, (double) MAX_CWND / smss); // the ceiling of CongestionControl.MAX_CWND
    }

    private void grow(int ackedBytes, long srttNanos, long now) {
        double acked = (double) ackedBytes / smss;
        if (cwnd() < ssthresh) {
            // slow start (RFC 9438 §4.10 leaves it to RFC 5681) up to ssthresh, a quarter as fast in
            // HyStart++'s CSS (where ssthresh is still unset); the rest of the ACK is congestion avoidance's
            double credit = (double) CongestionControl.slowStartCredit(ackedBytes, smss, slowStartAckLimit) / smss;
            double growth = Math.min(credit, (double) ssthresh / smss - cwnd);
            cwnd += hyStart.inConservativeSlowStart() ? growth / HyStart.CSS_GROWTH_DIVISOR : growth;
            acked = credit - growth;
            if (acked <= 0) return;
        }
        if (epochStart == NO_EPOCH) {
            // §4.2: a new congestion-avoidance epoch; K from eq. 2 (0 when cwnd is already past W_max).
            epochStart = now;
            if (cwnd < wMax) {
                k = Math.cbrt((wMax - cwnd) / C);
            } else {
                k = 0;
                wMax = cwnd;
            }
            wEst = cwnd;
        }
        double t = (now - epochStart) / NANOS_PER_SECOND;
        double rtt = srttNanos / NANOS_PER_SECOND;
        // §4.3: the Reno-friendly estimate grows by alpha per window acknowledged; 1 once past cwnd_prior.
        double alpha = wEst >= cwndPrior ? 1.0 : ALPHA;
        wEst += alpha * acked / cwnd;
        double cubicNow = wCubic(t);
        if (cubicNow < wEst) {
            cwnd = Math.max(cwnd, wEst); // Reno-friendly region (§4.3)
            return;
        }
        // §4.4 (concave) and §4.5 (convex): approach the target one RTT ahead, at most 1.5 cwnd.
        double target = Math.min(Math.max(wCubic(t + rtt), cwnd), MAX_TARGET_RATIO * cwnd);
        cwnd += (target - cwnd) / cwnd * acked;
    }

    @Override
    public void onRttSample(long rttNanos, int ack, int sndNxt) {
        if (cwnd() >= ssthresh) return;
        if (hyStart.onRttSample(rttNanos, ack, sndNxt)) {
            ssthresh = cwnd(); // RFC 9406 §4.2: CSS ran its rounds; congestion avoidance from here
        }
    }

    /** True while HyStart++ holds slow start to a quarter of its rate (for tests). */
    boolean inConservativeSlowStart() { return hyStart.inConservativeSlowStart(); }

    /** RFC 9438 eq. 1, in segments. */
    double wCubic(double t) {
        double d = t - k;
        return C * d * d * d + wMax;
    }

    @Override
    public void onCongestionEvent(int flightSize, long now) {
        reduce();
        cwnd = Math.max(cwnd * BETA, 2);
    }

    @Override
    public void onRetransmissionTimeout(int flightSize, long now) {
        reduce();
        cwnd = 1; // §4.8: the loss window of RFC 5681
    }

    /** §4.6-4.7: remember W_max (with fast convergence) and lower ssthresh to beta times the window. */
    private void reduce() {
        hyStart.reset();
        cwndPrior = cwnd;
        wMax = cwnd < wMax ? cwnd * (1 + BETA) / 2 : cwnd; // fast convergence (§4.7)
        ssthresh = (int) Math.max(Math.round(cwnd * BETA * smss), 2L * smss);
        epochStart = NO_EPOCH;
    }

    @Override
    public void setCwnd(int bytes) {
        cwnd = Math.max(1.0, (double) Math.min(bytes, MAX_CWND) / smss);
        epochStart = NO_EPOCH; // the curve restarts from the window recovery left
    }

    @Override
    public void mssChanged(int newSmss) {
        ssthresh = CongestionControl.rescale(ssthresh, smss, newSmss);
        smss = newSmss; // cwnd, W_max and the rest are in segments already
    }

    @Override
    public void restartAfterIdle(int bytes) {
        ssthresh = CongestionControl.idleSsthresh(ssthresh, cwnd(), smss);
        setCwnd(bytes);
    }
}
