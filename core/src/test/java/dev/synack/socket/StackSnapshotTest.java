package dev.synack.socket;

import static dev.synack.socket.SimSockets.server;
import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.stack.Counter;
import dev.synack.stack.StackSnapshot;
import dev.synack.tcp.TcpConfig;
import dev.synack.tcp.TcpState;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * NetStack.snapshot() on a simulated network with connections in several states at once: a
 * listener with a backlog of unaccepted connections, an ESTABLISHED connection with unread data on
 * one side and unacknowledged data on the other, a TIME_WAIT reduced to its record; and its text
 * in ss's and nstat's shapes.
 */
@Timeout(30)
class StackSnapshotTest {
    private static final int RCVBUF = 16_384;

    private final SimSockets s = new SimSockets(11, TcpConfig.linux().toBuilder().receiveBufferSize(RCVBUF)
            .receiveBufferAutotuning(false).build());

    /** Port 80: two connections left in the accept queue; 81: one accepted, never read; 82: closed by the client. */
    private void build() {
        s.net.spawn("server", () -> {
            TcpServerSocket backlogged = new TcpServerSocket(s.server, 80, 4);
            assertThat(backlogged).isNotNull();
            TcpServerSocket unread = new TcpServerSocket(s.server, 81, 4);
            TcpServerSocket closing = new TcpServerSocket(s.server, 82, 4);
            TcpSocket held = unread.accept();
            assertThat(held).isNotNull();
            try (closing; TcpSocket c = closing.accept()) {
                assertThat(c.getInputStream().read()).isEqualTo(-1);
            }
        });
        s.net.spawn("client", () -> {
            for (int i = 0; i < 2; i++) new TcpSocket(s.client).connect(server(80));
            TcpSocket writer = new TcpSocket(s.client);
            writer.connect(server(81));
            TcpSocket closer = new TcpSocket(s.client);
            closer.connect(server(82));
            closer.close();
            writer.getOutputStream().write(new byte[RCVBUF * 3]); // blocks: the server never reads
        });
        s.net.runFor(Duration.ofSeconds(3));
    }

    @Test
    void showsListenersConnectionsAndTimeWaitRecords() {
        build();
        StackSnapshot server = s.server.snapshot();
        assertThat(server.listeners()).extracting(StackSnapshot.Listening::localPort).containsExactly(80, 81);
        StackSnapshot.Listening backlogged = server.listeners().getFirst();
        assertThat(backlogged.acceptQueue()).isEqualTo(2);
        assertThat(backlogged.backlog()).isEqualTo(4);

        StackSnapshot.Open reader = server.connections().stream().filter(c -> c.tuple().localPort() == 81).findFirst().orElseThrow();
        assertThat(reader.state()).isEqualTo(TcpState.ESTABLISHED);
        // The window closed within an MSS of the buffer's end (the sender sends no smaller segment).
        assertThat(reader.recvQ()).isBetween(RCVBUF - reader.info().sndMss(), RCVBUF);
        assertThat(reader.receiveWindow()).isLessThan(reader.info().sndMss());
        assertThat(server.connections()).filteredOn(c -> c.tuple().localPort() == 80).hasSize(2)
                .allSatisfy(c -> assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED));

        StackSnapshot client = s.client.snapshot();
        StackSnapshot.Open writer = client.connections().stream().filter(c -> c.tuple().remotePort() == 81).findFirst().orElseThrow();
        int received = server.connections().stream().filter(c -> c.tuple().localPort() == 81).findFirst().orElseThrow().recvQ();
        assertThat(writer.sendQ()).isEqualTo(3 * RCVBUF - received);
        assertThat(writer.info().notsentBytes()).isEqualTo(writer.sendQ()); // all it sent was acknowledged
        assertThat(writer.info().sndWnd()).isZero();
        assertThat(writer.timer()).isEqualTo("persist");
        assertThat(writer.info().rttMicros()).isEqualTo(20_000); // twice the simulated 10 ms one-way delay
        assertThat(client.timeWait()).singleElement().satisfies(t -> {
            assertThat(t.tuple().remotePort()).isEqualTo(82);
            assertThat(t.compacted()).isTrue();
            assertThat(t.leftNanos()).isBetween(Duration.ofSeconds(55).toNanos(), Duration.ofSeconds(60).toNanos());
        });
        assertThat(client.counters()).containsEntry(Counter.ACTIVE_OPENS, 4L).containsEntry(Counter.CURR_ESTAB, 3L);
        assertThat(server.counters()).containsEntry(Counter.PASSIVE_OPENS, 4L);
    }

    @Test
    void printsAsSsAndNstatDo() {
        build();
        String ss = normalized(s.server.snapshot().ss());
        assertThat(ss).startsWith("State Recv-Q Send-Q Local Address:Port Peer Address:Port\n")
                .contains("LISTEN 2 4 10.0.0.2:80 0.0.0.0:*\n")
                .contains("LISTEN 0 4 10.0.0.2:81 0.0.0.0:*\n")
                .containsPattern("ESTAB \\d+ 0 10\\.0\\.0\\.2:81 10\\.0\\.0\\.1:");

        String client = normalized(s.client.snapshot().ssDetailed());
        assertThat(client).containsPattern("ESTAB 0 \\d+ 10\\.0\\.0\\.1:\\d+ 10\\.0\\.0\\.2:81 timer:\\(persist,\\d+ms,0\\)\n")
                .containsPattern("\tts sack wscale:\\d+,\\d+ rto:220 rtt:20/[\\d.]+ mss:1448 pmtu:1500 advmss:1460 cwnd:\\d+ .*notsent:\\d+ snd_wnd:0 rcv_wnd:\\d+\n")
                .containsPattern("TIME-WAIT 0 0 10\\.0\\.0\\.1:\\d+ 10\\.0\\.0\\.2:82 timer:\\(timewait,5\\d(sec|\\.\\d{3}ms),0\\)\n\tcompacted\n");
        assertThat(normalized(s.server.snapshot().ssDetailed())).contains("LISTEN 2 4 10.0.0.2:80 0.0.0.0:*\n\tsynq:0\n");

        String nstat = s.client.snapshot().nstat(false);
        assertThat(nstat).startsWith("#synack client\n")
                .contains("TcpActiveOpens                  4                  0.0\n")
                .doesNotContain("TcpExtListenDrops");
        assertThat(s.client.snapshot().nstat(true)).contains("TcpExtListenDrops               0 ");
    }

    private static String normalized(String text) {
        return text.replaceAll(" +", " ");
    }
}
