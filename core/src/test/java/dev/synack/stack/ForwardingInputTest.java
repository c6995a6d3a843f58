package dev.synack.stack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.tcp.IsnGenerator;
import dev.synack.tcp.Listener;
import dev.synack.tcp.TcpConfig;
import dev.synack.wire.IpAddress;
import dev.synack.wire.Ipv4Address;
import dev.synack.wire.PacketCodec;
import dev.synack.wire.TcpFlags;
import dev.synack.wire.TcpPacket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A forwarding stack fed packets directly, its transmissions captured: the demux key holds the
 * destination, so one peer's port reaches several destinations as distinct connections; packets
 * outside the prefixes are dropped; a SYN flood at random destinations leaves bounded state.
 */
class ForwardingInputTest {
    private static final int LOCAL = Ipv4Address.parse("10.0.0.1");
    private static final int PEER = Ipv4Address.parse("10.0.0.2");
    private static final IpAddress PEER6 = IpAddress.parse("fd00::2");

    private long now = 1_000_000;
    private final List<TcpPacket> sent = new ArrayList<>();
    private final NetStack stack = new NetStack("forwarder", LOCAL, TcpConfig.linux(), () -> now, IsnGenerator.fixed(1000), 1);

    ForwardingInputTest() {
        stack.ipv6Address(IpAddress.parse("fd00::1"));
        stack.attach((from, packet) -> {
            TcpPacket p = new TcpPacket();
            ByteBuffer copy = ByteBuffer.allocate(packet.remaining()).put(packet.duplicate()).flip();
            assertThat(PacketCodec.decode(copy, p).name()).isEqualTo("OK");
            sent.add(p);
        }, null);
        stack.forwarding().addPrefix("198.18.0.0/15");
        stack.forwarding().addPrefix("fd01::/64");
    }

    private static ByteBuffer segment(IpAddress src, IpAddress dst, int srcPort, int dstPort, int seq, int ack, int flags, int payload) {
        TcpPacket p = new TcpPacket().source(src.hi(), src.lo()).destination(dst.hi(), dst.lo());
        p.segment().sourcePort(srcPort).destinationPort(dstPort).seq(seq).ack(ack).flags(flags).window(1000)
                .payload(payload == 0 ? null : ByteBuffer.allocate(payload));
        ByteBuffer out = ByteBuffer.allocate(PacketCodec.encodedLength(p));
        PacketCodec.encode(p, out);
        return out.flip();
    }

    private TcpPacket last() {
        return sent.getLast();
    }

    /** Opens a connection from {@code src}:40000 to {@code dst}:80 (SYN, SYN-ACK checked, ACK) and returns its SYN-ACK. */
    private TcpPacket handshake(IpAddress src, IpAddress dst, int isn) {
        stack.deliver(segment(src, dst, 40000, 80, isn, 0, TcpFlags.SYN, 0));
        TcpPacket synAck = last();
        assertThat(synAck.segment().flags()).isEqualTo(TcpFlags.SYN | TcpFlags.ACK);
        assertThat(IpAddress.of(synAck.sourceHi(), synAck.sourceLo())).isEqualTo(dst);
        stack.deliver(segment(src, dst, 40000, 80, isn + 1, synAck.segment().seq() + 1, TcpFlags.ACK, 0));
        return synAck;
    }

    @Test
    void onePeerPortReachesSeveralDestinationsAsDistinctConnections() throws Exception {
        Listener l = stack.listenForwarded(16);
        IpAddress peer = IpAddress.ipv4(PEER);
        List<IpAddress> destinations = List.of(IpAddress.parse("198.18.0.1"), IpAddress.parse("198.18.0.2"),
                IpAddress.parse("fd01::1"), IpAddress.parse("fd01::2"));
        for (IpAddress d : destinations) handshake(d.isIpv4() ? peer : PEER6, d, 5000);
        assertThat(l.acceptQueueLength()).isEqualTo(4);
        List<IpAddress> locals = new ArrayList<>();
        stack.lock();
        try {
            for (int i = 0; i < 4; i++) locals.add(l.accept().tuple().localAddress());
        } finally {
            stack.unlock();
        }
        assertThat(locals).containsExactlyElementsOf(destinations);
        // Data to the second destination is acknowledged from that destination, by its connection alone.
        sent.clear();
        IpAddress second = destinations.get(1);
        stack.deliver(segment(peer, second, 40000, 80, 5001, 1001, TcpFlags.ACK | TcpFlags.PSH, 100));
        now += 200_000_000; // past the delayed ACK
        stack.fireTimers(now);
        assertThat(sent).isNotEmpty().allSatisfy(p -> {
            assertThat(IpAddress.of(p.sourceHi(), p.sourceLo())).isEqualTo(second);
            assertThat(p.segment().ack()).isEqualTo(5101);
        });
    }

    @Test
    void destinationsOutsideThePrefixesAreDroppedWithoutAnswer() throws Exception {
        stack.listenForwarded(16);
        long before = stack.counter(Counter.IN_ADDR_ERRORS);
        for (String d : new String[] {"203.0.113.5", "198.20.0.1", "224.0.0.5", "fd02::1"}) {
            IpAddress dst = IpAddress.parse(d);
            stack.deliver(segment(dst.isIpv4() ? IpAddress.ipv4(PEER) : PEER6, dst, 40000, 80, 1, 0, TcpFlags.SYN, 0));
        }
        assertThat(sent).isEmpty();
        assertThat(stack.counter(Counter.IN_ADDR_ERRORS) - before).isEqualTo(4);
    }

    @Test
    void aSynFloodAtRandomDestinationsLeavesBoundedState() throws Exception {
        Listener l = stack.listenForwarded(64);
        Random random = new Random(42);
        for (int i = 0; i < 5000; i++) {
            int dst = Ipv4Address.parse("198.18.0.0") + random.nextInt(1 << 17);
            int src = Ipv4Address.parse("100.64.0.0") + random.nextInt(1 << 20);
            stack.deliver(segment(IpAddress.ipv4(src), IpAddress.ipv4(dst), 1024 + random.nextInt(60000), 1 + random.nextInt(65535),
                    random.nextInt(), 0, TcpFlags.SYN, 0));
        }
        assertThat(l.synQueueLength()).isEqualTo(64);
        assertThat(stack.connectionCount()).isEqualTo(64);
        assertThat(stack.counter(Counter.SYNCOOKIES_SENT)).isEqualTo(5000 - 64);
        assertThat(sent).hasSize(5000).allSatisfy(p -> assertThat(p.segment().flags()).isEqualTo(TcpFlags.SYN | TcpFlags.ACK));
    }
}
