package dev.synack.socket;

import static dev.synack.socket.SimSockets.server;
import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.link.SimNetwork;
import dev.synack.tcp.WriteFlags;
import dev.synack.trace.TraceEvent;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** TcpSocket's send flags and TCP_CORK as the segments on the wire show them. */
@Timeout(30)
class SendFlagsSocketTest {

    /** The payload lengths of the data segments the client sent. */
    private static List<Integer> clientDataLengths(List<TraceEvent> events) {
        return events.stream()
                .filter(e -> e instanceof TraceEvent.Packet p && p.host().equals("client") && p.direction() == TraceEvent.Direction.SEND && p.len() > 0)
                .map(e -> ((TraceEvent.Packet) e).len())
                .toList();
    }

    private static void readExactly(InputStream in, int n) throws java.io.IOException {
        assertThat(in.readNBytes(n)).hasSize(n);
    }

    @Test
    void recordsEndedWithEndOfRecordLeaveInSegmentsOfTheirOwn() {
        SimSockets s = new SimSockets(41);
        List<TraceEvent> events = SimNetwork.record(s.net);
        s.net.spawn("server", () -> {
            try (TcpServerSocket ss = new TcpServerSocket(s.server, 80, 4); TcpSocket c = ss.accept()) {
                readExactly(c.getInputStream(), 700);
            }
        });
        s.net.spawn("client", () -> {
            try (TcpSocket c = new TcpSocket(s.client)) {
                c.connect(server(80));
                c.setTcpNoDelay(true);
                c.setOption(TcpSocketOptions.TCP_CORK, true); // the records wait together, then leave in one burst
                c.write(ByteBuffer.allocate(300), WriteFlags.END_OF_RECORD);
                c.write(ByteBuffer.allocate(400), WriteFlags.END_OF_RECORD);
                c.setOption(TcpSocketOptions.TCP_CORK, false);
                s.net.sleep(Duration.ofSeconds(1));
            }
        });
        s.net.run();
        assertThat(clientDataLengths(events)).containsExactly(300, 400);
    }

    @Test
    void aCorkedSocketSendsItsSmallWritesTogetherWhenUncorked() {
        SimSockets s = new SimSockets(42);
        List<TraceEvent> events = SimNetwork.record(s.net);
        s.net.spawn("server", () -> {
            try (TcpServerSocket ss = new TcpServerSocket(s.server, 80, 4); TcpSocket c = ss.accept()) {
                readExactly(c.getInputStream(), 30);
            }
        });
        s.net.spawn("client", () -> {
            try (TcpSocket c = new TcpSocket(s.client)) {
                c.connect(server(80));
                c.setOption(TcpSocketOptions.TCP_CORK, true);
                for (int i = 0; i < 3; i++) {
                    c.write(ByteBuffer.allocate(10));
                    s.net.sleep(Duration.ofMillis(10));
                }
                assertThat(clientDataLengths(events)).isEmpty();
                c.setOption(TcpSocketOptions.TCP_CORK, false);
                s.net.sleep(Duration.ofSeconds(1));
            }
        });
        s.net.run();
        assertThat(clientDataLengths(events)).containsExactly(30);
    }
}
