package dev.synack.link;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.stack.Counter;
import dev.synack.stack.NetStack;
import dev.synack.tcp.TcpConfig;
import dev.synack.wire.Ipv4Address;
import dev.synack.wire.PacketCodec;
import dev.synack.wire.ParseResult;
import dev.synack.wire.TcpFlags;
import dev.synack.wire.TcpPacket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * MemoryLink's decoded delivery (TCP packets handed over as header fields and a payload window, not
 * bytes): data arrives intact both ways as windows into the senders' own bytes, and packet taps
 * still see valid packets. The time limit turns a hang into a
 * failure; it does not measure speed.
 */
@Timeout(120)
class MemoryLinkDecodedTest {

    @Test
    void echoedBytesArriveIntactBothWaysWhenEveryTcpPacketGoesDecoded() throws Exception {
        try (MemoryLink link = new MemoryLink();
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            NetStack a = link.addHost("a", "10.0.0.1", TcpConfig.linux());
            NetStack b = link.addHost("b", "10.0.0.2", TcpConfig.linux());
            MemoryLinkTest.echoServer(b, 7, 2, threads);
            assertThat(MemoryLinkTest.echoes(a, b, 7, 3_000_000, 11)).isTrue();
            assertThat(MemoryLinkTest.echoes(a, b, 7, 200_000, 12)).isTrue();
            assertThat(link.deliveryErrors()).isZero();
            // No taps, no ICMP: every segment either stack took in came decoded.
            long inSegs = a.counter(Counter.IN_SEGS) + b.counter(Counter.IN_SEGS);
            assertThat(inSegs).isPositive();
            assertThat(link.decodedDeliveries()).isEqualTo(inSegs);
            assertThat(a.counter(Counter.IN_ERRS) + b.counter(Counter.IN_ERRS)).isZero();
        }
    }

    @Test
    void aStreamThroughManySendBufferPiecesGoesWithoutACopyOnTheWay() throws Exception {
        // A 5000-byte send buffer keeps its bytes in 8 KiB pieces, no multiple of the 1460-byte MSS:
        // segments are cut where a piece ends, so every one is a window into the sender's bytes.
        TcpConfig small = TcpConfig.linux().toBuilder().sendBufferSize(5000).build();
        try (MemoryLink link = new MemoryLink();
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            NetStack a = link.addHost("a", "10.0.0.1", small);
            NetStack b = link.addHost("b", "10.0.0.2", small);
            MemoryLinkTest.echoServer(b, 7, 1, threads);
            assertThat(MemoryLinkTest.echoes(a, b, 7, 1_000_000, 21)).isTrue();
            assertThat(link.deliveryErrors()).isZero();
            assertThat(link.decodedPayloadCopies()).isZero();
            assertThat(link.decodedDeliveries()).isEqualTo(a.counter(Counter.IN_SEGS) + b.counter(Counter.IN_SEGS));
        }
    }

    @Test
    void aTapOnTheReceiverSeesEveryPacketValidAndTheBytesStillArriveIntact() throws Exception {
        try (MemoryLink link = new MemoryLink();
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            NetStack a = link.addHost("a", "10.0.0.1", TcpConfig.linux());
            NetStack b = link.addHost("b", "10.0.0.2", TcpConfig.linux());
            AtomicInteger seen = new AtomicInteger();
            List<ParseResult> bad = new CopyOnWriteArrayList<>();
            b.addPacketTap((stack, now, outbound, packet) -> {
                if (outbound) return;
                seen.incrementAndGet();
                // Checksum offload: a capture on the receiver sees the TCP checksum left zero.
                ParseResult r = PacketCodec.decode(packet, new TcpPacket(), false);
                if (r != ParseResult.OK) bad.add(r);
            });
            MemoryLinkTest.echoServer(b, 7, 1, threads);
            assertThat(MemoryLinkTest.echoes(a, b, 7, 500_000, 31)).isTrue();
            assertThat(bad).isEmpty();
            // The closing packets may still be arriving: the tap and the counter move in one hold
            // of b's lock, so read both under it.
            b.lock();
            try {
                assertThat((long) seen.get()).isEqualTo(b.counter(Counter.IN_SEGS));
            } finally {
                b.unlock();
            }
            // A tapped stack's packets go as bytes both ways: its captures see exactly what was sent.
            assertThat(link.decodedDeliveries()).isZero();
        }
    }

    @Test
    void aPacketDeliveredDecodedIsTappedAsBytesAndAnsweredAsTheEncodedOneWouldBe() throws Exception {
        try (MemoryLink link = new MemoryLink()) {
            NetStack b = link.addHost("b", "10.0.0.2", TcpConfig.linux());
            List<TcpPacket> tapped = new CopyOnWriteArrayList<>();
            b.addPacketTap((stack, now, outbound, packet) -> {
                TcpPacket p = new TcpPacket();
                assertThat(PacketCodec.decode(packet, p, false)).isEqualTo(ParseResult.OK);
                p.segment().copyFrom(p.segment().copy()); // keep it past the callback
                tapped.add(p);
            });
            TcpPacket syn = new TcpPacket().sourceAddress(Ipv4Address.parse("10.0.0.9"))
                    .destinationAddress(b.address());
            syn.segment().sourcePort(40000).destinationPort(9).seq(1000).flags(TcpFlags.SYN).window(1000)
                    .payload(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            b.deliverDecoded(syn);
            // A SYN for a closed port: counted in, answered with a reset (RFC 9293 §3.10.7.1), as
            // the same packet delivered as bytes would be.
            assertThat(b.counter(Counter.IN_SEGS)).isEqualTo(1);
            assertThat(b.counter(Counter.OUT_RSTS)).isEqualTo(1);
            assertThat(tapped).hasSize(2);
            TcpPacket in = tapped.get(0);
            assertThat(in.sourceAddress()).isEqualTo(syn.sourceAddress());
            assertThat(in.segment().seq()).isEqualTo(1000);
            assertThat(in.segment().flags()).isEqualTo(TcpFlags.SYN);
            byte[] payload = new byte[3];
            in.segment().copyPayload(0, payload, 0, 3);
            assertThat(payload).containsExactly(1, 2, 3);
            assertThat(tapped.get(1).segment().has(TcpFlags.RST)).isTrue();
            assertThat(tapped.get(1).segment().ack()).isEqualTo(1000 + 1 + 3);
        }
    }
}
