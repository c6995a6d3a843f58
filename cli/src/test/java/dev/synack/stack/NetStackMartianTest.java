package dev.synack.stack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.fuzz.PacketEdits;
import dev.synack.tcp.IsnGenerator;
import dev.synack.tcp.TcpConfig;
import dev.synack.trace.TraceEvent;
import dev.synack.wire.Icmpv4;
import dev.synack.wire.Ipv4Address;
import dev.synack.wire.PacketCodec;
import dev.synack.wire.TcpFlags;
import dev.synack.wire.TcpPacket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Packets a host must drop without a word (RFC 1122 §3.2.1.3, RFC 1812 §5.3.7, RFC 1122
 * §4.2.3.10, as Linux's martian checks do) and IPv4 options with unsound lengths (as Linux's
 * ip_options_compile): no SYN-ACK, no RST, no echo reply; each counted and traced with its reason.
 */
class NetStackMartianTest {
    private static final int LOCAL = Ipv4Address.parse("10.7.0.2");
    private static final int REMOTE = Ipv4Address.parse("10.7.0.1");

    private final List<ByteBuffer> sent = new ArrayList<>();
    private final List<TraceEvent.Packet> drops = new ArrayList<>();

    private NetStack stack(int address) throws Exception {
        NetStack s = new NetStack("host", address, TcpConfig.linux(), () -> 0, IsnGenerator.fixed(1000), 1);
        s.attach((from, packet) -> sent.add(PacketEdits.copy(packet)), null);
        s.addTraceListener(e -> {
            if (e instanceof TraceEvent.Packet p && p.direction() == TraceEvent.Direction.DROP) drops.add(p);
        });
        Listening.on(s, 80, 8);
        return s;
    }

    private static ByteBuffer segment(int src, int dst, int srcPort, int dstPort, int flags) {
        TcpPacket p = new TcpPacket().sourceAddress(src).destinationAddress(dst);
        p.segment().sourcePort(srcPort).destinationPort(dstPort).seq(500).ack(flags == TcpFlags.ACK ? 777 : 0)
                .flags(flags).window(1000);
        ByteBuffer out = ByteBuffer.allocate(PacketCodec.encodedLength(p));
        PacketCodec.encode(p, out);
        return out.flip();
    }

