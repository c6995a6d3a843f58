package dev.synack.tcp;

/**
 * What a {@link Listener} (and, for TCP Fast Open, a connection) counts through
 * {@link TcpOutput#listenEvent}; the stack keeps the counters under Linux's TcpExt names.
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
    LISTEN_DROP,
    /** A SYN with data and a Fast Open cookie whose data the peer acknowledged in its SYN-ACK (TCPFastOpenActive). */
    FASTOPEN_ACTIVE,
    /** A SYN-ACK that did not acknowledge our SYN's data: it goes again (TCPFastOpenActiveFail). */
    FASTOPEN_ACTIVE_FAIL,
    /** A Fast Open SYN accepted: its child takes the data at once (TCPFastOpenPassive). */
    FASTOPEN_PASSIVE,
    /** A SYN whose Fast Open cookie was not valid: only its SYN is acknowledged (TCPFastOpenPassiveFail). */
    FASTOPEN_PASSIVE_FAIL,
    /** A Fast Open SYN refused because the listener's pending Fast Open children reached its limit (TCPFastOpenListenOverflow). */
    FASTOPEN_LISTEN_OVERFLOW,
    /** A SYN requesting a Fast Open cookie (TCPFastOpenCookieReqd). */
    FASTOPEN_COOKIE_REQD
}
