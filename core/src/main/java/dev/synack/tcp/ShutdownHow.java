package dev.synack.tcp;

/** The {@code how} of shutdown(2): SHUT_RD, SHUT_WR, SHUT_RDWR. */
public enum ShutdownHow {
    /** SHUT_RD: further reads return end-of-file. */
    READ,
    /** SHUT_WR: a FIN follows the queued data; further writes fail. */
    WRITE,
    /** SHUT_RDWR: both. */
    BOTH
}
