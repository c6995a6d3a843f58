package dev.synack.link;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.wire.Ipv4Address;
import dev.synack.wire.PacketCodec;
import dev.synack.wire.ParseResult;
import dev.synack.wire.TcpFlags;
import dev.synack.wire.TcpPacket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each stage of a path's pipeline, fed packets directly with a seeded random source. */
class FaultPipelineTest {
    private static final long MS = 1_000_000;

    /** What the pipeline decided for the packets offered, in order. */
    private static final class Recorder implements FaultPipeline.Sink {
        final List<Long> arrivals = new ArrayList<>();
        final List<ByteBuffer> packets = new ArrayList<>();
        final List<String> drops = new ArrayList<>();

        @Override
        public void arrive(long atNanos, ByteBuffer packet) {
            arrivals.add(atNanos);
            packets.add(packet);
        }

        @Override
        public void drop(String reason) { drops.add(reason); }
    }

    /** A valid IPv4/TCP packet carrying {@code payload} bytes. */
    static ByteBuffer tcpPacket(int payload) {
        TcpPacket p = new TcpPacket().sourceAddress(Ipv4Address.parse("10.0.0.1"))
                .destinationAddress(Ipv4Address.parse("10.0.0.2")).ttl(64);
        byte[] data = new byte[payload];
        new Random(payload).nextBytes(data);
        p.segment().sourcePort(40000).destinationPort(80).seq(1000).ack(2000).flags(TcpFlags.ACK).window(65535)
                .payload(ByteBuffer.wrap(data));
        ByteBuffer out = ByteBuffer.allocate(PacketCodec.encodedLength(p));
        PacketCodec.encode(p, out);
        return out.flip();
    }

    private static Recorder send(PathConditions c, int packets, long spacingNanos, long seed) {
        FaultPipeline pipeline = new FaultPipeline(c);
        Recorder r = new Recorder();
        Random random = new Random(seed);
        for (int i = 0; i < packets; i++) pipeline.carry(tcpPacket(100), i * spacingNanos, random, r);
        return r;
    }

    @Test
    void noFaultsDeliversEveryPacketAfterTheDelayInOrder() {
        Recorder r = send(PathConditions.builder().delay(Duration.ofMillis(7)).build(), 50, MS, 1);
        assertThat(r.drops).isEmpty();
        assertThat(r.arrivals).hasSize(50);
        for (int i = 0; i < 50; i++) assertThat(r.arrivals.get(i)).isEqualTo(i * MS + 7 * MS);
    }

    @Test
    void independentLossDropsAboutTheRateAndSaysSo() {
        Recorder r = send(PathConditions.builder().loss(0.3).build(), 10_000, MS, 2);
        assertThat(r.drops).allMatch("lost (random)"::equals);
        assertThat(r.drops.size()).isBetween(2700, 3300);
        assertThat(r.arrivals.size() + r.drops.size()).isEqualTo(10_000);
        assertThat(send(PathConditions.builder().loss(1).build(), 100, MS, 2).arrivals).isEmpty();
    }

