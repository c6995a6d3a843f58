package dev.synack.wire;

import static dev.synack.wire.WireBytes.hex;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** ICMPv6 echo (RFC 4443 §4), against packets built by scapy 2.5. */
class Icmpv6Test {
    /** IPv6(fd00::1 > fd00::2)/ICMPv6EchoRequest(id=0x1234, seq=7, data="abcdefgh"). */
    private static final String REQUEST = "6000000000103a40fd000000000000000000000000000001fd000000000000000000000000000002"
            + "8000e1df123400076162636465666768";
    /** Its reply, IPv6(fd00::2 > fd00::1)/ICMPv6EchoReply(id=0x1234, seq=7, data="abcdefgh"). */
    private static final String REPLY = "6000000000103a40fd000000000000000000000000000002fd000000000000000000000000000001"
            + "8100e0df123400076162636465666768";

    @Test
    void aRequestIsRecognisedAndAnsweredByteForByte() {
        ByteBuffer request = ByteBuffer.wrap(hex(REQUEST));
        assertThat(Icmpv6.isIcmpv6(request)).isTrue();
        assertThat(Icmpv6.echoRequestProblem(request)).isNull();
        assertThat(Icmpv6.identifier(request)).isEqualTo(0x1234);
        assertThat(Icmpv6.sequence(request)).isEqualTo(7);
        ByteBuffer out = ByteBuffer.allocate(100);
        int length = Icmpv6.writeEchoReply(request, out, 64);
        assertThat(WireBytes.toArray(out, 0, length)).isEqualTo(hex(REPLY));
    }

    @Test
    void writesTheSameRequestAScapyBuilds() {
        ByteBuffer out = ByteBuffer.allocate(100);
        int length = Icmpv6.writeEchoRequest(out, IpAddress.parse("fd00::1"), IpAddress.parse("fd00::2"), 64, 0x1234, 7,
                "abcdefgh".getBytes(StandardCharsets.US_ASCII));
        assertThat(WireBytes.toArray(out, 0, length)).isEqualTo(hex(REQUEST));
    }

    @Test
    void badChecksumsRepliesAndTcpAreNotRequests() {
        byte[] bytes = hex(REQUEST);
        bytes[bytes.length - 1] ^= 1;
        assertThat(Icmpv6.echoRequestProblem(ByteBuffer.wrap(bytes))).isEqualTo("bad ICMPv6 checksum");
        assertThat(Icmpv6.echoRequestProblem(ByteBuffer.wrap(hex(REPLY)))).isEqualTo("ICMPv6 type 129 is not an echo request");
        bytes = hex(REQUEST);
        bytes[6] = 6;
        assertThat(Icmpv6.isIcmpv6(ByteBuffer.wrap(bytes))).isFalse();
    }

    @Test
    void neighbourDiscoveryAndListenerReportsAreLinkHousekeeping() {
        for (int type : new int[] {130, 133, 134, 135, 136, 137, 143}) assertThat(Icmpv6.isLinkHousekeeping(type)).isTrue();
        for (int type : new int[] {1, 2, 128, 129}) assertThat(Icmpv6.isLinkHousekeeping(type)).isFalse();
    }

    /** fd00::9 tells fd00::2: packet too big, MTU 1280, quoting fd00::2:80 > fd00::1:40000 seq 12345 (scapy). */
    private static final String PACKET_TOO_BIG = "6000000000443a40fd000000000000000000000000000009fd000000000000000000000000000002"
            + "0200983a000005006000000000140640fd000000000000000000000000000002fd00000000000000"
            + "000000000000000100509c40000030390000000150102000c9050000";
    /** The same router: port unreachable (code 4), quoting a SYN seq 7 (scapy). */
    private static final String UNREACHABLE = "6000000000443a40fd000000000000000000000000000009fd000000000000000000000000000002"
            + "01049e36000000006000000000140640fd000000000000000000000000000002fd00000000000000"
            + "000000000000000100509c40000000070000000050022000f9460000";

    @Test
    void packetTooBigAndUnreachableAreReadIntoAReport() {
        Icmpv6.ErrorReport ptb = Icmpv6.errorReport(ByteBuffer.wrap(hex(PACKET_TOO_BIG)));
        assertThat(ptb).isEqualTo(new Icmpv6.ErrorReport(Icmpv6.TYPE_PACKET_TOO_BIG, 0, 1280, IpAddress.parse("fd00::2"),
                IpAddress.parse("fd00::1"), 80, 40000, 12345));
        Icmpv6.ErrorReport unreachable = Icmpv6.errorReport(ByteBuffer.wrap(hex(UNREACHABLE)));
        assertThat(unreachable.type()).isEqualTo(Icmpv6.TYPE_DESTINATION_UNREACHABLE);
        assertThat(unreachable.code()).isEqualTo(4);
        assertThat(unreachable.mtu()).isZero();
        assertThat(unreachable.seq()).isEqualTo(7);
        byte[] corrupted = hex(PACKET_TOO_BIG);
        corrupted[45] ^= 1;
        assertThat(Icmpv6.errorReport(ByteBuffer.wrap(corrupted))).as("bad checksum").isNull();
        assertThat(Icmpv6.errorReport(ByteBuffer.wrap(hex(REQUEST)))).as("an echo request").isNull();
    }
}
