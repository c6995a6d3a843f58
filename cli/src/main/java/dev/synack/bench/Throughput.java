package dev.synack.bench;

import dev.synack.link.MemoryLink;
import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import dev.synack.stack.Counter;
import dev.synack.stack.NetStack;
import dev.synack.tcp.TcpConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * One bulk stream of a given number of bytes, timed from the first write to the receiver's end of
 * file (the connection set-up is not timed): synack between two stacks over a {@link MemoryLink}
 * (real time, no delay), and the kernel over 127.0.0.1 with blocking {@link SocketChannel}s. Both
 * write and read the same number of bytes per call.
 */
public final class Throughput {
    /** The IPv4 and TCP headers without options: MSS = MTU - 40 (RFC 9293 §3.7.1). */
    public static final int HEADERS = 40;
    static final String CLIENT_IP = "10.0.0.1";
    static final String SERVER_IP = "10.0.0.2";
    static final String CLIENT_IP6 = "fd00::1";
    static final String SERVER_IP6 = "fd00::2";
    static final int PORT = 5001;

    /**
     * What one stream did. {@code cpuNanos}: the CPU time the whole process used from the first write
     * to the receiver's end of file ({@link ProcessCpu}), negative when the JVM cannot tell.
     */
    public record Result(long bytes, long nanos, String detail, long cpuNanos) {
        public double gigabitsPerSecond() {
            return nanos > 0 ? bytes * 8.0 / nanos : Double.NaN;
        }

        /** Seconds of process CPU per GiB carried (NaN when unknown). */
        public double cpuSecondsPerGibibyte() {
            return cpuNanos >= 0 && bytes > 0 ? cpuNanos / 1e9 / (bytes / (double) (1L << 30)) : Double.NaN;
        }

        /** How many cores the process kept busy on average (NaN when unknown). */
        public double busyCores() {
            return ProcessCpu.busyCores(cpuNanos, nanos);
        }
    }

    /** No byte received for this long: the stream is declared stalled. */
    static final long STALL_NANOS = 15_000_000_000L;

    private Throughput() {}

    /** The configuration of both synack hosts: MSS from the MTU, both buffers of {@code buffer} bytes. */
    public static TcpConfig config(int mtu, int buffer) {
        if (mtu - HEADERS < 88 || mtu > 65_535) throw new IllegalArgumentException("MTU must be in [128, 65535], was " + mtu);
        return TcpConfig.linux().toBuilder()
                .mss(mtu - HEADERS)
                .sendBufferSize(buffer)
                .receiveBufferSize(buffer)
                .maxReceiveBufferSize(Math.max(buffer, TcpConfig.linux().maxReceiveBufferSize()))
                .build();
    }

    /** synack to synack over a {@link MemoryLink}: {@code bytes} written {@code writeSize} at a time. */
    public static Result synack(TcpConfig config, long bytes, int writeSize, Progress progress) throws Exception {
        return synack(config, bytes, writeSize, false, progress);
    }

    /** {@link #synack(TcpConfig, long, int, Progress)} over IPv4 or, with {@code ipv6}, over IPv6 (fd00::1 to fd00::2). */
    public static Result synack(TcpConfig config, long bytes, int writeSize, boolean ipv6, Progress progress) throws Exception {
        try (MemoryLink link = new MemoryLink()) {
            NetStack client = link.addHost("client", ipv6 ? CLIENT_IP6 : CLIENT_IP, config);
            NetStack server = link.addHost("server", ipv6 ? SERVER_IP6 : SERVER_IP, config);
            TcpServerSocket listener = new TcpServerSocket(server, PORT, 1);
            TcpSocket s = new TcpSocket(client);
            s.connect(new InetSocketAddress(InetAddress.ofLiteral(ipv6 ? SERVER_IP6 : SERVER_IP), PORT));
            Result result = pump("bench", () -> stream(listener.accept()), stream(s), bytes, writeSize,
                    ByteBuffer::allocate, progress, () -> String.format(java.util.Locale.ROOT,
                            "MSS %d, send and receive buffers %d bytes; sender: %d segments out, %d retransmitted; receiver: %d segments out",
                            ipv6 ? config.mss() - 20 : config.mss(), config.sendBufferSize(), client.counter(Counter.OUT_SEGS),
                            client.counter(Counter.RETRANS_SEGS), server.counter(Counter.OUT_SEGS)));
            listener.close();
            return result;
        }
    }

    /** The kernel over loopback, blocking channels with direct buffers, the same buffer sizes asked for. */
    public static Result kernel(long bytes, int writeSize, int buffer, Progress progress) throws Exception {
        return kernel(bytes, writeSize, buffer, false, progress);
    }

