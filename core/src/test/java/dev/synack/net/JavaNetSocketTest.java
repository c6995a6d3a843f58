package dev.synack.net;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synack.link.SimNetwork;
import dev.synack.socket.TcpSocketOptions;
import dev.synack.stack.NetStack;
import dev.synack.tcp.TcpConfig;
import dev.synack.trace.TraceEvent;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.time.Duration;
import javax.net.ServerSocketFactory;
import javax.net.SocketFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** java.net's Socket and ServerSocket contract, on synack stacks in virtual time (SimNetwork). */
@Timeout(60)
class JavaNetSocketTest {
    private static final long MILLI = 1_000_000L;
    private static final String CLIENT_IP = "10.0.0.1";
    private static final String SERVER_IP = "10.0.0.2";

    private final SimNetwork net = new SimNetwork(17);
    private final NetStack client = net.addHost("client", CLIENT_IP, TcpConfig.linux());
    private final NetStack server = net.addHost("server", SERVER_IP, TcpConfig.linux());

    private static InetSocketAddress serverAt(int port) {
        return new InetSocketAddress(SERVER_IP, port);
    }

    /** A server that answers "echo:" + what it read until EOF, then closes. */
    private void echoServer(int port) {
        net.spawn("server", () -> {
            try (ServerSocket ss = new SynackServerSocket(server, port); Socket c = ss.accept()) {
                byte[] got = c.getInputStream().readAllBytes();
                c.getOutputStream().write(("echo:" + new String(got, US_ASCII)).getBytes(US_ASCII));
            }
        });
    }

    @Test
    void connectWriteShutdownOutputAndReadTheReplyWithAddressesAsJavaNetReportsThem() {
        String[] reply = {null};
        net.spawn("server", () -> {
            try (SynackServerSocket ss = new SynackServerSocket(server, 80)) {
                assertThat(ss.getLocalPort()).isEqualTo(80);
                assertThat(ss.isBound()).isTrue();
                try (Socket c = ss.accept()) {
                    assertThat(c).isInstanceOf(SynackSocket.class);
                    assertThat(c.isConnected()).isTrue();
                    assertThat(c.isBound()).isTrue();
                    assertThat(c.getLocalPort()).isEqualTo(80);
                    assertThat(c.getLocalAddress()).isEqualTo(InetAddress.getByName(SERVER_IP));
                    assertThat(c.getInetAddress()).isEqualTo(InetAddress.getByName(CLIENT_IP));
                    byte[] got = c.getInputStream().readAllBytes(); // ends at the client's FIN
                    c.getOutputStream().write(("echo:" + new String(got, US_ASCII)).getBytes(US_ASCII));
                }
            }
        });
        net.spawn("client", () -> {
            Socket s = new SynackSocket(client);
            assertThat(s.isConnected()).isFalse();
            assertThat(s.isBound()).isFalse();
            s.connect(serverAt(80), 5000);
            assertThat(s.isConnected()).isTrue();
            assertThat(s.isBound()).isTrue();
            assertThat(s.getPort()).isEqualTo(80);
            assertThat(s.getRemoteSocketAddress()).isEqualTo(serverAt(80));
            assertThat(s.getLocalAddress()).isEqualTo(InetAddress.getByName(CLIENT_IP));
            assertThat(s.getLocalPort()).isBetween(1024, 65535);
            assertThat(s.getLocalSocketAddress()).isEqualTo(new InetSocketAddress(CLIENT_IP, s.getLocalPort()));
            s.getOutputStream().write("hello".getBytes(US_ASCII));
            s.shutdownOutput();
            assertThat(s.isOutputShutdown()).isTrue();
            assertThatThrownBy(s::getOutputStream).isInstanceOf(SocketException.class).hasMessage("Socket output is shutdown");
            assertThatThrownBy(s::shutdownOutput).isInstanceOf(SocketException.class)
                    .hasMessage("Socket output is already shutdown");
            reply[0] = new String(s.getInputStream().readAllBytes(), US_ASCII);
            s.close();
            assertThat(s.isClosed()).isTrue();
            assertThat(s.isConnected()).isTrue(); // java.net: stays true once connected
        });
        net.run();
        assertThat(reply[0]).isEqualTo("echo:hello");
    }

