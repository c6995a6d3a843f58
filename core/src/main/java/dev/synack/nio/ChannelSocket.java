package dev.synack.nio;

import dev.synack.socket.TcpSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Set;

/**
 * {@link SynackSocketChannel#socket()}: a java.net.Socket view of the channel, as the JDK's socket
 * adaptor (what Netty's channel configuration reads and writes options through). Its streams and
 * connect need blocking mode ({@link IllegalBlockingModeException} otherwise). SO_RCVBUF and
 * IP_TOS, hints in java.net, are accepted and not applied: the stack's receive window is its
 * TcpConfig's.
 */
final class ChannelSocket extends Socket {
    private final SynackSocketChannel channel;
    private final TcpSocket socket;
    private volatile int receiveBufferHint;
    private volatile int trafficClass;
    private volatile int soTimeoutMillis;

    /** java.net.Socket's constructor declares SocketException, but throws none for a null SocketImpl. */
    ChannelSocket(SynackSocketChannel channel) throws SocketException {
        super((java.net.SocketImpl) null);
        this.channel = channel;
        this.socket = channel.tcpSocket();
    }

    @Override
    public SocketChannel getChannel() { return channel; }

    @Override
    public void connect(SocketAddress remote) throws IOException { connect(remote, 0); }

    @Override
    public void connect(SocketAddress remote, int timeoutMillis) throws IOException {
        if (timeoutMillis < 0) throw new IllegalArgumentException("connect: timeout can't be negative");
        if (!channel.isBlocking()) throw new IllegalBlockingModeException();
        channel.connect(remote, timeoutMillis == 0 ? null : Duration.ofMillis(timeoutMillis));
    }

    @Override
    public void bind(SocketAddress local) throws IOException { channel.bind(local); }

    @Override
    public InetAddress getInetAddress() {
        InetSocketAddress remote = socket.getRemoteAddress();
        return remote == null ? null : remote.getAddress();
    }

    @Override
    public int getPort() {
        InetSocketAddress remote = socket.getRemoteAddress();
        return remote == null ? 0 : remote.getPort();
    }

    @Override
    public InetAddress getLocalAddress() { return socket.getLocalAddress().getAddress(); }

    @Override
    public int getLocalPort() {
        int port = socket.getLocalAddress().getPort();
        return port == 0 ? -1 : port;
    }

    @Override
    public SocketAddress getRemoteSocketAddress() { return socket.getRemoteAddress(); }

    @Override
    public SocketAddress getLocalSocketAddress() {
        InetSocketAddress local = socket.getLocalAddress();
        return local.getPort() == 0 ? null : local;
    }

    @Override
    public InputStream getInputStream() throws IOException {
        ensureOpen();
        if (!channel.isConnected()) throw new SocketException("Socket is not connected");
        return socket.getInputStream();
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        ensureOpen();
        if (!channel.isConnected()) throw new SocketException("Socket is not connected");
        return socket.getOutputStream();
    }

    @Override
    public void setTcpNoDelay(boolean on) throws SocketException { set(StandardSocketOptions.TCP_NODELAY, on); }

    @Override
    public boolean getTcpNoDelay() throws SocketException { return get(StandardSocketOptions.TCP_NODELAY); }

    @Override
    public void setSoLinger(boolean on, int linger) throws SocketException {
        if (on && linger < 0) throw new IllegalArgumentException("invalid value for SO_LINGER");
        set(StandardSocketOptions.SO_LINGER, on ? linger : -1);
    }

    @Override
    public int getSoLinger() throws SocketException { return get(StandardSocketOptions.SO_LINGER); }

    @Override
    public void setKeepAlive(boolean on) throws SocketException { set(StandardSocketOptions.SO_KEEPALIVE, on); }

    @Override
    public boolean getKeepAlive() throws SocketException { return get(StandardSocketOptions.SO_KEEPALIVE); }

    @Override
    public void setSendBufferSize(int size) throws SocketException {
        if (size <= 0) throw new IllegalArgumentException("Invalid send size");
        set(StandardSocketOptions.SO_SNDBUF, size);
    }

    @Override
    public int getSendBufferSize() throws SocketException { return get(StandardSocketOptions.SO_SNDBUF); }

