package dev.synack.stack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.tcp.Connection;
import dev.synack.tcp.Rfc6528IsnGenerator;
import dev.synack.tcp.TcpConfig;
import dev.synack.tcp.TcpError;
import dev.synack.tcp.TcpState;
import dev.synack.trace.TraceEvent;
import dev.synack.wire.Icmpv4;
import dev.synack.wire.Icmpv4Error;
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

        ByteBuffer gre = ByteBuffer.allocate(28);
        Ipv4Header.write(gre, 0, 28, 64, 47, PEER, ME); // GRE: a protocol synack does not speak
        stack.deliver(gre);
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

    // ---- ICMP errors about segments this host sent

    private static final int ROUTER = Ipv4Address.parse("10.7.0.254");

    /** An ICMP error from the router quoting {@code sent} (a packet this stack sent), RFC 792's length. */
    private static ByteBuffer errorAbout(byte[] sent, int type, int code, int mtu) {
        ByteBuffer original = ByteBuffer.wrap(sent);
        ByteBuffer b = ByteBuffer.allocate(100);
        b.limit(Icmpv4Error.write(b, ROUTER, ME, type, code, Icmpv4Error.fragmentationNeededWord(mtu), original,
                Icmpv4Error.minimalQuote(original)));
        return b;
    }

    /** {@code sent} with its TCP sequence number replaced. */
    private static byte[] withSeq(byte[] sent, int seq) {
        byte[] copy = sent.clone();
        ByteBuffer.wrap(copy).putInt(20 + 4, seq);
        return copy;
    }

    @Test
    void portUnreachableQuotingOurSynAbortsTheConnect() throws Exception {
        Connection c = stack.connect(0, PEER, 80);
        byte[] syn = sent.getLast();
        stack.deliver(errorAbout(syn, 3, 3, 0));
        assertThat(c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(c.error()).isEqualTo(TcpError.CONNECTION_REFUSED);
        assertThat(stack.counter(Counter.ICMP_IN_DEST_UNREACHS)).isEqualTo(1);
        assertThat(stack.counter(Counter.OUT_OF_WINDOW_ICMPS)).isZero();
        assertThat(stack.connectionCount()).isZero();
    }

    @Test
    void anErrorQuotingASequenceNumberOutsideTheWindowIsCountedAndChangesNothing() throws Exception {
        Connection c = stack.connect(0, PEER, 80);
        byte[] syn = sent.getLast();
        int iss = ByteBuffer.wrap(syn).getInt(24);
        stack.deliver(errorAbout(withSeq(syn, iss + 1000), 3, 3, 0));
        stack.deliver(errorAbout(withSeq(syn, iss - 1), 3, 1, 0));
        assertThat(c.state()).isEqualTo(TcpState.SYN_SENT);
        assertThat(stack.counter(Counter.OUT_OF_WINDOW_ICMPS)).isEqualTo(2);
        assertThat(stack.counter(Counter.ICMP_IN_DEST_UNREACHS)).isEqualTo(2);
    }

    @Test
    void anErrorForNoConnectionOrAboutAnotherHostsPacketIsAnInError() throws Exception {
        Connection c = stack.connect(0, PEER, 80);
        byte[] syn = sent.getLast();
        byte[] otherPort = syn.clone();
        ByteBuffer.wrap(otherPort).putShort(20, (short) 1);
        stack.deliver(errorAbout(otherPort, 3, 3, 0));
        byte[] otherSource = syn.clone();
        ByteBuffer.wrap(otherSource).putInt(12, Ipv4Address.parse("10.7.0.3"));
        stack.deliver(errorAbout(otherSource, 3, 3, 0));
        assertThat(stack.counter(Counter.ICMP_IN_ERRORS)).isEqualTo(2);
        assertThat(c.state()).isEqualTo(TcpState.SYN_SENT);
    }

    @Test
    void sourceQuenchAndRedirectAreCountedAndIgnored() throws Exception {
        Connection c = stack.connect(0, PEER, 80);
        byte[] syn = sent.getLast();
        stack.deliver(errorAbout(syn, 4, 0, 0));
        stack.deliver(errorAbout(syn, 5, 1, 0));
        assertThat(stack.counter(Counter.ICMP_IN_SRC_QUENCHS)).isEqualTo(1);
        assertThat(stack.counter(Counter.ICMP_IN_REDIRECTS)).isEqualTo(1);
        assertThat(c.state()).isEqualTo(TcpState.SYN_SENT);
    }

    @Test
    void fragmentationNeededDuringTheOpeningIsKeptForTheMss() throws Exception {
        Connection c = stack.connect(0, PEER, 80);
        stack.deliver(errorAbout(sent.getLast(), 3, 4, 1000));
        assertThat(c.pathMtu()).isEqualTo(1000);
        assertThat(c.state()).isEqualTo(TcpState.SYN_SENT);
    }

    @Test
    void aTracedIcmpErrorShowsAsReceivedAboutItsSegment() throws Exception {
        List<TraceEvent> events = new ArrayList<>();
        stack.addTraceListener(events::add);
        Connection c = stack.connect(0, PEER, 80);
        byte[] syn = sent.getLast();
        int iss = ByteBuffer.wrap(syn).getInt(24);
        stack.deliver(errorAbout(syn, 3, 4, 1000));
        TraceEvent.Packet icmp = events.stream().filter(e -> e instanceof TraceEvent.Packet p && p.flags().startsWith("icmp"))
                .map(e -> (TraceEvent.Packet) e).findFirst().orElseThrow();
        assertThat(icmp.direction()).isEqualTo(TraceEvent.Direction.RECV);
        assertThat(icmp.flags()).isEqualTo("icmp 3/4 mtu 1000");
        assertThat(icmp.src()).isEqualTo("10.7.0.2:" + c.tuple().localPort());
        assertThat(icmp.seq()).isEqualTo(Integer.toUnsignedLong(iss));
        assertThat(icmp.reason()).isEqualTo("from 10.7.0.254");
    }
}
