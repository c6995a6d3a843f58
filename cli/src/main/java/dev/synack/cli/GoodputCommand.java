package dev.synack.cli;

import dev.synack.tcp.CongestionAlgorithm;
import dev.synack.tcp.EcnMode;
import dev.synack.tcp.TcpConfig;
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

/** {@code synack bench goodput}: goodput over a simulated path, by loss rate and RTT, for each congestion control and SACK. */
@Command(name = "goodput",
        description = {"Measures goodput (application bytes delivered per second, as a fraction of the link's "
                + "bandwidth) over a simulated path in virtual time, for every combination of loss rate and RTT, "
                + "with NewReno and CUBIC, SACK on and off. The data direction has the loss and a drop-tail queue of "
                + "one bandwidth-delay product (at least 16 packets); the ACK direction is clean. The numbers depend "
                + "only on the options and the seed, never on the machine.",
                "Exit status: 0 when every measurement ran, 1 when one failed, 2 on bad arguments."})
final class GoodputCommand implements Callable<Integer> {
    /** Large enough for the longest default RTT: 100 Mbit/s x 100 ms = 1.25 MB in flight, twice that buffered. */
    static final int DEFAULT_BUFFER = 4 * 1024 * 1024;

    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Option(names = "--bandwidth", paramLabel = "RATE", defaultValue = "100Mbit", converter = Units.BandwidthConverter.class,
            description = "The link's bandwidth, each direction. Default: ${DEFAULT-VALUE}.")
    long bandwidth;

    @Option(names = "--loss", paramLabel = "P%", split = ",", defaultValue = "0,0.1%,1%,5%",
            converter = Units.PercentConverter.class,
            description = "Loss rates of the data direction, comma-separated. Default: ${DEFAULT-VALUE}.")
    List<Double> losses;

    @Option(names = "--rtt", paramLabel = "TIME", split = ",", defaultValue = "2ms,20ms,100ms",
            converter = Units.DurationConverter.class,
            description = "Round-trip times, comma-separated. Default: ${DEFAULT-VALUE}.")
    List<Duration> rtts;

    @Option(names = "--warmup", paramLabel = "TIME", defaultValue = "2s", converter = Units.DurationConverter.class,
            description = "Virtual time before the measurement starts (handshake, slow start). Default: ${DEFAULT-VALUE}.")
    Duration warmup;

    @Option(names = "--window", paramLabel = "TIME", defaultValue = "10s", converter = Units.DurationConverter.class,
            description = "Virtual time measured. Default: ${DEFAULT-VALUE}.")
    Duration window;

    @Option(names = "--buffer", paramLabel = "BYTES", defaultValue = "" + DEFAULT_BUFFER,
            description = "Send and receive buffer of both hosts, in bytes (the linux() profile has 262144 and "
                    + "131072, autotuned up to 6 MiB). 0 keeps the profile's. Default: ${DEFAULT-VALUE}.")
    int buffer;

    @Option(names = "--details", description = "After each row, print what each run did: retransmitted segments, "
            + "packets lost at random and dropped by the full queue.")
    boolean details;

    @Option(names = "--aqm-mark", paramLabel = "BYTES", defaultValue = "0",
            description = "Makes the data direction's queue a step-marking AQM: from BYTES of backlog on, an "
                    + "ECN-capable packet is marked CE and any other dropped. 0: drop-tail only. Default: ${DEFAULT-VALUE}.")
    int aqmMark;

