package dev.synack.link;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import dev.synack.stack.Counter;
import dev.synack.stack.NetStack;
import dev.synack.tcp.TcpConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The links' own threads survive what the path after them throws: a reader loses the packet, not
 * its life, and a fatal error reaches the stack's handler.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LinkThreadsTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    /** Throws a RuntimeException for the first packet and an OutOfMemoryError for the second, then passes packets on. */
    private static UnaryOperator<Consumer<ByteBuffer>> failingTwice(AtomicInteger seen) {
        return next -> packet -> {
            int n = seen.getAndIncrement();
            if (n == 0) throw new IllegalStateException("simulated bug on the inbound path");
            if (n == 1) throw new OutOfMemoryError("simulated");
            next.accept(packet);
        };
    }

    @Test
    void theUdpReaderSurvivesErrorsFromTheInboundPath() throws Exception {
        try (UdpLink serverLink = UdpLink.open(new InetSocketAddress(LOOPBACK, 0), null);
             UdpLink clientLink = UdpLink.open(new InetSocketAddress(LOOPBACK, 0), serverLink.localAddress())) {
            NetStack server = serverLink.addHost("server", "10.9.0.2", TcpConfig.linux());
            NetStack client = clientLink.addHost("client", "10.9.0.1", TcpConfig.linux());
            List<Throwable> fatal = new CopyOnWriteArrayList<>();
            server.fatalErrorHandler((s, where, error) -> fatal.add(error));
            AtomicInteger seen = new AtomicInteger();
            serverLink.inboundFilter(failingTwice(seen));
            try (TcpServerSocket listening = new TcpServerSocket(server, 7, 10);
                 TcpSocket c = new TcpSocket(client)) {
                // The first two SYNs are lost to the errors; the third (after 1 s and 3 s) gets through.
                c.connect(new InetSocketAddress(InetAddress.ofLiteral("10.9.0.2"), 7));
                try (TcpSocket accepted = listening.accept()) {
                    c.getOutputStream().write("still here".getBytes(StandardCharsets.US_ASCII));
                    assertThat(new String(accepted.getInputStream().readNBytes(10), StandardCharsets.US_ASCII)).isEqualTo("still here");
                }
            }
            assertThat(seen.get()).isGreaterThan(2);
            assertThat(serverLink.readerFailure()).isNull();
            assertThat(serverLink.packetsDropped()).isEqualTo(2);
            assertThat(fatal).singleElement().isInstanceOf(OutOfMemoryError.class);
            assertThat(server.counter(Counter.INTERNAL_ERRORS)).isEqualTo(1);
        }
    }

    @Test
    void theTunReaderSurvivesErrorsFromTheInboundPath() throws Exception {
        try (KernelInterop bench = KernelInterop.start(TcpConfig.linux(), 1500)) {
            List<Throwable> fatal = new CopyOnWriteArrayList<>();
            bench.stack.fatalErrorHandler((s, where, error) -> fatal.add(error));
            AtomicInteger seen = new AtomicInteger();
            bench.link.inboundFilter(failingTwice(seen));
            boolean reachable = false;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!reachable && System.nanoTime() < deadline) {
                reachable = bench.ns.call(() -> InetAddress.ofLiteral(KernelInterop.SYNACK_IP).isReachable(1000));
            }
            assertThat(reachable).isTrue();
            assertThat(bench.link.readerFailure()).isNull();
            assertThat(fatal).singleElement().isInstanceOf(OutOfMemoryError.class);
            assertThat(bench.stack.counter(Counter.OUT_ECHO_REPS)).isPositive();
        }
    }

    @Test
    void aMemoryLinkDeliveryRunningOutOfMemoryReachesTheDestinationsHandler() throws Exception {
        try (MemoryLink link = new MemoryLink()) {
            NetStack server = link.addHost("server", "10.0.0.2", TcpConfig.linux());
            NetStack client = link.addHost("client", "10.0.0.1", TcpConfig.linux());
            List<Throwable> fatal = new CopyOnWriteArrayList<>();
            server.fatalErrorHandler((s, where, error) -> fatal.add(error));
            AtomicInteger tapped = new AtomicInteger();
            server.addPacketTap((s, t, outbound, packet) -> {
                if (!outbound && tapped.getAndIncrement() == 0) throw new OutOfMemoryError("simulated");
            });
            try (TcpServerSocket listening = new TcpServerSocket(server, 7, 10);
                 TcpSocket c = new TcpSocket(client)) {
                c.connect(new InetSocketAddress(InetAddress.ofLiteral("10.0.0.2"), 7)); // the first SYN is lost
                try (TcpSocket accepted = listening.accept()) {
                    c.getOutputStream().write(1);
                    assertThat(accepted.getInputStream().read()).isEqualTo(1);
                }
            }
            assertThat(fatal).singleElement().isInstanceOf(OutOfMemoryError.class);
            assertThat(link.deliveryErrors()).isEqualTo(1); // past the stack's guards, caught by the link's
            assertThat(server.isLocked()).isFalse();
        }
    }
}
