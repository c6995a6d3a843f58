package dev.synack.socket;

import static dev.synack.socket.SimSockets.server;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synack.link.SimNetwork;
import dev.synack.stack.Counter;
import dev.synack.tcp.FastOpen;
import dev.synack.tcp.TcpConfig;
import dev.synack.trace.TraceEvent;
import java.io.IOException;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * TCP Fast Open between two synack stacks (RFC 7413): the first connection fetches a cookie, the
 * second carries its data in the SYN, which the server's accept()ed socket reads; counted as Linux
 * counts it.
 */
@Timeout(30)
class FastOpenSocketTest {
    private static final TcpConfig BOTH_SIDES = TcpConfig.linux().toBuilder()
            .fastOpen(FastOpen.CLIENT_ENABLE | FastOpen.SERVER_ENABLE).build();

    /** The payload lengths of the SYNs the client sent. */
    private static List<Integer> synPayloads(List<TraceEvent> events) {
        return events.stream()
                .filter(e -> e instanceof TraceEvent.Packet p && p.host().equals("client") && p.direction() == TraceEvent.Direction.SEND
                        && p.flags().equals("S"))
                .map(e -> ((TraceEvent.Packet) e).len())
                .toList();
    }

    @Test
    void theSecondConnectionCarriesItsDataInTheSyn() {
        SimSockets s = new SimSockets(71, BOTH_SIDES);
        List<TraceEvent> events = SimNetwork.record(s.net);
        List<String> received = new ArrayList<>();
        s.net.spawn("server", () -> {
            try (TcpServerSocket ss = new TcpServerSocket(s.server, 80, 4)) {
                ss.setOption(TcpSocketOptions.TCP_FASTOPEN, 8);
                for (int i = 0; i < 2; i++) {
                    try (TcpSocket c = ss.accept()) {
                        received.add(new String(c.getInputStream().readNBytes(5)));
                        received.add(Boolean.toString(c.tcpInfo().synData()));
                    }
                }
            }
        });
        s.net.spawn("client", () -> {
            for (String word : List.of("first", "again")) {
                try (TcpSocket c = new TcpSocket(s.client)) {
                    assertThat(c.connectWithData(server(80), ByteBuffer.wrap(word.getBytes()))).isEqualTo(5);
                    c.getInputStream().read(); // the server's close
                }
            }
        });
        s.net.run();
        assertThat(received).containsExactly("first", "false", "again", "true");
        assertThat(synPayloads(events)).containsExactly(0, 5);
        assertThat(s.client.counter(Counter.TCP_FASTOPEN_ACTIVE)).isEqualTo(1);
        assertThat(s.server.counter(Counter.TCP_FASTOPEN_COOKIE_REQD)).isEqualTo(1);
        assertThat(s.server.counter(Counter.TCP_FASTOPEN_PASSIVE)).isEqualTo(1);
        assertThat(s.client.fastOpenCache().size()).isEqualTo(1);
    }

    @Test
    void aServerWithoutFastOpenAcknowledgesOnlyTheSynAndTheDataGoesAgain() {
        SimSockets s = new SimSockets(72, BOTH_SIDES);
        List<String> received = new ArrayList<>();
        s.net.spawn("server", () -> {
            try (TcpServerSocket ss = new TcpServerSocket(s.server, 80, 4)) {
                ss.setOption(TcpSocketOptions.TCP_FASTOPEN, 8);
                try (TcpSocket c = ss.accept()) {
                    received.add(new String(c.getInputStream().readNBytes(5)));
                }
                ss.setOption(TcpSocketOptions.TCP_FASTOPEN, 0); // Fast Open off: SYN data is not taken
                try (TcpSocket c = ss.accept()) {
                    received.add(new String(c.getInputStream().readNBytes(5)));
                }
            }
        });
        s.net.spawn("client", () -> {
            for (String word : List.of("first", "again")) {
                try (TcpSocket c = new TcpSocket(s.client)) {
                    c.connectWithData(server(80), ByteBuffer.wrap(word.getBytes()));
                    c.getInputStream().read();
                }
            }
        });
        s.net.run();
        assertThat(received).containsExactly("first", "again");
        assertThat(s.client.counter(Counter.TCP_FASTOPEN_ACTIVE_FAIL)).isEqualTo(1);
        assertThat(s.server.counter(Counter.TCP_FASTOPEN_PASSIVE)).isZero();
    }

    @Test
    void withTheClientSideOffConnectWithDataIsRefused() throws IOException {
        SimSockets s = new SimSockets(73, TcpConfig.linux().toBuilder().fastOpen(0).build());
        try (TcpSocket c = new TcpSocket(s.client)) {
            c.configureBlocking(false);
            assertThatThrownBy(() -> c.connectWithData(server(80), ByteBuffer.allocate(10)))
                    .isInstanceOf(SocketException.class).hasMessageContaining("not supported");
        }
    }

    @Test
    void theFastOpenQueueLengthIsAnOption() throws IOException {
        SimSockets s = new SimSockets(74, BOTH_SIDES);
        try (TcpServerSocket ss = new TcpServerSocket(s.server, 80, 4)) {
            assertThat(ss.getOption(TcpSocketOptions.TCP_FASTOPEN)).isZero();
            ss.setOption(TcpSocketOptions.TCP_FASTOPEN, 5);
            assertThat(ss.getOption(TcpSocketOptions.TCP_FASTOPEN)).isEqualTo(5);
            assertThatThrownBy(() -> ss.setOption(TcpSocketOptions.TCP_FASTOPEN, -1)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
