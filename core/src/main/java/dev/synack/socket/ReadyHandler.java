package dev.synack.socket;

import java.io.IOException;

/**
 * What a non-blocking socket calls when it may be ready: {@link TcpSocket#onReady} (readable,
 * writable, connected, failed, closed by the peer) and {@link TcpServerSocket#onAcceptable} (a
 * connection to accept). See the package documentation for when exactly it runs, on which thread,
 * and what it may do.
 *
 * <p>The handler is called with the socket it was registered on. It must not block: it runs on the
 * thread processing the stack (no lock held: it may use any socket); blocking calls from it fail with
 * {@link java.nio.channels.IllegalBlockingModeException}. Anything it throws (an IOException
 * included) closes its socket: see the package documentation.
 *
 * @param <S> the socket type
 */
@FunctionalInterface
public interface ReadyHandler<S> {
    void ready(S socket) throws IOException;
}
