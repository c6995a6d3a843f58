package dev.synack.cli;

import dev.synack.bench.Comparison;
import dev.synack.bench.ConnectionRate;
import dev.synack.bench.Progress;
import dev.synack.bench.Throughput;
import dev.synack.bench.TunThroughput;
import dev.synack.bench.VethThroughput;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code synack bench tun}: the kernel's TCP against synack over a TUN device, beside the kernel
 * against itself over a veth pair at the same MTU, in network namespaces of its own.
 */
@Command(name = "tun",
        description = {"The kernel's TCP sending to and receiving from synack over a TUN device (synack "
                + TunThroughput.SYNACK_CIDR + ", the kernel the subnet's first address), one stream of --size bytes "
                + "each way, beside the kernel's TCP on both ends of a veth pair at the same MTU (GSO and GRO as the "
                + "kernel ships veth), for each MTU given. Needs root, /dev/net/tun and the ip tool: the command "
                + "creates a network namespace (ip netns add), runs itself inside it (ip netns exec), makes a second "
                + "one for the veth pair's far end, and deletes both at the end, so no packet leaves them.",
                "Under each direction, the CPU time the whole process took per GiB (both TCPs work in it: the kernel's "
                        + "in the process's syscalls) and how many cores it kept busy, beside the veth stream's.",
                "Then connections per second: --threads kernel client threads, each looping connect, one byte each "
                        + "way, close (the server closes first), to synack over the TUN device and to the kernel at the "
                        + "veth pair's far end, --connect-seconds each after --connect-warmup seconds of warm-up (0: skipped), for each "
                        + "--server kind: threads (an accepting thread, a virtual thread per connection, on both "
                        + "stacks) and events (synack: readiness handlers, no server thread; the kernel: one thread "
                        + "running a java.nio Selector), as bench connections has them.",
                "The last line is 'ratio: X': synack over TUN against the kernel over veth at the first MTU given "
                        + "(1500 by default), the lower of the two directions.",
                "Exit status: 0 when both streams completed, 1 when the namespace or a stream failed, 2 on bad arguments."})
