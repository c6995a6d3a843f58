package dev.synack.stack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.tcp.Rfc6528IsnGenerator;
import dev.synack.tcp.TcpConfig;
import dev.synack.wire.Icmpv4;
import dev.synack.wire.Ipv4Address;
import dev.synack.wire.Ipv4Header;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The stack's input path for what is not TCP: ICMP echo answered, the rest counted and dropped. */
class NetStackIcmpTest {
    private static final int ME = Ipv4Address.parse("10.7.0.2");
    private static final int PEER = Ipv4Address.parse("10.7.0.1");

    private final List<byte[]> sent = new ArrayList<>();
    private final List<String> tapped = new ArrayList<>();
    private final NetStack stack = new NetStack("synack", ME, TcpConfig.linux(), () -> 0L,
            Rfc6528IsnGenerator.withRandomKey(), 1);

    NetStackIcmpTest() {
        stack.attach((from, packet) -> {
            byte[] b = new byte[packet.remaining()];
            packet.duplicate().get(b);
            sent.add(b);
        }, null);
        stack.addPacketTap((s, t, outbound, packet) -> tapped.add((outbound ? "out " : "in ") + packet.remaining()));
    }

    private static ByteBuffer echoRequest(int to) {
        ByteBuffer b = ByteBuffer.allocate(64);
        b.limit(Icmpv4.writeEchoRequest(b, PEER, to, 64, 42, 1, new byte[] {'p', 'i', 'n', 'g'}));
        return b;
    }

    @Test
    void anEchoRequestIsAnsweredWithAnEchoReply() {
        stack.deliver(echoRequest(ME));
        assertThat(sent).hasSize(1);
        ByteBuffer reply = ByteBuffer.wrap(sent.getFirst());
        assertThat(Icmpv4.type(reply)).isEqualTo(Icmpv4.TYPE_ECHO_REPLY);
        assertThat(Ipv4Header.destinationAddress(reply, 0)).isEqualTo(PEER);
        assertThat(Icmpv4.identifier(reply)).isEqualTo(42);
        assertThat(stack.counter(Counter.IN_ECHOS)).isEqualTo(1);
        assertThat(stack.counter(Counter.OUT_ECHO_REPS)).isEqualTo(1);
        assertThat(tapped).containsExactly("in 32", "out 32");
    }

    @Test
    void anEchoRequestForAnotherHostIsNotAnswered() {
        stack.deliver(echoRequest(Ipv4Address.parse("10.7.0.9")));
        assertThat(sent).isEmpty();
        assertThat(stack.counter(Counter.OUT_ECHO_REPS)).isZero();
    }

    @Test
    void otherIcmpAndOtherProtocolsAreCountedAndDropped() {
        ByteBuffer reply = ByteBuffer.allocate(64);
        ByteBuffer req = echoRequest(ME);
        reply.limit(Icmpv4.writeEchoReply(req, reply, 64)); // an echo reply arriving: ignored
        stack.deliver(reply);
        assertThat(stack.counter(Counter.IN_ICMP_IGNORED)).isEqualTo(1);

        ByteBuffer udp = ByteBuffer.allocate(28);
        Ipv4Header.write(udp, 0, 28, 64, 17, PEER, ME);
        stack.deliver(udp);
        ByteBuffer ipv6 = ByteBuffer.allocate(48);
        ipv6.put(0, (byte) 0x60);
        stack.deliver(ipv6);
        assertThat(stack.counter(Counter.IN_UNKNOWN_PROTOS)).isEqualTo(1);
        // Another IP version is malformed input for the stack (links filter IPv6 out before it).
        assertThat(stack.counter(Counter.IN_ERRS)).isEqualTo(1);
        assertThat(stack.counter(Counter.INTERNAL_ERRORS)).isZero();
        assertThat(sent).isEmpty();
    }

    @Test
    void aCorruptEchoRequestCountsAsAnInputError() {
        ByteBuffer bad = echoRequest(ME);
        bad.put(bad.limit() - 1, (byte) 0x7f);
        stack.deliver(bad);
        assertThat(stack.counter(Counter.IN_ERRS)).isEqualTo(1);
        assertThat(sent).isEmpty();
    }
}