    /** Gilbert-Elliott: losses come in runs whose mean length is about 1/exit. */
    @Test
    void burstLossComesInRuns() {
        FaultPipeline pipeline = new FaultPipeline(PathConditions.builder().burst(0.02, 0.25).build());
        Random random = new Random(3);
        List<Boolean> lost = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            Recorder r = new Recorder();
            pipeline.carry(tcpPacket(10), i * MS, random, r);
            lost.add(!r.drops.isEmpty());
            if (!r.drops.isEmpty()) assertThat(r.drops).containsExactly("lost (burst)");
        }
        int runs = 0;
        int losses = 0;
        for (int i = 0; i < lost.size(); i++) {
            if (lost.get(i)) {
                losses++;
                if (i == 0 || !lost.get(i - 1)) runs++;
            }
        }
        double meanRun = (double) losses / runs;
        assertThat(meanRun).isBetween(3.0, 5.0);
        assertThat(pipeline.stats().lostBurst()).isEqualTo(losses);
    }

    @Test
    void jitterVariesTheDelayButNeverReorders() {
        Recorder r = send(PathConditions.builder().delay(Duration.ofMillis(20)).jitter(Duration.ofMillis(5)).build(),
                2000, 100_000, 4);
        assertThat(r.arrivals).isSorted();
        long distinctDelays = java.util.stream.IntStream.range(0, r.arrivals.size())
                .mapToLong(i -> r.arrivals.get(i) - i * 100_000L).distinct().count();
        assertThat(distinctDelays).isGreaterThan(100);
        for (int i = 0; i < r.arrivals.size(); i++) {
            long delay = r.arrivals.get(i) - i * 100_000L;
            assertThat(delay).isBetween(15 * MS, 25 * MS + 100_000L * 50);
        }
    }

    @Test
    void reorderingHoldsSomePacketsBackSoLaterOnesOvertake() {
        Recorder r = send(PathConditions.builder().delay(Duration.ofMillis(5)).reorder(0.1, Duration.ofMillis(3)).build(),
                1000, MS, 5);
        int overtaken = 0;
        for (int i = 1; i < r.arrivals.size(); i++) if (r.arrivals.get(i) < r.arrivals.get(i - 1)) overtaken++;
        assertThat(overtaken).isBetween(50, 150);
        assertThat(r.drops).isEmpty();
    }

    @Test
    void duplicationSendsSomePacketsTwice() {
        Recorder r = send(PathConditions.builder().duplicate(0.1).build(), 1000, MS, 6);
        assertThat(r.arrivals.size()).isBetween(1050, 1150);
        assertThat(r.packets.get(0)).isNotSameAs(r.packets.get(1));
    }

    /** One flipped bit anywhere: the decoder (checksums first of all) must reject every such packet. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 100, 1460})
    void corruptionFlipsExactlyOneBitAndTheDecoderRejectsIt(int payload) {
        FaultPipeline pipeline = new FaultPipeline(PathConditions.builder().corrupt(1).build());
        Random random = new Random(payload);
        ByteBuffer original = tcpPacket(payload);
        for (int i = 0; i < 500; i++) {
            Recorder r = new Recorder();
            ByteBuffer copy = ByteBuffer.allocate(original.remaining()).put(original.duplicate()).flip();
            pipeline.carry(copy, i, random, r);
            ByteBuffer corrupted = r.packets.getFirst();
            int differentBits = 0;
            for (int b = 0; b < original.remaining(); b++) {
                differentBits += Integer.bitCount((original.get(b) ^ corrupted.get(b)) & 0xff);
            }
            assertThat(differentBits).isEqualTo(1);
            assertThat(PacketCodec.decode(corrupted, new TcpPacket())).isNotEqualTo(ParseResult.OK);
        }
        assertThat(pipeline.stats().corrupted()).isEqualTo(500);
    }

    @Test
    void bandwidthSerialisesPacketsAndTheDropTailQueueOverflows() {
        // 1 Mbit/s: a 1500-byte packet takes 12 ms; the queue holds 4500 bytes not yet sent (the one
        // being serialised included), so three packets fit and the other three sent at once are dropped.
        FaultPipeline pipeline = new FaultPipeline(PathConditions.builder().bandwidth(1_000_000, 4500).build());
        Recorder r = new Recorder();
        Random random = new Random(7);
        for (int i = 0; i < 6; i++) pipeline.carry(ByteBuffer.allocate(1500), 0, random, r);
        assertThat(r.arrivals).containsExactly(12 * MS, 24 * MS, 36 * MS);
        assertThat(r.drops).containsExactly("queue full", "queue full", "queue full");
        // Once the queue has drained, packets pass again.
        pipeline.carry(ByteBuffer.allocate(1500), 100 * MS, random, r);
        assertThat(r.arrivals.getLast()).isEqualTo(112 * MS);
        assertThat(pipeline.stats().queueFull()).isEqualTo(3);
    }

    @Test
    void partitionDropsEverythingInsideItsWindowOnly() {
        FaultPipeline pipeline = new FaultPipeline(PathConditions.builder()
                .partition(Duration.ofSeconds(1), Duration.ofSeconds(2)).build());
        Recorder r = new Recorder();
        Random random = new Random(8);
        for (long t : new long[] {999 * MS, 1000 * MS, 1500 * MS, 1999 * MS, 2000 * MS}) {
            pipeline.carry(ByteBuffer.allocate(40), t, random, r);
        }
        assertThat(r.arrivals).containsExactly(999 * MS, 2000 * MS);
        assertThat(r.drops).containsExactly("partition", "partition", "partition");
    }

    @Test
    void aPathWithoutRandomFaultsDrawsNothing() {
        Random random = new Random(9);
        long before = new Random(9).nextLong();
        new FaultPipeline(PathConditions.builder().delay(Duration.ofMillis(3)).bandwidth(10_000_000).build())
                .carry(tcpPacket(10), 0, random, new Recorder());
        assertThat(random.nextLong()).isEqualTo(before);
    }
}
