package dev.synack.bench;

import dev.synack.link.MemoryLink;
import dev.synack.link.TunLink;
import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import dev.synack.stack.NetStack;
import dev.synack.stack.StackShards;
import dev.synack.tcp.TcpConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.concurrent.atomic.LongAdder;

/**
 * Short connections as fast as they go: each client thread loops connect, write one byte, read the
 * one-byte reply, close (blocking platform threads). The server is of one of two {@link ServerKind}s:
 * {@link ServerKind#THREADS} accepts on one thread and serves each connection on a virtual thread;
 * {@link ServerKind#EVENTS} has no thread per connection (see there). The same code shape runs on
 * synack (two stacks over a {@link MemoryLink}) and on the kernel (java.net and java.nio sockets
 * over 127.0.0.1); only connections completed after the warm-up count.
 */
public final class ConnectionRate {
    static final String CLIENT_IP = "10.0.0.1";
    static final String SERVER_IP = "10.0.0.2";
    static final String CLIENT_IP6 = "fd00::1";
    static final String SERVER_IP6 = "fd00::2";
    static final int PORT = 5002;
    static final int BACKLOG = 4096;

    /**
     * Who closes, the same on both stacks. {@link #SERVER_FIRST}: the server closes after its reply
     * and holds the TIME_WAIT (keyed by the client's ephemeral port, reused through a SYN the
     * TIME_WAIT accepts: RFC 9293 §3.10.7.4 with timestamps, RFC 6191); the client reads the end
     * of file and closes. {@link #CLIENT_RESET}: the client closes with SO_LINGER 0 (a reset, no
     * TIME_WAIT anywhere).
     */
    public enum CloseMode { SERVER_FIRST, CLIENT_RESET }

    /**
     * How the server is built, each stack in its best shape for it. {@link #THREADS}: a platform
     * thread blocks in accept() and starts a virtual thread per connection, which blocks in read.
     * {@link #EVENTS}: synack, a non-blocking listener whose readiness handlers accept and serve
     * every connection, with no server thread at all (they run on whichever thread delivers the
     * packets, here the client's own, caller-runs); the kernel, one platform thread running a
     * java.nio Selector over a non-blocking ServerSocketChannel and its SocketChannels.
     */
    public enum ServerKind {
        THREADS, EVENTS;

        /** Its name on the command line and in results: "threads", "events". */
        public String label() { return name().toLowerCase(java.util.Locale.ROOT); }
    }

    /**
     * Connections completed in the measured time; failures are counted, not fatal. {@code cpuNanos}:
     * the CPU time the whole process used in that time ({@link ProcessCpu}), negative when the JVM
     * cannot tell.
     */
    public record Result(long connections, long nanos, long failures, String firstFailure, long cpuNanos) {
        public double perSecond() {
            return nanos > 0 ? connections * 1e9 / nanos : Double.NaN;
        }

        /** Microseconds of process CPU per connection completed (NaN when unknown). */
        public double cpuMicrosPerConnection() {
            return cpuNanos >= 0 && connections > 0 ? cpuNanos / 1e3 / connections : Double.NaN;
        }

        /** How many cores the process kept busy on average (NaN when unknown). */
        public double busyCores() {
            return ProcessCpu.busyCores(cpuNanos, nanos);
        }
    }

    /** One request/reply exchange on some stack's sockets. */
    interface Client {
        void exchange() throws IOException;
    }

    private ConnectionRate() {}

    public static TcpConfig config() {
        return TcpConfig.linux().toBuilder().maxBacklog(BACKLOG).build();
    }

    /** synack with the {@link ServerKind#THREADS} server. */
    public static Result synack(TcpConfig config, int threads, Duration warmup, Duration measure, CloseMode mode,
                                Progress progress) throws Exception {
        return synack(config, threads, warmup, measure, mode, ServerKind.THREADS, progress);
    }

    /** The kernel with the {@link ServerKind#THREADS} server. */
    public static Result kernel(int threads, Duration warmup, Duration measure, CloseMode mode, Progress progress)
            throws Exception {
        return kernel(threads, warmup, measure, mode, ServerKind.THREADS, progress);
    }