    @Override
    public void setReceiveBufferSize(int size) throws SocketException {
        if (size <= 0) throw new IllegalArgumentException("invalid receive size");
        ensureOpen();
        receiveBufferHint = size;
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
        ensureOpen();
        int hint = receiveBufferHint;
        return hint != 0 ? hint : channel.stack().config().receiveBufferSize();
    }

    @Override
    public void setReuseAddress(boolean on) throws SocketException { set(StandardSocketOptions.SO_REUSEADDR, on); }

    @Override
    public boolean getReuseAddress() throws SocketException { return get(StandardSocketOptions.SO_REUSEADDR); }

    @Override
    public void setTrafficClass(int tc) throws SocketException {
        if (tc < 0 || tc > 255) throw new IllegalArgumentException("tc is not in range 0 -- 255");
        ensureOpen();
        trafficClass = tc;
    }

    @Override
    public int getTrafficClass() throws SocketException {
        ensureOpen();
        return trafficClass;
    }

    @Override
    public void setSoTimeout(int timeoutMillis) throws SocketException {
        if (timeoutMillis < 0) throw new IllegalArgumentException("timeout can't be negative");
        ensureOpen();
        soTimeoutMillis = timeoutMillis;
        socket.setSoTimeout(timeoutMillis == 0 ? null : Duration.ofMillis(timeoutMillis));
    }

    @Override
    public int getSoTimeout() throws SocketException {
        ensureOpen();
        return soTimeoutMillis;
    }

    @Override
    public void setOOBInline(boolean on) throws SocketException {
        ensureOpen();
        if (on) throw new SocketException("synack does not deliver urgent data inline (SO_OOBINLINE)");
    }

    @Override
    public boolean getOOBInline() throws SocketException {
        ensureOpen();
        return false;
    }

    @Override
    public void sendUrgentData(int data) throws IOException {
        throw new SocketException("synack sends no urgent data");
    }

    @Override
    public <T> Socket setOption(SocketOption<T> name, T value) throws IOException {
        channel.setOption(name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException { return channel.getOption(name); }

    @Override
    public Set<SocketOption<?>> supportedOptions() { return channel.supportedOptions(); }

    @Override
    public void shutdownInput() throws IOException {
        ensureOpen();
        if (!channel.isConnected()) throw new SocketException("Socket is not connected");
        if (channel.isInputShutdown()) throw new SocketException("Socket input is already shutdown");
        channel.shutdownInput();
    }

    @Override
    public void shutdownOutput() throws IOException {
        ensureOpen();
        if (!channel.isConnected()) throw new SocketException("Socket is not connected");
        if (channel.isOutputShutdown()) throw new SocketException("Socket output is already shutdown");
        channel.shutdownOutput();
    }

    @Override
    public boolean isInputShutdown() { return channel.isInputShutdown(); }

    @Override
    public boolean isOutputShutdown() { return channel.isOutputShutdown(); }

    @Override
    public boolean isConnected() { return channel.isConnected(); }

    @Override
    public boolean isBound() { return socket.getLocalAddress().getPort() != 0; }

    @Override
    public boolean isClosed() { return !channel.isOpen(); }

    @Override
    public void close() throws IOException { channel.close(); }

    @Override
    public String toString() {
        return channel.isConnected() ? "Socket[addr=" + getInetAddress() + ",port=" + getPort() + ",localport=" + getLocalPort() + "]"
                : "Socket[unconnected]";
    }

    private <T> void set(SocketOption<T> option, T value) throws SocketException {
        ensureOpen();
        try {
            channel.setOption(option, value);
        } catch (IOException e) {
            throw asSocketException(e);
        }
    }

    private <T> T get(SocketOption<T> option) throws SocketException {
        ensureOpen();
        try {
            return channel.getOption(option);
        } catch (IOException e) {
            throw asSocketException(e);
        }
    }

    private void ensureOpen() throws SocketException {
        if (!channel.isOpen()) throw new SocketException("Socket is closed");
    }

    static SocketException asSocketException(IOException e) {
        if (e instanceof SocketException se) return se;
        SocketException se = new SocketException(e.getMessage() == null ? e.toString() : e.getMessage());
        se.initCause(e);
        return se;
    }
}
