package dev.synack.socket;

import static dev.synack.socket.SimSockets.server;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.link.SimNetwork;
import dev.synack.tcp.TcpState;
import dev.synack.trace.TraceEvent;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * TIME_WAIT as a socket sees it while its stack keeps only the compact record: state() says
 * TIME_WAIT, then CLOSED after 2MSL; reads and closes behave as before.
 */
@Timeout(30)
class SimSocketTimeWaitTest {

    /** Server: accept, read to end-of-file, then write {@code reply} and close. */
    private static void serve(SimSockets s, String reply) {
        s.net.spawn("server", () -> {
            try (TcpServerSocket ss = new TcpServerSocket(s.server, 80, 16)) {
                try (TcpSocket c = ss.accept()) {
                    assertThat(c.getInputStream().read()).isEqualTo(-1);
                    if (!reply.isEmpty()) c.getOutputStream().write(reply.getBytes(US_ASCII));
                }
            }
        });
    }

    @Test
    void aClosedSocketReportsTimeWaitFromTheRecordThenClosed() {
        SimSockets s = new SimSockets(3);
        serve(s, "");
        TcpSocket[] client = new TcpSocket[1];
        s.net.spawn("client", () -> {
            client[0] = new TcpSocket(s.client);
            client[0].connect(server(80));
            client[0].close();
        });
        s.net.runFor(Duration.ofSeconds(1));
        assertThat(client[0].state()).isEqualTo(TcpState.TIME_WAIT);
        assertThat(s.client.timeWaitRecordCount()).isEqualTo(1);
        assertThat(s.client.connectionCount()).isEqualTo(1);
        s.net.runFor(Duration.ofSeconds(58));
        assertThat(client[0].state()).isEqualTo(TcpState.TIME_WAIT);
        s.net.run();
        assertThat(client[0].state()).isEqualTo(TcpState.CLOSED);
        assertThat(s.client.timeWaitRecordCount()).isZero();
        assertThat(s.client.connectionCount()).isZero();
    }

    @Test
    void aHalfClosedSocketKeepsItsConnectionUntilItReadsTheLastBytes() {
        SimSockets s = new SimSockets(4);
        List<TraceEvent> events = SimNetwork.record(s.net);
        serve(s, "bye");
        TcpSocket[] client = new TcpSocket[1];
        String[] got = new String[1];
        int[] afterEnd = new int[1];
        s.net.spawn("client", () -> {
            client[0] = new TcpSocket(s.client);
            client[0].connect(server(80));
            client[0].shutdownOutput();
            s.net.sleep(Duration.ofSeconds(2)); // the reply and the FIN arrive meanwhile: TIME_WAIT, unread
            assertThat(client[0].state()).isEqualTo(TcpState.TIME_WAIT);
            assertThat(s.client.timeWaitRecordCount()).isZero();
            byte[] buf = new byte[10];
            int n = client[0].getInputStream().read(buf);
            got[0] = new String(buf, 0, n, US_ASCII);
            assertThat(s.client.timeWaitRecordCount()).isEqualTo(1);
            afterEnd[0] = client[0].getInputStream().read();
        });
        s.net.run();
        assertThat(got[0]).isEqualTo("bye");
        assertThat(afterEnd[0]).isEqualTo(-1);
        assertThat(client[0].state()).isEqualTo(TcpState.CLOSED);
        assertThat(SimSockets.states(events, "client")).extracting(e -> e.from() + "->" + e.to())
                .containsSubsequence("FIN_WAIT2->TIME_WAIT", "TIME_WAIT->CLOSED");
    }

    @Test
    void aResetOnCloseInTimeWaitEndsTheRecordAtOnce() {
        SimSockets s = new SimSockets(5);
        List<TraceEvent> events = SimNetwork.record(s.net);
        serve(s, "");
        s.net.spawn("client", () -> {
            TcpSocket c = new TcpSocket(s.client);
            c.connect(server(80));
            c.shutdownOutput();
            s.net.sleep(Duration.ofSeconds(2));
            assertThat(c.state()).isEqualTo(TcpState.TIME_WAIT);
            assertThat(s.client.timeWaitRecordCount()).isEqualTo(1);
            c.setSoLinger(true, 0);
            c.close();
            assertThat(c.state()).isEqualTo(TcpState.CLOSED);
            assertThat(s.client.timeWaitRecordCount()).isZero();
            assertThat(s.client.connectionCount()).isZero();
        });
        s.net.run();
        assertThat(SimSockets.states(events, "client")).last()
                .satisfies(e -> assertThat(e.from() + "->" + e.to() + " (" + e.cause() + ")").isEqualTo("TIME_WAIT->CLOSED (abort())"));
        assertThat(events).filteredOn(e -> e instanceof TraceEvent.Packet p && p.host().equals("client")
                && p.flags().contains("R")).isEmpty();
    }
}