    /** synack: one server stack, one client stack, over a {@link MemoryLink}, over IPv4. */
    public static Result synack(TcpConfig config, int threads, Duration warmup, Duration measure, CloseMode mode,
                                ServerKind kind, Progress progress) throws Exception {
        return synack(config, threads, warmup, measure, mode, kind, false, progress);
    }

    /** {@link #synack(TcpConfig, int, Duration, Duration, CloseMode, ServerKind, Progress)}, with {@code ipv6} over IPv6, one shard per host. */
    public static Result synack(TcpConfig config, int threads, Duration warmup, Duration measure, CloseMode mode,
                                ServerKind kind, boolean ipv6, Progress progress) throws Exception {
        return synack(config, threads, warmup, measure, mode, kind, ipv6, 1, progress);
    }

    /**
     * synack with each host split into {@code shards} stacks ({@link StackShards}: a lock and an
     * event loop each, flows routed by their 4-tuple's hash): the server listens on every shard,
     * each client connection opens from the next client shard in turn.
     */
    public static Result synack(TcpConfig config, int threads, Duration warmup, Duration measure, CloseMode mode,
                                ServerKind kind, boolean ipv6, int shards, Progress progress) throws Exception {
        try (MemoryLink link = new MemoryLink()) {
            StackShards client = link.addShardedHost("client", ipv6 ? CLIENT_IP6 : CLIENT_IP, config, shards);
            StackShards server = link.addShardedHost("server", ipv6 ? SERVER_IP6 : SERVER_IP, config, shards);
            InetSocketAddress remote = new InetSocketAddress(InetAddress.ofLiteral(ipv6 ? SERVER_IP6 : SERVER_IP), PORT);
            try (ShardServers ignored = new ShardServers(server, kind, mode)) {
                return run(threads, warmup, measure, progress, () -> {
                    try (TcpSocket s = new TcpSocket(client.next())) {
                        s.connect(remote);
                        exchange(s.getInputStream(), s.getOutputStream(), mode);
                        if (mode == CloseMode.CLIENT_RESET) s.setSoLinger(true, 0);
                    }
                });
            }
        }
    }

    /**
     * A server of one {@link ServerKind} listening on port {@link #PORT} of every shard of a host,
     * as SO_REUSEPORT listeners do; {@link #close()} closes the listeners and waits for their
     * accepting threads.
     */
    private static final class ShardServers implements AutoCloseable {
        private final List<TcpServerSocket> listeners = new ArrayList<>();
        private final List<Thread> acceptors = new ArrayList<>();

        ShardServers(StackShards host, ServerKind kind, CloseMode mode) throws Exception {
            try {
                for (NetStack shard : host.all()) {
                    TcpServerSocket listener = new TcpServerSocket(shard, PORT, BACKLOG);
                    listeners.add(listener);
                    Thread acceptor = startServer(listener, kind, mode);
                    if (acceptor != null) acceptors.add(acceptor);
                }
            } catch (Exception e) {
                close();
                throw e;
            }
        }

        @Override
        public void close() throws IOException, InterruptedException {
            for (TcpServerSocket l : listeners) l.close();
            for (Thread a : acceptors) a.join(Duration.ofSeconds(5));
        }
    }

    /**
     * Serves {@code listener} as a server of {@code kind}: the {@link ServerKind#THREADS} server's
     * accepting thread (returned), or the {@link ServerKind#EVENTS} server's handlers (null).
     */
    private static Thread startServer(TcpServerSocket listener, ServerKind kind, CloseMode mode) throws IOException {
        if (kind == ServerKind.EVENTS) {
            listener.configureBlocking(false);
            listener.onAcceptable(l -> {
                TcpSocket s;
                while ((s = l.accept()) != null) {
                    s.configureBlocking(false);
                    s.onReady(new EventServer(mode)::ready);
                }
            });
            return null;
        }
        return Thread.ofPlatform().daemon().name("bench-accept").start(() -> {
            while (!listener.isClosed()) {
                TcpSocket s;
                try {
                    s = listener.accept();
                } catch (IOException e) {
                    return; // closed
                }
                Thread.ofVirtual().start(() -> serve(s, mode));
            }
        });
    }

