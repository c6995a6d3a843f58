package dev.synack.cli;

import dev.synack.pkt.Outcome;
import dev.synack.pkt.PktRunner;
import java.io.PrintWriter;
import dev.synack.trace.LadderRenderer;
import dev.synack.trace.TraceEvent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code synack pkt FILE...}: runs packetdrill-syntax scripts against synack in virtual time. */
@Command(name = "pkt",
        description = {"Runs packetdrill-syntax scripts (.pkt) against a synack stack in virtual time: local 192.168.0.1, "
                + "remote 192.0.2.1, Linux defaults with window scale 8 (as packetdrill's defaults.sh). Directories are "
                + "searched for *.pkt files. Prints one line per script and a summary.",
                "Exit status: 0 when no script failed, 1 when one did, 2 on bad arguments."})
final class PktCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Script files or directories.")
    List<Path> files;

    @Option(names = "--trace", description = "After each script's line, print the run as a ladder diagram "
            + "(local stack on the left, the script as the remote host on the right; times are script times).")
    boolean trace;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<Outcome> outcomes = new ArrayList<>();
        for (Path p : PktRunner.expand(files)) {
            List<TraceEvent> events = new ArrayList<>();
            Outcome o = PktRunner.runFile(p, trace ? events::add : null);
            outcomes.add(o);
            out.println(o.describe());
            if (trace && !events.isEmpty()) out.print(LadderRenderer.render(events, "local", "script"));
            out.flush();
        }
        out.println(PktRunner.summary(outcomes));
        out.flush();
        return outcomes.stream().anyMatch(o -> o.status() == Outcome.Status.FAIL) ? 1 : 0;
    }
}
