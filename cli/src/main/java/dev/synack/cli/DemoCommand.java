package dev.synack.cli;

import dev.synack.link.FaultStats;
import dev.synack.link.PathConditions;
import dev.synack.tcp.TcpConfig;
import dev.synack.trace.JsonLinesRenderer;
import dev.synack.trace.LadderRenderer;
import dev.synack.trace.SvgLadderRenderer;
import dev.synack.trace.TraceEvent;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code synack demo}: plays a textbook scenario on a simulated network and prints its trace. */
@Command(name = "demo",
        description = {"Plays a textbook TCP scenario between \"client\" 10.0.0.1 and \"server\" 10.0.0.2 on a "
                + "simulated network in virtual time (one-way delay 10 ms, the --profile's defaults: Linux's unless "
                + "told otherwise), with real socket calls, "
                + "and prints its trace. The fault options (--delay, --jitter, --loss, --reorder, --duplicate, "
                + "--corrupt, --bandwidth, --mtu) apply to both directions of the path; every random draw comes from "
                + "--seed, so a run repeats exactly.",
                "Exit status: 0 when the scenario went as the textbook says, 1 when it did not, 2 on bad arguments."})
final class DemoCommand implements Callable<Integer> {
    /**
     * Real (wall-clock) time a simulation may take before the demo gives up. Virtual time makes every
     * scenario finish in well under a second; this only turns a stuck simulation into an error.
     */
    static final Duration WATCHDOG = Duration.ofMinutes(2);
    /** An hour: TIME_WAIT (2 h) then stays well inside the simulation's 24 h time limit. */
    private static final BigDecimal MAX_MSL_SECONDS = BigDecimal.valueOf(Duration.ofHours(1).toSeconds());

