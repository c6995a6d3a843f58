package dev.synack.tcp;

/**
 * RFC 5681's window: cwnd starts at the initial window (RFC 6928), grows in slow start by the bytes
 * acknowledged (all of them as Linux's tcp_slow_start, or at most L SMSS per ACK with appropriate byte
 * counting, RFC 3465 §2.2; TcpConfig#slowStartAckLimitSegments) up to ssthresh, the rest of the ACK
 * counting toward congestion avoidance, and in congestion avoidance by one SMSS per cwnd of bytes
 * acknowledged (RFC 5681 §3.1, RFC 3465 §2.1). A
 * loss sets ssthresh = max(FlightSize / 2, 2 SMSS) (eq. 4); a timeout also collapses cwnd to one
 * SMSS (the loss window). The fast-recovery inflation of RFC 6582 is the connection's.
 */
final class NewRenoCongestionControl implements CongestionControl {
    private int smss;
    /** RFC 3465 §2.2: the slow-start limit L, in segments; 0 for none. */
    private final int slowStartAckLimit;
    private int cwnd;
    /** RFC 5681 §3.1: initially arbitrarily high. */
    private int ssthresh = Integer.MAX_VALUE;
    /** Bytes acknowledged in congestion avoidance not yet turned into window growth. */
    private int avoidanceCredit;

    NewRenoCongestionControl(int smss, int initialWindowSegments, int slowStartAckLimitSegments) {
        this.smss = smss;
        this.slowStartAckLimit = slowStartAckLimitSegments;
        this.cwnd = (int) Math.min(MAX_CWND, (long) smss * initialWindowSegments);
    }

    @Override public int cwnd() { return cwnd; }
    @Override public int ssthresh() { return ssthresh; }

    @Override
    public void onAck(int ackedBytes, long srttNanos, long now) {
        if (ackedBytes <= 0) return;
        int avoidance = ackedBytes;
        if (cwnd < ssthresh) {
            // slow start (RFC 5681 eq. 2) up to ssthresh; the rest of the ACK is congestion avoidance's
            int credit = CongestionControl.slowStartCredit(ackedBytes, smss, slowStartAckLimit);
            int growth = Math.min(credit, ssthresh - cwnd);
            grow(growth);
            avoidance = credit - growth;
            if (avoidance == 0) return;
        }
        // congestion avoidance: one SMSS per cwnd acknowledged
        avoidanceCredit += avoidance;
        if (avoidanceCredit >= cwnd) {
            int windows = avoidanceCredit / cwnd;
            avoidanceCredit -= windows * cwnd;
            grow((int) Math.min(MAX_CWND, (long) windows * smss));
        }
    }

    @Override
    public void onCongestionEvent(int flightSize, long now) {
        ssthresh = halfFlight(flightSize);
        cwnd = ssthresh;
        avoidanceCredit = 0;
    }

    @Override
    public void onRetransmissionTimeout(int flightSize, long now) {
        ssthresh = halfFlight(flightSize);
        cwnd = smss; // loss window, RFC 5681 §3.1
        avoidanceCredit = 0;
    }

    @Override
    public void setCwnd(int bytes) {
        cwnd = Math.min(MAX_CWND, Math.max(smss, bytes));
    }

    @Override
    public void mssChanged(int newSmss) {
        cwnd = Math.max(newSmss, CongestionControl.rescale(cwnd, smss, newSmss));
        ssthresh = CongestionControl.rescale(ssthresh, smss, newSmss);
        avoidanceCredit = CongestionControl.rescale(avoidanceCredit, smss, newSmss);
        smss = newSmss;
    }

    @Override
    public void restartAfterIdle(int bytes) {
        ssthresh = CongestionControl.idleSsthresh(ssthresh, cwnd, smss);
        setCwnd(bytes);
        avoidanceCredit = 0;
    }

    private int halfFlight(int flightSize) {
        return Math.max(flightSize / 2, 2 * smss); // RFC 5681 eq. 4
    }

    private void grow(int bytes) {
        cwnd = (int) Math.min(MAX_CWND, (long) cwnd + bytes);
    }
}
