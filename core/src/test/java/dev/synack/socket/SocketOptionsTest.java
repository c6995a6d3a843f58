package dev.synack.socket;

import static dev.synack.socket.SimSockets.readAll;
import static dev.synack.socket.SimSockets.server;
import static dev.synack.socket.SimSockets.writeAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** TcpSocket's TCP_USER_TIMEOUT, TCP_MAXSEG and TCP_NOTSENT_LOWAT. */
class SocketOptionsTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void aUserTimeoutEndsAConnectionToAVanishedPeerSoonAfterTheFirstRetransmission() {
        SimSockets s = new SimSockets(51);
        boolean[] partitioned = {false};
        s.net.addFault((from, p) -> partitioned[0] ? "partition" : null);
        s.net.spawn("server", () -> {
            try (TcpServerSocket ss = new TcpServerSocket(s.server, 80, 4)) {
                ss.accept();
                partitioned[0] = true;
            }
        });
        long[] wroteAt = {0};
        long[] failedAt = {0};
        s.net.spawn("client", () -> {
            try (TcpSocket c = new TcpSocket(s.client)) {
                c.setOption(TcpSocketOptions.TCP_USER_TIMEOUT, Duration.ofSeconds(2));
                c.connect(server(80));
                while (!partitioned[0]) s.net.sleep(Duration.ofMillis(1));
                writeAll(c, new byte[100]);
                wroteAt[0] = s.net.nowNanos();
                assertThatThrownBy(() -> c.read(ByteBuffer.allocate(10)))
                        .isInstanceOf(java.net.SocketException.class).hasMessage("Connection timed out");
                failedAt[0] = s.net.nowNanos();
            }
        });
        s.net.run();
        long elapsed = failedAt[0] - wroteAt[0];
        assertThat(elapsed).as("2 s after the first retransmission, one RTO after the write").isBetween(2 * SECOND, 4 * SECOND);
    }

    @Test
    void aCappedMssStillCarriesTheData() {
        SimSockets s = new SimSockets(52);
        byte[] data = new byte[50_000];
        for (int i = 0; i < data.length; i++) data[i] = (byte) i;
        byte[][] got = new byte[1][];
        s.net.spawn("server", () -> {
            try (TcpServerSocket ss = new TcpServerSocket(s.server, 80, 4); TcpSocket c = ss.accept()) {
                got[0] = readAll(c);
            }
        });
        s.net.spawn("client", () -> {
            try (TcpSocket c = new TcpSocket(s.client)) {
                c.setOption(TcpSocketOptions.TCP_MAXSEG, 600);
                c.setOption(TcpSocketOptions.TCP_NOTSENT_LOWAT, 4000L);
                assertThat(c.getOption(TcpSocketOptions.TCP_NOTSENT_LOWAT)).isEqualTo(4000L);
                c.connect(server(80));
                writeAll(c, data);
            }
        });
        s.net.run();
        assertThat(got[0]).isEqualTo(data);
    }

    @Test
    void valuesLinuxRefusesAreRefused() throws Exception {
        SimSockets s = new SimSockets(53);
        try (TcpSocket c = new TcpSocket(s.client)) {
            assertThatThrownBy(() -> c.setOption(TcpSocketOptions.TCP_MAXSEG, 50)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> c.setOption(TcpSocketOptions.TCP_NOTSENT_LOWAT, -1L)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> c.setOption(TcpSocketOptions.TCP_USER_TIMEOUT, Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
