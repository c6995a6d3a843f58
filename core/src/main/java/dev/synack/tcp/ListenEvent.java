package dev.synack.tcp;

/**
 * What a {@link Listener} counts through {@link TcpOutput#listenEvent}; the stack keeps the counters
 * under Linux's TcpExt names.
 */
public enum ListenEvent {
    /** A SYN answered with a cookie SYN-ACK (Linux's SyncookiesSent). */
    SYNCOOKIE_SENT,
    /** An ACK carrying a valid cookie (SyncookiesRecv). */
    SYNCOOKIE_RECV,
    /** An ACK checked for a cookie, while cookies were in use, whose cookie was not valid (SyncookiesFailed). */
    SYNCOOKIE_FAILED,
    /** A SYN or a completed handshake that found the accept queue full (ListenOverflows). */
    LISTEN_OVERFLOW,
    /** Every SYN or completed handshake the listener dropped, overflows included (ListenDrops, tcp_listendrop). */
    LISTEN_DROP
}