    /** {@link #kernel(long, int, int, Progress)} over 127.0.0.1 or, with {@code ipv6}, over ::1. */
    public static Result kernel(long bytes, int writeSize, int buffer, boolean ipv6, Progress progress) throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.setOption(StandardSocketOptions.SO_RCVBUF, buffer);
            listener.bind(new InetSocketAddress(InetAddress.ofLiteral(ipv6 ? "::1" : "127.0.0.1"), 0), 1);
            SocketChannel s = SocketChannel.open();
            s.setOption(StandardSocketOptions.SO_SNDBUF, buffer);
            s.connect(listener.getLocalAddress());
            int sendBuffer = s.getOption(StandardSocketOptions.SO_SNDBUF);
            return pump("bench-kernel", () -> stream(listener.accept()), stream(s), bytes, writeSize,
                    ByteBuffer::allocateDirect, progress, () -> "kernel: SO_SNDBUF asked " + buffer + ", got "
                            + sendBuffer + " (Linux doubles it and caps it at net.core.wmem_max)");
        }
    }

    /** A connected socket as a measured stream sees it: synack's {@link TcpSocket} or the kernel's {@link SocketChannel}. */
    private interface Stream extends AutoCloseable {
        int read(ByteBuffer dst) throws IOException;

        int write(ByteBuffer src) throws IOException;

        @Override
        void close() throws IOException;
    }

    private interface Acceptor {
        Stream accept() throws IOException;
    }

    private static Stream stream(TcpSocket s) {
        return new Stream() {
            @Override public int read(ByteBuffer dst) throws IOException { return s.read(dst); }
            @Override public int write(ByteBuffer src) throws IOException { return s.write(src); }
            @Override public void close() throws IOException { s.close(); }
        };
    }

    private static Stream stream(SocketChannel c) {
        return new Stream() {
            @Override public int read(ByteBuffer dst) throws IOException { return c.read(dst); }
            @Override public int write(ByteBuffer src) throws IOException { return c.write(src); }
            @Override public void close() throws IOException { c.close(); }
        };
    }

    /**
     * One timed stream, the same for both stacks so that both are measured alike: a receiver thread
     * accepts and reads to end of file, a sender thread writes {@code bytes} {@code writeSize} at a
     * time; the clock runs from the first write to the receiver's end of file.
     */
    private static Result pump(String threadPrefix, Acceptor acceptor, Stream sending, long bytes, int writeSize,
                               IntFunction<ByteBuffer> buffers, Progress progress, Supplier<String> detail)
            throws Exception {
        AtomicLong received = new AtomicLong();
        AtomicLong endNanos = new AtomicLong();
        AtomicLong endCpu = new AtomicLong(-1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread receiver = Thread.ofPlatform().daemon().name(threadPrefix + "-receiver").start(() -> {
            try (Stream s = acceptor.accept()) {
                ByteBuffer buffer = buffers.apply(writeSize);
                int n;
                while ((n = s.read(buffer.clear())) >= 0) received.addAndGet(n);
                endNanos.set(System.nanoTime());
                endCpu.set(ProcessCpu.nanos());
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        AtomicLong start = new AtomicLong();
        AtomicLong startCpu = new AtomicLong(-1);
        Thread sender = Thread.ofPlatform().daemon().name(threadPrefix + "-sender").start(() -> {
            try (sending) {
                ByteBuffer chunk = buffers.apply(writeSize);
                startCpu.set(ProcessCpu.nanos());
                start.set(System.nanoTime());
                writeAll(bytes, chunk, c -> {
                    while (c.hasRemaining()) sending.write(c);
                });
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
        await(sender, receiver, received, bytes, progress, failure);
        return new Result(received.get(), endNanos.get() - start.get(), detail.get(),
                ProcessCpu.between(startCpu.get(), endCpu.get()));
    }

    private interface ChunkWriter {
        void write(ByteBuffer chunk) throws IOException;
    }

    private static void writeAll(long bytes, ByteBuffer chunk, ChunkWriter out) throws IOException {
        long left = bytes;
        while (left > 0) {
            chunk.clear();
            if (left < chunk.capacity()) chunk.limit((int) left);
            left -= chunk.remaining();
            out.write(chunk);
        }
    }

    /**
     * Waits for both ends, updating the progress line; gives up (their threads are daemons) when
     * the receiver has made no progress for {@link #STALL_NANOS}: a stalled stream must not hang
     * the benchmark.
     */
    static void await(Thread sender, Thread receiver, AtomicLong received, long bytes, Progress progress,
                      AtomicReference<Throwable> failure) throws Exception {
        long lastCount = -1;
        long lastChange = System.nanoTime();
        while (!receiver.join(java.time.Duration.ofMillis(200))) {
            long now = System.nanoTime();
            long count = received.get();
            progress.update((double) count, (double) bytes);
            if (count != lastCount) {
                lastCount = count;
                lastChange = now;
            } else if (now - lastChange > STALL_NANOS) {
                throw new IOException("the stream stalled: no byte received for " + STALL_NANOS / 1_000_000_000L
                        + " s after " + count + " of " + bytes + " bytes"
                        + (failure.get() == null ? "" : " (" + failure.get() + ")"));
            }
            if (failure.get() != null && !sender.isAlive()) break;
        }
        sender.join(java.time.Duration.ofSeconds(STALL_NANOS / 1_000_000_000L));
        if (failure.get() != null) throw new IOException("the stream failed: " + failure.get(), failure.get());
        if (received.get() != bytes) {
            throw new IOException("the receiver got " + received.get() + " bytes of " + bytes);
        }
    }
}
