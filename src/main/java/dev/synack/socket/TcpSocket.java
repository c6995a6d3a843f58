package dev.synack.socket;

import dev.synack.stack.NetStack;
import dev.synack.stack.ReadinessWatch;
import dev.synack.tcp.Connection;
import dev.synack.tcp.ShutdownHow;
import dev.synack.tcp.TcpException;
import dev.synack.tcp.TcpState;
import dev.synack.tcp.WriteFlags;
import dev.synack.wire.Ipv4Address;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;

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
 * As with java.net.Socket, a failed or timed-out connect closes the socket.
 */
public final class TcpSocket implements Closeable {
    private final NetStack stack;
    private Connection connection;
    /** The local port (0: none yet). */
    private int localPort;
    /** This socket (not yet a connection) holds a binding of {@link #localPort}. */
    private boolean holdsBinding;
    private volatile boolean closed;
    private boolean inputShut;
    private boolean outputShut;
    private Duration soTimeout;
    private boolean lingerOn;
    private int lingerSeconds;
    private boolean noDelay;
    private boolean cork;
    private boolean keepAlive;
    /** TCP_USER_TIMEOUT in nanoseconds (0: none). */
    private long userTimeoutNanos;
    /** TCP_MAXSEG as set (0: none). */
    private int maxSegmentSize;
    /** TCP_NOTSENT_LOWAT as set (0: the stack's default). */
    private long notsentLowat;
    private InputStream input;
    private OutputStream output;
    /** Blocking mode (the default); written under the lock, read by the streams without it. */
    private volatile boolean blocking = true;
    /** The connect() that started the handshake has been seen to succeed (blocking connect, finishConnect). */
    private boolean connectFinished;
    /** Non-blocking mode: what runs when the socket may be ready, or null. */
    private ReadyHandler<? super TcpSocket> handler;
    /** The stack's hook for {@link #handler}: made on the first {@link #onReady}, then reused. */
    private Watch watch;

    public TcpSocket(NetStack stack) {
        this.stack = Objects.requireNonNull(stack, "stack");
    }

    /** A socket for a connection a listener accepted. */
    TcpSocket(NetStack stack, Connection accepted) {
        this.stack = stack;
        this.connection = accepted;
        this.localPort = accepted.tuple().localPort();
    }

