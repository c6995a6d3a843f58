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

    /** The kernel's own routes. */
    Upstream DIRECT = (destination, timeout) -> {
        Socket s = new Socket();
        try {
            s.connect(destination, (int) timeout.toMillis());
            s.setTcpNoDelay(true);
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    };
}
