package dev.synack.tcp;

/** How the retransmission timeout is computed from the round-trip samples (TcpConfig#rtoRule). */
public enum RtoRule {
    /**
     * RFC 6298 §2: RTO = SRTT + max(G, 4 RTTVAR), then raised to the minimum RTO as a whole (§2.4),
     * so that with a 1 s minimum any path whose RTO would be shorter waits 1 s.
     */
    RFC_6298,
    /**
     * As Linux computes it (tcp_rtt_estimator, tcp_set_rto): the minimum bounds the variance term,
     * not the sum, so RTO = SRTT + max(variance term, tcp_rto_min) and a 100 ms path waits 300 ms.
     * The variance term is the largest 4 x mean deviation seen over the last round trip, let down
     * only a quarter of the way per round trip when the deviation falls, and a falling RTT moves the
     * deviation up with a gain of 1/32 instead of 1/4.
     */
    LINUX
}
