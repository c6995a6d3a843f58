package dev.synack.tcp;

/**
 * The retransmission timeout of RFC 6298 §2: SRTT and RTTVAR from round-trip samples, RTO bounded by
 * the configured minimum and maximum, and the exponential backoff of §5.5. Where the minimum applies
 * is the profile's {@link RtoRule}: to the whole RTO (RFC 6298 §2.4) or, as Linux does, to the
 * variance term alone.
 */
final class RttEstimator {
    private final long minRto;
    private final long maxRto;
    /** Added before the minimum under RFC_6298 (FreeBSD's rexmit_slop; 0 otherwise). */
    private final long slop;
    private final boolean linux;
    /** The clock granularity G of RFC 6298: the tick of the timestamp clock, which quantises samples. */
    private final long granularity;
    private long srtt;
    private long rttvar;
    /**
     * {@link RtoRule#LINUX}: the term added to SRTT, never below the minimum RTO: the largest 4 RTTVAR
     * of the last round trip, let down toward it by a quarter of the gap per round trip (Linux's
     * rttvar_us; mdev_max_us is {@link #roundVariance}).
     */
    private long varianceTerm;
    /** {@link RtoRule#LINUX}: the largest 4 RTTVAR seen in the current round trip, at least the minimum RTO. */
    private long roundVariance;
    /** {@link RtoRule#LINUX}: the round trip ends when SND.UNA passes this (SND.NXT when it began). */
    private int roundEnd;
    private boolean hasSample;
    private long baseRto;
    private int backoff;

    RttEstimator(TcpConfig config) {
        this.minRto = config.minRtoNanos();
        this.maxRto = config.maxRtoNanos();
        this.slop = config.rtoSlopNanos();
        this.linux = config.rtoRule() == RtoRule.LINUX;
        this.granularity = config.timestampTickNanos();
        this.baseRto = Math.min(config.initialRtoNanos(), maxRto); // RFC 6298 §2.1
    }

    /**
     * RFC 6298 §2.2-2.4: one measurement {@code r} in nanoseconds, taken from an ACK that moved SND.UNA
     * to {@code sndUna} while SND.NXT was {@code sndNxt}; also ends any backoff (§5.7).
     */
    void sample(long r, int sndUna, int sndNxt) {
        if (r < 0) return;
        if (!hasSample) {
            srtt = r;
            rttvar = r / 2;
            hasSample = true;
            varianceTerm = Math.max(4 * rttvar, minRto); // 3 SRTT, or SRTT + the minimum
            roundVariance = varianceTerm;
            roundEnd = sndNxt;
        } else {
            long error = r - srtt;
            srtt += error / 8; // alpha = 1/8 (§2.3)
            long deviation = Math.abs(error);
            if (linux && error < 0 && deviation > rttvar) {
                // Linux: an RTT that falls raises the deviation at a gain of 1/32, not 1/4, so that a
                // shorter sample does not lengthen the timeout as much as a longer one would.
                rttvar += (deviation - rttvar) / 32;
            } else {
                rttvar += (deviation - rttvar) / 4; // beta = 1/4 (§2.3)
            }
            if (linux) followRoundTrip(sndUna, sndNxt);
        }
        long rto = linux ? srtt + varianceTerm : Math.max(srtt + Math.max(granularity, 4 * rttvar) + slop, minRto); // §2.4
        baseRto = Math.min(rto, maxRto); // §2.5 (maximum)
        backoff = 0;
    }

    /** Linux's rttvar_us: the round's largest variance holds the term up; a new round lets it down slowly. */
    private void followRoundTrip(int sndUna, int sndNxt) {
        long variance = 4 * rttvar;
        if (variance > roundVariance) {
            roundVariance = variance;
            varianceTerm = Math.max(varianceTerm, roundVariance);
        }
        if (Seq.gt(sndUna, roundEnd)) {
            if (roundVariance < varianceTerm) varianceTerm -= (varianceTerm - roundVariance) / 4;
            roundEnd = sndNxt;
            roundVariance = minRto;
        }
    }

    /** RFC 6298 §5.5: the timer expired; the next timeout is twice as long (up to the maximum). */
    void backOff() {
        if (rto() < maxRto) backoff++;
    }

    /** RFC 6069 §4: one backoff undone (an ICMP unreachable says the timeouts came from a broken path, not congestion). */
    void revertBackOff() {
        if (backoff > 0) backoff--;
    }

    /** The current timeout, backoff included. */
    long rto() {
        long rto = baseRto;
        for (int i = 0; i < backoff && rto < maxRto; i++) rto *= 2;
        return Math.min(rto, maxRto);
    }

    boolean hasSample() { return hasSample; }
    long srtt() { return srtt; }

    /** RTTVAR, the smoothed mean deviation (Linux reports the same as tcpi_rttvar, without the minimum). */
    long rttvar() { return rttvar; }
    int backoffCount() { return backoff; }
}
