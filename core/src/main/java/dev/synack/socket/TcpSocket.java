package dev.synack.socket;

import dev.synack.stack.NetStack;
import dev.synack.stack.ReadinessWatch;
import dev.synack.tcp.Connection;
import dev.synack.tcp.FastOpen;
import dev.synack.tcp.ShutdownHow;
import dev.synack.tcp.TcpError;
import dev.synack.tcp.TcpException;
import dev.synack.tcp.TcpInfo;
import dev.synack.tcp.TcpState;
import dev.synack.tcp.ReadFlags;
import dev.synack.tcp.WriteFlags;
import dev.synack.wire.IpAddress;
import dev.synack.wire.Ipv4Address;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A TCP socket on a synack {@link NetStack}, shaped like java.net.Socket: blocking by default,
 * non-blocking with readiness callbacks after {@link #configureBlocking configureBlocking(false)}
 * (see the package documentation). Safe to use from virtual threads, and from several threads at
 * once (a reader and a writer, say).
 *
 * <p>Every call takes the stack's lock for a short critical section, calls the engine, lets the
 * stack reschedule the connection's timers, and, when it must wait, waits through
 * {@link NetStack#awaitUntil} (real time or simulated: the code is the same). Every call is
 * reported to the stack's trace listeners as a {@code Call} event with its result.
 *
 * <p>Errors are IOExceptions with java.net's messages: {@link ConnectException} "Connection
 * refused", {@link SocketException} "Connection reset", "Connection timed out", "Socket output is
 * shut down", "Socket is closed"; {@link SocketTimeoutException} for connect and read timeouts.
 * An error the engine names has a {@link TcpException} as its cause, whose {@code error()} tells
 * which. As with java.net.Socket, a failed or timed-out connect closes the socket.
 */
public final class TcpSocket extends SocketBase<TcpSocket> {
    private Connection connection;
    /** The local port (0: none yet). */
    private int localPort;
    /** This socket (not yet a connection) holds a binding of {@link #localPort}. */
    private boolean holdsBinding;
    private boolean inputShut;
    private boolean outputShut;
    private Duration soTimeout;
    private InputStream input;
    private OutputStream output;
    /** TCP_FASTOPEN_CONNECT deferred connect() to this address: the first write connects (Linux's defer_connect). */
    private InetSocketAddress deferredConnect;
    /** The connect() that started the handshake has been seen to succeed (blocking connect, finishConnect). */
    private boolean connectFinished;

    public TcpSocket(NetStack stack) {
        super(stack, new OptionValues());
    }

    /** Accepted by a server socket bound to an IPv6 address: IPv4 addresses shown IPv4-mapped (RFC 3493 §3.7). */
    boolean ipv4MappedView;

    /** A socket for a connection a listener accepted, with the options of its server socket. */
    TcpSocket(NetStack stack, Connection accepted, OptionValues inherited) {
        super(stack, inherited);
        this.connection = accepted;
        this.localPort = accepted.tuple().localPort();
    }

    /** Optional: bind the local port before connect (0 = ephemeral). */
    public void bind(int localPort) throws IOException {
        new Call("bind " + localPort) {
            @Override
            Object body() throws IOException {
                ensureOpen();
                if (connection != null) throw new SocketException("Socket is already connected");
                if (holdsBinding) throw new SocketException("Socket is already bound to port " + TcpSocket.this.localPort);
                if (localPort < 0 || localPort > 65535) throw new IllegalArgumentException("port out of range: " + localPort);
                TcpSocket.this.localPort = stack.bind(localPort);
                holdsBinding = true;
                return "port " + TcpSocket.this.localPort;
            }
        }.call();
    }

    public void connect(InetSocketAddress remote) throws IOException {
        connect(remote, null);
    }

    /**
     * Connects to {@code remote}. Blocking mode: returns once the handshake completed.
     * Non-blocking mode: sends the SYN and returns at once; {@link #finishConnect()} tells when the
     * handshake is done (and the readiness handler is called then); {@code timeout} must be null or
     * zero (the handshake's own SYN retries bound it; close the socket to give up sooner).
     *
     * @throws java.net.SocketTimeoutException when the handshake did not finish in time (the attempt is aborted)
     * @throws IllegalArgumentException for a timeout in non-blocking mode
     */
    public void connect(InetSocketAddress remote, Duration timeout) throws IOException {
        if (!options.fastOpenConnect()) {
            connect(remote, timeout, null);
        } else if (!deferConnect(remote)) {
            connect(remote, timeout, ByteBuffer.allocate(0)); // no cookie yet: the SYN asks for one
        }
    }

    /**
     * TCP_FASTOPEN_CONNECT's connect() with a cookie at hand (Linux's tcp_fastopen_defer_connect):
     * nothing is sent, the first write connects with its data in the SYN. False when there is no
     * cookie for {@code remote} (nor tcp_fastopen's 0x4) or the client side is off.
     */
    private boolean deferConnect(InetSocketAddress remote) throws IOException {
        Objects.requireNonNull(remote, "remote");
        int bits = stack.config().fastOpen();
        IpAddress address = SocketErrors.unicast(remote);
        stack.lock();
        try {
            ensureOpen();
            if (connection != null || deferredConnect != null || (bits & FastOpen.CLIENT_ENABLE) == 0) return false;
            if (!stack.fastOpenCache().hasCookie(address) && (bits & FastOpen.CLIENT_NO_COOKIE) == 0) return false;
            deferredConnect = remote;
            return true;
        } finally {
            stack.unlock();
        }
    }

    /** Whether connect() was deferred by TCP_FASTOPEN_CONNECT: the first write will connect. */
    public boolean isConnectDeferred() {
        return locked(() -> deferredConnect != null);
    }

    /**
     * TCP Fast Open's connect (RFC 7413; sendto(2) with MSG_FASTOPEN): connects to {@code remote}
     * with the first bytes of {@code data} in the SYN when the stack holds a Fast Open cookie for it
     * (see {@link TcpSocketOptions#TCP_FASTOPEN_CONNECT}); without one the SYN asks for a cookie and
     * carries no data. Non-blocking mode: returns the bytes the SYN took at once (0 without a
     * cookie: write the data once connected). Blocking mode: the data the SYN does not carry is
     * queued behind it to leave with the handshake's ACK; returns once connected and all of
     * {@code data} is in the send buffer, with its length.
     *
     * @throws SocketException "Operation not supported" when the stack's TcpConfig#fastOpen() lacks the client bit (0x1)
     */
    public int connectWithData(InetSocketAddress remote, ByteBuffer data) throws IOException {
        Objects.requireNonNull(data, "data");
        int length = data.remaining();
        int inSyn = connect(remote, null, data);
        if (!blocking) return inSyn;
        if (data.hasRemaining()) write(data);
        return length;
    }

    /** connect(), with Fast Open when {@code synData} is not null: returns the bytes the SYN took. */
    private int connect(InetSocketAddress remote, Duration timeout, ByteBuffer synData) throws IOException {
        Objects.requireNonNull(remote, "remote");
        int[] inSyn = new int[1];
        new Call("connect") {
            @Override
            public String name() { return "connect " + Ipv4Address.hostPort(remote); }

            @Override
            Object body() throws IOException {
                ensureOpen();
                if (!blocking && timeout != null && !timeout.isZero()) {
                    throw new IllegalArgumentException("a connect timeout needs blocking mode (non-blocking: close the socket "
                            + "to give up sooner)");
                }
                if (blocking) refuseBlockingInHandler("connect");
                if (connection != null) {
                    throw SocketErrors.of(connection.isConnectDone() ? TcpError.ALREADY_CONNECTED : TcpError.CONNECTION_IN_PROGRESS);
                }
                IpAddress address = SocketErrors.unicast(remote);
                int port = remote.getPort();
                deferredConnect = null; // the connect TCP_FASTOPEN_CONNECT deferred happens now
                long deadline = stack.deadlineAfter(timeout);
                Connection c;
                try {
                    c = stack.connect(holdsBinding ? localPort : 0, address, port, conn -> {
                        conn.setUserMss(options.maxSegmentSize());
                        if (synData != null) inSyn[0] = FastOpen.prepare(conn, stack.fastOpenCache(), synData, blocking);
                    });
                } catch (TcpException e) {
                    throw SocketErrors.of(e);
                }
                holdsBinding = false;
                connection = c;
                localPort = c.tuple().localPort();
                options.applyTo(c, stack.now());
                if (!blocking) {
                    if (handler != null) stack.watch(c, watch);
                    return "in progress";
                }
                boolean done = stack.awaitUntil(c, () -> closed || c.isConnectDone(), deadline);
                if (closed) throw SocketErrors.of(TcpError.CLOSED);
                if (!done) {
                    try {
                        c.abort(stack.now());
                    } finally {
                        markClosed();
                    }
                    throw new SocketTimeoutException("Connect timed out after " + timeout);
                }
                if (c.error() != null) {
                    markClosed();
                    throw SocketErrors.duringConnect(c.error());
                }
                connectFinished = true;
                return "ok";
            }
        }.call();
        return inSyn[0];
    }

    /**
     * listen(2) on this socket, as a C program calls it on the descriptor it bound: returns a
     * {@link TcpServerSocket} listening with {@code backlog} that takes over this socket's port (an
     * ephemeral one when unbound), its options (which the sockets it accepts start with) and its
     * blocking mode. This socket is closed, whether listen succeeds or not.
     *
     * @throws SocketException when the socket is connected or closed
     * @throws java.net.BindException when no ephemeral port is free
     */
    public TcpServerSocket listen(int backlog) throws IOException {
        TcpServerSocket server;
        stack.lock();
        try {
            ensureOpen();
            if (connection != null) throw new SocketException("Socket is already connected");
            unwatch();
            server = new TcpServerSocket(stack, options.copy(), holdsBinding ? localPort : 0);
            holdsBinding = false;
            closed = true;
        } finally {
            stack.unlock();
        }
        try {
            server.configureBlocking(blocking);
            server.listen(backlog);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /**
     * Finishes a non-blocking connect, as java.nio's SocketChannel.finishConnect: true once the
     * handshake completed (and every time after), false while it is in progress. Never waits.
     *
     * @throws java.net.ConnectException "Connection refused" or "Connection timed out" when the
     *         attempt failed, as the blocking connect would throw; the socket is then closed
     * @throws SocketException when no connect was started, or the socket is closed
     */
    public boolean finishConnect() throws IOException {
        return (Boolean) new Call("finishConnect") {
            @Override
            Object body() throws IOException {
                ensureOpen();
                if (connection == null) throw new SocketException("No connection pending: call connect first");
                if (connectFinished) return true;
                Connection c = connection;
                if (!c.isConnectDone()) return false;
                if (c.error() != null) {
                    unwatch();
                    markClosed();
                    throw SocketErrors.duringConnect(c.error());
                }
                connectFinished = true;
                return true;
            }
        }.call();
    }

    /**
     * Sets the readiness handler of this non-blocking socket (null removes it). It is called once
     * soon after being set (so nothing that happened before is missed: possibly on this thread
     * before this method returns), then after every change the stack reports on the connection:
     * data or end of file to read, room to write, the handshake done, an error, the connection
     * closed. See the package documentation for the exact rules.
     *
     * @throws java.nio.channels.IllegalBlockingModeException on a blocking socket
     * @throws SocketException when the socket is closed
     */
    public void onReady(ReadyHandler<? super TcpSocket> handler) throws IOException {
        setHandler(handler);
    }

    @Override
    String handlerSetter() { return "onReady"; }

    /** An option set after connect() applies at once. */
    @Override
    void optionSet(SocketOption<?> option) {
        if (connection != null) {
            options.apply(option, connection, stack.now());
        }
    }

    @Override
    void watchWith(ReadinessWatch w) {
        if (connection != null) stack.watch(connection, w);
    }

    public InputStream getInputStream() throws IOException {
        return stream(() -> {
            if (input == null) input = new SocketInputStream(this);
            return input;
        });
    }

    public OutputStream getOutputStream() throws IOException {
        return stream(() -> {
            if (output == null) output = new SocketOutputStream(this);
            return output;
        });
    }

    /** The stream {@code get} gives (made on first use), of an open, connected socket. */
    private <T> T stream(Supplier<T> get) throws IOException {
        stack.lock();
        try {
            ensureOpen();
            ensureConnected();
            return get.get();
        } finally {
            stack.unlock();
        }
    }

    /**
     * Blocking mode: waits until at least one byte, end-of-stream (-1) or an error. Non-blocking
     * mode: returns at once, 0 when nothing is there yet.
     */
    public int read(ByteBuffer dst) throws IOException {
        return read(dst, 0);
    }

    /**
     * {@link #read(ByteBuffer)} with recv(2)'s flags: {@link ReadFlags#PEEK} (MSG_PEEK) copies the
     * bytes and leaves them to be read again.
     */
    public int read(ByteBuffer dst, int flags) throws IOException {
        Objects.requireNonNull(dst, "dst");
        return (Integer) new Call((flags & ReadFlags.PEEK) != 0 ? "peek" : "read") {
            @Override
            Object body() throws IOException {
                ensureOpen();
                ensureConnected();
                if (!dst.hasRemaining()) return 0;
                Connection c = connection;
                if (!blocking) return readOnce(c, dst, flags);
                refuseBlockingInHandler("read");
                long deadline = stack.deadlineAfter(soTimeout);
                while (true) {
                    int n = readOnce(c, dst, flags);
                    if (n != 0) return n;
                    boolean ready = stack.awaitUntil(c, () -> closed || c.isReadable(), deadline);
                    if (closed) throw SocketErrors.of(TcpError.CLOSED);
                    if (!ready) throw new SocketTimeoutException("Read timed out");
                }
            }

            @Override
            public String describe(Object result) {
                return ((Integer) result) < 0 ? "EOF" : result.toString();
            }
        }.call();
    }

    /**
     * Blocking mode: waits until all of {@code src} is in the send buffer. Non-blocking mode: takes
     * what fits in the send buffer now (possibly 0) and returns the count.
     */
    public int write(ByteBuffer src) throws IOException {
        return write(src, 0);
    }

    /**
     * {@link #write(ByteBuffer)} with send(2)'s flags {@link WriteFlags#MORE} (MSG_MORE: more data
     * follows, send no partial segment for this call) and {@link WriteFlags#END_OF_RECORD} (MSG_EOR:
     * the bytes end a record, which no segment joins to later bytes; the record ends once every
     * byte of {@code src} is taken).
     */
    public int write(ByteBuffer src, int flags) throws IOException {
        Objects.requireNonNull(src, "src");
        InetSocketAddress deferred = locked(() -> deferredConnect);
        if (deferred != null) return connectWithData(deferred, src);
        return (Integer) new Call(stack.isTracing() ? "write " + src.remaining() : "write") {
            @Override
            Object body() throws IOException {
                ensureOpen();
                ensureConnected();
                if (outputShut) throw SocketErrors.of(TcpError.OUTPUT_SHUTDOWN, "Socket output is shut down");
                Connection c = connection;
                if (!blocking) return writeOnce(c, src, flags);
                refuseBlockingInHandler("write");
                int total = 0;
                while (src.hasRemaining()) {
                    int n = writeOnce(c, src, flags);
                    total += n;
                    if (n == 0 && src.hasRemaining()) {
                        stack.awaitUntil(c, () -> closed || c.isWritable(), Long.MAX_VALUE);
                        if (closed) throw SocketErrors.of(TcpError.CLOSED);
                    }
                }
                return total;
            }
        }.call();
    }

    /** As java.net.Socket's: shuts the input down, and throws when it already is. */
    public void shutdownInput() throws IOException { shutdown(ShutdownHow.READ, true); }

    /** As java.net.Socket's: shuts the output down (a FIN follows the data queued), and throws when it already is. */
    public void shutdownOutput() throws IOException { shutdown(ShutdownHow.WRITE, true); }

    /**
     * shutdown(2): acts on the connection, whatever streams or other handles refer to it; shutting
     * a direction down again does nothing, as on Linux.
     */
    public void shutdown(ShutdownHow how) throws IOException { shutdown(how, false); }

    private void shutdown(ShutdownHow how, boolean refuseRepeat) throws IOException {
        Objects.requireNonNull(how, "how");
        new Call("shutdown " + how) {
            @Override
            Object body() throws IOException {
                ensureOpen();
                ensureConnected();
                boolean read = how != ShutdownHow.WRITE;
                boolean write = how != ShutdownHow.READ;
                if (refuseRepeat && read && inputShut) throw new SocketException("Socket input is already shut down");
                if (refuseRepeat && write && outputShut) throw new SocketException("Socket output is already shut down");
                try {
                    connection.shutdown(how, stack.now());
                } catch (TcpException e) {
                    throw SocketErrors.of(e);
                }
                inputShut |= read;
                outputShut |= write;
                return "ok";
            }
        }.call();
    }

    /** SO_LINGER: on with 0 makes close() reset the connection; on with N waits up to N s for the data to be acknowledged. */
    public void setSoLinger(boolean on, int seconds) throws IOException {
        if (on && seconds < 0) throw new IllegalArgumentException("linger seconds must not be negative, was " + seconds);
        setOption(StandardSocketOptions.SO_LINGER, on ? seconds : -1);
    }

    public void setTcpNoDelay(boolean on) throws IOException {
        setOption(StandardSocketOptions.TCP_NODELAY, on);
    }

    /**
     * SO_KEEPALIVE (RFC 1122 §4.2.3.6) with the stack's TcpConfig timing (Linux: probes after 2 h idle,
     * every 75 s, 9 of them): a peer that vanished makes reads and writes fail with "Connection timed
     * out". May be set before or after connect().
     */
    public void setKeepAlive(boolean on) throws IOException {
        setOption(StandardSocketOptions.SO_KEEPALIVE, on);
    }

    public boolean getKeepAlive() {
        return getOption(StandardSocketOptions.SO_KEEPALIVE);
    }

    /** Read timeout (null or zero: none). */
    public void setSoTimeout(Duration timeout) {
        if (timeout != null && timeout.isNegative()) throw new IllegalArgumentException("timeout must not be negative, was " + timeout);
        stack.lock();
        try {
            soTimeout = timeout;
        } finally {
            stack.unlock();
        }
    }

    public TcpState state() {
        return locked(() -> connection == null ? TcpState.CLOSED : connection.state());
    }

    /**
     * The local address and port (port 0 while unbound): the connection's, or before connect the
     * host's IPv4 address (its IPv6 one on a host without IPv4).
     */
    public InetSocketAddress getLocalAddress() {
        return locked(() -> {
            IpAddress local = connection != null ? connection.tuple().localAddress()
                    : stack.address() != 0 ? IpAddress.ipv4(stack.address()) : stack.ipv6Address();
            return new InetSocketAddress(view(local), localPort);
        });
    }

    /** The remote address and port, or null before connect. */
    public InetSocketAddress getRemoteAddress() {
        return locked(() -> connection == null ? null
                : new InetSocketAddress(view(connection.tuple().remoteAddress()), connection.tuple().remotePort()));
    }

    /** As this socket shows {@code address}: IPv4-mapped for an IPv4 connection accepted by an IPv6 server socket. */
    private InetAddress view(IpAddress address) {
        return ipv4MappedView && address.isIpv4() ? address.toMappedInet6Address() : address.toInetAddress();
    }

    public boolean isConnected() {
        return locked(() -> connection != null && connection.isConnectDone() && connection.error() == null);
    }

    /** Bytes that can be read now without waiting (0 before connect), as InputStream.available and Linux's SIOCINQ. */
    public int available() throws IOException {
        stack.lock();
        try {
            ensureOpen();
            return connection == null ? 0 : connection.available();
        } finally {
            stack.unlock();
        }
    }

    /** The error that ended the connection (refused, reset, timed out...), or null: Linux's SO_ERROR. */
    public TcpError error() {
        return locked(() -> connection == null ? null : connection.error());
    }

    /**
     * The soft error an ICMP error left on the connection (host unreachable ..., see {@link
     * dev.synack.tcp.IcmpError}), or null; reading it clears it. The connection goes on: such
     * errors end it only when it then times out, with this error. Linux's SO_ERROR reports it
     * when there is no {@link #error()}.
     */
    public TcpError takeSoftError() {
        return locked(() -> connection == null ? null : connection.takeSoftError());
    }

    /** connect() started a handshake that has neither finished nor failed yet, as java.nio's isConnectionPending. */
    public boolean isConnectionPending() {
        return locked(() -> connection != null && !connection.isConnectDone());
    }

    /**
     * A read would not wait: bytes or end of file to read, or an error or shutdown to report, as
     * poll(2)'s POLLIN. False before connect.
     */
    public boolean isReadable() {
        return locked(() -> connection != null && connection.isReadable());
    }

    /**
     * A write would not wait: there is send room below the TCP_NOTSENT_LOWAT mark, or the connection
     * is over and a write fails at once. False before connect.
     */
    public boolean isWritable() {
        return locked(() -> connection != null && connection.isWritable());
    }

    /** Input was shut down by this socket ({@link #shutdownInput}, shutdown READ or BOTH), as java.net.Socket's. */
    public boolean isInputShutdown() { return inputShut; }

    /** Output was shut down by this socket ({@link #shutdownOutput}, shutdown WRITE or BOTH), as java.net.Socket's. */
    public boolean isOutputShutdown() { return outputShut; }

    /**
     * Every byte written has been acknowledged, or the connection has ended (an error, or closed
     * for good): what close() waits for under SO_LINGER. Also answers after close(), for a
     * non-blocking socket whose data drains in the background.
     */
    public boolean isOutputDrained() {
        return locked(() -> connection == null || connection.isSendBufferEmpty() || connection.error() != null
                || connection.isReleased());
    }

    /** The connection's TCP_INFO now (state, RTT, windows, counters), or null before connect. */
    public TcpInfo tcpInfo() {
        return locked(() -> connection == null ? null : connection.tcpInfo(stack.now()));
    }

    /**
     * Closes the socket: graceful (FIN after the queued data; RST when received data is unread);
     * with SO_LINGER on and 0 seconds, a reset; with N &gt; 0 seconds, waits up to N s for the
     * send buffer to drain. Idempotent. Threads blocked on this socket get "Socket is closed".
     * Never waits in non-blocking mode, nor from a readiness handler: SO_LINGER N &gt; 0 then
     * closes gracefully and the data drains in the background (as on BSD; Linux would wait).
     * The readiness handler is never called again.
     */
    @Override
    public void close() throws IOException {
        new Call("close") {
            @Override
            Object body() throws IOException {
                if (closed) return "already closed";
                closed = true;
                unwatch();
                Connection c = connection;
                if (c == null) {
                    releaseBinding();
                } else if (c.isReleased()) {
                    // Nothing left to close (a failed connect, an error).
                } else if (options.linger() == 0) {
                    c.abort(stack.now());
                } else {
                    try {
                        c.close(stack.now());
                    } catch (TcpException e) {
                        // Closing a connection an error already ended: nothing to send.
                    }
                    if (options.linger() > 0 && blocking && !stack.isRunningReadinessWatches()) {
                        long deadline = stack.deadlineAfter(Duration.ofSeconds(options.linger()));
                        stack.awaitUntil(c, () -> c.isSendBufferEmpty() || c.error() != null || c.isReleased(), deadline);
                    }
                }
                stack.wakeAll();
                return "ok";
            }
        }.call();
    }

    /** One engine read (lock held): what is there now, 0 when nothing, -1 at end of file. */
    private int readOnce(Connection c, ByteBuffer dst, int flags) throws IOException {
        try {
            return c.read(dst, flags, stack.now());
        } catch (TcpException e) {
            throw SocketErrors.of(e);
        }
    }

    /** One engine write (lock held): what fits in the send buffer now. */
    private int writeOnce(Connection c, ByteBuffer src, int flags) throws IOException {
        try {
            return c.write(src, flags, stack.now());
        } catch (TcpException e) {
            throw SocketErrors.of(e);
        }
    }

    void refuseStreamsWhenNonBlocking() {
        if (!blocking) {
            throw SocketErrors.illegalBlockingMode("the streams of a non-blocking socket cannot be used (they would have to "
                    + "wait): use read(ByteBuffer) and write(ByteBuffer)");
        }
    }

    /** The handler threw: the connection is reset (RST) and the socket closed. */
    @Override
    void handlerFailed(Throwable error) {
        if (stack.isTracing()) stack.traceCall(label(), "readiness handler", "threw " + error + ": connection reset");
        if (closed) return;
        closed = true;
        handler = null;
        Connection c = connection;
        if (c != null) {
            stack.watch(c, null);
            if (!c.isReleased()) {
                try {
                    c.abort(stack.now());
                } catch (RuntimeException ignored) {
                    // Nothing left to reset.
                }
            }
        }
        releaseBinding();
        stack.wakeAll();
    }

    private void markClosed() {
        closed = true;
        releaseBinding();
    }

    private void releaseBinding() {
        if (holdsBinding) {
            holdsBinding = false;
            stack.unbind(localPort);
        }
    }

    private void ensureConnected() throws IOException {
        if (connection == null) throw SocketErrors.of(TcpError.NOT_CONNECTED);
    }

    @Override
    String label() {
        if (connection != null) return connection.tuple().toString();
        return unconnectedLabel(null, localPort);
    }
}
