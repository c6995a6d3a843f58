package dev.synack.tcp;

/**
 * A reply the engine did not send because a rate limit held it back ({@link TcpOutput#rateLimited}),
 * named after the Linux counter of the same event (netstat -s, TcpExt).
 */
public enum RateLimited {
    /** An ACK to a segment outside the window (TCPACKSkippedSeq). */
    OUT_OF_WINDOW_ACK("TCPACKSkippedSeq"),
    /** An ACK to a segment PAWS rejected (TCPACKSkippedPAWS). */
    PAWS_ACK("TCPACKSkippedPAWS"),
    /** An ACK or SYN-ACK to an unacceptable segment in SYN_RECV (TCPACKSkippedSynRecv). */
    SYN_RECV_ACK("TCPACKSkippedSynRecv"),
    /** An ACK to an old duplicate in TIME_WAIT (TCPACKSkippedTimeWait). */
    TIME_WAIT_ACK("TCPACKSkippedTimeWait"),
    /** A challenge ACK of RFC 5961 (TCPACKSkippedChallenge). */
    CHALLENGE_ACK("TCPACKSkippedChallenge");

    private final String linuxName;

    RateLimited(String linuxName) { this.linuxName = linuxName; }

    /** The name of Linux's counter of the same event. */
    public String linuxName() { return linuxName; }
}
