package dev.synack.socket;

import java.net.SocketOption;
import java.time.Duration;

/**
 * The TCP options of synack's sockets beyond {@link java.net.StandardSocketOptions}, for
 * {@link TcpSocket#setOption} and {@link TcpServerSocket#setOption} (the sockets a server socket
 * accepts take its options). Each may be set before or after connect().
 */
public final class TcpSocketOptions {
    private TcpSocketOptions() {}

    /**
     * TCP_CORK (Linux): while on, segments shorter than the MSS wait for more data (a held tail goes
     * when the cork is cleared, with close/shutdown, or after about an RTO); clearing it sends them.
     */
    public static final SocketOption<Boolean> TCP_CORK = new Option<>("TCP_CORK", Boolean.class);

    /**
     * TCP_NOTSENT_LOWAT (Linux), in bytes: the socket counts as writable (a blocked write goes on,
     * the ready handler is told) only while fewer than half of them wait unsent, and a write stops
     * queueing once that many wait, so that little data sits in the buffer before the network takes
     * it. 0 (the default) means the stack's {@link dev.synack.tcp.TcpConfig#notsentLowat()}; values
     * outside 0..4294967295 are refused.
     */
    public static final SocketOption<Long> TCP_NOTSENT_LOWAT = new Option<>("TCP_NOTSENT_LOWAT", Long.class);

    /**
     * TCP_USER_TIMEOUT (RFC 5482, as Linux): when data sent stays unacknowledged this long after its
     * first retransmission, or the peer's window stays closed this long, the connection fails and
     * reads and writes throw "Connection timed out", instead of after the stack's retry count.
     * Zero (the default): none.
     */
    public static final SocketOption<Duration> TCP_USER_TIMEOUT = new Option<>("TCP_USER_TIMEOUT", Duration.class);

    /**
     * TCP_MAXSEG (Linux's user_mss): the MSS the socket announces in its SYN and the largest segment
     * it sends are at most this many bytes, whatever the peer announces. Read at connect() (on a
     * server socket: by the handshakes it answers); 0 (the default) is no cap; values other than 0
     * and 88..32767 are refused (Linux's EINVAL).
     */
    public static final SocketOption<Integer> TCP_MAXSEG = new Option<>("TCP_MAXSEG", Integer.class);

    /**
     * IPV6_V6ONLY (RFC 3493 §5.3): a server socket bound to the IPv6 wildcard {@code ::} takes only
     * IPv6 connections. Off by default, as on Linux: such a socket also takes IPv4 ones, their peers
     * shown as IPv4-mapped addresses ({@code ::ffff:10.0.0.1}). Read at listen().
     */
    public static final SocketOption<Boolean> IPV6_V6ONLY = new Option<>("IPV6_V6ONLY", Boolean.class);

    /**
     * TCP_FASTOPEN (RFC 7413, Linux) on a server socket: Fast Open on, with at most this many Fast
     * Open connections waiting for their handshake's last ACK (beyond them, SYNs are answered as
     * without Fast Open); 0 (the default) off. Takes effect only when the stack's
     * {@link dev.synack.tcp.TcpConfig#fastOpen()} has the server bit (0x2). Negative values are refused.
     */
    public static final SocketOption<Integer> TCP_FASTOPEN = new Option<>("TCP_FASTOPEN", Integer.class);

    /**
     * TCP_FASTOPEN_CONNECT (Linux) on a client socket, set before connect(): when the stack holds a
     * Fast Open cookie for the server, connect() returns at once without a handshake and the first
     * write sends the SYN with the data (RFC 7413); without a cookie connect() sends a SYN asking for
     * one and proceeds as usual. Needs the client bit (0x1) of {@link dev.synack.tcp.TcpConfig#fastOpen()}.
     * See also {@link TcpSocket#connectWithData}, sendto(MSG_FASTOPEN)'s equivalent.
     */
    public static final SocketOption<Boolean> TCP_FASTOPEN_CONNECT = new Option<>("TCP_FASTOPEN_CONNECT", Boolean.class);

    private record Option<T>(String name, Class<T> type) implements SocketOption<T> {
        @Override
        public String toString() { return name; }
    }
}
