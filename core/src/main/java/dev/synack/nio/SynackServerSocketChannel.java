package dev.synack.nio;

import static java.nio.channels.SelectionKey.OP_ACCEPT;

import dev.synack.socket.ReadyHandler;
import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * A {@link ServerSocketChannel} backed by a synack {@link TcpServerSocket}. {@link #bind} binds
 * and listens; a backlog below 1 means 50, as java.net's default. In non-blocking mode the
 * listener's readiness handler wakes the selectors the channel is registered with; accepted
 * channels start in blocking mode, as the JDK's.
 */
final class SynackServerSocketChannel extends ServerSocketChannel implements SynackChannel {
    /** java.net's backlog when none is given. */
    static final int DEFAULT_BACKLOG = 50;

    private final SynackSelectorProvider provider;
    private final TcpServerSocket server;
    private final Registrations registrations = new Registrations();
    private final ReadyHandler<TcpServerSocket> wake = s -> registrations.signal();
    private final Object stateLock = new Object();
    private volatile boolean bound;
    private ServerSocket adaptor;

    SynackServerSocketChannel(SynackSelectorProvider provider) {
        super(provider);
        this.provider = provider;
        this.server = new TcpServerSocket(provider.stack());
    }

    @Override
    public ServerSocketChannel bind(SocketAddress local, int backlog) throws IOException {
        ensureOpen();
        synchronized (stateLock) {
            if (bound) throw new AlreadyBoundException();
            InetSocketAddress specific = Addresses.specific(provider.stack(), local);
            if (specific != null) server.bind(specific);
            else server.bind(Addresses.localPort(provider.stack(), local));
            server.listen(backlog < 1 ? DEFAULT_BACKLOG : backlog);
            bound = true;
        }
        return this;
    }

    boolean isBound() { return bound; }

    dev.synack.stack.NetStack stack() { return provider.stack(); }

    @Override
    public SocketChannel accept() throws IOException {
        return accept(null);
    }

    /** accept, with a timeout for blocking mode (the adaptor's SO_TIMEOUT). */
    SocketChannel accept(Duration timeout) throws IOException {
        ensureOpen();
        if (!bound) throw new NotYetBoundException();
        TcpSocket s;
        if (isBlocking()) {
            s = blockingAccept(timeout);
        } else {
            s = server.accept();
        }
        return s == null ? null : new SynackSocketChannel(provider, s);
    }

    /** A blocking accept, interruptible as {@link SynackSocketChannel}'s blocking calls are. */
    private TcpSocket blockingAccept(Duration timeout) throws IOException {
        boolean completed = false;
        try {
            begin();
            TcpSocket s = server.accept(timeout);
            completed = true;
            return s;
        } catch (InterruptedIOException e) {
            if (!Thread.currentThread().isInterrupted()) throw e;
        } finally {
            end(completed);
        }
        close();
        throw new ClosedByInterruptException();
    }

    @Override
    public int readyOps(int interest) {
        return SynackChannel.has(interest, OP_ACCEPT) && server.pendingConnections() > 0 ? OP_ACCEPT : 0;
    }

    @Override
    public Registrations registrations() { return registrations; }

    @Override
    protected void implConfigureBlocking(boolean block) throws IOException {
        if (block) {
            server.onAcceptable(null);
            server.configureBlocking(true);
        } else {
            server.configureBlocking(false);
            server.onAcceptable(wake);
        }
    }

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        ensureOpen();
        return bound ? Addresses.of(provider.stack(), server.getLocalPort()) : null;
    }

    int localPort() { return server.getLocalPort(); }

    @Override
    public <T> ServerSocketChannel setOption(SocketOption<T> name, T value) throws IOException {
        Objects.requireNonNull(name, "name");
        ensureOpen();
        server.setOption(name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        Objects.requireNonNull(name, "name");
        ensureOpen();
        return server.getOption(name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() { return server.supportedOptions(); }

    @Override
    public ServerSocket socket() {
        synchronized (stateLock) {
            if (adaptor == null) adaptor = new ChannelServerSocket(this);
            return adaptor;
        }
    }

    @Override
    protected void implCloseSelectableChannel() throws IOException {
        server.close();
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) throw new ClosedChannelException();
    }

    @Override
    public String toString() {
        return "SynackServerSocketChannel[" + (isOpen() ? "" : "closed ") + server + "]";
    }
}
