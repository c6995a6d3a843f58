package dev.synack.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synack.stack.NetStack;
import dev.synack.tcp.TcpConfig;
import dev.synack.trace.TraceEvent;
import dev.synack.wire.Ipv4Address;
import dev.synack.wire.PacketCodec;
import dev.synack.wire.TcpFlags;
import dev.synack.wire.TcpPacket;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The simulator on its own: actors, the baton, virtual time, routing, faults, and the raw stack's RST. */
@Timeout(20)
class SimNetworkTest {
    private static final long MS = 1_000_000L;

    private final SimNetwork net = new SimNetwork(1);
    private final NetStack a = net.addHost("a", "10.0.0.1", TcpConfig.linux());
    private final NetStack b = net.addHost("b", "10.0.0.2", TcpConfig.linux());

    @Test
    void actorsTakeTurnsInSpawnOrderAndSleepInVirtualTime() {
        List<String> log = new ArrayList<>();
        net.spawn("first", () -> {
            log.add("first@" + net.nowNanos() / MS);
            net.sleep(Duration.ofMillis(30));
            log.add("first@" + net.nowNanos() / MS);
        });
        net.spawn("second", () -> {
            log.add("second@" + net.nowNanos() / MS);
            net.sleep(Duration.ofMillis(10));
            log.add("second@" + net.nowNanos() / MS);
            net.sleep(Duration.ofMinutes(4)); // passes at once in real time
            log.add("second@" + net.nowNanos() / MS);
        });
        net.run();
        assertThat(log).containsExactly("first@0", "second@0", "second@10", "first@30", "second@240010");
        assertThat(net.nowNanos()).isEqualTo(240_010 * MS);
    }

    @Test
    void onlyOneActorRunsAtATime() {
        int[] inside = {0};
        int[] maxInside = {0};
        for (int i = 0; i < 5; i++) {
            net.spawn("actor" + i, () -> {
                for (int k = 0; k < 20; k++) {
                    inside[0]++;
                    maxInside[0] = Math.max(maxInside[0], inside[0]);
                    Thread.onSpinWait();
                    inside[0]--;
                    net.sleep(Duration.ofMillis(1));
                }
            });
        }
        net.run();
        assertThat(maxInside[0]).isEqualTo(1);
    }

    @Test
    void anActorFailureIsRethrownWithTheActorsName() {
        net.spawn("sleeper", () -> net.sleep(Duration.ofHours(1)));
        net.spawn("broken", () -> {
            throw new IOException("boom");
        });
        assertThatThrownBy(net::run)
                .isInstanceOf(SimNetwork.ActorFailedException.class)
                .hasMessageContaining("broken")
                .hasRootCauseInstanceOf(IOException.class)
                .hasRootCauseMessage("boom");
    }

    @Test
    void actorsBlockedWithNothingScheduledAreADeadlock() {
        net.spawn("waiter", () -> {
            a.lock();
            try {
                a.awaitUntil(() -> false, Long.MAX_VALUE);
            } finally {
                a.unlock();
            }
        });
        net.spawn("done", () -> { });
        assertThatThrownBy(net::run)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("deadlock")
                .hasMessageContaining("waiter")
                .hasMessageNotContaining("done");
    }

    @Test
    void theVirtualTimeLimitStopsARunThatWouldNeverEnd() {
        net.timeLimit(Duration.ofHours(1));
        net.spawn("ticker", () -> {
            while (true) net.sleep(Duration.ofMinutes(7));
        });
        assertThatThrownBy(net::run)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("time limit")
                .hasMessageContaining("ticker");
    }

    @Test
    void waitingOutsideAnActorIsAClearError() {
        a.lock();
        try {
            assertThatThrownBy(() -> a.awaitUntil(() -> false, Long.MAX_VALUE))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("not an actor");
        } finally {
            a.unlock();
        }
    }

    @Test
    void aWaitWithADeadlineReturnsFalseAtThatVirtualTime() {
        boolean[] result = {true};
        long[] at = {0};
        net.spawn("w", () -> {
            a.lock();
            try {
                result[0] = a.awaitUntil(() -> false, 123 * MS);
                at[0] = net.nowNanos();
            } finally {
                a.unlock();
            }
        });
        net.run();
        assertThat(result[0]).isFalse();
        assertThat(at[0]).isEqualTo(123 * MS);
    }

    @Test
    void runForStopsAtTheGivenVirtualTime() {
        List<Long> ticks = new ArrayList<>();
        net.spawn("ticker", () -> {
            for (int i = 0; i < 10; i++) {
                net.sleep(Duration.ofSeconds(1));
                ticks.add(net.nowNanos() / 1_000_000_000L);
            }
        });
        net.runFor(Duration.ofMillis(3500));
        assertThat(ticks).containsExactly(1L, 2L, 3L);
        assertThat(net.nowNanos()).isEqualTo(3500 * MS);
        net.run();
        assertThat(ticks).hasSize(10);
    }

    // ---- packets through the raw stacks (no connection, no listener)

