package dev.synack.bench.jmh;

import dev.synack.stack.NetStack;
import dev.synack.stack.PacketRing;
import dev.synack.tcp.Connection;
import dev.synack.tcp.Listener;
import dev.synack.tcp.Rfc6528IsnGenerator;
import dev.synack.tcp.TcpConfig;
import dev.synack.tcp.TcpState;
import java.io.IOException;
import java.nio.ByteBuffer;
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
    static final int CHUNK = 64 * 1024;
    static final int BUFFER = 4 << 20;
    static final int CLIENT = 0x0a000001;
    static final int SERVER = 0x0a000002;

    @Param({"1460", "65495"})
    int mss;


    long now = 1_000_000_000L;
    PacketRing ring;
    NetStack client;
    NetStack server;
    Connection sender;
    Connection receiver;
    Listener listener;
    ByteBuffer chunk;
    ByteBuffer sink;

    @Setup(Level.Trial)
    public void connect() throws IOException {
        TcpConfig config = TcpConfig.linux().toBuilder().mss(mss).sendBufferSize(BUFFER).receiveBufferSize(BUFFER)
                .maxReceiveBufferSize(BUFFER).build();
        ring = new PacketRing(mss, BUFFER);
        client = new NetStack("client", CLIENT, config, () -> now, Rfc6528IsnGenerator.withRandomKey(), 1);
        server = new NetStack("server", SERVER, config, () -> now, Rfc6528IsnGenerator.withRandomKey(), 2);
        client.attach(ring, null);
        server.attach(ring, null);
        server.bind(80);
        listener = server.listen(80, 1);
        openConnection();
        chunk = ByteBuffer.allocate(CHUNK);
        sink = ByteBuffer.allocate(CHUNK);
    }

    /**
     * The one connection of the trial: it carries every byte (the sequence space wraps many times
     * over a trial), so the figures include no connection set-up.
     */
    void openConnection() throws IOException {
        sender = client.connect(0, SERVER, 80);
        ring.pump(client, server);
        server.lock();
        try {
            receiver = listener.accept();
        } finally {
            server.unlock();
        }
        if (receiver == null || sender.state() != TcpState.ESTABLISHED) throw new IllegalStateException("no connection");
    }

    @Benchmark
    public long transfer64KiB() throws IOException {
        chunk.clear();
        long read = 0;
        long rounds = 0;
        while (chunk.hasRemaining() || read < CHUNK) {
            if (++rounds > 1_000_000) throw new IllegalStateException("no progress: " + sender + " / " + receiver);
            if (chunk.hasRemaining()) {
                client.lock();
                try {
                    sender.write(chunk, now);
                } finally {
                    client.unlock();
                }
                client.afterCall(sender);
            }
            now += 10_000; // 10 us per round: the stacks' timers (delayed ACK, RTO) see time pass
            ring.pump(client, server);
            int n;
            do {
                server.lock();
                try {
                    n = receiver.read(sink.clear(), now);
                } finally {
                    server.unlock();
                }
                server.afterCall(receiver);
                read += Math.max(0, n);
            } while (n > 0);
            ring.pump(client, server);
            // Only when due, as the event loop does: each fireTimers call allocates its callback.
            if (client.nextTimerDeadline() <= now) client.fireTimers(now);
            if (server.nextTimerDeadline() <= now) server.fireTimers(now);
            ring.pump(client, server);
        }
        return read;
    }

    @TearDown(Level.Trial)
    public void check() {
        if (sender.state() != TcpState.ESTABLISHED) throw new IllegalStateException("the sender ended in " + sender.state());
        if (ring.overflows() > 0) throw new IllegalStateException(ring.overflows() + " packets found the ring full");
    }
}
