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
}
