package dev.synack.cli;

import dev.synack.bench.Comparison;
import dev.synack.bench.Progress;
import dev.synack.bench.Throughput;
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

/** {@code synack bench throughput}: one bulk stream, synack over a MemoryLink against the kernel over loopback. */
@Command(name = "throughput",
        description = {"One bulk stream of --size bytes, timed from the first write to the receiver's end of file: "
                + "synack between two stacks in this JVM over an in-memory link (real time, no delay) at each MTU "
                + "(MSS = MTU - 40), and the kernel's TCP over 127.0.0.1 with JDK SocketChannels (loopback's own "
                + "MTU, 65536). Both write and read --write bytes per call and ask for --buffer bytes of send and "
                + "receive buffer. Untimed warm-up streams on each side run first (--warmup).",
                "Under each result, the CPU time the whole process took per GiB in each stream (every thread, the JIT's "
                        + "included; for the kernel its syscalls and loopback processing too; read in 10 ms clock ticks) "
                        + "and how many cores it kept busy on average.",
                "The last line is 'ratio: X', synack over kernel at the first MTU.",
                "Exit status: 0 when every stream completed, 1 when one failed, 2 on bad arguments."})
final class ThroughputCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Option(names = "--size", paramLabel = "BYTES", defaultValue = "2GiB", converter = ByteSizes.Converter.class,
            description = "Bytes per stream, e.g. 256MiB for a quick run. Default: ${DEFAULT-VALUE}.")
    long size;

    @Option(names = "--warmup", paramLabel = "S", defaultValue = "4",
            description = "Unmeasured seconds of streaming (streams of 512 MiB; none for 0) before each "
                    + "measured stream, on both stacks. Seconds, not bytes: the JIT compiles synack's "
                    + "per-segment code once it has run often enough, and at MTU 65535 a segment carries 45 "
                    + "times the bytes it carries at 1500 (256 MiB left it half compiled, and the measured "
                    + "stream ran at about half its steady rate). Default: ${DEFAULT-VALUE}.")
    double warmupSeconds;

    /** The bytes of one warm-up stream. */
    private static final long WARMUP_STREAM = 512L << 20;

    @Option(names = "--mtu", paramLabel = "BYTES", split = ",", defaultValue = "65535,1500",
            description = "synack's MTUs, comma-separated. Default: ${DEFAULT-VALUE}.")
    List<Integer> mtus;

    @Option(names = "--buffer", paramLabel = "BYTES", defaultValue = "4MiB", converter = ByteSizes.Converter.class,
            description = "Send and receive buffer of both ends (synack: TcpConfig sendBufferSize and "
                    + "receiveBufferSize; kernel: SO_SNDBUF and SO_RCVBUF). Default: ${DEFAULT-VALUE}.")
    long buffer;

    @Option(names = "--write", paramLabel = "BYTES", defaultValue = "256KiB", converter = ByteSizes.Converter.class,
            description = "Bytes per write() and per read() on both stacks. Default: ${DEFAULT-VALUE}.")
    long write;

    @Option(names = "--ipv6", description = "Both stacks over IPv6: synack between fd00::1 and fd00::2 (its MSS is MTU - 60), "
            + "the kernel over ::1.")
    boolean ipv6;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!(warmupSeconds >= 0) || warmupSeconds > 3600) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--warmup must be in [0, 3600]");
        }
        if (buffer > (1 << 30)) throw new CommandLine.ParameterException(spec.commandLine(), "--buffer must be at most 1 GiB");
        if (write > (1 << 30)) throw new CommandLine.ParameterException(spec.commandLine(), "--write must be at most 1 GiB");
        for (int mtu : mtus) {
            if (mtu < 128 || mtu > 65_535) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--mtu must be in [128, 65535], was " + mtu);
            }
        }
        Progress progress = new Progress(err);
        out.printf(Locale.ROOT, "synack bench throughput: one stream of %s, %s per write, buffers %s, over %s%n",
                ByteSizes.format(size), ByteSizes.format(write), ByteSizes.format(buffer), ipv6 ? "IPv6" : "IPv4");
        out.flush();
        try {
            progress.phase("kernel warm-up");
            WarmUp.forSeconds(warmupSeconds, () -> Throughput.kernel(WARMUP_STREAM, (int) write, (int) buffer, ipv6, progress));
            progress.phase("kernel: " + ByteSizes.format(size) + " over " + (ipv6 ? "::1" : "127.0.0.1"));
            Throughput.Result kernel = Throughput.kernel(size, (int) write, (int) buffer, ipv6, progress);
            progress.done();
            out.printf(Locale.ROOT, "kernel loopback: %s Gbit/s (%s)%n", Comparison.formatFigure(kernel.gigabitsPerSecond()),
                    kernel.detail());
            out.flush();
            double firstRatio = Double.NaN;
            for (int mtu : mtus) {
                var config = Throughput.config(mtu, (int) buffer);
                progress.phase("synack warm-up, MTU " + mtu);
                WarmUp.forSeconds(warmupSeconds, () -> Throughput.synack(config, WARMUP_STREAM, (int) write, ipv6, progress));
                progress.phase("synack: " + ByteSizes.format(size) + " at MTU " + mtu);
                Throughput.Result synack = Throughput.synack(config, size, (int) write, ipv6, progress);
                progress.done();
                Comparison c = new Comparison("throughput, MTU " + mtu, synack.gigabitsPerSecond(),
                        kernel.gigabitsPerSecond(), "Gbit/s");
                out.println(c.line());
                out.println(Comparison.cpuLine("s", "GiB", synack.cpuSecondsPerGibibyte(), synack.busyCores(),
                        kernel.cpuSecondsPerGibibyte(), kernel.busyCores()));
                out.println("  synack: " + synack.detail());
                out.flush();
                if (Double.isNaN(firstRatio)) firstRatio = c.ratio();
            }
            out.println(Comparison.ratioLine(firstRatio));
            return CommandLine.ExitCode.OK;
        } catch (Exception e) {
            progress.done();
            err.println("synack bench throughput: " + DemoCommand.describe(e));
            return CommandLine.ExitCode.SOFTWARE;
        }
    }
}
