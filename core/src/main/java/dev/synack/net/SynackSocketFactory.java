package dev.synack.net;

import dev.synack.stack.NetStack;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.SocketFactory;

/**
 * A {@link SocketFactory} whose sockets are {@link SynackSocket}s on one stack: hand it to a library
 * that takes a SocketFactory (OkHttp's {@code socketFactory}, a JDBC driver's) and its TCP runs on
 * synack. {@link #createSocket()} gives an unconnected socket (libraries connect it with their own
 * timeout). A local address, when given, must be the wildcard or the stack's own.
 *
 * <p>Libraries that create their factory from a class name and one string (the PostgreSQL JDBC
 * driver's {@code socketFactory} and {@code socketFactoryArg} properties) reach a stack through
 * {@link #register(String, NetStack)}: the string names a registered stack, and
 * {@link #SynackSocketFactory(String)} finds it.
 */
public final class SynackSocketFactory extends SocketFactory {
    private static final Map<String, NetStack> REGISTERED = new ConcurrentHashMap<>();

    private final NetStack stack;

    /** A factory of sockets on {@code stack}. */
    public SynackSocketFactory(NetStack stack) {
        this.stack = Objects.requireNonNull(stack, "stack");
    }

    /**
     * A factory of sockets on the stack registered as {@code name}, for libraries that make their
     * factory by reflection with one string argument.
     *
     * @throws IllegalArgumentException when no stack is registered under that name
     */
    public SynackSocketFactory(String name) {
        this(lookUp(name));
    }

    /**
     * Makes {@code stack} known as {@code name} to {@link #SynackSocketFactory(String)} until the
     * returned registration is closed.
     *
     * @throws IllegalStateException when another stack is registered under that name
     */
    public static Registration register(String name, NetStack stack) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(stack, "stack");
        NetStack earlier = REGISTERED.putIfAbsent(name, stack);
        if (earlier != null && earlier != stack) {
            throw new IllegalStateException("a stack is already registered as " + name);
        }
        return () -> REGISTERED.remove(name, stack);
    }

    /** A stack's registration under a name; closing it forgets the name. */
    @FunctionalInterface
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    private static NetStack lookUp(String name) {
        NetStack stack = REGISTERED.get(Objects.requireNonNull(name, "name"));
        if (stack == null) {
            throw new IllegalArgumentException("no stack is registered as \"" + name
                    + "\" (SynackSocketFactory.register names one)");
        }
        return stack;
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
