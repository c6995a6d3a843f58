package dev.synack.cli;

import dev.synack.bench.Comparison;
import dev.synack.bench.ConnectionRate;
import dev.synack.bench.Progress;
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

/** {@code synack bench connections}: short connections per second, synack against the kernel. */
@Command(name = "connections",
        description = {"Short connections per second: each client thread loops connect, write 1 byte, read the "
                + "1-byte reply, close, for --seconds after a warm-up (blocking platform threads). synack: two stacks "
                + "over an in-memory link (linux() profile, backlog 4096); kernel: sockets over 127.0.0.1.",
                "--server threads: the server accepts on one platform thread and serves each connection on a virtual "
                        + "thread (both stacks); events: no thread per connection: synack's non-blocking listener and "
                        + "sockets are served by readiness handlers (no server thread at all: they run on the thread "
                        + "that delivers the packets), the kernel's by ONE platform thread running a java.nio Selector. "
                        + "Each kind runs with each thread count.",
                "--close server-first (default): the server closes after its reply and holds the TIME_WAIT on both "
                        + "stacks (its 4-tuple is reused by a later SYN that TIME_WAIT accepts, RFC 6191), so the "
                        + "client's ephemeral ports never run out; client-reset: the client closes with SO_LINGER 0 "
                        + "(a RST, no TIME_WAIT anywhere).",
                "Under each result, the CPU time the whole process took per connection in the measured time (every "
                        + "thread, the JIT's included; for the kernel its syscalls and loopback processing too; read in "
                        + "10 ms clock ticks) and how "
                        + "many cores it kept busy on average: the work a connection costs, apart from how much of the "
                        + "machine a stack manages to use.",
                "The last line is 'ratio: X', synack over kernel in the last run: the last --server kind with the last "
                        + "thread count (by default the events server with 16 client threads).",
                "Exit status: 0 when the runs completed without failed connections, 1 otherwise, 2 on bad arguments."})
