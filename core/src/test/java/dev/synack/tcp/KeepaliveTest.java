package dev.synack.tcp;

import static dev.synack.tcp.EngineHarness.ISS;
import static dev.synack.tcp.EngineHarness.PEER_ISS;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** SO_KEEPALIVE (RFC 1122 §4.2.3.6) with Linux's 2 h idle, 75 s interval, 9 probes. */
class KeepaliveTest {
    static final int SND = ISS + 1;
    static final int RCV = PEER_ISS + 1;

    @Test
    void noProbesWithoutKeepalive() {
        EngineHarness h = EngineHarness.active(EngineHarness.plain()).establish();
        assertThat(h.conn.nextDeadline()).isEqualTo(Long.MAX_VALUE);
        h.advance(Duration.ofHours(5));
        h.expectNothing();
    }

    @Test
    void idleConnectionIsProbedAndAnAnswerKeepsItAlive() {
        EngineHarness h = EngineHarness.active(EngineHarness.plain()).establish();
        long t0 = h.now;
        h.conn.setKeepAlive(true, h.now);
        h.fireNextDeadline();
        assertThat(h.now - t0).isEqualTo(Duration.ofHours(2).toNanos());
        h.expect(".", SND - 1, RCV, 0);
        assertThat(h.timers).containsExactly("keepalive");
        h.in(".").seq(RCV).ack(SND).deliver(); // the peer is alive
        long answered = h.now;
        h.fireNextDeadline(); // the 75 s interval timer finds the answer and waits a full idle period again
        h.expectNothing();
        h.fireNextDeadline();
        assertThat(h.now - answered).isEqualTo(Duration.ofHours(2).toNanos());
        h.expect(".", SND - 1, RCV, 0);
        assertThat(h.conn.state()).isEqualTo(TcpState.ESTABLISHED);
    }

    @Test
    void nineUnansweredProbesResetTheConnection() {
        EngineHarness h = EngineHarness.active(EngineHarness.plain()).establish();
        long t0 = h.now;
        h.conn.setKeepAlive(true, h.now);
        for (int i = 0; i < 9; i++) {
            h.fireNextDeadline();
            assertThat(h.now - t0).isEqualTo(Duration.ofHours(2).plusSeconds(75L * i).toNanos());
            h.expect(".", SND - 1, RCV, 0);
        }
        h.fireNextDeadline();
        assertThat(h.now - t0).isEqualTo(Duration.ofHours(2).plusSeconds(75L * 9).toNanos());
        h.expect("R.", SND, RCV, 0);
        assertThat(h.conn.state()).isEqualTo(TcpState.CLOSED);
        assertThat(h.conn.error()).isEqualTo(TcpError.CONNECTION_TIMED_OUT);
    }

    @Test
    void outstandingDataLeavesTheWatchToTheRetransmissionTimer() {
        TcpConfig config = EngineHarness.plain().toBuilder().keepaliveIdle(Duration.ofSeconds(1)).build();
        EngineHarness h = EngineHarness.active(config).establish(0, 1460); // zero window: data waits
        h.conn.setKeepAlive(true, h.now);
        h.write(10);
        h.advance(Duration.ofMillis(1500));
        // the keepalive timer fired but sent nothing: every probe out is a persist probe
        assertThat(h.timers).contains("keepalive", "persist");
        long persistFirings = h.timers.stream().filter("persist"::equals).count();
        assertThat(h.sent).hasSize((int) persistFirings);
        while (!h.sent.isEmpty()) h.expect(".", SND - 1, RCV, 0);
        assertThat(h.conn.state()).isEqualTo(TcpState.ESTABLISHED);
    }
}
