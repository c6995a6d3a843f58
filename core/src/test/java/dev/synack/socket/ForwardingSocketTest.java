package dev.synack.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synack.stack.NetStack;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A forwarding stack in real time: a client stack whose every packet goes to it (as the routes
 * into a TUN device send them) opens connections to addresses that are not the forwarder's; the
 * forwarder accepts each with its original destination as local address, refuses what its filter
 * refuses with a reset, and exchanges bytes both ways, over IPv4 and IPv6.
 */
@Timeout(60)
class ForwardingSocketTest {
    private final WiredPair pair = new WiredPair();
    private final NetStack client = pair.client;
    private final NetStack forwarder = pair.forwarder;

    @AfterEach
    void stop() {
        pair.close();
    }

    private TcpSocket connect(String address, int port) throws IOException {
        TcpSocket s = new TcpSocket(client);
        s.connect(new InetSocketAddress(InetAddress.getByName(address), port), Duration.ofSeconds(10));
        return s;
    }

    private static String exchange(TcpSocket from, TcpSocket to, String text) throws IOException {
        from.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        byte[] got = to.getInputStream().readNBytes(text.length());
        return new String(got, StandardCharsets.US_ASCII);
    }

    @Test
    void connectionsToAnyForwardedAddressArriveWithTheirOriginalDestination() throws IOException {
        TcpServerSocket server = new TcpServerSocket(forwarder);
        server.listenForwarded(16);
        String[][] destinations = {{"198.18.3.4", "443"}, {"198.19.255.1", "80"}, {"fd01::99", "8080"}};
        for (String[] d : destinations) {
            TcpSocket c = connect(d[0], Integer.parseInt(d[1]));
            TcpSocket accepted = server.accept(Duration.ofSeconds(10));
            assertThat(accepted.getLocalAddress())
                    .isEqualTo(new InetSocketAddress(InetAddress.getByName(d[0]), Integer.parseInt(d[1])));
            assertThat(accepted.getRemoteAddress()).isEqualTo(c.getLocalAddress());
            assertThat(exchange(c, accepted, "request to " + d[0])).isEqualTo("request to " + d[0]);
            assertThat(exchange(accepted, c, "answer from " + d[0])).isEqualTo("answer from " + d[0]);
            c.close();
            accepted.close();
        }
    }

    @Test
    void theFilterRefusesADestinationWithAReset() throws IOException {
        TcpServerSocket server = new TcpServerSocket(forwarder);
        server.listenForwarded(16);
        forwarder.forwarding().filter((source, sourcePort, destination, port) -> port != 25);
        assertThatThrownBy(() -> connect("198.18.0.25", 25)).isInstanceOf(ConnectException.class);
        assertThat(server.pendingConnections()).isZero();
        TcpSocket c = connect("198.18.0.25", 587);
        assertThat(server.accept(Duration.ofSeconds(10)).getLocalAddress().getPort()).isEqualTo(587);
        c.close();
    }

    @Test
    void withoutAForwardingListenerAForwardedDestinationIsAClosedPort() {
        assertThatThrownBy(() -> connect("198.18.0.7", 80)).isInstanceOf(ConnectException.class);
    }

    @Test
    void theOwnAddressStillBelongsToItsListenersOnly() throws IOException {
        TcpServerSocket forwarded = new TcpServerSocket(forwarder);
        forwarded.listenForwarded(16);
        assertThatThrownBy(() -> connect("10.0.0.1", 80)).isInstanceOf(ConnectException.class);
        TcpServerSocket own = new TcpServerSocket(forwarder, 80, 4);
        TcpSocket c = connect("10.0.0.1", 80);
        assertThat(own.accept(Duration.ofSeconds(10)).getLocalAddress().getAddress().getHostAddress()).isEqualTo("10.0.0.1");
        assertThat(forwarded.pendingConnections()).isZero();
        c.close();
    }
}
