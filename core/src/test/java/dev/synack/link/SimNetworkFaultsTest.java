package dev.synack.link;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import dev.synack.stack.NetStack;
import dev.synack.tcp.TcpConfig;
import dev.synack.trace.JsonLinesRenderer;
import dev.synack.trace.TraceEvent;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Path conditions inside SimNetwork: per direction, traced, counted, and reproducible from the seed. */
@Timeout(60)
class SimNetworkFaultsTest {
    private static final PathConditions EVERYTHING = PathConditions.builder().delay(Duration.ofMillis(15))
            .jitter(Duration.ofMillis(4)).loss(0.05).burst(0.01, 0.5).reorder(0.05, Duration.ofMillis(6))
            .duplicate(0.03).corrupt(0.03).bandwidth(20_000_000, 60_000)
            .partition(Duration.ofMillis(300), Duration.ofMillis(700)).build();

    /** A 100 KB upload and a short reply; returns the trace. */
    private static List<TraceEvent> transfer(SimNetwork net, byte[] data, byte[][] received) {
        NetStack client = net.addHost("client", "10.0.0.1", TcpConfig.linux());
        NetStack server = net.addHost("server", "10.0.0.2", TcpConfig.linux());
        List<TraceEvent> trace = net.recordTrace();
        net.spawn("server", () -> {
            try (TcpServerSocket ss = new TcpServerSocket(server, 80, 1)) {
                try (TcpSocket s = ss.accept()) {
                    received[0] = s.getInputStream().readAllBytes();
                    s.write(ByteBuffer.wrap(new byte[] {'o', 'k'}));
                }
            }
        });
        net.spawn("client", () -> {
            try (TcpSocket s = new TcpSocket(client)) {
                s.connect(new InetSocketAddress("10.0.0.2", 80));
                ByteBuffer b = ByteBuffer.wrap(data);
                while (b.hasRemaining()) s.write(b);
                s.shutdownOutput();
                received[1] = s.getInputStream().readAllBytes();
            }
        });
        net.run();
        assertThat(client.connectionCount()).isZero();
        assertThat(server.connectionCount()).isZero();
        return trace;
    }

    private static byte[] data(long seed) {
        byte[] data = new byte[100_000];
        new Random(seed).nextBytes(data);
        return data;
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void theSameSeedGivesTheSameJsonLinesByteForByte(long seed) {
        String[] runs = new String[2];
        for (int i = 0; i < 2; i++) {
            SimNetwork net = new SimNetwork(seed).conditions(EVERYTHING);
            byte[][] received = new byte[2][];
            List<TraceEvent> trace = transfer(net, data(seed), received);
            assertThat(received[0]).as("seed %d", seed).isEqualTo(data(seed));
            assertThat(received[1]).as("seed %d", seed).containsExactly('o', 'k');
            FaultStats f = net.faultStats();
            assertThat(f.dropped() + f.corrupted() + f.duplicated() + f.reordered()).as("seed %d: %s", seed, f).isPositive();
            runs[i] = JsonLinesRenderer.render(trace);
        }
        assertThat(runs[1]).isEqualTo(runs[0]);
        SimNetwork other = new SimNetwork(seed + 100).conditions(EVERYTHING);
        assertThat(JsonLinesRenderer.render(transfer(other, data(seed), new byte[2][]))).isNotEqualTo(runs[0]);
    }

    @Test
    void dropsAreTracedOnTheSenderWithTheirReasonAndCorruptionIsCaughtByTheReceiver() {
        SimNetwork net = new SimNetwork(4).conditions(PathConditions.builder().delay(Duration.ofMillis(5))
                .loss(0.05).corrupt(0.05).build());
        byte[][] received = new byte[2][];
        List<TraceEvent> trace = transfer(net, data(4), received);
        assertThat(received[0]).isEqualTo(data(4));
        List<TraceEvent.Packet> drops = trace.stream().filter(e -> e instanceof TraceEvent.Packet p
                && p.direction() == TraceEvent.Direction.DROP).map(e -> (TraceEvent.Packet) e).toList();
        long lost = drops.stream().filter(p -> p.reason().equals("lost (random)")).count();
        assertThat(lost).isEqualTo(net.faultStats().lostRandom()).isPositive();
        // Every corrupted packet reached its receiver, which could not decode it and counted it in InErrs.
        long undecodable = drops.stream().filter(p -> p.flags().equals("?")).count();
        assertThat(undecodable).isEqualTo(net.faultStats().corrupted()).isPositive();
        assertThat(net.host("client").counters().get("InErrs") + net.host("server").counters().get("InErrs"))
                .isEqualTo(net.faultStats().corrupted());
    }

    @Test
    void conditionsApplyPerDirection() {
        SimNetwork net = new SimNetwork(5).delay(Duration.ofMillis(2));
        net.addHost("client", "10.0.0.1", TcpConfig.linux());
        net.addHost("server", "10.0.0.2", TcpConfig.linux());
        net.conditions("client", "server", PathConditions.builder().delay(Duration.ofMillis(30)).loss(0.1).build());
        assertThat(net.conditions("server", "client")).isEqualTo(PathConditions.NONE.withDelay(Duration.ofMillis(2)));
        net.delay(Duration.ofMillis(3));
        assertThat(net.conditions("client", "server").lossRate()).isEqualTo(0.1);
        assertThat(net.conditions("client", "server").delayNanos()).isEqualTo(3_000_000);
    }

    @Test
    void oneDirectionLossyOnlyDropsThatDirectionsPackets() {
        SimNetwork net = new SimNetwork(6);
        byte[][] received = new byte[2][];
        NetStack client = net.addHost("client", "10.0.0.1", TcpConfig.linux());
        NetStack server = net.addHost("server", "10.0.0.2", TcpConfig.linux());
        net.conditions("server", "client", PathConditions.builder().delay(Duration.ofMillis(10)).loss(0.2).build());
        List<TraceEvent> trace = net.recordTrace();
        byte[] reply = data(6);
        net.spawn("server", () -> {
            try (TcpServerSocket ss = new TcpServerSocket(server, 80, 1)) {
                try (TcpSocket s = ss.accept()) {
                    s.write(ByteBuffer.wrap(reply));
                }
            }
        });
        net.spawn("client", () -> {
            try (TcpSocket s = new TcpSocket(client)) {
                s.connect(new InetSocketAddress("10.0.0.2", 80));
                received[0] = s.getInputStream().readAllBytes();
            }
        });
        net.run();
        assertThat(received[0]).isEqualTo(reply);
        List<String> droppers = trace.stream().filter(e -> e instanceof TraceEvent.Packet p
                && p.direction() == TraceEvent.Direction.DROP && p.reason().startsWith("lost"))
                .map(TraceEvent::host).distinct().toList();
        assertThat(droppers).containsExactly("server");
        assertThat(Arrays.asList(net.faultStats().lostRandom())).containsExactly(trace.stream()
                .filter(e -> e instanceof TraceEvent.Packet p && "lost (random)".equals(p.reason())).count());
    }
}
