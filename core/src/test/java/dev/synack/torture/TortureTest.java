package dev.synack.torture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.trace.TraceEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The torture suite: {@value #DEFAULT_COUNT} seeded transfers ({@link TortureRun}) over paths with
 * independent and burst loss up to 30 %, reordering, duplication, corruption, jitter, bandwidth
 * limits with drop-tail queues and short partitions, with and without SACK, timestamps and window
 * scaling, NewReno and CUBIC; sizes from 0 bytes to 8 MiB (most small: 5 % empty, 35 % under 1500
 * bytes, 40 % under 32 KiB, 17 % under 512 KiB, 3 % up to 8 MiB). Each seed is one dynamic test whose name
 * shows its parameters; a failure prints the seed, every parameter and the rerun command.
 *
 * <p>The simulations are independent, so they run two at a time (the machine has two cores) on a
 * small pool started when the suite is built; each dynamic test waits for its own result.
 *
 * <p>Properties:
 * <ul>
 *   <li>{@code -Dtorture.seed=N}: run only seed N and print its whole trace (as JSON lines) on failure
 *       (always with {@code -Dtorture.trace=true}):
 *       {@code mvn test -Dtest=TortureTest -Dtorture.seed=N}</li>
 *   <li>{@code -Dtorture.count=M} and {@code -Dtorture.first=F}: run seeds F .. F+M-1
 *       (default {@value #DEFAULT_FIRST} .. {@value #DEFAULT_FIRST}+{@value #DEFAULT_COUNT}-1); e.g. a
 *       longer soak: {@code mvn test -Dtest=TortureTest -Dtorture.first=100000 -Dtorture.count=20000}</li>
 *   <li>{@code -Dtorture.duplex=false}: never let both ends stream at once (a quarter of the seeds do
 *       by default)</li>
 * </ul>
 */
class TortureTest {
    static final long DEFAULT_FIRST = 1;
    static final int DEFAULT_COUNT = 4000;
    private static final int THREADS = 2;

    @TestFactory
    Stream<DynamicTest> transfersSurviveFaults() {
        String single = System.getProperty("torture.seed");
        long first = single != null ? Long.parseLong(single) : Long.getLong("torture.first", DEFAULT_FIRST);
        long count = single != null ? 1 : Long.getLong("torture.count", DEFAULT_COUNT);
        boolean traced = single != null;
        ExecutorService pool = Executors.newFixedThreadPool(THREADS, r -> Thread.ofPlatform().daemon()
                .name("torture").unstarted(r));
        List<Future<TortureRun.Outcome>> outcomes = LongStream.range(first, first + count)
                .mapToObj(seed -> pool.submit(() -> TortureRun.of(seed).run(traced))).toList();
        pool.shutdown();
        return LongStream.range(0, count).mapToObj(i -> {
            long seed = first + i;
            Future<TortureRun.Outcome> future = outcomes.get((int) i);
            return DynamicTest.dynamicTest("seed " + seed, () -> {
                TortureRun.Outcome o = future.get();
                if (traced && (!o.passed() || Boolean.getBoolean("torture.trace"))) printTrace(o.trace());
                if (traced) System.out.println("torture " + o.run().describe() + "\n  faults: " + o.faults()
                        + ", virtual time " + Duration.ofNanos(o.virtualNanos()) + (o.passed() ? ", passed" : ", FAILED"));
                assertThat(o.failure())
                        .as("torture %s%n  faults: %s, virtual time %s%n  rerun: mvn test -Dtest=TortureTest -Dtorture.seed=%d",
                                o.run().describe(), o.faults(), Duration.ofNanos(o.virtualNanos()), o.run().seed())
                        .isNull();
            });
        });
    }

    private static void printTrace(List<TraceEvent> trace) {
        java.io.PrintWriter out = new java.io.PrintWriter(System.out, false, java.nio.charset.StandardCharsets.UTF_8);
        dev.synack.trace.JsonLinesRenderer.render(trace, out);
        out.flush();
    }
}
