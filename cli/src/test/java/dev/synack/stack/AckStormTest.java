package dev.synack.stack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.fuzz.PacketEdits;
import dev.synack.tcp.IsnGenerator;
import dev.synack.tcp.TcpConfig;
import dev.synack.wire.Icmpv4;
import dev.synack.wire.Ipv4Address;
import dev.synack.wire.PacketCodec;
import dev.synack.wire.TcpFlags;
import dev.synack.wire.TcpPacket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import org.junit.jupiter.api.Test;

/**
 * What an attacker can make a stack send, in virtual time: a LAND SYN or a mirrored segment does
 * not start an endless exchange of ACKs; RSTs and echo replies are limited when configured so.
 */
class AckStormTest {
    private static final int LOCAL = Ipv4Address.parse("10.0.0.1");
    private static final int PEER = Ipv4Address.parse("10.0.0.2");
    private static final long MICROS = 1_000L;
    private static final long TWO_SECONDS = Duration.ofSeconds(2).toNanos();

    private long now;
    /** Packets the stack sent that the network is about to bring back to it. */
    private final ArrayDeque<ByteBuffer> returning = new ArrayDeque<>();
    private int sentCount;

    /** A stack whose every packet comes back to it as it was (a LAND loop) or mirrored (addresses and ports swapped). */
    private NetStack reflectingStack(int address, TcpConfig config, boolean mirror) throws Exception {
        NetStack s = new NetStack("host", address, config, () -> now, IsnGenerator.fixed(1000), 1);
        s.attach((from, packet) -> {
            sentCount++;
            ByteBuffer copy = PacketEdits.copy(packet);
            returning.add(mirror ? mirrored(copy) : copy);
        }, null);
        Listening.on(s, 80, 8);
        return s;
    }

    private static ByteBuffer mirrored(ByteBuffer p) {
        int ihl = (p.get(0) & 0x0f) * 4;
        int src = p.getInt(12);
        p.putInt(12, p.getInt(16)).putInt(16, src);
        short srcPort = p.getShort(ihl);
        p.putShort(ihl, p.getShort(ihl + 2)).putShort(ihl + 2, srcPort);
        return PacketEdits.fixChecksums(p);
    }

    /** Lets 2 s pass, the network taking 100 us to bring each packet back; returns the packets the stack sent. */
    private int runTwoSeconds(NetStack s) {
        long end = now + TWO_SECONDS;
        while (now < end) {
            now += 100 * MICROS;
            ByteBuffer p = returning.poll();
            if (p != null) s.deliver(p);
            s.fireTimers(now);
        }
        return sentCount;
    }

    private static ByteBuffer segment(int src, int dst, int srcPort, int dstPort, int seq, int ack, int flags) {
        TcpPacket p = new TcpPacket().sourceAddress(src).destinationAddress(dst);
        p.segment().sourcePort(srcPort).destinationPort(dstPort).seq(seq).ack(ack).flags(flags).window(1000);
        ByteBuffer out = ByteBuffer.allocate(PacketCodec.encodedLength(p));
        PacketCodec.encode(p, out);
        return out.flip();
    }

    @Test
    void aLandSynIsDroppedAsAMartian() throws Exception {
        NetStack s = reflectingStack(LOCAL, TcpConfig.linux(), false);
        s.deliver(segment(LOCAL, LOCAL, 80, 80, 2_000_000_000, 0, TcpFlags.SYN));
        assertThat(runTwoSeconds(s)).isZero();
        assertThat(s.counter(Counter.IN_MARTIAN_SRC)).isEqualTo(1);
    }

    /**
     * On loopback the host's own address is a fine source, so a LAND SYN makes a connection with
     * itself whose every segment is out of its own window: the per-connection limit stops the loop.
     */
    @Test
    void aLandSynOnLoopbackMakesNoStorm() throws Exception {
        int loopback = Ipv4Address.parse("127.0.0.1");
        NetStack s = reflectingStack(loopback, TcpConfig.linux(), false);
        s.deliver(segment(loopback, loopback, 80, 80, 2_000_000_000, 0, TcpFlags.SYN));
        int sent = runTwoSeconds(s);
        // SYN-ACK, one challenge ACK, then one ACK per 500 ms at most (and the SYN-ACK's retransmission after 1 s).
        assertThat(sent).isBetween(2, 8);
        assertThat(s.counter(Counter.TCP_ACK_SKIPPED_SYN_RECV) + s.counter(Counter.TCP_ACK_SKIPPED_CHALLENGE)).isPositive();
    }

