package dev.synack.nio;

import static java.nio.channels.SelectionKey.OP_CONNECT;
import static java.nio.channels.SelectionKey.OP_READ;
import static java.nio.channels.SelectionKey.OP_WRITE;

import dev.synack.socket.ReadyHandler;
import dev.synack.socket.TcpSocket;
import dev.synack.stack.NetStack;
import dev.synack.tcp.ShutdownHow;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.NoConnectionPendingException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * A {@link SocketChannel} backed by a synack {@link TcpSocket}. Blocking mode waits as the socket's
 * blocking calls do (an interrupt closes the channel and throws ClosedByInterruptException, a close
 * by another thread AsynchronousCloseException, as java.nio's channels); in non-blocking mode the
 * socket's readiness handler wakes the selectors the channel is registered with. A failed connect
 * (refused, timed out) closes the channel, as the JDK's does.
 */
final class SynackSocketChannel extends SocketChannel implements SynackChannel {
    private enum State { UNCONNECTED, PENDING, CONNECTED }

    private final TcpSocket socket;
    private final Registrations registrations = new Registrations();
    private final ReadyHandler<TcpSocket> wake = s -> registrations.signal();
    private final Object stateLock = new Object();
    private volatile State state = State.UNCONNECTED;
    private Socket adaptor;

    SynackSocketChannel(SynackSelectorProvider provider) {
        super(provider);
        this.socket = new TcpSocket(provider.stack());
    }

    /** A channel for a connection a server channel accepted: connected, blocking. */
    SynackSocketChannel(SynackSelectorProvider provider, TcpSocket accepted) {
        super(provider);
        this.socket = accepted;
        this.state = State.CONNECTED;
    }

    NetStack stack() { return socket.stack(); }

    TcpSocket tcpSocket() { return socket; }

    // ---- connecting

    @Override
    public SocketChannel bind(SocketAddress local) throws IOException {
        ensureOpen();
        synchronized (stateLock) {
            ensureUnconnected();
            if (socket.getLocalAddress().getPort() != 0) throw new AlreadyBoundException();
            socket.bind(Addresses.localPort(stack(), local));
        }
        return this;
    }

    @Override
    public boolean connect(SocketAddress remote) throws IOException {
        return connect(remote, null);
    }

    /** connect, with a timeout for blocking mode (the socket adaptor's connect(address, timeout)). */
    boolean connect(SocketAddress remote, Duration timeout) throws IOException {
        InetSocketAddress target = Addresses.remote(remote);
        ensureOpen();
        synchronized (stateLock) {
            ensureUnconnected();
            state = State.PENDING;
        }
        try {
            if (isBlocking()) {
                blocking(() -> {
                    socket.connect(target, timeout);
                    return null;
                });
                state = State.CONNECTED;
                return true;
            }
            // As Linux's non-blocking connect (EINPROGRESS even over loopback): the outcome, even one
            // a link delivering on this thread already knows, is finishConnect's to report.
            socket.connect(target);
            return false;
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private void ensureUnconnected() {
        if (state == State.CONNECTED) throw new AlreadyConnectedException();
        if (state == State.PENDING) throw new ConnectionPendingException();
    }

    @Override
    public boolean finishConnect() throws IOException {
        ensureOpen();
        if (state == State.CONNECTED) return true;
        if (state != State.PENDING) throw new NoConnectionPendingException();
        try {
            boolean done = isBlocking() ? blocking(this::awaitConnected) : socket.finishConnect();
            if (done) state = State.CONNECTED;
            return done;
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Blocking finishConnect: waits for the handshake's end (or this channel's close), then finishes it. */
    private boolean awaitConnected() throws IOException {
        NetStack stack = stack();
        stack.lock();
        try {
            stack.awaitUntil(() -> !isOpen() || !socket.isConnectionPending(), Long.MAX_VALUE);
        } finally {
            stack.unlock();
        }
        ensureOpen();
        return socket.finishConnect();
    }

    @Override
    public boolean isConnected() { return state == State.CONNECTED && isOpen(); }

    @Override
    public boolean isConnectionPending() { return state == State.PENDING && isOpen(); }

    // ---- reading and writing

    @Override
    public int read(ByteBuffer dst) throws IOException {
        Objects.requireNonNull(dst, "dst");
        if (dst.isReadOnly()) throw new IllegalArgumentException("Read-only buffer");
        ensureReadable();
        if (socket.isInputShutdown()) return -1;
        return isBlocking() ? blocking(() -> socket.read(dst)) : socket.read(dst);
    }

    /**
     * Scattering read: fills the buffers in order. Only the first read may wait (blocking mode);
     * the later ones take what is there already.
     */
    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dsts.length);
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            ByteBuffer b = dsts[i];
            if (!b.hasRemaining()) continue;
            if (total > 0 && (!socket.isReadable() || socket.available() == 0)) break;
            int n = read(b);
            if (n < 0) return total == 0 ? -1 : total;
            total += n;
            if (b.hasRemaining()) break;
        }
        return total;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src, "src");
        ensureWritable();
        return isBlocking() ? blocking(() -> socket.write(src)) : socket.write(src);
    }

    /** Gathering write: the buffers in order, until one is not taken whole (non-blocking mode: no room). */
    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            ByteBuffer b = srcs[i];
            int want = b.remaining();
            if (want == 0) continue;
            int n = write(b);
            total += n;
            if (n < want) break;
        }
        return total;
    }

    private void ensureReadable() throws ClosedChannelException {
        ensureOpen();
        if (state != State.CONNECTED) throw new NotYetConnectedException();
    }

    /** Writing after shutdownOutput throws ClosedChannelException, as the JDK's channel does. */
    private void ensureWritable() throws ClosedChannelException {
        ensureReadable();
        if (socket.isOutputShutdown()) throw new ClosedChannelException();
    }

    @Override
    public SocketChannel shutdownInput() throws IOException {
        ensureReadable();
        socket.shutdown(ShutdownHow.READ);
        return this;
    }

    @Override
    public SocketChannel shutdownOutput() throws IOException {
        ensureReadable();
        socket.shutdown(ShutdownHow.WRITE);
        return this;
    }

    boolean isInputShutdown() { return socket.isInputShutdown(); }

    boolean isOutputShutdown() { return socket.isOutputShutdown(); }

    // ---- readiness

    /** As the JDK's SocketChannel translates poll(2): READ and WRITE once connected, CONNECT while the handshake is pending. */
    @Override
    public int readyOps(int interest) {
        if (socket.error() != null) return interest;
        int ops = 0;
        if (state == State.CONNECTED) {
            if (SynackChannel.has(interest, OP_READ) && socket.isReadable()) ops |= OP_READ;
            if (SynackChannel.has(interest, OP_WRITE) && socket.isWritable()) ops |= OP_WRITE;
        } else if (state == State.PENDING && SynackChannel.has(interest, OP_CONNECT) && !socket.isConnectionPending()) {
            ops |= OP_CONNECT;
        }
        return ops;
    }

    @Override
    public Registrations registrations() { return registrations; }

    @Override
    protected void implConfigureBlocking(boolean block) throws IOException {
        if (block) {
            socket.onReady(null);
            socket.configureBlocking(true);
        } else {
            socket.configureBlocking(false);
            socket.onReady(wake);
        }
    }

    // ---- addresses, options, closing

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        ensureOpen();
        InetSocketAddress local = socket.getLocalAddress();
        return local.getPort() == 0 ? null : local;
    }

    @Override
    public SocketAddress getRemoteAddress() throws IOException {
        ensureOpen();
        return socket.getRemoteAddress();
    }

    @Override
    public <T> SocketChannel setOption(SocketOption<T> name, T value) throws IOException {
        Objects.requireNonNull(name, "name");
        ensureOpen();
        socket.setOption(name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        Objects.requireNonNull(name, "name");
        ensureOpen();
        return socket.getOption(name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() { return socket.supportedOptions(); }

    @Override
    public Socket socket() {
        synchronized (stateLock) {
            if (adaptor == null) {
                try {
                    adaptor = new ChannelSocket(this);
                } catch (java.net.SocketException e) {
                    throw new AssertionError("java.net.Socket(null) throws nothing", e);
                }
            }
            return adaptor;
        }
    }

    @Override
    protected void implCloseSelectableChannel() throws IOException {
        socket.close();
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) throw new ClosedChannelException();
    }

    /**
     * A blocking call, interruptible as java.nio's (see {@link #begin()} and {@link #end(boolean)}).
     * Thread.interrupt wakes the waiting thread before it runs the channel's interruptor, so the
     * wait may end first, with the thread interrupted and the channel still open: the channel is
     * then closed here, and the call ends as it would have, with ClosedByInterruptException.
     */
    private <T> T blocking(Io<T> call) throws IOException {
        boolean completed = false;
        try {
            begin();
            T result = call.run();
            completed = true;
            return result;
        } catch (InterruptedIOException e) {
            if (!Thread.currentThread().isInterrupted()) throw e;
        } finally {
            end(completed);
        }
        close();
        throw new ClosedByInterruptException();
    }

    @FunctionalInterface
    interface Io<T> {
        T run() throws IOException;
    }

    @Override
    public String toString() {
        return "SynackSocketChannel[" + (isOpen() ? state.name().toLowerCase(java.util.Locale.ROOT) : "closed") + " " + socket + "]";
    }
}