final class TunBenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Option(names = "--size", paramLabel = "BYTES", defaultValue = "2GiB", converter = ByteSizes.Converter.class,
            description = "Bytes per stream: enough for a second or more at the rates measured, so that the "
                    + "stream's start and end weigh little. Default: ${DEFAULT-VALUE}.")
    long size;

    @Option(names = "--warmup", paramLabel = "S", defaultValue = "4",
            description = "Unmeasured seconds of streaming (kernel loopback, then TUN both ways, in streams "
                    + "of at most 256 MiB; none for 0) before the measured streams: see bench throughput. "
                    + "Default: ${DEFAULT-VALUE}.")
    double warmupSeconds;

    @Option(names = "--mtu", paramLabel = "BYTES", split = ",", defaultValue = "1500,9000",
            description = "The MTUs of the TUN device and the veth pair, each measured in turn (synack's MSS is "
                    + "MTU - 40); the ratio is the first one's. Default: ${DEFAULT-VALUE}.")
    List<Integer> mtus;

    @Option(names = "--buffer", paramLabel = "BYTES", defaultValue = "4MiB", converter = ByteSizes.Converter.class,
            description = "Send and receive buffers of both ends. Default: ${DEFAULT-VALUE}.")
    long buffer;

    @Option(names = "--write", paramLabel = "BYTES", defaultValue = "256KiB", converter = ByteSizes.Converter.class,
            description = "Bytes per write and read. Default: ${DEFAULT-VALUE}.")
    long write;

    @Option(names = "--connect-seconds", paramLabel = "S", defaultValue = "5",
            description = "Seconds of connections per second measured on each stack (0: none). Default: ${DEFAULT-VALUE}.")
    double connectSeconds;

    @Option(names = "--connect-warmup", paramLabel = "S", defaultValue = "10",
            description = "Unmeasured seconds of connections before each measured run, on both stacks: the JIT "
                    + "needs them to settle (as bench connections --warmup). Default: ${DEFAULT-VALUE}.")
    double connectWarmupSeconds;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "16",
            description = "Kernel client threads for connections per second. Default: ${DEFAULT-VALUE}.")
    int threads;

    @Option(names = "--server", paramLabel = "KIND", split = ",", defaultValue = "threads,events",
            converter = ConnectionsCommand.ServerKindConverter.class,
            description = "Server kinds for connections per second, comma-separated: threads, events; a run "
                    + "each on both stacks. Default: ${DEFAULT-VALUE}.")
    List<ConnectionRate.ServerKind> servers;

    @Option(names = "--queues", paramLabel = "N", defaultValue = "0",
            description = "Queues of the TUN device for connections per second (IFF_MULTI_QUEUE), synack's host a shard "
                    + "per queue, each with its own lock and event loop. Default: one per core (0).")
    int queues;

    /** Set by the command itself when it re-executes inside the namespace it made. */
    @Option(names = "--inside-namespace", hidden = true)
    boolean inside;

    @Override
    public Integer call() throws Exception {
        for (int mtu : mtus) {
            if (mtu < 1280 || mtu > 65_535) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--mtu must be in [1280, 65535], not " + mtu);
            }
        }
        if (buffer > (1 << 30) || write > (1 << 30)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--buffer and --write must be at most 1 GiB");
        }
        if (!(connectSeconds >= 0) || connectSeconds > 3600) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--connect-seconds must be in [0, 3600]");
        }
        if (!(connectWarmupSeconds >= 0) || connectWarmupSeconds > 3600) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--connect-warmup must be in [0, 3600]");
        }
        NetSetup.checkQueues(spec, queues);
        if (threads < 1 || threads > 1024) throw new CommandLine.ParameterException(spec.commandLine(), "--threads must be in [1, 1024]");
        if (!(warmupSeconds >= 0) || warmupSeconds > 3600) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--warmup must be in [0, 3600]");
        }
        return NamespaceExec.benchmark(spec, "bench", inside, TunBenchCommand::missingPrerequisite, List.of("bench", "tun",
                "--size", Long.toString(size), "--mtu", mtuList(), "--buffer", Long.toString(buffer),
                "--write", Long.toString(write), "--warmup", Double.toString(warmupSeconds),
                "--connect-seconds", Double.toString(connectSeconds), "--connect-warmup", Double.toString(connectWarmupSeconds),
                "--threads", Integer.toString(threads),
                "--queues", Integer.toString(queues), "--server", serverList()),
                Comparison.ratioLine(Double.NaN), this::measure);
    }

    /** Why the benchmark cannot run here (root, /dev/net/tun, ip), or null. */
    static String missingPrerequisite() {
        return NamespaceExec.missingPrerequisite();
    }

    private String mtuList() {
        return String.join(",", mtus.stream().map(String::valueOf).toList());
    }

    private int measure(PrintWriter out, PrintWriter err) {
        Progress progress = new Progress(err);
        try {
            out.printf(Locale.ROOT, "synack bench tun: one stream of %s each way, synack over a TUN device and the kernel "
                    + "over a veth pair, MTU %s, %s per write, buffers %s%n", ByteSizes.format(size), mtuList(),
                    ByteSizes.format(write), ByteSizes.format(buffer));
            out.flush();
            long warmupStream = Math.min(size, 256L << 20);
            int first = mtus.getFirst();
            progress.phase("warm-up");
            WarmUp.forSeconds(warmupSeconds / 2, () -> VethThroughput.run(first, (int) buffer, warmupStream, (int) write, progress));
            WarmUp.forSeconds(warmupSeconds / 2, () -> TunThroughput.run(first, (int) buffer, warmupStream, (int) write, progress));
            double ratio = Double.NaN;
            for (int mtu : mtus) {
                Throughput.Result[] veth = VethThroughput.run(mtu, (int) buffer, size, (int) write, progress);
                Throughput.Result[] tun = TunThroughput.run(mtu, (int) buffer, size, (int) write, progress);
                progress.done();
                double worst = Double.NaN;
                for (int direction = 0; direction < 2; direction++) {
                    double r = print(out, mtu, tun[direction], veth[direction]);
                    if (Double.isNaN(worst) || r < worst) worst = r;
                }
                if (mtu == first) ratio = worst;
            }
            if (connectSeconds > 0) connectionsPerSecond(out, progress);
            out.println(Comparison.ratioLine(ratio));
            return CommandLine.ExitCode.OK;
        } catch (Exception e) {
            progress.done();
            err.println("synack bench tun: " + DemoCommand.describe(e));
            out.println(Comparison.ratioLine(Double.NaN));
            return CommandLine.ExitCode.SOFTWARE;
        }
    }

    private String serverList() {
        return String.join(",", servers.stream().map(ConnectionRate.ServerKind::label).toList());
    }

    /** Kernel clients' connections per second to synack over TUN and to the kernel over veth, MTU 1500, per server kind. */
    private void connectionsPerSecond(PrintWriter out, Progress progress) throws Exception {
        for (ConnectionRate.ServerKind kind : servers) connectionsPerSecond(out, progress, kind);
    }

    private void connectionsPerSecond(PrintWriter out, Progress progress, ConnectionRate.ServerKind kind) throws Exception {
        Duration warmup = Duration.ofMillis((long) (connectWarmupSeconds * 1000));
        Duration measure = Duration.ofMillis((long) (connectSeconds * 1000));
        String server = kind.label() + " server";
        progress.phase("connections over TUN, " + server);
        int queueCount = NetSetup.queueCount(queues);
        ConnectionRate.Result tun = ConnectionRate.kernelToSynackOverTun(threads, warmup, measure,
                ConnectionRate.CloseMode.SERVER_FIRST, kind, queueCount, progress);
        progress.phase("connections over veth, " + server);
        ConnectionRate.Result veth = ConnectionRate.kernelOverVeth(threads, warmup, measure,
                ConnectionRate.CloseMode.SERVER_FIRST, kind, progress);
        progress.done();
        Comparison c = new Comparison("connections", tun.perSecond(), veth.perSecond(), "/s");
        out.printf(Locale.ROOT, "MTU 1500, connections/s from %d kernel client threads, %s: synack over TUN (%d queue%s) %s, "
                + "kernel over veth %s, ratio %s%n", threads, server, queueCount, queueCount == 1 ? "" : "s",
                Comparison.formatFigure(c.synack()), Comparison.formatFigure(c.kernel()), Comparison.formatRatio(c.ratio()));
        out.printf(Locale.ROOT, "  CPU, whole process: %s us per connection on %s cores (veth: %s us on %s); failed: %d (veth: %d)%n",
                Comparison.formatFigure(tun.cpuMicrosPerConnection()), Comparison.formatFigure(tun.busyCores()),
                Comparison.formatFigure(veth.cpuMicrosPerConnection()), Comparison.formatFigure(veth.busyCores()),
                tun.failures(), veth.failures());
        out.flush();
    }

    /** One direction's two lines (figures, then CPU); its ratio, synack over the kernel on veth. */
    private static double print(PrintWriter out, int mtu, Throughput.Result tun, Throughput.Result veth) {
        Comparison c = new Comparison("TUN, " + tun.detail(), tun.gigabitsPerSecond(), veth.gigabitsPerSecond(), "Gbit/s");
        out.printf(Locale.ROOT, "MTU %d, %s: synack over TUN %s Gbit/s, kernel over veth %s Gbit/s, ratio %s%n", mtu,
                tun.detail(), Comparison.formatFigure(c.synack()), Comparison.formatFigure(c.kernel()),
                Comparison.formatRatio(c.ratio()));
        // Both TCPs work in each stream (the kernel's in the process's syscalls): its CPU, not synack's alone.
        out.printf(Locale.ROOT, "  CPU, whole process: %s s per GiB on %s of %d cores (veth: %s s on %s)%n",
                Comparison.formatFigure(tun.cpuSecondsPerGibibyte()), Comparison.formatFigure(tun.busyCores()),
                Runtime.getRuntime().availableProcessors(), Comparison.formatFigure(veth.cpuSecondsPerGibibyte()),
                Comparison.formatFigure(veth.busyCores()));
        out.flush();
        return c.ratio();
    }
}
