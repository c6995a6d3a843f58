package dev.synack.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Runs a synack command inside a network namespace it creates ({@code ip netns add}, loopback up,
 * {@code ip netns exec}) and always deletes again: when the command ends, fails, or the process is
 * interrupted (Ctrl-C runs the shutdown hook, which stops the inner process and deletes the
 * namespace). Whatever the inner command creates (a TUN device, kernel sockets, tools it starts)
 * lives in the namespace, so no packet leaves it.
 */
final class NamespaceExec {
    private NamespaceExec() {}

    /** Why a namespace benchmark cannot run here (/dev/net/tun, root, ip), or null. */
    static String missingPrerequisite() {
        if (!Files.exists(Path.of("/dev/net/tun"))) return "no /dev/net/tun";
        if (!isRoot()) return "not root (a TUN device and a network namespace need CAP_NET_ADMIN and CAP_SYS_ADMIN)";
        return toolWorks("ip", "-V") ? null : "the ip tool (iproute2) is not installed or does not work";
    }

    /**
     * The whole of a benchmark command that measures inside a namespace of its own: inside it (the
     * hidden {@code --inside-namespace} option), {@code measure}; outside, when the machine cannot run
     * it, says what is missing, else runs {@code args} inside a new namespace. When nothing was
     * measured the command's result line is {@code noResultLine} and the status is SOFTWARE.
     */
    static int benchmark(CommandSpec spec, String name, boolean inside, Supplier<String> missingPrerequisite, List<String> args,
                         String noResultLine, Measurement measure) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (inside) return measure.run(out, err);
        String missing = missingPrerequisite.get();
        if (missing != null) {
            err.println("synack " + String.join(" ", args.subList(0, 2)) + ": not available on this machine: " + missing);
            out.println(noResultLine);
            return CommandLine.ExitCode.SOFTWARE;
        }
        List<String> inner = new ArrayList<>(args.subList(0, 2));
        inner.add("--inside-namespace");
        inner.addAll(args.subList(2, args.size()));
        int status = run(name, inner, out, err);
        if (status >= 0) return status;
        out.println(noResultLine);
        return CommandLine.ExitCode.SOFTWARE;
    }

    /** A benchmark's measurement, inside its namespace: returns the exit status. */
    @FunctionalInterface
    interface Measurement {
        int run(PrintWriter out, PrintWriter err) throws Exception;
    }

    /** Whether {@code command} starts and exits 0 within 10 s. */
    static boolean toolWorks(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) return line.substring(4).trim().split("\\s+")[1].equals("0");
            }
        } catch (IOException | RuntimeException e) {
            // unknown: not root
        }
        return false;
    }

    /**
     * Creates a namespace, runs {@code synack ARGS...} (this JVM's class path) inside it with its
     * output copied to {@code out} and {@code err}, and deletes the namespace. Returns the inner
     * command's exit status, or -1 when the namespace could not be created (said on {@code err}).
     */
    static int run(String prefix, List<String> args, PrintWriter out, PrintWriter err) throws IOException, InterruptedException {
        String ns = "synack-" + prefix + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffff_ffffL);
        if (tool(List.of("ip", "netns", "add", ns), err) != 0) {
            err.println("synack: could not create the network namespace " + ns);
            return -1;
        }
        Process[] inner = new Process[1];
        Thread cleanup = Thread.ofPlatform().unstarted(() -> {
            synchronized (inner) {
                if (inner[0] != null) inner[0].destroy();
            }
            deleteQuietly(ns);
        });
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            tool(List.of("ip", "-n", ns, "link", "set", "lo", "up"), err);
            String java = ProcessHandle.current().info().command()
                    .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            // The jar's manifest lets the outer JVM use java.lang.foreign (TunLink) without a warning;
            // started with -cp, the inner one needs the flag said.
            List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", ns, java, "--enable-native-access=ALL-UNNAMED",
                    "-cp", System.getProperty("java.class.path"), Main.class.getName()));
            command.addAll(args);
            Process p;
            synchronized (inner) {
                p = new ProcessBuilder(command).start();
                inner[0] = p;
            }
            Thread errCopy = Thread.ofPlatform().start(() -> copy(p.getErrorStream(), err));
            copy(p.getInputStream(), out);
            int status = p.waitFor();
            errCopy.join();
            return status;
        } finally {
            tool(List.of("ip", "netns", "del", ns), err);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException e) {
                // shutting down: the hook runs (deleting an already deleted namespace fails quietly)
            }
        }
    }

    private static void deleteQuietly(String ns) {
        try {
            new ProcessBuilder("ip", "netns", "del", ns).redirectErrorStream(true).start().waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            // nothing more to do while the JVM exits
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void copy(InputStream from, PrintWriter to) {
        try (var reader = new InputStreamReader(from, StandardCharsets.UTF_8)) {
            char[] b = new char[4096];
            int n;
            while ((n = reader.read(b)) >= 0) {
                to.write(b, 0, n);
                to.flush();
            }
        } catch (IOException e) {
            // the child went away; its exit status tells
        }
    }

    static int tool(List<String> command, PrintWriter err) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        int status = p.waitFor();
        if (status != 0) err.println("synack: " + String.join(" ", command) + ": " + output);
        return status;
    }
}
