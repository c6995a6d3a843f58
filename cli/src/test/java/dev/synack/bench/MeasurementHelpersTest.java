package dev.synack.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synack.tcp.TcpConfig;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** The measuring code on tiny sizes: what it counts and what it rejects, never how fast. */
@Execution(ExecutionMode.SAME_THREAD)
class MeasurementHelpersTest {
    @Test
    void kernelThroughputDeliversExactlyTheBytesAsked() throws Exception {
        Throughput.Result r = Throughput.kernel(1_000_003, 65_536, 1 << 20, Progress.silent());
        assertThat(r.bytes()).isEqualTo(1_000_003);
        assertThat(r.nanos()).isPositive();
        assertThat(r.detail()).contains("SO_SNDBUF asked 1048576");
    }

    @Test
    void synackThroughputDeliversExactlyTheBytesAsked() throws Exception {
        TcpConfig config = Throughput.config(1500, 1 << 20);
        assertThat(config.mss()).isEqualTo(1460);
        assertThat(config.sendBufferSize()).isEqualTo(1 << 20);
        assertThat(config.receiveBufferSize()).isEqualTo(1 << 20);
        Throughput.Result r = Throughput.synack(config, 300_001, 65_536, Progress.silent());
        assertThat(r.bytes()).isEqualTo(300_001);
        assertThat(r.detail()).contains("MSS 1460");
        // Known, and no more than every core for the stream's whole time (plus two of the readings' 10 ms ticks).
        assertThat(r.cpuNanos()).isNotNegative().isLessThanOrEqualTo(
                (long) (r.nanos() * Runtime.getRuntime().availableProcessors() * 1.1) + 20_000_000L);
    }