    @Option(names = "--ecn", description = "The sender asks for ECN (RFC 3168, Linux's tcp_ecn=1); the receiver "
            + "grants it, as by default. Without it both hosts only grant it (tcp_ecn=2), so no connection has ECN.")
    boolean ecn;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
            description = "Seed of the simulation (losses, ISNs). Default: ${DEFAULT-VALUE}.")
    long seed;

    /** The four columns: congestion control x SACK. */
    record Variant(String name, CongestionAlgorithm congestion, boolean sack) { }

    static final List<Variant> VARIANTS = List.of(
            new Variant("NewReno", CongestionAlgorithm.NEW_RENO, false),
            new Variant("NewReno+SACK", CongestionAlgorithm.NEW_RENO, true),
            new Variant("CUBIC", CongestionAlgorithm.CUBIC, false),
            new Variant("CUBIC+SACK", CongestionAlgorithm.CUBIC, true));

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (buffer < 0) throw new CommandLine.ParameterException(spec.commandLine(), "--buffer must not be negative");
        if (aqmMark < 0) throw new CommandLine.ParameterException(spec.commandLine(), "--aqm-mark must not be negative");
        if (window.isZero()) throw new CommandLine.ParameterException(spec.commandLine(), "--window must be longer than 0");
        for (Duration rtt : rtts) {
            if (rtt.isZero()) throw new CommandLine.ParameterException(spec.commandLine(), "an RTT must be longer than 0");
        }
        out.printf(Locale.ROOT, "synack bench goodput: goodput as %% of a %s link; queue 1 BDP (>= %d packets); "
                        + "loss on the data direction only%n", rate(bandwidth), Goodput.MIN_QUEUE_PACKETS);
        out.printf(Locale.ROOT, "buffers %s; measured over %s of virtual time after a %s warm-up; seed %d%n%n",
                buffer == 0 ? "of the linux() profile" : buffer + " bytes (send and receive)",
                seconds(window), seconds(warmup), seed);
        if (aqmMark > 0 || ecn) {
            out.printf(Locale.ROOT, "%s; ECN %s%n%n", aqmMark > 0 ? "CE marks (drops without ECN) from " + aqmMark + " bytes queued"
                    : "no AQM", ecn ? "asked by the sender" : "not asked");
        }
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-7s %-7s", "loss", "RTT"));
        for (Variant v : VARIANTS) head.append(String.format(Locale.ROOT, " %13s", v.name()));
        out.println(head);
        out.flush();
        List<String> failures = new ArrayList<>();
        for (double loss : losses) {
            for (Duration rtt : rtts) {
                StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-7s %-7s", percent(loss), millis(rtt)));
                StringBuilder detail = new StringBuilder();
                for (Variant v : VARIANTS) {
                    try {
                        Goodput.Result r = Goodput.measure(seed, config(v), bandwidth, rtt, loss, aqmMark, warmup, window);
                        row.append(String.format(Locale.ROOT, " %12.1f%%", 100 * r.fraction()));
                        detail.append(String.format(Locale.ROOT, "    %s: %d retransmitted, %d lost, %d queue full, %d CE marked, "
                                + "%d AQM drops%n", v.name(), r.retransmittedSegments(), r.faults().lostRandom(),
                                r.faults().queueFull(), r.faults().ceMarked(), r.faults().aqmDropped()));
                    } catch (RuntimeException e) {
                        row.append(String.format(Locale.ROOT, " %13s", "failed"));
                        failures.add(percent(loss) + " " + millis(rtt) + " " + v.name() + ": " + DemoCommand.describe(e));
                    }
                }
                out.println(row);
                if (details) out.print(detail);
                out.flush();
            }
        }
        for (String f : failures) err.println("synack bench goodput: " + f);
        err.flush();
        return failures.isEmpty() ? CommandLine.ExitCode.OK : CommandLine.ExitCode.SOFTWARE;
    }

    TcpConfig config(Variant v) {
        TcpConfig.Builder b = TcpConfig.linux().toBuilder().congestionAlgorithm(v.congestion()).sack(v.sack())
                .ecn(ecn ? EcnMode.ON : EcnMode.PASSIVE);
        if (buffer > 0) b.sendBufferSize(buffer).receiveBufferSize(buffer);
        return b.build();
    }

    private static String rate(long bits) {
        return bits % 1_000_000 == 0 ? bits / 1_000_000 + " Mbit/s" : bits + " bit/s";
    }

    private static String percent(double p) {
        return new java.math.BigDecimal(Double.toString(p * 100)).stripTrailingZeros().toPlainString() + "%";
    }

    private static String millis(Duration d) {
        return new java.math.BigDecimal(d.toNanos()).movePointLeft(6).stripTrailingZeros().toPlainString() + "ms";
    }

    private static String seconds(Duration d) {
        return new java.math.BigDecimal(d.toNanos()).movePointLeft(9).stripTrailingZeros().toPlainString() + " s";
    }
}
