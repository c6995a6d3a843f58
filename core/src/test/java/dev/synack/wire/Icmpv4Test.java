package dev.synack.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class Icmpv4Test {
    private static final int A = Ipv4Address.parse("10.7.0.1");
    private static final int B = Ipv4Address.parse("10.7.0.2");

    private static ByteBuffer request(byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(100);
        int n = Icmpv4.writeEchoRequest(b, A, B, 64, 0x1234, 7, data);
        b.limit(n);
        return b;
    }

    @Test
    void aWellFormedEchoRequestIsRecognised() {
        ByteBuffer req = request(new byte[] {1, 2, 3, 4, 5});
        assertThat(Icmpv4.isIcmp(req)).isTrue();
        assertThat(Icmpv4.echoRequestProblem(req)).isNull();
        assertThat(Icmpv4.type(req)).isEqualTo(Icmpv4.TYPE_ECHO_REQUEST);
    }

    @Test
    void theReplySwapsAddressesKeepsIdSequenceAndDataAndChecksums() {
        byte[] data = {9, 8, 7, 6, 5, 4, 3}; // odd length: the checksum pads with a zero byte
        ByteBuffer req = request(data);
        ByteBuffer out = ByteBuffer.allocate(100);
        int n = Icmpv4.writeEchoReply(req, out, 64);
        out.limit(n);
        assertThat(n).isEqualTo(20 + 8 + data.length);
        assertThat(Ipv4Header.sourceAddress(out, 0)).isEqualTo(B);
        assertThat(Ipv4Header.destinationAddress(out, 0)).isEqualTo(A);
        assertThat(Ipv4Header.protocol(out, 0)).isEqualTo(Icmpv4.PROTOCOL);
        assertThat(Ipv4Header.checksumValid(out, 0)).isTrue();
        assertThat(Icmpv4.type(out)).isEqualTo(Icmpv4.TYPE_ECHO_REPLY);
        assertThat(Icmpv4.identifier(out)).isEqualTo(0x1234);
        assertThat(Icmpv4.sequence(out)).isEqualTo(7);
        assertThat(Checksum.fold(Checksum.add(0, out, 20, n - 20))).isEqualTo(0xffff);
        byte[] echoed = new byte[data.length];
        out.get(28, echoed);
        assertThat(echoed).isEqualTo(data);
        // A reply is not itself a request.
        assertThat(Icmpv4.echoRequestProblem(out)).contains("is not an echo request");
    }

    @Test
    void corruptedOrTruncatedRequestsAreRejectedWithAReason() {
        ByteBuffer badSum = request(new byte[] {1, 2, 3});
        badSum.put(30, (byte) (badSum.get(30) ^ 0x40));
        assertThat(Icmpv4.echoRequestProblem(badSum)).isEqualTo("bad ICMP checksum");

        ByteBuffer badIp = request(new byte[] {1});
        badIp.put(8, (byte) 3); // TTL changed, header checksum not
        assertThat(Icmpv4.echoRequestProblem(badIp)).isEqualTo("bad IPv4 header checksum");

        ByteBuffer truncated = request(new byte[] {1, 2, 3, 4});
        truncated.limit(truncated.limit() - 2);
        assertThat(Icmpv4.echoRequestProblem(truncated)).isEqualTo("truncated packet");

        assertThat(Icmpv4.echoRequestProblem(ByteBuffer.allocate(10))).isEqualTo("truncated packet");
        ByteBuffer v6 = ByteBuffer.allocate(40);
        v6.put(0, (byte) 0x60);
        assertThat(Icmpv4.isIcmp(v6)).isFalse();
        assertThat(Icmpv4.echoRequestProblem(v6)).isEqualTo("IP version is not 4");
    }
}
