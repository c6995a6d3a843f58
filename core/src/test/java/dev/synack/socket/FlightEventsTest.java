package dev.synack.socket;

import static dev.synack.socket.SimSockets.server;
import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.wire.TcpFlags;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JFR recording around a simulated connection whose first SYN is lost: the stack's state changes,
 * its retransmission timeout and the retransmitted SYN are in the recording, with the 4-tuple.
 */
@Timeout(60)
class FlightEventsTest {

    @Test
    void aRecordingHoldsStateChangesRetransmissionsAndTimeouts(@TempDir Path dir) throws Exception {
        SimSockets s = new SimSockets(5);
        AtomicBoolean lost = new AtomicBoolean();
        s.net.addFault((from, p) -> p.segment().has(TcpFlags.SYN) && !p.segment().has(TcpFlags.ACK) && lost.compareAndSet(false, true)
                ? "the first SYN is lost" : null);
        Path file = dir.resolve("synack.jfr");
        try (Recording recording = new Recording()) {
            recording.enable("dev.synack.StateChange");
            recording.enable("dev.synack.Retransmission");
            recording.enable("dev.synack.RtoExpiry");
            recording.start();
            s.net.spawn("server", () -> {
                try (TcpServerSocket ss = new TcpServerSocket(s.server, 80, 4); TcpSocket c = ss.accept()) {
                    assertThat(c.getInputStream().read()).isEqualTo(-1);
                }
            });
            s.net.spawn("client", () -> {
                try (TcpSocket c = new TcpSocket(s.client)) {
                    c.connect(server(80));
                }
            });
            s.net.runFor(Duration.ofSeconds(5));
            recording.stop();
            recording.dump(file);
        }
        // Committed from several threads (the actors' and the driver's): in the file by thread, so sorted here.
        List<RecordedEvent> events = RecordingFile.readAllEvents(file).stream().sorted(Comparator.comparing(RecordedEvent::getStartTime))
                .toList();

        List<String> clientStates = events.stream().filter(e -> is(e, "dev.synack.StateChange") && e.getString("host").equals("client"))
                .map(e -> e.getString("from") + ">" + e.getString("to")).toList();
        assertThat(clientStates).containsSubsequence("CLOSED>SYN_SENT", "SYN_SENT>ESTABLISHED", "ESTABLISHED>FIN_WAIT1",
                "FIN_WAIT1>FIN_WAIT2", "FIN_WAIT2>TIME_WAIT");

        assertThat(events).filteredOn(e -> is(e, "dev.synack.RtoExpiry")).singleElement().satisfies(e -> {
            assertThat(e.getString("host")).isEqualTo("client");
            assertThat(e.getString("remote")).isEqualTo("10.0.0.2:80");
            assertThat(e.getString("state")).isEqualTo("SYN_SENT");
            assertThat(e.getDuration("rto")).isEqualTo(Duration.ofSeconds(1));
        });
        assertThat(events).filteredOn(e -> is(e, "dev.synack.Retransmission")).singleElement().satisfies(e -> {
            assertThat(e.getString("host")).isEqualTo("client");
            assertThat(e.getString("local")).startsWith("10.0.0.1:");
            assertThat(e.getString("remote")).isEqualTo("10.0.0.2:80");
            assertThat(e.getString("flags")).isEqualTo("S");
        });
    }

    private static boolean is(RecordedEvent e, String name) {
        return e.getEventType().getName().equals(name);
    }
}
