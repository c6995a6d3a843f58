package dev.synack.relay;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/**
 * How a relay reaches a flow's real destination through the kernel: directly, or through a SOCKS5
 * server ({@link Socks5}).
 */
public interface Upstream {
    /** A connected kernel TCP socket to {@code destination}; an IOException when it cannot be reached or refuses. */
    Socket connect(InetSocketAddress destination, Duration timeout) throws IOException;

    /** The kernel's own routes, with sockets from {@code sockets}. */
    static Upstream direct(KernelSockets sockets) {
        return (destination, timeout) -> connected(sockets.tcp(), destination, timeout);
    }

    /** {@code s} connected to {@code destination} within {@code timeout} (closed when it fails). */
    static Socket connected(Socket s, InetSocketAddress destination, Duration timeout) throws IOException {
        try {
            s.connect(destination, (int) timeout.toMillis());
            s.setTcpNoDelay(true);
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }
}
