package dev.synack.socket;

import dev.synack.tcp.TcpError;
import dev.synack.tcp.TcpException;
import dev.synack.wire.IpAddress;
import dev.synack.wire.Ipv6Address;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.channels.IllegalBlockingModeException;

/**
 * Turns the engine's errors into the IOExceptions java.net throws for the same conditions, and
 * checks what a call is given the way java.net does.
 */
final class SocketErrors {
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
        return illegalBlockingMode(call + " on a blocking socket from a readiness handler: a handler runs on the "
                + "thread that delivers packets and fires timers, and must not wait; configure the socket non-blocking");
    }

    /**
     * An error met while connecting: refusals and timeouts are ConnectExceptions, no route to the
     * host (an ICMP host unreachable) a NoRouteToHostException, as in java.net.
     */
    static IOException duringConnect(TcpError error) {
        return switch (error) {
            case CONNECTION_REFUSED, CONNECTION_TIMED_OUT -> withCause(new ConnectException(error.message()), new TcpException(error));
            case HOST_UNREACHABLE -> withCause(new java.net.NoRouteToHostException(error.message()), new TcpException(error));
            default -> of(error);
        };
    }

    /** A condition the engine names, with its own message: see {@link #of(TcpError, String)}. */
    static IOException of(TcpError error) {
        return of(error, error.message());
    }

    /**
     * A condition the engine names, found by the socket itself (closed, not connected, output shut
     * down...): the exception java.net throws, with {@code message}, and a {@link TcpException}
     * saying which as its cause.
     */
    static IOException of(TcpError error, String message) {
        return withCause(exception(error, message), new TcpException(error));
    }

    /** A failed engine call: its error's exception, with the engine's message and the TcpException as cause. */
    static IOException of(TcpException e) {
        return withCause(exception(e.error(), e.getMessage()), e);
    }

    private static IOException exception(TcpError error, String message) {
        return error == TcpError.CONNECTION_REFUSED ? new ConnectException(message) : new SocketException(message);
    }

    private static IOException withCause(IOException io, TcpException cause) {
        io.initCause(cause);
        return io;
    }

    /**
     * The IPv4 unicast address of a connect's {@code remote}, checked as java.net checks it.
     *
     * @throws UnknownHostException for an unresolved name
     * @throws ConnectException "Connection refused" (with CONNECTION_REFUSED as cause) for port 0
     * @throws SocketException for an IPv6, broadcast, multicast or any address
     */
    static IpAddress unicast(InetSocketAddress remote) throws IOException {
        if (remote.isUnresolved()) throw new UnknownHostException("cannot resolve " + remote.getHostString());
        IpAddress address = IpAddress.of(remote.getAddress());
        if (remote.getPort() == 0) throw of(TcpError.CONNECTION_REFUSED, "Cannot connect to port 0");
        boolean unicast = address.isIpv4()
                ? address.ipv4() != 0 && address.ipv4() != -1 && (address.ipv4() >>> 28) != 0xE
                : !address.isUnspecified() && !Ipv6Address.isMulticast(address.hi());
        if (!unicast) throw new SocketException("Cannot connect to " + address + ": not a unicast address");
        return address;
    }
}
