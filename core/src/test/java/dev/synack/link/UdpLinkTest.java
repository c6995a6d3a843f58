package dev.synack.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import dev.synack.stack.NetStack;
import dev.synack.tcp.TcpConfig;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Two stacks in one JVM talking TCP over UDP datagrams on 127.0.0.1. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UdpLinkTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @Test
    void twoStacksTransferBytesIntactOverUdp() throws Exception {
        try (UdpLink serverLink = UdpLink.open(new InetSocketAddress(LOOPBACK, 0), null);
             UdpLink clientLink = UdpLink.open(new InetSocketAddress(LOOPBACK, 0), serverLink.localAddress());
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            NetStack server = serverLink.addHost("server", "10.9.0.2", TcpConfig.linux());
            NetStack client = clientLink.addHost("client", "10.9.0.1", TcpConfig.linux());
            assertThat(server.config().mss()).isEqualTo(1460);
            TcpServerSocket listening = new TcpServerSocket(server, 7, 10);
            Future<String> received = pool.submit(() -> {
                try (TcpSocket s = listening.accept()) {
                    return KernelInterop.receiveAll(s.getInputStream());
                }
            });
            String sent;
            try (TcpSocket s = new TcpSocket(client)) {
                s.connect(new InetSocketAddress(InetAddress.ofLiteral("10.9.0.2"), 7));
                sent = KernelInterop.sendRandom(s.getOutputStream(), 4 << 20, 3);
                s.shutdownOutput();
                assertThat(s.getInputStream().read()).isEqualTo(-1);
            }
            assertThat(received.get(30, TimeUnit.SECONDS)).isEqualTo(sent + "/" + (4 << 20));
            assertThat(serverLink.peer()).isEqualTo(clientLink.localAddress());
            assertThat(clientLink.packetsOut()).isPositive();
            // One datagram per packet (the client's last ACK may still be on its way).
            assertThat(serverLink.packetsIn()).isPositive().isLessThanOrEqualTo(clientLink.packetsOut());
            assertThat(serverLink.packetsDropped()).isZero();
            listening.close();
        }
    }

    @Test
    void aClosedPortOnTheFarStackRefuses() throws Exception {
        try (UdpLink serverLink = UdpLink.open(new InetSocketAddress(LOOPBACK, 0), null);
             UdpLink clientLink = UdpLink.open(new InetSocketAddress(LOOPBACK, 0), serverLink.localAddress())) {
            serverLink.addHost("server", "10.9.0.2", TcpConfig.linux());
            NetStack client = clientLink.addHost("client", "10.9.0.1", TcpConfig.linux());
            try (TcpSocket s = new TcpSocket(client)) {
                assertThatThrownBy(() -> s.connect(new InetSocketAddress(InetAddress.ofLiteral("10.9.0.2"), 9)))
                        .isInstanceOf(ConnectException.class);
            }
        }
    }

    @Test
    void aServerLinkWithoutPeerDropsWhatItCannotSend() throws IOException {
        try (UdpLink link = UdpLink.open(new InetSocketAddress(LOOPBACK, 0), null)) {
            NetStack s = link.addHost("lonely", "10.9.0.2", TcpConfig.linux());
            try (TcpSocket socket = new TcpSocket(s)) {
                socket.bind(0);
            }
            assertThat(link.peer()).isNull();
            assertThatThrownBy(() -> link.addHost("second", "10.9.0.3", TcpConfig.linux())).isInstanceOf(IllegalStateException.class);
        }
    }
}
