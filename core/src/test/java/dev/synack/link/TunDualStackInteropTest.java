package dev.synack.link;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** One synack listener on [::] reached by the kernel over IPv4 and IPv6 at once, through one TUN device. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TunDualStackInteropTest {
    @Test
    void aDualStackListenerTakesTheKernelsIpv4AndIpv6ConnectionsAtOnce() throws Exception {
        try (KernelInterop bench = KernelInterop.startDualStack();
             TcpServerSocket server = new TcpServerSocket(bench.stack);
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            server.bind(new InetSocketAddress(InetAddress.ofLiteral("::"), 7201));
            server.listen(16);
            List<Future<String>> clients = new ArrayList<>();
            for (String to : new String[] {KernelInterop.SYNACK_IP, KernelInterop.SYNACK_IP6}) {
                clients.add(pool.submit(() -> bench.ns.call(() -> {
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress(InetAddress.ofLiteral(to), 7201), 10_000);
                        s.getOutputStream().write(to.getBytes(StandardCharsets.US_ASCII));
                        s.shutdownOutput();
                        return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                    }
                })));
            }
            Map<String, InetAddress> peers = new HashMap<>();
            for (int i = 0; i < 2; i++) {
                try (TcpSocket c = server.accept(java.time.Duration.ofSeconds(20))) {
                    String said = new String(c.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                    peers.put(said, c.getRemoteAddress().getAddress());
                    c.getOutputStream().write(("ok " + said).getBytes(StandardCharsets.US_ASCII));
                }
            }
            assertThat(clients.get(0).get(20, TimeUnit.SECONDS)).isEqualTo("ok " + KernelInterop.SYNACK_IP);
            assertThat(clients.get(1).get(20, TimeUnit.SECONDS)).isEqualTo("ok " + KernelInterop.SYNACK_IP6);
            // The IPv4 peer as an IPv6 socket shows it: ::ffff:10.7.0.1.
            assertThat(peers.get(KernelInterop.SYNACK_IP).getAddress())
                    .isEqualTo(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 7, 0, 1});
            assertThat(peers.get(KernelInterop.SYNACK_IP6)).isEqualTo(InetAddress.ofLiteral(KernelInterop.KERNEL_IP6));
        }
    }
}