    /** The kernel's {@link ServerKind#THREADS} server on {@code listener}: its accepting thread. */
    private static Thread startServer(ServerSocket listener, CloseMode mode) {
        return Thread.ofPlatform().daemon().name("bench-kernel-accept").start(() -> {
            while (!listener.isClosed()) {
                Socket s;
                try {
                    s = listener.accept();
                } catch (IOException e) {
                    return;
                }
                Thread.ofVirtual().start(() -> serve(s, mode));
            }
        });
    }

    /**
     * Kernel clients connecting over a TUN device (MTU 1500) to synack's server of {@code kind} on
     * it: a device of {@code queues} queues (IFF_MULTI_QUEUE when more than one), synack's host a
     * shard per queue with a listener on each. Must run inside a network namespace of its own (see
     * {@link TunThroughput}).
     */
    public static Result kernelToSynackOverTun(int threads, Duration warmup, Duration measure, CloseMode mode, ServerKind kind,
                                               int queues, Progress progress) throws Exception {
        TunLink.Options options = TunLink.Options.of(TunThroughput.DEVICE, TunThroughput.SYNACK_CIDR);
        try (TunLink link = TunLink.open(options, queues)) {
            StackShards server = link.addShardedHost("synack", options.address(), config());
            try (ShardServers ignored = new ShardServers(server, kind, mode)) {
                return run(threads, warmup, measure, progress,
                        kernelClient(new InetSocketAddress(InetAddress.ofLiteral(options.address()), PORT), mode));
            } finally {
                server.close();
            }
        }
    }

    /**
     * The same clients connecting over a veth pair (MTU 1500) to the kernel's server of {@code kind}
     * at its far end: the yardstick for {@link #kernelToSynackOverTun}. Must run inside a network
     * namespace of its own.
     */
    public static Result kernelOverVeth(int threads, Duration warmup, Duration measure, CloseMode mode, ServerKind kind,
                                        Progress progress) throws Exception {
        try (VethPair pair = VethPair.open(1500)) {
            InetSocketAddress far = new InetSocketAddress(InetAddress.ofLiteral(VethPair.FAR), PORT);
            if (kind == ServerKind.EVENTS) {
                return kernelEvents(threads, warmup, measure, mode, () -> pair.insideFar(() -> {
                    ServerSocketChannel l = ServerSocketChannel.open();
                    l.bind(far, BACKLOG);
                    return l;
                }), progress);
            }
            try (ServerSocket listener = pair.insideFar(() -> {
                ServerSocket l = new ServerSocket();
                l.bind(far, BACKLOG);
                return l;
            })) {
                Thread acceptor = startServer(listener, mode);
                try {
                    return run(threads, warmup, measure, progress, kernelClient(far, mode));
                } finally {
                    listener.close();
                    acceptor.join(Duration.ofSeconds(5));
                }
            }
        }
    }

    /**
     * One connection of the synack {@link ServerKind#EVENTS} server: its readiness handler reads the
     * request byte, replies, then closes (server first) or reads on until the client's reset.
     */
    private static final class EventServer {
        private final CloseMode mode;
        private final ByteBuffer buffer = ByteBuffer.allocate(1);
        private boolean replied;

        EventServer(CloseMode mode) { this.mode = mode; }

        void ready(TcpSocket s) throws IOException {
            try {
                int n;
                if (!replied) {
                    n = s.read(buffer.clear());
                    if (n == 0) return;
                    if (n < 0) {
                        s.close();
                        return;
                    }
                    replied = true;
                    s.write(buffer.clear().put((byte) 2).flip()); // one byte into an empty send buffer: always taken
                    if (mode == CloseMode.SERVER_FIRST) {
                        s.close();
                        return;
                    }
                }
                while ((n = s.read(buffer.clear())) > 0) { /* until the client's reset or FIN */ }
                if (n < 0) s.close();
            } catch (IOException reset) {
                s.close(); // the expected end with client-reset: the client's RST
            }
        }
    }