    @Test
    void aSynToAClosedPortIsAnsweredWithRstAckAfterThePathDelay() {
        List<TraceEvent> events = SimNetwork.record(net);
        a.deliver(syn(b.address(), 40000, a.address(), 80, 1000));
        net.run();
        List<TraceEvent.Packet> packets = packets(events);
        assertThat(packets).hasSize(4);
        TraceEvent.Packet recvSyn = packets.get(0);
        assertThat(recvSyn.host()).isEqualTo("a");
        assertThat(recvSyn.direction()).isEqualTo(TraceEvent.Direction.RECV);
        assertThat(recvSyn.flags()).isEqualTo("S");
        TraceEvent.Packet rst = packets.get(1);
        assertThat(rst.direction()).isEqualTo(TraceEvent.Direction.SEND);
        assertThat(rst.flags()).isEqualTo("R.");
        assertThat(rst.seq()).isZero();
        assertThat(rst.ack()).isEqualTo(1001L);
        assertThat(rst.src()).isEqualTo("10.0.0.1:80");
        assertThat(rst.dst()).isEqualTo("10.0.0.2:40000");
        TraceEvent.Packet arrived = packets.get(2);
        assertThat(arrived.host()).isEqualTo("b");
        assertThat(arrived.direction()).isEqualTo(TraceEvent.Direction.RECV);
        assertThat(arrived.timeNanos()).isEqualTo(10 * MS);
        // b has no connection either, and a reset is never answered.
        assertThat(events.getLast()).isInstanceOfSatisfying(TraceEvent.Packet.class, p -> {
            assertThat(p.direction()).isEqualTo(TraceEvent.Direction.DROP);
            assertThat(p.host()).isEqualTo("b");
        });
        assertThat(a.counters()).containsEntry("InSegs", 1L).containsEntry("OutSegs", 1L).containsEntry("OutRsts", 1L);
        assertThat(b.counters()).containsEntry("InSegs", 1L).containsEntry("OutSegs", 0L);
    }

    @Test
    void eachPathHasItsOwnDelay() {
        List<TraceEvent> events = SimNetwork.record(net);
        net.delay(Duration.ofMillis(3)).delay("a", "b", Duration.ofMillis(25));
        a.deliver(syn(b.address(), 40000, a.address(), 80, 1000));
        b.deliver(syn(a.address(), 40000, b.address(), 80, 1000));
        net.run();
        List<TraceEvent.Packet> arrivals = packets(events).stream()
                .filter(p -> p.direction() == TraceEvent.Direction.RECV && p.flags().equals("R.")).toList();
        assertThat(arrivals).extracting(TraceEvent.Packet::host, TraceEvent.Packet::timeNanos)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("a", 3 * MS), org.assertj.core.groups.Tuple.tuple("b", 25 * MS));
    }

    @Test
    void aFaultDropsThePacketAndTracesItAtTheSender() {
        List<TraceEvent> events = SimNetwork.record(net);
        net.addFault((from, packet) -> packet.segment().has(TcpFlags.RST) ? "scripted loss of " + from + "'s RST" : null);
        a.deliver(syn(b.address(), 40000, a.address(), 80, 7));
        net.run();
        TraceEvent.Packet last = packets(events).getLast();
        assertThat(last.direction()).isEqualTo(TraceEvent.Direction.DROP);
        assertThat(last.host()).isEqualTo("a");
        assertThat(last.flags()).isEqualTo("R.");
        assertThat(last.reason()).isEqualTo("scripted loss of a's RST");
        assertThat(net.packetsDropped()).isEqualTo(1);
        assertThat(b.counters()).containsEntry("InSegs", 0L);
    }

    @Test
    void aPacketToAnUnknownAddressIsDroppedWithAReason() {
        List<TraceEvent> events = SimNetwork.record(net);
        a.deliver(syn(Ipv4Address.parse("10.0.0.9"), 40000, a.address(), 80, 7));
        net.run();
        TraceEvent.Packet last = packets(events).getLast();
        assertThat(last.direction()).isEqualTo(TraceEvent.Direction.DROP);
        assertThat(last.reason()).contains("no host at 10.0.0.9");
    }

    @Test
    void anUndecodablePacketIsCountedAndTracedAsADrop() {
        List<TraceEvent> events = SimNetwork.record(net);
        ByteBuffer p = syn(b.address(), 40000, a.address(), 80, 7);
        p.put(p.position() + 30, (byte) (p.get(p.position() + 30) ^ 0x40)); // corrupt a TCP byte: checksum fails
        a.deliver(p);
        assertThat(a.counters()).containsEntry("InErrs", 1L).containsEntry("InSegs", 0L).containsEntry("OutSegs", 0L);
        TraceEvent.Packet drop = packets(events).getLast();
        assertThat(drop.direction()).isEqualTo(TraceEvent.Direction.DROP);
        assertThat(drop.reason()).isEqualTo("bad TCP checksum");
        assertThat(drop.src()).isEqualTo("10.0.0.2:40000");
    }

    @Test
    void hostsNeedDistinctNamesAndAddresses() {
        assertThatThrownBy(() -> net.addHost("a", "10.0.0.3", TcpConfig.linux())).hasMessageContaining("a");
        assertThatThrownBy(() -> net.addHost("c", "10.0.0.2", TcpConfig.linux())).hasMessageContaining("10.0.0.2");
        assertThatThrownBy(() -> net.addHost("c", "10.0.0", TcpConfig.linux())).isInstanceOf(IllegalArgumentException.class);
    }

    static ByteBuffer syn(int src, int srcPort, int dst, int dstPort, int seq) {
        TcpPacket p = new TcpPacket().sourceAddress(src).destinationAddress(dst);
        p.segment().sourcePort(srcPort).destinationPort(dstPort).seq(seq).flags(TcpFlags.SYN).window(65535);
        p.segment().options().mss(1460);
        ByteBuffer out = ByteBuffer.allocate(PacketCodec.encodedLength(p));
        PacketCodec.encode(p, out);
        return out.flip();
    }

    static List<TraceEvent.Packet> packets(List<TraceEvent> events) {
        return events.stream().filter(e -> e instanceof TraceEvent.Packet).map(e -> (TraceEvent.Packet) e).toList();
    }
}