    @Test
    void writingAfterShutdownOutputThrowsThroughTheStreamTakenBefore() {
        echoServer(80);
        net.spawn("client", () -> {
            try (Socket s = new SynackSocket(client)) {
                s.connect(serverAt(80));
                OutputStream out = s.getOutputStream();
                s.shutdownOutput();
                assertThatThrownBy(() -> out.write(1)).isInstanceOf(SocketException.class);
                assertThat(s.getInputStream().readAllBytes()).isEqualTo("echo:".getBytes(US_ASCII));
            }
        });
        net.run();
    }

    @Test
    void afterShutdownInputReadsAreEndOfStreamEvenWithDataQueuedAndOutputStillWorks() {
        net.spawn("server", () -> {
            try (ServerSocket ss = new SynackServerSocket(server, 80); Socket c = ss.accept()) {
                c.getOutputStream().write("early".getBytes(US_ASCII));
                assertThat(c.getInputStream().readNBytes(1)).isEqualTo("x".getBytes(US_ASCII));
            }
        });
        net.spawn("client", () -> {
            try (Socket s = new SynackSocket(client)) {
                s.connect(serverAt(80));
                InputStream in = s.getInputStream();
                net.sleep(Duration.ofSeconds(1));
                assertThat(in.available()).isEqualTo(5); // "early" is queued
                s.shutdownInput();
                assertThat(s.isInputShutdown()).isTrue();
                // java.net: "read methods will return -1", whatever is queued
                assertThat(in.read()).isEqualTo(-1);
                assertThat(in.read(new byte[10])).isEqualTo(-1);
                assertThat(in.available()).isZero();
                assertThatThrownBy(s::getInputStream).isInstanceOf(SocketException.class).hasMessage("Socket input is shutdown");
                assertThatThrownBy(s::shutdownInput).isInstanceOf(SocketException.class)
                        .hasMessage("Socket input is already shutdown");
                s.getOutputStream().write("x".getBytes(US_ASCII)); // the other direction is open
                net.sleep(Duration.ofSeconds(1)); // closing with "early" unread resets (Linux's rule): after the server read
            }
        });
        net.run();
    }

    @Test
    void aRefusedConnectThrowsConnectExceptionAndClosesTheSocket() {
        net.spawn("client", () -> {
            Socket s = new SynackSocket(client);
            assertThatThrownBy(() -> s.connect(serverAt(81))).isInstanceOf(ConnectException.class).hasMessage("Connection refused");
            assertThat(s.isClosed()).isTrue();
            assertThatThrownBy(() -> new SynackSocket(client, SERVER_IP, 81)).isInstanceOf(ConnectException.class);
        });
        net.run();
    }

    @Test
    void connectWithATimeoutToASilentAddressThrowsSocketTimeoutExceptionAtTheTimeout() {
        long[] elapsed = {0};
        net.spawn("client", () -> {
            Socket s = new SynackSocket(client);
            long start = net.nowNanos();
            assertThatThrownBy(() -> s.connect(new InetSocketAddress("10.0.0.99", 80), 1500))
                    .isInstanceOf(SocketTimeoutException.class);
            elapsed[0] = net.nowNanos() - start;
            assertThat(s.isClosed()).isTrue();
        });
        net.run();
        assertThat(elapsed[0]).isEqualTo(1500 * MILLI);
        assertThat(client.connectionCount()).isZero();
    }

    @Test
    void aReadTimeoutThrowsSocketTimeoutExceptionAndTheSocketStaysUsable() {
        net.spawn("server", () -> {
            try (ServerSocket ss = new SynackServerSocket(server, 80); Socket c = ss.accept()) {
                net.sleep(Duration.ofSeconds(2));
                c.getOutputStream().write("late".getBytes(US_ASCII));
            }
        });
        String[] got = {null};
        long[] timedOutAfter = {0};
        net.spawn("client", () -> {
            try (Socket s = new SynackSocket(client, SERVER_IP, 80)) {
                s.setSoTimeout(500);
                assertThat(s.getSoTimeout()).isEqualTo(500);
                InputStream in = s.getInputStream();
                long start = net.nowNanos();
                assertThatThrownBy(in::read).isInstanceOf(SocketTimeoutException.class).hasMessage("Read timed out");
                timedOutAfter[0] = net.nowNanos() - start;
                assertThat(s.isClosed()).isFalse();
                s.setSoTimeout(0);
                got[0] = new String(in.readAllBytes(), US_ASCII);
            }
        });
        net.run();
        assertThat(timedOutAfter[0]).isEqualTo(500 * MILLI);
        assertThat(got[0]).isEqualTo("late");
    }

