package dev.synack.socket;

import static dev.synack.socket.SimSockets.readAll;
import static dev.synack.socket.SimSockets.server;
import static dev.synack.socket.SimSockets.writeAll;
import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.trace.TraceEvent;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Many seeds, several concurrent connections, random loss: every byte is echoed exactly once and
 * in order, and every connection ends CLOSED and forgotten. The server spawns one actor per
 * accepted connection (actors may spawn actors).
 */
@Timeout(60)
class SimSocketSeedsTest {
    private static final int CLIENTS = 5;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {101, 102, 103, 104, 105, 106, 107, 108})
    void concurrentEchoesUnderLoss(long seed) {
        run(seed);
    }

    /** Under random loss, concurrency and actors spawning actors, a seed still fixes the whole trace. */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {201, 202, 203})
    void aSeedFixesTheWholeTraceEvenUnderLoss(long seed) {
        List<TraceEvent> first = run(seed);
        List<TraceEvent> second = run(seed);
        assertThat(first).as("seed %d", seed).hasSizeGreaterThan(100);
        assertThat(second).as("seed %d", seed).isEqualTo(first);
    }

    private static List<TraceEvent> run(long seed) {
        SimSockets s = new SimSockets(seed);
        List<TraceEvent> events = s.net.recordTrace();
        Random faults = s.net.random();
        s.net.addFault((from, packet) -> faults.nextInt(30) == 0 ? "random loss 1/30" : null);
        AtomicInteger verified = new AtomicInteger();
        s.net.spawn("acceptor", () -> {
            try (TcpServerSocket ss = new TcpServerSocket(s.server, 7, CLIENTS)) {
                for (int i = 0; i < CLIENTS; i++) {
                    TcpSocket c = ss.accept();
                    s.net.spawn("echo" + i, () -> {
                        try (c) {
                            writeAll(c, readAll(c));
                        }
                    });
                }
            }
        });
        Random sizes = new Random(seed);
        for (int i = 0; i < CLIENTS; i++) {
            byte[] data = new byte[sizes.nextInt(60_000)];
            sizes.nextBytes(data);
            s.net.spawn("client" + i, () -> {
                try (TcpSocket c = new TcpSocket(s.client)) {
                    c.connect(server(7));
                    writeAll(c, data);
                    c.shutdownOutput();
                    assertThat(readAll(c)).as("seed %d", seed).isEqualTo(data);
                    verified.incrementAndGet();
                }
            });
        }
        s.net.run();
        assertThat(verified.get()).as("seed %d", seed).isEqualTo(CLIENTS);
        assertThat(s.client.connectionCount()).as("seed %d", seed).isZero();
        assertThat(s.server.connectionCount()).as("seed %d", seed).isZero();
        assertThat(s.client.counters()).as("seed %d", seed).containsEntry("CurrEstab", 0L).containsEntry("InternalErrors", 0L);
        assertThat(s.server.counters()).as("seed %d", seed).containsEntry("CurrEstab", 0L).containsEntry("InternalErrors", 0L);
        return events;
    }
}
