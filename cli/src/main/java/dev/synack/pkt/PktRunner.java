package dev.synack.pkt;

import dev.synack.trace.TraceListener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Runs script files: reads, parses, runs each, and summarises. The entry point of {@code synack pkt}. */
public final class PktRunner {
    private PktRunner() {}

    /**
     * What the command line adds to every script: packetdrill options ({@code --name=value}, as
     * {@code name -> value}; they override the script's own) and {@code -D NAME=VALUE} definitions.
     */
    public record RunOptions(Map<String, String> options, Map<String, String> defines) {
        public static final RunOptions NONE = new RunOptions(Map.of(), Map.of());

        public RunOptions {
            options = Map.copyOf(options);
            defines = Map.copyOf(defines);
        }
    }

    /** Parses and runs the script text; a syntax error is a failure at its line. */
    public static Outcome runText(String name, String text) {
        return runText(name, text, RunOptions.NONE, null);
    }

    /** {@link #runText(String, String)} with command-line options, giving the local stack's trace events to {@code trace} (may be null). */
    public static Outcome runText(String name, String text, RunOptions run, TraceListener trace) {
        Script script;
        try {
            script = ScriptParser.parse(name, text, withDefaultDefines(text, run), Set.of(ScriptProfile.platformSymbol(profile(text, run))));
        } catch (ScriptException e) {
            if (e.unsupported()) return Outcome.skip(name, "line " + e.line() + ": " + e.getMessage());
            return Outcome.fail(name, e.line(), "syntax error: " + e.getMessage());
        }
        return ScriptRunner.run(script, run.options(), trace);
    }

    /**
     * The command line's defines, plus the one packetdrill's run_all.py passes to every Linux script:
     * TFO_COOKIE, the Fast Open cookie the server scripts' client presents: the cookie a server keyed
     * as defaults.sh keys it gives the remote address (3021b9d889017eeb for IPv4, c1d1e9742a47a9bc
     * for IPv6), unless the command line defines it.
     */
    private static Map<String, String> withDefaultDefines(String text, RunOptions run) {
        if (run.defines().containsKey("TFO_COOKIE")) return run.defines();
        String version = run.options().get("ip_version");
        boolean ipv6 = version != null ? version.equals("ipv6") : SCRIPT_IPV6.matcher(text).find();
        Map<String, String> defines = new java.util.HashMap<>(run.defines());
        defines.put("TFO_COOKIE", ipv6 ? "c1d1e9742a47a9bc" : "3021b9d889017eeb");
        return defines;
    }

    private static final java.util.regex.Pattern SCRIPT_IPV6 = java.util.regex.Pattern.compile("(?m)^\\s*--ip_version=ipv6\\s*$");

    /** A script's profile: the command line's --profile, else its own {@code --profile=NAME} line, else null (linux). */
    private static String profile(String text, RunOptions run) {
        String fromCommandLine = run.options().get("profile");
        if (fromCommandLine != null) return fromCommandLine;
        java.util.regex.Matcher m = SCRIPT_PROFILE.matcher(text);
        return m.find() ? m.group(1) : null;
    }

    private static final java.util.regex.Pattern SCRIPT_PROFILE = java.util.regex.Pattern.compile("(?m)^\\s*--profile=(\\w+)\\s*$");

    /** Reads and runs one file; an unreadable file is a failure. */
    public static Outcome runFile(Path file) {
        return runFile(file, RunOptions.NONE, null);
    }

    /** {@link #runFile(Path)} with command-line options and the local stack's trace events given to {@code trace} (may be null). */
    public static Outcome runFile(Path file, RunOptions run, TraceListener trace) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return Outcome.fail(file.toString(), 0, "cannot read: " + e.getMessage());
        }
        return runText(file.toString(), text, run, trace);
    }

    /** Directories become their *.pkt files (recursively, sorted); files stay as they are. */
    public static List<Path> expand(List<Path> paths) {
        List<Path> files = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (var s = Files.walk(p)) {
                    s.filter(f -> f.toString().endsWith(".pkt") && Files.isRegularFile(f)).sorted().forEach(files::add);
                } catch (IOException e) {
                    files.add(p);
                }
            } else {
                files.add(p);
            }
        }
        return files;
    }

    /** {@code N passed, M failed, K skipped}. */
    public static String summary(List<Outcome> outcomes) {
        long passed = outcomes.stream().filter(o -> o.status() == Outcome.Status.PASS).count();
        long failed = outcomes.stream().filter(o -> o.status() == Outcome.Status.FAIL).count();
        long skipped = outcomes.stream().filter(o -> o.status() == Outcome.Status.SKIP).count();
        return passed + " passed, " + failed + " failed, " + skipped + " skipped";
    }
}
