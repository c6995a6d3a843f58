package dev.synack.stack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.tcp.Rfc6528IsnGenerator;
import dev.synack.tcp.TcpConfig;
import dev.synack.wire.Icmpv6;
import dev.synack.wire.IpAddress;
import dev.synack.wire.Ipv6Header;
import dev.synack.wire.PacketCodec;
import dev.synack.wire.ParseResult;
import dev.synack.wire.TcpFlags;
import dev.synack.wire.TcpPacket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The stack's IPv6 input: ICMPv6 echo answered, neighbour discovery ignored, bad packets counted, TCP answered. */
class NetStackIcmpv6Test {
    private static final IpAddress ME = IpAddress.parse("fd00::2");
    private static final IpAddress PEER = IpAddress.parse("fd00::1");

    private final List<byte[]> sent = new ArrayList<>();
    private final NetStack stack = new NetStack("synack", 0, TcpConfig.linux(), () -> 0L, Rfc6528IsnGenerator.withRandomKey(), 1);

    NetStackIcmpv6Test() {
        stack.ipv6Address(ME);
        stack.attach((from, packet) -> {
            byte[] b = new byte[packet.remaining()];
            packet.duplicate().get(b);
            sent.add(b);
        }, null);
    }

    private static ByteBuffer echoRequest(IpAddress from, IpAddress to) {
        ByteBuffer b = ByteBuffer.allocate(100);
        b.limit(Icmpv6.writeEchoRequest(b, from, to, 64, 42, 3, new byte[] {'p', 'i', 'n', 'g'}));
        return b;
    }

    @Test
    void anEchoRequestIsAnsweredFromTheHostsAddress() {
        stack.deliver(echoRequest(PEER, ME));
        assertThat(sent).hasSize(1);
        ByteBuffer reply = ByteBuffer.wrap(sent.getFirst());
        assertThat(Icmpv6.echoRequestProblem(reply)).contains("type 129");
        assertThat(Icmpv6.checksumValid(reply)).isTrue();
        assertThat(Icmpv6.identifier(reply)).isEqualTo(42);
        assertThat(Icmpv6.sequence(reply)).isEqualTo(3);
        assertThat(Ipv6Header.destinationLo(reply, 0)).isEqualTo(PEER.lo());
        assertThat(Ipv6Header.sourceLo(reply, 0)).isEqualTo(ME.lo());
        assertThat(stack.counter(Counter.IN_ECHOS6)).isEqualTo(1);
        assertThat(stack.counter(Counter.OUT_ECHO_REPLIES6)).isEqualTo(1);
    }

    @Test
    void requestsForOtherAddressesOrFromMulticastAreNotAnswered() {
        stack.deliver(echoRequest(PEER, IpAddress.parse("fd00::9")));
        stack.deliver(echoRequest(PEER, IpAddress.parse("ff02::1")));
        stack.deliver(echoRequest(IpAddress.parse("ff02::1"), ME));
        assertThat(sent).isEmpty();
        assertThat(stack.counter(Counter.IN_ADDR_ERRORS)).isEqualTo(2);
        assertThat(stack.counter(Counter.IN_MARTIAN_SRC)).isEqualTo(1);
    }

    @Test
    void neighbourSolicitationsAreDroppedQuietlyAndCounted() {
        ByteBuffer ns = echoRequest(PEER, ME);
        ns.put(40, (byte) 135); // a neighbour solicitation's type; its body does not matter here
        stack.deliver(ns);
        assertThat(sent).isEmpty();
        assertThat(stack.counter(Counter.IN_ICMP6_IGNORED)).isEqualTo(1);
    }

    @Test
    void aSynOverIpv6ToAClosedPortIsAnsweredWithAnIpv6Reset() {
        TcpPacket syn = new TcpPacket().source(PEER).destination(ME);
        syn.segment().sourcePort(40000).destinationPort(81).seq(100).flags(TcpFlags.SYN).window(1000);
        ByteBuffer b = ByteBuffer.allocate(100);
        PacketCodec.encode(syn, b);
        stack.deliver(b.flip());
        assertThat(sent).hasSize(1);
        TcpPacket rst = new TcpPacket();
        assertThat(PacketCodec.decode(ByteBuffer.wrap(sent.getFirst()), rst)).isEqualTo(ParseResult.OK);
        assertThat(rst.isIpv6()).isTrue();
        assertThat(rst.destinationIp()).isEqualTo(PEER);
        assertThat(rst.segment().has(TcpFlags.RST)).isTrue();
        assertThat(rst.segment().ack()).isEqualTo(101);
    }

    @Test
    void anIpv6FragmentIsCountedAndDropped() {
        TcpPacket syn = new TcpPacket().source(PEER).destination(ME);
        syn.segment().sourcePort(40000).destinationPort(81).flags(TcpFlags.SYN);
        ByteBuffer b = ByteBuffer.allocate(100);
        PacketCodec.encode(syn, b);
        b.put(6, (byte) Ipv6Header.FRAGMENT);
        stack.deliver(b.flip());
        assertThat(sent).isEmpty();
        assertThat(stack.counter(Counter.IN_ERRS)).isEqualTo(1);
    }

    @Test
    void aPacketTooBigIsCountedAndTracedButChangesNothing() {
        ByteBuffer ptb = ByteBuffer.allocate(200);
        TcpPacket quoted = new TcpPacket().source(ME).destination(PEER);
        quoted.segment().sourcePort(80).destinationPort(40000).seq(5).flags(TcpFlags.ACK);
        int at = 48;
        ptb.position(at);
        int quotedLength = PacketCodec.encode(quoted, ptb);
        ptb.clear();
        int length = 8 + quotedLength;
        Ipv6Header.write(ptb, 0, length, Icmpv6.NEXT_HEADER, 64, 0, PEER.hi(), PEER.lo(), ME.hi(), ME.lo());
        ptb.put(40, (byte) Icmpv6.TYPE_PACKET_TOO_BIG).putInt(44, 1280);
        long sum = Ipv6Header.pseudoHeaderSum(ptb, 0, Icmpv6.NEXT_HEADER, length);
        ptb.putShort(42, (short) dev.synack.wire.Checksum.finish(dev.synack.wire.Checksum.add(sum, ptb, 40, length)));
        stack.deliver(ptb.limit(40 + length));
        assertThat(stack.counter(Counter.IN_ICMP6_ERRORS)).isEqualTo(1);
        assertThat(sent).isEmpty();
    }
}
