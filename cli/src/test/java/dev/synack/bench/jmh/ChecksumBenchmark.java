package dev.synack.bench.jmh;

import dev.synack.wire.Checksum;
import java.nio.ByteBuffer;
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

/** The Internet checksum (RFC 1071) over a header, a 1500-MTU segment and a 64 KiB one. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ChecksumBenchmark {
    @Param({"40", "1480", "65515"})
    int length;

    ByteBuffer heap;
    ByteBuffer direct;
    byte[] array;

    @Setup
    public void fill() {
        array = new byte[length];
        new SplittableRandom(1).nextBytes(array);
        heap = ByteBuffer.wrap(array);
        direct = ByteBuffer.allocateDirect(length).put(array).flip();
    }

    @Benchmark
    public int heapBuffer() {
        return Checksum.compute(heap, 0, length);
    }

    @Benchmark
    public int directBuffer() {
        return Checksum.compute(direct, 0, length);
    }

    @Benchmark
    public int byteArray() {
        return Checksum.compute(array, 0, length);
    }
}
