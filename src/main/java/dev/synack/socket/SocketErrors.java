package dev.synack.socket;

import dev.synack.tcp.TcpError;
import dev.synack.tcp.TcpException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.nio.channels.IllegalBlockingModeException;

/** Turns the engine's errors into the IOExceptions java.net throws for the same conditions. */
final class SocketErrors {
    static final String SOCKET_CLOSED = "Socket is closed";
    static final String NOT_CONNECTED = "Socket is not connected";

    private SocketErrors() {}

    /**
     * java.nio's exception for a call the socket's blocking mode does not allow, with a message
     * saying which and why (java.nio's own has none).
     */
    static IllegalBlockingModeException illegalBlockingMode(String message) {
        return new IllegalBlockingModeException() {
            @Override
            public String getMessage() { return message; }
        };
    }

    /** A call that may wait, made from a readiness handler (which must never wait). */
    static IllegalBlockingModeException blockingInHandler(String call) {
        return illegalBlockingMode(call + " on a blocking socket from a readiness handler: a handler runs holding the "
                + "stack's lock and must not wait; configure the socket non-blocking");
    }

    /** An error met while connecting: refusals and timeouts are ConnectExceptions, as in java.net. */
    static IOException duringConnect(TcpError error) {
        return switch (error) {
            case CONNECTION_REFUSED, CONNECTION_TIMED_OUT -> new ConnectException(error.message());
            default -> new SocketException(error.message());
        };
    }

    static IOException of(TcpError error) {
        return switch (error) {
            case CONNECTION_REFUSED -> new ConnectException(error.message());
            default -> new SocketException(error.message());
        };
    }

    static IOException of(TcpException e) {
        IOException io = of(e.error());
        if (!io.getMessage().equals(e.getMessage())) {
            io = e.error() == TcpError.CONNECTION_REFUSED ? new ConnectException(e.getMessage()) : new SocketException(e.getMessage());
        }
        io.initCause(e);
        return io;
    }
}
