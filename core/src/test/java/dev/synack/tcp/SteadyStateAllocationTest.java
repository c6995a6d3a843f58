package dev.synack.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.synack.wire.IpAddress;
import dev.synack.wire.TcpSegment;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * Once a bulk transfer is under way the engine allocates nothing per segment: two connections wired
 * back to back through a preallocated queue move data while the JVM's per-thread allocation counter
 * watches. Skipped where the JVM does not offer that counter.
 */
class SteadyStateAllocationTest {
    static final int CLIENT = 0x0a000001;
    static final int SERVER = 0x0a000002;
    static final int SLOTS = 256;

    /** A preallocated FIFO of segment copies, so that no engine call runs inside another. */
    static final class Wire implements TcpOutput {
        final TcpSegment[] segments = new TcpSegment[SLOTS];
        final ByteBuffer[] payloads = new ByteBuffer[SLOTS];
        final IpAddress[] destinations = new IpAddress[SLOTS];
        /** The client's address: segments to it go to the client, the rest to the server. */
        IpAddress client;
        int head;
        int size;
        long now;
        /** Every n-th data segment is overtaken by the one behind it (0: never). */
        int reorderEvery;
        int dataSegments;
        int swaps;
        /** Carry stable payload windows as they are (as an in-memory link does): the receiver borrows them. */
        boolean lending;
        /** Copies of data the receiver already holds (spurious retransmissions) that arrived and were dropped. */
        int duplicates;

        Wire() {
            for (int i = 0; i < SLOTS; i++) {
                segments[i] = new TcpSegment();
                payloads[i] = ByteBuffer.allocate(2048);
            }
        }

        @Override
        public void send(IpAddress source, IpAddress destination, TcpSegment s, long at) {
            if (size == SLOTS) throw new AssertionError("wire overflow");
            int i = (head + size++) % SLOTS;
            TcpSegment copy = segments[i].clear().sourcePort(s.sourcePort()).destinationPort(s.destinationPort())
                    .seq(s.seq()).ack(s.ack()).flags(s.flags()).window(s.window());
            copy.options().copyFrom(s.options());
            destinations[i] = destination;
            if (lending && s.payloadStable()) {
                copy.payloadOf(s);
                return;
            }
            ByteBuffer p = payloads[i];
            int len = s.payloadLength();
            p.clear();
            s.copyPayload(0, p, 0, len);
            p.limit(len);
            copy.payload(p);
            destinations[i] = destination;
        }

        void pump(Connection client, Connection server) {
            while (size > 0) {
                int i = head;
                head = (head + 1) % SLOTS;
                size--;
                if (reorderEvery > 0 && size > 0 && segments[i].payloadLength() > 0 && ++dataSegments % reorderEvery == 0) {
                    swaps++;
                    int j = head; // the next one overtakes this one
                    head = (head + 1) % SLOTS;
                    size--;
                    (destinations[j].equals(this.client) ? client : server).segmentArrived(segments[j], now);
                }
                (destinations[i].equals(this.client) ? client : server).segmentArrived(segments[i], now);
            }
        }

        @Override public void stateChanged(Connection c, TcpState from, TcpState to, String cause, long at) { }
        @Override public void timerFired(Connection c, String timer, long at) { }
        @Override public void segmentDropped(Connection c, TcpSegment s, String reason, long at) {
            // With reordering on this path without delay, RACK deems an overtaken segment lost at once (its
            // reordering window, a quarter of a round trip that takes no time, is zero) and the copy arrives
            // as a duplicate; anything else dropped is a fault.
            if (reorderEvery > 0 && reason.equals("unacceptable sequence number") && s.payloadLength() > 0) {
                duplicates++;
                return;
            }
            throw new AssertionError("unexpected drop: " + reason);
        }
        @Override public void wakeup(Connection c) { }
    }

    @Test
    void bulkTransferAllocatesNothingPerSegment() {
        run(0);
    }

    /** Reordering exercises reassembly in the ring, SACK blocks, the scoreboard and limited transmit. */
    @Test
    void reorderedBulkTransferAllocatesNothingPerSegmentEither() {
        run(5);
    }

