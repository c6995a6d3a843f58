package dev.synack.tcp;

/**
 * What shutdown(SHUT_RD) does to received data (TcpConfig#readShutdownData). RFC 9293 has no
 * receive-side shutdown (its CLOSE only ends the sending side, §3.10.4); the socket APIs differ.
 */
public enum ReadShutdownData {
    /**
     * Linux: nothing is discarded. Bytes already queued stay readable, bytes arriving later are
     * acknowledged, queued and readable too; read() returns end-of-file only while none is queued.
     * Once our FIN is out as well (FIN_WAIT1, FIN_WAIT2), new data resets the connection, as after
     * close() (Linux's tcp_rcv_state_process, after RFC 1122 §4.2.2.13).
     */
    KEEP,
    /**
     * 4.4BSD and FreeBSD (soshutdown, sorflush): bytes already queued are discarded at once, bytes
     * arriving later are acknowledged and dropped (tcp_input frees what arrives for a receive side
     * marked SBS_CANTRCVMORE), and read() returns end-of-file from then on. sorflush also releases
     * the receive buffer (its high-water mark becomes 0), so no window is offered beyond the right
     * edge already advertised: the window closes once the peer has filled it, the peer probes a zero
     * window, and its blocking writes block when its send buffer is full.
     */
    DISCARD
}
