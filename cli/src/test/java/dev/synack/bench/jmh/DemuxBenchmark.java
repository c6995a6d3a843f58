package dev.synack.bench.jmh;

import dev.synack.stack.DemuxTable;
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

/** A demux lookup of a present 4-tuple, and of an absent one, in tables of 1k to 1M connections: flat. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
public class DemuxBenchmark {
    private static final int LOOKUP_ORDER = 1 << 16;

    @Param({"1000", "10000", "100000", "1000000"})
    int connections;

    DemuxTable<Object> table;
    long[] present;
    long[] absent;
    int next;

    @Setup
    public void fill() {
        table = new DemuxTable<>(64);
        SplittableRandom random = new SplittableRandom(1);
        long[] keys = new long[connections];
        Object value = new Object();
        for (int i = 0; i < connections; i++) {
            // Client addresses 10.1.x.y, ports 1024 and up, all to port 80, as a busy server sees them.
            keys[i] = DemuxTable.key(0x0a010000 + i / 64_512, 80, 1024 + i % 64_512);
            table.put(keys[i], value);
        }
        present = new long[LOOKUP_ORDER];
        absent = new long[LOOKUP_ORDER];
        for (int i = 0; i < LOOKUP_ORDER; i++) {
            present[i] = keys[random.nextInt(connections)];
            absent[i] = DemuxTable.key(0x0b000000 + random.nextInt(1 << 20), 80, 1024 + random.nextInt(64_512));
        }
    }

    @Benchmark
    public Object lookupPresent() {
        next = (next + 1) & (LOOKUP_ORDER - 1);
        return table.get(present[next]);
    }

    @Benchmark
    public Object lookupAbsent() {
        next = (next + 1) & (LOOKUP_ORDER - 1);
        return table.get(absent[next]);
    }
}