    @Test
    void acceptWithSoTimeoutThrowsSocketTimeoutExceptionAndTheServerSocketStaysUsable() {
        long[] timedOutAt = {0};
        net.spawn("server", () -> {
            try (ServerSocket ss = new SynackServerSocket(server, 80)) {
                ss.setSoTimeout(300);
                assertThat(ss.getSoTimeout()).isEqualTo(300);
                assertThatThrownBy(ss::accept).isInstanceOf(SocketTimeoutException.class);
                timedOutAt[0] = net.nowNanos();
                assertThat(ss.isClosed()).isFalse();
                ss.setSoTimeout(0);
                try (Socket c = ss.accept()) {
                    c.getOutputStream().write("ok".getBytes(US_ASCII));
                }
            }
        });
        String[] got = {null};
        net.spawn("client", () -> {
            net.sleep(Duration.ofSeconds(1));
            try (Socket s = new SynackSocket(client, SERVER_IP, 80)) {
                got[0] = new String(s.getInputStream().readAllBytes(), US_ASCII);
            }
        });
        net.run();
        assertThat(timedOutAt[0]).isEqualTo(300 * MILLI);
        assertThat(got[0]).isEqualTo("ok");
    }

    @Test
    void aClosedSocketRefusesEveryCallWithSocketIsClosedAndABlockedReadIsWoken() {
        echoServer(80);
        Throwable[] blockedRead = {null};
        Socket[] shared = {null};
        net.spawn("reader", () -> {
            Socket s = new SynackSocket(client, SERVER_IP, 80);
            shared[0] = s;
            try {
                s.getInputStream().read();
            } catch (SocketException e) {
                blockedRead[0] = e;
            }
        });
        net.spawn("closer", () -> {
            net.sleep(Duration.ofSeconds(1));
            Socket s = shared[0];
            InputStream in = s.getInputStream();
            in.close(); // closing a stream closes its socket
            assertThat(s.isClosed()).isTrue();
            assertThatThrownBy(s::getInputStream).isInstanceOf(SocketException.class).hasMessage("Socket is closed");
            assertThatThrownBy(s::getOutputStream).isInstanceOf(SocketException.class).hasMessage("Socket is closed");
            assertThatThrownBy(() -> s.setTcpNoDelay(true)).isInstanceOf(SocketException.class).hasMessage("Socket is closed");
            assertThatThrownBy(() -> s.connect(serverAt(80))).isInstanceOf(SocketException.class).hasMessage("Socket is closed");
            assertThatThrownBy(() -> in.read()).isInstanceOf(SocketException.class).hasMessage("Socket is closed");
            s.close(); // idempotent
        });
        net.run();
        assertThat(blockedRead[0]).isInstanceOf(SocketException.class).hasMessage("Socket is closed");
    }

    @Test
    void soLingerZeroResetsThePeerSeesConnectionReset() {
        Throwable[] seen = {null};
        net.spawn("server", () -> {
            try (ServerSocket ss = new SynackServerSocket(server, 80); Socket c = ss.accept()) {
                try {
                    c.getInputStream().read();
                } catch (SocketException e) {
                    seen[0] = e;
                }
            }
        });
        net.spawn("client", () -> {
            Socket s = new SynackSocket(client, SERVER_IP, 80);
            assertThat(s.getSoLinger()).isEqualTo(-1);
            s.setSoLinger(true, 0);
            assertThat(s.getSoLinger()).isZero();
            s.close();
        });
        net.run();
        assertThat(seen[0]).isInstanceOf(SocketException.class).hasMessage("Connection reset");
    }

    @Test
    void soLingerWithSecondsWaitsForTheDataToBeAcknowledged() {
        echoServer(80);
        long[] closeTook = {-1};
        net.spawn("client", () -> {
            Socket s = new SynackSocket(client, SERVER_IP, 80);
            s.setSoLinger(true, 5);
            assertThat(s.getSoLinger()).isEqualTo(5);
            s.getOutputStream().write(new byte[100_000]);
            long start = net.nowNanos();
            s.close();
            closeTook[0] = net.nowNanos() - start;
        });
        net.run();
        // 100 kB over a 10 ms path cannot be acknowledged at once: close waited for the ACKs.
        assertThat(closeTook[0]).isPositive().isLessThan(5_000 * MILLI);
    }

