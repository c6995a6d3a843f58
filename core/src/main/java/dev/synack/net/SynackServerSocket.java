package dev.synack.net;

import dev.synack.stack.NetStack;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketException;

/**
 * A {@link java.net.ServerSocket} listening on a synack {@link NetStack}; {@link #accept()} returns
 * {@link SynackSocket}s. Bind to the wildcard address or the stack's own. SO_TIMEOUT bounds accept
 * ({@link java.net.SocketTimeoutException}, the server socket still usable); close() resets the
 * connections still queued and wakes a blocked accept with "Socket is closed".
 */
public class SynackServerSocket extends ServerSocket {
    private final NetStack stack;

    /** An unbound server socket on {@code stack}. */
    public SynackServerSocket(NetStack stack) {
        super(new SynackSocketImpl(stack, true));
        this.stack = stack;
    }

    /** Bound to {@code port} (0: ephemeral) with a backlog of 50, as java.net's {@code new ServerSocket(port)}. */
    public SynackServerSocket(NetStack stack, int port) throws IOException {
        this(stack, port, 50);
    }

    /**
     * Bound to {@code port} (0: ephemeral) and listening with {@code backlog} (below 1: 50).
     *
     * @throws java.net.BindException when the port is in use
     * @throws IllegalArgumentException for a port outside 0..65535
     */
    public SynackServerSocket(NetStack stack, int port, int backlog) throws IOException {
        this(stack);
        if (port < 0 || port > 0xFFFF) throw new IllegalArgumentException("Port value out of range: " + port);
        try {
            bind(new InetSocketAddress(port), backlog);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The stack this server socket lives on. */
    public NetStack stack() { return stack; }

    /**
     * Waits for a connection (up to SO_TIMEOUT, when set) and returns its socket.
     *
     * @throws java.net.SocketTimeoutException when SO_TIMEOUT passed first
     * @throws SocketException "Socket is closed", or "Socket is not bound yet"
     */
    @Override
    public SynackSocket accept() throws IOException {
        if (isClosed()) throw new SocketException("Socket is closed");
        if (!isBound()) throw new SocketException("Socket is not bound yet");
        SynackSocket s = new SynackSocket(stack);
        implAccept(s);
        return s;
    }
}
