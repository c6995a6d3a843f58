package dev.synack.tcp;

import dev.synack.wire.Ipv4Address;

/** A connection's identity: local and remote IPv4 address and port. */
public record FourTuple(int localAddress, int localPort, int remoteAddress, int remotePort) {
    public String local() { return Ipv4Address.format(localAddress) + ":" + localPort; }
    public String remote() { return Ipv4Address.format(remoteAddress) + ":" + remotePort; }

    @Override
    public String toString() { return local() + "<->" + remote(); }
}
