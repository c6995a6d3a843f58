package dev.synack.cli;

import dev.synack.bench.Comparison;
import dev.synack.bench.Progress;
import dev.synack.bench.Throughput;
import dev.synack.bench.TunThroughput;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code synack bench tun}: the kernel's TCP against synack over a TUN device, in a network namespace of its own. */
@Command(name = "tun",
        description = {"The kernel's TCP sending to and receiving from synack over a TUN device (synack "
                + TunThroughput.SYNACK_CIDR + ", the kernel the subnet's first address), one stream of --size bytes "
                + "each way, beside the kernel's own loopback measured in the same namespace. Needs root, "
                + "/dev/net/tun and the ip tool: the command creates a network namespace (ip netns add), runs "
                + "itself inside it (ip netns exec) and deletes it at the end, so no packet leaves the namespace.",
                "Under each direction, the CPU time the whole process took per GiB (both TCPs work in it: the kernel's "
                        + "in the process's syscalls) and how many cores it kept busy, beside the loopback stream's.",
                "The last line is 'ratio: X': the slower direction over the kernel's loopback.",
                "Exit status: 0 when both streams completed, 1 when the namespace or a stream failed, 2 on bad arguments."})
final class TunBenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Option(names = "--size", paramLabel = "BYTES", defaultValue = "256MiB", converter = ByteSizes.Converter.class,
            description = "Bytes per stream. Default: ${DEFAULT-VALUE}.")
    long size;

    @Option(names = "--warmup", paramLabel = "S", defaultValue = "4",
            description = "Unmeasured seconds of streaming (kernel loopback, then TUN both ways, in streams "
                    + "of at most 256 MiB; none for 0) before the measured streams: see bench throughput. "
                    + "Default: ${DEFAULT-VALUE}.")
    double warmupSeconds;

    @Option(names = "--mtu", paramLabel = "BYTES", defaultValue = "1500",
            description = "The TUN device's MTU (synack's MSS is MTU - 40). Default: ${DEFAULT-VALUE}.")
    int mtu;

    @Option(names = "--buffer", paramLabel = "BYTES", defaultValue = "4MiB", converter = ByteSizes.Converter.class,
            description = "Send and receive buffers of both ends. Default: ${DEFAULT-VALUE}.")
    long buffer;

    @Option(names = "--write", paramLabel = "BYTES", defaultValue = "256KiB", converter = ByteSizes.Converter.class,
            description = "Bytes per write and read. Default: ${DEFAULT-VALUE}.")
    long write;

    /** Set by the command itself when it re-executes inside the namespace it made. */
    @Option(names = "--inside-namespace", hidden = true)
    boolean inside;

    @Override
    public Integer call() throws Exception {
        if (mtu < 128 || mtu > 65_535) throw new CommandLine.ParameterException(spec.commandLine(), "--mtu must be in [128, 65535]");
        if (buffer > (1 << 30) || write > (1 << 30)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--buffer and --write must be at most 1 GiB");
        }
        if (!(warmupSeconds >= 0) || warmupSeconds > 3600) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--warmup must be in [0, 3600]");
        }
        return NamespaceExec.benchmark(spec, "bench", inside, TunBenchCommand::missingPrerequisite, List.of("bench", "tun",
                "--size", Long.toString(size), "--mtu", Integer.toString(mtu), "--buffer", Long.toString(buffer),
                "--write", Long.toString(write), "--warmup", Double.toString(warmupSeconds)),
                Comparison.ratioLine(Double.NaN), this::measure);
    }

    /** Why the benchmark cannot run here (root, /dev/net/tun, ip), or null. */
    static String missingPrerequisite() {
        return NamespaceExec.missingPrerequisite();
    }

    private int measure(PrintWriter out, PrintWriter err) {
        Progress progress = new Progress(err);
        try {
            out.printf(Locale.ROOT, "synack bench tun: one stream of %s each way over a TUN device, MTU %d, %s per write, "
                    + "buffers %s%n", ByteSizes.format(size), mtu, ByteSizes.format(write), ByteSizes.format(buffer));
            out.flush();
            long warmupStream = Math.min(size, 256L << 20);
            progress.phase("kernel loopback warm-up");
            WarmUp.forSeconds(warmupSeconds, () -> Throughput.kernel(warmupStream, (int) write, (int) buffer, progress));
            progress.phase("kernel loopback in the namespace");
            Throughput.Result loopback = Throughput.kernel(size, (int) write, (int) buffer, progress);
            progress.phase("tun warm-up");
            WarmUp.forSeconds(warmupSeconds, () -> TunThroughput.run(mtu, (int) buffer, warmupStream, (int) write, progress));
            Throughput.Result[] tun = TunThroughput.run(mtu, (int) buffer, size, (int) write, progress);
            progress.done();
            out.printf(Locale.ROOT, "kernel loopback: %s Gbit/s%n", Comparison.formatFigure(loopback.gigabitsPerSecond()));
            double worst = Double.NaN;
            for (Throughput.Result r : tun) {
                Comparison c = new Comparison("TUN, " + r.detail(), r.gigabitsPerSecond(), loopback.gigabitsPerSecond(), "Gbit/s");
                out.printf(Locale.ROOT, "TUN, %s: %s Gbit/s, kernel loopback %s Gbit/s, ratio %s%n", r.detail(),
                        Comparison.formatFigure(c.synack()), Comparison.formatFigure(c.kernel()),
                        Comparison.formatRatio(c.ratio()));
                // Both TCPs work in this stream (the kernel's in the process's syscalls): its CPU, not synack's alone.
                out.printf(Locale.ROOT, "  CPU, whole process: %s s per GiB on %s of %d cores (kernel loopback: %s s on %s)%n",
                        Comparison.formatFigure(r.cpuSecondsPerGibibyte()), Comparison.formatFigure(r.busyCores()),
                        Runtime.getRuntime().availableProcessors(), Comparison.formatFigure(loopback.cpuSecondsPerGibibyte()),
                        Comparison.formatFigure(loopback.busyCores()));
                if (Double.isNaN(worst) || c.ratio() < worst) worst = c.ratio();
            }
            out.println(Comparison.ratioLine(worst));
            return CommandLine.ExitCode.OK;
        } catch (Exception e) {
            progress.done();
            err.println("synack bench tun: " + DemoCommand.describe(e));
            out.println(Comparison.ratioLine(Double.NaN));
            return CommandLine.ExitCode.SOFTWARE;
        }
    }
}
