package dev.synack.tcp;

/** The eleven states of RFC 9293 §3.3.2, spelled as Linux spells them. */
public enum TcpState {
    CLOSED,
    LISTEN,
    SYN_SENT,
    SYN_RECV,
    ESTABLISHED,
    FIN_WAIT1,
    FIN_WAIT2,
    CLOSING,
    TIME_WAIT,
    CLOSE_WAIT,
    LAST_ACK;

    /** RFC 9293's "synchronized" states: a handshake has completed in both directions. */
    public boolean isSynchronized() {
        return switch (this) {
            case ESTABLISHED, FIN_WAIT1, FIN_WAIT2, CLOSING, TIME_WAIT, CLOSE_WAIT, LAST_ACK -> true;
            default -> false;
        };
    }
}
