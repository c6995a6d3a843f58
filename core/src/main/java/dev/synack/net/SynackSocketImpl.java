package dev.synack.net;

import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import dev.synack.stack.NetStack;
import dev.synack.wire.IpAddress;
import java.io.FileDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * The {@link SocketImpl} behind {@link SynackSocket} and {@link SynackServerSocket}: java.net's
 * Socket and ServerSocket keep their own state (closed, bound, connected, shut down) and throw
 * java.net's exceptions for misuse; this class does the work on a synack {@link TcpSocket} or
 * {@link TcpServerSocket}, whose errors are already java.net's (ConnectException "Connection
 * refused", SocketException "Connection reset", SocketTimeoutException on a timed-out connect,
 * read or accept, the socket staying usable after a read timeout).
 *
 * <p>Input shut down reads as end of stream (read -1, available 0), as java.net documents, whatever
 * the connection does with data arriving later (the profile's rule: {@code TcpConfig.readShutdownData}).
 * SO_RCVBUF and IP_TOS are kept and reported but not applied: java.net calls them hints, and the
 * stack's receive buffer and TOS are per stack.
 */
@SuppressWarnings("ReferenceEquality") // socket options are constants, compared by identity as the JDK's own sockets compare them
final class SynackSocketImpl extends SocketImpl {
    private final NetStack stack;
    private final boolean server;
    /** The synack socket once {@link #create} (or an accept into this impl) made it. */
    private TcpSocket socket;
    private TcpServerSocket serverSocket;
    private int timeoutMillis;
    /** SO_RCVBUF as set (0: never), a hint. */
    private int receiveBufferHint;
    private int trafficClass;
    private boolean oobInline;
    private volatile boolean inputShut;
    private InputStream input;
    private OutputStream output;

    SynackSocketImpl(NetStack stack, boolean server) {
        this.stack = Objects.requireNonNull(stack, "stack");
        this.server = server;
    }

    @Override
    protected void create(boolean stream) throws IOException {
        if (!stream) throw new IOException("Datagram socket creation not supported");
        if (server) serverSocket = new TcpServerSocket(stack);
        else socket = new TcpSocket(stack);
    }

    @Override
    protected void connect(String host, int port) throws IOException {
        connect(new InetSocketAddress(host, port), 0);
    }

    @Override
    protected void connect(InetAddress address, int port) throws IOException {
        connect(new InetSocketAddress(address, port), 0);
    }

    /** A timeout of 0 is none: the handshake's own SYN retries bound the wait. */
    @Override
    protected void connect(SocketAddress remote, int millis) throws IOException {
        if (!(remote instanceof InetSocketAddress isa)) throw new IOException("Unsupported address type");
        TcpSocket s = client();
        s.connect(isa, millis == 0 ? null : Duration.ofMillis(millis));
        address = isa.getAddress();
        port = isa.getPort();
        localport = s.getLocalAddress().getPort();
    }

    /**
     * Binds the port; the address must be the wildcard or the stack's own (a synack stack has one).
     *
     * @throws BindException "Cannot assign requested address" for any other address
     */
    @Override
    protected void bind(InetAddress host, int port) throws IOException {
        IpAddress bound = host == null || host.isAnyLocalAddress() ? null : IpAddress.of(host);
        if (bound != null) stack.checkBindable(bound);
        if (server) {
            // The wildcard takes both families, IPv4 peers shown as IPv4 (as the JDK's dual-stack sockets).
            if (bound != null) serverSocket.bind(new InetSocketAddress(host, port));
            else serverSocket.bind(port);
            localport = serverSocket.getLocalPort();
            address = host;
        } else {
            socket.bind(port);
            localport = socket.getLocalAddress().getPort();
        }
    }

    @Override
    protected void listen(int backlog) throws IOException {
        listener().listen(backlog);
    }

    /** Accepts into {@code into}, a SynackSocketImpl on the same stack (SynackServerSocket.accept makes it). */
    @Override
    protected void accept(SocketImpl into) throws IOException {
        if (!(into instanceof SynackSocketImpl target) || target.stack != stack) {
            throw new IOException("a synack server socket accepts only into a SynackSocket on the same stack");
        }
        TcpSocket accepted = listener().accept(timeoutMillis == 0 ? null : Duration.ofMillis(timeoutMillis));
        InetSocketAddress remote = accepted.getRemoteAddress();
        target.socket = accepted;
        target.setTimeout(target.timeoutMillis);
        target.fd = new FileDescriptor();
        target.address = remote.getAddress();
        target.port = remote.getPort();
        target.localport = accepted.getLocalAddress().getPort();
    }

    @Override
    protected InputStream getInputStream() throws IOException {
        TcpSocket s = client();
        if (input == null) input = new Input(s);
        return input;
    }

    @Override
    protected OutputStream getOutputStream() throws IOException {
        TcpSocket s = client();
        if (output == null) output = s.getOutputStream();
        return output;
    }

    @Override
    protected int available() throws IOException {
        return inputShut ? 0 : client().available();
    }

    @Override
    protected void close() throws IOException {
        if (socket != null) socket.close();
        if (serverSocket != null) serverSocket.close();
    }

    @Override
    protected void shutdownInput() throws IOException {
        client().shutdownInput();
        inputShut = true;
    }

    @Override
    protected void shutdownOutput() throws IOException {
        client().shutdownOutput();
    }

    @Override
    protected boolean supportsUrgentData() { return false; }

    @Override
    protected void sendUrgentData(int data) throws IOException {
        throw new SocketException("Urgent data not supported");
    }

    /** java.net's integer options (Socket.setTcpNoDelay and the like come here). */
    @Override
    public void setOption(int id, Object value) throws SocketException {
        try {
            switch (id) {
                case SO_TIMEOUT -> setTimeout((Integer) value);
                case SO_LINGER -> setOption(StandardSocketOptions.SO_LINGER, value instanceof Boolean on && !on ? -1 : (Integer) value);
                case SO_OOBINLINE -> oobInline = (Boolean) value;
                default -> setUnchecked(standardOption(id), value);
            }
        } catch (SocketException e) {
            throw e;
        } catch (IOException | IllegalArgumentException | ClassCastException | UnsupportedOperationException e) {
            throw new SocketException(e.getMessage(), e);
        }
    }

    @Override
    public Object getOption(int id) throws SocketException {
        try {
            return switch (id) {
                case SO_TIMEOUT -> timeoutMillis;
                case SO_BINDADDR -> server && address != null ? address
                        : !server && socket != null ? socket.getLocalAddress().getAddress()
                        : (stack.address() != 0 ? IpAddress.ipv4(stack.address()) : stack.ipv6Address()).toInetAddress();
                case SO_OOBINLINE -> oobInline;
                case SO_LINGER -> {
                    // java.net's spelling: false when off, else the seconds
                    Integer seconds = getOption(StandardSocketOptions.SO_LINGER);
                    yield seconds < 0 ? (Object) false : seconds;
                }
                default -> getOption(standardOption(id));
            };
        } catch (SocketException e) {
            throw e;
        } catch (IOException | UnsupportedOperationException e) {
            throw new SocketException(e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private void setUnchecked(SocketOption<?> option, Object value) throws IOException {
        setOption((SocketOption<Object>) option, value);
    }

    private static SocketOption<?> standardOption(int id) throws SocketException {
        return switch (id) {
            case TCP_NODELAY -> StandardSocketOptions.TCP_NODELAY;
            case SO_KEEPALIVE -> StandardSocketOptions.SO_KEEPALIVE;
            case SO_SNDBUF -> StandardSocketOptions.SO_SNDBUF;
            case SO_RCVBUF -> StandardSocketOptions.SO_RCVBUF;
            case SO_REUSEADDR -> StandardSocketOptions.SO_REUSEADDR;
            case IP_TOS -> StandardSocketOptions.IP_TOS;
            default -> throw new SocketException("Unknown option " + id);
        };
    }

    /** java.net's typed options: StandardSocketOptions and {@link dev.synack.socket.TcpSocketOptions}. */
    @Override
    @SuppressWarnings("unchecked")
    protected <T> void setOption(SocketOption<T> option, T value) throws IOException {
        Objects.requireNonNull(option, "option");
        if (!supportedOptions().contains(option)) throw new UnsupportedOperationException("'" + option + "' not supported");
        if (!option.type().isInstance(value)) throw new IllegalArgumentException("Invalid value '" + value + "'");
        if (option == StandardSocketOptions.SO_RCVBUF) {
            int bytes = (Integer) value;
            if (bytes <= 0) throw new IllegalArgumentException("SO_RCVBUF <= 0");
            receiveBufferHint = bytes;
        } else if (option == StandardSocketOptions.IP_TOS) {
            int tos = (Integer) value;
            if (tos < 0 || tos > 255) throw new IllegalArgumentException("IP_TOS not in range 0..255");
            trafficClass = tos;
        } else if (server) {
            listener().setOption(option, value);
        } else {
            client().setOption(option, value);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    protected <T> T getOption(SocketOption<T> option) throws IOException {
        Objects.requireNonNull(option, "option");
        if (!supportedOptions().contains(option)) throw new UnsupportedOperationException("'" + option + "' not supported");
        if (option == StandardSocketOptions.SO_RCVBUF) {
            return (T) (Integer) (receiveBufferHint != 0 ? receiveBufferHint : stack.config().receiveBufferSize());
        }
        if (option == StandardSocketOptions.IP_TOS) return (T) (Integer) trafficClass;
        return server ? listener().getOption(option) : client().getOption(option);
    }

    @Override
    protected Set<SocketOption<?>> supportedOptions() {
        Set<SocketOption<?>> options = new HashSet<>();
        if (socket != null) options.addAll(socket.supportedOptions());
        if (serverSocket != null) options.addAll(serverSocket.supportedOptions());
        options.add(StandardSocketOptions.SO_RCVBUF);
        options.add(StandardSocketOptions.IP_TOS);
        return options;
    }

    private void setTimeout(int millis) {
        if (millis < 0) throw new IllegalArgumentException("timeout < 0");
        timeoutMillis = millis;
        if (socket != null) socket.setSoTimeout(millis == 0 ? null : Duration.ofMillis(millis));
    }

    private TcpSocket client() throws SocketException {
        if (socket == null) throw new SocketException("Socket not created");
        return socket;
    }

    private TcpServerSocket listener() throws SocketException {
        if (serverSocket == null) throw new SocketException("Socket not created");
        return serverSocket;
    }

    /** The input stream: end of stream once input is shut down, else the synack socket's blocking reads. */
    private final class Input extends InputStream {
        private final TcpSocket s;

        Input(TcpSocket s) { this.s = s; }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) return 0;
            if (inputShut) return -1;
            return s.read(ByteBuffer.wrap(b, off, len));
        }

        @Override
        public int available() throws IOException { return SynackSocketImpl.this.available(); }

        @Override
        public void close() throws IOException { s.close(); }
    }
}
