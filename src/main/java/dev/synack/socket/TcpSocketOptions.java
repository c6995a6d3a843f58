package dev.synack.socket;

import java.net.SocketOption;
import java.time.Duration;

/**
 * The TCP options of synack's sockets beyond {@link java.net.StandardSocketOptions}, for
 * {@link TcpSocket#setOption} and {@link TcpServerSocket#setOption} (the sockets a server socket
 * accepts take its options). Each also has a named setter on {@link TcpSocket}, which says what it does.
 */
public final class TcpSocketOptions {
    private TcpSocketOptions() {}

    /** Linux's TCP_CORK: see {@link TcpSocket#setTcpCork}. */
    public static final SocketOption<Boolean> TCP_CORK = new Option<>("TCP_CORK", Boolean.class);

    /** Linux's TCP_NOTSENT_LOWAT in bytes (0: the stack's default): see {@link TcpSocket#setNotsentLowat}. */
    public static final SocketOption<Long> TCP_NOTSENT_LOWAT = new Option<>("TCP_NOTSENT_LOWAT", Long.class);

    /** TCP_USER_TIMEOUT (RFC 5482; zero: none): see {@link TcpSocket#setUserTimeout}. */
    public static final SocketOption<Duration> TCP_USER_TIMEOUT = new Option<>("TCP_USER_TIMEOUT", Duration.class);

    /** TCP_MAXSEG, the cap on the MSS announced and used (0: none): see {@link TcpSocket#setMaxSegmentSize}. */
    public static final SocketOption<Integer> TCP_MAXSEG = new Option<>("TCP_MAXSEG", Integer.class);

    private record Option<T>(String name, Class<T> type) implements SocketOption<T> {
        @Override
        public String toString() { return name; }
    }
}
