package dev.synack.bench;

import dev.synack.link.TunLink;
import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import dev.synack.stack.Counter;
import dev.synack.stack.NetStack;
import dev.synack.tcp.TcpConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A SYN flood against a synack echo server on a TUN device, with the kernel as a legitimate client:
 * hping3 sends spoofed SYNs (random sources) to synack's address while kernel sockets connect, send
 * one byte, read it back and close, one attempt every {@code connectEvery}. Must run inside a
 * network namespace of its own (the command re-executes itself there): the flood and synack's
 * SYN-ACKs to the spoofed sources never leave it (the namespace has no route but the device's
 * subnet and does not forward).
 */
public final class SynFlood {
    public static final String DEVICE = "synack0";
    public static final String SYNACK_CIDR = "10.7.0.2/24";
    static final int PORT = 7;
    /** About what one hping3 process sends per second with {@code -i uN} at small N; more need more processes. */
    public static final int RATE_PER_INJECTOR = 15_000;
    /**
     * What hping3's pacing adds to each {@code -i uN} interval: its sleep wakes up late by Linux's default
     * timer slack (50 us), plus the send itself; subtracted from the interval asked for.
     */
    static final int PACING_OVERHEAD_MICROS = 60;
    private static final Counter[] REPORTED = {Counter.IN_SEGS, Counter.IN_MARTIAN_SRC, Counter.SYNCOOKIES_SENT, Counter.SYNCOOKIES_RECV,
            Counter.SYNCOOKIES_FAILED, Counter.LISTEN_OVERFLOWS, Counter.LISTEN_DROPS, Counter.PASSIVE_OPENS};

    private SynFlood() {}

    /** What to run: {@code rate} SYNs/s for {@code seconds}, against a listener of {@code backlog}. */
    public record Options(int synCookies, int rate, double seconds, int backlog, Duration connectEvery, Duration timeout) {}

    /** The legitimate connections: how many were tried, and the latency of each that echoed its byte. */
    public record Attempts(int tried, long[] latencyNanos) {
        public Attempts {
            latencyNanos = latencyNanos.clone();
            Arrays.sort(latencyNanos);
        }

        public int succeeded() { return latencyNanos.length; }

        /** Percentage of attempts that succeeded; NaN when none was tried. */
        public double successPercent() { return tried == 0 ? Double.NaN : 100.0 * succeeded() / tried; }

        /** The q-quantile (nearest rank) of the successful attempts' latency in ms; NaN when none succeeded. */
        public double latencyMillis(double q) {
            if (latencyNanos.length == 0) return Double.NaN;
            int rank = (int) Math.ceil(q * latencyNanos.length);
            return latencyNanos[Math.clamp(rank - 1, 0, latencyNanos.length - 1)] / 1e6;
        }
    }

    /**
     * One run: SYNs hping3 sent over the flood's {@code floodNanos}, synack's counters' change over
     * it, the SYNs the kernel dropped at the TUN device's queue (synack not reading fast enough),
     * the legitimate attempts and the heap (peak used during the run, max).
     */
    public record Result(int synCookies, long synsSent, long floodNanos, Map<Counter, Long> counters, long tunDropped,
                         Attempts attempts, long heapPeakUsed, long heapMax) {
        public double seconds() { return floodNanos / 1e9; }
        public double synsSentPerSecond() { return perSecond(synsSent); }
        /**
         * Packets synack took in per second of flood, nearly all of them the flood's SYNs: TCP segments,
         * and the SYNs from random sources no host may have (multicast, class E...: about 1 in 8), which
         * it drops as martians before TCP.
         */
        public long absorbed() { return counter(Counter.IN_SEGS) + counter(Counter.IN_MARTIAN_SRC); }
        public double absorbedPerSecond() { return perSecond(absorbed()); }
        public long counter(Counter c) { return counters.getOrDefault(c, 0L); }
        private double perSecond(long n) { return floodNanos <= 0 ? Double.NaN : n / seconds(); }
    }

