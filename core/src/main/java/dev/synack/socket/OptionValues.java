package dev.synack.socket;

import static dev.synack.socket.TcpSocketOptions.IPV6_V6ONLY;
import static dev.synack.socket.TcpSocketOptions.TCP_CORK;
import static dev.synack.socket.TcpSocketOptions.TCP_FASTOPEN;
import static dev.synack.socket.TcpSocketOptions.TCP_FASTOPEN_CONNECT;
import static dev.synack.socket.TcpSocketOptions.TCP_MAXSEG;
import static dev.synack.socket.TcpSocketOptions.TCP_NOTSENT_LOWAT;
import static dev.synack.socket.TcpSocketOptions.TCP_USER_TIMEOUT;
import static java.net.StandardSocketOptions.SO_KEEPALIVE;
import static java.net.StandardSocketOptions.SO_LINGER;
import static java.net.StandardSocketOptions.SO_REUSEADDR;
import static java.net.StandardSocketOptions.SO_SNDBUF;
import static java.net.StandardSocketOptions.TCP_NODELAY;

import dev.synack.tcp.Connection;
import dev.synack.tcp.TcpConfig;
import java.net.SocketOption;
import java.time.Duration;
import java.util.Set;

/**
 * A socket's options as the user set them: checked when set, applied to the socket's connection (at
 * once when it has one, else when it is made), and copied from a server socket to each socket it
 * accepts, as Linux's sk_clone copies the listener's settings to the child.
 */
@SuppressWarnings("ReferenceEquality") // socket options are constants, compared by identity as the JDK's own sockets compare them
final class OptionValues {
    static final Set<SocketOption<?>> SUPPORTED = Set.of(SO_LINGER, SO_KEEPALIVE, SO_SNDBUF, SO_REUSEADDR, TCP_NODELAY,
            TCP_CORK, TCP_NOTSENT_LOWAT, TCP_USER_TIMEOUT, TCP_MAXSEG, IPV6_V6ONLY, TCP_FASTOPEN, TCP_FASTOPEN_CONNECT);

    /** SO_LINGER in seconds; -1: off. */
    private int linger = -1;
    private boolean keepAlive;
    private boolean noDelay;
    private boolean cork;
    /** SO_REUSEADDR: kept for getOption; synack's ports are reusable as soon as their socket is closed. */
    private boolean reuseAddress;
    /** SO_SNDBUF in bytes; 0: the stack's {@link TcpConfig#sendBufferSize()}. */
    private int sendBufferSize;
    /** TCP_NOTSENT_LOWAT; 0: the stack's default. */
    private long notsentLowat;
    private long userTimeoutNanos;
    /** TCP_MAXSEG (Linux's user_mss); 0: none. */
    private int maxSegmentSize;
    private boolean ipv6Only;
    /** TCP_FASTOPEN's queue length (server sockets); 0: off. */
    private int fastOpenQueue;
    private boolean fastOpenConnect;

    OptionValues copy() {
        OptionValues o = new OptionValues();
        o.linger = linger;
        o.keepAlive = keepAlive;
        o.noDelay = noDelay;
        o.cork = cork;
        o.reuseAddress = reuseAddress;
        o.sendBufferSize = sendBufferSize;
        o.notsentLowat = notsentLowat;
        o.userTimeoutNanos = userTimeoutNanos;
        o.maxSegmentSize = maxSegmentSize;
        o.ipv6Only = ipv6Only;
        o.fastOpenQueue = fastOpenQueue;
        o.fastOpenConnect = fastOpenConnect;
        return o;
    }