    private static ByteBuffer echo(int src, int dst) {
        ByteBuffer b = ByteBuffer.allocate(64);
        b.limit(Icmpv4.writeEchoRequest(b, src, dst, 64, 7, 1, new byte[] {'x'}));
        return b;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "255.255.255.255, limited broadcast",
            "224.0.0.1, multicast",
            "239.255.255.250, multicast",
            "240.0.0.1, reserved 240.0.0.0/4",
            "0.0.0.0, this network",
            "0.1.2.3, this network",
            "127.0.0.1, loopback",
            "127.9.9.9, loopback",
            "10.7.0.2, LAND"})
    void aMartianSourceGetsNoAnswer(String source, String reason) throws Exception {
        NetStack s = stack(LOCAL);
        int src = Ipv4Address.parse(source);
        s.deliver(segment(src, LOCAL, 40000, 80, TcpFlags.SYN)); // to a listener: no SYN-ACK
        s.deliver(segment(src, LOCAL, 40000, 81, TcpFlags.ACK)); // to a closed port: no RST
        s.deliver(echo(src, LOCAL)); // no echo reply
        assertThat(sent).isEmpty();
        assertThat(s.counter(Counter.IN_MARTIAN_SRC)).isEqualTo(3);
        assertThat(s.counter(Counter.IN_SEGS)).isZero();
        assertThat(s.counter(Counter.IN_ECHOS)).isZero();
        assertThat(s.connectionCount()).isZero();
        assertThat(drops).hasSize(3).allSatisfy(d -> assertThat(d.reason()).contains("martian source").contains(reason));
    }

    @Test
    void aLandSynFromTheListenersOwnPortIsDropped() throws Exception {
        NetStack s = stack(LOCAL);
        s.deliver(segment(LOCAL, LOCAL, 80, 80, TcpFlags.SYN));
        assertThat(sent).isEmpty();
        assertThat(s.connectionCount()).isZero();
        assertThat(s.counter(Counter.IN_MARTIAN_SRC)).isEqualTo(1);
    }

    @Test
    void theSubnetBroadcastIsAMartianOnceTheStackKnowsItsPrefix() throws Exception {
        NetStack s = stack(LOCAL);
        int broadcast = Ipv4Address.parse("10.7.0.255");
        s.deliver(segment(broadcast, LOCAL, 40000, 80, TcpFlags.SYN));
        assertThat(sent).hasSize(1); // without a prefix, 10.7.0.255 may be a host
        sent.clear();
        s.prefixLength(24);
        s.deliver(segment(broadcast, LOCAL, 40001, 80, TcpFlags.SYN));
        assertThat(sent).isEmpty();
        assertThat(drops.getLast().reason()).contains("subnet's broadcast");
        // In a /23 the same address is a host.
        s.prefixLength(23);
        s.deliver(segment(broadcast, LOCAL, 40002, 80, TcpFlags.SYN));
        assertThat(sent).hasSize(1);
    }

    @Test
    void aStackOnLoopbackTakesLoopbackSourcesAndItself() throws Exception {
        int me = Ipv4Address.parse("127.0.0.1");
        NetStack s = stack(me);
        s.deliver(segment(Ipv4Address.parse("127.0.0.2"), me, 40000, 80, TcpFlags.SYN));
        s.deliver(segment(me, me, 40001, 80, TcpFlags.SYN));
        assertThat(sent).hasSize(2);
        assertThat(s.counter(Counter.IN_MARTIAN_SRC)).isZero();
        // The other martians stay martians.
        s.deliver(segment(Ipv4Address.parse("224.0.0.1"), me, 40002, 80, TcpFlags.SYN));
        assertThat(sent).hasSize(2);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"255.255.255.255", "10.7.0.255", "224.0.0.1", "10.7.0.9"})
    void tcpAndEchoToAnAddressThatIsNotTheHostsAreDropped(String destination) throws Exception {
        NetStack s = stack(LOCAL);
        s.prefixLength(24);
        int dst = Ipv4Address.parse(destination);
        s.deliver(segment(REMOTE, dst, 40000, 80, TcpFlags.SYN));
        s.deliver(segment(REMOTE, dst, 40000, 81, TcpFlags.ACK));
        s.deliver(echo(REMOTE, dst));
        assertThat(sent).isEmpty();
        assertThat(s.counter(Counter.IN_ADDR_ERRORS)).isEqualTo(3);
        assertThat(s.counter(Counter.IN_ECHOS)).isZero();
    }

    @ParameterizedTest(name = "options {0}")
    @ValueSource(strings = {
            "01 01 01 00", // NOP NOP NOP EOL
            "07 07 04 00 00 00 00 01", // record route (length 7, room for one address), NOP
            "00 ff ff ff", // EOL: what follows is not looked at
            "94 04 00 00"}) // router alert (length 4)
    void soundIpOptionsAreTaken(String hex) throws Exception {
        NetStack s = stack(LOCAL);
        s.deliver(PacketEdits.withIpOptions(segment(REMOTE, LOCAL, 40000, 80, TcpFlags.SYN), bytes(hex)));
        s.deliver(PacketEdits.withIpOptions(echo(REMOTE, LOCAL), bytes(hex)));
        assertThat(sent).hasSize(2);
        assertThat(s.counter(Counter.IN_HDR_ERRORS)).isZero();
    }

    @ParameterizedTest(name = "options {0}")
    @ValueSource(strings = {
            "07 00 00 00", // length 0
            "07 01 00 00", // length 1
            "07 ff 00 00", // length 255: past the header
            "01 01 01 07", // a kind with no room for its length byte
            "94 04 00 00 44 0c 05 00"}) // a timestamp option of 12 bytes in 4 bytes left
    void unsoundIpOptionLengthsAreHeaderErrors(String hex) throws Exception {
        NetStack s = stack(LOCAL);
        s.deliver(PacketEdits.withIpOptions(segment(REMOTE, LOCAL, 40000, 80, TcpFlags.SYN), bytes(hex)));
        s.deliver(PacketEdits.withIpOptions(segment(REMOTE, LOCAL, 40000, 81, TcpFlags.ACK), bytes(hex)));
        s.deliver(PacketEdits.withIpOptions(echo(REMOTE, LOCAL), bytes(hex)));
        assertThat(sent).isEmpty();
        assertThat(s.counter(Counter.IN_HDR_ERRORS)).isEqualTo(3);
        assertThat(drops).hasSize(3).allSatisfy(d -> assertThat(d.reason()).isEqualTo("bad IPv4 option length"));
    }

    private static byte[] bytes(String hex) {
        String[] parts = hex.split(" ");
        byte[] b = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) b[i] = (byte) Integer.parseInt(parts[i], 16);
        return b;
    }
}
