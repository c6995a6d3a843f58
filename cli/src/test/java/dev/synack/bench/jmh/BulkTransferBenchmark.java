package dev.synack.bench.jmh;

import dev.synack.stack.BulkPair;
import dev.synack.tcp.TcpConfig;
import dev.synack.tcp.TcpState;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The whole send/receive path between two stacks on one thread: write 64 KiB on the client's
 * connection, carry every packet (encode, checksum, copy into a preallocated ring, decode, demux,
 * engine) until the server has read them all and the ACKs are back. One operation is 64 KiB; with
 * {@code -prof gc}, gc.alloc.rate.norm per operation shows that steady-state bulk transfer allocates
 * nothing per segment.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class BulkTransferBenchmark {
    static final int BUFFER = 4 << 20;

    @Param({"1460", "65495"})
    int mss;

    /** The one connection of the trial: it carries every byte, so the figures include no set-up. */
    BulkPair bulk;

    @Setup(Level.Trial)
    public void connect() throws IOException {
        TcpConfig config = TcpConfig.linux().toBuilder().mss(mss).sendBufferSize(BUFFER).receiveBufferSize(BUFFER)
                .maxReceiveBufferSize(BUFFER).build();
        bulk = new BulkPair(config, mss, BUFFER);
    }

    @Benchmark
    public long transfer64KiB() {
        return bulk.transfer(1);
    }

    @TearDown(Level.Trial)
    public void check() {
        if (bulk.sender.state() != TcpState.ESTABLISHED) throw new IllegalStateException("the sender ended in " + bulk.sender.state());
        if (bulk.ring.overflows() > 0) throw new IllegalStateException(bulk.ring.overflows() + " packets found the ring full");
    }
}
