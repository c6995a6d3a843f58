package dev.synack.socket;

import static dev.synack.socket.SimSockets.readAll;
import static dev.synack.socket.SimSockets.sha256;
import static dev.synack.socket.SimSockets.writeAll;
import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.link.PathConditions;
import dev.synack.link.SimNetwork;
import dev.synack.stack.Counter;
import dev.synack.stack.NetStack;
import dev.synack.tcp.TcpConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A simulated IPv6 path whose middle hop carries 1280 bytes and says so with ICMPv6 packet too big (RFC 8201). */
@Timeout(60)
class Ipv6NarrowHopTest {
    @Test
    void aTransferOverANarrowIpv6HopShrinksItsSegmentsAndDeliversEveryByte() throws Exception {
        SimNetwork net = new SimNetwork(91);
        net.conditions(PathConditions.builder().delay(Duration.ofMillis(10)).mtu(1280).build());
        NetStack client = net.addHost("client", "fd00::1", TcpConfig.linux());
        NetStack server = net.addHost("server", "fd00::2", TcpConfig.linux());
        List<Integer> arrivedAtServer = new ArrayList<>();
        server.addPacketTap((stack, t, outbound, packet) -> {
            if (!outbound) arrivedAtServer.add(packet.remaining());
        });
        byte[] data = new byte[300_000];
        new Random(91).nextBytes(data);
        AtomicReference<byte[]> received = new AtomicReference<>();
        net.spawn("server", () -> {
            try (TcpServerSocket ss = new TcpServerSocket(server, 80, 4); TcpSocket c = ss.accept()) {
                received.set(readAll(c));
            }
        });
        net.spawn("client", () -> {
            try (TcpSocket c = new TcpSocket(client)) {
                c.connect(new InetSocketAddress(InetAddress.getByName("fd00::2"), 80));
                writeAll(c, data);
                c.shutdownOutput();
                readAll(c);
            }
        });
        net.run();
        assertThat(sha256(received.get())).isEqualTo(sha256(data));
        assertThat(client.counter(Counter.IN_ICMP6_ERRORS)).isPositive();
        assertThat(client.counter(Counter.OUT_OF_WINDOW_ICMPS)).isZero();
        assertThat(arrivedAtServer).allMatch(n -> n <= 1280);
        assertThat(arrivedAtServer.stream().filter(n -> n == 1280).count()).as("full-sized segments of the new size")
                .isGreaterThan(100);
        assertThat(net.packetsDropped()).as("at most about one flight dropped before the sender learned").isLessThan(40);
    }
}
