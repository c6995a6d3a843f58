package dev.synack.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The programs of docs/getting-started.md run and print what the document says they print
 * (DocumentExamplesTest checks that the document shows them as they are; the TUN one runs in
 * dev.synack.link.TunExampleTest, as root only).
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
}
