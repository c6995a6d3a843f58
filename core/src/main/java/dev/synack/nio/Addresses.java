package dev.synack.nio;

import dev.synack.stack.NetStack;
import dev.synack.wire.Ipv4Address;
import java.net.BindException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.util.Objects;

/** Socket addresses checked as java.nio's channels check them, for a stack with one IPv4 address. */
final class Addresses {
    private Addresses() {}

    /**
     * The port to bind for {@code local} (null: an ephemeral one): its address must be the wildcard
     * or the stack's own.
     */
    static int localPort(NetStack stack, SocketAddress local) throws BindException {
        if (local == null) return 0;
        InetSocketAddress isa = inet(local);
        InetAddress a = isa.getAddress();
        if (!a.isAnyLocalAddress() && !(a instanceof Inet4Address && Ipv4Address.of(a) == stack.address())) {
            throw new BindException("Cannot assign requested address: " + a.getHostAddress() + " is not "
                    + Ipv4Address.format(stack.address()) + ", the stack's address");
        }
        return isa.getPort();
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

    /** The stack's address and {@code port}. */
    static InetSocketAddress of(NetStack stack, int port) {
        return new InetSocketAddress(Ipv4Address.toInetAddress(stack.address()), port);
    }
}