    /** The kernel over 127.0.0.1: java.net sockets, and java.nio channels for the events server. */
    public static Result kernel(int threads, Duration warmup, Duration measure, CloseMode mode, ServerKind kind,
                                Progress progress) throws Exception {
        return kernel(threads, warmup, measure, mode, kind, false, progress);
    }

    /** {@link #kernel(int, Duration, Duration, CloseMode, ServerKind, Progress)}, with {@code ipv6} over ::1. */
    public static Result kernel(int threads, Duration warmup, Duration measure, CloseMode mode, ServerKind kind,
                                boolean ipv6, Progress progress) throws Exception {
        if (kind == ServerKind.EVENTS) {
            return kernelEvents(threads, warmup, measure, mode, () -> {
                ServerSocketChannel l = ServerSocketChannel.open();
                l.bind(new InetSocketAddress(loopback(ipv6), 0), BACKLOG);
                return l;
            }, progress);
        }
        try (ServerSocket listener = new ServerSocket()) {
            listener.bind(new InetSocketAddress(loopback(ipv6), 0), BACKLOG);
            Thread acceptor = startServer(listener, mode);
            SocketAddress remote = listener.getLocalSocketAddress();
            try {
                return run(threads, warmup, measure, progress, kernelClient(remote, mode));
            } finally {
                listener.close();
                acceptor.join(Duration.ofSeconds(5));
            }
        }
    }

    /**
     * The kernel's events server on the listener {@code bound} opens: ONE platform thread running a
     * java.nio Selector over every channel.
     */
    private static Result kernelEvents(int threads, Duration warmup, Duration measure, CloseMode mode,
                                       Callable<ServerSocketChannel> bound, Progress progress) throws Exception {
        try (ServerSocketChannel listener = bound.call(); Selector selector = Selector.open()) {
            listener.configureBlocking(false);
            listener.register(selector, SelectionKey.OP_ACCEPT);
            AtomicBoolean running = new AtomicBoolean(true);
            Thread loop = Thread.ofPlatform().daemon().name("bench-kernel-selector").start(() -> {
                ByteBuffer buffer = ByteBuffer.allocate(1);
                Consumer<SelectionKey> handle = key -> {
                    if (key.isAcceptable()) { // only the listener is registered for OP_ACCEPT
                        acceptAll(listener, selector);
                    } else {
                        serve(key, buffer, mode);
                    }
                };
                try {
                    while (running.get()) selector.select(handle);
                } catch (IOException | ClosedSelectorException e) {
                    // the selector was closed: the run is over
                } finally {
                    for (SelectionKey k : selector.keys()) {
                        try {
                            k.channel().close();
                        } catch (IOException ignored) {
                            // closing at the end of the run
                        }
                    }
                }
            });
            SocketAddress remote = listener.getLocalAddress();
            try {
                return run(threads, warmup, measure, progress, kernelClient(remote, mode));
            } finally {
                running.set(false);
                selector.wakeup();
                loop.join(Duration.ofSeconds(5));
            }
        }
    }

    private static InetAddress loopback(boolean ipv6) {
        return InetAddress.ofLiteral(ipv6 ? "::1" : "127.0.0.1");
    }

    private static void acceptAll(ServerSocketChannel listener, Selector selector) {
        try {
            SocketChannel c;
            while ((c = listener.accept()) != null) {
                c.configureBlocking(false);
                c.register(selector, SelectionKey.OP_READ, new boolean[1]); // the attachment: replied yet?
            }
        } catch (IOException e) {
            // accept failed (e.g. out of files): the clients count their failures
        }
    }

