package dev.synack.cli;

import dev.synack.bench.Comparison;
import dev.synack.bench.Progress;
import dev.synack.bench.SynFlood;
import dev.synack.stack.Counter;
import java.io.PrintWriter;
import java.time.Duration;
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

/** {@code synack bench flood}: a SYN flood against synack on a TUN device, the kernel as legitimate client. */
@Command(name = "flood",
        description = {"A SYN flood (hping3, spoofed random sources, bounded in rate and count) against a synack "
                + "echo server on a TUN device (synack " + SynFlood.SYNACK_CIDR + "), while the kernel connects as a "
                + "legitimate client every --every: connect, one byte echoed, close. Needs root, /dev/net/tun, the ip "
                + "tool and hping3 (apt-get install -y hping3): the command creates a network namespace, runs "
                + "itself inside it and deletes it at the end (also on failure or Ctrl-C), so no packet leaves it.",
                "Prints the SYNs/s sent and absorbed by synack, its SYN-cookie and listen-queue counters, the "
                        + "legitimate connections' success rate and latency, and the heap; then the same with "
                        + "tcp_syncookies=0 for comparison (unless --syncookies 0 or --no-compare).",
                "The last line is 'success: X %%': the legitimate connections that succeeded under the --syncookies run.",
                "Exit status: 0 when the runs completed, 1 when the namespace, a tool or a run failed, 2 on bad arguments."})
