package dev.synack.nio;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;

/**
 * The SocketImpl java.net.ServerSocket's constructor insists on: the channel adaptors override
 * every method that would reach it, so each of its methods says that it is not used.
 */
final class NoSocketImpl extends SocketImpl {
    private static SocketException unused() {
        return new SocketException("a synack channel's socket adaptor has no SocketImpl");
    }

    @Override protected void create(boolean stream) throws SocketException { throw unused(); }
    @Override protected void connect(String host, int port) throws SocketException { throw unused(); }
    @Override protected void connect(InetAddress address, int port) throws SocketException { throw unused(); }
    @Override protected void connect(SocketAddress address, int timeout) throws SocketException { throw unused(); }
    @Override protected void bind(InetAddress host, int port) throws SocketException { throw unused(); }
    @Override protected void listen(int backlog) throws SocketException { throw unused(); }
    @Override protected void accept(SocketImpl s) throws SocketException { throw unused(); }
    @Override protected InputStream getInputStream() throws SocketException { throw unused(); }
    @Override protected OutputStream getOutputStream() throws SocketException { throw unused(); }
    @Override protected int available() throws SocketException { throw unused(); }
    @Override protected void close() {}
    @Override protected void sendUrgentData(int data) throws SocketException { throw unused(); }
    @Override public void setOption(int optID, Object value) throws SocketException { throw unused(); }
    @Override public Object getOption(int optID) throws SocketException { throw unused(); }
}
