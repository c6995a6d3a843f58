package dev.synack.cli;

/** The {@code synack} command. TO BE IMPLEMENTED (cli helper) with picocli. */
public final class Main {
    public static void main(String[] args) {
        System.err.println("synack: not yet");
        System.exit(2);
    }
}
