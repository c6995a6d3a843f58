package dev.synack.socket;

import static dev.synack.socket.SimSockets.readAll;
import static dev.synack.socket.SimSockets.writeAll;
import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.link.SimNetwork;
import dev.synack.stack.Counter;
import dev.synack.stack.NetStack;
import dev.synack.tcp.TcpConfig;
import dev.synack.wire.Checksum;
import dev.synack.wire.Icmpv6;
import dev.synack.wire.IpAddress;
import dev.synack.wire.Ipv6Header;
import dev.synack.wire.PacketCodec;
import dev.synack.wire.TcpFlags;
import dev.synack.wire.TcpPacket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * ICMPv6 packet too big (RFC 4443 §3.2, RFC 8201) reaches the connection it quotes: one quoting a
 * sequence number in flight lowers the path MTU to what it says (never below 1280), and what is
 * sent afterwards fits; forged ones quoting sequence numbers outside the window change nothing.
 */
@Timeout(60)
class Ipv6PathMtuTest {
    private static final IpAddress CLIENT = IpAddress.parse("fd00::1");
    private static final IpAddress SERVER = IpAddress.parse("fd00::2");
    private static final IpAddress ROUTER = IpAddress.parse("fd00::fe");

    @Test
    void packetTooBigInTheWindowShrinksTheSegmentsAndForgedOnesChangeNothing() {
        SimNetwork net = new SimNetwork(81);
        NetStack client = net.addHost("client", CLIENT.toString(), TcpConfig.linux());
        NetStack server = net.addHost("server", SERVER.toString(), TcpConfig.linux());
        List<Integer> sizes = new ArrayList<>();
        AtomicInteger lastSeq = new AtomicInteger();
        AtomicInteger sizesBeforeTheRealOne = new AtomicInteger(-1);
        client.addPacketTap((stack, t, outbound, packet) -> {
            if (!outbound || packet.remaining() <= Ipv6Header.LENGTH + 32) return;
            sizes.add(packet.remaining());
            lastSeq.set(packet.getInt(packet.position() + Ipv6Header.LENGTH + 4));
        });
        byte[] data = new byte[300_000];
        AtomicReference<byte[]> received = new AtomicReference<>();
        AtomicInteger clientPort = new AtomicInteger();
        net.spawn("server", () -> {
            try (TcpServerSocket ss = new TcpServerSocket(server, 80, 4); TcpSocket c = ss.accept()) {
                received.set(readAll(c));
            }
        });
        net.spawn("client", () -> {
            try (TcpSocket c = new TcpSocket(client)) {
                c.connect(new InetSocketAddress(SERVER.toInetAddress(), 80));
                clientPort.set(c.getLocalAddress().getPort());
                writeAll(c, data);
                c.shutdownOutput();
                readAll(c);
            }
        });
        net.spawn("router", () -> {
            net.sleep(Duration.ofMillis(45)); // the transfer is under way
            for (int i = 0; i < 32; i++) {
                client.deliver(packetTooBig(1280, clientPort.get(), 0x1234 + i * 0x08000000));
            }
            assertThat(client.counter(Counter.OUT_OF_WINDOW_ICMPS)).isEqualTo(32);
            sizesBeforeTheRealOne.set(sizes.size());
            client.deliver(packetTooBig(1280, clientPort.get(), lastSeq.get()));
        });
        net.run();
        assertThat(received.get()).hasSize(data.length);
        assertThat(client.counter(Counter.IN_ICMP6_ERRORS)).isEqualTo(33);
        assertThat(client.counter(Counter.OUT_OF_WINDOW_ICMPS)).isEqualTo(32);
        List<Integer> before = sizes.subList(0, sizesBeforeTheRealOne.get());
        List<Integer> after = sizes.subList(sizesBeforeTheRealOne.get(), sizes.size());
        assertThat(before).as("full-sized segments while only forged errors came").contains(1500);
        assertThat(after).isNotEmpty().allMatch(n -> n <= 1280);
        assertThat(after).as("full-sized segments of the new size").contains(1280);
    }

    /** ICMPv6 packet too big from the router to the client, quoting the client's segment to the server's port 80. */
    private static ByteBuffer packetTooBig(int mtu, int clientPort, int seq) {
        ByteBuffer b = ByteBuffer.allocate(200);
        TcpPacket quoted = new TcpPacket().source(CLIENT).destination(SERVER);
        quoted.segment().sourcePort(clientPort).destinationPort(80).seq(seq).flags(TcpFlags.ACK);
        int icmp = Ipv6Header.LENGTH;
        b.position(icmp + 8);
        int quotedLength = PacketCodec.encode(quoted, b);
        b.clear();
        int length = 8 + quotedLength;
        Ipv6Header.write(b, 0, length, Icmpv6.NEXT_HEADER, 64, 0, ROUTER.hi(), ROUTER.lo(), CLIENT.hi(), CLIENT.lo());
        b.put(icmp, (byte) Icmpv6.TYPE_PACKET_TOO_BIG).putInt(icmp + 4, mtu);
        long sum = Ipv6Header.pseudoHeaderSum(b, 0, Icmpv6.NEXT_HEADER, length);
        b.putShort(icmp + 2, (short) Checksum.finish(Checksum.add(sum, b, icmp, length)));
        return b.limit(icmp + length);
    }
}