final class FloodBenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Option(names = "--rate", paramLabel = "SYNS", defaultValue = "100000",
            description = "SYNs per second asked of hping3 (one process per " + SynFlood.RATE_PER_INJECTOR + " a second; what it achieves is printed). "
                    + "Default: ${DEFAULT-VALUE}.")
    int rate;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "10",
            description = "How long the flood lasts (its count is rate x seconds). Default: ${DEFAULT-VALUE}.")
    double seconds;

    @Option(names = "--syncookies", paramLabel = "0|1|2", defaultValue = "1",
            description = "synack's tcp_syncookies: 0 off, 1 when the SYN queue is full, 2 always. Default: ${DEFAULT-VALUE}.")
    int synCookies;

    @Option(names = "--compare", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Also run with tcp_syncookies=0 (when --syncookies is not 0). Default: on.")
    boolean compare;

    @Option(names = "--backlog", paramLabel = "N", defaultValue = "128",
            description = "The echo server's listen backlog. Default: ${DEFAULT-VALUE}.")
    int backlog;

    @Option(names = "--every", paramLabel = "DURATION", defaultValue = "10ms", converter = Units.DurationConverter.class,
            description = "How often the kernel starts a legitimate connection. Default: ${DEFAULT-VALUE}.")
    Duration every;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "3s", converter = Units.DurationConverter.class,
            description = "A legitimate connection that has not echoed its byte by then failed. Default: ${DEFAULT-VALUE}.")
    Duration timeout;

    /** Set by the command itself when it re-executes inside the namespace it made. */
    @Option(names = "--inside-namespace", hidden = true)
    boolean inside;

    @Override
    public Integer call() throws Exception {
        checkArguments();
        return NamespaceExec.benchmark(spec, "flood", inside, FloodBenchCommand::missingPrerequisite, List.of("bench", "flood",
                "--rate", Integer.toString(rate), "--seconds", Double.toString(seconds), "--syncookies", Integer.toString(synCookies),
                compare ? "--compare" : "--no-compare", "--backlog", Integer.toString(backlog),
                "--every", every.toNanos() + "ns", "--timeout", timeout.toNanos() + "ns"),
                successLine(Double.NaN), this::measure);
    }

    private void checkArguments() {
        CommandLine cl = spec.commandLine();
        if (rate < 1 || rate > 1_000_000) throw new CommandLine.ParameterException(cl, "--rate must be in [1, 1000000]");
        if (!(seconds > 0) || seconds > 600) throw new CommandLine.ParameterException(cl, "--seconds must be in (0, 600]");
        if (synCookies < 0 || synCookies > 2) throw new CommandLine.ParameterException(cl, "--syncookies must be 0, 1 or 2");
        if (backlog < 1 || backlog > 65_535) throw new CommandLine.ParameterException(cl, "--backlog must be in [1, 65535]");
        if (every.toNanos() < 100_000 || every.compareTo(Duration.ofSeconds(10)) > 0) {
            throw new CommandLine.ParameterException(cl, "--every must be in [100us, 10s]");
        }
        if (timeout.toMillis() < 1 || timeout.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new CommandLine.ParameterException(cl, "--timeout must be in [1ms, 60s]");
        }
    }

    /** Why the flood cannot run here (root, /dev/net/tun, ip, hping3), or null. */
    static String missingPrerequisite() {
        String missing = NamespaceExec.missingPrerequisite();
        return missing != null ? missing : SynFlood.missingInjector();
    }

    /** The runs asked for: --syncookies, then 0 for comparison. */
    static List<Integer> cookieSettings(int synCookies, boolean compare) {
        return compare && synCookies != 0 ? List.of(synCookies, 0) : List.of(synCookies);
    }

    private int measure(PrintWriter out, PrintWriter err) {
        Progress progress = new Progress(err);
        try {
            out.printf(Locale.ROOT, "synack bench flood: %d spoofed SYNs/s for %s s (hping3 --rand-source) against a synack echo "
                    + "server on a TUN device, backlog %d; the kernel connects every %s ms (timeout %s ms)%n", rate,
                    Comparison.formatFigure(seconds), backlog, Comparison.formatFigure(every.toNanos() / 1e6),
                    Comparison.formatFigure(timeout.toNanos() / 1e6));
            out.flush();
            double first = Double.NaN;
            for (int cookies : cookieSettings(synCookies, compare)) {
                SynFlood.Result r = SynFlood.run(new SynFlood.Options(cookies, rate, seconds, backlog, every, timeout), progress);
                report(r).forEach(out::println);
                out.flush();
                if (Double.isNaN(first)) first = r.attempts().successPercent();
            }
            out.println(successLine(first));
            return CommandLine.ExitCode.OK;
        } catch (Exception e) {
            progress.done();
            err.println("synack bench flood: " + DemoCommand.describe(e));
            out.println(successLine(Double.NaN));
            return CommandLine.ExitCode.SOFTWARE;
        }
    }

    /** The lines describing one run. */
    static List<String> report(SynFlood.Result r) {
        List<String> lines = new ArrayList<>();
        SynFlood.Attempts a = r.attempts();
        lines.add(String.format(Locale.ROOT, "tcp_syncookies=%d:", r.synCookies()));
        lines.add(String.format(Locale.ROOT, "  flood: %d SYNs sent in %s s (%s SYNs/s); synack absorbed %s SYNs/s "
                + "(InSegs %d, InMartianSrc %d)%s", r.synsSent(), fixed(r.seconds(), 2), whole(r.synsSentPerSecond()),
                whole(r.absorbedPerSecond()), r.counter(Counter.IN_SEGS), r.counter(Counter.IN_MARTIAN_SRC),
                r.tunDropped() >= 0 ? "; dropped at the TUN queue: " + r.tunDropped() : ""));
        lines.add(String.format(Locale.ROOT, "  counters: SyncookiesSent %d, SyncookiesRecv %d, SyncookiesFailed %d, "
                + "ListenOverflows %d, ListenDrops %d, PassiveOpens %d", r.counter(Counter.SYNCOOKIES_SENT),
                r.counter(Counter.SYNCOOKIES_RECV), r.counter(Counter.SYNCOOKIES_FAILED), r.counter(Counter.LISTEN_OVERFLOWS),
                r.counter(Counter.LISTEN_DROPS), r.counter(Counter.PASSIVE_OPENS)));
        lines.add(String.format(Locale.ROOT, "  legitimate connections: %d of %d succeeded (%s %%); latency p50 %s ms, "
                + "p99 %s ms, max %s ms", a.succeeded(), a.tried(), percent(a.successPercent()), fixed(a.latencyMillis(0.5), 2),
                fixed(a.latencyMillis(0.99), 2), fixed(a.latencyMillis(1.0), 2)));
        lines.add(String.format(Locale.ROOT, "  heap: %s MiB used at peak of %s MiB max", whole(r.heapPeakUsed() / 1048576.0),
                whole(r.heapMax() / 1048576.0)));
        return lines;
    }

    /** The last line: "success: X %", or "success: n/a" when nothing was measured. */
    static String successLine(double percent) {
        return "success: " + (Double.isNaN(percent) ? "n/a" : percent(percent) + " %");
    }

    private static String percent(double p) {
        return Double.isNaN(p) ? "n/a" : fixed(p, 1);
    }

    private static String fixed(double v, int decimals) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    private static String whole(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%,.0f", v);
    }
}
