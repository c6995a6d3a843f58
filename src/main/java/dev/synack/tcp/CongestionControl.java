package dev.synack.tcp;

/**
 * The congestion window policy (RFC 5681 and successors). The connection asks it how much may be in
 * flight and tells it about acknowledgements and losses. All sizes are bytes.
 */
interface CongestionControl {
    /** The congestion window cwnd. */
    int cwnd();

    /** The slow-start threshold ssthresh. */
    int ssthresh();

    /** {@code ackedBytes} of new data were cumulatively acknowledged. */
    void onAck(int ackedBytes, long now);

    /** The retransmission timer expired with {@code flightSize} bytes outstanding (RFC 5681 §3.1 eq. 4). */
    void onRetransmissionTimeout(int flightSize);

    /** The third duplicate ACK triggered a fast retransmit with {@code flightSize} bytes outstanding. */
    void onFastRetransmit(int flightSize);
}
