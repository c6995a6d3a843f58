package dev.synack.cli;

import dev.synack.fuzz.StackFuzzer;
import dev.synack.trace.LadderRenderer;
import dev.synack.trace.TraceEvent;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code synack fuzz}: rounds of {@link StackFuzzer} with consecutive seeds, for as long as asked. */
@Command(name = "fuzz",
        description = {"Fuzzes the whole input path: in each round two stacks carry connections both ways in virtual "
                + "time while an attacker throws random, corrupted, truncated, fragmented, replayed and crafted packets "
                + "(IPv4 options, martian sources, segments near and far from the window) at them; the connections must "
                + "still deliver their bytes exactly. Rounds use consecutive seeds from --seed; the same seed repeats a round.",
                "Exit status: 0 when every round held, 1 when one failed (its seed is printed), 2 on bad arguments."},
        footer = {"%nExamples:",
                "  synack fuzz --seconds 600              # ten minutes of rounds from seed 1",
                "  synack fuzz --seed 4711 --rounds 1 --trace   # one round again, with its ladder diagram"})
final class FuzzCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Option(names = "--seconds", paramLabel = "N", defaultValue = "10", description = "Run rounds for N seconds of real time. Default: ${DEFAULT-VALUE}.")
    long seconds;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "The first round's seed. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--rounds", paramLabel = "R", defaultValue = "2147483647",
            description = "Stop after R rounds (whichever of --seconds and --rounds comes first).")
    int rounds;

    @Option(names = "--trace", description = "Print each round as a ladder diagram (client on the left, server on the right).")
    boolean trace;

    @Override
    public Integer call() {
        if (seconds < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--seconds must be at least 1");
        if (rounds < 1) throw new CommandLine.ParameterException(spec.commandLine(), "--rounds must be at least 1");
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        Map<String, Long> totals = new TreeMap<>();
        long s = seed;
        int done = 0;
        long attack = 0;
        long legitimate = 0;
        long bytes = 0;
        while (done < rounds && (done == 0 || System.nanoTime() < end)) {
            List<TraceEvent> events = new ArrayList<>();
            StackFuzzer.Report r;
            try {
                r = StackFuzzer.run(s, trace ? events::add : null);
            } catch (StackFuzzer.FuzzFailure e) {
                if (trace) out.print(LadderRenderer.render(events, "client", "server"));
                err.println("synack fuzz: " + e.getMessage());
                if (e.getCause() != null) e.getCause().printStackTrace(err);
                err.println("repeat it with: synack fuzz --seed " + s + " --rounds 1 --trace");
                err.flush();
                out.flush();
                return 1;
            }
            if (trace) out.print(LadderRenderer.render(events, "client", "server"));
            done++;
            s++;
            attack += r.attackPackets();
            legitimate += r.legitimatePackets();
            bytes += r.bytes();
            StackFuzzer.totals(List.of(r)).forEach((k, v) -> totals.merge(k, v, Long::sum));
        }
        out.println(done + " rounds (seeds " + seed + ".." + (s - 1) + "): " + bytes + " bytes delivered, " + legitimate
                + " packets sent by the stacks, " + attack + " by the attacker; every invariant held");
        StringBuilder c = new StringBuilder("counters (both stacks, all rounds):");
        totals.forEach((k, v) -> {
            if (v != 0) c.append(' ').append(k).append('=').append(v);
        });
        out.println(c);
        out.flush();
        return 0;
    }
}
