package dev.synack.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import dev.synack.stack.NetStack;
import dev.synack.stack.PacketTransmitter;
import dev.synack.tcp.TcpConfig;
import dev.synack.trace.TraceEvent;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The fault wrapper around another link: with a hand-driven clock, and in real time over a MemoryLink. */
@Timeout(60)
class FaultyLinkTest {
    private static final long MS = 1_000_000;

    /** A scheduler whose clock the test moves. */
    private static final class ManualScheduler implements FaultyLink.Scheduler {
        private record Task(long at, long order, Runnable task) { }
        private final PriorityQueue<Task> tasks = new PriorityQueue<>((a, b) -> a.at != b.at
                ? Long.compare(a.at, b.at) : Long.compare(a.order, b.order));
        long now;
        long order;

        @Override
        public long nanos() { return now; }

        @Override
        public void schedule(long atNanos, Runnable task) { tasks.add(new Task(atNanos, order++, task)); }

        void advanceTo(long t) {
            while (!tasks.isEmpty() && tasks.peek().at <= t) {
                Task next = tasks.poll();
                now = next.at;
                next.task.run();
            }
            now = t;
        }
    }

    private record Sent(long at, ByteBuffer packet) { }

    @Test
    void delaysDropsAndTracesWithAHandDrivenClock() {
        ManualScheduler clock = new ManualScheduler();
        List<Sent> sent = new ArrayList<>();
        PacketTransmitter wire = (from, packet) -> sent.add(new Sent(clock.nanos(), packet));
        FaultyLink link = new FaultyLink(wire, PathConditions.builder().delay(Duration.ofMillis(5)).loss(0.5).build(),
                7, clock);
        NetStack stack = new NetStack("a", dev.synack.wire.Ipv4Address.parse("10.0.0.1"), TcpConfig.linux(),
                clock::nanos, dev.synack.tcp.Rfc6528IsnGenerator.withRandomKey(), 1);
        link.attach(stack);
        List<TraceEvent> trace = new CopyOnWriteArrayList<>();
        stack.addTraceListener(trace::add);
        ByteBuffer packet = FaultPipelineTest.tcpPacket(100);
        for (int i = 0; i < 40; i++) link.transmit(stack, packet.duplicate());
        assertThat(sent).isEmpty(); // nothing before the delay has passed
        clock.advanceTo(5 * MS);
        assertThat(sent).isNotEmpty().allSatisfy(s -> assertThat(s.at()).isEqualTo(5 * MS));
        assertThat(sent.getFirst().packet()).isEqualTo(packet).isNotSameAs(packet);
        long drops = trace.stream().filter(e -> e instanceof TraceEvent.Packet p
                && p.direction() == TraceEvent.Direction.DROP && p.reason().equals("lost (random)")).count();
        assertThat(drops).isEqualTo(link.stats().lostRandom()).isEqualTo(40 - sent.size()).isPositive();
    }

    @Test
    void addHostNeedsALink() {
        FaultyLink link = new FaultyLink((from, p) -> { }, PathConditions.NONE, 1, new ManualScheduler());
        assertThatThrownBy(() -> link.addHost("a", "10.0.0.1", TcpConfig.linux()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("attach");
    }

    /** Real time: two stacks on a MemoryLink behind the faults still exchange every byte. */
    @Test
    void realTimeTransferOverALossyMemoryLink() throws Exception {
        byte[] data = new byte[100_000];
        new Random(8).nextBytes(data);
        try (MemoryLink memory = new MemoryLink();
             FaultyLink link = FaultyLink.realTime(memory, PathConditions.builder().delay(Duration.ofMillis(1))
                     .loss(0.05).duplicate(0.05).build(), 8)) {
            NetStack client = link.addHost("client", "10.0.0.1", TcpConfig.linux());
            NetStack server = link.addHost("server", "10.0.0.2", TcpConfig.linux());
            java.util.concurrent.CountDownLatch listening = new java.util.concurrent.CountDownLatch(1);
            CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
                try (TcpServerSocket ss = new TcpServerSocket(server, 80, 1)) {
                    listening.countDown();
                    try (TcpSocket s = ss.accept()) {
                        return s.getInputStream().readAllBytes();
                    }
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertThat(listening.await(10, TimeUnit.SECONDS)).isTrue();
            try (TcpSocket s = new TcpSocket(client)) {
                s.connect(new InetSocketAddress("10.0.0.2", 80));
                s.getOutputStream().write(data);
            }
            assertThat(received.get(30, TimeUnit.SECONDS)).isEqualTo(data);
            // About 100 packets each way at 5 % loss and 5 % duplication: some faults certainly fired.
            FaultStats f = link.stats();
            assertThat(f.lostRandom() + f.duplicated()).isPositive();
        }
    }
}
