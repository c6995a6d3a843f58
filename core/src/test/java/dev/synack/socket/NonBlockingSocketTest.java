package dev.synack.socket;

import static dev.synack.socket.SimSockets.readAll;
import static dev.synack.socket.SimSockets.server;
import static dev.synack.socket.SimSockets.writeAll;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synack.link.MemoryLink;
import dev.synack.stack.Counter;
import dev.synack.stack.NetStack;
import dev.synack.tcp.TcpConfig;
import dev.synack.tcp.TcpState;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.IllegalBlockingModeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Non-blocking sockets and readiness handlers: on SimNetwork (virtual time) and on MemoryLink (real time). */
@Timeout(30)
class NonBlockingSocketTest {
    private static final Duration MOMENT = Duration.ofMillis(100);

    /**
     * An echo server driven only by readiness handlers: it accepts every queued connection, echoes
     * what it reads (keeping what the send buffer did not take for the next writable call) and
     * closes at the client's end of file. No thread of its own.
     */
    static final class EchoServer {
        final TcpServerSocket listener;
        final AtomicInteger accepted = new AtomicInteger();

        EchoServer(NetStack stack, int port) throws IOException {
            listener = new TcpServerSocket(stack, port, 128);
            listener.configureBlocking(false);
            listener.onAcceptable(l -> {
                TcpSocket s;
                while ((s = l.accept()) != null) {
                    accepted.incrementAndGet();
                    s.configureBlocking(false);
                    ByteBuffer pending = ByteBuffer.allocate(4096).flip();
                    s.onReady(socket -> echo(socket, pending));
                }
            });
        }

        /** {@code pending} holds (position to limit) what was read and not yet written back. */
        private static void echo(TcpSocket s, ByteBuffer pending) throws IOException {
            while (true) {
                if (pending.hasRemaining()) {
                    s.write(pending);
                    if (pending.hasRemaining()) return; // the next writable call goes on
                }
                pending.clear();
                int n = s.read(pending);
                pending.flip();
                if (n < 0) {
                    s.close();
                    return;
                }
                if (n == 0) return;
            }
        }
    }

    @Test
    void anEchoServerDrivenOnlyByHandlersServesManyClientsWithoutAThread() {
        SimSockets s = new SimSockets(61);
        EchoServer echo = uncheck(() -> new EchoServer(s.server, 7));
        int clients = 40;
        String[] replies = new String[clients];
        for (int i = 0; i < clients; i++) {
            int id = i;
            s.net.spawn("client-" + i, () -> {
                try (TcpSocket c = new TcpSocket(s.client)) {
                    c.connect(server(7));
                    byte[] message = ("hello from client " + id + " ").repeat(1 + id * 50).getBytes(US_ASCII);
                    writeAll(c, message);
                    c.shutdownOutput();
                    replies[id] = new String(readAll(c), US_ASCII);
                }
            });
        }
        s.net.run(); // only the clients are actors: the server runs inside the packet deliveries
        for (int i = 0; i < clients; i++) {
            assertThat(replies[i]).as("client %d", i).isEqualTo(("hello from client " + i + " ").repeat(1 + i * 50));
        }
        assertThat(echo.accepted).hasValue(clients);
        assertThat(s.server.counter(Counter.HANDLER_ERRORS)).isZero();
        assertThat(s.server.counter(Counter.INTERNAL_ERRORS)).isZero();
        assertThat(s.server.connectionCount()).isZero(); // every connection closed and its TIME_WAIT passed
    }

