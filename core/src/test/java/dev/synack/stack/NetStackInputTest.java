package dev.synack.stack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.tcp.IsnGenerator;
import dev.synack.tcp.TcpConfig;
import dev.synack.trace.TraceEvent;
import dev.synack.wire.Ipv4Address;
import dev.synack.wire.PacketCodec;
import dev.synack.wire.TcpFlags;
import dev.synack.wire.TcpPacket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A stack fed packets directly, its transmissions captured: demux, resets, hostile input. */
@Timeout(20)
class NetStackInputTest {
    private static final int LOCAL = Ipv4Address.parse("10.0.0.1");
    private static final int REMOTE = Ipv4Address.parse("10.0.0.2");

    private long now;
    private final List<TcpPacket> sent = new ArrayList<>();
    private final List<TraceEvent> events = new ArrayList<>();
    private final NetStack stack = new NetStack("host", LOCAL, TcpConfig.linux(), () -> now, IsnGenerator.fixed(1000), 1);

    NetStackInputTest() {
        stack.attach((from, packet) -> {
            TcpPacket p = new TcpPacket();
            ByteBuffer copy = ByteBuffer.allocate(packet.remaining()).put(packet.duplicate()).flip();
            assertThat(PacketCodec.decode(copy, p).name()).isEqualTo("OK");
            sent.add(p);
        }, null);
        stack.addTraceListener(events::add);
    }

    private static ByteBuffer packet(int src, int dst, int srcPort, int dstPort, int seq, int ack, int flags, int payload) {
        TcpPacket p = new TcpPacket().sourceAddress(src).destinationAddress(dst);
        p.segment().sourcePort(srcPort).destinationPort(dstPort).seq(seq).ack(ack).flags(flags).window(1000)
                .payload(payload == 0 ? null : ByteBuffer.allocate(payload));
        ByteBuffer out = ByteBuffer.allocate(PacketCodec.encodedLength(p));
        PacketCodec.encode(p, out);
        return out.flip();
    }

    /**
     * A time a link read before it took the lock (once for many packets) may be older than a time
     * the stack has used since: the engine then gets the stack's latest time, never an earlier one.
     */
    @Test
    void aCarriedTimeNeverTakesTheStacksTimeBack() {
        now = 5_000_000;
        stack.deliver(packet(REMOTE, LOCAL, 40000, 81, 500, 777, TcpFlags.ACK, 0)); // read at 5 ms
        TcpPacket ack = new TcpPacket().sourceAddress(REMOTE).destinationAddress(LOCAL);
        ack.segment().sourcePort(40000).destinationPort(81).seq(500).ack(777).flags(TcpFlags.ACK).window(1000);
        events.clear();
        stack.deliverDecoded(ack, 1_000_000); // carried from 1 ms
        assertThat(events).isNotEmpty().allSatisfy(e -> assertThat(e.timeNanos()).isEqualTo(5_000_000));
        events.clear();
        stack.deliverDecoded(ack, 7_000_000); // a later carried time is taken as it is
        assertThat(events).isNotEmpty().allSatisfy(e -> assertThat(e.timeNanos()).isEqualTo(7_000_000));
        events.clear();
        now = 8_000_000;
        stack.deliverDecoded(ack); // a read of the clock
        assertThat(events).isNotEmpty().allSatisfy(e -> assertThat(e.timeNanos()).isEqualTo(8_000_000));
        assertThat(sent).hasSize(4).allSatisfy(rst -> assertThat(rst.segment().flags()).isEqualTo(TcpFlags.RST));
    }

    @Test
    void aSegmentWithAckToAClosedPortGetsRstWithSeqEqualToItsAck() {
        stack.deliver(packet(REMOTE, LOCAL, 40000, 81, 500, 777, TcpFlags.ACK | TcpFlags.PSH, 10));
        assertThat(sent).hasSize(1);
        TcpPacket rst = sent.getFirst();
        assertThat(rst.segment().flags()).isEqualTo(TcpFlags.RST);
        assertThat(rst.segment().seq()).isEqualTo(777);
        assertThat(rst.sourceAddress()).isEqualTo(LOCAL);
        assertThat(rst.destinationAddress()).isEqualTo(REMOTE);
        assertThat(rst.ttl()).isEqualTo(TcpConfig.linux().ttl());
        assertThat(stack.counters()).containsEntry("OutRsts", 1L);
    }