    @Test
    void withoutTheLimitTheSameLandSynStartsAStorm() throws Exception {
        int loopback = Ipv4Address.parse("127.0.0.1");
        NetStack s = reflectingStack(loopback, TcpConfig.linux().toBuilder().invalidRateLimit(Duration.ZERO).build(), false);
        s.deliver(segment(loopback, loopback, 80, 80, 2_000_000_000, 0, TcpFlags.SYN));
        assertThat(runTwoSeconds(s)).isGreaterThan(10_000); // one per round trip, for ever
    }

    /** An established connection whose segments a mirror sends back to it as if from the peer. */
    @Test
    void aMirroredOutOfWindowAckMakesNoStorm() throws Exception {
        NetStack s = reflectingStack(LOCAL, TcpConfig.linux(), true);
        int peerIsn = 2_000_000_000; // far from ours (1000): our own segments are out of our window
        s.deliver(segment(PEER, LOCAL, 40000, 80, peerIsn, 0, TcpFlags.SYN));
        s.deliver(segment(PEER, LOCAL, 40000, 80, peerIsn + 1, 1001, TcpFlags.ACK));
        returning.clear(); // the SYN-ACK went to the peer
        sentCount = 0;
        s.deliver(segment(PEER, LOCAL, 40000, 80, peerIsn + 1 + 1_000_000, 1001, TcpFlags.ACK));
        assertThat(runTwoSeconds(s)).isEqualTo(1);
        assertThat(s.counter(Counter.TCP_ACK_SKIPPED_SEQ)).isEqualTo(1);
    }

    @Test
    void linuxSendsEveryResetAndEchoReply() throws Exception {
        NetStack s = reflectingStack(LOCAL, TcpConfig.linux(), false);
        for (int i = 0; i < 300; i++) s.deliver(segment(PEER, LOCAL, 40000 + i, 81, 5, 777, TcpFlags.ACK));
        for (int i = 0; i < 300; i++) s.deliver(echo(i));
        assertThat(sentCount).isEqualTo(600);
    }

    @Test
    void resetsForNoConnectionAreLimitedWhenConfigured() throws Exception {
        NetStack s = reflectingStack(LOCAL, TcpConfig.linux().toBuilder().resetRateLimit(200).build(), false);
        for (int i = 0; i < 1000; i++) s.deliver(segment(PEER, LOCAL, 40000 + i, 81, 5, 777, TcpFlags.ACK));
        assertThat(sentCount).isEqualTo(200); // a second's worth at once
        now += Duration.ofMillis(100).toNanos();
        for (int i = 0; i < 1000; i++) s.deliver(segment(PEER, LOCAL, 40000 + i, 81, 5, 777, TcpFlags.ACK));
        assertThat(sentCount).isEqualTo(220); // and 200 a second from then on
        assertThat(s.counter(Counter.OUT_RSTS_RATE_LIMITED)).isEqualTo(1780);
        assertThat(s.counter(Counter.OUT_RSTS)).isEqualTo(220);
    }

    @Test
    void echoRepliesAreLimitedWhenConfiguredAsLinuxsGlobalIcmpBudget() throws Exception {
        NetStack s = reflectingStack(LOCAL, TcpConfig.linux().toBuilder().echoReplyRateLimit(1000, 50).build(), false);
        for (int i = 0; i < 100; i++) s.deliver(echo(i));
        assertThat(sentCount).isEqualTo(50);
        now += Duration.ofMillis(10).toNanos();
        for (int i = 0; i < 100; i++) s.deliver(echo(i));
        assertThat(sentCount).isEqualTo(60);
        assertThat(s.counter(Counter.OUT_RATE_LIMIT_GLOBAL)).isEqualTo(140);
        assertThat(s.counter(Counter.OUT_ECHO_REPS)).isEqualTo(60);
    }

    private static ByteBuffer echo(int sequence) {
        ByteBuffer b = ByteBuffer.allocate(64);
        b.limit(Icmpv4.writeEchoRequest(b, PEER, LOCAL, 64, 7, sequence, new byte[] {'x'}));
        return b;
    }
}