    /**
     * Checks and keeps {@code value}; the caller then applies it to its connection ({@link #apply}).
     *
     * @throws IllegalArgumentException for a null or out-of-range value
     * @throws UnsupportedOperationException for an option not in {@link #SUPPORTED}
     */
    <T> void set(SocketOption<T> option, T value) {
        if (value == null) throw new IllegalArgumentException("null value for " + option);
        if (option == SO_LINGER) {
            linger = Math.max(-1, (Integer) value);
        } else if (option == SO_KEEPALIVE) {
            keepAlive = (Boolean) value;
        } else if (option == TCP_NODELAY) {
            noDelay = (Boolean) value;
        } else if (option == TCP_CORK) {
            cork = (Boolean) value;
        } else if (option == SO_REUSEADDR) {
            reuseAddress = (Boolean) value;
        } else if (option == SO_SNDBUF) {
            int bytes = (Integer) value;
            if (bytes < 1) throw new IllegalArgumentException("send buffer size must be positive, was " + bytes);
            sendBufferSize = bytes;
        } else if (option == TCP_NOTSENT_LOWAT) {
            long bytes = (Long) value;
            if (bytes < 0 || bytes > TcpConfig.NOTSENT_LOWAT_UNLIMITED) {
                throw new IllegalArgumentException("low-water mark must be 0.." + TcpConfig.NOTSENT_LOWAT_UNLIMITED + ", was " + bytes);
            }
            notsentLowat = bytes;
        } else if (option == TCP_USER_TIMEOUT) {
            Duration timeout = (Duration) value;
            if (timeout.isNegative()) throw new IllegalArgumentException("timeout must not be negative, was " + timeout);
            userTimeoutNanos = timeout.toNanos();
        } else if (option == TCP_MAXSEG) {
            maxSegmentSize = Connection.checkUserMss((Integer) value);
        } else if (option == IPV6_V6ONLY) {
            ipv6Only = (Boolean) value;
        } else if (option == TCP_FASTOPEN) {
            int qlen = (Integer) value;
            if (qlen < 0) throw new IllegalArgumentException("TCP_FASTOPEN's queue length must not be negative, was " + qlen);
            fastOpenQueue = qlen;
        } else if (option == TCP_FASTOPEN_CONNECT) {
            fastOpenConnect = (Boolean) value;
        } else {
            throw new UnsupportedOperationException("'" + option + "' not supported");
        }
    }

    /** The value as set; SO_SNDBUF never set is {@code defaultSendBuffer}. */
    @SuppressWarnings("unchecked")
    <T> T get(SocketOption<T> option, int defaultSendBuffer) {
        Object v;
        if (option == SO_LINGER) v = linger;
        else if (option == SO_KEEPALIVE) v = keepAlive;
        else if (option == TCP_NODELAY) v = noDelay;
        else if (option == TCP_CORK) v = cork;
        else if (option == SO_REUSEADDR) v = reuseAddress;
        else if (option == SO_SNDBUF) v = sendBufferSize == 0 ? defaultSendBuffer : sendBufferSize;
        else if (option == TCP_NOTSENT_LOWAT) v = notsentLowat;
        else if (option == TCP_USER_TIMEOUT) v = Duration.ofNanos(userTimeoutNanos);
        else if (option == TCP_MAXSEG) v = maxSegmentSize;
        else if (option == IPV6_V6ONLY) v = ipv6Only;
        else if (option == TCP_FASTOPEN) v = fastOpenQueue;
        else if (option == TCP_FASTOPEN_CONNECT) v = fastOpenConnect;
        else throw new UnsupportedOperationException("'" + option + "' not supported");
        return (T) v;
    }

    /** Applies {@code option}, just set, to the socket's connection (lock held). */
    void apply(SocketOption<?> option, Connection c, long now) {
        if (option == SO_KEEPALIVE) c.setKeepAlive(keepAlive, now);
        else if (option == TCP_NODELAY) c.setNoDelay(noDelay, now);
        else if (option == TCP_CORK) c.setCork(cork, now);
        else if (option == SO_SNDBUF) c.setSendBufferSize(sendBufferSize, now);
        else if (option == TCP_NOTSENT_LOWAT) c.setNotsentLowat(notsentLowat, now);
        else if (option == TCP_USER_TIMEOUT) c.setUserTimeout(userTimeoutNanos);
        else if (option == TCP_MAXSEG) c.setUserMss(maxSegmentSize);
    }

    /**
     * Gives a new connection the options set (lock held). TCP_MAXSEG is not among them: a connect
     * gives it before the SYN, and an accepted connection has its listener's.
     */
    void applyTo(Connection c, long now) {
        if (noDelay) c.setNoDelay(true, now);
        if (cork) c.setCork(true, now);
        if (keepAlive) c.setKeepAlive(true, now);
        if (sendBufferSize > 0) c.setSendBufferSize(sendBufferSize, now);
        if (notsentLowat != 0) c.setNotsentLowat(notsentLowat, now);
        if (userTimeoutNanos != 0) c.setUserTimeout(userTimeoutNanos);
    }

    /** SO_LINGER in seconds; -1: off. */
    int linger() { return linger; }

    boolean keepAlive() { return keepAlive; }

    long notsentLowat() { return notsentLowat; }

    int maxSegmentSize() { return maxSegmentSize; }

    boolean ipv6Only() { return ipv6Only; }

    int fastOpenQueue() { return fastOpenQueue; }

    boolean fastOpenConnect() { return fastOpenConnect; }
}
