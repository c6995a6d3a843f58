package dev.synack.net;

import dev.synack.stack.NetStack;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Objects;
import javax.net.ServerSocketFactory;

/**
 * A {@link ServerSocketFactory} whose server sockets are {@link SynackServerSocket}s on one stack.
 * A bind address, when given, must be the wildcard or the stack's own.
 */
public final class SynackServerSocketFactory extends ServerSocketFactory {
    private final NetStack stack;

    /** A factory of server sockets on {@code stack}. */
    public SynackServerSocketFactory(NetStack stack) {
        this.stack = Objects.requireNonNull(stack, "stack");
    }

    /** The stack the server sockets are made on. */
    public NetStack stack() { return stack; }

    @Override
    public ServerSocket createServerSocket() {
        return new SynackServerSocket(stack);
    }

    @Override
    public ServerSocket createServerSocket(int port) throws IOException {
        return new SynackServerSocket(stack, port);
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog) throws IOException {
        return new SynackServerSocket(stack, port, backlog);
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog, InetAddress bindAddress) throws IOException {
        SynackServerSocket s = new SynackServerSocket(stack);
        try {
            s.bind(new InetSocketAddress(bindAddress, port), backlog);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }
}
