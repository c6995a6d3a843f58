package dev.synack.cli;

import picocli.CommandLine.Option;

/** The -h/--help option of the commands that have no --version: a picocli mixin. */
final class HelpOption {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;
}
