package dev.synack.tcp;

/** The congestion control a connection uses (TcpConfig#congestionAlgorithm). */
public enum CongestionAlgorithm {
    /** RFC 5681 slow start and congestion avoidance, with RFC 6582 NewReno recovery. */
    NEW_RENO,
    /** RFC 9438 CUBIC (Linux's default), with fast convergence and the Reno-friendly region. */
    CUBIC
}
