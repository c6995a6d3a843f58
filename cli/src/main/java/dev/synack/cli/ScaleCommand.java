package dev.synack.cli;

import dev.synack.bench.Comparison;
import dev.synack.bench.Progress;
import dev.synack.bench.Scale;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code synack bench scale}: heap per connection and per TIME_WAIT record, and flat demux and timer costs. */
@Command(name = "scale",
        description = {"Opens --connections idle connections to one server stack (client stacks of 64512 ports "
                + "each, all driven directly on one thread with a stopped clock; the connections carry no data, so "
                + "no buffer is ever allocated), measures the heap, closes them all client first, measures the "
                + "heap with the client ends in TIME_WAIT, then expires TIME_WAIT. Heap figures are the JVM's used "
                + "heap after full collections (MemoryMXBean); give the JVM heap room (JAVA_TOOL_OPTIONS=-Xmx...) "
                + "for a million. Then the demux table and the timer wheel alone at each --sizes.",
                "The last line is 'ratio: X': the 2 KiB target over the measured heap per idle connection end "
                        + "(1 or more meets it). The kernel is not measured here: its per-socket memory is not "
                        + "visible from Java.",
                "Exit status: 0 when every connection opened and closed as expected, 1 otherwise, 2 on bad arguments."})
final class ScaleCommand implements Callable<Integer> {
    /** The targets: at most 2 KiB of heap per idle established connection end, 200 B per TIME_WAIT record. */
    static final double TARGET_ESTABLISHED_BYTES = 2048;
    static final double TARGET_TIME_WAIT_BYTES = 200;

    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Option(names = "--connections", paramLabel = "N", defaultValue = "100000",
            description = "Concurrent connections (the full target is 1000000). Default: ${DEFAULT-VALUE}.")
    int connections;

    @Option(names = "--sizes", paramLabel = "N", split = ",",
            description = "Table sizes for the demux and timer costs. Default: 1000,10000,100000 "
                    + "and 1000000 when --connections is a million or more.")
    List<Integer> sizes;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Seed of the lookup order. Default: ${DEFAULT-VALUE}.")
    long seed;

    static List<Integer> defaultSizes(int connections) {
        List<Integer> s = new ArrayList<>(List.of(1_000, 10_000, 100_000));
        if (connections >= 1_000_000) s.add(1_000_000);
        return s;
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (connections < 1 || connections > 16_000_000) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--connections must be in [1, 16000000]");
        }
        List<Integer> tableSizes = sizes == null ? defaultSizes(connections) : sizes;
        for (int s : tableSizes) {
            if (s < 1 || s > 16_000_000) throw new CommandLine.ParameterException(spec.commandLine(), "--sizes must be in [1, 16000000]");
        }
        Progress progress = new Progress(err);
        Scale.Result r;
        try {
            r = Scale.run(connections, progress);
        } catch (Exception | OutOfMemoryError e) {
            progress.done();
            err.println("synack bench scale: " + DemoCommand.describe(e)
                    + (e instanceof OutOfMemoryError ? " (give the JVM more heap: JAVA_TOOL_OPTIONS=-Xmx16g)" : ""));
            return CommandLine.ExitCode.SOFTWARE;
        }
        out.printf(Locale.ROOT, "synack bench scale: %d connections (%s)%n", r.connections(), r.detail());
        out.printf(Locale.ROOT, "heap: baseline %s MiB, established %s MiB, TIME_WAIT %s MiB, after expiry %s MiB%n",
                mib(r.baselineHeap()), mib(r.establishedHeap()), mib(r.timeWaitHeap()), mib(r.afterHeap()));
        out.printf(Locale.ROOT, "per idle established connection end: %s bytes (target <= %.0f: %s)%n",
                Comparison.formatFigure(r.bytesPerEstablishedEnd()), TARGET_ESTABLISHED_BYTES,
                verdict(r.bytesPerEstablishedEnd(), TARGET_ESTABLISHED_BYTES));
        out.printf(Locale.ROOT, "per TIME_WAIT record: %s bytes (target <= %.0f: %s)%n",
                Comparison.formatFigure(r.bytesPerTimeWait()), TARGET_TIME_WAIT_BYTES,
                verdict(r.bytesPerTimeWait(), TARGET_TIME_WAIT_BYTES));
        out.println("handshake (connect + 3 segments + accept), mean per connection while the stack held:");
        for (Scale.Band b : r.handshakeBands()) {
            out.printf(Locale.ROOT, "  %9d .. %-9d connections: %s us%n", b.from(), b.to(),
                    Comparison.formatFigure(b.nanosPerOp() / 1000));
        }
        out.printf(Locale.ROOT, "TIME_WAIT expiry: %s ns per record%n", Comparison.formatFigure(r.timeWaitExpiryNanosPerRecord()));
        out.println("demux table and timer wheel alone (ns per operation):");
        out.printf(Locale.ROOT, "  %9s %14s %18s %14s%n", "entries", "demux lookup", "timer reschedule", "timer expiry");
        for (int s : tableSizes) {
            progress.phase("scale: demux and timers at " + s);
            Scale.Flatness f = Scale.flatness(s, seed);
            progress.done();
            out.printf(Locale.ROOT, "  %9d %14s %18s %14s%n", s, Comparison.formatFigure(f.demuxLookupNanos()),
                    Comparison.formatFigure(f.timerRescheduleNanos()), Comparison.formatFigure(f.timerExpireNanos()));
            out.flush();
        }
        out.println(Comparison.ratioLine(TARGET_ESTABLISHED_BYTES / r.bytesPerEstablishedEnd()));
        return CommandLine.ExitCode.OK;
    }

    static String verdict(double measured, double target) {
        if (Double.isNaN(measured)) return "not measured";
        if (measured <= target) return "met";
        return String.format(Locale.ROOT, "missed by %sx", Comparison.formatRatio(measured / target));
    }

    private static String mib(long bytes) {
        return Comparison.formatFigure(bytes / (1024.0 * 1024.0));
    }
}
