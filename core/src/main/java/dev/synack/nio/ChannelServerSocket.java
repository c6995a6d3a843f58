package dev.synack.nio;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.Set;

/**
 * {@link SynackServerSocketChannel#socket()}: a java.net.ServerSocket view of the channel, as the
 * JDK's server socket adaptor. accept() needs blocking mode and returns the accepted channel's
 * socket; SO_TIMEOUT bounds it. SO_RCVBUF, a hint in java.net, is accepted and not applied.
 */
final class ChannelServerSocket extends ServerSocket {
    private final SynackServerSocketChannel channel;
    private volatile int timeoutMillis;
    private volatile int receiveBufferHint;

    ChannelServerSocket(SynackServerSocketChannel channel) {
        super(new NoSocketImpl());
        this.channel = channel;
    }

    @Override
    public ServerSocketChannel getChannel() { return channel; }

    @Override
    public void bind(SocketAddress local) throws IOException { bind(local, SynackServerSocketChannel.DEFAULT_BACKLOG); }

    @Override
    public void bind(SocketAddress local, int backlog) throws IOException { channel.bind(local, backlog); }

    @Override
    public Socket accept() throws IOException {
        ensureOpen();
        if (!channel.isBlocking()) throw new IllegalBlockingModeException();
        int t = timeoutMillis;
        return channel.accept(t == 0 ? null : Duration.ofMillis(t)).socket();
    }

    @Override
    public InetAddress getInetAddress() {
        InetSocketAddress local = local();
        return local == null ? null : local.getAddress();
    }

    @Override
    public int getLocalPort() { return channel.isBound() ? channel.localPort() : -1; }

    @Override
    public SocketAddress getLocalSocketAddress() { return local(); }

    private InetSocketAddress local() {
        return channel.isBound() ? Addresses.of(channel.stack(), channel.localPort()) : null;
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        if (timeout < 0) throw new IllegalArgumentException("timeout < 0");
        ensureOpen();
        timeoutMillis = timeout;
    }

    @Override
    public int getSoTimeout() throws IOException {
        ensureOpen();
        return timeoutMillis;
    }

    @Override
    public void setReuseAddress(boolean on) throws SocketException {
        ensureOpen();
        try {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, on);
        } catch (IOException e) {
            throw ChannelSocket.asSocketException(e);
        }
    }

    @Override
    public boolean getReuseAddress() throws SocketException {
        ensureOpen();
        try {
            return channel.getOption(StandardSocketOptions.SO_REUSEADDR);
        } catch (IOException e) {
            throw ChannelSocket.asSocketException(e);
        }
    }

    @Override
    public void setReceiveBufferSize(int size) throws SocketException {
        if (size <= 0) throw new IllegalArgumentException("negative receive size");
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
    public <T> ServerSocket setOption(SocketOption<T> name, T value) throws IOException {
        channel.setOption(name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException { return channel.getOption(name); }

    @Override
    public Set<SocketOption<?>> supportedOptions() { return channel.supportedOptions(); }

    @Override
    public boolean isBound() { return channel.isBound(); }

    @Override
    public boolean isClosed() { return !channel.isOpen(); }

    @Override
    public void close() throws IOException { channel.close(); }

    @Override
    public String toString() {
        return isBound() ? "ServerSocket[addr=" + getInetAddress() + ",localport=" + getLocalPort() + "]" : "ServerSocket[unbound]";
    }

    private void ensureOpen() throws SocketException {
        if (!channel.isOpen()) throw new SocketException("Socket is closed");
    }
}