    @Test
    void nonBlockingConnectReadAndAcceptReturnAtOnce() throws IOException {
        SimSockets s = new SimSockets(62);
        TcpServerSocket ss = new TcpServerSocket(s.server, 80, 4);
        ss.configureBlocking(false);
        assertThat(ss.accept()).isNull();

        TcpSocket c = new TcpSocket(s.client);
        c.configureBlocking(false);
        assertThat(c.isBlocking()).isFalse();
        c.connect(server(80));
        assertThat(c.finishConnect()).isFalse(); // the SYN is on its way
        assertThat(c.state()).isEqualTo(TcpState.SYN_SENT);
        ByteBuffer buf = ByteBuffer.allocate(64);
        assertThat(c.read(buf)).isZero();

        s.net.runFor(MOMENT);
        assertThat(c.finishConnect()).isTrue();
        assertThat(c.finishConnect()).isTrue();
        assertThat(c.isConnected()).isTrue();
        TcpSocket a = ss.accept();
        assertThat(a).isNotNull();
        assertThat(a.isBlocking()).isTrue(); // accepted sockets start blocking, as in java.nio
        assertThat(ss.accept()).isNull();
        a.configureBlocking(false);

        assertThat(c.read(buf)).isZero();
        assertThat(a.write(ByteBuffer.wrap("ping".getBytes(US_ASCII)))).isEqualTo(4);
        s.net.runFor(MOMENT);
        assertThat(c.read(buf)).isEqualTo(4);
        assertThat(new String(buf.array(), 0, 4, US_ASCII)).isEqualTo("ping");
        assertThat(c.read(buf)).isZero();

        a.close();
        s.net.runFor(MOMENT);
        assertThat(c.read(buf)).isEqualTo(-1);
        assertThat(c.read(buf)).isEqualTo(-1);
        c.close();
        ss.close();
    }