    @Test
    void theLargestMtuGivesTheLargestMss() {
        assertThat(Throughput.config(65_535, 1 << 20).mss()).isEqualTo(65_495);
        assertThatThrownBy(() -> Throughput.config(65_536, 1 << 20)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Throughput.config(100, 1 << 20)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theClientExchangeSendsOneByteAndWantsOneBackThenTheEnd() throws IOException {
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        ConnectionRate.exchange(new ByteArrayInputStream(new byte[] {2}), sent, ConnectionRate.CloseMode.SERVER_FIRST);
        assertThat(sent.toByteArray()).containsExactly(1);
        assertThatThrownBy(() -> ConnectionRate.exchange(new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream(),
                ConnectionRate.CloseMode.SERVER_FIRST)).hasMessageContaining("closed before its reply");
        assertThatThrownBy(() -> ConnectionRate.exchange(new ByteArrayInputStream(new byte[] {2, 3}),
                new ByteArrayOutputStream(), ConnectionRate.CloseMode.SERVER_FIRST)).hasMessageContaining("more than one byte");
    }

    @Test
    void theServerRepliesOneByteToARequest() throws IOException {
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        ConnectionRate.serveStreams(new ByteArrayInputStream(new byte[] {1}), sent, ConnectionRate.CloseMode.CLIENT_RESET);
        assertThat(sent.toByteArray()).hasSize(1);
        ByteArrayOutputStream none = new ByteArrayOutputStream();
        ConnectionRate.serveStreams(new ByteArrayInputStream(new byte[0]), none, ConnectionRate.CloseMode.SERVER_FIRST);
        assertThat(none.toByteArray()).isEmpty();
    }

    @Test
    void theRunCountsOnlyExchangesAfterTheWarmupAndCountsFailuresApart() throws InterruptedException {
        AtomicInteger calls = new AtomicInteger();
        // A whole second: even on a loaded machine both workers get to run many exchanges in it.
        ConnectionRate.Result r = ConnectionRate.run(2, Duration.ZERO, Duration.ofSeconds(1), Progress.silent(), () -> {
            if (calls.incrementAndGet() % 2 == 0) throw new IOException("refused");
        });
        assertThat(r.failures()).isPositive();
        assertThat(r.firstFailure()).contains("refused");
        assertThat(r.connections() + r.failures()).isLessThanOrEqualTo(calls.get());
        assertThat(r.connections()).isPositive();
        assertThatThrownBy(() -> ConnectionRate.run(0, Duration.ZERO, Duration.ofMillis(1), Progress.silent(), () -> { }))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theRunMeasuresTheProcessCpuOfTheMeasuredTimeOnly() throws InterruptedException {
        // The one worker spins through most of the 1 s warm-up (0.9 s of a core) and then sleeps
        // through its exchanges. In the measured 250 ms the whole process cannot use more than
        // 250 ms per core; 0.7 s of CPU there would be the warm-up's spinning counted in.
        long[] firstCall = {0};
        ConnectionRate.Result r = ConnectionRate.run(1, Duration.ofSeconds(1), Duration.ofMillis(250), Progress.silent(), () -> {
            long now = System.nanoTime();
            if (firstCall[0] == 0) firstCall[0] = now;
            if (now - firstCall[0] < 900_000_000L) {
                while (System.nanoTime() - now < 20_000) Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(1_000_000);
            }
        });
        assertThat(r.connections()).isPositive();
        // (Not positive for sure: the readings move in 10 ms clock ticks, and a sleeping worker may stay below one.)
        assertThat(r.cpuNanos()).as("process CPU in the measured time").isNotNegative().isLessThan(700_000_000L);
        assertThat(r.busyCores()).isEqualTo((double) r.cpuNanos() / r.nanos());
        assertThat(r.cpuMicrosPerConnection()).isEqualTo(r.cpuNanos() / 1e3 / r.connections());
    }

    @Test
    void kernelConnectionsCompleteInBothCloseModesWithBothServers() throws Exception {
        for (ConnectionRate.ServerKind kind : ConnectionRate.ServerKind.values()) {
            for (ConnectionRate.CloseMode mode : ConnectionRate.CloseMode.values()) {
                // Long enough that a client thread started late on a loaded machine still gets its turn.
                ConnectionRate.Result r = ConnectionRate.kernel(1, Duration.ZERO, Duration.ofMillis(500), mode, kind,
                        Progress.silent());
                assertThat(r.failures()).as(kind + " " + mode + ": " + r.firstFailure()).isZero();
                assertThat(r.connections()).as(kind + " " + mode).isPositive();
            }
        }
    }

    @Test
    void synackConnectionsCompleteInBothCloseModesWithBothServers() throws Exception {
        for (ConnectionRate.ServerKind kind : ConnectionRate.ServerKind.values()) {
            for (ConnectionRate.CloseMode mode : ConnectionRate.CloseMode.values()) {
                ConnectionRate.Result r = ConnectionRate.synack(ConnectionRate.config(), 2, Duration.ZERO,
                        Duration.ofMillis(200), mode, kind, Progress.silent());
                assertThat(r.failures()).as(kind + " " + mode + ": " + r.firstFailure()).isZero();
                assertThat(r.connections()).as(kind + " " + mode).isPositive();
            }
        }
    }

    @Test
    void scaleOpensClosesAndExpiresEveryConnection() throws IOException {
        Scale.Result r = Scale.run(2500, 1000, Progress.silent());
        assertThat(r.clientStacks()).isEqualTo(3); // more connections than one client address has ports
        assertThat(r.detail()).contains("server connections left after the close: 0")
                .contains("TIME_WAIT records expired: 2500, left: 0");
        assertThat(r.handshakeBands()).extracting(Scale.Band::to).containsExactly(1000, 2500);
        assertThat(r.establishedHeap()).isGreaterThan(r.timeWaitHeap());
    }

    @Test
    void flatnessFindsEveryKeyAndFiresEveryTimer() {
        Scale.Flatness f = Scale.flatness(500, 7);
        assertThat(f.size()).isEqualTo(500);
        assertThat(f.demuxLookupNanos()).isPositive();
        assertThat(f.timerRescheduleNanos()).isPositive();
        assertThat(f.timerExpireNanos()).isPositive();
    }
}
