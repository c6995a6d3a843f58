package dev.synack.socket;

import static dev.synack.socket.SimSockets.server;
import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.tcp.TcpConfig;
import dev.synack.tcp.TcpState;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * shutdown(SHUT_RD) under the freebsd() profile, between two stacks: nothing arriving afterwards is
 * ever delivered, and a peer that keeps writing is stopped by a closed window (its writes block),
 * rather than having its bytes taken and thrown away while it believes them read.
 */
@Timeout(30)
class ShutdownReadSocketTest {
    private static final int CHUNK = 8192;

    @Test
    void afterShutdownReadThePeersWritesBlockAndNothingIsDelivered() {
        SimSockets s = new SimSockets(19, TcpConfig.freebsd());
        AtomicLong written = new AtomicLong();
        s.net.spawn("server", () -> {
            try (TcpServerSocket ss = new TcpServerSocket(s.server, 80, 4)) {
                try (TcpSocket c = ss.accept()) {
                    c.shutdownInput();
                    // 40 s of the peer writing (it stops at 50 s): still nothing to read, still connected.
                    for (int i = 0; i < 40; i++) {
                        assertThat(c.read(ByteBuffer.allocate(CHUNK))).isEqualTo(-1);
                        s.net.sleep(Duration.ofSeconds(1));
                    }
                    assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
                }
            }
        });
        s.net.spawn("client", () -> {
            try (TcpSocket c = new TcpSocket(s.client)) {
                c.connect(server(80));
                c.configureBlocking(false);
                long stalledSince = -1;
                for (int second = 0; second < 50; second++) {
                    int n;
                    do {
                        n = c.write(ByteBuffer.allocate(CHUNK));
                        written.addAndGet(n);
                    } while (n > 0);
                    if (second == 20) stalledSince = written.get(); // the offered window is filled by now (the last bytes wait for a persist timeout)
                    s.net.sleep(Duration.ofSeconds(1));
                }
                // Once the window closed nothing more went: 30 s of persist probes moved nothing.
                assertThat(written.get()).isEqualTo(stalledSince);
                c.setSoLinger(true, 0); // close() resets: the bytes never taken are not left to a FIN
            }
        });
        s.net.run();
        // At most what the server's window offered (64 KiB, its receive buffer) and the client's
        // 32 KiB send buffer: the bytes past the window wait, unacknowledged, in the client.
        assertThat(written.get()).isPositive().isLessThanOrEqualTo(65536 + 32768 + 2 * CHUNK);
    }
}
