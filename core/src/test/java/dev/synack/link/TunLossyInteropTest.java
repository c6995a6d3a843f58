package dev.synack.link;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import dev.synack.stack.Counter;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * synack against the kernel over a TUN device with 1% loss and 2% reordering in each direction
 * (FaultyLink on both paths): bytes still arrive intact, half-closes still work, many connections
 * still complete.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TunLossyInteropTest {
    private static final long SEED = 4;
    private static final PathConditions LOSSY = PathConditions.builder().loss(0.01)
            .reorder(0.02, Duration.ofMillis(5)).build();
    static KernelInterop bench;

    @BeforeAll
    static void up() throws IOException {
        bench = KernelInterop.startLossy(LOSSY, SEED);
        System.out.println("lossy interop: " + LOSSY + ", seed " + SEED);
    }

    @AfterAll
    static void down() throws IOException {
        if (bench != null) {
            System.out.println("lossy interop faults: out " + bench.outbound.stats() + ", in " + bench.inbound.stats()
                    + "; synack " + bench.stack.counters());
            bench.close();
        }
    }

    private static final long BULK = 8L << 20;

    @Test
    void bulkFromKernelToSynackSurvivesLoss() throws Exception {
        try (TcpServerSocket server = bench.synackListen(7210);
             Socket kernel = bench.kernelConnect(7210);
             TcpSocket accepted = server.accept();
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<String> received = pool.submit(() -> KernelInterop.receiveAll(accepted.getInputStream()));
            String sent = KernelInterop.sendRandom(kernel.getOutputStream(), BULK, 210);
            kernel.shutdownOutput();
            assertThat(received.get(60, TimeUnit.SECONDS)).isEqualTo(sent + "/" + BULK);
        }
        assertThat(bench.inbound.stats().dropped()).isPositive();
    }

    @Test
    void bulkFromSynackToKernelSurvivesLoss() throws Exception {
        long retransBefore = bench.stack.counter(Counter.RETRANS_SEGS);
        try (ServerSocket server = bench.kernelListen(7211);
             TcpSocket client = bench.synackConnect(7211);
             Socket accepted = server.accept();
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<String> received = pool.submit(() -> KernelInterop.receiveAll(accepted.getInputStream()));
            String sent = KernelInterop.sendRandom(client.getOutputStream(), BULK, 211);
            client.shutdownOutput();
            assertThat(received.get(60, TimeUnit.SECONDS)).isEqualTo(sent + "/" + BULK);
        }
        assertThat(bench.stack.counter(Counter.RETRANS_SEGS)).isGreaterThan(retransBefore);
    }

    @Test
    void halfCloseEachWaySurvivesLoss() throws Exception {
        bench.kernelHalfClosesAndSynackKeepsSending(7220, 220);
        bench.synackHalfClosesAndKernelKeepsSending(7221, 221);
    }

    private static final int CONCURRENT = 200;

    @Test
    void manyConnectionsEachWaySurviveLoss() throws Exception {
        try (TcpServerSocket synackServer = bench.synackListen(7230);
             ServerSocket kernelServer = bench.kernelListen(7231);
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            var _ = pool.submit(() -> {
                for (int i = 0; i < CONCURRENT; i++) {
                    TcpSocket s = synackServer.accept();
                    var _ = pool.submit(() -> echo(s.getInputStream(), s.getOutputStream(), s));
                }
                return null;
            });
            var _ = pool.submit(() -> {
                for (int i = 0; i < CONCURRENT; i++) {
                    Socket s = kernelServer.accept();
                    var _ = pool.submit(() -> echo(s.getInputStream(), s.getOutputStream(), s));
                }
                return null;
            });
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < CONCURRENT; i++) {
                String message = "kernel client " + i;
                answers.add(pool.submit(() -> {
                    // Created inside the namespace, then used from this virtual thread.
                    Socket s = bench.ns.call(() -> {
                        Socket k = new Socket();
                        k.connect(new InetSocketAddress(InetAddress.ofLiteral(KernelInterop.SYNACK_IP), 7230), 30_000);
                        return k;
                    });
                    try (s) {
                        s.getOutputStream().write(message.getBytes(StandardCharsets.US_ASCII));
                        s.shutdownOutput();
                        return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                    }
                }));
                String other = "synack client " + i;
                answers.add(pool.submit(() -> {
                    try (TcpSocket s = bench.synackConnect(7231)) {
                        s.getOutputStream().write(other.getBytes(StandardCharsets.US_ASCII));
                        s.shutdownOutput();
                        return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                    }
                }));
            }
            for (int i = 0; i < CONCURRENT; i++) {
                assertThat(answers.get(2 * i).get(60, TimeUnit.SECONDS)).isEqualTo("kernel client " + i);
                assertThat(answers.get(2 * i + 1).get(60, TimeUnit.SECONDS)).isEqualTo("synack client " + i);
            }
        }
    }

    private static Void echo(java.io.InputStream in, java.io.OutputStream out, java.io.Closeable socket) throws IOException {
        try (socket) {
            out.write(in.readAllBytes());
        }
        return null;
    }
}
