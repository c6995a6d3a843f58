package dev.synack.net;

import dev.synack.stack.NetStack;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Objects;
import javax.net.SocketFactory;

/**
 * A {@link SocketFactory} whose sockets are {@link SynackSocket}s on one stack: hand it to a library
 * that takes a SocketFactory (OkHttp's {@code socketFactory}, a JDBC driver's) and its TCP runs on
 * synack. {@link #createSocket()} gives an unconnected socket (libraries connect it with their own
 * timeout). A local address, when given, must be the wildcard or the stack's own.
 */
public final class SynackSocketFactory extends SocketFactory {
    private final NetStack stack;

    /** A factory of sockets on {@code stack}. */
    public SynackSocketFactory(NetStack stack) {
        this.stack = Objects.requireNonNull(stack, "stack");
    }

    /** The stack the sockets are made on. */
    public NetStack stack() { return stack; }

    @Override
    public Socket createSocket() throws IOException {
        return new SynackSocket(stack);
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return new SynackSocket(stack, host, port);
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return new SynackSocket(stack, host, port);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return boundAndConnected(new InetSocketAddress(host, port), localHost, localPort);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
        return boundAndConnected(new InetSocketAddress(address, port), localAddress, localPort);
    }

    private Socket boundAndConnected(InetSocketAddress remote, InetAddress localAddress, int localPort) throws IOException {
        SynackSocket s = new SynackSocket(stack);
        try {
            s.bind(new InetSocketAddress(localAddress, localPort));
            if (remote.isUnresolved()) throw new java.net.UnknownHostException(remote.getHostString());
            s.connect(remote);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }
}
