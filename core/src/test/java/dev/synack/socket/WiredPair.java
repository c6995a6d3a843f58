package dev.synack.socket;

import dev.synack.stack.Clock;
import dev.synack.stack.NetStack;
import dev.synack.stack.PacketTransmitter;
import dev.synack.tcp.Rfc6528IsnGenerator;
import dev.synack.tcp.TcpConfig;
import dev.synack.wire.IpAddress;
import dev.synack.wire.Ipv4Address;
import java.nio.ByteBuffer;

/**
 * Two stacks in real time on a point-to-point wire: whatever one sends, whatever its destination,
 * reaches the other, as the routes into a TUN device send a client's packets to a forwarder. The
 * forwarder (10.0.0.1, fd00::1) forwards 198.18.0.0/15 and fd01::/64; the client is 10.0.0.2, fd00::2.
 */
final class WiredPair implements AutoCloseable {
    final NetStack client = stack("client", "10.0.0.2", "fd00::2");
    final NetStack forwarder = stack("forwarder", "10.0.0.1", "fd00::1");

    WiredPair() {
        client.attach(to(forwarder), null);
        forwarder.attach(to(client), null);
        client.start();
        forwarder.start();
        forwarder.forwarding().addPrefix("198.18.0.0/15");
        forwarder.forwarding().addPrefix("fd01::/64");
    }

    private static NetStack stack(String name, String ipv4, String ipv6) {
        NetStack s = new NetStack(name, Ipv4Address.parse(ipv4), TcpConfig.linux(), Clock.system(),
                Rfc6528IsnGenerator.withRandomKey(), 7);
        s.ipv6Address(IpAddress.parse(ipv6));
        return s;
    }

    private static PacketTransmitter to(NetStack peer) {
        return (from, packet) -> peer.enqueue(ByteBuffer.allocate(packet.remaining()).put(packet.duplicate()).flip());
    }

    @Override
    public void close() {
        client.close();
        forwarder.close();
    }
}
