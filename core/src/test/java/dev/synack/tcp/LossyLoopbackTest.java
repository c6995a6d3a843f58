package dev.synack.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.wire.IpAddress;
import dev.synack.wire.TcpSegment;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.PriorityQueue;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two engines wired back to back through an in-memory path that loses, duplicates, delays and
 * reorders segments (all drawn from one seed): every byte arrives exactly once and in order, both
 * ways, and both connections end released. Virtual time, so TIME_WAIT costs nothing.
 */
class LossyLoopbackTest {
    static final int CLIENT = 0x0a000001;
    static final int SERVER = 0x0a000002;
    static final long MS = 1_000_000L;

    record InFlight(long at, long order, int destination, TcpSegment segment) {}

    static final class World implements TcpOutput {
        final Random random;
        final double loss;
        final double duplication;
        final long baseDelay;
        final long jitter;
        /**
         * Carry a stable payload window as it is, shared with the sender's send buffer (as
         * dev.synack.link.MemoryLink does), rather than a copy: the receiver may then borrow it.
         */
        boolean lending;
        long now;
        long order;
        final PriorityQueue<InFlight> inFlight = new PriorityQueue<>(
                (a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.order, b.order));
        int sent;
        int lost;
        int duplicated;
        final StringBuilder badEvents = new StringBuilder();

        World(long seed, double loss, double duplication, long baseDelay, long jitter) {
            this.random = new Random(seed);
            this.loss = loss;
            this.duplication = duplication;
            this.baseDelay = baseDelay;
            this.jitter = jitter;
        }

        @Override
        public boolean carriesPayloadWindows() {
            return lending;
        }

        @Override
        public void send(IpAddress source, IpAddress destination, TcpSegment segment, long at) {
            sent++;
            int copies = random.nextDouble() < duplication ? 2 : 1;
            if (copies == 2) duplicated++;
            for (int i = 0; i < copies; i++) {
                if (random.nextDouble() < loss) {
                    lost++;
                    continue;
                }
                long delay = baseDelay + (jitter == 0 ? 0 : (long) (random.nextDouble() * jitter));
                TcpSegment carried = lending && segment.payloadStable() ? new TcpSegment().copyFrom(segment) : segment.copy();
                inFlight.add(new InFlight(at + delay, order++, destination.ipv4(), carried));
            }
        }

        @Override
        public void stateChanged(Connection c, TcpState from, TcpState to, String cause, long at) {
            if (c.error() == TcpError.CONNECTION_RESET || c.error() == TcpError.CONNECTION_TIMED_OUT) {
                badEvents.append(c.tuple()).append(' ').append(from).append("->").append(to).append(' ').append(cause).append('\n');
            }
        }

        @Override public void timerFired(Connection c, String timer, long at) { }
        @Override public void segmentDropped(Connection c, TcpSegment s, String reason, long at) { }
        @Override public void wakeup(Connection c) { }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
    void everyByteArrivesExactlyOnceInOrderBothWaysUnderLossDuplicationAndReordering(long seed) {
        run(seed, TcpConfig.linux(), 0.05, 0.03, 5 * MS, 4 * MS, 150_000, 60_000);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {21, 22, 23, 24})
    void plainHeadersAndSmallBuffersUnderHeavyLoss(long seed) {
        TcpConfig config = EngineHarness.plain().toBuilder()
                .receiveBufferSize(6000).sendBufferSize(5000).quickAcks(2).build();
        run(seed, config, 0.15, 0.05, 2 * MS, 3 * MS, 40_000, 30_000);
    }

    static Stream<Arguments> optionCombinations() {
        Stream.Builder<Arguments> b = Stream.builder();
        long seed = 100;
        for (boolean sack : new boolean[] {true, false}) {
            for (boolean timestamps : new boolean[] {true, false}) {
                for (CongestionAlgorithm cc : CongestionAlgorithm.values()) {
                    for (int i = 0; i < 2; i++) b.add(Arguments.of(seed++, sack, timestamps, cc));
                }
            }
        }
        return b.build();
    }

