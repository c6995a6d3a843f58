package dev.synack.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class Icmpv4ErrorTest {
    private static final int HOST = Ipv4Address.parse("10.7.0.1");
    private static final int PEER = Ipv4Address.parse("10.9.0.2");
    private static final int ROUTER = Ipv4Address.parse("10.8.0.254");

    /** A 1500-byte TCP segment HOST:40000 -> PEER:80 with sequence number 0x89abcdef, as encoded on the wire. */
    private static ByteBuffer sentSegment() {
        TcpPacket p = new TcpPacket().sourceAddress(HOST).destinationAddress(PEER);
        p.segment().sourcePort(40000).destinationPort(80).seq(0x89abcdef).ack(5).flags(TcpFlags.ACK).window(1000)
                .payload(ByteBuffer.allocate(1460));
        ByteBuffer out = ByteBuffer.allocate(2000);
        int n = PacketCodec.encode(p, out);
        return out.position(0).limit(n);
    }

    @Test
    void aFragmentationNeededMessageRoundTripsWithItsMtuAndTheQuotedTcpFields() {
        ByteBuffer sent = sentSegment();
        ByteBuffer icmp = ByteBuffer.allocate(200);
        int n = Icmpv4Error.write(icmp, ROUTER, HOST, Icmpv4Error.TYPE_DESTINATION_UNREACHABLE,
                Icmpv4Error.CODE_FRAGMENTATION_NEEDED, Icmpv4Error.fragmentationNeededWord(1200), sent,
                Icmpv4Error.minimalQuote(sent));
        icmp.limit(n);
        assertThat(n).isEqualTo(20 + 8 + 20 + 8);
        assertThat(Icmpv4.isIcmp(icmp)).isTrue();
        Icmpv4Error e = new Icmpv4Error();
        assertThat(e.parse(icmp)).isNull();
        assertThat(e.type()).isEqualTo(3);
        assertThat(e.code()).isEqualTo(4);
        assertThat(e.nextHopMtu()).isEqualTo(1200);
        assertThat(e.source()).isEqualTo(ROUTER);
        assertThat(e.destination()).isEqualTo(HOST);
        assertThat(e.quotedSource()).isEqualTo(HOST);
        assertThat(e.quotedDestination()).isEqualTo(PEER);
        assertThat(e.quotedProtocol()).isEqualTo(TcpPacket.PROTOCOL_TCP);
        assertThat(e.quotedSourcePort()).isEqualTo(40000);
        assertThat(e.quotedDestinationPort()).isEqualTo(80);
        assertThat(e.quotedSequence()).isEqualTo(0x89abcdef);
    }

    @Test
    void aQuoteBuiltFromFieldsReadsBackTheSame() {
        ByteBuffer icmp = ByteBuffer.allocate(200);
        int n = Icmpv4Error.writeQuotingTcp(icmp, PEER, HOST, Icmpv4Error.TYPE_TIME_EXCEEDED, 0, 0, HOST, PEER, 1500,
                40000, 80, 77);
        icmp.limit(n);
        Icmpv4Error e = new Icmpv4Error();
        assertThat(e.parse(icmp)).isNull();
        assertThat(e.type()).isEqualTo(Icmpv4Error.TYPE_TIME_EXCEEDED);
        assertThat(e.quotedSequence()).isEqualTo(77);
        assertThat(e.quotedDestinationPort()).isEqualTo(80);
    }

    @Test
    void everyUnreachableCodeParses() {
        for (int code = 0; code <= 15; code++) {
            ByteBuffer icmp = ByteBuffer.allocate(200);
            int n = Icmpv4Error.writeQuotingTcp(icmp, ROUTER, HOST, 3, code, 0, HOST, PEER, 60, 1, 2, 3);
            Icmpv4Error e = new Icmpv4Error();
            assertThat(e.parse(icmp.limit(n))).isNull();
            assertThat(e.code()).isEqualTo(code);
        }
    }

    @Test
    void malformedMessagesAreNamed() {
        ByteBuffer sent = sentSegment();
        ByteBuffer icmp = ByteBuffer.allocate(200);
        // A quote of the header and only 4 bytes of data.
        int n = Icmpv4Error.write(icmp, ROUTER, HOST, 3, 3, 0, sent, 24);
        assertThat(new Icmpv4Error().parse(icmp.limit(n))).isEqualTo("ICMP error quotes less than 8 bytes of data");
        n = Icmpv4Error.write(icmp.clear(), ROUTER, HOST, 3, 3, 0, sent, 28);
        icmp.limit(n).put(30, (byte) (icmp.get(30) ^ 1)); // flip a bit of the quote
        assertThat(new Icmpv4Error().parse(icmp)).isEqualTo("bad ICMP checksum");
        n = Icmpv4.writeEchoRequest(icmp.clear(), ROUTER, HOST, 64, 1, 1, new byte[8]);
        assertThat(new Icmpv4Error().parse(icmp.limit(n))).isEqualTo("ICMP type 8 is not an error message");
    }
}
