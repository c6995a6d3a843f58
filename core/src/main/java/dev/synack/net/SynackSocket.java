package dev.synack.net;

import dev.synack.stack.NetStack;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;

/**
 * A {@link java.net.Socket} whose TCP is a synack {@link NetStack}'s: code written for java.net
 * (and libraries that take a Socket or a {@link javax.net.SocketFactory}, the JDK's TLS among them)
 * runs on it unchanged. java.net's Socket keeps the state and checks the calls; the stack does the
 * work through {@link dev.synack.socket.TcpSocket} (see {@code SynackSocketImpl} for the few
 * differences: SO_RCVBUF and IP_TOS are hints kept but not applied, urgent data is not supported,
 * IPv4 and IPv6). Blocking, as java.net's sockets are; {@link #getChannel()} is null.
 */
public class SynackSocket extends Socket {
    private final NetStack stack;

    /**
     * An unconnected socket on {@code stack}.
     *
     * @throws SocketException as java.net's Socket(SocketImpl) declares (never, in fact)
     */
    public SynackSocket(NetStack stack) throws SocketException {
        super(new SynackSocketImpl(stack, false));
        this.stack = stack;
    }

    /**
     * A socket on {@code stack} connected to {@code host}:{@code port} (the name resolved by the
     * JDK's resolver), as java.net's {@code new Socket(host, port)}.
     *
     * @throws java.net.ConnectException "Connection refused" and the other errors of connect
     * @throws java.net.UnknownHostException when the name does not resolve
     */
    public SynackSocket(NetStack stack, String host, int port) throws IOException {
        this(stack);
        connectOrClose(new InetSocketAddress(host, port));
    }

    /** A socket on {@code stack} connected to {@code address}:{@code port}. */
    public SynackSocket(NetStack stack, InetAddress address, int port) throws IOException {
        this(stack);
        connectOrClose(new InetSocketAddress(address, port));
    }

    /** The stack this socket lives on. */
    public NetStack stack() { return stack; }

    private void connectOrClose(InetSocketAddress remote) throws IOException {
        if (remote.isUnresolved()) {
            close();
            throw new java.net.UnknownHostException(remote.getHostString());
        }
        connect(remote);
    }
}
