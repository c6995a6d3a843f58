package dev.synack.cli;

import dev.synack.socket.TcpSocket;
import dev.synack.tcp.TcpError;
import dev.synack.tcp.TcpState;
import java.io.IOException;
import java.time.Duration;

/**
 * A user-space stack dies with its process: bytes still in a send buffer and a FIN not yet
 * acknowledged are lost when the command exits (the kernel would keep an orphaned socket going).
 * So before {@code serve} or {@code connect} stops its stack, each closed connection is given time to
 * finish: until it reaches TIME_WAIT or CLOSED (everything it sent, FIN included, was acknowledged).
 */
final class Drain {
    /** How long a closed connection may take to deliver what it still holds. */
    static final Duration LIMIT = Duration.ofSeconds(30);
    private static final long POLL_MILLIS = 10;

    private Drain() {}

    /**
     * What to say about {@code failure}, met while using {@code socket}: a reset that arrives after the
     * peer's FIN (the peer had finished, then would not take what we still sent: Linux reports EPIPE
     * there, tcp_reset) or after our own FIN is the usual end of a connection whose peer closed with
     * data unread, and is told calmly; anything else is the exception's message.
     */
    static String describeFailure(TcpSocket socket, IOException failure) {
        if (resetAfterPeersFin(socket)) return "peer reset the connection after its FIN";
        TcpError error = socket.error();
        if (error == TcpError.CONNECTION_RESET && (socket.isOutputShutdown() || socket.isClosed())) {
            return "peer reset the connection after our FIN";
        }
        return failure.getMessage();
    }

    /** The connection ended with a reset in CLOSE_WAIT: the peer had sent everything, FIN included. */
    static boolean resetAfterPeersFin(TcpSocket socket) {
        return socket.error() == TcpError.OUTPUT_SHUTDOWN;
    }

    /** Waits (polling; at most {@link #LIMIT}) until the closed {@code socket}'s connection is done. */
    static void awaitDone(TcpSocket socket) {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            TcpState s = socket.state();
            if (s == TcpState.TIME_WAIT || s == TcpState.CLOSED) return;
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
