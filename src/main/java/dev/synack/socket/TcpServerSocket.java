package dev.synack.socket;

import dev.synack.stack.NetStack;
import dev.synack.stack.ReadinessWatch;
import dev.synack.tcp.Connection;
import dev.synack.tcp.Listener;
import dev.synack.wire.Ipv4Address;
import java.io.Closeable;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Objects;

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
public final class TcpServerSocket implements Closeable {
    private final NetStack stack;
    private int port;
    private Listener listener;
    private volatile boolean closed;
    private boolean blocking = true;
    private ReadyHandler<? super TcpServerSocket> handler;
    private Watch watch;

    public TcpServerSocket(NetStack stack) {
        this.stack = Objects.requireNonNull(stack, "stack");
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

    /** @throws java.net.BindException when the port is in use */
    public void bind(int port) throws IOException {
        call("bind " + port, () -> {
            ensureOpen();
            if (this.port != 0) throw new SocketException("Socket is already bound to port " + this.port);
            if (port < 0 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
            this.port = stack.bind(port);
            return "port " + this.port;
        });
    }

    public void listen(int backlog) throws IOException {
        call("listen " + backlog, () -> {
            ensureOpen();
            if (listener != null) throw new SocketException("Socket is already listening on port " + port);
            if (port == 0) port = stack.bind(0);
            listener = stack.listen(port, Math.max(1, backlog));
            if (handler != null) stack.watch(listener, watch);
            return "port " + port;
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
                    return new TcpSocket(stack, c);
                }
                if (!blocking) return null; // non-blocking: nothing queued
                boolean ready = stack.awaitUntil(l, () -> closed || l.isClosed() || l.acceptQueueLength() > 0, deadline);
                if (closed || l.isClosed()) throw new SocketException(SocketErrors.SOCKET_CLOSED);
                if (!ready) throw new SocketTimeoutException("Accept timed out");
            }
        }, s -> s == null ? "none" : s.label());
    }

    /** The bound port, or -1 when unbound (as java.net.ServerSocket). */
    public int getLocalPort() {
        stack.lock();
        try {
            return port == 0 ? -1 : port;
        } finally {
            stack.unlock();
        }
    }

    public boolean isClosed() { return closed; }

    /**
     * Chooses blocking (the default) or non-blocking mode, as java.nio's configureBlocking. A
     * socket with a readiness handler cannot be made blocking (remove the handler first).
     *
     * @throws java.nio.channels.IllegalBlockingModeException making a socket with a handler blocking
     */
    public void configureBlocking(boolean block) throws IOException {
        stack.lock();
        try {
            ensureOpen();
            if (block && handler != null) {
                throw SocketErrors.illegalBlockingMode("a socket with a readiness handler cannot be blocking: "
                        + "onAcceptable(null) first");
            }
            blocking = block;
        } finally {
            stack.unlock();
        }
    }

    public boolean isBlocking() {
        stack.lock();
        try {
            return blocking;
        } finally {
            stack.unlock();
        }
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
        stack.lock();
        try {
            ensureOpen();
            if (handler != null && blocking) {
                throw SocketErrors.illegalBlockingMode("onAcceptable needs a non-blocking socket: configureBlocking(false) first");
            }
            this.handler = handler;
            if (handler == null) {
                if (listener != null) stack.watch(listener, null);
                return;
            }
            if (watch == null) watch = new Watch();
            if (listener != null) stack.watch(listener, watch);
        } finally {
            stack.unlock();
        }
    }

    /** The stack's hook: runs the handler, and closes the socket when the handler throws. */
    private final class Watch extends ReadinessWatch {
        @Override
        protected void ready() throws IOException {
            ReadyHandler<? super TcpServerSocket> h = handler;
            if (!closed && h != null) h.ready(TcpServerSocket.this);
        }

        /** The handler threw: the socket is closed (its queued connections are reset, as by close()). */
        @Override
        protected void failed(Throwable error) {
            if (stack.isTracing()) stack.traceCall(label(), "readiness handler", "threw " + error + ": socket closed");
            try {
                close();
            } catch (IOException | RuntimeException e) {
                // close() of a listener does not fail; nothing more to undo.
            }
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

    private void ensureOpen() throws SocketException {
        if (closed) throw new SocketException(SocketErrors.SOCKET_CLOSED);
    }

    private String label() {
        return Ipv4Address.format(stack.address()) + ":" + (port == 0 ? "*" : Integer.toString(port));
    }

    @Override
    public String toString() {
        return "TcpServerSocket[" + label() + (closed ? ", closed" : "") + "]";
    }

    private void call(String name, UserCall.Body<String> body) throws IOException {
        UserCall.run(stack, this::label, name, body, result -> result);
    }
}
