package dev.synack.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synack.wire.TcpFlags;
import org.junit.jupiter.api.Test;

/** TCP_USER_TIMEOUT (RFC 5482) as Linux applies it to retransmissions and to zero-window probes. */
class UserTimeoutTest {
    private static final long MS = 1_000_000L;

    @Test
    void unacknowledgedDataFailsTheConnectionAtTheUserTimeoutAfterItsFirstRetransmission() {
        EngineHarness h = EngineHarness.active(EngineHarness.plain()).establish();
        h.conn.setUserTimeout(2000 * MS);
        h.write(100);
        h.clearSent();
        long first = h.fireNextDeadline(); // the first retransmission starts the clock
        assertThat(h.next().payloadLength()).isEqualTo(100);
        long last = first;
        while (h.conn.error() == null) {
            last = h.fireNextDeadline();
            assertThat(last - first).as("no timer beyond the user timeout").isLessThanOrEqualTo(2000 * MS);
        }
        assertThat(last - first).isEqualTo(2000 * MS);
        assertThat(h.conn.error()).isEqualTo(TcpError.CONNECTION_TIMED_OUT);
        assertThat(h.sent.stream().noneMatch(s -> s.has(TcpFlags.RST))).as("no RST, as Linux").isTrue();
    }

    @Test
    void withoutAUserTimeoutTheRetryCountDecides() {
        EngineHarness h = EngineHarness.active(EngineHarness.plain()).establish();
        h.write(100);
        h.clearSent();
        long first = h.fireNextDeadline();
        h.advance(java.time.Duration.ofSeconds(10));
        assertThat(h.now - first).isGreaterThan(2000 * MS);
        assertThat(h.conn.error()).isNull();
    }

    @Test
    void aWindowClosedLongerThanTheUserTimeoutFailsTheConnectionEvenIfProbesAreAnswered() {
        EngineHarness h = EngineHarness.active(EngineHarness.plain()).establish(0, 1460);
        h.conn.setUserTimeout(3000 * MS);
        h.write(100);
        long start = -1;
        while (h.conn.error() == null) {
            long t = h.fireNextDeadline();
            if (start < 0) start = t;
            // Each probe is answered: the window stays closed.
            h.in(".").seq(EngineHarness.PEER_ISS + 1).ack(EngineHarness.ISS + 1).win(0).deliver();
            assertThat(t - start).isLessThan(60_000 * MS);
        }
        assertThat(h.conn.error()).isEqualTo(TcpError.CONNECTION_TIMED_OUT);
        assertThat(h.now - start).isGreaterThanOrEqualTo(3000 * MS);
    }

    @Test
    void aNegativeTimeoutIsRefused() {
        EngineHarness h = EngineHarness.active(EngineHarness.plain());
        assertThatThrownBy(() -> h.conn.setUserTimeout(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