    /** The selector server's half, as {@link EventServer}'s: read the request, reply, close or wait for the reset. */
    private static void serve(SelectionKey key, ByteBuffer buffer, CloseMode mode) {
        SocketChannel c = (SocketChannel) key.channel();
        boolean[] replied = (boolean[]) key.attachment();
        try {
            int n;
            if (!replied[0]) {
                n = c.read(buffer.clear());
                if (n == 0) return;
                if (n < 0) {
                    c.close();
                    return;
                }
                replied[0] = true;
                c.write(buffer.clear().put((byte) 2).flip());
                if (mode == CloseMode.SERVER_FIRST) {
                    c.close();
                    return;
                }
            }
            while ((n = c.read(buffer.clear())) > 0) { /* until the client's reset or FIN */ }
            if (n < 0) c.close();
        } catch (IOException reset) {
            try {
                c.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
    }

    /** A kernel client's connection: java.net blocking socket, the same for both server kinds. */
    private static Client kernelClient(SocketAddress remote, CloseMode mode) {
        return () -> {
            try (Socket s = new Socket()) {
                s.connect(remote);
                exchange(s.getInputStream(), s.getOutputStream(), mode);
                if (mode == CloseMode.CLIENT_RESET) s.setSoLinger(true, 0);
            }
        };
    }

    /** The client's half: one byte out, one byte back, and with server-first close, the end of file. */
    static void exchange(InputStream in, OutputStream out, CloseMode mode) throws IOException {
        out.write(1);
        out.flush();
        if (in.read() < 0) throw new IOException("the server closed before its reply");
        if (mode == CloseMode.SERVER_FIRST && in.read() >= 0) throw new IOException("the server sent more than one byte");
    }

    private static void serve(TcpSocket s, CloseMode mode) {
        try (s) {
            serveStreams(s.getInputStream(), s.getOutputStream(), mode);
        } catch (IOException e) {
            // The client reset or went away; the client side counts its failures.
        }
    }

    private static void serve(Socket s, CloseMode mode) {
        try (s) {
            serveStreams(s.getInputStream(), s.getOutputStream(), mode);
        } catch (IOException e) {
            // as above
        }
    }

    /** The server's half: read the request byte, reply, and (client reset) wait for the client to go. */
    static void serveStreams(InputStream in, OutputStream out, CloseMode mode) throws IOException {
        if (in.read() < 0) return;
        out.write(2);
        out.flush();
        if (mode == CloseMode.CLIENT_RESET) {
            try {
                while (in.read() >= 0) { /* until the client's reset or FIN */ }
            } catch (IOException reset) {
                // the expected end: the client's RST
            }
        }
    }

    /** Sleeps until {@link System#nanoTime()} reaches {@code at}, moving the progress bar at least every 200 ms. */
    private static void sleepUntil(long at, long start, long total, Progress progress) throws InterruptedException {
        long left;
        while ((left = at - System.nanoTime()) > 0) {
            Thread.sleep(Duration.ofNanos(Math.min(left, 200_000_000L)));
            progress.update((double) (System.nanoTime() - start), (double) total);
        }
    }

    /** Runs {@code threads} client loops for warm-up plus measure; counts what finished in the measured part. */
    static Result run(int threads, Duration warmup, Duration measure, Progress progress, Client client)
            throws InterruptedException {
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, was " + threads);
        long start = System.nanoTime();
        long measureFrom = start + warmup.toNanos();
        long end = measureFrom + measure.toNanos();
        LongAdder counted = new LongAdder();
        AtomicLong failures = new AtomicLong();
        ConcurrentLinkedQueue<String> failureText = new ConcurrentLinkedQueue<>();
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            workers.add(Thread.ofPlatform().name("bench-client-" + i).start(() -> {
                long now;
                while ((now = System.nanoTime()) < end) {
                    try {
                        client.exchange();
                        if (now >= measureFrom) counted.increment();
                    } catch (IOException | RuntimeException e) {
                        if (failures.incrementAndGet() == 1) failureText.add(e.toString());
                    }
                }
            }));
        }
        long total = end - start;
        // The process's CPU over the measured time: read as it starts and as it ends.
        sleepUntil(measureFrom, start, total, progress);
        long cpuFrom = ProcessCpu.nanos();
        sleepUntil(end, start, total, progress);
        long cpuTo = ProcessCpu.nanos();
        for (Thread t : workers) {
            while (!t.join(Duration.ofMillis(200))) progress.update((double) (System.nanoTime() - start), (double) total);
        }
        return new Result(counted.sum(), end - measureFrom, failures.get(), failureText.peek(), ProcessCpu.between(cpuFrom, cpuTo));
    }
}
