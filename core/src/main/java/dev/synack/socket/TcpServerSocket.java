package dev.synack.socket;

import dev.synack.stack.NetStack;
import dev.synack.stack.ReadinessWatch;
import dev.synack.tcp.Connection;
import dev.synack.tcp.Listener;
import dev.synack.tcp.TcpError;
import dev.synack.wire.IpAddress;
import java.net.InetSocketAddress;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * A listening socket on a synack {@link NetStack}. {@link #bind} then {@link #listen}; as on Linux,
 * {@code listen} on an unbound socket binds an ephemeral port first (read it with
 * {@link #getLocalPort()}). A backlog below 1 counts as 1 and above config.maxBacklog() is capped.
 * {@link #close()} resets the connections still queued and wakes blocked accept() calls with
 * "Socket is closed". The port is free for a new listener as soon as this one is closed, even while
 * connections it accepted live on (java.net's SO_REUSEADDR behaviour).
 *
 * <p>Blocking by default; after {@link #configureBlocking configureBlocking(false)}, {@link #accept()}
 * returns null when no connection is queued and {@link #onAcceptable} sets a readiness handler (see
 * the package documentation). Accepted sockets start in blocking mode, as java.nio's do.
 */
public final class TcpServerSocket extends SocketBase<TcpServerSocket> {
    private int port;
    /** The address bound with {@link #bind(InetSocketAddress)}; null: bound by port alone (both families). */
    private IpAddress boundAddress;
    private Listener listener;

    public TcpServerSocket(NetStack stack) {
        super(stack, new OptionValues());
    }

    /** The server socket {@link TcpSocket#listen} makes: it takes the socket's options and bound port (0: none). */
    TcpServerSocket(NetStack stack, OptionValues options, int boundPort) {
        super(stack, options);
        this.port = boundPort;
    }

    /**
     * A socket bound to {@code port} and listening with {@code backlog}, as java.net's
     * {@code new ServerSocket(port, backlog)}: {@link #bind} then {@link #listen}. When listen fails
     * the port is released before the exception is thrown.
     *
     * @throws java.net.BindException when the port is in use
     */
    public TcpServerSocket(NetStack stack, int port, int backlog) throws IOException {
        this(stack);
        bind(port);
        try {
            listen(backlog);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Binds the server socket to {@code port} (0: an ephemeral port).
     *
     * @throws java.net.BindException when the port is in use
     */
    public void bind(int port) throws IOException {
        call("bind " + port, () -> {
            ensureOpen();
            if (this.port != 0) throw new SocketException("Socket is already bound to port " + this.port);
            if (port < 0 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
            this.port = stack.bind(port);
            return "port " + this.port;
        });
    }

    /**
     * Binds the server socket to {@code local}'s port and address, which decides the families it
     * takes (see {@link NetStack#listen(int, int, IpAddress, boolean)}): the IPv6 wildcard
     * {@code ::} both (IPv4 peers shown IPv4-mapped) unless {@link TcpSocketOptions#IPV6_V6ONLY},
     * {@code 0.0.0.0} or this host's IPv4 address only IPv4, its IPv6 address only IPv6.
     *
     * @throws java.net.BindException when the port is in use or the address is not this host's
     */
    public void bind(InetSocketAddress local) throws IOException {
        IpAddress address = IpAddress.of(local.getAddress());
        stack.checkBindable(address);
        bind(local.getPort());
        locked(() -> boundAddress = address);
    }

    public void listen(int backlog) throws IOException {
        call("listen " + backlog, () -> {
            ensureOpen();
            if (listener != null) throw new SocketException("Socket is already listening on port " + port);
            if (port == 0) port = stack.bind(0);
            listener = stack.listen(port, Math.max(1, backlog), boundAddress, options.ipv6Only());
            optionSet(null);
            if (handler != null) stack.watch(listener, watch);
            return "port " + port;
        });
    }

    /**
     * Listens for connections to every destination its stack forwards
     * ({@link dev.synack.stack.Forwarding}) instead of a port: each accepted socket's
     * {@link TcpSocket#getLocalAddress() local address} is the destination its peer connected to.
     * One such socket per stack; the socket must not be bound.
     *
     * @throws SocketException when the socket is bound or listening, or the stack has a forwarding listener already
     */
    public void listenForwarded(int backlog) throws IOException {
        call("listen forwarded " + backlog, () -> {
            ensureOpen();
            if (listener != null || port != 0) throw new SocketException("A forwarding socket must be neither bound nor listening");
            listener = stack.listenForwarded(Math.max(1, backlog));
            listener.setUserMss(options.maxSegmentSize());
            if (handler != null) stack.watch(listener, watch);
            return "forwarded destinations";
        });
    }

    public TcpSocket accept() throws IOException {
        return accept(null);
    }

    /**
     * Blocking mode: waits for a connection, up to {@code timeout} (null or zero: for ever).
     * Non-blocking mode: returns the next queued connection or null at once; {@code timeout} must
     * be null or zero.
     *
     * @throws java.net.SocketTimeoutException when nothing arrived in time
     * @throws IllegalArgumentException for a timeout in non-blocking mode
     */
    public TcpSocket accept(Duration timeout) throws IOException {
        // The result is described (the new connection's 4-tuple) only when somebody traces.
        return UserCall.run(stack, this::label, "accept", () -> {
            ensureOpen();
            if (listener == null) throw new SocketException("Socket is not listening (call listen first)");
            Listener l = listener;
            if (!blocking && timeout != null && !timeout.isZero()) throw new IllegalArgumentException("an accept timeout needs blocking mode");
            if (blocking && stack.isRunningReadinessWatches()) throw SocketErrors.blockingInHandler("accept");
            long deadline = stack.deadlineAfter(timeout);
            while (true) {
                Connection c = l.accept();
                if (c != null) {
                    options.applyTo(c, stack.now());
                    TcpSocket accepted = new TcpSocket(stack, c, options.copy());
                    // RFC 3493 §3.7: an IPv6 socket shows an IPv4 peer as an IPv4-mapped address.
                    accepted.ipv4MappedView = boundAddress != null && boundAddress.isIpv6();
                    return accepted;
                }
                if (!blocking) return null; // non-blocking: nothing queued
                boolean ready = stack.awaitUntil(l, () -> closed || l.isClosed() || l.acceptQueueLength() > 0, deadline);
                if (closed || l.isClosed()) throw SocketErrors.of(TcpError.CLOSED);
                if (!ready) throw new SocketTimeoutException("Accept timed out");
            }
        }, s -> s == null ? "none" : s.label());
    }

    /** Connections in the accept queue: how many accept() calls would return one now (0 when not listening). */
    public int pendingConnections() {
        return locked(() -> listener == null ? 0 : listener.acceptQueueLength());
    }

    /** The bound port, or -1 when unbound (as java.net.ServerSocket). */
    public int getLocalPort() {
        return locked(() -> port == 0 ? -1 : port);
    }

    /**
     * Sets the readiness handler of this non-blocking listening socket (null removes it), which is
     * expected to {@link #accept()} until it returns null. It is called once soon after being set
     * (or after {@link #listen}, if that comes later; possibly on this thread before this method
     * returns), then whenever a connection enters the accept queue. See the package documentation.
     *
     * @throws java.nio.channels.IllegalBlockingModeException on a blocking socket
     * @throws SocketException when the socket is closed
     */
    public void onAcceptable(ReadyHandler<? super TcpServerSocket> handler) throws IOException {
        setHandler(handler);
    }

    @Override
    String handlerSetter() { return "onAcceptable"; }

    /**
     * The sockets accepted later start with the options; TCP_MAXSEG also caps the MSS of the
     * handshakes answered, and TCP_FASTOPEN sets the listener's Fast Open queue.
     */
    @Override
    void optionSet(SocketOption<?> option) {
        if (listener == null) return;
        listener.setUserMss(options.maxSegmentSize());
        listener.setFastOpenQueueLimit(options.fastOpenQueue());
    }

    @Override
    void watchWith(ReadinessWatch w) {
        if (listener != null) stack.watch(listener, w);
    }

    /** The handler threw: the socket is closed (its queued connections are reset, as by close()). */
    @Override
    void handlerFailed(Throwable error) {
        if (stack.isTracing()) stack.traceCall(label(), "readiness handler", "threw " + error + ": socket closed");
        try {
            close();
        } catch (IOException | RuntimeException e) {
            // close() of a listener does not fail; nothing more to undo.
        }
    }

    @Override
    public void close() throws IOException {
        call("close", () -> {
            if (closed) return "already closed";
            closed = true;
            handler = null;
            if (listener != null) stack.closeListener(listener);
            else if (port != 0) stack.unbind(port);
            stack.wakeAll();
            return "ok";
        });
    }

    @Override
    String label() {
        return unconnectedLabel(boundAddress, port);
    }

    private void call(String name, UserCall.Body<String> body) throws IOException {
        UserCall.run(stack, this::label, name, body, result -> result);
    }
}
