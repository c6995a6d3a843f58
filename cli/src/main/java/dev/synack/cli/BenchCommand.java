package dev.synack.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code synack bench}: measurements, never pass/fail tests. Each kind of measurement is a
 * subcommand (goodput, throughput, connections, scale, tun, flood).
 */
@Command(name = "bench", description = {"Benchmarks of the stack. Choose a measurement:"},
        subcommands = {GoodputCommand.class, ThroughputCommand.class, ConnectionsCommand.class, ScaleCommand.class,
                TunBenchCommand.class, FloodBenchCommand.class, ForwardBenchCommand.class, CommandLine.HelpCommand.class})
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @CommandLine.Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    /** No measurement named: a usage error. */
    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing measurement: choose one of "
                + String.join(", ", spec.subcommands().keySet().stream().filter(n -> !n.equals("help")).toList()));
    }
}