    @Test
    void aFactoryMadeByNameFromAStringFindsTheRegisteredStack() throws Exception {
        echoServer(80);
        assertThatThrownBy(() -> new SynackSocketFactory("sim-client"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sim-client");
        byte[][] reply = new byte[1][];
        try (SynackSocketFactory.Registration r = SynackSocketFactory.register("sim-client", client)) {
            assertThatThrownBy(() -> SynackSocketFactory.register("sim-client", server))
                    .isInstanceOf(IllegalStateException.class);
            // What a driver does with a class name and one string (pgjdbc's socketFactory/socketFactoryArg).
            javax.net.SocketFactory factory = (javax.net.SocketFactory) Class.forName(SynackSocketFactory.class.getName())
                    .getConstructor(String.class).newInstance("sim-client");
            assertThat(((SynackSocketFactory) factory).stack()).isSameAs(client);
            net.spawn("client", () -> {
                try (Socket s = factory.createSocket(SERVER_IP, 80)) {
                    s.getOutputStream().write("hi".getBytes(US_ASCII));
                    s.shutdownOutput();
                    reply[0] = s.getInputStream().readAllBytes();
                }
            });
            net.run();
        }
        assertThat(new String(reply[0], US_ASCII)).isEqualTo("echo:hi");
        assertThatThrownBy(() -> new SynackSocketFactory("sim-client")).as("closed registration")
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void optionsAreSetAndReadAsJavaNetDoes() {
        echoServer(80);
        net.spawn("client", () -> {
            try (Socket s = new SynackSocket(client)) {
                // before connect: kept for the connection
                s.setTcpNoDelay(true);
                s.setKeepAlive(true);
                s.setSendBufferSize(32_768);
                s.setReceiveBufferSize(65_536);
                s.setReuseAddress(true);
                s.setTrafficClass(0x10);
                s.connect(serverAt(80));
                assertThat(s.getTcpNoDelay()).isTrue();
                assertThat(s.getKeepAlive()).isTrue();
                assertThat(s.getSendBufferSize()).isEqualTo(32_768);
                assertThat(s.getReceiveBufferSize()).isEqualTo(65_536);
                assertThat(s.getReuseAddress()).isTrue();
                assertThat(s.getTrafficClass()).isEqualTo(0x10);
                // after connect: applied at once
                s.setTcpNoDelay(false);
                assertThat(s.getTcpNoDelay()).isFalse();
                s.setOption(StandardSocketOptions.SO_KEEPALIVE, false);
                assertThat(s.getOption(StandardSocketOptions.SO_KEEPALIVE)).isFalse();
                s.setOption(TcpSocketOptions.TCP_USER_TIMEOUT, Duration.ofSeconds(3));
                assertThat(s.getOption(TcpSocketOptions.TCP_USER_TIMEOUT)).isEqualTo(Duration.ofSeconds(3));
                assertThat(s.supportedOptions()).contains(StandardSocketOptions.TCP_NODELAY, StandardSocketOptions.SO_LINGER,
                        StandardSocketOptions.SO_KEEPALIVE, StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_RCVBUF,
                        TcpSocketOptions.TCP_CORK);
                assertThatThrownBy(() -> s.setOption(StandardSocketOptions.SO_BROADCAST, true))
                        .isInstanceOf(UnsupportedOperationException.class);
                assertThatThrownBy(() -> s.setSendBufferSize(0)).isInstanceOf(IllegalArgumentException.class);
                assertThatThrownBy(() -> s.setSoTimeout(-1)).isInstanceOf(IllegalArgumentException.class);
                assertThatThrownBy(() -> s.sendUrgentData(1)).isInstanceOf(SocketException.class)
                        .hasMessage("Urgent data not supported");
                s.shutdownOutput();
                assertThat(s.getInputStream().readAllBytes()).isEqualTo("echo:".getBytes(US_ASCII));
            }
        });
        net.run();
    }

    @Test
    void tcpNoDelaySendsASecondSmallWriteWithoutWaitingForTheFirstsAck() {
        // Nagle (RFC 896) holds a small segment while one is unacknowledged; TCP_NODELAY sends it at once.
        assertThat(secondSmallSegmentSentAfter(true)).isZero();
        assertThat(secondSmallSegmentSentAfter(false)).isPositive();
    }

    /** When (after the second write) the second of two 10-byte writes left the client, in nanos. */
    private static long secondSmallSegmentSentAfter(boolean noDelay) {
        SimNetwork n = new SimNetwork(3);
        NetStack c = n.addHost("client", CLIENT_IP, TcpConfig.linux());
        NetStack s = n.addHost("server", SERVER_IP, TcpConfig.linux());
        var trace = SimNetwork.record(n);
        long[] secondWriteAt = {0};
        n.spawn("server", () -> {
            try (ServerSocket ss = new SynackServerSocket(s, 80); Socket a = ss.accept()) {
                a.getInputStream().readAllBytes();
            }
        });
        n.spawn("client", () -> {
            try (Socket k = new SynackSocket(c, SERVER_IP, 80)) {
                k.setTcpNoDelay(noDelay);
                k.getOutputStream().write(new byte[10]);
                secondWriteAt[0] = n.nowNanos();
                k.getOutputStream().write(new byte[10]);
                n.sleep(Duration.ofSeconds(1));
            }
        });
        n.run();
        long dataSegments = 0;
        for (var e : trace) {
            if (e instanceof TraceEvent.Packet p && p.direction() == TraceEvent.Direction.SEND && p.host().equals("client")
                    && p.len() == 10 && ++dataSegments == 2) {
                return p.timeNanos() - secondWriteAt[0];
            }
        }
        throw new AssertionError("no second data segment in " + trace.size() + " events");
    }

    @Test
    void keepaliveFromSetKeepAliveDetectsAVanishedPeer() {
        boolean[] partitioned = {false};
        net.addFault((from, p) -> partitioned[0] ? "partition" : null);
        net.spawn("server", () -> {
            try (ServerSocket ss = new SynackServerSocket(server, 80)) {
                Socket a = ss.accept();
                partitioned[0] = true;
                a.setSoLinger(true, 0);
                a.close();
            }
        });
        net.spawn("client", () -> {
            try (Socket s = new SynackSocket(client, SERVER_IP, 80)) {
                s.setKeepAlive(true);
                assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketException.class)
                        .hasMessage("Connection timed out");
            }
        });
        net.run();
        assertThat(net.nowNanos()).isGreaterThan(client.config().keepaliveIdleNanos());
    }

    @Test
    void theFactoriesMakeSocketsOnTheirStack() {
        SocketFactory sockets = new SynackSocketFactory(client);
        ServerSocketFactory servers = new SynackServerSocketFactory(server);
        String[] got = {null, null};
        net.spawn("server", () -> {
            try (ServerSocket ss = servers.createServerSocket(0, 4, InetAddress.getByName(SERVER_IP))) {
                assertThat(ss).isInstanceOf(SynackServerSocket.class);
                int port = ss.getLocalPort();
                assertThat(port).isPositive();
                net.spawn("client", () -> {
                    try (Socket s = sockets.createSocket(SERVER_IP, port)) {
                        got[0] = new String(s.getInputStream().readAllBytes(), US_ASCII);
                    }
                    try (Socket s = sockets.createSocket()) {
                        assertThat(s).isInstanceOf(SynackSocket.class);
                        s.connect(new InetSocketAddress(SERVER_IP, port), 1000);
                        got[1] = new String(s.getInputStream().readAllBytes(), US_ASCII);
                    }
                    assertThatThrownBy(() -> sockets.createSocket(SERVER_IP, port, InetAddress.getByName("10.9.9.9"), 0))
                            .isInstanceOf(BindException.class);
                });
                for (String answer : new String[] {"one", "two"}) {
                    try (Socket c = ss.accept()) {
                        c.getOutputStream().write(answer.getBytes(US_ASCII));
                    }
                }
            }
            assertThatThrownBy(() -> servers.createServerSocket(0, 4, InetAddress.getByName("10.9.9.9")))
                    .isInstanceOf(BindException.class);
        });
        net.run();
        assertThat(got).containsExactly("one", "two");
    }

    @Test
    void aServerSocketOnATakenPortThrowsBindExceptionAndCloseWakesABlockedAccept() {
        Throwable[] acceptError = {null};
        ServerSocket[] shared = {null};
        net.spawn("acceptor", () -> {
            ServerSocket ss = new SynackServerSocket(server, 80);
            shared[0] = ss;
            assertThatThrownBy(() -> new SynackServerSocket(server, 80)).isInstanceOf(BindException.class);
            try {
                ss.accept();
            } catch (SocketException e) {
                acceptError[0] = e;
            }
        });
        net.spawn("closer", () -> {
            net.sleep(Duration.ofSeconds(1));
            shared[0].close();
            assertThat(shared[0].isClosed()).isTrue();
            assertThatThrownBy(shared[0]::accept).isInstanceOf(SocketException.class).hasMessage("Socket is closed");
        });
        net.run();
        assertThat(acceptError[0]).hasMessage("Socket is closed");
    }
}
