package dev.synack.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import dev.synack.stack.Counter;
import dev.synack.tcp.TcpState;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** synack at fd07::2 on a TUN device against the Linux kernel's IPv6 TCP at fd07::1, in a namespace of the test's own. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class Tun6InteropTest {
    /** Bytes each way in the bulk transfers, as over IPv4. */
    private static final long BULK = 64L << 20;
    static KernelInterop bench;

    @BeforeAll
    static void up() throws IOException {
        bench = KernelInterop.start6();
    }

    @AfterAll
    static void down() throws IOException {
        if (bench != null) bench.close();
    }

    @Test
    void answersPing6FromTheKernel() throws IOException {
        String out = bench.ns.exec("ping", "-6", "-c", "2", "-i", "0.2", "-W", "3", bench.synackIp);
        assertThat(out).contains("2 received");
        assertThat(bench.stack.counter(Counter.OUT_ECHO_REPLIES6)).isGreaterThanOrEqualTo(2);
    }

    @Test
    void kernelClientHandshakesAndBothSendOverIpv6() throws Exception {
        try (TcpServerSocket server = bench.synackListen(7101);
             Socket kernel = bench.kernelConnect(7101);
             TcpSocket accepted = server.accept()) {
            assertThat(accepted.state()).isEqualTo(TcpState.ESTABLISHED);
            assertThat(accepted.getRemoteAddress().getAddress().getHostAddress()).isEqualTo("fd07:0:0:0:0:0:0:1");
            kernel.getOutputStream().write("hello synack\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(accepted.getInputStream().readNBytes(13), StandardCharsets.US_ASCII)).isEqualTo("hello synack\n");
            accepted.getOutputStream().write("hello kernel\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(kernel.getInputStream().readNBytes(13), StandardCharsets.US_ASCII)).isEqualTo("hello kernel\n");
            // 1500 - 40 - 20: the kernel announces its IPv6 MSS, and synack sends no larger segments.
            assertThat(accepted.tcpInfo().sndMss()).isEqualTo(1440 - 12);
            assertThat(bench.ns.ss().lines().filter(l -> l.contains("[" + bench.synackIp + "]:7101")))
                    .singleElement().asString().startsWith("ESTAB");
        }
    }

    @Test
    void synackClientHandshakesWithTheKernel() throws Exception {
        try (ServerSocket server = bench.kernelListen(7102);
             TcpSocket client = bench.synackConnect(7102);
             Socket accepted = server.accept()) {
            assertThat(client.state()).isEqualTo(TcpState.ESTABLISHED);
            assertThat(accepted.getInetAddress().getHostAddress()).isEqualTo("fd07:0:0:0:0:0:0:2");
        }
    }

    @Test
    void bulkTransferFromTheKernelToSynackArrivesWhole() throws Exception {
        bench.bulkFromKernelToSynack(7103, BULK, 61);
        assertThat(bench.link.offloads() & TunLink.TUN_F_TSO6).isNotZero();
    }

    @Test
    void bulkTransferFromSynackToTheKernelArrivesWhole() throws Exception {
        bench.bulkFromSynackToKernel(7104, BULK, 62);
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void aThousandConcurrentKernelClientsOverIpv6() throws Exception {
        bench.concurrentKernelClientsOnASynackServer(7109, 1000);
    }

    @Test
    void synackClosingWithUnreadDataResetsTheKernel() throws Exception {
        bench.synackClosingWithUnreadDataResetsTheKernel(7110);
    }

    @Test
    void kernelClosingFirstEndsInTimeWaitOnTheKernel() throws Exception {
        bench.kernelClosingFirstEndsInTimeWaitOnTheKernel(7111);
    }

    @Test
    void synackClosingFirstLeavesTheKernelInCloseWait() throws Exception {
        bench.synackClosingFirstLeavesTheKernelInCloseWait(7112);
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void aThousandConcurrentSynackClientsOnAKernelServerOverIpv6() throws Exception {
        bench.concurrentSynackClientsOnAKernelServer(7113, 1000);
    }

    @Test
    void halfCloseEitherWay() throws Exception {
        bench.kernelHalfClosesAndSynackKeepsSending(7105, 63);
        bench.synackHalfClosesAndKernelKeepsSending(7106, 64);
    }

    @Test
    void aClosedPortIsRefusedWithAResetBothWays() {
        assertThatThrownBy(() -> bench.kernelConnect(7107)).isInstanceOf(ConnectException.class);
        assertThatThrownBy(() -> bench.synackConnect(7108)).isInstanceOf(ConnectException.class);
    }

    @Test
    void theKernelsNeighbourDiscoveryIsCountedAndDroppedByTheStack() throws Exception {
        // A new device sends router solicitations and listener reports within seconds; wait at most 10 s.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (bench.stack.counter(Counter.IN_ICMP6_IGNORED) == 0 && System.nanoTime() < deadline) Thread.sleep(50);
        assertThat(bench.stack.counter(Counter.IN_ICMP6_IGNORED)).isPositive();
        assertThat(bench.link.readerFailure()).isNull();
        assertThat(bench.stack.counter(Counter.INTERNAL_ERRORS)).isZero();
    }
}
