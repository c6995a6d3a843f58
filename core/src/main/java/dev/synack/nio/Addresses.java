package dev.synack.nio;

import dev.synack.stack.NetStack;
import dev.synack.wire.IpAddress;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.util.Objects;

/** Socket addresses checked as java.nio's channels check them, for a stack with an IPv4 address, an IPv6 one or both. */
final class Addresses {
    private Addresses() {}

    /**
     * The port to bind for {@code local} (null: an ephemeral one): its address must be the wildcard
     * or the stack's own.
     */
    static int localPort(NetStack stack, SocketAddress local) throws BindException {
        return local == null ? 0 : checked(stack, inet(local)).getPort();
    }

    /**
     * {@code local} when its address is one of the stack's, null for the wildcard of either family
     * (java.net's wildcard: both families, IPv4 peers seen as IPv4, as the JDK's dual-stack sockets
     * show them).
     */
    static InetSocketAddress specific(NetStack stack, SocketAddress local) throws BindException {
        if (local == null) return null;
        InetSocketAddress isa = checked(stack, inet(local));
        return isa.getAddress().isAnyLocalAddress() ? null : isa;
    }

    private static InetSocketAddress checked(NetStack stack, InetSocketAddress isa) throws BindException {
        stack.checkBindable(IpAddress.of(isa.getAddress()));
        return isa;
    }

    /** {@code remote} as an InetSocketAddress to connect to. */
    static InetSocketAddress remote(SocketAddress remote) {
        return inet(Objects.requireNonNull(remote, "remote"));
    }

    private static InetSocketAddress inet(SocketAddress sa) {
        if (!(sa instanceof InetSocketAddress isa)) throw new UnsupportedAddressTypeException();
        if (isa.isUnresolved()) throw new UnresolvedAddressException();
        return isa;
    }

    /** The stack's address (IPv4 if it has one, else IPv6) and {@code port}. */
    static InetSocketAddress of(NetStack stack, int port) {
        IpAddress a = stack.address() != 0 ? IpAddress.ipv4(stack.address()) : stack.ipv6Address();
        return new InetSocketAddress(a.toInetAddress(), port);
    }
}
