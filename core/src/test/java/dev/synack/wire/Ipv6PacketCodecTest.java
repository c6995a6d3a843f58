package dev.synack.wire;

import static dev.synack.wire.WireBytes.hex;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * IPv6 packets carrying TCP, against packets built by an independent tool (scapy 2.5: the layers
 * named beside each vector), so that the header layout and both checksums are checked from outside.
 */
class Ipv6PacketCodecTest {
    private static final IpAddress A = IpAddress.parse("fd00::1");
    private static final IpAddress B = IpAddress.parse("fd00::2");

    /** IPv6(src=fd00::1, dst=fd00::2, fl=0x12345, hlim=64)/TCP(40000 > 80, S, seq 1000, win 65535, MSS 1440). */
    private static final String SYN = "6001234500180640fd000000000000000000000000000001fd000000000000000000000000000002"
            + "9c400050000003e8000000006002fffffdbd0000020405a0";

    /** IPv6(2001:db8::1 > 2001:db8::2)/TCP(80 > 40000, PA, seq 5, ack 7, win 512)/"hello". */
    private static final String DATA = "600000000019064020010db800000000000000000000000120010db8000000000000000000000002"
            + "00509c4000000005000000075018020071e4000068656c6c6f";

    /**
     * fd00::1 > fd00::2 with Hop-by-Hop (Router Alert), Destination Options (PadN) and a Routing
     * header with no segments left, then TCP(1 > 2, A, seq 3, ack 4, win 100).
     */
    private static final String EXTENSIONS = "60000000003c0040fd000000000000000000000000000001fd000000000000000000000000000002"
            + "3c000502000001002b000104000000000602000000000000fd00000000000000000000000000000900010002000000030000000450100064b5620000";

    /** fd00::1 > fd00::2, a Fragment header (offset 0, M 0, id 7), then TCP. */
    private static final String FRAGMENT = "60000000001c2c40fd000000000000000000000000000001fd000000000000000000000000000002"
            + "06000000000000070001000200000000000000005002200095db0000";

    private static ParseResult decode(byte[] bytes, TcpPacket into) {
        return PacketCodec.decode(ByteBuffer.wrap(bytes), into);
    }

    @Test
    void decodesASynWithItsFlowLabelAndOptions() {
        TcpPacket packet = new TcpPacket();
        assertThat(decode(hex(SYN), packet)).isEqualTo(ParseResult.OK);
        assertThat(packet.isIpv6()).isTrue();
        assertThat(packet.sourceIp()).isEqualTo(A);
        assertThat(packet.destinationIp()).isEqualTo(B);
        assertThat(packet.ttl()).isEqualTo(64);
        assertThat(packet.flowLabel()).isEqualTo(0x12345);
        assertThat(packet.segment().seq()).isEqualTo(1000);
        assertThat(packet.segment().options().mss()).isEqualTo(1440);
        assertThat(packet.source()).isEqualTo("[fd00::1]:40000");
    }

