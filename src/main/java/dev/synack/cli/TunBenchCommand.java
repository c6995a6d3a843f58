package dev.synack.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code synack bench tun}: the kernel's TCP against synack over a TUN device (placeholder until built). */
@Command(name = "tun", description = {"The kernel's TCP sending to and receiving from synack over a TUN device, in a "
        + "network namespace the benchmark creates (needs root). Not available yet."})
final class TunBenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @CommandLine.Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Override
    public Integer call() {
        spec.commandLine().getErr().println("synack bench tun: not available yet");
        spec.commandLine().getOut().println("ratio: n/a");
        return CommandLine.ExitCode.SOFTWARE;
    }
}
