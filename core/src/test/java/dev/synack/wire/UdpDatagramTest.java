package dev.synack.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** UDP datagrams written and read back: checksums of both families, RFC 768's zero checksum, lengths. */
class UdpDatagramTest {
    private static ByteBuffer packet(String source, String destination, String payload) {
        ByteBuffer out = ByteBuffer.allocate(200);
        int n = UdpDatagram.write(out, IpAddress.parse(source), 4000, IpAddress.parse(destination), 53,
                ByteBuffer.wrap(payload.getBytes()), 64);
        return out.limit(n);
    }

    private static int udpChecksumAt(ByteBuffer p, boolean v6) {
        return Bytes.u16(p, (v6 ? 40 : 20) + 6);
    }

    @Test
    void writtenDatagramsReadBackWithTheirFields() {
        for (String[] a : new String[][] {{"10.0.0.2", "198.18.0.53"}, {"fd00::2", "fd01::53"}}) {
            ByteBuffer p = packet(a[0], a[1], "hello");
            assertThat(UdpDatagram.isUdp(p)).isTrue();
            UdpDatagram d = new UdpDatagram();
            assertThat(d.read(p, true)).isNull();
            assertThat(d.source()).isEqualTo(IpAddress.parse(a[0]));
            assertThat(d.destination()).isEqualTo(IpAddress.parse(a[1]));
            assertThat(d.sourcePort()).isEqualTo(4000);
            assertThat(d.destinationPort()).isEqualTo(53);
            assertThat(d.payloadLength()).isEqualTo(5);
            assertThat(p.get(d.payloadOffset())).isEqualTo((byte) 'h');
        }
    }

    @Test
    void aDamagedDatagramIsRefusedUnlessTheLinkVouchedForIt() {
        ByteBuffer p = packet("10.0.0.2", "10.0.0.1", "hello");
        p.put(p.limit() - 1, (byte) 'X');
        UdpDatagram d = new UdpDatagram();
        assertThat(d.read(p, true)).isEqualTo("UDP: bad checksum");
        assertThat(d.read(p, false)).isNull();
    }

    @Test
    void aZeroChecksumMeansNoneOverIpv4ButIsAnErrorOverIpv6() {
        ByteBuffer v4 = packet("10.0.0.2", "10.0.0.1", "hello");
        Bytes.putU16(v4, 26, 0);
        assertThat(new UdpDatagram().read(v4, true)).isNull();
        ByteBuffer v6 = packet("fd00::2", "fd00::1", "hello");
        assertThat(udpChecksumAt(v6, true)).isNotZero();
        Bytes.putU16(v6, 46, 0);
        assertThat(new UdpDatagram().read(v6, true)).isEqualTo("UDP over IPv6 without a checksum");
    }

    @Test
    void aLengthFieldLongerThanThePacketIsRefused() {
        ByteBuffer p = packet("10.0.0.2", "10.0.0.1", "hello");
        Bytes.putU16(p, 24, 200);
        assertThat(new UdpDatagram().read(p, false)).contains("length field 200");
    }
}