    @Test
    void encodesBothVectorsByteForByte() {
        TcpPacket syn = new TcpPacket().source(A).destination(B).ttl(64).flowLabel(0x12345);
        syn.segment().sourcePort(40000).destinationPort(80).seq(1000).flags(TcpFlags.SYN).window(65535).options().mss(1440);
        ByteBuffer out = ByteBuffer.allocate(200);
        assertThat(PacketCodec.encode(syn, out)).isEqualTo(64);
        assertThat(WireBytes.toArray(out, 0, 64)).isEqualTo(hex(SYN));

        TcpPacket data = new TcpPacket().source(IpAddress.parse("2001:db8::1")).destination(IpAddress.parse("2001:db8::2"));
        data.segment().sourcePort(80).destinationPort(40000).seq(5).ack(7).flags(TcpFlags.PSH | TcpFlags.ACK).window(512)
                .payload(ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII)));
        out.clear();
        assertThat(PacketCodec.encode(data, out)).isEqualTo(65);
        assertThat(WireBytes.toArray(out, 0, 65)).isEqualTo(hex(DATA));
    }

    @Test
    void aCorruptedByteFailsTheChecksumOverThePseudoHeader() {
        byte[] bytes = hex(DATA);
        bytes[23] ^= 1; // the source address: only the pseudo-header covers it
        assertThat(decode(bytes, new TcpPacket())).isEqualTo(ParseResult.BAD_TCP_CHECKSUM);
    }

    @Test
    void hopByHopDestinationOptionsAndAFinishedRoutingHeaderAreSkipped() {
        TcpPacket packet = new TcpPacket();
        assertThat(decode(hex(EXTENSIONS), packet)).isEqualTo(ParseResult.OK);
        assertThat(packet.segment().seq()).isEqualTo(3);
        assertThat(packet.segment().ack()).isEqualTo(4);
        assertThat(packet.segment().window()).isEqualTo(100);
    }

    @Test
    void aRoutingHeaderWithSegmentsLeftIsDropped() {
        byte[] bytes = hex(EXTENSIONS);
        bytes[40 + 8 + 8 + 3] = 1; // segments left
        assertThat(decode(bytes, new TcpPacket())).isEqualTo(ParseResult.ROUTING_SEGMENTS_LEFT);
    }

    @Test
    void anOptionThatAsksForDiscardDropsThePacket() {
        byte[] bytes = hex(EXTENSIONS);
        bytes[40 + 8 + 2] = (byte) 0x87; // Destination Options: PadN becomes unknown type 10 000111
        assertThat(decode(bytes, new TcpPacket())).isEqualTo(ParseResult.UNKNOWN_IPV6_OPTION);
        bytes[40 + 8 + 2] = 0x07; // unknown but "skip over this option": accepted
        assertThat(decode(bytes, new TcpPacket())).isEqualTo(ParseResult.OK);
    }

    @Test
    void hopByHopAnywhereButFirstIsDropped() {
        byte[] bytes = hex(EXTENSIONS);
        bytes[40] = 0; // Hop-by-Hop's next header: another Hop-by-Hop
        assertThat(decode(bytes, new TcpPacket())).isEqualTo(ParseResult.BAD_EXTENSION_HEADER);
    }

    @Test
    void fragmentsNoNextHeaderAndUnknownHeadersAreDroppedWithTheirReason() {
        assertThat(decode(hex(FRAGMENT), new TcpPacket())).isEqualTo(ParseResult.IPV6_FRAGMENT);
        byte[] bytes = hex(DATA);
        bytes[6] = 59;
        assertThat(decode(bytes, new TcpPacket())).isEqualTo(ParseResult.NO_NEXT_HEADER);
        bytes[6] = 51; // AH
        assertThat(decode(bytes, new TcpPacket())).isEqualTo(ParseResult.UNKNOWN_NEXT_HEADER);
        bytes[6] = 17;
        assertThat(decode(bytes, new TcpPacket())).isEqualTo(ParseResult.NOT_TCP);
    }

    @Test
    void lengthsThatDisagreeWithTheBytesAreTruncated() {
        byte[] bytes = hex(DATA);
        bytes[5]++; // one byte more payload than there is
        assertThat(decode(bytes, new TcpPacket())).isEqualTo(ParseResult.TRUNCATED);
        byte[] ext = hex(EXTENSIONS);
        ext[41] = 9; // Hop-by-Hop claiming 80 bytes
        assertThat(decode(ext, new TcpPacket())).isEqualTo(ParseResult.TRUNCATED);
    }

    @Test
    void anIpv4MappedAddressOnTheWireIsRefused() {
        TcpPacket packet = new TcpPacket().source(A).destination(B);
        packet.segment().sourcePort(1).destinationPort(2).flags(TcpFlags.SYN);
        ByteBuffer out = ByteBuffer.allocate(100);
        PacketCodec.encode(packet, out);
        byte[] bytes = WireBytes.toArray(out, 0, out.position());
        // Rewrite the source to ::ffff:10.0.0.1; the TCP checksum is fixed up by the same words.
        byte[] mapped = IpAddress.parse("::ffff:10.0.0.1").toMappedInet6Address().getAddress();
        System.arraycopy(mapped, 0, bytes, 8, 16);
        assertThat(decode(bytes, new TcpPacket())).isEqualTo(ParseResult.BAD_IPV6_ADDRESS);
    }

    @Test
    void ipv4PacketsStillCarryIpv4Addresses() {
        TcpPacket packet = new TcpPacket().sourceAddress(Ipv4Address.parse("10.0.0.1")).destinationAddress(Ipv4Address.parse("10.0.0.2"));
        assertThat(packet.isIpv6()).isFalse();
        assertThat(packet.sourceIp()).isEqualTo(IpAddress.ipv4(Ipv4Address.parse("10.0.0.1")));
        assertThat(packet.sourceIp().toString()).isEqualTo("10.0.0.1");
    }
}
