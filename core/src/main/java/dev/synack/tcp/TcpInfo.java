package dev.synack.tcp;

/**
 * A snapshot of one connection in the terms of Linux's {@code struct tcp_info} (getsockopt
 * TCP_INFO), for the fields synack can report faithfully; {@link Connection#tcpInfo(long)} takes it.
 * Units are Linux's: times in microseconds ({@code lastDataRecvMillis} in milliseconds), windows
 * and sizes in bytes, cwnd and ssthresh in segments of {@code sndMss} bytes (synack keeps them in
 * bytes: the whole segments they hold). {@code sndSsthresh} is {@link #INFINITE_SSTHRESH} before
 * the first reduction, as Linux's TCP_INFINITE_SSTHRESH.
 *
 * @param state the connection's state
 * @param caState Linux's congestion-avoidance state ({@code tcpi_ca_state})
 * @param retransmits timer-driven retransmissions since the last acknowledgement of new data ({@code tcpi_retransmits})
 * @param backoff doublings of the retransmission timeout since the last RTT sample ({@code tcpi_backoff})
 * @param timestamps the timestamps option was agreed (TCPI_OPT_TIMESTAMPS)
 * @param sack SACK was agreed (TCPI_OPT_SACK)
 * @param windowScaling window scaling was agreed (TCPI_OPT_WSCALE)
 * @param sndWscale the peer's window shift (0 without window scaling)
 * @param rcvWscale our window shift (0 without window scaling)
 * @param rtoMicros the retransmission timeout, backoff included
 * @param sndMss the payload of a full segment we send ({@code tcpi_snd_mss})
 * @param advMss the MSS we announce ({@code tcpi_advmss})
 * @param pmtu the path MTU the MSS derives from ({@code tcpi_pmtu})
 * @param rttMicros the smoothed RTT (0 before the first sample)
 * @param rttVarMicros the RTT variation (before the first sample: a quarter of the initial RTO, as Linux starts it)
 * @param sndSsthresh ssthresh in segments
 * @param sndCwnd cwnd in segments
 * @param reordering the duplicate-ACK threshold in segments ({@code tcpi_reordering}; synack's does not adapt)
 * @param totalRetrans segments retransmitted over the connection's life, SYNs included
 * @param bytesRetrans data bytes retransmitted
 * @param notsentBytes bytes written but never sent yet
 * @param sndWnd the peer's window in bytes
 * @param lastDataRecvMillis time since data last arrived in order (or since the connection was established)
 * @param packets the counts of segments sent and not acknowledged, or null where synack keeps no
 *        record of each segment (connections without RACK: no SACK, or {@link TcpConfig#rack()} off)
 * @param busyMicros time spent with data to send or acknowledge, in all ({@code tcpi_busy_time}, Linux's chronographs)
 * @param rwndLimitedMicros the part of it when the peer's window held data back ({@code tcpi_rwnd_limited})
 * @param receiveBuffer the receive buffer's size in bytes, as autotuning and the profile left it
 *        (FreeBSD's SO_RCVBUF, sb_hiwat)
 * @param ecn ECN was agreed (TCPI_OPT_ECN)
 * @param ecnSeen an ECT or CE data segment arrived (TCPI_OPT_ECN_SEEN)
 * @param synData data in the SYN was acknowledged, sent or received (TCP Fast Open; Linux's TCPI_OPT_SYN_DATA)
 * @param fastOpenChild a server's connection made by a Fast Open SYN (Linux's TCPI_OPT_TFO_CHILD): it could send before
 *        the handshake's last ACK
 */
public record TcpInfo(TcpState state, CaState caState, int retransmits, int backoff, boolean timestamps, boolean sack,
                      boolean windowScaling, int sndWscale, int rcvWscale, long rtoMicros, int sndMss, int advMss, int pmtu,
                      long rttMicros, long rttVarMicros, int sndSsthresh, int sndCwnd, int reordering, long totalRetrans,
                      long bytesRetrans, int notsentBytes, int sndWnd, long lastDataRecvMillis, Packets packets,
                      long busyMicros, long rwndLimitedMicros, int receiveBuffer, boolean ecn, boolean ecnSeen,
                      boolean synData, boolean fastOpenChild) {
    /** Linux's TCP_INFINITE_SSTHRESH: no reduction yet. */
    public static final int INFINITE_SSTHRESH = 0x7fffffff;

    /**
     * Linux's congestion-avoidance states (tcpi_ca_state): OPEN, nothing wrong; DISORDER, duplicate
     * ACKs or SACKs seen but no loss inferred yet; CWR, a reduction for a congestion signal other
     * than loss (an ECN echo, RFC 3168); RECOVERY, fast recovery; LOSS, after a retransmission
     * timeout until what was outstanding then is acknowledged.
     */
    public enum CaState { OPEN, DISORDER, CWR, RECOVERY, LOSS }

    /**
     * Linux's counts of the segments sent and not cumulatively acknowledged, in packets as Linux
     * counts a TSO skb (its length over the MSS, rounded up: tcp_skb_pcount).
     *
     * @param unacked all of them ({@code tcpi_unacked}, packets_out)
     * @param sacked those SACKed ({@code tcpi_sacked}, sacked_out)
     * @param lost those deemed lost, retransmitted since or not ({@code tcpi_lost}, lost_out)
     * @param retrans those whose retransmission is in the network ({@code tcpi_retrans}, retrans_out)
     */
    public record Packets(int unacked, int sacked, int lost, int retrans) {}
}
