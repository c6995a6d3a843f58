package dev.synack.cli;

import dev.synack.bench.Comparison;
import dev.synack.link.NetworkNamespace;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code synack bench forward}: relayed throughput and connections per second through synack's
 * forwarder (the kernel's TCP into a TUN device, synack's stack, a relay, a kernel socket out)
 * beside the kernel routing the same traffic (veth, ip_forward, veth), in namespaces of its own.
 */
@Command(name = "forward",
        description = {"Kernel clients fetch from a kernel server at " + ForwardPaths.SERVER + " through synack forward "
                + "(their route sends the server's subnet into synack's TUN device; synack terminates each connection "
                + "and relays it through a kernel socket) and, in the same run, through the kernel's own routing (a veth "
                + "pair, ip_forward, another veth pair): one download of --size bytes each way, then connections per "
                + "second (--threads clients looping connect, a one-byte answer, close) for --connect-seconds each. "
                + "Needs root, /dev/net/tun and the ip tool; runs inside namespaces it creates and deletes.",
                "The last line is 'ratio: X': synack's download throughput over the kernel's.",
                "Exit status: 0 when both paths were measured, 1 when a namespace or a measurement failed, 2 on bad arguments."})
final class ForwardBenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Option(names = "--size", paramLabel = "BYTES", defaultValue = "512MiB", converter = ByteSizes.Converter.class,
            description = "Bytes of each download. Default: ${DEFAULT-VALUE}.")
    long size;

    @Option(names = "--mtu", paramLabel = "BYTES", defaultValue = "1500",
            description = "MTU of the TUN device and the veth pairs. Default: ${DEFAULT-VALUE}.")
    int mtu;

    @Option(names = "--connect-seconds", paramLabel = "S", defaultValue = "5",
            description = "Seconds of connections per second on each path (0: none). Default: ${DEFAULT-VALUE}.")
    double connectSeconds;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "16",
            description = "Client threads for connections per second. Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--queues", paramLabel = "N", defaultValue = "0",
            description = "Queues of synack's TUN device, its host a shard per queue (see synack forward --queues). "
                    + "Default: one per core (0).")
    int queues;

    @Option(names = "--inside-namespace", hidden = true)
    boolean inside;

    @Override
    public Integer call() throws Exception {
        if (mtu < 1280 || mtu > 65_535) throw new CommandLine.ParameterException(spec.commandLine(), "--mtu must be in [1280, 65535]");
        if (threads < 1 || threads > 1024) throw new CommandLine.ParameterException(spec.commandLine(), "--threads must be in [1, 1024]");
        if (!(connectSeconds >= 0) || connectSeconds > 3600) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--connect-seconds must be in [0, 3600]");
        }
        if (size < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--size must be at least 1 byte");
        NetSetup.checkQueues(spec, queues);
        return NamespaceExec.benchmark(spec, "bench", inside, NamespaceExec::missingPrerequisite, List.of("bench", "forward",
                "--size", Long.toString(size), "--mtu", Integer.toString(mtu), "--connect-seconds", Double.toString(connectSeconds),
                "--threads", Integer.toString(threads), "--queues", Integer.toString(queues)), Comparison.ratioLine(Double.NaN), this::measure);
    }

    private int measure(PrintWriter out, PrintWriter err) {
        int queueCount = NetSetup.queueCount(queues);
        try (ForwardPaths paths = ForwardPaths.open(mtu, queueCount)) {
            out.printf(Locale.ROOT, "synack bench forward: downloads of %s and connections from kernel clients to a kernel server, "
                    + "relayed by synack forward (TUN, %d queue%s) and routed by the kernel (veth, ip_forward), MTU %d%n",
                    ByteSizes.format(size), queueCount, queueCount == 1 ? "" : "s", mtu);
            out.flush();
            // A first, unmeasured round of each warms both paths (and the JIT).
            download(paths.kernelClient, Math.min(size, 64L << 20));
            download(paths.synackClient, Math.min(size, 64L << 20));
            Comparison throughput = new Comparison("download", download(paths.synackClient, size), download(paths.kernelClient, size), "Gbit/s");
            out.println(throughput.line());
            if (connectSeconds > 0) {
                double synack = connectionsPerSecond(paths.synackClient);
                double kernel = connectionsPerSecond(paths.kernelClient);
                out.println(new Comparison("connections/s, " + threads + " client threads", synack, kernel, "per s").line());
            }
            out.println(Comparison.ratioLine(throughput.ratio()));
            return CommandLine.ExitCode.OK;
        } catch (Exception e) {
            err.println("synack bench forward: " + DemoCommand.describe(e));
            out.println(Comparison.ratioLine(Double.NaN));
            return CommandLine.ExitCode.SOFTWARE;
        }
    }

    /** One download of {@code bytes} by a client in {@code ns}: Gbit/s. */
    private static double download(NetworkNamespace ns, long bytes) throws Exception {
        return ForwardPaths.inside(ns, () -> {
            long start = System.nanoTime();
            long got = ForwardPaths.fetch(bytes);
            if (got != bytes) throw new java.io.IOException("download ended after " + got + " of " + bytes + " bytes");
            return bytes * 8.0 / (System.nanoTime() - start);
        });
    }

    /** {@link #threads} clients in {@code ns} each looping a one-byte fetch for the connect seconds: connections per second. */
    private double connectionsPerSecond(NetworkNamespace ns) throws Exception {
        AtomicLong done = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long start = System.nanoTime();
        long end = start + (long) (connectSeconds * 1e9);
        List<Thread> clients = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            clients.add(Thread.ofPlatform().start(() -> {
                try {
                    ns.enterCurrentThread();
                    while (System.nanoTime() < end) {
                        if (ForwardPaths.fetch(1) == 1) done.incrementAndGet();
                        else failed.incrementAndGet();
                    }
                } catch (Exception e) {
                    failed.incrementAndGet();
                }
            }));
        }
        for (Thread t : clients) t.join();
        double seconds = (System.nanoTime() - start) / 1e9;
        if (failed.get() > 0) throw new java.io.IOException(failed.get() + " connections failed");
        return done.get() / seconds;
    }
}
