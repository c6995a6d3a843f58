package dev.synack.link;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.stack.Counter;
import dev.synack.stack.NetStack;
import dev.synack.tcp.Connection;
import dev.synack.tcp.Listener;
import dev.synack.tcp.MemoryBudget;
import dev.synack.tcp.TcpConfig;
import dev.synack.tcp.TcpState;
import dev.synack.wire.Icmpv4;
import dev.synack.wire.Ipv4Address;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The stack-wide memory budget (Linux's tcp_mem and tcp_max_orphans) on two simulated hosts in
 * virtual time: connections whose readers never read fill buffers up to the hard level and no
 * further, the host goes on serving, pressure stops receive-buffer autotuning, out-of-order data
 * goes first, the memory comes back when readers read, and orphans beyond the limit are reset.
 */
@Timeout(60)
class MemoryBudgetTest {
    private static final int SERVER_ADDRESS = Ipv4Address.parse("10.0.0.2");
    private static final int CLIENT_ADDRESS = Ipv4Address.parse("10.0.0.1");
    private static final int PORT = 80;
    private static final int BUFFER = 64 * 1024;
    private static final long HIGH = 1 << 20;

    private final SimNetwork net = new SimNetwork(1);
    private final NetStack client;
    private final NetStack server;
    private final Listener listener;

    MemoryBudgetTest() {
        TcpConfig base = TcpConfig.linux().toBuilder().sendBufferSize(BUFFER).receiveBufferSize(BUFFER).build();
        client = net.addHost("client", "10.0.0.1", base);
        server = net.addHost("server", "10.0.0.2", base.toBuilder().memoryHigh(HIGH).build());
        listener = onServer(() -> {
            try {
                server.bind(PORT);
                return server.listen(PORT, 1024);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Both ends of connections made one after the other, client i paired with server i. */
    private record Pairs(List<Connection> clients, List<Connection> servers) {}

    private Pairs connectPairs(int n) {
        Pairs pairs = new Pairs(new ArrayList<>(), new ArrayList<>());
        for (int i = 0; i < n; i++) {
            pairs.clients().add(connect());
            pairs.servers().add(accept());
        }
        return pairs;
    }

    @Test
    void theDefaultLevelsFollowTheHeap() {
        MemoryBudget b = new MemoryBudget(TcpConfig.linux());
        long high = Runtime.getRuntime().maxMemory() / 4;
        assertThat(b.high()).isEqualTo(high);
        assertThat(b.pressure()).isEqualTo(high / 4 * 3);
        assertThat(b.low()).isEqualTo(high / 2);
        assertThat(b.maxOrphans()).isEqualTo((int) Math.max(64, high / (64 * 1024)));
        assertThat(server.memoryBudget().high()).isEqualTo(HIGH);
    }

    @Test
    void readersThatNeverReadFillTheBudgetToItsHardLevelAndTheHostKeepsServing() {
        int n = 40; // each end of each connection would hold 128 KiB: 5 MiB against a 1 MiB budget
        Pairs pairs = connectPairs(n);
        List<Connection> clients = pairs.clients();
        List<Connection> servers = pairs.servers();
        long[] writtenByServer = new long[n];
        ByteBuffer data = ByteBuffer.allocate(32 * 1024);
        long peak = 0;
        for (int round = 0; round < 60; round++) {
            for (int i = 0; i < n; i++) {
                Connection c = clients.get(i);
                onClient(() -> c.write(data.clear(), client.now()));
                Connection s = servers.get(i);
                writtenByServer[i] += onServer(() -> s.write(data.clear(), server.now()));
            }
            net.runFor(Duration.ofMillis(100));
            peak = Math.max(peak, server.memoryAllocated());
        }
        net.runFor(Duration.ofSeconds(5));
        // What the server holds, measured from outside: what its application wrote and the client
        // has not received, and what it received and its application did not read; and the arrays
        // its buffers keep. The budget charges each side's arrays, or its bytes where those are
        // more: at least each, at most both.
        long held = 0;
        long storage = 0;
        for (int i = 0; i < n; i++) {
            held += writtenByServer[i] - clients.get(i).available() + servers.get(i).available();
            storage += servers.get(i).bufferStorage();
        }
        // Beyond the hard level, each connection only by its floor: a writer's MIN_SEND, a segment
        // taken into an empty receive queue.
        long slack = (long) n * (MemoryBudget.MIN_SEND + 1460);
        assertThat(server.memoryAllocated()).isGreaterThanOrEqualTo(Math.max(held, storage))
                .isLessThanOrEqualTo(held + storage).isLessThanOrEqualTo(HIGH + slack).isGreaterThan(HIGH / 2);
        assertThat(peak).isLessThanOrEqualTo(HIGH + slack);
        assertThat(server.counter(Counter.TCP_RCVQ_DROP)).isPositive();
        assertThat(server.counter(Counter.TCP_MEMORY_PRESSURES)).isPositive();

        // Still serving: a ping is answered, a new connection is accepted and carries data both ways.
        ByteBuffer ping = ByteBuffer.allocate(64);
        ping.limit(Icmpv4.writeEchoRequest(ping, CLIENT_ADDRESS, SERVER_ADDRESS, 64, 7, 1, new byte[] {'h', 'i'}));
        server.deliver(ping);
        assertThat(server.counter(Counter.OUT_ECHO_REPS)).isEqualTo(1);
        Connection fresh = connect();
        Connection freshServer = accept();
        byte[] hello = "hello under pressure".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        onClient(() -> fresh.write(ByteBuffer.wrap(hello), client.now()));
        onServer(() -> freshServer.write(ByteBuffer.wrap(hello), server.now()));
        net.runFor(Duration.ofSeconds(1));
        assertThat(readAll(server, freshServer)).isEqualTo(hello);
        assertThat(readAll(client, fresh)).isEqualTo(hello);

        // The readers read: the memory drains, and once every connection is closed none is left.
        clients.add(fresh);
        servers.add(freshServer);
        for (int round = 0; round < 200 && !allDrained(clients, servers); round++) {
            for (Connection c : clients) readAll(client, c);
            for (Connection s : servers) readAll(server, s);
            net.runFor(Duration.ofMillis(200));
        }
        assertThat(allDrained(clients, servers)).isTrue();
        // Only the arrays idle connections keep for their next bytes are left, below the pressure level.
        long kept = servers.stream().mapToLong(Connection::bufferStorage).sum();
        assertThat(server.memoryAllocated()).isEqualTo(kept).isLessThanOrEqualTo(server.memoryBudget().pressure());
        assertThat(server.memoryBudget().underPressure()).isFalse();
        for (Connection c : clients) onClient(() -> { c.close(client.now()); return 0; });
        for (Connection s : servers) onServer(() -> { s.close(server.now()); return 0; });
        net.runFor(Duration.ofMinutes(3));
        assertThat(server.memoryAllocated()).isZero();
        assertThat(client.memoryAllocated()).isZero();
        assertThat(server.memoryBudget().orphans()).isZero();
        assertThat(server.connectionCount()).isZero();
    }

    @Test
    void underPressureTheReceiveBufferIsNotAutotunedAndTheWindowStopsGrowing() {
        assertThat(bulkReceiveBuffer()).as("without pressure autotuning grows the buffer").isGreaterThan(BUFFER);
        assertThat(lateWindow).isGreaterThan(BUFFER);
        // One stalled connection keeps 64 KiB buffered, far above a pressure level of 1000 bytes.
        server.memoryLimits(1000, 1000, 64L << 20);
        Connection stalled = connect();
        accept();
        onClient(() -> stalled.write(ByteBuffer.allocate(BUFFER), client.now()));
        net.runFor(Duration.ofSeconds(1));
        assertThat(server.memoryBudget().underPressure()).isTrue();
        assertThat(bulkReceiveBuffer()).isEqualTo(BUFFER);
        // The window offers at most four segments at a time (Linux's rcv_ssthresh clamp), rounded up by the scale.
        assertThat(lateWindow).isLessThanOrEqualTo(4 * 1460 + (1 << TcpConfig.linux().windowScale()));
    }

    @Test
    void underPressureAnIdleConnectionGivesItsArraysBack() {
        Connection c = connect();
        Connection s = accept();
        byte[] sent = pattern(200_000);
        ByteBuffer src = ByteBuffer.wrap(sent);
        byte[] received = new byte[0];
        for (int round = 0; round < 500 && received.length < sent.length; round++) {
            if (src.hasRemaining()) onServer(() -> s.write(src, server.now()));
            net.runFor(Duration.ofMillis(5));
            received = concat(received, readAll(client, c));
        }
        assertThat(received).isEqualTo(sent);
        net.runFor(Duration.ofMillis(500));
        assertThat(s.bufferStorage()).as("without pressure the spare pieces stay, for the next burst").isPositive();

        server.memoryLimits(1000, 1000, 64L << 20);
        Connection stalled = connect();
        accept();
        onClient(() -> stalled.write(ByteBuffer.allocate(BUFFER), client.now()));
        net.runFor(Duration.ofSeconds(1));
        assertThat(server.memoryBudget().underPressure()).isTrue();
        onServer(() -> s.write(ByteBuffer.wrap(new byte[100]), server.now()));
        net.runFor(Duration.ofMillis(500)); // the 100 bytes are acknowledged: the buffer is empty again
        assertThat(s.bufferStorage()).isZero();
        assertThat(readAll(client, c)).hasSize(100);
    }

    private static boolean allDrained(List<Connection> clients, List<Connection> servers) {
        for (List<Connection> side : List.of(clients, servers)) {
            for (Connection c : side) {
                if (c.available() > 0 || !c.isSendBufferEmpty()) return false;
            }
        }
        return true;
    }

    @Test
    void outOfOrderDataIsPrunedBeforeInOrderDataIsDropped() {
        Connection c = connect();
        Connection s = accept();
        int mss = c.effectiveMss();
        int[] dataSegments = {0};
        net.addFault((from, p) -> from.equals("client") && p.segment().payloadLength() > 0 && ++dataSegments[0] == 2
                ? "the second data segment is lost" : null);
        byte[] sent = pattern(6 * mss);
        onClient(() -> c.write(ByteBuffer.wrap(sent), client.now()));
        net.runFor(Duration.ofMillis(22)); // the segments arrive, not yet the retransmission
        long inOrder = s.available();
        assertThat(inOrder).isEqualTo(mss);
        // The out-of-order bytes wait in the receive ring's free region: its array is charged.
        assertThat(s.bufferStorage()).isGreaterThanOrEqualTo(6L * mss);
        assertThat(server.memoryAllocated()).isEqualTo(s.bufferStorage());
        // Room for the missing segment only once the out-of-order data is gone and the ring gives
        // back the free region that held it.
        long high = inOrder + mss + 100;
        server.memoryLimits(high / 2, high / 2, high);

        net.runFor(Duration.ofMillis(100)); // the missing segment is sent again (not yet the pruned ones)
        assertThat(server.counter(Counter.OFO_PRUNED)).isEqualTo(1);
        assertThat(server.counter(Counter.PRUNE_CALLED)).isEqualTo(1);
        assertThat(server.counter(Counter.TCP_RCVQ_DROP)).isZero();
        assertThat(s.available()).isEqualTo(2L * mss);
        assertThat(server.memoryAllocated()).isLessThanOrEqualTo(high);

        server.memoryLimits(1L << 20, 1L << 20, 2L << 20);
        byte[] received = new byte[0];
        for (int round = 0; round < 50 && received.length < sent.length; round++) {
            received = concat(received, readAll(server, s));
            net.runFor(Duration.ofMillis(500));
        }
        assertThat(received).isEqualTo(sent); // the pruned bytes came again
    }

    @Test
    void anOrphanBeyondTheLimitIsResetAndCounted() {
        server.maxOrphans(2);
        Pairs pairs = connectPairs(3);
        List<Connection> clients = pairs.clients();
        List<Connection> servers = pairs.servers();
        // The client never reads: each server connection keeps unacknowledged data when closed.
        for (Connection c : clients) onClient(() -> { c.shutdown(dev.synack.tcp.ShutdownHow.WRITE, client.now()); return 0; });
        net.runFor(Duration.ofMillis(100));
        for (Connection s : servers) {
            onServer(() -> s.write(ByteBuffer.allocate(BUFFER), server.now()));
            net.runFor(Duration.ofMillis(100));
        }
        for (Connection s : servers) readAll(server, s); // the client's FIN: nothing unread
        for (Connection s : servers) {
            onServer(() -> { s.close(server.now()); return 0; });
        }
        assertThat(servers.get(0).state()).isEqualTo(TcpState.LAST_ACK);
        assertThat(servers.get(1).state()).isEqualTo(TcpState.LAST_ACK);
        assertThat(servers.get(2).state()).isEqualTo(TcpState.CLOSED);
        assertThat(server.counter(Counter.TCP_ABORT_ON_MEMORY)).isEqualTo(1);
        assertThat(server.memoryBudget().orphans()).isEqualTo(2);
        net.runFor(Duration.ofMillis(100));
        assertThat(clients.get(2).error()).isNotNull(); // the reset reached the peer
    }

    @Test
    void orphansAtTheLimitAreResetAsTheirProbesBackOff() {
        server.maxOrphans(2);
        Pairs pairs = connectPairs(3);
        List<Connection> clients = pairs.clients();
        List<Connection> servers = pairs.servers();
        // The client never reads: its window closes and the server's last bytes wait.
        for (Connection s : servers) {
            onServer(() -> s.write(ByteBuffer.allocate(BUFFER), server.now()));
            net.runFor(Duration.ofMillis(200));
            onServer(() -> s.write(ByteBuffer.allocate(BUFFER), server.now()));
        }
        net.runFor(Duration.ofMillis(200));
        onServer(() -> { servers.get(0).close(server.now()); return 0; }); // two orphans: within the limit
        onServer(() -> { servers.get(1).close(server.now()); return 0; });
        assertThat(server.memoryBudget().orphans()).isEqualTo(2);
        assertThat(servers.get(0).state()).isEqualTo(TcpState.FIN_WAIT1);

        // Each zero-window probe backs off: an orphan counts 2^backoff times, over the limit.
        net.runFor(Duration.ofSeconds(10));
        assertThat(servers.get(0).state()).isEqualTo(TcpState.CLOSED);
        assertThat(servers.get(1).state()).isEqualTo(TcpState.CLOSED);
        assertThat(server.counter(Counter.TCP_ABORT_ON_MEMORY)).isEqualTo(2);
        assertThat(server.memoryBudget().orphans()).isZero();
        assertThat(servers.get(2).state()).as("not an orphan: left alone").isEqualTo(TcpState.ESTABLISHED);
        assertThat(clients.get(0).error()).isNotNull();
    }

    // ------------------------------------------------------------------ helpers

    /**
     * A bulk transfer of 1 MiB read as it comes: the receive buffer's size at the end
     * ({@link #lateWindow}: the largest window the sender saw in the second half).
     */
    private int bulkReceiveBuffer() {
        Connection c = connect();
        Connection s = accept();
        ByteBuffer chunk = ByteBuffer.allocate(BUFFER);
        long read = 0;
        lateWindow = 0;
        for (int round = 0; round < 5000 && read < (1 << 20); round++) {
            onClient(() -> c.write(chunk.hasRemaining() ? chunk : chunk.clear(), client.now()));
            net.runFor(Duration.ofMillis(5));
            read += readAll(server, s).length;
            if (read > (1 << 19)) lateWindow = Math.max(lateWindow, onClient(() -> c.tcpInfo(client.now()).sndWnd()));
        }
        assertThat(read).isGreaterThanOrEqualTo(1 << 20);
        return s.receiveBufferSize();
    }

    private int lateWindow;

    private Connection connect() {
        Connection c = onClient(() -> {
            try {
                return client.connect(0, SERVER_ADDRESS, PORT);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        net.runFor(Duration.ofMillis(50));
        return c;
    }

    private Connection accept() {
        Connection s = onServer(listener::accept);
        assertThat(s).isNotNull();
        return s;
    }

    private static byte[] readAll(NetStack stack, Connection c) {
        ByteBuffer dst = ByteBuffer.allocate(256 * 1024);
        stack.lock();
        try {
            while (true) {
                int n = c.read(dst, stack.now());
                if (n <= 0 || !dst.hasRemaining()) break;
            }
        } finally {
            stack.unlock();
        }
        return Arrays.copyOf(dst.array(), dst.position());
    }

    private <T> T onClient(Supplier<T> call) { return on(client, call); }

    private <T> T onServer(Supplier<T> call) { return on(server, call); }

    private static <T> T on(NetStack stack, Supplier<T> call) {
        stack.lock();
        try {
            return call.get();
        } finally {
            stack.unlock();
        }
    }

    private static byte[] pattern(int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) b[i] = (byte) (i * 31 + i / 251);
        return b;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
