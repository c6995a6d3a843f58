package dev.synack.cli;

import dev.synack.stack.FatalErrorHandler;
import dev.synack.stack.NetStack;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code synack} command. Subcommands: {@code demo}, {@code pkt}, {@code bench}, {@code serve},
 * {@code connect}, {@code fuzz}.
 * Exit status: 0 success, 1 failure, 2 usage error (picocli's convention), 70 when a stack's
 * thread met a fatal error such as running out of memory ({@link FatalErrorHandler#exitProcess}).
 */
@Command(name = "synack", mixinStandardHelpOptions = true, version = "synack 0.1.0",
        description = "A complete TCP/IP stack in Java, in user space.",
        subcommands = {DemoCommand.class, PktCommand.class, BenchCommand.class, ServeCommand.class, ConnectCommand.class, ForwardCommand.class,
                FuzzCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    /** No subcommand given: that is a usage error. */
    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: choose one of "
                + String.join(", ", spec.subcommands().keySet()));
    }

    /** The command line with every subcommand, ready to {@code execute}; tests call this in-process. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.getSubcommands().get("demo").getCommandSpec().usageMessage().footer(DemoCommand.scenarioFooter());
        cl.setParameterExceptionHandler(Main::shortUsageError);
        return cl;
    }

    /**
     * A usage error prints what is wrong and where help is, not the whole help: 60 lines of it would
     * scroll the one line that matters away. Exit status 2, picocli's convention.
     */
    static int shortUsageError(CommandLine.ParameterException e, String[] args) {
        CommandLine failed = e.getCommandLine();
        PrintWriter err = failed.getErr();
        String command = failed.getCommandSpec().qualifiedName(" ");
        err.println(command + ": " + e.getMessage());
        if (e instanceof CommandLine.UnmatchedArgumentException unmatched) {
            // "Did you mean ...?" when an option or subcommand is close to what was typed: one or two lines.
            CommandLine.UnmatchedArgumentException.printSuggestions(unmatched, err);
        }
        err.println("Try './" + command + " --help' for more information.");
        err.flush();
        return failed.getCommandSpec().exitCodeOnInvalidInput();
    }

    public static void main(String[] args) {
        // A stack that runs out of memory ends the process rather than stay alive and deaf.
        NetStack.defaultFatalErrorHandler(FatalErrorHandler.exitProcess(FatalErrorHandler.EXIT_STATUS));
        // The last resort, for a fatal error that escapes a thread because reporting it failed too.
        Thread.setDefaultUncaughtExceptionHandler(FatalErrorHandler.haltOnFatal(FatalErrorHandler.EXIT_STATUS,
                (thread, error) -> {
                    System.err.print("Exception in thread \"" + thread.getName() + "\" ");
                    error.printStackTrace();
                }));
        System.exit(commandLine().execute(args));
    }
}
