package dev.synack.link;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import dev.synack.stack.Counter;
import dev.synack.tcp.TcpState;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** synack on a TUN device against the Linux kernel's TCP, in a namespace of the test's own. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TunInteropTest {
    static KernelInterop bench;

    @BeforeAll
    static void up() throws IOException {
        bench = KernelInterop.start();
    }

    @AfterAll
    static void down() throws IOException {
        if (bench != null) bench.close();
    }

    @Test
    void answersPingFromTheKernel() throws IOException {
        long before = bench.stack.counter(Counter.OUT_ECHO_REPS);
        // As root the JDK's isReachable sends ICMP echo requests over a raw socket.
        boolean reachable = bench.ns.call(() -> InetAddress.ofLiteral(KernelInterop.SYNACK_IP).isReachable(3000));
        assertThat(reachable).isTrue();
        assertThat(bench.stack.counter(Counter.IN_ECHOS)).isPositive();
        assertThat(bench.stack.counter(Counter.OUT_ECHO_REPS)).isGreaterThan(before);
    }

    @Test
    void advertisesMtuMinus40AsMss() throws IOException {
        assertThat(bench.stack.config().mss()).isEqualTo(1460);
    }

    @Test
    void theKernelsIpv6SolicitationsAreCountedAndDropped() throws Exception {
        // A new device with IPv6 on sends router solicitations within seconds; wait for one at most 10 s.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (bench.link.packetsNotIpv4() == 0 && System.nanoTime() < deadline) Thread.sleep(50);
        assertThat(bench.link.packetsNotIpv4()).isPositive();
        assertThat(bench.link.readerFailure()).isNull();
        assertThat(bench.stack.counter(Counter.INTERNAL_ERRORS)).isZero();
    }

    @Test
    void kernelClientHandshakesWithSynackServer() throws Exception {
        try (TcpServerSocket server = bench.synackListen(7001);
             Socket kernel = bench.kernelConnect(7001);
             TcpSocket accepted = server.accept()) {
            assertThat(accepted.state()).isEqualTo(TcpState.ESTABLISHED);
            kernel.getOutputStream().write("hello synack\n".getBytes(StandardCharsets.US_ASCII));
            byte[] got = accepted.getInputStream().readNBytes(13);
            assertThat(new String(got, StandardCharsets.US_ASCII)).isEqualTo("hello synack\n");
            accepted.getOutputStream().write("hello kernel\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(kernel.getInputStream().readNBytes(13), StandardCharsets.US_ASCII)).isEqualTo("hello kernel\n");
            assertThat(bench.ssLines(KernelInterop.SYNACK_IP + ":7001")).contains("ESTAB");
        }
    }

    @Test
    void synackClientHandshakesWithKernelServer() throws Exception {
        try (ServerSocket server = bench.kernelListen(7002);
             TcpSocket client = bench.synackConnect(7002);
             Socket accepted = server.accept()) {
            assertThat(client.state()).isEqualTo(TcpState.ESTABLISHED);
            client.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(accepted.getInputStream().readNBytes(5), StandardCharsets.US_ASCII)).isEqualTo("ping\n");
            accepted.getOutputStream().write("pong\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(client.getInputStream().readNBytes(5), StandardCharsets.US_ASCII)).isEqualTo("pong\n");
        }
    }

    private static final long BULK = 64L << 20;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void bulk64MiBFromKernelToSynack() throws Exception {
        bench.bulkFromKernelToSynack(7010, BULK, 10);
        assertThat(bench.link.offloads() & TunLink.TUN_F_TSO4).isNotZero();
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void bulk64MiBFromSynackToKernel() throws Exception {
        bench.bulkFromSynackToKernel(7011, BULK, 11);
    }

    @Test
    void kernelHalfClosesAndSynackKeepsSending() throws Exception {
        bench.kernelHalfClosesAndSynackKeepsSending(7020, 20);
    }

    @Test
    void synackHalfClosesAndKernelKeepsSending() throws Exception {
        bench.synackHalfClosesAndKernelKeepsSending(7021, 21);
    }

    @Test
    void kernelConnectingToAClosedSynackPortIsRefused() {
        assertThatThrownBy(() -> bench.kernelConnect(7030)).isInstanceOf(ConnectException.class)
                .hasMessageContaining("refused");
        assertThat(bench.stack.counter(Counter.OUT_RSTS)).isPositive();
    }

    @Test
    void synackConnectingToAClosedKernelPortIsRefused() {
        assertThatThrownBy(() -> bench.synackConnect(7031)).isInstanceOf(ConnectException.class)
                .hasMessageContaining("refused");
    }

    @Test
    void synackClosingWithUnreadDataResetsTheKernel() throws Exception {
        bench.synackClosingWithUnreadDataResetsTheKernel(7040);
    }

    @Test
    void kernelClosingFirstEndsInTimeWaitOnTheKernel() throws Exception {
        bench.kernelClosingFirstEndsInTimeWaitOnTheKernel(7050);
    }

    @Test
    void synackClosingFirstLeavesTheKernelInCloseWait() throws Exception {
        bench.synackClosingFirstLeavesTheKernelInCloseWait(7051);
    }

    /** Polls {@code ss -tan} until a line mentioning {@code ipPort} shows {@code state} (or 10 s pass). */

    private static final int CONCURRENT = 1000;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void thousandConcurrentKernelClientsOnASynackServer() throws Exception {
        bench.concurrentKernelClientsOnASynackServer(7060, CONCURRENT);
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void thousandConcurrentSynackClientsOnAKernelServer() throws Exception {
        bench.concurrentSynackClientsOnAKernelServer(7061, CONCURRENT);
    }
}
