package dev.synack.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The programs of README.md and docs/getting-started.md, and the javadoc's examples, run and print
 * what the documents say they print (the cli module's DocumentExamplesTest checks that the documents
 * show them as they are; the TUN program runs in dev.synack.link.TunExampleTest, as root only).
 */
class GettingStartedTest {
    /** A program's main, as a test calls it. */
    interface Program {
        void run() throws Exception;
    }

    /** What {@code program} prints on System.out (one program at a time: surefire runs classes in turn). */
    static String printedBy(Program program) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            program.run();
        } finally {
            System.setOut(original);
        }
        return printed.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n");
    }

    @Test
    @Timeout(60)
    void theSimulationDeliversEveryByteThroughLoss() throws Exception {
        String printed = printedBy(() -> SimulatedNetworkExample.main(new String[0]));
        assertThat(printed).matches("server received 1048576 bytes in [0-9]+ ms of virtual time\n"
                + "[1-9][0-9]* packets dropped on the way, every lost byte sent again\n");
        assertThat(printedBy(() -> SimulatedNetworkExample.main(new String[0])))
                .as("the same seed, the same run").isEqualTo(printed);
    }

    @Test
    @Timeout(30)
    void theBlockingServerGreetsEachClient() throws Exception {
        assertThat(printedBy(() -> BlockingExample.main(new String[0])))
                .isEqualTo("hello, Ada\nhello, Grace\nhello, Linus\n");
    }

    @Test
    @Timeout(30)
    void theReadmesEchoExampleEchoes() throws Exception {
        assertThat(printedBy(() -> EchoExample.main(new String[0]))).isEqualTo("hello, synack\n");
    }

    @Test
    @Timeout(30)
    void theJavadocExamplesRun() throws Exception {
        assertThat(printedBy(() -> {
            JavadocExamples.simulation();
            JavadocExamples.faultyLink();
        })).isNotEmpty();
    }
}
