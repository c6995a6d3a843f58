package dev.synack.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synack.trace.TraceEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** The command line itself: help, argument errors, and the failure path's pieces. No simulation runs here. */
class MainTest {
    @Test
    void demoHelpListsEveryScenarioWithItsSummary() {
        DemoRunner.Result r = DemoRunner.run("demo", "--help");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        for (Scenario s : Scenario.values()) {
            assertThat(r.out()).containsPattern("(?m)^  " + s.id + " +" + java.util.regex.Pattern.quote(s.summary) + "$");
        }
        assertThat(r.out()).contains("--format=FORMAT").contains("--msl=SECONDS").contains("--seed=N");
        assertThat(r.out().lines()).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(80));
    }

    @Test
    void scenarioIdsAreUniqueAndFindable() {
        for (Scenario s : Scenario.values()) {
            assertThat(Scenario.byId(s.id)).isSameAs(s);
        }
        assertThatThrownBy(() -> Scenario.byId("LIFECYCLE")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown scenario 'LIFECYCLE'").hasMessageContaining("time-wait");
    }

    /**
     * Every command's help goes through picocli's formatter, where a lone '%' in a description
     * (say "30-50 % short") is a broken format: picocli then prints the raw text and warns on stderr.
     */
    @Test
    void everyCommandsHelpFormatsWithoutWarnings() {
        PrintStream saved = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        List<String> checked = new ArrayList<>();
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            Deque<CommandLine> todo = new ArrayDeque<>(List.of(Main.commandLine()));
            while (!todo.isEmpty()) {
                CommandLine c = todo.pop();
                String usage = c.getUsageMessage(CommandLine.Help.Ansi.OFF);
                assertThat(usage).as(c.getCommandSpec().qualifiedName()).contains("Usage: ").doesNotContain("%n");
                checked.add(c.getCommandSpec().qualifiedName());
                todo.addAll(c.getSubcommands().values());
            }
        } finally {
            System.setErr(saved);
        }
        assertThat(checked).contains("synack bench connections", "synack bench throughput", "synack demo");
        assertThat(captured.toString(StandardCharsets.UTF_8)).as("stderr while rendering " + checked).doesNotContain("picocli WARN");
    }

    @ParameterizedTest
    @ValueSource(strings = {"demo nope", "demo --format xml", "demo --msl -1", "demo --msl abc", "demo --msl 1e-10",
            "demo --msl 3600.5", "demo --seed x", "demo lifecycle extra", "demo --bogus", "frobnicate", ""})
    void badArgumentsAreUsageErrors(String args) {
        DemoRunner.Result r = DemoRunner.run(args.isEmpty() ? new String[0] : args.split(" "));
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).doesNotContain("Usage:");
        // The error, perhaps a "Did you mean" suggestion, and where the help is: nothing scrolls the error away.
        List<String> lines = r.err().lines().toList();
        assertThat(lines).hasSizeBetween(2, 4);
        assertThat(lines.getFirst()).startsWith("synack");
        assertThat(lines.getLast()).matches("Try './synack( demo)? --help' for more information\\.");
        assertThat(r.out()).isEmpty();
    }

    /** Every command answers a bad argument with the error and the hint, and exit status 2. */
    @ParameterizedTest
    @ValueSource(strings = {"serve --bogus", "connect --udp 127.0.0.1:9 10.0.0.1 notaport", "bench throughput --size x",
            "pkt --bogus", "fuzz --seconds x", "bench --bogus"})
    void everyCommandsUsageErrorIsShort(String args) {
        DemoRunner.Result r = DemoRunner.run(args.split(" "));
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        String command = String.join(" ", java.util.Arrays.asList(args.split(" ")).subList(0, args.startsWith("bench t") ? 2 : 1));
        assertThat(r.err().lines().toList().getLast()).isEqualTo("Try './synack " + command + " --help' for more information.");
        assertThat(r.err()).doesNotContain("Usage:").startsWith("synack " + command + ": ");
    }

    @Test
    void usageErrorsSayWhatIsWrong() {
        assertThat(DemoRunner.run("demo", "nope").err()).contains("unknown scenario 'nope'; choose one of: lifecycle");
        assertThat(DemoRunner.run("demo", "--format", "xml").err()).contains("unknown format 'xml'");
        assertThat(DemoRunner.run("demo", "--msl", "-1").err()).contains("'-1' is out of range");
        assertThat(DemoRunner.run().err()).contains("Missing subcommand: choose one of demo");
    }

    @Test
    void mslAcceptsDecimalSeconds() {
        DemoCommand.SecondsConverter c = new DemoCommand.SecondsConverter();
        assertThat(c.convert("0.5")).hasMillis(500);
        assertThat(c.convert("30")).hasSeconds(30);
        assertThat(c.convert("0")).isZero();
        assertThat(c.convert("0.000000001")).hasNanos(1);
        assertThat(c.convert("3600")).hasHours(1);
    }

    @Test
    void versionIsPrinted() {
        DemoRunner.Result r = DemoRunner.run("--version");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).startsWith("synack ");
    }

    @Test
    void connectionsLeftOpenAreAFailure() {
        List<TraceEvent> trace = List.of(
                new TraceEvent.StateChange(0, "server", "10.0.0.2:80", "CLOSED", "LISTEN", "listen"),
                new TraceEvent.StateChange(1, "client", "a<->b", "CLOSED", "SYN_SENT", "connect"),
                new TraceEvent.StateChange(2, "client", "a<->b", "SYN_SENT", "ESTABLISHED", "SYN-ACK"),
                new TraceEvent.StateChange(3, "client", "c<->d", "CLOSED", "SYN_SENT", "connect"),
                new TraceEvent.StateChange(4, "client", "c<->d", "SYN_SENT", "CLOSED", "RST"));
        assertThatThrownBy(() -> DemoCommand.requireAllClosed(trace)).isInstanceOf(ScenarioFailure.class)
                .hasMessage("connections not CLOSED at the end of the run: client a<->b ended in ESTABLISHED");
        DemoCommand.requireAllClosed(trace.subList(3, 5));
    }

    @Test
    void failuresAreDescribedByTheScenariosOwnMessageWhenThereIsOne() {
        RuntimeException wrapped = new RuntimeException("actor client failed",
                new ScenarioFailure("the client's reply: expected \"x\" but got \"y\""));
        assertThat(DemoCommand.describe(wrapped)).isEqualTo("the client's reply: expected \"x\" but got \"y\"");
        RuntimeException other = new IllegalStateException("blocked: server", new IOException("boom"));
        assertThat(DemoCommand.describe(other))
                .isEqualTo("java.lang.IllegalStateException: blocked: server; caused by java.io.IOException: boom");
    }

    @Test
    void expectIoFailureChecksTheMessage() {
        assertThat(DemoRun.expectIoFailure("x", "Connection reset", () -> {
            throw new IOException("Connection reset");
        })).hasMessage("Connection reset");
        assertThatThrownBy(() -> DemoRun.expectIoFailure("the read", "Connection reset", () -> { }))
                .isInstanceOf(ScenarioFailure.class).hasMessage("the read should fail with \"Connection reset\" but succeeded");
        assertThatThrownBy(() -> DemoRun.expectIoFailure("the read", "Connection reset", () -> {
            throw new IOException("Broken pipe");
        })).isInstanceOf(ScenarioFailure.class).hasMessageContaining("but failed with java.io.IOException: Broken pipe");
    }
}