    enum Format { TEXT, JSONL, SVG, HTML }

    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Parameters(index = "0", arity = "0..1", paramLabel = "SCENARIO", defaultValue = "lifecycle",
            converter = ScenarioConverter.class, completionCandidates = ScenarioIds.class,
            description = "Which scenario to play (default: ${DEFAULT-VALUE}); see the list below.")
    Scenario scenario;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text", converter = FormatConverter.class,
            completionCandidates = FormatNames.class,
            description = "text: a header and a ladder diagram; jsonl: JSON lines only, one trace event per line "
                    + "(raw 32-bit seq/ack); svg: the ladder as a picture; html: a page with the header, a legend "
                    + "and the picture. Default: ${DEFAULT-VALUE}.")
    Format format;

    @Mixin
    ProfileOption profile = new ProfileOption();

    @Option(names = "--msl", paramLabel = "SECONDS", converter = SecondsConverter.class,
            description = "Maximum segment lifetime in seconds (decimals allowed); TIME_WAIT lasts twice this. "
                    + "Default: the profile's (Linux's and FreeBSD's 30, so TIME_WAIT lasts 60 s; rfc's 120).")
    Duration msl;

    @Option(names = "--pcap", paramLabel = "FILE",
            description = "Also write the packets on the wire to FILE (pcap, raw IP, virtual timestamps).")
    java.nio.file.Path pcap;

    @Option(names = "--pcap-snaplen", paramLabel = "BYTES", defaultValue = "0", converter = NetOptions.Snaplen.class,
            description = "Keep at most BYTES of each packet in the --pcap file, as tcpdump -s (0, the default: whole packets).")
    int pcapSnaplen;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
            description = "Seed of the simulation (ISNs, ports, faults); the same seed gives the same trace. "
                    + "Default: ${DEFAULT-VALUE}.")
    long seed;

    // Network faults, applied to both directions of the path between client and server.

    @Option(names = "--delay", paramLabel = "TIME", converter = Units.DurationConverter.class,
            description = "One-way delay, e.g. 20ms, 1.5s, 250us. Default: 10ms.")
    Duration delay;

    @Option(names = "--jitter", paramLabel = "TIME", converter = Units.DurationConverter.class,
            description = "Each packet's delay varies within delay +- jitter (without reordering), e.g. 5ms.")
    Duration jitter;

    @Option(names = "--loss", paramLabel = "P%", converter = Units.PercentConverter.class,
            description = "Loses each packet with this probability, e.g. 10%% (the %% sign is optional). "
                    + "Default: none (the lossy scenario: " + LOSSY_DEFAULT_LOSS + "%%).")
    Double loss;

    @Option(names = "--reorder", paramLabel = "P%", arity = "0..1", fallbackValue = "5%",
            converter = Units.PercentConverter.class,
            description = "Holds a packet back by 10 ms with this probability, so later ones overtake it "
                    + "(without a value: ${FALLBACK-VALUE}).")
    Double reorder;

    @Option(names = "--duplicate", paramLabel = "P%", arity = "0..1", fallbackValue = "1%",
            converter = Units.PercentConverter.class,
            description = "Sends a packet twice with this probability (without a value: ${FALLBACK-VALUE}).")
    Double duplicate;

    @Option(names = "--corrupt", paramLabel = "P%", arity = "0..1", fallbackValue = "1%",
            converter = Units.PercentConverter.class,
            description = "Flips one bit of a packet with this probability; the receiver's checksums catch it "
                    + "and drop it (\"bad TCP checksum\" in the trace). Without a value: ${FALLBACK-VALUE}.")
    Double corrupt;

    @Option(names = "--bandwidth", paramLabel = "RATE", converter = Units.BandwidthConverter.class,
            description = "Limits each direction to this rate with a drop-tail queue of 150000 bytes, "
                    + "e.g. 10Mbit, 100kbit, 1Gbit.")
    Long bandwidth;

    @Option(names = "--mtu", paramLabel = "BYTES",
            description = "A hop in the middle of the path carries no packet longer than this (68 to 65535) and "
                    + "answers a longer one with ICMP \"fragmentation needed\": the senders lower their MSS "
                    + "(path MTU discovery, RFC 1191), e.g. --mtu 1200.")
    Integer mtu;

    @Option(names = "--ipv6", description = "Plays the scenario over IPv6, between fd00::1 and fd00::2.")
    boolean ipv6;

    /** The lossy scenario's loss when --loss is not given. */
    static final String LOSSY_DEFAULT_LOSS = "3";

    /** The path conditions the flags describe (the scenario may add its own default loss). */
    PathConditions conditions() {
        PathConditions.Builder b = PathConditions.builder().delay(delay != null ? delay : DemoRun.ONE_WAY_DELAY);
        if (jitter != null) b.jitter(jitter);
        Double lossRate = loss != null ? loss : scenario == Scenario.LOSSY ? Units.percent(LOSSY_DEFAULT_LOSS) : null;
        if (lossRate != null) b.loss(lossRate);
        if (reorder != null) b.reorder(reorder);
        if (duplicate != null) b.duplicate(duplicate);
        if (corrupt != null) b.corrupt(corrupt);
        if (bandwidth != null) b.bandwidth(bandwidth);
        if (mtu != null) b.mtu(mtu);
        return b.build();
    }

    /** The scenario list shown under the usage, made from the scenarios themselves. */
    static String scenarioFooter() {
        int width = Arrays.stream(Scenario.values()).mapToInt(s -> s.id.length()).max().orElse(0);
        StringBuilder b = new StringBuilder("%nScenarios:%n");
        for (Scenario s : Scenario.values()) {
            b.append("  ").append(s.id).append(" ".repeat(width - s.id.length() + 2))
                    .append(s.summary.replace("%", "%%")).append("%n");
        }
        return b.append("%nExamples:%n  synack demo%n  synack demo time-wait --msl 1%n"
                + "  synack demo shut-rd --profile freebsd%n"
                + "  synack demo refused --format jsonl --seed 7%n"
                + "  synack demo handshake --ipv6%n"
                + "  synack demo lossy --loss 5%% --reorder --delay 20ms --jitter 5ms%n"
                + "  synack demo lossy --bandwidth 10Mbit --corrupt=2%% --seed 3%n"
                + "%nAn option with an optional value (--reorder, --duplicate, --corrupt) takes the next word as its "
                + "value;%nput the scenario first or write --reorder=5%% when in doubt.%n").toString();
    }

    @Override
    public Integer call() {
        return play(scenario::play);
    }

    /** Runs {@code script} as the chosen scenario (tests pass scripts that fail on purpose). */
    int play(Consumer<DemoRun> script) {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        TcpConfig.Builder builder = profile.config().toBuilder();
        if (msl != null) {
            builder.msl(msl);
        }
        TcpConfig config = builder.build();
        PathConditions conditions = conditions();
        DemoRun run;
        Throwable failure = null;
        dev.synack.link.PcapWriter capture = null;
        try {
            run = new DemoRun(seed, config, conditions, ipv6);
            if (pcap != null) {
                // Each packet once: as its sender hands it to the simulated network.
                capture = dev.synack.link.PcapWriter.virtualTime(pcap, pcapSnaplen);
                run.client.addPacketTap(capture.outboundOnly());
                run.server.addPacketTap(capture.outboundOnly());
            }
            script.accept(run);
        } catch (RuntimeException | java.io.IOException e) {
            err.println("synack demo " + scenario.id + ": could not set up the simulation: " + describe(e));
            err.flush();
            return CommandLine.ExitCode.SOFTWARE;
        }
        try {
            runWithWatchdog(run);
            requireAllClosed(run.trace());
        } catch (Throwable t) {
            failure = t;
        }
        if (capture != null) {
            try {
                capture.close();
            } catch (java.io.IOException e) {
                if (failure == null) failure = new ScenarioFailure("could not write " + pcap + ": " + e.getMessage());
            }
        }
        List<TraceEvent> trace = run.trace();
        SvgLadderRenderer picture = new SvgLadderRenderer(DemoRun.CLIENT, DemoRun.SERVER);
        switch (format) {
            case JSONL -> JsonLinesRenderer.render(trace, out);
            case SVG -> out.print(picture.svg(trace));
            case HTML -> out.print(picture.html(trace, "synack demo " + scenario.id,
                    header(config, conditions, run).strip()));
            case TEXT -> {
                out.print(header(config, conditions, run));
                out.print(new LadderRenderer(DemoRun.CLIENT, DemoRun.SERVER).render(trace));
            }
        }
        out.flush();
        if (failure != null) {
            err.println("synack demo " + scenario.id + ": FAILED: " + describe(failure));
            err.flush();
            return CommandLine.ExitCode.SOFTWARE;
        }
        return CommandLine.ExitCode.OK;
    }

    private String header(TcpConfig config, PathConditions conditions, DemoRun run) {
        Duration mslTaken = Duration.ofNanos(config.mslNanos());
        FaultStats f = run.sim.faultStats();
        String faults = conditions.hasFaults() ? "Faults: " + (f.lostRandom() + f.lostBurst()) + " lost, "
                + f.queueFull() + " queue full, " + f.reordered() + " reordered, " + f.duplicated() + " duplicated, "
                + f.corrupted() + " corrupted; retransmissions: client " + run.client.counters().get("RetransSegs")
                + ", server " + run.server.counters().get("RetransSegs") + ".\n" : "";
        return "synack demo " + scenario.id + ": " + scenario.summary + "\n"
                + "seed " + seed + ", MSL " + seconds(mslTaken) + " s (TIME_WAIT " + seconds(mslTaken.multipliedBy(2))
                + " s), Linux defaults\n"
                + "Each direction: " + conditions + "\n"
                + faults
                + "Look for: " + scenario.lookFor + ".\n\n";
    }

    private static String seconds(Duration d) {
        return BigDecimal.valueOf(d.toNanos()).movePointLeft(9).stripTrailingZeros().toPlainString();
    }

    /** Runs the simulation on its own thread so that a stuck one ends the demo with an error, not a hang. */
    private static void runWithWatchdog(DemoRun run) throws Throwable {
        Throwable[] thrown = new Throwable[1];
        Thread runner = Thread.ofPlatform().daemon().name("synack-demo-" + run.seed).start(() -> {
            try {
                run.execute();
            } catch (Throwable t) {
                thrown[0] = t;
            }
        });
        if (!runner.join(WATCHDOG)) {
            throw new ScenarioFailure("the simulation did not finish within " + WATCHDOG.toSeconds()
                    + " s of real time (a stuck actor or an endless loop in the stack?)");
        }
        if (thrown[0] != null) {
            throw thrown[0];
        }
    }

    /** Every connection of a finished run must end in CLOSED: nothing is left scheduled once run() returns. */
    static void requireAllClosed(List<TraceEvent> trace) {
        Map<String, String> last = new LinkedHashMap<>();
        for (TraceEvent e : trace) {
            if (e instanceof TraceEvent.StateChange s && s.connection() != null && s.connection().contains("<->")) {
                last.put(s.host() + " " + s.connection(), s.to());
            }
        }
        List<String> open = new ArrayList<>();
        last.forEach((conn, state) -> {
            if (!state.equals("CLOSED")) {
                open.add(conn + " ended in " + state);
            }
        });
        if (!open.isEmpty()) {
            throw new ScenarioFailure("connections not CLOSED at the end of the run: " + String.join("; ", open));
        }
    }

    /** The message of a failure: a scenario's own, or the exception with its causes. */
    static String describe(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ScenarioFailure f) {
                return f.getMessage() + (f.getCause() != null ? " [" + f.getCause() + "]" : "");
            }
        }
        StringBuilder b = new StringBuilder(t.toString());
        for (Throwable c = t.getCause(); c != null; c = c.getCause()) { // getCause() is null, never itself, at the end
            b.append("; caused by ").append(c);
        }
        return b.toString();
    }

    static final class ScenarioConverter implements CommandLine.ITypeConverter<Scenario> {
        @Override
        public Scenario convert(String value) {
            try {
                return Scenario.byId(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    static final class ScenarioIds implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(Scenario.values()).map(s -> s.id).iterator();
        }
    }

    static final class FormatConverter implements CommandLine.ITypeConverter<Format> {
        @Override
        public Format convert(String value) {
            for (Format f : Format.values()) {
                if (f.name().equalsIgnoreCase(value)) {
                    return f;
                }
            }
            throw new CommandLine.TypeConversionException("unknown format '" + value + "'; choose text, jsonl, svg or html");
        }
    }

    static final class FormatNames implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(Format.values()).map(f -> f.name().toLowerCase(java.util.Locale.ROOT)).iterator();
        }
    }

    /** Decimal seconds, at most nanosecond precision, from 0 to an hour. */
    static final class SecondsConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            BigDecimal seconds;
            try {
                seconds = new BigDecimal(value);
            } catch (NumberFormatException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a number of seconds");
            }
            if (seconds.signum() < 0 || seconds.compareTo(MAX_MSL_SECONDS) > 0) {
                throw new CommandLine.TypeConversionException("'" + value + "' is out of range: give 0 to "
                        + MAX_MSL_SECONDS + " seconds");
            }
            try {
                return Duration.ofNanos(seconds.movePointRight(9).longValueExact());
            } catch (ArithmeticException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is finer than a nanosecond");
            }
        }
    }
}
