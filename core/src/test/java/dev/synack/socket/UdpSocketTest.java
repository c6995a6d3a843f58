package dev.synack.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synack.stack.Counter;
import dev.synack.stack.UdpEndpoint;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** UDP sockets between two stacks in real time, and UDP flows to forwarded destinations. */
@Timeout(60)
class UdpSocketTest {
    private final WiredPair pair = new WiredPair();

    @AfterEach
    void stop() {
        pair.close();
    }

    private static ByteBuffer text(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    private static String received(UdpSocket s, InetSocketAddress[] from) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(2000);
        InetSocketAddress sender = s.receive(b);
        if (from != null) from[0] = sender;
        return new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII);
    }

    private static InetSocketAddress at(String address, int port) throws IOException {
        return new InetSocketAddress(InetAddress.getByName(address), port);
    }

    @Test
    void datagramsGoBothWaysWithTheirSenders() throws IOException {
        try (UdpSocket server = UdpSocket.bind(pair.forwarder, 5353); UdpSocket client = UdpSocket.bind(pair.client, 0)) {
            server.setSoTimeout(Duration.ofSeconds(10));
            client.setSoTimeout(Duration.ofSeconds(10));
            client.send(text("question"), at("10.0.0.1", 5353));
            InetSocketAddress[] from = new InetSocketAddress[1];
            assertThat(received(server, from)).isEqualTo("question");
            assertThat(from[0]).isEqualTo(at("10.0.0.2", client.getLocalPort()));
            server.send(text("answer"), from[0]);
            assertThat(received(client, null)).isEqualTo("answer");
            // And over IPv6.
            client.send(text("v6"), at("fd00::1", 5353));
            assertThat(received(server, from)).isEqualTo("v6");
            assertThat(from[0].getAddress().getHostAddress()).isEqualTo("fd00:0:0:0:0:0:0:2");
            assertThat(pair.forwarder.counter(Counter.UDP_IN_DATAGRAMS)).isEqualTo(2);
        }
    }

    @Test
    void aPortIsBoundOnceAndReceiveTimesOutOrReturnsNullWhenNonBlocking() throws IOException {
        try (UdpSocket s = UdpSocket.bind(pair.forwarder, 6000)) {
            assertThatThrownBy(() -> UdpSocket.bind(pair.forwarder, 6000)).isInstanceOf(BindException.class);
            s.setSoTimeout(Duration.ofMillis(50));
            assertThatThrownBy(() -> s.receive(ByteBuffer.allocate(10))).isInstanceOf(SocketTimeoutException.class);
            s.configureBlocking(false);
            assertThat(s.receive(ByteBuffer.allocate(10))).isNull();
        }
        UdpSocket.bind(pair.forwarder, 6000).close(); // free again after close
    }

    @Test
    void aClosedPortAnswersPortUnreachableWhichAConnectedSocketReports() throws Exception {
        try (UdpSocket client = UdpSocket.bind(pair.client, 0)) {
            client.connect(at("10.0.0.1", 9999));
            client.setSoTimeout(Duration.ofSeconds(10));
            client.send(text("anyone?"), null);
            assertThatThrownBy(() -> client.receive(ByteBuffer.allocate(10))).isInstanceOf(PortUnreachableException.class)
                    .hasMessageContaining("10.0.0.1:9999");
            assertThat(pair.forwarder.counter(Counter.UDP_NO_PORTS)).isEqualTo(1);
            assertThat(pair.forwarder.counter(Counter.ICMP_OUT_DEST_UNREACHS)).isEqualTo(1);
        }
    }

    @Test
    void aClosedPortAnswersIcmpv6PortUnreachableOverIpv6() throws Exception {
        try (UdpSocket client = UdpSocket.bind(pair.client, 0)) {
            client.send(text("anyone?"), at("fd00::1", 9999));
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (pair.client.counter(Counter.IN_ICMP6_IGNORED) == 0 && System.nanoTime() < deadline) Thread.sleep(5);
            assertThat(pair.forwarder.counter(Counter.ICMP6_OUT_DEST_UNREACHS)).isEqualTo(1);
            assertThat(pair.client.counter(Counter.IN_ICMP6_IGNORED)).as("the client got the ICMPv6 error").isEqualTo(1);
        }
    }

    @Test
    void datagramsToForwardedDestinationsBecomeFlowsAnsweredFromTheirDestination() throws IOException {
        pair.forwarder.udp().listenFlows(16);
        try (UdpSocket client = UdpSocket.bind(pair.client, 0)) {
            client.setSoTimeout(Duration.ofSeconds(10));
            client.send(text("dns query"), at("198.18.0.53", 53));
            client.send(text("second"), at("198.18.0.53", 53));
            client.send(text("v6 query"), at("fd01::53", 53));
            UdpEndpoint first = pair.forwarder.udp().acceptFlow(Duration.ofSeconds(10));
            try (UdpSocket flow = UdpSocket.of(first)) {
                flow.setSoTimeout(Duration.ofSeconds(10));
                assertThat(flow.getLocalAddress()).isEqualTo(at("198.18.0.53", 53));
                assertThat(flow.getRemoteAddress()).isEqualTo(at("10.0.0.2", client.getLocalPort()));
                assertThat(received(flow, null)).isEqualTo("dns query");
                assertThat(received(flow, null)).isEqualTo("second");
                flow.send(text("dns answer"), null);
                InetSocketAddress[] from = new InetSocketAddress[1];
                assertThat(received(client, from)).isEqualTo("dns answer");
                assertThat(from[0]).isEqualTo(at("198.18.0.53", 53));
            }
            try (UdpSocket v6 = UdpSocket.of(pair.forwarder.udp().acceptFlow(Duration.ofSeconds(10)))) {
                assertThat(v6.getLocalAddress()).isEqualTo(at("fd01::53", 53));
            }
            assertThat(pair.forwarder.udp().flowCount()).isZero();
        }
    }

    @Test
    void stoppingFlowsForgetsThoseNotAcceptedAndEndsTheWait() throws Exception {
        pair.forwarder.udp().listenFlows(16);
        try (UdpSocket client = UdpSocket.bind(pair.client, 0)) {
            for (int port = 1; port <= 3; port++) client.send(text("query"), at("198.18.0.53", port));
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (pair.forwarder.udp().flowCount() < 3 && System.nanoTime() < deadline) Thread.sleep(5);
            assertThat(pair.forwarder.udp().flowCount()).isEqualTo(3);
            pair.forwarder.udp().stopFlows();
            assertThat(pair.forwarder.udp().flowCount()).isZero();
            assertThatThrownBy(() -> pair.forwarder.udp().acceptFlow(Duration.ofSeconds(1))).isInstanceOf(java.net.SocketException.class);
        }
    }
}
