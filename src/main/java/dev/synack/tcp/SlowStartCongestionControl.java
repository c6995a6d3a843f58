package dev.synack.tcp;

/**
 * RFC 5681's slow start and congestion avoidance, without the fast-recovery window inflation (issue 3
 * brings NewReno and CUBIC): cwnd starts at the initial window (RFC 6928), grows by at most one SMSS
 * per ACK below ssthresh (§3.1, appropriate byte counting limit L = 1 SMSS) and by about one SMSS per
 * round trip above it; a timeout sets ssthresh = max(FlightSize/2, 2*SMSS) and cwnd = 1 SMSS; a fast
 * retransmit sets both to max(FlightSize/2, 2*SMSS).
 */
final class SlowStartCongestionControl implements CongestionControl {
    private final int smss;
    private int cwnd;
    /** RFC 5681 §3.1: initially arbitrarily high. */
    private int ssthresh = Integer.MAX_VALUE;
    /** Bytes acknowledged in congestion avoidance not yet turned into window growth. */
    private int avoidanceCredit;

    SlowStartCongestionControl(int smss, int initialWindowSegments) {
        this.smss = smss;
        this.cwnd = (int) Math.min(Integer.MAX_VALUE, (long) smss * initialWindowSegments);
    }

    @Override public int cwnd() { return cwnd; }
    @Override public int ssthresh() { return ssthresh; }

    @Override
    public void onAck(int ackedBytes, long now) {
        if (ackedBytes <= 0) return;
        if (cwnd < ssthresh) {
            grow(Math.min(ackedBytes, smss)); // slow start, RFC 5681 eq. 2
        } else {
            avoidanceCredit += ackedBytes; // congestion avoidance: one SMSS per cwnd acknowledged (§3.1)
            if (avoidanceCredit >= cwnd) {
                avoidanceCredit -= cwnd;
                grow(smss);
            }
        }
    }

    @Override
    public void onRetransmissionTimeout(int flightSize) {
        ssthresh = halfFlight(flightSize);
        cwnd = smss; // loss window, RFC 5681 §3.1
        avoidanceCredit = 0;
    }

    @Override
    public void onFastRetransmit(int flightSize) {
        ssthresh = halfFlight(flightSize);
        cwnd = ssthresh;
        avoidanceCredit = 0;
    }

    private int halfFlight(int flightSize) {
        return Math.max(flightSize / 2, 2 * smss); // RFC 5681 eq. 4
    }

    private void grow(int bytes) {
        cwnd = (int) Math.min(Integer.MAX_VALUE, (long) cwnd + bytes);
    }
}
