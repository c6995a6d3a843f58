package dev.synack.tcp;

/**
 * HyStart++ (RFC 9406): leaves slow start before it overshoots, when the round-trip time of a round
 * has grown by more than a threshold over the previous round's (§4.2), through a conservative slow
 * start (CSS) of a few rounds in which the window grows at a quarter of the slow-start rate; if the
 * delay falls back, slow start resumes. Linux's CUBIC uses its own HyStart to the same end. The
 * constants are the RFC's (§4.3). Rounds are counted in sequence space: a round ends when an ACK
 * covers what was sent when it began.
 */
final class HyStart {
    static final long MIN_RTT_THRESH = 4_000_000L;
    static final long MAX_RTT_THRESH = 16_000_000L;
    static final int MIN_RTT_DIVISOR = 8;
    static final int N_RTT_SAMPLE = 8;
    static final int CSS_GROWTH_DIVISOR = 4;
    static final int CSS_ROUNDS = 5;
    private static final long NONE = Long.MAX_VALUE;

    private boolean started;
    private int windowEnd;
    private long lastRoundMinRtt = NONE;
    private long currentRoundMinRtt = NONE;
    private int rttSampleCount;
    private boolean inCss;
    private long cssBaselineMinRtt = NONE;
    private int cssRounds;
    private boolean done;

    /** True in conservative slow start: the caller divides slow-start growth by {@link #CSS_GROWTH_DIVISOR}. */
    boolean inConservativeSlowStart() { return inCss; }

    /**
     * An RTT sample in slow start from an ACK of {@code ack} with SND.NXT at {@code sndNxt}. Returns
     * true when slow start should end now (after CSS_ROUNDS rounds of CSS): the caller sets ssthresh
     * to cwnd.
     */
    boolean onRttSample(long rtt, int ack, int sndNxt) {
        if (done) return false;
        if (!started || Seq.ge(ack, windowEnd)) {
            // §4.2: a new round begins
            started = true;
            windowEnd = sndNxt;
            lastRoundMinRtt = currentRoundMinRtt;
            currentRoundMinRtt = NONE;
            rttSampleCount = 0;
            if (inCss && ++cssRounds >= CSS_ROUNDS) {
                done = true;
                inCss = false;
                return true;
            }
        }
        currentRoundMinRtt = Math.min(currentRoundMinRtt, rtt);
        rttSampleCount++;
        if (rttSampleCount < N_RTT_SAMPLE || currentRoundMinRtt == NONE || lastRoundMinRtt == NONE) return false;
        if (!inCss) {
            long threshold = Math.max(MIN_RTT_THRESH, Math.min(lastRoundMinRtt / MIN_RTT_DIVISOR, MAX_RTT_THRESH));
            if (currentRoundMinRtt >= lastRoundMinRtt + threshold) {
                inCss = true;
                cssBaselineMinRtt = currentRoundMinRtt;
                cssRounds = 0;
            }
        } else if (currentRoundMinRtt < cssBaselineMinRtt) {
            inCss = false; // §4.2: the delay increase was spurious; back to slow start
            cssBaselineMinRtt = NONE;
        }
        return false;
    }

    /** A loss or timeout ended slow start by other means; HyStart++ is done until the window restarts. */
    void reset() {
        inCss = false;
        done = false;
        started = false;
        lastRoundMinRtt = NONE;
        currentRoundMinRtt = NONE;
        rttSampleCount = 0;
    }
}
