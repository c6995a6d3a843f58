package dev.synack.socket;

import static dev.synack.socket.SimSockets.server;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synack.tcp.ShutdownHow;
import dev.synack.tcp.TcpError;
import dev.synack.tcp.TcpException;
import dev.synack.tcp.TcpState;
import java.io.IOException;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The socket API a poll loop or a port of C code needs: setOption/getOption on both socket kinds
 * (inherited by accepted sockets), listen() on a bound TcpSocket, the readiness and error queries,
 * the engine's error as the exception's cause, and shutdown(2)'s repeat rule.
 */
class SocketApiTest {
    private static final Duration TICK = Duration.ofMillis(50);

    @Test
    void listenHandsTheSocketsPortAndOptionsToTheServerSocketAndItsAcceptedSockets() {
        SimSockets s = new SimSockets(61);
        TcpSocket[] accepted = new TcpSocket[1];
        int[] clientMss = new int[1];
        s.net.spawn("server", () -> {
            TcpSocket socket = new TcpSocket(s.server);
            socket.bind(80);
            socket.setOption(StandardSocketOptions.TCP_NODELAY, true).setOption(TcpSocketOptions.TCP_MAXSEG, 600);
            try (TcpServerSocket ss = socket.listen(4)) {
                assertThat(socket.isClosed()).isTrue();
                assertThat(ss.getLocalPort()).isEqualTo(80);
                assertThat(ss.getOption(StandardSocketOptions.TCP_NODELAY)).isTrue();
                accepted[0] = ss.accept();
            }
        });
        s.net.spawn("client", () -> {
            try (TcpSocket c = new TcpSocket(s.client)) {
                c.connect(server(80));
                clientMss[0] = c.tcpInfo().sndMss();
            }
        });
        s.net.run();
        assertThat(accepted[0].getOption(StandardSocketOptions.TCP_NODELAY)).isTrue();
        assertThat(accepted[0].getOption(TcpSocketOptions.TCP_MAXSEG)).isEqualTo(600);
        assertThat(clientMss[0]).as("the server's SYN-ACK announced the capped MSS (less the timestamps)").isBetween(500, 600);
    }