    @Test
    void aFinWithoutAckCountsInTheResetsAck() {
        stack.deliver(packet(REMOTE, LOCAL, 40000, 81, 500, 0, TcpFlags.FIN, 3));
        TcpPacket rst = sent.getFirst();
        assertThat(rst.segment().flags()).isEqualTo(TcpFlags.RST | TcpFlags.ACK);
        assertThat(rst.segment().ack()).isEqualTo(504);
    }

    @Test
    void aResetIsNeverAnswered() {
        stack.deliver(packet(REMOTE, LOCAL, 40000, 81, 500, 0, TcpFlags.RST, 0));
        assertThat(sent).isEmpty();
        assertThat(events.getLast()).isInstanceOfSatisfying(TraceEvent.Packet.class,
                p -> assertThat(p.direction()).isEqualTo(TraceEvent.Direction.DROP));
    }

    @Test
    void aPacketForAnotherAddressIsDropped() {
        stack.deliver(packet(REMOTE, Ipv4Address.parse("10.0.0.99"), 40000, 81, 500, 0, TcpFlags.SYN, 0));
        assertThat(sent).isEmpty();
        assertThat(events.getLast()).isInstanceOfSatisfying(TraceEvent.Packet.class,
                p -> assertThat(p.reason()).contains("not addressed"));
    }

    @Test
    void listenerAnswersASynAndTheChildIsDemultiplexedByItsFourTuple() throws Exception {
        stack.lock();
        try {
            stack.bind(80);
            stack.listen(80, 4);
        } finally {
            stack.unlock();
        }
        stack.deliver(packet(REMOTE, LOCAL, 40000, 80, 500, 0, TcpFlags.SYN, 0));
        assertThat(sent).hasSize(1);
        assertThat(sent.getFirst().segment().flags()).isEqualTo(TcpFlags.SYN | TcpFlags.ACK);
        assertThat(stack.connectionCount()).isEqualTo(1);
        assertThat(stack.nextTimerDeadline()).isEqualTo(TcpConfig.linux().initialRtoNanos()); // SYN-ACK retransmission
        // The same SYN from another port makes a second child.
        stack.deliver(packet(REMOTE, LOCAL, 40001, 80, 900, 0, TcpFlags.SYN, 0));
        assertThat(stack.connectionCount()).isEqualTo(2);
        assertThat(stack.counters()).containsEntry("PassiveOpens", 2L);
        // The retransmission timer fires through the wheel.
        now = TcpConfig.linux().initialRtoNanos();
        stack.fireTimers(now);
        assertThat(sent).hasSize(4);
        assertThat(stack.counters()).containsEntry("RetransSegs", 2L);
    }

    /** Random bytes and mutated valid packets: nothing escapes, every packet is counted once. */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void hostileInputNeverEscapes(long seed) throws Exception {
        Random r = new Random(seed);
        stack.lock();
        try {
            stack.bind(80);
            stack.listen(80, 2);
        } finally {
            stack.unlock();
        }
        int count = 2000;
        for (int i = 0; i < count; i++) {
            ByteBuffer p;
            if (r.nextInt(4) == 0) {
                byte[] junk = new byte[r.nextInt(80)];
                r.nextBytes(junk);
                p = ByteBuffer.wrap(junk);
            } else {
                int flags = r.nextInt(256);
                p = packet(REMOTE + r.nextInt(3), LOCAL, 40000 + r.nextInt(4), r.nextBoolean() ? 80 : 81, r.nextInt(), r.nextInt(),
                        flags, r.nextInt(3) == 0 ? r.nextInt(100) : 0);
                if (r.nextInt(3) == 0) {
                    int at = r.nextInt(p.limit());
                    p.put(at, (byte) r.nextInt(256));
                }
            }
            now += r.nextInt(50_000_000);
            stack.deliver(p);
            stack.fireTimers(now);
        }
        var c = stack.counters();
        // Mutations may turn a packet into another protocol (or ICMP): those are counted on their own.
        assertThat(c.get("InSegs") + c.get("InErrs") + c.get("InUnknownProtos") + c.get("InEchos") + c.get("InIcmpIgnored")
                + c.get("InHdrErrors") + c.get("InAddrErrors") + c.get("InMartianSrc"))
                .as("seed %d", seed).isEqualTo(count);
        assertThat(c.get("InternalErrors")).as("seed %d", seed).isZero();
    }
}