    @Test
    void streamsAndTimeoutsOfANonBlockingSocketAreRefused() throws IOException {
        SimSockets s = new SimSockets(63);
        TcpServerSocket ss = new TcpServerSocket(s.server, 80, 4);
        ss.configureBlocking(false);
        assertThatThrownBy(() -> ss.accept(Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class);
        TcpSocket c = new TcpSocket(s.client);
        c.configureBlocking(false);
        assertThatThrownBy(() -> c.connect(server(80), Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("blocking mode");
        assertThatThrownBy(c::finishConnect).isInstanceOf(SocketException.class).hasMessageContaining("No connection pending");
        c.connect(server(80));
        s.net.runFor(MOMENT);
        assertThat(c.finishConnect()).isTrue();
        assertThatThrownBy(() -> c.getInputStream().read()).isInstanceOf(IllegalBlockingModeException.class)
                .hasMessageContaining("non-blocking");
        assertThatThrownBy(() -> c.getOutputStream().write(1)).isInstanceOf(IllegalBlockingModeException.class);
        // Blocking again: the streams work.
        c.configureBlocking(true);
        c.getOutputStream().write(1);
        // A handler needs non-blocking mode, and keeps the socket non-blocking.
        assertThatThrownBy(() -> c.onReady(x -> { })).isInstanceOf(IllegalBlockingModeException.class);
        c.configureBlocking(false);
        c.onReady(x -> { });
        assertThatThrownBy(() -> c.configureBlocking(true)).isInstanceOf(IllegalBlockingModeException.class)
                .hasMessageContaining("onReady(null)");
        c.onReady(null);
        c.configureBlocking(true);
        c.close();
        ss.close();
        assertThatThrownBy(() -> c.onReady(x -> { })).isInstanceOf(SocketException.class).hasMessage("Socket is closed");
    }

    /** Two simulated stacks, a listener on the server's port 80 and a non-blocking client connected to it. */
    private record Connected(SimSockets sockets, TcpServerSocket listener, TcpSocket client, TcpSocket accepted) {}

    private static Connected connected(int seed) throws IOException {
        SimSockets s = new SimSockets(seed);
        TcpServerSocket ss = new TcpServerSocket(s.server, 80, 4);
        TcpSocket c = new TcpSocket(s.client);
        c.configureBlocking(false);
        c.connect(server(80));
        s.net.runFor(MOMENT);
        TcpSocket a = ss.accept(); // queued already: does not wait
        assertThat(a).isNotNull();
        return new Connected(s, ss, c, a);
    }

    @Test
    void partialWriteThenTheWritableCallAfterThePeerReads() throws IOException {
        Connected pair = connected(64);
        SimSockets s = pair.sockets();
        TcpServerSocket ss = pair.listener();
        TcpSocket c = pair.client();
        TcpSocket a = pair.accepted();
        a.configureBlocking(false);

        byte[] data = new byte[2_000_000];
        new Random(64).nextBytes(data);
        ByteBuffer src = ByteBuffer.wrap(data);
        int first = c.write(src);
        assertThat(first).isPositive().isLessThan(data.length); // the send buffer took what fitted
        // Let the data fill the peer's receive buffer (nobody reads it), then fill our send buffer again.
        s.net.runFor(Duration.ofSeconds(2));
        while (c.write(src) > 0) { /* until full */ }
        assertThat(c.write(src)).isZero();
        int sentBeforeReading = src.position();
        assertThat(sentBeforeReading).isLessThan(data.length);

        // From now on a handler writes whatever fits whenever the socket may be writable.
        List<Integer> taken = new ArrayList<>();
        c.onReady(socket -> {
            if (!src.hasRemaining()) return; // done, and shut down
            int n;
            while ((n = socket.write(src)) > 0) taken.add(n);
            if (!src.hasRemaining()) socket.shutdownOutput();
        });
        // The peer reads everything as it comes (also through a handler), to the end of file.
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        a.onReady(socket -> {
            ByteBuffer buf = ByteBuffer.allocate(65_536);
            int n;
            while ((n = socket.read(buf.clear())) > 0) received.write(buf.array(), 0, n);
            if (n < 0) socket.close();
        });
        s.net.runFor(Duration.ofSeconds(30));
        assertThat(taken).isNotEmpty(); // writable calls came once the peer read
        assertThat(src.hasRemaining()).isFalse();
        assertThat(received.toByteArray()).isEqualTo(data);
        assertThat(s.client.counter(Counter.HANDLER_ERRORS)).isZero();
        c.close();
        ss.close();
    }

    @Test
    void nonBlockingConnectRefusedIsReportedByFinishConnectAndTheHandlerIsCalled() throws IOException {
        SimSockets s = new SimSockets(65);
        TcpSocket c = new TcpSocket(s.client);
        c.configureBlocking(false);
        AtomicInteger calls = new AtomicInteger();
        c.onReady(x -> calls.incrementAndGet());
        int afterRegistering = calls.get();
        c.connect(server(9)); // nobody listens: RST
        s.net.runFor(MOMENT);
        assertThat(calls.get()).isGreaterThan(afterRegistering);
        assertThatThrownBy(c::finishConnect).isInstanceOf(ConnectException.class).hasMessage("Connection refused");
        assertThat(c.isClosed()).isTrue(); // as java.net after a failed connect
    }

    @Test
    void nonBlockingConnectTimesOutAfterTheSynRetries() throws IOException {
        TcpConfig config = TcpConfig.linux().toBuilder().synRetries(2).build();
        SimSockets s = new SimSockets(66, config);
        TcpSocket c = new TcpSocket(s.client);
        c.configureBlocking(false);
        AtomicReference<String> seenByHandler = new AtomicReference<>();
        c.onReady(socket -> {
            try {
                if (socket.finishConnect()) seenByHandler.set("connected");
            } catch (ConnectException e) {
                seenByHandler.set(e.getMessage());
            }
        });
        c.connect(new InetSocketAddress("10.0.0.99", 80)); // no such host: the SYNs vanish
        s.net.runFor(Duration.ofSeconds(2));
        assertThat(seenByHandler.get()).isNull();
        s.net.runFor(Duration.ofSeconds(60)); // 1 + 2 + 4 s of retries, then the give-up
        assertThat(seenByHandler.get()).isEqualTo("Connection timed out");
        assertThat(c.isClosed()).isTrue();
        assertThat(s.client.counter(Counter.HANDLER_ERRORS)).isZero();
    }

    @Test
    void aHandlerThatThrowsIsContainedItsConnectionResetAndTheStackServesOn() {
        SimSockets s = new SimSockets(67);
        AtomicInteger served = new AtomicInteger();
        uncheck(() -> {
            TcpServerSocket ss = new TcpServerSocket(s.server, 80, 8);
            ss.configureBlocking(false);
            ss.onAcceptable(l -> {
                TcpSocket a;
                while ((a = l.accept()) != null) {
                    a.configureBlocking(false);
                    a.onReady(socket -> {
                        ByteBuffer b = ByteBuffer.allocate(16);
                        int n = socket.read(b);
                        if (n <= 0) return;
                        if (b.get(0) == 'X') throw new IllegalStateException("handler bug");
                        served.incrementAndGet();
                        socket.write(b.flip());
                        socket.close();
                    });
                }
            });
            return ss;
        });
        AtomicReference<Throwable> firstClientSaw = new AtomicReference<>();
        AtomicReference<String> secondClientGot = new AtomicReference<>();
        s.net.spawn("client", () -> {
            try (TcpSocket c = new TcpSocket(s.client)) {
                c.connect(server(80));
                writeAll(c, "X".getBytes(US_ASCII));
                try {
                    readAll(c);
                } catch (IOException e) {
                    firstClientSaw.set(e);
                }
            }
            try (TcpSocket c = new TcpSocket(s.client)) {
                c.connect(server(80));
                writeAll(c, "ok".getBytes(US_ASCII));
                secondClientGot.set(new String(readAll(c), US_ASCII));
            }
        });
        s.net.run();
        assertThat(firstClientSaw.get()).isInstanceOf(SocketException.class).hasMessage("Connection reset");
        assertThat(secondClientGot.get()).isEqualTo("ok");
        assertThat(served).hasValue(1);
        assertThat(s.server.counter(Counter.HANDLER_ERRORS)).isEqualTo(1);
        assertThat(s.server.counter(Counter.INTERNAL_ERRORS)).isZero();
    }

    @Test
    void aThrowingAcceptHandlerClosesItsListener() throws IOException {
        SimSockets s = new SimSockets(68);
        TcpServerSocket ss = new TcpServerSocket(s.server, 80, 8);
        ss.configureBlocking(false);
        ss.onAcceptable(l -> {
            if (l.accept() != null) throw new IOException("accept handler bug");
        });
        TcpSocket c = new TcpSocket(s.client);
        c.configureBlocking(false);
        c.connect(server(80));
        s.net.runFor(MOMENT);
        assertThat(ss.isClosed()).isTrue();
        assertThat(s.server.counter(Counter.HANDLER_ERRORS)).isEqualTo(1);
        TcpSocket late = new TcpSocket(s.client);
        late.configureBlocking(false);
        late.connect(server(80));
        s.net.runFor(MOMENT);
        assertThatThrownBy(late::finishConnect).isInstanceOf(ConnectException.class).hasMessage("Connection refused");
    }

    @Test
    void aBlockingCallFromAHandlerFailsClearlyInsteadOfDeadlocking() throws IOException {
        SimSockets s = new SimSockets(69);
        TcpServerSocket ss = new TcpServerSocket(s.server, 80, 8);
        ss.configureBlocking(false);
        List<String> refusals = new ArrayList<>();
        ss.onAcceptable(l -> {
            TcpSocket a;
            while ((a = l.accept()) != null) {
                TcpSocket blocking = a; // accepted sockets start blocking
                for (String call : List.of("read", "write")) {
                    try {
                        if (call.equals("read")) blocking.read(ByteBuffer.allocate(1));
                        else blocking.write(ByteBuffer.allocate(1));
                    } catch (IllegalBlockingModeException e) {
                        refusals.add(e.getMessage());
                    }
                }
                try {
                    new TcpSocket(s.server).connect(new InetSocketAddress("10.0.0.1", 99));
                } catch (IllegalBlockingModeException e) {
                    refusals.add(e.getMessage());
                }
                blocking.close(); // never waits from a handler
            }
        });
        TcpSocket c = new TcpSocket(s.client);
        c.configureBlocking(false);
        c.connect(server(80));
        s.net.runFor(MOMENT);
        assertThat(refusals).hasSize(3).allSatisfy(m -> assertThat(m).contains("from a readiness handler"));
        assertThat(refusals.get(0)).startsWith("read on a blocking socket");
        // The listener is still fine: a second connection is accepted.
        assertThat(s.server.counter(Counter.HANDLER_ERRORS)).isZero();
        assertThat(ss.isClosed()).isFalse();
    }

    @Test
    void aHandlerMayOpenANonBlockingConnection() throws IOException {
        // As a proxy does: the accept handler on the server's host opens a connection to a port of
        // the client's host, and that connection's handler sends once the handshake is done.
        SimSockets s = new SimSockets(72);
        TcpServerSocket proxy = new TcpServerSocket(s.server, 80, 8);
        proxy.configureBlocking(false);
        proxy.onAcceptable(l -> {
            while (l.accept() != null) {
                TcpSocket up = new TcpSocket(s.server);
                up.configureBlocking(false);
                up.connect(new InetSocketAddress(SimSockets.CLIENT_IP, 7)); // never waits: allowed here
                ByteBuffer greeting = ByteBuffer.wrap("opened from a handler".getBytes(US_ASCII));
                up.onReady(x -> {
                    if (!up.finishConnect() || !greeting.hasRemaining()) return;
                    up.write(greeting);
                    if (!greeting.hasRemaining()) up.close();
                });
            }
        });
        AtomicReference<String> upstreamGot = new AtomicReference<>();
        s.net.spawn("upstream", () -> {
            try (TcpServerSocket ss = new TcpServerSocket(s.client, 7, 4); TcpSocket c = ss.accept()) {
                upstreamGot.set(new String(readAll(c), US_ASCII));
            }
        });
        s.net.spawn("client", () -> {
            try (TcpSocket c = new TcpSocket(s.client)) {
                c.connect(server(80));
            }
        });
        s.net.run();
        assertThat(upstreamGot.get()).isEqualTo("opened from a handler");
        assertThat(s.server.counter(Counter.HANDLER_ERRORS)).isZero();
    }

    @Test
    void noCallAfterClose() throws IOException {
        Connected pair = connected(70);
        SimSockets s = pair.sockets();
        TcpServerSocket ss = pair.listener();
        TcpSocket c = pair.client();
        TcpSocket a = pair.accepted();
        a.configureBlocking(false);
        AtomicInteger calls = new AtomicInteger();
        a.onReady(x -> calls.incrementAndGet());
        s.net.runFor(MOMENT);
        assertThat(calls).hasValue(1); // the call after registering
        c.write(ByteBuffer.wrap("one".getBytes(US_ASCII)));
        s.net.runFor(MOMENT);
        assertThat(calls).hasValue(2); // readable

        a.close(); // unread data: a reset, and the end of its handler
        int atClose = calls.get();
        c.write(ByteBuffer.wrap("two".getBytes(US_ASCII)));
        s.net.runFor(MOMENT);
        assertThat(calls).hasValue(atClose);
        assertThatThrownBy(() -> c.read(ByteBuffer.allocate(8))).isInstanceOf(SocketException.class);
        c.close();
        s.net.runFor(MOMENT);
        assertThat(calls).hasValue(atClose);

        // A listener's handler too.
        ss.configureBlocking(false);
        AtomicInteger acceptCalls = new AtomicInteger();
        ss.onAcceptable(x -> acceptCalls.incrementAndGet());
        s.net.runFor(MOMENT);
        ss.close();
        int atListenerClose = acceptCalls.get();
        TcpSocket late = new TcpSocket(s.client);
        late.configureBlocking(false);
        late.connect(server(80));
        s.net.runFor(MOMENT);
        assertThat(acceptCalls).hasValue(atListenerClose);
    }

    @Test
    void nonBlockingCloseNeverWaitsEvenWithLinger() throws IOException {
        Connected pair = connected(71);
        SimSockets s = pair.sockets();
        TcpServerSocket ss = pair.listener();
        TcpSocket c = pair.client();
        TcpSocket a = pair.accepted();
        byte[] data = new byte[100_000];
        new Random(71).nextBytes(data);
        int n = c.write(ByteBuffer.wrap(data));
        c.setSoLinger(true, 30);
        long before = s.net.nowNanos();
        c.close(); // from the test thread, outside any actor: waiting would fail the simulation
        assertThat(s.net.nowNanos()).isEqualTo(before);
        s.net.spawn("server", () -> assertThat(readAll(a)).isEqualTo(Arrays.copyOf(data, n)));
        s.net.run();
        ss.close();
    }

    @Test
    void realTimeEchoServerWithoutThreadsServesConcurrentClients() throws Exception {
        TcpConfig config = TcpConfig.linux().toBuilder().msl(Duration.ofMillis(50)).build();
        try (MemoryLink link = new MemoryLink()) {
            NetStack client = link.addHost("client", "10.0.0.1", config);
            NetStack server = link.addHost("server", "10.0.0.2", config);
            EchoServer echo = new EchoServer(server, 7);
            int clients = 16;
            int rounds = 20;
            assertThat(EchoClients.run(client, new InetSocketAddress("10.0.0.2", 7), clients, rounds)).isEmpty();
            assertThat(echo.accepted).hasValue(clients * rounds);
            assertThat(server.counter(Counter.HANDLER_ERRORS)).isZero();
            assertThat(server.counter(Counter.INTERNAL_ERRORS)).isZero();
            echo.listener.close();
        }
    }

    private interface ThrowingSupplier<T> {
        T get() throws IOException;
    }

    private static <T> T uncheck(ThrowingSupplier<T> s) {
        try {
            return s.get();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