    /** Why the flood cannot be injected here (hping3 missing), or null. */
    public static String missingInjector() {
        try {
            Process p = new ProcessBuilder("hping3", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (p.waitFor(10, TimeUnit.SECONDS)) return null;
            p.destroyForcibly();
        } catch (IOException e) {
            // not installed
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return "hping3 is not installed (Debian/Ubuntu: apt-get install -y hping3)";
    }

    /**
     * The hping3 commands that together send {@code rate} SYNs/s for {@code seconds} to
     * {@code address}:{@code port} from random sources: one process per {@link #RATE_PER_INJECTOR}
     * SYNs/s, each bounded by its count ({@code -c}) and pacing ({@code -i uN}, less hping3's
     * {@link #PACING_OVERHEAD_MICROS}).
     */
    static List<List<String>> injectorCommands(String address, int port, int rate, double seconds) {
        int processes = Math.max(1, (rate + RATE_PER_INJECTOR - 1) / RATE_PER_INJECTOR);
        long total = Math.round(rate * seconds);
        long intervalMicros = Math.max(1, Math.round(1e6 * processes / rate) - PACING_OVERHEAD_MICROS);
        List<List<String>> commands = new ArrayList<>();
        for (int i = 0; i < processes; i++) {
            long count = total / processes + (i < total % processes ? 1 : 0);
            if (count == 0) continue;
            commands.add(List.of("hping3", "-q", "-S", "-p", Integer.toString(port), "--rand-source",
                    "-i", "u" + intervalMicros, "-c", Long.toString(count), address));
        }
        return commands;
    }

    private static final Pattern TRANSMITTED = Pattern.compile("(\\d+) packets transmitted");

    /** The number of packets an hping3 run's statistics say it sent; 0 when absent. */
    static long transmitted(String hpingOutput) {
        Matcher m = TRANSMITTED.matcher(hpingOutput);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    /** Runs the flood and the legitimate clients once; must be called inside a namespace of its own. */
    public static Result run(Options o, Progress progress) throws Exception {
        TunLink.Options tun = TunLink.Options.of(DEVICE, SYNACK_CIDR);
        TcpConfig config = TcpConfig.linux().toBuilder().synCookies(o.synCookies()).build();
        try (TunLink link = TunLink.open(tun)) {
            NetStack stack = link.addHost("synack", tun.address(), config);
            try (TcpServerSocket listener = new TcpServerSocket(stack, PORT, o.backlog())) {
                Thread server = Thread.ofPlatform().daemon().name("flood-echo-server").start(() -> serve(listener));
                HeapWatch heap = new HeapWatch();
                Map<Counter, Long> before = snapshot(stack);
                long tunDroppedBefore = tunDropped();
                progress.phase("SYN flood, tcp_syncookies=" + o.synCookies());
                long start = System.nanoTime();
                List<Process> injectors = startInjectors(tun.address(), o);
                Attempts attempts = legitimateClients(InetAddress.ofLiteral(tun.address()), o, injectors, start, progress, heap);
                long sent = 0;
                for (Process p : injectors) sent += awaitInjector(p, o);
                long end = System.nanoTime();
                Map<Counter, Long> delta = new EnumMap<>(Counter.class);
                Map<Counter, Long> after = snapshot(stack);
                for (Counter c : REPORTED) delta.put(c, after.get(c) - before.get(c));
                long tunDroppedAfter = tunDropped();
                long dropped = tunDroppedBefore < 0 || tunDroppedAfter < 0 ? -1 : tunDroppedAfter - tunDroppedBefore;
                heap.sample();
                listener.close();
                server.join(Duration.ofSeconds(5));
                progress.done();
                return new Result(o.synCookies(), sent, end - start, delta, dropped, attempts, heap.peak,
                        Runtime.getRuntime().maxMemory());
            } finally {
                stack.close();
            }
        }
    }

    private static List<Process> startInjectors(String address, Options o) throws IOException {
        List<Process> started = new ArrayList<>();
        try {
            for (List<String> command : injectorCommands(address, PORT, o.rate(), o.seconds())) {
                started.add(new ProcessBuilder(command).redirectErrorStream(true).start());
            }
        } catch (IOException | RuntimeException e) {
            started.forEach(Process::destroy);
            throw e;
        }
        // Stops the injectors when the JVM is interrupted (Ctrl-C) before they finish.
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().unstarted(() -> started.forEach(Process::destroy)));
        return started;
    }

    /** Waits for one injector (its count bounds it; past the flood's time plus 30 s it is killed) and returns what it sent. */
    private static long awaitInjector(Process p, Options o) throws IOException, InterruptedException {
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor((long) (o.seconds() * 1000) + 30_000, TimeUnit.MILLISECONDS)) p.destroyForcibly();
        return transmitted(new String(output, StandardCharsets.UTF_8));
    }

    /**
     * One attempt every connectEvery while the flood lasts (until the last injector exits, at least
     * the flood's time, at most 30 s more), each on a virtual thread of its own.
     */
    private static Attempts legitimateClients(InetAddress server, Options o, List<Process> injectors, long start,
                                              Progress progress, HeapWatch heap) throws InterruptedException {
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        List<Thread> clients = new ArrayList<>();
        long every = o.connectEvery().toNanos();
        long floodNanos = (long) (o.seconds() * 1e9);
        long limit = floodNanos + 30_000_000_000L;
        for (long at = start; at - start < floodNanos || (at - start < limit && injectors.stream().anyMatch(Process::isAlive));
             at += every) {
            long wait = at - System.nanoTime();
            if (wait > 0) Thread.sleep(Duration.ofNanos(wait));
            clients.add(Thread.ofVirtual().start(() -> {
                long latency = echoOnce(server, o.timeout());
                if (latency >= 0) latencies.add(latency);
            }));
            heap.sample();
            progress.update((double) Math.min(at - start, floodNanos), (double) floodNanos);
        }
        for (Thread t : clients) t.join();
        return new Attempts(clients.size(), latencies.stream().mapToLong(Long::longValue).toArray());
    }

    /** Connect, send one byte, read it back, close: the nanoseconds it took, or -1 when it failed or timed out. */
    static long echoOnce(InetAddress server, Duration timeout) {
        long t0 = System.nanoTime();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(server, PORT), (int) timeout.toMillis());
            long left = timeout.toMillis() - (System.nanoTime() - t0) / 1_000_000;
            if (left <= 0) return -1;
            s.setSoTimeout((int) left);
            s.getOutputStream().write(42);
            if (s.getInputStream().read() != 42) return -1;
            return System.nanoTime() - t0;
        } catch (IOException e) {
            return -1;
        }
    }

    private static void serve(TcpServerSocket listener) {
        while (!listener.isClosed()) {
            TcpSocket s;
            try {
                s = listener.accept();
            } catch (IOException e) {
                return;
            }
            Thread.ofVirtual().start(() -> echo(s));
        }
    }

    private static void echo(TcpSocket s) {
        try (s) {
            InputStream in = s.getInputStream();
            int b;
            while ((b = in.read()) >= 0) {
                s.getOutputStream().write(b);
                s.getOutputStream().flush();
            }
        } catch (IOException e) {
            // the client went away: nothing to echo
        }
    }

    private static Map<Counter, Long> snapshot(NetStack stack) {
        Map<Counter, Long> m = new EnumMap<>(Counter.class);
        for (Counter c : REPORTED) m.put(c, stack.counter(c));
        return m;
    }

    /** Packets the kernel dropped on the TUN device's transmit queue (synack reads them): -1 when unknown. */
    private static long tunDropped() {
        try {
            return Long.parseLong(Files.readString(Path.of("/sys/class/net", DEVICE, "statistics", "tx_dropped")).strip());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The peak of the heap's used bytes over the samples taken. */
    private static final class HeapWatch {
        private final AtomicLong peakUsed = new AtomicLong();
        long peak;

        void sample() {
            Runtime r = Runtime.getRuntime();
            peak = peakUsed.accumulateAndGet(r.totalMemory() - r.freeMemory(), Math::max);
        }
    }
}
