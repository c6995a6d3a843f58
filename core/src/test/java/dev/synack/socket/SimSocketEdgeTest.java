package dev.synack.socket;

import static dev.synack.socket.SimSockets.readAll;
import static dev.synack.socket.SimSockets.server;
import static dev.synack.socket.SimSockets.writeAll;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synack.link.SimNetwork;
import dev.synack.tcp.TcpState;
import dev.synack.trace.TraceEvent;
import java.net.BindException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Less common paths: TIME_WAIT reuse, simultaneous close, SO_LINGER, failing trace listeners. */
@Timeout(30)
class SimSocketEdgeTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void aNewSynReopensAServerSideTimeWaitConnectionAtOnce() {
        SimSockets s = new SimSockets(21);
        List<TraceEvent> events = SimNetwork.record(s.net);
        List<String> log = new ArrayList<>();
        s.net.spawn("server", () -> {
            try (TcpServerSocket ss = new TcpServerSocket(s.server, 80, 4)) {
                for (int i = 0; i < 2; i++) {
                    try (TcpSocket c = ss.accept()) {
                        byte[] buf = new byte[64];
                        int n = c.read(ByteBuffer.wrap(buf));
                        log.add("server got " + new String(buf, 0, n, US_ASCII));
                    } // the server closes first: its side goes to TIME_WAIT
                }
            }
        });
        s.net.spawn("client", () -> {
            for (int i = 0; i < 2; i++) {
                try (TcpSocket c = new TcpSocket(s.client)) {
                    c.bind(5555); // the same 4-tuple both times
                    c.connect(server(80));
                    writeAll(c, ("hello " + i).getBytes(US_ASCII));
                    assertThat(c.read(ByteBuffer.allocate(1))).isEqualTo(-1);
                }
                s.net.sleep(Duration.ofSeconds(1));
            }
        });
        s.net.run();
        assertThat(log).containsExactly("server got hello 0", "server got hello 1");
        // The second SYN found the server's TIME_WAIT and was let through, long before 2 MSL.
        TraceEvent.StateChange reuse = SimSockets.states(events, "server").stream()
                .filter(e -> e.from().equals("TIME_WAIT") && e.cause().contains("SYN")).findFirst().orElseThrow();
        assertThat(reuse.timeNanos()).isLessThan(5 * SECOND);
        assertThat(s.server.counters()).containsEntry("PassiveOpens", 2L);
    }

    @Test
    void boundPortStaysInUseUntilTheConnectionIsGone() {
        SimSockets s = new SimSockets(22);
        s.net.spawn("server", () -> {
            try (TcpServerSocket ss = new TcpServerSocket(s.server, 80, 4)) {
                try (TcpSocket c = ss.accept()) {
                    readAll(c);
                }
            }
        });
        s.net.spawn("client", () -> {
            try (TcpSocket c = new TcpSocket(s.client)) {
                c.bind(5556);
                c.connect(server(80));
            } // the client closes first: TIME_WAIT keeps port 5556
            TcpSocket again = new TcpSocket(s.client);
            assertThatThrownBy(() -> again.bind(5556)).isInstanceOf(BindException.class).hasMessageContaining("Address already in use");
            s.net.sleep(Duration.ofNanos(s.client.config().timeWaitNanos() + SECOND));
            again.bind(5556);
            again.close();
        });
        s.net.run();
    }

    @Test
    void simultaneousCloseGoesThroughClosingOnBothSides() {
        SimSockets s = new SimSockets(23);
        List<TraceEvent> events = SimNetwork.record(s.net);
        s.net.spawn("server", () -> {
            try (TcpServerSocket ss = new TcpServerSocket(s.server, 80, 4)) {
                TcpSocket c = ss.accept();
                s.net.sleep(Duration.ofNanos(SECOND - s.net.nowNanos())); // until t = 1 s
                c.close();
            }
        });
        s.net.spawn("client", () -> {
            TcpSocket c = new TcpSocket(s.client);
            c.connect(server(80));
            s.net.sleep(Duration.ofNanos(SECOND - s.net.nowNanos()));
            c.close();
        });
        s.net.run();
        for (String host : List.of("client", "server")) {
            assertThat(SimSockets.states(events, host)).extracting(TraceEvent.StateChange::to)
                    .as(host).containsSubsequence("FIN_WAIT1", "CLOSING", "TIME_WAIT", "CLOSED");
        }
        assertThat(s.client.connectionCount()).isZero();
        assertThat(s.server.connectionCount()).isZero();
    }

    @Test
    void lingerWaitsUntilTheDataIsAcknowledged() {
        SimSockets s = new SimSockets(24);
        byte[] data = new byte[200_000];
        new Random(24).nextBytes(data);
        AtomicReference<byte[]> received = new AtomicReference<>();
        long[] closeTook = {0};
        TcpState[] afterClose = {null};
        s.net.spawn("server", () -> {
            try (TcpServerSocket ss = new TcpServerSocket(s.server, 80, 4)) {
                try (TcpSocket c = ss.accept()) {
                    received.set(readAll(c));
                }
            }
        });
        s.net.spawn("client", () -> {
            TcpSocket c = new TcpSocket(s.client);
            c.connect(server(80));
            writeAll(c, data);
            c.setSoLinger(true, 30);
            long before = s.net.nowNanos();
            c.close();
            closeTook[0] = s.net.nowNanos() - before;
            afterClose[0] = c.state();
        });
        s.net.run();
        assertThat(received.get()).isEqualTo(data);
        assertThat(closeTook[0]).isPositive().isLessThan(30 * SECOND);
        assertThat(afterClose[0]).isIn(TcpState.FIN_WAIT1, TcpState.FIN_WAIT2, TcpState.TIME_WAIT);
    }

    @Test
    void aFailingTraceListenerIsCountedAndTheConnectionCarriesOn() {
        SimSockets s = new SimSockets(25);
        s.net.addTraceListener(e -> {
            throw new IllegalStateException("listener bug");
        });
        List<TraceEvent> seen = SimNetwork.record(s.net); // a later listener still sees everything
        AtomicReference<String> got = new AtomicReference<>();
        s.net.spawn("server", () -> {
            try (TcpServerSocket ss = new TcpServerSocket(s.server, 80, 4)) {
                try (TcpSocket c = ss.accept()) {
                    got.set(new String(readAll(c), US_ASCII));
                }
            }
        });
        s.net.spawn("client", () -> {
            try (TcpSocket c = new TcpSocket(s.client)) {
                c.connect(server(80));
                writeAll(c, "despite it all".getBytes(US_ASCII));
            }
        });
        s.net.run();
        assertThat(got.get()).isEqualTo("despite it all");
        assertThat(seen).anySatisfy(e -> assertThat(e).isInstanceOf(TraceEvent.StateChange.class));
        assertThat(s.client.counters().get("InternalErrors")).isPositive();
    }

    @Test
    void readAfterShutdownInputReturnsEndOfFile() {
        SimSockets s = new SimSockets(26);
        s.net.spawn("server", () -> {
            try (TcpServerSocket ss = new TcpServerSocket(s.server, 80, 4)) {
                try (TcpSocket c = ss.accept()) {
                    c.shutdownInput();
                    assertThat(c.read(ByteBuffer.allocate(8))).isEqualTo(-1);
                    assertThatThrownBy(c::shutdownInput).hasMessageContaining("already shut down");
                    writeAll(c, "bye".getBytes(US_ASCII));
                }
            }
        });
        s.net.spawn("client", () -> {
            try (TcpSocket c = new TcpSocket(s.client)) {
                c.connect(server(80));
                assertThat(new String(readAll(c), US_ASCII)).isEqualTo("bye");
            }
        });
        s.net.run();
    }
    @Test
    void unansweredSynsEndInConnectionTimedOut() {
        SimSockets s = new SimSockets(27);
        s.net.addFault((from, p) -> from.equals("client") ? "server unreachable" : null);
        long[] failedAt = {0};
        s.net.spawn("client", () -> {
            TcpSocket c = new TcpSocket(s.client);
            assertThatThrownBy(() -> c.connect(server(80)))
                    .isInstanceOf(java.net.ConnectException.class).hasMessage("Connection timed out");
            failedAt[0] = s.net.nowNanos();
        });
        s.net.run();
        // Linux: the SYN and 6 retries, 1 s doubling: 1+2+4+8+16+32+64 = 127 s.
        assertThat(failedAt[0]).isEqualTo(127 * SECOND);
        assertThat(s.client.counters()).containsEntry("AttemptFails", 1L).containsEntry("RetransSegs", 6L);
    }

    @Test
    void aPeerThatVanishesMakesTheConnectionTimeOut() {
        SimSockets s = new SimSockets(28);
        boolean[] partitioned = {false};
        s.net.addFault((from, p) -> partitioned[0] ? "partition" : null);
        s.net.spawn("server", () -> {
            try (TcpServerSocket ss = new TcpServerSocket(s.server, 80, 4)) {
                TcpSocket c = ss.accept();
                partitioned[0] = true;
                c.setSoLinger(true, 0);
                c.close();
            }
        });
        s.net.spawn("client", () -> {
            try (TcpSocket c = new TcpSocket(s.client)) {
                c.connect(server(80));
                s.net.sleep(Duration.ofSeconds(1));
                writeAll(c, "anyone there?".getBytes(US_ASCII));
                assertThatThrownBy(() -> c.read(ByteBuffer.allocate(10)))
                        .isInstanceOf(java.net.SocketException.class).hasMessage("Connection timed out");
            }
        });
        s.net.run();
        // one tail loss probe (RFC 8985 §7, SACK is on), then dataRetries timeouts
        assertThat(s.client.counters().get("RetransSegs")).isEqualTo(1L + s.client.config().dataRetries());
        assertThat(s.client.connectionCount()).isZero();
    }

    @Test
    void theRfcProfilesFourMinuteTimeWaitPassesInVirtualTime() {
        SimSockets s = new SimSockets(29, dev.synack.tcp.TcpConfig.rfc());
        List<TraceEvent> events = s.net.recordTrace();
        s.net.spawn("server", () -> {
            try (TcpServerSocket ss = new TcpServerSocket(s.server, 80, 4)) {
                try (TcpSocket c = ss.accept()) {
                    readAll(c);
                }
            }
        });
        s.net.spawn("client", () -> {
            try (TcpSocket c = new TcpSocket(s.client)) {
                c.connect(server(80));
            }
        });
        s.net.run();
        TraceEvent.StateChange enter = SimSockets.states(events, "client").stream()
                .filter(e -> e.to().equals("TIME_WAIT")).findFirst().orElseThrow();
        TraceEvent.StateChange leave = SimSockets.states(events, "client").stream()
                .filter(e -> e.from().equals("TIME_WAIT")).findFirst().orElseThrow();
        assertThat(leave.timeNanos() - enter.timeNanos()).isEqualTo(Duration.ofMinutes(4).toNanos());
        assertThat(s.client.connectionCount()).isZero();
    }
}