    /**
     * Over an in-memory path the receiver takes the payload by reference (ReceiveQueue.borrow): the
     * ranges it keeps and the sender's pinned ring cost nothing per segment once warm either.
     */
    @Test
    void borrowedBulkTransferAllocatesNothingPerSegment() {
        Connection server = run(0, true);
        assertThat(server.bytesBorrowed()).as("bytes the receiver borrowed").isGreaterThan(300L * 64 * 1024);
    }

    /** Over IPv6 (addresses of 128 bits, the IPv6 MSS) the engine allocates nothing per segment either. */
    @Test
    void ipv6BulkTransferAllocatesNothingPerSegment() {
        Connection server = run(0, false, IpAddress.parse("fd00::1"), IpAddress.parse("fd00::2"));
        assertThat(server.tuple().isIpv6()).isTrue();
        assertThat(server.effectiveMss()).as("MTU 1500 - 60, less timestamps").isEqualTo(1440 - 12);
    }

    private void run(int reorderEvery) {
        run(reorderEvery, false);
    }

    private Connection run(int reorderEvery, boolean lending) {
        return run(reorderEvery, lending, IpAddress.ipv4(CLIENT), IpAddress.ipv4(SERVER));
    }

    private Connection run(int reorderEvery, boolean lending, IpAddress clientAddress, IpAddress serverAddress) {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "no per-thread allocation counter in this JVM");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
                "per-thread allocation counting unavailable");

        TcpConfig config = TcpConfig.linux();
        Wire wire = new Wire();
        wire.reorderEvery = reorderEvery;
        wire.lending = lending;
        wire.client = clientAddress;
        Connection client = Connection.active(config, new FourTuple(clientAddress, 40000, serverAddress, 80), IsnGenerator.fixed(7), wire);
        IsnGenerator serverIsn = IsnGenerator.fixed(9);
        Listener listener = new Listener(config, serverAddress, 80, 4, serverIsn, serverIsn.synCookies(), wire);
        client.connect(wire.now);
        // the SYN goes to the listener; everything after to the child
        int i = wire.head;
        wire.head = (wire.head + 1) % SLOTS;
        wire.size--;
        Connection server = listener.segmentArrived(serverAddress, clientAddress, wire.segments[i], wire.now);
        wire.pump(client, server);
        assertThat(client.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(listener.accept()).isSameAs(server);

        ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
        ByteBuffer sink = ByteBuffer.allocate(64 * 1024);
        long moved = transfer(client, server, wire, chunk, sink, 300);
        long threadId = Thread.currentThread().threadId();
        long before = threads.getThreadAllocatedBytes(threadId);
        moved += transfer(client, server, wire, chunk, sink, 300);
        long allocated = threads.getThreadAllocatedBytes(threadId) - before;

        long segments = 300L * chunk.capacity() / client.effectiveMss();
        assertThat(moved).isEqualTo(600L * chunk.capacity());
        if (reorderEvery > 0) assertThat(wire.swaps).as("segments overtaken").isGreaterThan(1000);
        // less than one byte per segment: a single object per segment would be 16 bytes or more
        assertThat(allocated).as("bytes allocated while moving %d segments", segments).isLessThan(segments);
        return server;
    }

    private static long transfer(Connection client, Connection server, Wire wire, ByteBuffer chunk, ByteBuffer sink, int rounds) {
        long moved = 0;
        for (int r = 0; r < rounds; r++) {
            chunk.clear();
            while (chunk.hasRemaining()) {
                client.write(chunk, wire.now);
                wire.now += 1_000;
                wire.pump(client, server);
                while (true) {
                    sink.clear();
                    int n = server.read(sink, wire.now);
                    if (n <= 0) break;
                    moved += n;
                }
                wire.pump(client, server);
                if (client.nextDeadline() <= wire.now) client.deadlineReached(wire.now);
                if (server.nextDeadline() <= wire.now) server.deadlineReached(wire.now);
                wire.pump(client, server);
            }
        }
        return moved;
    }
}
