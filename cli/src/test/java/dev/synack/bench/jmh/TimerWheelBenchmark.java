package dev.synack.bench.jmh;

import dev.synack.stack.TimerWheel;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The stack's timer wheel (1 ms slots, 1024 of them, as NetStack builds it) holding 1k to 1M timers
 * with deadlines spread over a minute: moving one timer to a new deadline (what every ACK does to
 * the retransmission timer), and cancelling and scheduling it again.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
public class TimerWheelBenchmark {
    private static final long TICK = 1_000_000L;
    private static final long HORIZON = 60_000_000_000L;
    private static final int ORDER = 1 << 16;

    @Param({"1000", "10000", "100000", "1000000"})
    int timers;

    TimerWheel<Object> wheel;
    TimerWheel.Timer<Object>[] all;
    int[] order;
    long[] deadlines;
    int next;

    @Setup
    @SuppressWarnings("unchecked")
    public void fill() {
        wheel = new TimerWheel<>(TICK, 1024, 0);
        SplittableRandom random = new SplittableRandom(1);
        all = (TimerWheel.Timer<Object>[]) new TimerWheel.Timer<?>[timers];
        Object owner = new Object();
        for (int i = 0; i < timers; i++) {
            all[i] = new TimerWheel.Timer<>(owner);
            wheel.schedule(all[i], 1 + random.nextLong(HORIZON));
        }
        order = new int[ORDER];
        deadlines = new long[ORDER];
        for (int i = 0; i < ORDER; i++) {
            order[i] = random.nextInt(timers);
            deadlines[i] = 1 + random.nextLong(HORIZON);
        }
    }

    @Benchmark
    public int reschedule() {
        next = (next + 1) & (ORDER - 1);
        wheel.schedule(all[order[next]], deadlines[next]);
        return wheel.size();
    }

    @Benchmark
    public int cancelAndSchedule() {
        next = (next + 1) & (ORDER - 1);
        TimerWheel.Timer<Object> t = all[order[next]];
        wheel.cancel(t);
        wheel.schedule(t, deadlines[next]);
        return wheel.size();
    }
}
