package dev.synack.socket;

import dev.synack.tcp.TcpError;
import dev.synack.tcp.TcpException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;

/** Turns the engine's errors into the IOExceptions java.net throws for the same conditions. */
final class SocketErrors {
    static final String SOCKET_CLOSED = "Socket is closed";
    static final String NOT_CONNECTED = "Socket is not connected";

    private SocketErrors() {}

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
