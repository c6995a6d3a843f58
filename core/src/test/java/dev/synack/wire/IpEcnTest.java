package dev.synack.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The ECN field (RFC 3168 §5) written and read by the codec, and a router's CE mark, in both IP versions. */
class IpEcnTest {
    private static ByteBuffer encoded(boolean ipv6, int ecn) {
        TcpPacket p = new TcpPacket();
        if (ipv6) {
            p.source(IpAddress.parse("fd00::1")).destination(IpAddress.parse("fd00::2"));
        } else {
            p.source(IpAddress.parse("10.0.0.1")).destination(IpAddress.parse("10.0.0.2"));
        }
        p.segment().sourcePort(40000).destinationPort(80).seq(1).ack(2).flags(TcpFlags.ACK | TcpFlags.PSH).window(100)
                .payload(ByteBuffer.wrap(new byte[] {1, 2, 3})).ecn(ecn);
        ByteBuffer out = ByteBuffer.allocate(PacketCodec.encodedLength(p));
        PacketCodec.encode(p, out);
        return out.flip();
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void theCodecCarriesEachCodepoint(boolean ipv6) {
        for (int ecn = 0; ecn <= IpEcn.MASK; ecn++) {
            ByteBuffer packet = encoded(ipv6, ecn);
            assertThat(IpEcn.of(packet)).isEqualTo(ecn);
            TcpPacket back = new TcpPacket();
            assertThat(PacketCodec.decode(packet, back)).isEqualTo(ParseResult.OK);
            assertThat(back.segment().ecn()).isEqualTo(ecn);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aRouterMarksOnlyEcnCapablePacketsAndKeepsThemValid(boolean ipv6) {
        ByteBuffer notEct = encoded(ipv6, IpEcn.NOT_ECT);
        assertThat(IpEcn.markCongestion(notEct)).isFalse();
        assertThat(IpEcn.of(notEct)).isEqualTo(IpEcn.NOT_ECT);
        ByteBuffer ect = encoded(ipv6, IpEcn.ECT0);
        assertThat(IpEcn.markCongestion(ect)).isTrue();
        TcpPacket back = new TcpPacket();
        assertThat(PacketCodec.decode(ect, back)).as("header checksum rewritten").isEqualTo(ParseResult.OK);
        assertThat(back.segment().ecn()).isEqualTo(IpEcn.CE);
        assertThat(back.segment().toString()).endsWith("[ce]");
    }
}