    /**
     * SACK on and off, timestamps on and off, both congestion controls, on a path that reorders a lot
     * (jitter of several segment times) and loses 8 %: exactly once and in order, both ways.
     */
    @ParameterizedTest(name = "seed {0}, sack {1}, timestamps {2}, {3}")
    @MethodSource("optionCombinations")
    void everyOptionCombinationDeliversExactlyOnceInOrder(long seed, boolean sack, boolean timestamps, CongestionAlgorithm cc) {
        TcpConfig config = TcpConfig.linux().toBuilder().sack(sack).timestamps(timestamps).congestionAlgorithm(cc).build();
        run(seed, config, 0.08, 0.03, 5 * MS, 10 * MS, 200_000, 50_000);
    }

    /**
     * The path carries each stable payload as the sender's own bytes, as an in-memory link does, so
     * the receivers take in-order data over by reference (ReceiveQueue.borrow) while the senders
     * keep writing and the path loses, duplicates and reorders: late duplicates and retransmissions
     * show the sender's bytes of the moment, and the senders must never write over bytes a receiver
     * has borrowed and not yet read. Exactly once and in order, both ways.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {41, 42, 43, 44, 45, 46})
    void receiversBorrowingTheSendersBytesStillGetEveryByteOnceInOrder(long seed) {
        long borrowed = run(seed, TcpConfig.linux(), 0.05, 0.03, 5 * MS, 4 * MS, 300_000, 120_000, true);
        assertThat(borrowed).as("seed %d: bytes borrowed", seed).isPositive();
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {51, 52, 53, 54})
    void borrowingWithSmallBuffersUnderHeavyLoss(long seed) {
        TcpConfig config = EngineHarness.plain().toBuilder()
                .receiveBufferSize(6000).sendBufferSize(5000).quickAcks(2).build();
        long borrowed = run(seed, config, 0.15, 0.05, 2 * MS, 3 * MS, 60_000, 40_000, true);
        assertThat(borrowed).as("seed %d: bytes borrowed", seed).isPositive();
    }

    private void run(long seed, TcpConfig config, double loss, double dup, long delay, long jitter,
                     int clientBytes, int serverBytes) {
        run(seed, config, loss, dup, delay, jitter, clientBytes, serverBytes, false);
    }

    /** Returns how many bytes the two receivers borrowed rather than copied. */
    private long run(long seed, TcpConfig config, double loss, double dup, long delay, long jitter,
                     int clientBytes, int serverBytes, boolean lending) {
        World world = new World(seed, loss, dup, delay, jitter);
        world.lending = lending;
        Random appRandom = new Random(seed * 31 + 7);
        byte[] up = new byte[clientBytes];
        byte[] down = new byte[serverBytes];
        appRandom.nextBytes(up);
        appRandom.nextBytes(down);

        Connection client = Connection.active(config, new FourTuple(CLIENT, 40000, SERVER, 80),
                IsnGenerator.fixed((int) (seed * 0x9E3779B9L)), world);
        Listener listener = new Listener(config, SERVER, 80, 8, IsnGenerator.fixed((int) (seed * 0x85EBCA6BL)), world);
        Connection server = null;
        Connection accepted = null;

        ByteArrayOutputStream clientGot = new ByteArrayOutputStream();
        ByteArrayOutputStream serverGot = new ByteArrayOutputStream();
        int clientWritten = 0;
        int serverWritten = 0;
        boolean clientEof = false;
        boolean serverEof = false;
        ByteBuffer readBuf = ByteBuffer.allocate(3000);

        client.connect(world.now);
        int steps = 0;
        while (steps++ < 2_000_000) {
            // applications
            // A connection released after a half-close (TIME_WAIT over) still holds what its reader
            // has not read yet: the applications read on to end of file (as from a Linux socket in
            // CLOSE after tcp_time_wait), they only stop writing.
            if (client.isConnectDone() && client.error() == null) {
                if (clientWritten < up.length && !client.isReleased()) {
                    int chunk = Math.min(up.length - clientWritten, 1 + appRandom.nextInt(4000));
                    clientWritten += client.write(ByteBuffer.wrap(up, clientWritten, chunk), world.now);
                    if (clientWritten == up.length) client.shutdown(ShutdownHow.WRITE, world.now);
                }
                // A borrowing receiver reads lazily, so that borrowed bytes wait unread while the
                // sender goes on writing over its ring.
                while (!clientEof && (!lending || appRandom.nextInt(4) == 0)) {
                    readBuf.clear();
                    int n = client.read(readBuf, world.now);
                    if (n < 0) {
                        clientEof = true;
                        if (!client.isReleased()) client.close(world.now);
                    }
                    if (n <= 0) break;
                    clientGot.write(readBuf.array(), 0, n);
                }
            }
            if (accepted == null) accepted = listener.accept();
            if (accepted != null && accepted.error() == null) {
                if (serverWritten < down.length && !accepted.isReleased()) {
                    int chunk = Math.min(down.length - serverWritten, 1 + appRandom.nextInt(4000));
                    serverWritten += accepted.write(ByteBuffer.wrap(down, serverWritten, chunk), world.now);
                }
                while (!serverEof && (!lending || appRandom.nextInt(4) == 0)) {
                    readBuf.clear();
                    int n = accepted.read(readBuf, world.now);
                    if (n < 0) serverEof = true;
                    if (n <= 0) break;
                    serverGot.write(readBuf.array(), 0, n);
                }
                if (serverEof && serverWritten == down.length && !accepted.isReleased()) accepted.close(world.now);
            }
            boolean serverDone = accepted != null && accepted.isReleased();
            if (client.isReleased() && serverDone && clientEof && serverEof) break;

            // the next event: a segment arriving or a timer
            long next = client.nextDeadline();
            if (server != null) next = Math.min(next, server.nextDeadline());
            InFlight head = world.inFlight.peek();
            if (head != null && head.at() <= next) {
                world.inFlight.poll();
                world.now = Math.max(world.now, head.at());
                if (head.destination() == CLIENT) {
                    client.segmentArrived(head.segment(), world.now);
                } else if (server != null && !server.isReleased()) {
                    server.segmentArrived(head.segment(), world.now);
                } else {
                    Connection child = listener.segmentArrived(SERVER, CLIENT, head.segment(), world.now);
                    if (child != null) server = child;
                }
            } else if (next != Long.MAX_VALUE) {
                world.now = Math.max(world.now, next);
                if (client.nextDeadline() <= world.now) client.deadlineReached(world.now);
                if (server != null && server.nextDeadline() <= world.now) server.deadlineReached(world.now);
            } else if (head == null && !lending) {
                break; // nothing can happen any more (a lazy reader may still have bytes to read: go on)
            }
        }

        System.out.printf("seed %d: %d segments sent, %d lost, %d duplicated, finished at %.3f s%n",
                seed, world.sent, world.lost, world.duplicated, world.now / 1e9);
        assertThat(world.lost).as("seed %d: the path lost segments", seed).isPositive();
        assertThat(world.badEvents.toString()).as("seed %d: errors", seed).isEmpty();
        assertThat(serverGot.toByteArray()).as("seed %d: client -> server stream", seed).isEqualTo(up);
        assertThat(clientGot.toByteArray()).as("seed %d: server -> client stream", seed).isEqualTo(down);
        assertThat(client.isReleased()).as("seed %d: client released (state %s)", seed, client.state()).isTrue();
        assertThat(accepted).as("seed %d: accepted", seed).isNotNull();
        assertThat(accepted.isReleased()).as("seed %d: server released (state %s)", seed, accepted.state()).isTrue();
        assertThat(client.error()).as("seed %d", seed).isNull();
        assertThat(accepted.error()).as("seed %d", seed).isNull();
        return client.bytesBorrowed() + accepted.bytesBorrowed();
    }
}
