package dev.synack.cli;

import dev.synack.pkt.Outcome;
import dev.synack.pkt.PktRunner;
import java.io.PrintWriter;
import dev.synack.trace.LadderRenderer;
import dev.synack.trace.TraceEvent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/** {@code synack pkt FILE...}: runs packetdrill-syntax scripts against synack in virtual time. */
@Command(name = "pkt",
        description = {"Runs packetdrill-syntax scripts (.pkt) against a synack stack in virtual time: local 192.168.0.1, "
                + "remote 192.0.2.1, Linux defaults with window scale 8 (as packetdrill's defaults.sh). Directories are "
                + "searched for *.pkt files. Prints one line per script and a summary.",
                "packetdrill's options may be given as --name=value (e.g. --tolerance_usecs=10000, --mtu=1400, "
                + "--strict_segments, --ip_version=ipv6, --ip_version=ipv4-mapped-ipv6): they apply to every script and override the script's own; "
                + "a script is skipped, with the option named, when the runner does not honour one. -D NAME=VALUE "
                + "defines a symbol, as packetdrill's. synack's own --hz=250|1000 (or 100, 300) picks the kernel's "
                + "timer frequency, whose ticks round the reordering and loss probe timers (default 250).",
                "Exit status: 0 when no script failed, 1 when one did, 2 on bad arguments."})
final class PktCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    HelpOption help;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Script files or directories.")
    List<Path> files;

    @Option(names = "--trace", description = "After each script's line, print the run as a ladder diagram "
            + "(local stack on the left, the script as the remote host on the right; times are script times).")
    boolean trace;

    @Option(names = {"-D", "--define"}, paramLabel = "NAME=VALUE", description = "Define a symbol for every script, as packetdrill's -D.")
    Map<String, String> defines = new LinkedHashMap<>();

    @Option(names = "--profile", paramLabel = "linux|freebsd|rfc", converter = ProfileOption.Name.class, description = "The stack's profile: linux (default; "
            + "with packetdrill's defaults.sh), freebsd (TcpConfig.freebsd(): FreeBSD's scripts, their net.inet.tcp sysctls, "
            + "#ifdef FreeBSD blocks and FreeBSD's TCP_INFO states) or rfc.")
    String profile;

    /** packetdrill options (--name=value or --name), passed to the runner as they are. */
    @Unmatched
    List<String> packetdrillOptions = new ArrayList<>();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Map<String, String> options = new LinkedHashMap<>();
        for (String o : packetdrillOptions) {
            if (!o.startsWith("--") || o.length() == 2) {
                throw new ParameterException(spec.commandLine(), "Unknown argument: " + o + " (packetdrill options are written --name=value)");
            }
            int eq = o.indexOf('=');
            options.put(eq < 0 ? o.substring(2) : o.substring(2, eq), eq < 0 ? "" : o.substring(eq + 1));
        }
        if (profile != null) options.put("profile", profile);
        PktRunner.RunOptions run = new PktRunner.RunOptions(options, defines);
        List<Outcome> outcomes = new ArrayList<>();
        for (Path p : PktRunner.expand(files)) {
            List<TraceEvent> events = new ArrayList<>();
            Outcome o = PktRunner.runFile(p, run, trace ? events::add : null);
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
