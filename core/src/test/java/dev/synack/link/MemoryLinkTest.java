package dev.synack.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import dev.synack.stack.Counter;
import dev.synack.stack.NetStack;
import dev.synack.tcp.TcpConfig;
import dev.synack.trace.TraceEvent;
import dev.synack.wire.IpAddress;
import dev.synack.wire.Icmpv4;
import dev.synack.wire.Ipv4Address;
import dev.synack.wire.TcpPacket;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * MemoryLink's caller-runs delivery: order per path, no deadlock between stacks sending to each
 * other, a host stopped while others send, and errors of the receiving stack kept from the thread
 * that carried the packet. The time limits are far above what the work takes: they turn a hang
 * into a failure, they do not measure speed.
 */
@Timeout(120)
class MemoryLinkTest {
    private static final long GENEROUS_SECONDS = 60;

    @Test
    void packetsSentFromManyThreadsArriveInTheOrderEachThreadSentThem() throws Exception {
        int threads = 8;
        int perThread = 400;
        try (MemoryLink link = new MemoryLink()) {
            NetStack a = link.addHost("a", "10.0.0.1", TcpConfig.linux());
            // Two destinations, so that the drain's runs of packets to one host are cut short too.
            NetStack[] to = {link.addHost("b", "10.0.0.2", TcpConfig.linux()), link.addHost("c", "10.0.0.3", TcpConfig.linux())};
            List<Queue<int[]>> arrived = List.of(new ConcurrentLinkedQueue<>(), new ConcurrentLinkedQueue<>());
            for (int d = 0; d < to.length; d++) {
                Queue<int[]> q = arrived.get(d);
                to[d].addPacketTap((stack, now, outbound, packet) -> {
                    if (!outbound && Icmpv4.isIcmp(packet) && Icmpv4.type(packet) == Icmpv4.TYPE_ECHO_REQUEST) {
                        q.add(new int[] {Icmpv4.identifier(packet), Icmpv4.sequence(packet)});
                    }
                });
            }
            AtomicInteger replies = new AtomicInteger();
            a.addPacketTap((stack, now, outbound, packet) -> {
                if (!outbound && Icmpv4.isIcmp(packet) && Icmpv4.type(packet) == Icmpv4.TYPE_ECHO_REPLY) replies.incrementAndGet();
            });
            List<Thread> senders = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                senders.add(Thread.ofPlatform().start(() -> {
                    ByteBuffer first = ByteBuffer.allocate(128);
                    ByteBuffer second = ByteBuffer.allocate(128);
                    Random random = new Random(id);
                    for (int seq = 0; seq < perThread; seq++) {
                        // Echo number seq to both destinations, in a random order.
                        int d = random.nextInt(to.length);
                        first.clear().limit(Icmpv4.writeEchoRequest(first, a.address(), to[d].address(), 64, id, seq, new byte[seq % 50]));
                        second.clear().limit(Icmpv4.writeEchoRequest(second, a.address(), to[1 - d].address(), 64, id, seq, new byte[0]));
                        // As the stack does: transmit under the sender's lock, delivered once it is released.
                        a.lock();
                        try {
                            link.transmit(a, first);
                            link.transmit(a, second);
                        } finally {
                            a.unlock();
                        }
                    }
                }));
            }
            for (Thread s : senders) assertThat(s.join(Duration.ofSeconds(GENEROUS_SECONDS))).isTrue();
            int total = threads * perThread;
            waitFor(() -> arrived.get(0).size() == total && arrived.get(1).size() == total && replies.get() == 2 * total);

            for (Queue<int[]> q : arrived) {
                int[] next = new int[threads];
                for (int[] p : q) {
                    assertThat(p[1]).as("echo %d of thread %d", p[1], p[0]).isEqualTo(next[p[0]]);
                    next[p[0]]++;
                }
                assertThat(next).containsOnly(perThread);
            }
            assertThat(link.deliveryErrors()).isZero();
        }
    }

    @Test
    void twoStacksStreamingToEachOtherFromManyThreadsNeverDeadlock() throws Exception {
        int perDirection = 6;
        int size = 60_000;
        try (MemoryLink link = new MemoryLink();
             ExecutorService handlers = Executors.newVirtualThreadPerTaskExecutor();
             ExecutorService clients = Executors.newFixedThreadPool(2 * perDirection)) {
            NetStack a = link.addHost("a", "10.0.0.1", TcpConfig.linux());
            NetStack b = link.addHost("b", "10.0.0.2", TcpConfig.linux());
            echoServer(a, 7, perDirection, handlers);
            echoServer(b, 7, perDirection, handlers);
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 2 * perDirection; i++) {
                NetStack from = i % 2 == 0 ? a : b;
                NetStack to = i % 2 == 0 ? b : a;
                long seed = 1000L + i;
                results.add(clients.submit(() -> echoes(from, to, 7, size, seed)));
            }
            for (Future<Boolean> r : results) {
                try {
                    assertThat(r.get(GENEROUS_SECONDS, TimeUnit.SECONDS)).isTrue();
                } catch (TimeoutException e) {
                    long[] deadlocked = ManagementFactory.getThreadMXBean().findDeadlockedThreads();
                    throw new AssertionError("no progress in " + GENEROUS_SECONDS + " s; deadlocked threads: "
                            + (deadlocked == null ? "none" : Arrays.toString(deadlocked)), e);
                }
            }
            assertThat(link.deliveryErrors()).isZero();
        }
    }

    @Test
    void aHostStoppedWhileOthersSendLosesItsPacketsAndTheOthersCarryOn() throws Exception {
        try (MemoryLink link = new MemoryLink();
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            NetStack a = link.addHost("a", "10.0.0.1", TcpConfig.linux());
            NetStack b = link.addHost("b", "10.0.0.2", TcpConfig.linux());
            NetStack c = link.addHost("c", "10.0.0.3", TcpConfig.linux());
            Queue<String> drops = new ConcurrentLinkedQueue<>();
            a.addTraceListener(e -> {
                if (e instanceof TraceEvent.Packet p && p.direction() == TraceEvent.Direction.DROP) drops.add(p.reason());
            });
            echoServer(c, 7, 1, threads);
            TcpServerSocket sink = new TcpServerSocket(b, 9, 1);
            AtomicLong sunk = new AtomicLong();
            AtomicReference<TcpSocket> sinkSocket = new AtomicReference<>();
            var _ = threads.submit(() -> {
                try (TcpSocket s = sink.accept()) {
                    sinkSocket.set(s);
                    ByteBuffer buffer = ByteBuffer.allocate(8192);
                    int n;
                    while ((n = s.read(buffer.clear())) >= 0) sunk.addAndGet(n);
                }
                return null;
            });
            TcpSocket toB = new TcpSocket(a);
            toB.connect(new InetSocketAddress("10.0.0.2", 9), Duration.ofSeconds(10));
            AtomicReference<Throwable> writerEnd = new AtomicReference<>();
            Thread writer = Thread.ofPlatform().start(() -> {
                ByteBuffer chunk = ByteBuffer.allocate(16_384);
                try {
                    while (true) toB.write(chunk.clear());
                } catch (Throwable t) {
                    writerEnd.set(t);
                }
            });
            waitFor(() -> sunk.get() > 200_000);

            b.close(); // in the middle of the stream: a's writer may be delivering to b right now

            assertThat(echoes(a, c, 7, 100_000, 5)).isTrue();
            TcpSocket late = new TcpSocket(a);
            assertThatThrownBy(() -> late.connect(new InetSocketAddress("10.0.0.2", 9), Duration.ofMillis(300)))
                    .isInstanceOf(SocketTimeoutException.class);
            assertThat(drops).contains("host stopped");
            toB.close();
            assertThat(writer.join(Duration.ofSeconds(GENEROUS_SECONDS))).isTrue();
            assertThat(writerEnd.get()).isInstanceOf(IOException.class);
            assertThat(link.deliveryErrors()).isZero();
            sinkSocket.get().close(); // b's reader waits for bytes that will never come
        }
    }

    @Test
    void anErrorWhileTheDestinationProcessesAPacketNeverReachesTheSendingThread() throws Exception {
        try (MemoryLink link = new MemoryLink();
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            NetStack a = link.addHost("a", "10.0.0.1", TcpConfig.linux());
            NetStack b = link.addHost("b", "10.0.0.2", TcpConfig.linux());
            AtomicBoolean failed = new AtomicBoolean();
            // A tap is called inside b's processing; b catches and counts an Error from it itself.
            b.addPacketTap((stack, now, outbound, packet) -> {
                if (!outbound && packet.remaining() > 200 && failed.compareAndSet(false, true)) {
                    throw new Error("the receiving stack fails on this packet");
                }
            });
            TcpServerSocket ss = new TcpServerSocket(b, 9, 1);
            Future<byte[]> received = threads.submit(() -> {
                try (TcpSocket s = ss.accept(Duration.ofSeconds(GENEROUS_SECONDS))) {
                    return s.getInputStream().readAllBytes();
                }
            });
            byte[] data = new byte[20_000];
            new Random(9).nextBytes(data);
            // The sending thread carries its segments into b itself: it would see the Error if it escaped.
            try (TcpSocket s = new TcpSocket(a)) {
                s.connect(new InetSocketAddress("10.0.0.2", 9), Duration.ofSeconds(GENEROUS_SECONDS));
                s.getOutputStream().write(data);
                s.shutdownOutput();
                assertThat(received.get(GENEROUS_SECONDS, TimeUnit.SECONDS)).isEqualTo(data);
            }
            assertThat(failed).isTrue();
            assertThat(b.counter(Counter.INTERNAL_ERRORS)).isEqualTo(1);
            assertThat(link.deliveryErrors()).isZero();
        }
    }

    @Test
    void theConnectingThreadCarriesItsOwnHandshake() throws Exception {
        int connections = 20;
        try (MemoryLink link = new MemoryLink();
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            NetStack a = link.addHost("a", "10.0.0.1", TcpConfig.linux());
            NetStack b = link.addHost("b", "10.0.0.2", TcpConfig.linux());
            Map<Integer, Thread> synCarriers = new ConcurrentHashMap<>();
            b.addPacketTap((stack, now, outbound, packet) -> {
                int tcp = packet.position() + 20;
                boolean syn = (packet.get(tcp + 13) & 0x12) == 0x02; // SYN without ACK
                if (!outbound && packet.get(packet.position() + 9) == 6 && syn) {
                    synCarriers.put(packet.getShort(tcp) & 0xffff, Thread.currentThread());
                }
            });
            TcpServerSocket ss = new TcpServerSocket(b, 9, connections);
            var _ = threads.submit(() -> {
                for (int i = 0; i < connections; i++) ss.accept(Duration.ofSeconds(GENEROUS_SECONDS)).close();
                return null;
            });
            int carriedByCaller = 0;
            int carriedByLoops = 0;
            for (int i = 0; i < connections; i++) {
                try (TcpSocket s = new TcpSocket(a)) {
                    s.connect(new InetSocketAddress("10.0.0.2", 9), Duration.ofSeconds(GENEROUS_SECONDS));
                    Thread carrier = synCarriers.get(s.getLocalAddress().getPort());
                    if (carrier == Thread.currentThread()) carriedByCaller++;
                    else if (carrier.getName().startsWith("synack-")) carriedByLoops++;
                }
            }
            // Caller-runs delivery: the connecting thread carries its SYN into b, unless an event loop
            // happened to drain first (rare) or the accept thread held b's lock (then the SYN is left
            // to it: MemoryLink.lockForDelivery).
            assertThat(carriedByLoops).as("SYNs carried by an event loop").isLessThan(connections / 4);
            assertThat(carriedByCaller).isPositive();
        }
    }

    /** A connected pair across {@code link}: [a's socket, b's socket]. */
    private static TcpSocket[] connectedPair(NetStack a, NetStack b, ExecutorService threads) throws Exception {
        TcpServerSocket ss = new TcpServerSocket(b, 9, 1);
        Future<TcpSocket> accepted = threads.submit(() -> ss.accept(Duration.ofSeconds(GENEROUS_SECONDS)));
        TcpSocket client = new TcpSocket(a);
        client.connect(new InetSocketAddress("10.0.0.2", 9), Duration.ofSeconds(GENEROUS_SECONDS));
        TcpSocket server = accepted.get(GENEROUS_SECONDS, TimeUnit.SECONDS);
        ss.close();
        return new TcpSocket[] {client, server};
    }

    /**
     * A thread carrying a packet to a host whose lock another thread holds does not wait for that
     * lock: it leaves the packet, and the holder's release delivers it (as Linux leaves a segment in
     * the backlog of a socket a user call owns). Before, the writer below waited for the lock the
     * test holds until the test let go: the test's wait for the write timed out.
     */
    @Test
    void aPacketForAHostWhoseLockIsHeldIsLeftToTheHolder() throws Exception {
        try (MemoryLink link = new MemoryLink();
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            NetStack a = link.addHost("a", "10.0.0.1", TcpConfig.linux());
            NetStack b = link.addHost("b", "10.0.0.2", TcpConfig.linux());
            TcpSocket[] pair = connectedPair(a, b, threads);
            long before = b.counter(Counter.IN_SEGS);
            long left = link.leftForLockHolders();
            b.lock();
            try {
                assertThat(b.hasWaitingCalls()).isFalse();
                Future<Integer> write = threads.submit(() -> pair[0].write(ByteBuffer.wrap(new byte[] {42})));
                assertThat(write.get(10, TimeUnit.SECONDS)).as("the write returned while b's lock was held").isEqualTo(1);
                assertThat(b.counter(Counter.IN_SEGS)).as("nothing reached b meanwhile").isEqualTo(before);
                assertThat(link.leftForLockHolders()).isGreaterThan(left);
            } finally {
                b.unlock(); // delivers what was left (or leaves it to b's event loop, should it hold the lock now)
            }
            ByteBuffer got = ByteBuffer.allocate(1);
            assertThat(pair[1].read(got)).isEqualTo(1);
            assertThat(got.get(0)).isEqualTo((byte) 42);
            assertThat(a.counter(Counter.RETRANS_SEGS)).isZero();
            for (TcpSocket s : pair) s.close();
        }
    }

    /**
     * While a call waits on a host, its waiter lets go of the host's lock without telling the link,
     * so a packet left for the lock's holder could stay where it is until a timer fires. A carrier
     * then waits for the lock instead. Here the holder is the waiting call itself: its condition,
     * looked at holding the lock just before it waits, starts the write: whichever thread carries
     * the segment must wait for the lock (the wait lets it in) and leave nothing to the holder;
     * a segment left would stay until an event loop's next round.
     */
    @Test
    void aPacketForAHostWithAWaitingCallIsNotLeftToTheLocksHolder() throws Exception {
        try (MemoryLink link = new MemoryLink();
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            NetStack a = link.addHost("a", "10.0.0.1", TcpConfig.linux());
            NetStack b = link.addHost("b", "10.0.0.2", TcpConfig.linux());
            TcpSocket[] pair = connectedPair(a, b, threads);
            AtomicInteger looks = new AtomicInteger();
            AtomicBoolean countedWhileWaiting = new AtomicBoolean();
            long left = link.leftForLockHolders();
            java.util.function.BooleanSupplier arrived = () -> {
                try {
                    // Look 1 comes before the call counts as waiting; look 2 is the waiter's, just before it waits.
                    if (looks.incrementAndGet() == 2) {
                        countedWhileWaiting.set(b.hasWaitingCalls());
                        Future<Integer> write = threads.submit(() -> pair[0].write(ByteBuffer.wrap(new byte[] {42})));
                        try {
                            // Well inside the tail loss probe's 200 ms for one segment out, which
                            // would retransmit the segment while this thread still holds b's lock.
                            write.get(50, TimeUnit.MILLISECONDS);
                        } catch (TimeoutException expected) {
                            // The writer waits for the lock this thread holds; the wait below lets it in.
                        }
                        return false;
                    }
                    return pair[1].getInputStream().available() > 0;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            };
            b.lock();
            try {
                assertThat(b.awaitUntil(arrived, b.deadlineAfter(Duration.ofSeconds(GENEROUS_SECONDS)))).isTrue();
            } finally {
                b.unlock();
            }
            assertThat(countedWhileWaiting).isTrue();
            assertThat(looks.get()).isGreaterThan(2);
            assertThat(link.leftForLockHolders()).as("packets left to the holder of b's lock").isEqualTo(left);
            assertThat(a.counter(Counter.RETRANS_SEGS)).isZero();
            assertThat(b.hasWaitingCalls()).isFalse();
            for (TcpSocket s : pair) s.close();
        }
    }

    @Test
    void anOutboxKeepsItsOrderAcrossGrowthAndReusesItsBuffers() {
        Outbox outbox = new Outbox();
        int next = 0;
        int expected = 0;
        ByteBuffer source = ByteBuffer.allocate(5000);
        for (int round = 0; round < 50; round++) {
            for (int k = 0; k < round % 40; k++) {
                int n = 1 + (next * 97) % 4999;
                source.clear().putInt(0, next).limit(Math.max(4, n));
                outbox.add(source);
                next++;
            }
            while (outbox.size() > round % 7) {
                ByteBuffer first = outbox.first();
                assertThat(first.getInt(first.position())).isEqualTo(expected);
                assertThat(first.remaining()).isEqualTo(Math.max(4, 1 + (expected * 97) % 4999));
                outbox.removeFirst();
                expected++;
            }
        }
        while (!outbox.isEmpty()) {
            assertThat(outbox.first().getInt(0)).isEqualTo(expected++);
            outbox.removeFirst();
        }
        assertThat(expected).isEqualTo(next);
        assertThat(outbox.first()).isNull();
        assertThatThrownBy(outbox::removeFirst).isInstanceOf(IllegalStateException.class);
    }

    /** Decoded packets keep their order while the outbox grows, whether or not reservations are abandoned. */
    @Test
    void decodedPacketsKeepTheirOrderAcrossGrowth() {
        Outbox outbox = new Outbox();
        int next = 0;
        int expected = 0;
        for (int round = 0; round < 60; round++) {
            for (int k = 0; k < round % 45; k++) {
                TcpPacket p = outbox.reserveDecoded();
                p.destinationAddress(next).segment().seq(next);
                if (k % 5 == 4) continue; // abandoned: the same slot is handed out again
                outbox.commitDecoded(p);
                next++;
            }
            while (outbox.size() > round % 9) {
                assertThat(outbox.firstDecoded().segment().seq()).isEqualTo(expected);
                assertThat(outbox.firstDecoded().destinationAddress()).isEqualTo(expected);
                outbox.removeFirst();
                expected++;
            }
        }
        while (!outbox.isEmpty()) {
            assertThat(outbox.firstDecoded().segment().seq()).isEqualTo(expected++);
            outbox.removeFirst();
        }
        assertThat(expected).isEqualTo(next);
        assertThat(outbox.firstDecoded()).isNull();
    }

    /**
     * One thread fills the outbox while another empties it, as a stack's lock holder and a drainer
     * do: every packet arrives once, in order, while the ring grows under the consumer's feet.
     */
    @Test
    void aProducerAndAConsumerOnTwoThreadsKeepTheOrder() throws Exception {
        Outbox outbox = new Outbox();
        int packets = 200_000;
        AtomicBoolean consumerGone = new AtomicBoolean();
        Thread producer = Thread.ofPlatform().daemon().start(() -> {
            for (int i = 0; i < packets; i++) {
                // Up to 300 waiting at a time, so that the ring grows several times.
                while (outbox.size() > 300) {
                    if (consumerGone.get()) return;
                    Thread.onSpinWait();
                }
                if (i % 3 == 0) {
                    ByteBuffer b = outbox.reserve(8);
                    b.putInt(0, i).limit(4);
                    outbox.commitReserved(b, false);
                } else {
                    TcpPacket p = outbox.reserveDecoded();
                    p.segment().seq(i);
                    outbox.commitDecoded(p);
                }
            }
        });
        int expected = 0;
        try {
            while (expected < packets) {
                if (outbox.isEmpty()) {
                    // A producer that died (an exception) adds nothing more: fail rather than wait for ever.
                    assertThat(producer.isAlive() || !outbox.isEmpty()).as("the producer ended after %d packets", expected).isTrue();
                    Thread.onSpinWait();
                    continue;
                }
                TcpPacket p = outbox.firstDecoded();
                int got = p != null ? p.segment().seq() : outbox.first().getInt(0);
                assertThat(got).isEqualTo(expected);
                assertThat(p == null).isEqualTo(expected % 3 == 0);
                outbox.removeFirst();
                expected++;
            }
        } finally {
            consumerGone.set(true);
        }
        assertThat(producer.join(Duration.ofSeconds(GENEROUS_SECONDS))).isTrue();
        assertThat(outbox.isEmpty()).isTrue();
    }

    /** A stack encodes straight into a reserved slot; nothing counts until it is handed back. */
    @Test
    void aReservedSlotCountsOnlyOnceTransmitted() {
        Outbox outbox = new Outbox();
        ByteBuffer slot = outbox.reserve(1500);
        assertThat(slot.capacity()).isGreaterThanOrEqualTo(1500);
        assertThat(outbox.isEmpty()).isTrue();
        assertThat(outbox.reserve(100)).as("an abandoned reservation is handed out again").isSameAs(slot);
        slot.putInt(0, 42).limit(4);
        assertThatThrownBy(() -> outbox.commitReserved(ByteBuffer.allocate(4), true)).isInstanceOf(IllegalStateException.class);
        outbox.commitReserved(slot, true);
        assertThat(outbox.size()).isEqualTo(1);
        assertThat(outbox.first().getInt(0)).isEqualTo(42);
        assertThat(outbox.firstTrusted()).isTrue();
        assertThat(outbox.reserve(100)).as("the next slot, not the one in flight").isNotSameAs(slot);
    }

    @Test
    void aPacketToNoHostIsDroppedAndTraced() throws Exception {
        try (MemoryLink link = new MemoryLink()) {
            NetStack a = link.addHost("a", "10.0.0.1", TcpConfig.linux());
            Queue<String> drops = new ConcurrentLinkedQueue<>();
            a.addTraceListener(e -> {
                if (e instanceof TraceEvent.Packet p && p.direction() == TraceEvent.Direction.DROP) drops.add(p.reason());
            });
            TcpSocket s = new TcpSocket(a);
            assertThatThrownBy(() -> s.connect(new InetSocketAddress("10.0.0.9", 9), Duration.ofMillis(200)))
                    .isInstanceOf(SocketTimeoutException.class);
            assertThat(drops).contains("no host at " + Ipv4Address.format(Ipv4Address.parse("10.0.0.9")));
        }
    }

    /** An echo server on {@code stack}: each of {@code connections} accepted sockets gets its bytes back. */
    static void echoServer(NetStack stack, int port, int connections, ExecutorService threads) throws IOException {
        TcpServerSocket ss = new TcpServerSocket(stack, port, connections);
        var _ = threads.submit(() -> {
            for (int i = 0; i < connections; i++) {
                TcpSocket s = ss.accept(Duration.ofSeconds(GENEROUS_SECONDS));
                var _ = threads.submit(() -> {
                    try (s) {
                        s.getOutputStream().write(s.getInputStream().readAllBytes());
                    }
                    return null;
                });
            }
            return null;
        });
    }

    /** Sends {@code size} seeded bytes to the echo server and checks that the same come back. */
    static boolean echoes(NetStack from, NetStack to, int port, int size, long seed) throws IOException {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        try (TcpSocket s = new TcpSocket(from)) {
            s.connect(new InetSocketAddress(Ipv4Address.format(to.address()), port), Duration.ofSeconds(GENEROUS_SECONDS));
            // Write from another thread so that a full window in both directions cannot stall the test itself.
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    s.getOutputStream().write(data);
                    s.shutdownOutput();
                } catch (IOException e) {
                    // The read below sees the same failure.
                }
            });
            byte[] back = s.getInputStream().readAllBytes();
            try {
                writer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Arrays.equals(back, data);
        }
    }

    /** Polls until {@code done} holds; fails after {@link #GENEROUS_SECONDS} (a hang, not slowness). */
    private static void waitFor(java.util.function.BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GENEROUS_SECONDS);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not done after " + GENEROUS_SECONDS + " s");
            Thread.sleep(5);
        }
    }
}
