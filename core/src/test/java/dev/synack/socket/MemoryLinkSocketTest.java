package dev.synack.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synack.link.MemoryLink;
import dev.synack.stack.NetStack;
import dev.synack.tcp.ReadFlags;
import dev.synack.tcp.TcpConfig;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Two real-time stacks in one JVM, sockets used from virtual threads. */
@Timeout(30)
class MemoryLinkSocketTest {

    @Test
    void connectTransferAndCloseInRealTime() throws Exception {
        // A short MSL so that TIME_WAIT ends within the test.
        TcpConfig config = TcpConfig.linux().toBuilder().msl(Duration.ofMillis(50)).build();
        try (MemoryLink link = new MemoryLink();
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            NetStack client = link.addHost("client", "10.0.0.1", config);
            NetStack server = link.addHost("server", "10.0.0.2", config);
            byte[] data = new byte[300_000];
            new Random(21).nextBytes(data);

            TcpServerSocket ss = new TcpServerSocket(server, 8080, 8);
            Future<String> received = threads.submit(() -> {
                try (TcpSocket c = ss.accept(Duration.ofSeconds(10))) {
                    byte[] got = c.getInputStream().readAllBytes();
                    c.getOutputStream().write(("got " + got.length).getBytes(StandardCharsets.US_ASCII));
                    return SimSockets.sha256(got);
                }
            });
            Future<String> reply = threads.submit(() -> {
                try (TcpSocket c = new TcpSocket(client)) {
                    c.connect(new InetSocketAddress("10.0.0.2", 8080), Duration.ofSeconds(10));
                    c.getOutputStream().write(data);
                    c.shutdownOutput();
                    return new String(c.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                }
            });
            assertThat(received.get(20, TimeUnit.SECONDS)).isEqualTo(SimSockets.sha256(data));
            assertThat(reply.get(20, TimeUnit.SECONDS)).isEqualTo("got 300000");

            Future<?> refused = threads.submit(() -> {
                TcpSocket c = new TcpSocket(client);
                assertThatThrownBy(() -> c.connect(new InetSocketAddress("10.0.0.2", 9))).isInstanceOf(ConnectException.class)
                        .hasMessage("Connection refused");
                return null;
            });
            refused.get(20, TimeUnit.SECONDS);
            ss.close();
            // Every connection ends: TIME_WAIT (2 x 50 ms) passes in real time.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while ((client.connectionCount() > 0 || server.connectionCount() > 0) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(client.connectionCount()).isZero();
            assertThat(server.connectionCount()).isZero();
            // Borrowed bytes (the receiver referred to the sender's pieces) were charged and given back.
            assertThat(client.memoryAllocated()).isZero();
            assertThat(server.memoryAllocated()).isZero();
        }
    }
    /**
     * MSG_PEEK over borrowed bytes (the receiver refers to the sender's pieces) and stored ones
     * alike: peeks return what is queued from its start and leave it, the read then takes it all.
     */
    @Test
    void peekLeavesTheBytesForTheNextRead() throws Exception {
        try (MemoryLink link = new MemoryLink()) {
            NetStack client = link.addHost("client", "10.0.0.1", TcpConfig.linux());
            NetStack server = link.addHost("server", "10.0.0.2", TcpConfig.linux());
            try (TcpServerSocket ss = new TcpServerSocket(server, 8081, 8); TcpSocket c = new TcpSocket(client)) {
                c.connect(new InetSocketAddress("10.0.0.2", 8081), Duration.ofSeconds(10));
                try (TcpSocket accepted = ss.accept(Duration.ofSeconds(10))) {
                    c.getOutputStream().write("hello ".getBytes(StandardCharsets.US_ASCII));
                    c.getOutputStream().write("world".getBytes(StandardCharsets.US_ASCII));
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (accepted.available() < 11 && System.nanoTime() < deadline) Thread.sleep(5);
                    ByteBuffer five = ByteBuffer.allocate(5);
                    assertThat(accepted.read(five, ReadFlags.PEEK)).isEqualTo(5);
                    assertThat(new String(five.array(), StandardCharsets.US_ASCII)).isEqualTo("hello");
                    ByteBuffer all = ByteBuffer.allocate(64);
                    assertThat(accepted.read(all, ReadFlags.PEEK)).isEqualTo(11);
                    assertThat(accepted.available()).isEqualTo(11);
                    ByteBuffer read = ByteBuffer.allocate(64);
                    assertThat(accepted.read(read)).isEqualTo(11);
                    assertThat(new String(read.array(), 0, 11, StandardCharsets.US_ASCII)).isEqualTo("hello world");
                    assertThat(new String(all.array(), 0, 11, StandardCharsets.US_ASCII)).isEqualTo("hello world");
                    assertThat(accepted.available()).isZero();
                }
            }
        }
    }

    /**
     * A read with no timeout parks untimed until its data comes (a virtual thread's timed park books
     * a timer in the JDK's scheduler each time, and nothing needs polling: the data's arrival
     * signals it); with SO_TIMEOUT it parks timed. Both wake for their byte.
     */
    @Test
    void aReadWithoutATimeoutWaitsUntimedUntilItsDataComes() throws Exception {
        try (MemoryLink link = new MemoryLink()) {
            NetStack client = link.addHost("client", "10.0.0.1", TcpConfig.linux());
            NetStack server = link.addHost("server", "10.0.0.2", TcpConfig.linux());
            TcpServerSocket ss = new TcpServerSocket(server, 8080, 2);
            TcpSocket c = new TcpSocket(client);
            c.connect(new InetSocketAddress("10.0.0.2", 8080), Duration.ofSeconds(10));
            TcpSocket peer = ss.accept(Duration.ofSeconds(10));
            int[] got = new int[2];

            Thread untimed = Thread.ofVirtual().start(() -> got[0] = readOne(c));
            assertThat(settledState(untimed)).isEqualTo(Thread.State.WAITING);
            peer.getOutputStream().write(7);
            assertThat(untimed.join(Duration.ofSeconds(10))).isTrue();
            assertThat(got[0]).isEqualTo(7);

            c.setSoTimeout(Duration.ofSeconds(20));
            Thread timed = Thread.ofVirtual().start(() -> got[1] = readOne(c));
            assertThat(settledState(timed)).isEqualTo(Thread.State.TIMED_WAITING);
            peer.getOutputStream().write(8);
            assertThat(timed.join(Duration.ofSeconds(10))).isTrue();
            assertThat(got[1]).isEqualTo(8);
            c.close();
            peer.close();
            ss.close();
        }
    }

    private static int readOne(TcpSocket s) {
        try {
            return s.getInputStream().read();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The state {@code t} parks in: once parked, the same in every look over 300 ms. */
    private static Thread.State settledState(Thread t) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            Thread.State first = t.getState();
            boolean parked = first == Thread.State.WAITING || first == Thread.State.TIMED_WAITING;
            boolean steady = parked;
            for (int i = 0; i < 30 && steady; i++) {
                Thread.sleep(10);
                steady = t.getState() == first;
            }
            if (steady || System.nanoTime() > deadline) return first;
        }
    }

    @Test
    void closeFromAnotherThreadWakesABlockedReadAndAcceptTimesOut() throws Exception {
        try (MemoryLink link = new MemoryLink();
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            NetStack client = link.addHost("client", "10.0.0.1", TcpConfig.linux());
            NetStack server = link.addHost("server", "10.0.0.2", TcpConfig.linux());
            TcpServerSocket ss = new TcpServerSocket(server);
            ss.listen(2); // ephemeral port, as on Linux
            assertThatThrownBy(() -> ss.accept(Duration.ofMillis(50))).isInstanceOf(java.net.SocketTimeoutException.class);
            Future<TcpSocket> accepted = threads.submit(() -> ss.accept(Duration.ofSeconds(10)));
            TcpSocket c = new TcpSocket(client);
            c.connect(new InetSocketAddress("10.0.0.2", ss.getLocalPort()), Duration.ofSeconds(10));
            TcpSocket peer = accepted.get(10, TimeUnit.SECONDS);
            Future<?> reader = threads.submit(() -> {
                assertThatThrownBy(() -> c.read(ByteBuffer.allocate(10)))
                        .isInstanceOf(java.net.SocketException.class).hasMessage("Socket is closed");
                return null;
            });
            // Let the reader block (a timed-out poll only shortens the wait; the outcome is the same).
            Thread.sleep(100);
            c.close();
            reader.get(10, TimeUnit.SECONDS);
            assertThat(peer.getInputStream().read()).isEqualTo(-1);
            peer.close();
            ss.close();
        }
    }
    @Test
    void manyConcurrentConnectionsFromVirtualThreads() throws Exception {
        int clients = 40;
        try (MemoryLink link = new MemoryLink();
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            NetStack client = link.addHost("client", "10.0.0.1", TcpConfig.linux());
            NetStack server = link.addHost("server", "10.0.0.2", TcpConfig.linux());
            TcpServerSocket ss = new TcpServerSocket(server, 7, clients);
            var _ = threads.submit(() -> {
                for (int i = 0; i < clients; i++) {
                    TcpSocket c = ss.accept(Duration.ofSeconds(20));
                    var _ = threads.submit(() -> {
                        try (c) {
                            c.getOutputStream().write(c.getInputStream().readAllBytes());
                        }
                        return null;
                    });
                }
                return null;
            });
            java.util.List<Future<Boolean>> results = new java.util.ArrayList<>();
            for (int i = 0; i < clients; i++) {
                int id = i;
                results.add(threads.submit(() -> {
                    byte[] data = new byte[10_000 + id];
                    new Random(id).nextBytes(data);
                    try (TcpSocket c = new TcpSocket(client)) {
                        c.connect(new InetSocketAddress("10.0.0.2", 7), Duration.ofSeconds(20));
                        c.getOutputStream().write(data);
                        c.shutdownOutput();
                        return java.util.Arrays.equals(c.getInputStream().readAllBytes(), data);
                    }
                }));
            }
            for (Future<Boolean> r : results) assertThat(r.get(25, TimeUnit.SECONDS)).isTrue();
            assertThat(client.counters()).containsEntry("ActiveOpens", (long) clients);
            assertThat(server.counters()).containsEntry("PassiveOpens", (long) clients);
            ss.close();
        }
    }
}
