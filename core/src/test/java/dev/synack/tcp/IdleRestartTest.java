package dev.synack.tcp;

import static dev.synack.tcp.EngineHarness.ISS;
import static dev.synack.tcp.EngineHarness.PEER_ISS;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Slow start after idle (RFC 5681 §4.1, Linux's tcp_cwnd_restart): cwnd after a pause in sending. */
class IdleRestartTest {
    static final int SND = ISS + 1;
    static final int RCV = PEER_ISS + 1;
    static final int MSS = 1460;

    private static TcpConfig config(boolean restart) {
        return EngineHarness.plain().toBuilder().slowStartAfterIdle(restart).build();
    }

    /** Two rounds of slow start, each acknowledged 10 ms later: cwnd 40 segments, nothing in flight. */
    private static EngineHarness grownTo40(TcpConfig config) {
        EngineHarness h = EngineHarness.active(config).establish(65535, MSS);
        int acked = 0;
        for (int round : new int[] {10, 20}) {
            h.write(round * MSS);
            while (!h.sent.isEmpty()) h.next();
            h.advanceMillis(10);
            acked += round * MSS;
            h.in(".").seq(RCV).ack(SND + acked).win(65535).deliver();
        }
        h.expectNothing();
        assertThat(h.conn.congestionWindow()).isEqualTo(40 * MSS);
        return h;
    }

    @Test
    void cwndIsHalvedForEveryRtoOfThePause() {
        EngineHarness h = grownTo40(config(true));
        long rto = h.conn.retransmissionTimeoutNanos();
        h.advanceTo(h.now + rto + rto / 2); // one RTO and a half
        h.write(100);
        assertThat(h.conn.congestionWindow()).isEqualTo(20 * MSS);
    }

    @Test
    void aLongPauseGoesBackToTheInitialWindowAndNoLower() {
        EngineHarness h = grownTo40(config(true));
        h.advanceMillis(60_000);
        h.write(100);
        assertThat(h.conn.congestionWindow()).isEqualTo(10 * MSS);
    }

    @Test
    void aPauseShorterThanTheRtoKeepsCwnd() {
        EngineHarness h = grownTo40(config(true));
        h.advanceTo(h.now + h.conn.retransmissionTimeoutNanos() / 2);
        h.write(100);
        assertThat(h.conn.congestionWindow()).isEqualTo(40 * MSS);
    }

    @Test
    void turnedOffCwndSurvivesThePause() {
        EngineHarness h = grownTo40(config(false));
        h.advanceMillis(60_000);
        h.write(100);
        assertThat(h.conn.congestionWindow()).isEqualTo(40 * MSS);
    }

    @Test
    void aWindowOpeningAfterALongZeroWindowRestartsCwnd() {
        EngineHarness h = grownTo40(config(true));
        int at = SND + 30 * MSS;
        h.in(".").seq(RCV).ack(at).win(0).deliver();
        h.write(5 * MSS);
        h.expectNothing(); // the peer's window is closed
        h.advanceMillis(5_000); // window probes only, no new data
        h.sent.clear();
        h.in(".").seq(RCV).ack(at).win(65535).deliver();
        assertThat(h.conn.congestionWindow()).isEqualTo(10 * MSS);
        h.expect(".", at, RCV, MSS);
    }

    @Test
    void linuxAndRfcProfilesRestart() {
        assertThat(TcpConfig.linux().slowStartAfterIdle()).isTrue();
        assertThat(TcpConfig.rfc().slowStartAfterIdle()).isTrue();
    }
}
