package dev.synack.socket;

import dev.synack.wire.IpAddress;
import dev.synack.stack.NetStack;
import dev.synack.stack.ReadinessWatch;
import dev.synack.tcp.TcpError;
import java.io.Closeable;
import java.io.IOException;
import java.net.SocketOption;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What {@link TcpSocket} and {@link TcpServerSocket} share: the stack they live on, the closed
 * flag, blocking mode, and the readiness handler of non-blocking mode with the stack's hook that
 * runs it (see the package documentation).
 *
 * @param <S> the socket type, which its handler is given
 */
abstract sealed class SocketBase<S extends SocketBase<S>> implements Closeable permits TcpSocket, TcpServerSocket {
    final NetStack stack;
    volatile boolean closed;
    /** Blocking mode (the default); written under the lock, read by the streams without it. */
    volatile boolean blocking = true;
    /** Non-blocking mode: what runs when the socket may be ready, or null. */
    ReadyHandler<? super S> handler;
    /** The stack's hook for {@link #handler}: made when a handler is first set, then reused. */
    Watch watch;
    /** The options as set; a server socket's are those the sockets it accepts start with. */
    final OptionValues options;

    SocketBase(NetStack stack, OptionValues options) {
        this.stack = Objects.requireNonNull(stack, "stack");
        this.options = options;
    }

    public NetStack stack() { return stack; }

    public boolean isClosed() { return closed; }

    public boolean isBlocking() { return blocking; }

    /**
     * Chooses blocking (the default) or non-blocking mode, as java.nio's configureBlocking. In
     * non-blocking mode no call waits, and a readiness handler may be set. A socket with a readiness
     * handler cannot be made blocking (remove the handler first).
     *
     * @throws java.nio.channels.IllegalBlockingModeException making a socket with a handler blocking
     * @throws java.net.SocketException when the socket is closed
     */
    public void configureBlocking(boolean block) throws IOException {
        stack.lock();
        try {
            ensureOpen();
            if (block && handler != null) {
                throw SocketErrors.illegalBlockingMode("a socket with a readiness handler cannot be blocking: "
                        + handlerSetter() + "(null) first");
            }
            blocking = block;
        } finally {
            stack.unlock();
        }
    }

    /**
     * Sets a socket option, as java.nio's NetworkChannel.setOption: java.net's SO_LINGER (seconds,
     * negative: off), SO_KEEPALIVE, SO_SNDBUF, SO_REUSEADDR (accepted and kept: a port is free as soon
     * as its socket is closed), TCP_NODELAY, and {@link TcpSocketOptions}'s. On a socket, an option
     * set before connect() applies to the connection made, one set afterwards at once; on a server
     * socket, the sockets it accepts start with its options (as on Linux and BSD).
     *
     * @throws IllegalArgumentException for a null or out-of-range value
     * @throws UnsupportedOperationException for an option not in {@link #supportedOptions()}
     * @throws java.net.SocketException when the socket is closed
     */
    @SuppressWarnings("unchecked")
    public <T> S setOption(SocketOption<T> option, T value) throws IOException {
        Objects.requireNonNull(option, "option");
        stack.lock();
        try {
            ensureOpen();
            options.set(option, value);
            optionSet(option);
        } finally {
            stack.unlock();
        }
        return (S) this;
    }

    /**
     * A socket option's value as set (SO_SNDBUF never set: the stack's send buffer size).
     *
     * @throws UnsupportedOperationException for an option not in {@link #supportedOptions()}
     */
    public <T> T getOption(SocketOption<T> option) {
        Objects.requireNonNull(option, "option");
        return locked(() -> options.get(option, stack.config().sendBufferSize()));
    }

    /** The options {@link #setOption} takes. */
    public Set<SocketOption<?>> supportedOptions() { return OptionValues.SUPPORTED; }

    /** {@code option} was just set (lock held): applies it where it acts now. */
    abstract void optionSet(SocketOption<?> option);

    /** Sets or removes ({@code null}) the readiness handler: the work of onReady and onAcceptable. */
    final void setHandler(ReadyHandler<? super S> h) throws IOException {
        stack.lock();
        try {
            ensureOpen();
            if (h != null && blocking) {
                throw SocketErrors.illegalBlockingMode(handlerSetter() + " needs a non-blocking socket: configureBlocking(false) first");
            }
            if (h == null) {
                unwatch();
                return;
            }
            handler = h;
            if (watch == null) watch = new Watch();
            watchWith(watch);
        } finally {
            stack.unlock();
        }
    }

    /** Stops the stack calling the handler (lock held). */
    final void unwatch() {
        handler = null;
        if (watch != null) watchWith(null);
    }

    /** The name of the method that sets the handler, for messages. */
    abstract String handlerSetter();

    /** Hands {@code w} (null: none) to the stack for the connection or listener, if there is one yet (lock held). */
    abstract void watchWith(ReadinessWatch w);

    /** The handler threw (called under the stack's lock): the socket closes. */
    abstract void handlerFailed(Throwable error);

    /** The socket in traces: its addresses and ports. */
    abstract String label();

    /** "10.0.0.2:80" or "[fd00::2]:*" for a socket of this stack not yet connected: its first address. */
    final String unconnectedLabel(IpAddress address, int port) {
        IpAddress a = address != null ? address : stack.address() != 0 ? IpAddress.ipv4(stack.address()) : stack.ipv6Address();
        String host = a == null ? "*" : a.isIpv4() ? a.toString() : "[" + a + "]";
        return host + ":" + (port == 0 ? "*" : Integer.toString(port));
    }

    final void ensureOpen() throws IOException {
        if (closed) throw SocketErrors.of(TcpError.CLOSED);
    }

    final void refuseBlockingInHandler(String call) {
        if (stack.isRunningReadinessWatches()) throw SocketErrors.blockingInHandler(call);
    }

    /** {@code query}'s answer, under the stack's lock. */
    final <T> T locked(Supplier<T> query) {
        stack.lock();
        try {
            return query.get();
        } finally {
            stack.unlock();
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + label() + (closed ? ", closed" : "") + "]";
    }

    /** The stack's hook: runs the handler, and closes the socket when the handler throws. */
    final class Watch extends ReadinessWatch {
        @Override
        @SuppressWarnings("unchecked")
        protected void ready() throws IOException {
            ReadyHandler<? super S> h = handler;
            if (!closed && h != null) h.ready((S) SocketBase.this);
        }

        @Override
        protected void failed(Throwable error) {
            handlerFailed(error);
        }
    }

    /**
     * One user call: holds the stack's lock around the body and traces the call with its result.
     * The call object is all a call allocates (it is its own body, label and description).
     */
    abstract class Call implements UserCall.Traced<Object> {
        private final String name;

        Call(String name) { this.name = name; }

        abstract Object body() throws IOException;

        @Override
        public String describe(Object result) { return String.valueOf(result); }

        @Override
        public final String label() { return SocketBase.this.label(); }

        /** The call's name in traces; overridden where building it costs and nobody may trace. */
        @Override
        public String name() { return name; }

        /** The body, as {@link UserCall} runs it (use {@link #call()} to make the call). */
        @Override
        public final Object run() throws IOException { return body(); }

        final Object call() throws IOException {
            return UserCall.run(stack, this);
        }
    }
}