    public NetStack stack() { return stack; }

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
        Objects.requireNonNull(remote, "remote");
        new Call("connect") {
            @Override
            public String name() { return "connect " + remote.getHostString() + ":" + remote.getPort(); }

            @Override
            Object body() throws IOException {
                ensureOpen();
                if (!blocking && timeout != null && !timeout.isZero()) {
                    throw new IllegalArgumentException("a connect timeout needs blocking mode (non-blocking: close the socket "
                            + "to give up sooner)");
                }
                if (blocking) refuseBlockingInHandler("connect");
                if (connection != null) {
                    throw new SocketException(connection.isConnectDone() ? "Socket is already connected" : "Connection already in progress");
                }
                if (remote.isUnresolved()) throw new UnknownHostException("cannot resolve " + remote.getHostString());
                if (!(remote.getAddress() instanceof Inet4Address)) {
                    throw new SocketException("Unsupported address type: " + remote.getAddress() + " (synack speaks IPv4 only)");
                }
                int address = Ipv4Address.of(remote.getAddress());
                int port = remote.getPort();
                if (port == 0) throw new ConnectException("Cannot connect to port 0");
                if (address == 0 || address == -1 || (address >>> 28) == 0xE) {
                    throw new SocketException("Cannot connect to " + Ipv4Address.format(address) + ": not a unicast address");
                }
                long deadline = stack.deadlineAfter(timeout);
                Connection c;
                try {
                    c = stack.connect(holdsBinding ? localPort : 0, address, port, conn -> conn.setUserMss(maxSegmentSize));
                } catch (TcpException e) {
                    throw SocketErrors.of(e);
                }
                holdsBinding = false;
                connection = c;
                localPort = c.tuple().localPort();
                if (noDelay) c.setNoDelay(true);
                if (cork) c.setCork(true, stack.now());
                if (keepAlive) c.setKeepAlive(true, stack.now());
                if (notsentLowat != 0) c.setNotsentLowat(notsentLowat, stack.now());
                if (userTimeoutNanos != 0) c.setUserTimeout(userTimeoutNanos);
                if (!blocking) {
                    if (handler != null) stack.watch(c, watch);
                    return "in progress";
                }
                boolean done = stack.awaitUntil(c, () -> closed || c.isConnectDone(), deadline);
                if (closed) throw new SocketException(SocketErrors.SOCKET_CLOSED);
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
     * Chooses blocking (the default) or non-blocking mode, as java.nio's configureBlocking. In
     * non-blocking mode connect, read, write and close never wait, and {@link #onReady} may be
     * set. A socket with a readiness handler cannot be made blocking (remove the handler first).
     *
     * @throws java.nio.channels.IllegalBlockingModeException making a socket with a handler blocking
     */
    public void configureBlocking(boolean block) throws IOException {
        stack.lock();
        try {
            ensureOpen();
            if (block && handler != null) {
                throw SocketErrors.illegalBlockingMode("a socket with a readiness handler cannot be blocking: onReady(null) first");
            }
            blocking = block;
        } finally {
            stack.unlock();
        }
    }

    public boolean isBlocking() { return blocking; }

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
        stack.lock();
        try {
            ensureOpen();
            if (handler != null && blocking) {
                throw SocketErrors.illegalBlockingMode("onReady needs a non-blocking socket: configureBlocking(false) first");
            }
            this.handler = handler;
            if (handler == null) {
                unwatch();
                return;
            }
            if (watch == null) watch = new Watch();
            if (connection != null) stack.watch(connection, watch);
        } finally {
            stack.unlock();
        }
    }

    public InputStream getInputStream() throws IOException {
        stack.lock();
        try {
            ensureOpen();
            ensureConnected();
            if (input == null) input = new SocketInputStream();
            return input;
        } finally {
            stack.unlock();
        }
    }

    public OutputStream getOutputStream() throws IOException {
        stack.lock();
        try {
            ensureOpen();
            ensureConnected();
            if (output == null) output = new SocketOutputStream();
            return output;
        } finally {
            stack.unlock();
        }
    }

    /**
     * Blocking mode: waits until at least one byte, end-of-stream (-1) or an error. Non-blocking
     * mode: returns at once, 0 when nothing is there yet.
     */
    public int read(ByteBuffer dst) throws IOException {
        Objects.requireNonNull(dst, "dst");
        return (Integer) new Call("read") {
            @Override
            Object body() throws IOException {
                ensureOpen();
                ensureConnected();
                if (!dst.hasRemaining()) return 0;
                Connection c = connection;
                if (!blocking) return readOnce(c, dst);
                refuseBlockingInHandler("read");
                long deadline = stack.deadlineAfter(soTimeout);
                while (true) {
                    int n = readOnce(c, dst);
                    if (n != 0) return n;
                    boolean ready = stack.awaitUntil(c, () -> closed || c.isReadable(), deadline);
                    if (closed) throw new SocketException(SocketErrors.SOCKET_CLOSED);
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
        return (Integer) new Call(stack.isTracing() ? "write " + src.remaining() : "write") {
            @Override
            Object body() throws IOException {
                ensureOpen();
                ensureConnected();
                if (outputShut) throw new SocketException("Socket output is shut down");
                Connection c = connection;
                if (!blocking) return writeOnce(c, src, flags);
                refuseBlockingInHandler("write");
                int total = 0;
                while (src.hasRemaining()) {
                    int n = writeOnce(c, src, flags);
                    total += n;
                    if (n == 0 && src.hasRemaining()) {
                        stack.awaitUntil(c, () -> closed || c.isWritable(), Long.MAX_VALUE);
                        if (closed) throw new SocketException(SocketErrors.SOCKET_CLOSED);
                    }
                }
                return total;
            }
        }.call();
    }

    public void shutdownInput() throws IOException { shutdown(ShutdownHow.READ); }

    public void shutdownOutput() throws IOException { shutdown(ShutdownHow.WRITE); }

    /** shutdown(2): acts on the connection, whatever streams or other handles refer to it. */
    public void shutdown(ShutdownHow how) throws IOException {
        Objects.requireNonNull(how, "how");
        new Call("shutdown " + how) {
            @Override
            Object body() throws IOException {
                ensureOpen();
                ensureConnected();
                boolean read = how != ShutdownHow.WRITE;
                boolean write = how != ShutdownHow.READ;
                if (read && inputShut && !write) throw new SocketException("Socket input is already shut down");
                if (write && outputShut && !read) throw new SocketException("Socket output is already shut down");
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
        stack.lock();
        try {
            ensureOpen();
            lingerOn = on;
            lingerSeconds = on ? seconds : 0;
        } finally {
            stack.unlock();
        }
    }

    public void setTcpNoDelay(boolean on) throws IOException {
        stack.lock();
        try {
            ensureOpen();
            noDelay = on;
            if (connection != null) {
                connection.setNoDelay(on, stack.now());
            }
        } finally {
            stack.unlock();
        }
    }

    /**
     * TCP_CORK (Linux): while on, segments shorter than the MSS wait for more data (a held tail goes
     * when the cork is cleared, with close/shutdown, or after about an RTO); clearing it sends them.
     */
    public void setTcpCork(boolean on) throws IOException {
        stack.lock();
        try {
            ensureOpen();
            cork = on;
            if (connection != null) {
                connection.setCork(on, stack.now());
            }
        } finally {
            stack.unlock();
        }
    }

    /**
     * SO_KEEPALIVE (RFC 1122 §4.2.3.6) with the stack's TcpConfig timing (Linux: probes after 2 h idle,
     * every 75 s, 9 of them): a peer that vanished makes reads and writes fail with "Connection timed
     * out". May be set before or after connect().
     */
    public void setKeepAlive(boolean on) throws IOException {
        stack.lock();
        try {
            ensureOpen();
            keepAlive = on;
            if (connection != null) {
                connection.setKeepAlive(on, stack.now());
            }
        } finally {
            stack.unlock();
        }
    }

    /**
     * TCP_NOTSENT_LOWAT (Linux): the socket counts as writable (a blocked write goes on, the ready
     * handler is told) only while fewer than half of {@code bytes} wait unsent, and a write stops
     * queueing once {@code bytes} wait, so that little data sits in the buffer before the network
     * takes it. 0 restores the stack's default ({@link dev.synack.tcp.TcpConfig#notsentLowat()}).
     * May be set before or after connect().
     * @throws IllegalArgumentException for a value outside 0..4294967295
     */
    public void setNotsentLowat(long bytes) throws IOException {
        if (bytes < 0 || bytes > dev.synack.tcp.TcpConfig.NOTSENT_LOWAT_UNLIMITED) {
            throw new IllegalArgumentException("low-water mark must be 0.." + dev.synack.tcp.TcpConfig.NOTSENT_LOWAT_UNLIMITED + ", was " + bytes);
        }
        stack.lock();
        try {
            ensureOpen();
            notsentLowat = bytes;
            if (connection != null) {
                connection.setNotsentLowat(bytes, stack.now());
            }
        } finally {
            stack.unlock();
        }
    }

    /** TCP_NOTSENT_LOWAT as set on this socket; 0 when the stack's default applies. */
    public long getNotsentLowat() {
        stack.lock();
        try {
            return notsentLowat;
        } finally {
            stack.unlock();
        }
    }

    /**
     * TCP_MAXSEG (Linux's user_mss): the MSS this socket announces in its SYN and the largest
     * segment it sends are at most {@code bytes}, whatever the peer announces. Takes effect at
     * connect(); 0 removes the cap.
     * @throws IllegalArgumentException outside 0 and 88..32767 (Linux's EINVAL)
     */
    public void setMaxSegmentSize(int bytes) throws IOException {
        Connection.checkUserMss(bytes);
        stack.lock();
        try {
            ensureOpen();
            maxSegmentSize = bytes;
            if (connection != null) connection.setUserMss(bytes);
        } finally {
            stack.unlock();
        }
    }

    /**
     * TCP_USER_TIMEOUT (RFC 5482, as Linux): when data sent stays unacknowledged this long after its
     * first retransmission, or the peer's window stays closed this long, the connection fails and
     * reads and writes throw "Connection timed out", instead of after the stack's retry count. Null
     * or zero: none. May be set before or after connect().
     */
    public void setUserTimeout(Duration timeout) throws IOException {
        if (timeout != null && timeout.isNegative()) throw new IllegalArgumentException("timeout must not be negative, was " + timeout);
        stack.lock();
        try {
            ensureOpen();
            userTimeoutNanos = timeout == null ? 0 : timeout.toNanos();
            if (connection != null) connection.setUserTimeout(userTimeoutNanos);
        } finally {
            stack.unlock();
        }
    }

    public boolean getKeepAlive() {
        stack.lock();
        try {
            return keepAlive;
        } finally {
            stack.unlock();
        }
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
        stack.lock();
        try {
            return connection == null ? TcpState.CLOSED : connection.state();
        } finally {
            stack.unlock();
        }
    }

    /** The local address and port (port 0 while unbound). */
    public InetSocketAddress getLocalAddress() {
        stack.lock();
        try {
            return new InetSocketAddress(Ipv4Address.toInetAddress(stack.address()), localPort);
        } finally {
            stack.unlock();
        }
    }

    /** The remote address and port, or null before connect. */
    public InetSocketAddress getRemoteAddress() {
        stack.lock();
        try {
            if (connection == null) return null;
            return new InetSocketAddress(Ipv4Address.toInetAddress(connection.tuple().remoteAddress()), connection.tuple().remotePort());
        } finally {
            stack.unlock();
        }
    }

    public boolean isClosed() { return closed; }

    public boolean isConnected() {
        stack.lock();
        try {
            return connection != null && connection.isConnectDone() && connection.error() == null;
        } finally {
            stack.unlock();
        }
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
                } else if (lingerOn && lingerSeconds == 0) {
                    c.abort(stack.now());
                } else {
                    try {
                        c.close(stack.now());
                    } catch (TcpException e) {
                        // Closing a connection an error already ended: nothing to send.
                    }
                    if (lingerOn && lingerSeconds > 0 && blocking && !stack.isRunningReadinessWatches()) {
                        long deadline = stack.deadlineAfter(Duration.ofSeconds(lingerSeconds));
                        stack.awaitUntil(c, () -> c.isSendBufferEmpty() || c.error() != null || c.isReleased(), deadline);
                    }
                }
                stack.wakeAll();
                return "ok";
            }
        }.call();
    }

    /** One engine read (lock held): what is there now, 0 when nothing, -1 at end of file. */
    private int readOnce(Connection c, ByteBuffer dst) throws IOException {
        try {
            return c.read(dst, stack.now());
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

    /** Stops the stack calling the handler (lock held). */
    private void unwatch() {
        handler = null;
        if (watch != null && connection != null) stack.watch(connection, null);
    }

    private void refuseBlockingInHandler(String call) {
        if (stack.isRunningReadinessWatches()) throw SocketErrors.blockingInHandler(call);
    }

    private void refuseStreamsWhenNonBlocking() {
        if (!blocking) {
            throw SocketErrors.illegalBlockingMode("the streams of a non-blocking socket cannot be used (they would have to "
                    + "wait): use read(ByteBuffer) and write(ByteBuffer)");
        }
    }

    /** The stack's hook: runs the handler, and closes the socket when the handler throws. */
    private final class Watch extends ReadinessWatch {
        @Override
        protected void ready() throws IOException {
            ReadyHandler<? super TcpSocket> h = handler;
            if (!closed && h != null) h.ready(TcpSocket.this);
        }

        /** The handler threw: the connection is reset (RST) and the socket closed. */
        @Override
        protected void failed(Throwable error) {
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

    private void ensureOpen() throws SocketException {
        if (closed) throw new SocketException(SocketErrors.SOCKET_CLOSED);
    }

    private void ensureConnected() throws SocketException {
        if (connection == null) throw new SocketException(SocketErrors.NOT_CONNECTED);
    }

    String label() {
        if (connection != null) return connection.tuple().toString();
        return Ipv4Address.format(stack.address()) + ":" + (localPort == 0 ? "*" : Integer.toString(localPort));
    }

    @Override
    public String toString() {
        return "TcpSocket[" + label() + (closed ? ", closed" : "") + "]";
    }

    /**
     * One user call: holds the stack's lock around the body and traces the call with its result.
     * The call object is all a call allocates (it is its own body, label and description).
     */
    private abstract class Call implements UserCall.Traced<Object> {
        private final String name;

        Call(String name) { this.name = name; }

        abstract Object body() throws IOException;

        @Override
        public String describe(Object result) { return String.valueOf(result); }

        @Override
        public final String label() { return TcpSocket.this.label(); }

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

    private final class SocketInputStream extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            refuseStreamsWhenNonBlocking();
            if (len == 0) return 0;
            return TcpSocket.this.read(ByteBuffer.wrap(b, off, len));
        }

        @Override
        public int available() throws IOException {
            stack.lock();
            try {
                ensureOpen();
                return connection.available();
            } finally {
                stack.unlock();
            }
        }

        /** Closes the socket, as java.net.Socket's stream does. */
        @Override
        public void close() throws IOException { TcpSocket.this.close(); }
    }

    private final class SocketOutputStream extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            refuseStreamsWhenNonBlocking();
            if (len == 0) return;
            TcpSocket.this.write(ByteBuffer.wrap(b, off, len));
        }

        /** Closes the socket, as java.net.Socket's stream does. */
        @Override
        public void close() throws IOException { TcpSocket.this.close(); }
    }
}
