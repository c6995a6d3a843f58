package dev.synack.tcp;

/**
 * The retransmission timeout of RFC 6298 §2: SRTT and RTTVAR from round-trip samples, RTO bounded by
 * the configured minimum and maximum, and the exponential backoff of §5.5.
 */
final class RttEstimator {
    private final long minRto;
    private final long maxRto;
    /** The clock granularity G of RFC 6298: the tick of the timestamp clock, which quantises samples. */
    private final long granularity;
    private long srtt;
    private long rttvar;
    private boolean hasSample;
    private long baseRto;
    private int backoff;

    RttEstimator(TcpConfig config) {
        this.minRto = config.minRtoNanos();
        this.maxRto = config.maxRtoNanos();
        this.granularity = config.timestampTickNanos();
        this.baseRto = Math.min(config.initialRtoNanos(), maxRto); // RFC 6298 §2.1
    }

    /** RFC 6298 §2.2-2.4: one measurement {@code r} in nanoseconds; also ends any backoff (§5.7). */
    void sample(long r) {
        if (r < 0) return;
        if (!hasSample) {
            srtt = r;
            rttvar = r / 2;
            hasSample = true;
        } else {
            // alpha = 1/8, beta = 1/4 (RFC 6298 §2.3)
            rttvar = (3 * rttvar + Math.abs(srtt - r)) / 4;
            srtt = (7 * srtt + r) / 8;
        }
        long rto = srtt + Math.max(granularity, 4 * rttvar);
        baseRto = Math.min(Math.max(rto, minRto), maxRto); // §2.4 (minimum), §2.5 (maximum)
        backoff = 0;
    }

    /** RFC 6298 §5.5: the timer expired; the next timeout is twice as long (up to the maximum). */
    void backOff() {
        if (rto() < maxRto) backoff++;
    }

    /** The current timeout, backoff included. */
    long rto() {
        long rto = baseRto;
        for (int i = 0; i < backoff && rto < maxRto; i++) rto *= 2;
        return Math.min(rto, maxRto);
    }

    boolean hasSample() { return hasSample; }
    long srtt() { return srtt; }
    long rttvar() { return rttvar; }
    int backoffCount() { return backoff; }
}