final class ConnectionsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "5",
            description = "Measured seconds per run. Default: ${DEFAULT-VALUE}.")
    double seconds;

    @Option(names = "--warmup", paramLabel = "S", defaultValue = "10",
            description = "Unmeasured seconds before each run's measurement, on both stacks: the JIT needs "
                    + "about that long to settle synack's path (the events server from one client thread "
                    + "ran about 20 %% below its steady rate after 3 s, 30-50 %% below after 1 s). "
                    + "Default: ${DEFAULT-VALUE}.")
    double warmupSeconds;

    @Option(names = "--threads", paramLabel = "N", split = ",", defaultValue = "1,16",
            description = "Client thread counts, comma-separated; a run each. Default: ${DEFAULT-VALUE}.")
    List<Integer> threads;

    @Option(names = "--close", paramLabel = "MODE", defaultValue = "server-first",
            converter = CloseModeConverter.class,
            description = "Who closes: server-first or client-reset. Default: ${DEFAULT-VALUE}.")
    ConnectionRate.CloseMode close;

    @Option(names = "--server", paramLabel = "KIND", split = ",", defaultValue = "threads,events",
            converter = ServerKindConverter.class,
            description = "Server kinds, comma-separated: threads, events; a run each. Default: ${DEFAULT-VALUE}.")
    List<ConnectionRate.ServerKind> servers;

    @Option(names = "--shards", paramLabel = "N", defaultValue = "0",
            description = "synack's hosts each split into N shards (a stack with its own lock and event loop each, "
                    + "connections routed by the hash of their 4-tuple), so that N threads work on a host at once. "
                    + "Default (0): one per core for the threads server; two per core for the events server, whose "
                    + "handlers run on the threads that carry the packets, one thread at a time per shard's outbox, "
                    + "so that one shard per core leaves a core partly idle.")
    int shards;

    @Option(names = "--ipv6", description = "Both stacks over IPv6: synack between fd00::1 and fd00::2, the kernel over ::1.")
    boolean ipv6;

    static final class ServerKindConverter implements CommandLine.ITypeConverter<ConnectionRate.ServerKind> {
        @Override
        public ConnectionRate.ServerKind convert(String value) {
            return switch (value.strip().toLowerCase(Locale.ROOT)) {
                case "threads" -> ConnectionRate.ServerKind.THREADS;
                case "events" -> ConnectionRate.ServerKind.EVENTS;
                default -> throw new CommandLine.TypeConversionException("'" + value
                        + "' is not a server kind; use threads or events");
            };
        }
    }

    static final class CloseModeConverter implements CommandLine.ITypeConverter<ConnectionRate.CloseMode> {
        @Override
        public ConnectionRate.CloseMode convert(String value) {
            return switch (value.strip().toLowerCase(Locale.ROOT)) {
                case "server-first" -> ConnectionRate.CloseMode.SERVER_FIRST;
                case "client-reset" -> ConnectionRate.CloseMode.CLIENT_RESET;
                default -> throw new CommandLine.TypeConversionException("'" + value
                        + "' is not a close mode; use server-first or client-reset");
            };
        }
    }

    static Duration seconds(double s) {
        return Duration.ofNanos(Math.round(s * 1e9));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!(seconds > 0) || seconds > 3600) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--seconds must be in (0, 3600]");
        }
        if (!(warmupSeconds >= 0) || warmupSeconds > 3600) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--warmup must be in [0, 3600]");
        }
        for (int t : threads) {
            if (t < 1 || t > 10_000) throw new CommandLine.ParameterException(spec.commandLine(), "--threads must be in [1, 10000]");
        }
        if (shards < 0 || shards > 256) throw new CommandLine.ParameterException(spec.commandLine(), "--shards must be in [0, 256]");
        Progress progress = new Progress(err);
        out.printf(Locale.ROOT, "synack bench connections: connect, 1-byte request, 1-byte reply, close (%s); "
                        + "%s s measured after %s s of warm-up, over %s; synack's hosts in %s%n",
                close == ConnectionRate.CloseMode.SERVER_FIRST
                        ? "server closes first, TIME_WAIT on the server" : "client resets with SO_LINGER 0",
                Comparison.formatFigure(seconds), Comparison.formatFigure(warmupSeconds), ipv6 ? "IPv6" : "IPv4",
                shardsText());
        out.flush();
        double lastRatio = Double.NaN;
        boolean failed = false;
        try {
            for (ConnectionRate.ServerKind kind : servers) {
                String server = kind.label() + " server";
                for (int t : threads) {
                    progress.phase("kernel, " + server + ", " + t + " client thread(s)");
                    ConnectionRate.Result kernel = ConnectionRate.kernel(t, seconds(warmupSeconds), seconds(seconds), close,
                            kind, ipv6, progress);
                    progress.phase("synack, " + server + ", " + t + " client thread(s)");
                    int shardCount = shardCount(kind);
                    ConnectionRate.Result synack = ConnectionRate.synack(ConnectionRate.config(), t, seconds(warmupSeconds),
                            seconds(seconds), close, kind, ipv6, shardCount, progress);
                    progress.done();
                    Comparison c = new Comparison(t + " client thread" + (t == 1 ? "" : "s") + ", " + server,
                            synack.perSecond(), kernel.perSecond(), "connections/s");
                    out.println(c.line());
                    out.println(Comparison.cpuLine("us", "connection", synack.cpuMicrosPerConnection(), synack.busyCores(),
                            kernel.cpuMicrosPerConnection(), kernel.busyCores()));
                    failed |= report(out, "kernel", kernel);
                    failed |= report(out, "synack", synack);
                    out.flush();
                    lastRatio = c.ratio();
                }
            }
        } catch (Exception e) {
            progress.done();
            err.println("synack bench connections: " + DemoCommand.describe(e));
            return CommandLine.ExitCode.SOFTWARE;
        }
        out.println(Comparison.ratioLine(lastRatio));
        return failed ? CommandLine.ExitCode.SOFTWARE : CommandLine.ExitCode.OK;
    }

    /** "3 shards", or with the default, the count of each server kind run. */
    private String shardsText() {
        if (shards > 0) return shards + " shard" + (shards == 1 ? "" : "s");
        return String.join(", ", servers.stream().distinct().map(k -> shardCount(k) + " shards for the "
                + k.label() + " server").toList());
    }

    /** --shards, or its default for {@code kind}: see the option. */
    private int shardCount(ConnectionRate.ServerKind kind) {
        if (shards > 0) return shards;
        int cores = Runtime.getRuntime().availableProcessors();
        return kind == ConnectionRate.ServerKind.EVENTS ? 2 * cores : cores;
    }

    private static boolean report(PrintWriter out, String who, ConnectionRate.Result r) {
        if (r.failures() == 0) return false;
        out.printf(Locale.ROOT, "  %s: %d connections failed (first: %s)%n", who, r.failures(), r.firstFailure());
        return true;
    }
}
