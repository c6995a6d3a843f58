package dev.synack.socket;

import static dev.synack.socket.SimSockets.readAll;
import static dev.synack.socket.SimSockets.server;
import static dev.synack.socket.SimSockets.writeAll;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synack.tcp.TcpState;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** TcpSocket.setKeepAlive: Linux's timing (2 h idle, 75 s interval, 9 probes) in virtual time. */
class KeepaliveSocketTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void anIdleConnectionToAVanishedPeerTimesOutAfterIdlePlusNineProbeIntervals() {
        SimSockets s = new SimSockets(41);
        boolean[] partitioned = {false};
        s.net.addFault((from, p) -> partitioned[0] ? "partition" : null);
        s.net.spawn("server", () -> {
            try (TcpServerSocket ss = new TcpServerSocket(s.server, 80, 4)) {
                TcpSocket c = ss.accept();
                partitioned[0] = true; // the peer vanishes: its RST never arrives
                c.setSoLinger(true, 0);
                c.close();
            }
        });
        long[] connectedAt = {0};
        long[] failedAt = {0};
        s.net.spawn("client", () -> {
            try (TcpSocket c = new TcpSocket(s.client)) {
                c.setKeepAlive(true);
                assertThat(c.getKeepAlive()).isTrue();
                c.connect(server(80));
                connectedAt[0] = s.net.nowNanos();
                assertThatThrownBy(() -> c.read(ByteBuffer.allocate(10)))
                        .isInstanceOf(java.net.SocketException.class).hasMessage("Connection timed out");
                failedAt[0] = s.net.nowNanos();
            }
        });
        s.net.run();
        var config = s.client.config();
        long expected = config.keepaliveIdleNanos() + config.keepaliveProbes() * config.keepaliveIntervalNanos();
        assertThat(expected).isEqualTo((2 * 3600 + 9 * 75) * SECOND);
        assertThat(failedAt[0] - connectedAt[0]).isEqualTo(expected);
        assertThat(s.client.connectionCount()).isZero();
    }

    @Test
    void aLivePeerAnswersTheProbesAndTheConnectionStays() {
        SimSockets s = new SimSockets(42);
        s.net.spawn("server", () -> {
            try (TcpServerSocket ss = new TcpServerSocket(s.server, 80, 4)) {
                try (TcpSocket c = ss.accept()) {
                    assertThat(new String(readAll(c), US_ASCII)).isEqualTo("still here");
                }
            }
        });
        s.net.spawn("client", () -> {
            try (TcpSocket c = new TcpSocket(s.client)) {
                c.connect(server(80));
                c.setKeepAlive(true);
                s.net.sleep(Duration.ofSeconds(1)); // the handshake's last ACK reaches the server
                long serverIn = s.server.counters().get("InSegs");
                long clientIn = s.client.counters().get("InSegs");
                s.net.sleep(Duration.ofHours(5));
                // one probe every 2 h of silence (at 2 h and 4 h), each answered by the live peer
                assertThat(s.server.counters().get("InSegs") - serverIn).isEqualTo(2);
                assertThat(s.client.counters().get("InSegs") - clientIn).isEqualTo(2);
                assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
                writeAll(c, "still here".getBytes(US_ASCII));
            }
        });
        s.net.run();
    }
}
