package dev.synack.link;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import dev.synack.stack.NetStack;
import dev.synack.tcp.EcnMode;
import dev.synack.tcp.TcpConfig;
import dev.synack.wire.PacketCodec;
import dev.synack.wire.ParseResult;
import dev.synack.wire.TcpFlags;
import dev.synack.wire.TcpPacket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * ECN end to end in virtual time: a bulk transfer through a bottleneck whose queue marks CE from a
 * threshold on (and drops Not-ECT packets there). With ECN the sender hears of congestion without
 * losing anything: no retransmission, CE marks seen by the receiver, cwnd reductions announced with
 * CWR; and it keeps the goodput of the same path without ECN, where the AQM drops instead.
 */
@Timeout(120)
class EcnBottleneckTest {
    private static final long BANDWIDTH = 20_000_000;
    private static final Duration RTT = Duration.ofMillis(20);
    private static final int QUEUE_BYTES = 150_000;
    private static final int MARK_BYTES = 30_000;
    private static final Duration WARMUP = Duration.ofSeconds(1);
    private static final Duration WINDOW = Duration.ofSeconds(4);

    /** What one run saw. */
    record Run(long goodputBytes, long retransmitted, long ceReceived, long cwrSent, long eceReceived, FaultStats faults) { }

    private static Run bulk(long seed, EcnMode clientMode) {
        SimNetwork net = new SimNetwork(seed);
        NetStack client = net.addHost("client", "10.0.0.1", TcpConfig.linux().toBuilder().ecn(clientMode).build());
        NetStack server = net.addHost("server", "10.0.0.2", TcpConfig.linux());
        PathConditions path = PathConditions.builder().delay(RTT.dividedBy(2)).bandwidth(BANDWIDTH, QUEUE_BYTES)
                .ecnMarking(MARK_BYTES).build();
        net.conditions(path);
        AtomicLong cwr = new AtomicLong();
        AtomicLong ece = new AtomicLong();
        TcpPacket decoded = new TcpPacket();
        client.addPacketTap((stack, time, outbound, packet) -> {
            if (PacketCodec.decode(packet.duplicate(), decoded) != ParseResult.OK) return;
            if (outbound && decoded.segment().has(TcpFlags.CWR) && !decoded.segment().has(TcpFlags.SYN)) cwr.incrementAndGet();
            if (!outbound && decoded.segment().has(TcpFlags.ECE) && !decoded.segment().has(TcpFlags.SYN)) ece.incrementAndGet();
        });
        AtomicLong received = new AtomicLong();
        AtomicLong stop = new AtomicLong();
        net.spawn("server", () -> {
            try (TcpServerSocket listener = new TcpServerSocket(server, 5001, 1); TcpSocket s = listener.accept()) {
                ByteBuffer buffer = ByteBuffer.allocate(65536);
                int n;
                while ((n = s.read(buffer.clear())) >= 0) received.addAndGet(n);
            }
        });
        net.spawn("client", () -> {
            try (TcpSocket s = new TcpSocket(client)) {
                s.connect(new InetSocketAddress("10.0.0.2", 5001));
                ByteBuffer chunk = ByteBuffer.allocate(65536);
                while (stop.get() == 0) {
                    chunk.clear();
                    while (chunk.hasRemaining()) s.write(chunk);
                }
            }
        });
        net.runFor(WARMUP);
        long before = received.get();
        net.runFor(WINDOW);
        long goodput = received.get() - before;
        Run run = new Run(goodput, client.counters().get("RetransSegs"), server.counters().get("InCEPkts"), cwr.get(),
                ece.get(), net.faultStats());
        stop.set(1);
        net.run();
        return run;
    }

    @Test
    void ecnSignalsCongestionWithoutLossAndKeepsGoodput() {
        long seed = 22;
        Run withEcn = bulk(seed, EcnMode.ON);
        Run without = bulk(seed, EcnMode.PASSIVE);
        String seen = "seed " + seed + ": with ECN " + withEcn + ", without " + without;
        assertThat(withEcn.faults().ceMarked()).as(seen).isPositive();
        assertThat(withEcn.faults().dropped()).as(seen).isZero();
        assertThat(withEcn.retransmitted()).as(seen).isZero();
        assertThat(withEcn.ceReceived()).as(seen).isEqualTo(withEcn.faults().ceMarked());
        assertThat(withEcn.eceReceived()).as(seen).isPositive();
        assertThat(withEcn.cwrSent()).as(seen).isPositive();
        // Without ECN the same queue signals by dropping, and the sender must retransmit.
        assertThat(without.faults().ceMarked()).as(seen).isZero();
        assertThat(without.faults().aqmDropped()).as(seen).isPositive();
        assertThat(without.retransmitted()).as(seen).isPositive();
        assertThat(without.cwrSent()).as(seen).isZero();
        assertThat((double) withEcn.goodputBytes()).as(seen).isGreaterThanOrEqualTo(0.9 * without.goodputBytes());
        // Most of the link is used either way: 4 s at 20 Mbit/s is 10 MB.
        assertThat(withEcn.goodputBytes()).as(seen).isGreaterThan(8_000_000);
    }
}