    @Test
    void optionsAreCheckedAndUnsetOnesReadAsTheStacksDefaults() throws IOException {
        SimSockets s = new SimSockets(62);
        try (TcpSocket c = new TcpSocket(s.client); TcpServerSocket ss = new TcpServerSocket(s.server)) {
            assertThat(c.getOption(StandardSocketOptions.SO_SNDBUF)).isEqualTo(s.client.config().sendBufferSize());
            assertThat(c.getOption(StandardSocketOptions.SO_LINGER)).isEqualTo(-1);
            assertThat(ss.getOption(TcpSocketOptions.TCP_USER_TIMEOUT)).isEqualTo(Duration.ZERO);
            assertThat(c.supportedOptions()).contains(TcpSocketOptions.TCP_CORK, StandardSocketOptions.SO_KEEPALIVE);
            assertThatThrownBy(() -> c.setOption(StandardSocketOptions.SO_RCVBUF, 1000)).isInstanceOf(UnsupportedOperationException.class);
            assertThatThrownBy(() -> ss.setOption(StandardSocketOptions.SO_SNDBUF, 0)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> c.setOption(StandardSocketOptions.TCP_NODELAY, null)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aNonBlockingSocketAnswersWhereItsConnectionStands() {
        SimSockets s = new SimSockets(63);
        s.net.spawn("server", () -> {
            try (TcpServerSocket ss = new TcpServerSocket(s.server, 80, 4)) {
                ss.configureBlocking(false);
                while (ss.pendingConnections() == 0) s.net.sleep(TICK);
                TcpSocket c = ss.accept();
                assertThat(ss.pendingConnections()).isZero();
                c.write(ByteBuffer.wrap(new byte[5]));
                s.net.sleep(Duration.ofSeconds(1));
                c.setSoLinger(true, 0);
                c.close(); // a reset
            }
        });
        s.net.spawn("client", () -> {
            try (TcpSocket c = new TcpSocket(s.client)) {
                assertThat(c.isWritable()).as("nothing to write to before connect").isFalse();
                assertThat(c.tcpInfo()).isNull();
                c.configureBlocking(false);
                c.connect(server(80));
                assertThat(c.isConnectionPending()).isTrue();
                while (c.isConnectionPending()) s.net.sleep(TICK);
                assertThat(c.isWritable()).isTrue();
                assertThat(c.tcpInfo().state()).isEqualTo(TcpState.ESTABLISHED);
                while (c.available() == 0) s.net.sleep(TICK);
                assertThat(c.available()).isEqualTo(5);
                assertThat(c.read(ByteBuffer.allocate(10))).isEqualTo(5);
                assertThat(c.error()).isNull();
                while (c.error() == null) s.net.sleep(TICK);
                assertThat(c.error()).isEqualTo(TcpError.CONNECTION_RESET);
                assertThatThrownBy(() -> c.read(ByteBuffer.allocate(10))).isInstanceOf(SocketException.class)
                        .cause().isInstanceOf(TcpException.class).extracting(e -> ((TcpException) e).error()).isEqualTo(TcpError.CONNECTION_RESET);
            }
        });
        s.net.run();
    }

    @Test
    void exceptionsTheSocketRaisesItselfNameTheEnginesErrorToo() throws IOException {
        SimSockets s = new SimSockets(64);
        TcpSocket c = new TcpSocket(s.client);
        assertThat(reason(() -> c.read(ByteBuffer.allocate(1)))).isEqualTo(TcpError.NOT_CONNECTED);
        assertThat(reason(() -> c.connect(server(0)))).isEqualTo(TcpError.CONNECTION_REFUSED);
        c.close();
        assertThat(reason(() -> c.bind(0))).isEqualTo(TcpError.CLOSED);
    }

    @Test
    void shutdownTwiceIsHarmlessAsOnLinuxWhileShutdownOutputTwiceIsRefusedAsInJavaNet() {
        SimSockets s = new SimSockets(65);
        s.net.spawn("server", () -> {
            try (TcpServerSocket ss = new TcpServerSocket(s.server, 80, 4); TcpSocket c = ss.accept()) {
                assertThat(c.read(ByteBuffer.allocate(1))).isEqualTo(-1);
            }
        });
        s.net.spawn("client", () -> {
            try (TcpSocket c = new TcpSocket(s.client)) {
                c.connect(server(80));
                c.shutdown(ShutdownHow.WRITE);
                c.shutdown(ShutdownHow.WRITE);
                assertThat(c.isOutputShutdown()).isTrue();
                assertThat(c.isInputShutdown()).isFalse();
                assertThatThrownBy(c::shutdownOutput).hasMessageContaining("already shut down");
                assertThat(reason(() -> c.write(ByteBuffer.allocate(1)))).isEqualTo(TcpError.OUTPUT_SHUTDOWN);
            }
        });
        s.net.run();
    }

    @Test
    void aNonBlockingLingeringCloseReturnsAtOnceAndTellsWhenTheDataIsAcknowledged() {
        SimSockets s = new SimSockets(66);
        s.net.spawn("server", () -> {
            try (TcpServerSocket ss = new TcpServerSocket(s.server, 80, 4); TcpSocket c = ss.accept()) {
                while (c.read(ByteBuffer.allocate(100_000)) >= 0) {
                    // Drain until the client's FIN.
                }
            }
        });
        s.net.spawn("client", () -> {
            TcpSocket c = new TcpSocket(s.client);
            c.setSoLinger(true, 5);
            c.connect(server(80));
            c.configureBlocking(false);
            c.write(ByteBuffer.allocate(50_000));
            c.close();
            assertThat(c.isOutputDrained()).isFalse();
            while (!c.isOutputDrained()) s.net.sleep(TICK);
        });
        s.net.run();
    }

    @FunctionalInterface
    private interface Call {
        void run() throws IOException;
    }

    /** The engine's error that the exception {@code call} throws carries as its cause. */
    private static TcpError reason(Call call) {
        try {
            call.run();
        } catch (IOException e) {
            assertThat(e.getCause()).as(e.toString()).isInstanceOf(TcpException.class);
            return ((TcpException) e.getCause()).error();
        }
        throw new AssertionError("no exception");
    }
}
