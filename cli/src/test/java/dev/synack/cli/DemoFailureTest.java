package dev.synack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** A scenario that does not go as planned ends the demo with exit status 1 and a clear message. */
class DemoFailureTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int play(Consumer<DemoRun> script, String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        CommandLine.ParseResult parsed = cl.parseArgs(args);
        DemoCommand demo = parsed.subcommand().commandSpec().commandLine().getCommand();
        return demo.play(script);
    }

    @Test
    void anActorsFailedExpectationIsReportedWithExit1AndThePartialTrace() {
        int code = play(run -> {
            Scenario.serveOneRequest(run);
            run.sim.spawn(DemoRun.CLIENT, () -> {
                try (TcpSocket socket = new TcpSocket(run.client)) {
                    socket.connect(DemoRun.address(DemoRun.SERVER_IP, DemoRun.SERVER_PORT));
                    DemoRun.expectEqual("the client's greeting", "hello", "goodbye");
                }
            });
        }, "demo", "lifecycle", "--format", "jsonl");
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("synack demo lifecycle: FAILED: the client's greeting: expected \"hello\" "
                + "but got \"goodbye\"" + System.lineSeparator());
        assertThat(out.toString()).contains("\"flags\":\"S\"").contains("\"flags\":\"S.\"");
    }

    @Test
    void aStuckSimulationIsReportedNotHung() {
        int code = play(run -> run.sim.spawn(DemoRun.SERVER, () -> {
            try (TcpServerSocket listener = Scenario.listen(run)) {
                listener.accept(); // nobody ever connects
            }
        }), "demo", "refused");
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).startsWith("synack demo refused: FAILED: ").contains(DemoRun.SERVER);
        assertThat(out.toString()).startsWith("synack demo refused: ");
    }

    @Test
    void anUnexpectedExceptionIsReportedWithItsCause() {
        int code = play(run -> run.sim.spawn(DemoRun.CLIENT, () -> {
            try (TcpSocket socket = new TcpSocket(run.client)) {
                socket.connect(DemoRun.address(DemoRun.SERVER_IP, DemoRun.SERVER_PORT)); // refused: not expected here
            }
        }), "demo", "lifecycle");
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).startsWith("synack demo lifecycle: FAILED: ").contains("Connection refused");
    }
}
