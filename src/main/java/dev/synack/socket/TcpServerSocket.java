package dev.synack.socket;

import dev.synack.stack.NetStack;
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
 */
public final class TcpServerSocket implements Closeable {
    private final NetStack stack;
    private int port;
    private Listener listener;
    private volatile boolean closed;

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
            return "port " + port;
        });
    }

    public TcpSocket accept() throws IOException {
        return accept(null);
    }

    /** @throws java.net.SocketTimeoutException when nothing arrived in time (null or zero: wait forever) */
    public TcpSocket accept(Duration timeout) throws IOException {
        Object[] accepted = new Object[1];
        call("accept", () -> {
            ensureOpen();
            if (listener == null) throw new SocketException("Socket is not listening (call listen first)");
            Listener l = listener;
            long deadline = stack.deadlineAfter(timeout);
            while (true) {
                Connection c = l.accept();
                if (c != null) {
                    stack.afterCall(c);
                    accepted[0] = new TcpSocket(stack, c);
                    return c.tuple().toString();
                }
                boolean ready = stack.awaitUntil(l, () -> closed || l.isClosed() || l.acceptQueueLength() > 0, deadline);
                if (closed || l.isClosed()) throw new SocketException(SocketErrors.SOCKET_CLOSED);
                if (!ready) throw new SocketTimeoutException("Accept timed out");
            }
        });
        return (TcpSocket) accepted[0];
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

    @Override
    public void close() throws IOException {
        call("close", () -> {
            if (closed) return "already closed";
            closed = true;
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
