package dev.synack.tcp;

import static dev.synack.tcp.EngineHarness.ISS;
import static dev.synack.tcp.EngineHarness.PEER_ISS;
import static dev.synack.tcp.EngineHarness.pattern;
import static dev.synack.tcp.TerminationTest.errorOf;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import dev.synack.wire.TcpSegment;
import org.junit.jupiter.api.Test;

/** Resets in synchronized states (RFC 9293 §3.10.7.4 second, RFC 5961 §3-5). */
class ResetTest {
    static final int SND = ISS + 1;
    static final int RCV = PEER_ISS + 1;

    @Test
    void resetAtRcvNxtEndsTheConnectionWithConnectionReset() {
        EngineHarness h = EngineHarness.active(EngineHarness.plain()).establish();
        h.in("R").seq(RCV).deliver();
        h.expectNothing();
        assertThat(h.conn.state()).isEqualTo(TcpState.CLOSED);
        assertThat(h.conn.isReleased()).isTrue();
        assertThat(h.conn.error()).isEqualTo(TcpError.CONNECTION_RESET);
        assertThat(h.lastTransition()).isEqualTo("ESTABLISHED->CLOSED: rcvd RST");
        assertThat(h.conn.isReadable()).isTrue();
        assertThat(h.conn.isWritable()).isTrue();
        assertThat(errorOf(() -> h.read(1))).isEqualTo(TcpError.CONNECTION_RESET);
        assertThat(errorOf(() -> h.read(1))).isEqualTo(TcpError.CONNECTION_RESET); // sticky
        assertThat(errorOf(() -> h.write(1))).isEqualTo(TcpError.CONNECTION_RESET);
    }

    @Test
    void bytesReceivedBeforeTheResetAreStillReadThenTheErrorComes() {
        EngineHarness h = EngineHarness.active(EngineHarness.plain()).establish();
        h.in("P.").seq(RCV).ack(SND).data(pattern(0, 50)).deliver();
        h.in("R").seq(RCV + 50).deliver();
        assertThat(h.conn.state()).isEqualTo(TcpState.CLOSED);
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(100);
        assertThat(h.conn.read(buf, h.now)).isEqualTo(50);
        assertThat(java.util.Arrays.copyOf(buf.array(), 50)).isEqualTo(pattern(0, 50));
        assertThat(errorOf(() -> h.read(1))).isEqualTo(TcpError.CONNECTION_RESET);
    }

    @Test
    void resetInWindowButNotExactGetsAChallengeAck() {
        EngineHarness h = EngineHarness.active(EngineHarness.plain()).establish();
        h.in("R").seq(RCV + 1000).deliver();
        h.expect(".", SND, RCV, 0);
        assertThat(h.conn.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(h.drops).anyMatch(d -> d.contains("RFC 5961"));
    }

    @Test
    void resetOutsideTheWindowIsDroppedSilently() {
        EngineHarness h = EngineHarness.active(EngineHarness.plain()).establish();
        h.in("R").seq(RCV + 100_000).deliver();
        h.in("R").seq(RCV - 1).deliver();
        h.expectNothing();
        assertThat(h.conn.state()).isEqualTo(TcpState.ESTABLISHED);
    }

    @Test
    void synInASynchronizedStateGetsAChallengeAck() {
        EngineHarness h = EngineHarness.active(EngineHarness.plain()).establish();
        h.in("S").seq(RCV + 10).deliver();
        h.expect(".", SND, RCV, 0);
        assertThat(h.conn.state()).isEqualTo(TcpState.ESTABLISHED);
        h.advance(Duration.ofMillis(500)); // one such ACK per tcp_invalid_ratelimit
        h.in("S").seq(RCV - 1000).deliver(); // out of window: an ordinary unacceptable-segment ACK
        h.expect(".", SND, RCV, 0);
        assertThat(h.conn.state()).isEqualTo(TcpState.ESTABLISHED);
    }

    @Test
    void challengeAcksAreRateLimitedPerSecond() {
        // The RFC 5961 §7 budget alone, without Linux's per-connection interval in front of it.
        TcpConfig config = EngineHarness.plain().toBuilder().challengeAckLimit(2).invalidRateLimit(Duration.ZERO).build();
        EngineHarness h = EngineHarness.active(config).establish();
        for (int i = 0; i < 5; i++) h.in("R").seq(RCV + 10 + i).deliver();
        h.expect(".", SND, RCV, 0);
        h.expect(".", SND, RCV, 0);
        h.expectNothing();
        h.advance(Duration.ofSeconds(1));
        h.in("R").seq(RCV + 10).deliver();
        h.expect(".", SND, RCV, 0);
    }

    @Test
    void tooOldAckGetsAChallengeAck() {
        EngineHarness h = EngineHarness.active(EngineHarness.plain()).establish(1000, 1460);
        h.in(".").seq(RCV).ack(SND - 5000).deliver();
        h.expect(".", SND, RCV, 0);
        assertThat(h.drops).anyMatch(d -> d.contains("RFC 5961 §5.2"));
    }

    @Test
    void resetInCloseWaitAndLastAck() {
        EngineHarness h = EngineHarness.active(EngineHarness.plain()).establish();
        h.in("F.").seq(RCV).ack(SND).deliver();
        h.in("R").seq(RCV + 1).deliver();
        assertThat(h.conn.state()).isEqualTo(TcpState.CLOSED);
        assertThat(h.lastTransition()).isEqualTo("CLOSE_WAIT->CLOSED: rcvd RST");

        EngineHarness g = EngineHarness.active(EngineHarness.plain()).establish();
        g.in("F.").seq(RCV).ack(SND).deliver();
        g.conn.close(g.now);
        assertThat(g.conn.state()).isEqualTo(TcpState.LAST_ACK);
        g.in("R").seq(RCV + 1).deliver();
        assertThat(g.conn.state()).isEqualTo(TcpState.CLOSED);
        assertThat(g.conn.isReleased()).isTrue();
    }

    @Test
    void segmentWithAnOlderTimestampIsRejectedByPaws() {
        TcpConfig config = TcpConfig.linux().toBuilder().sack(false).windowScaling(false).build();
        EngineHarness h = EngineHarness.active(config);
        h.connect();
        h.next();
        h.in("S.").seq(PEER_ISS).ack(SND).mss(1460).ts(1000, 0).deliver();
        h.next();
        h.in("P.").seq(RCV).ack(SND).ts(1001, 0).data(pattern(0, 10)).deliver();
        h.next();
        h.in("P.").seq(RCV + 10).ack(SND).ts(900, 0).data(pattern(10, 10)).deliver(); // old timestamp
        h.expect(".", SND, RCV + 10, 0);
        assertThat(h.drops).anyMatch(d -> d.startsWith("PAWS"));
        assertThat(h.readAvailable()).isEqualTo(pattern(0, 10));
    }

    /** Linux's PAWS spares a one-tick-old TSval and reordered pure duplicate ACKs. */
    @Test
    void pawsToleratesOneTickAndAReorderedPureDuplicateAck() {
        TcpConfig config = TcpConfig.linux().toBuilder().sack(false).windowScaling(false).build();
        EngineHarness h = EngineHarness.active(config);
        h.connect();
        h.next();
        h.in("S.").seq(PEER_ISS).ack(SND).mss(1460).ts(1000, 0).deliver();
        h.next();
        h.in("P.").seq(RCV).ack(SND).ts(1010, 0).data(pattern(0, 10)).deliver();
        h.next();
        h.in("P.").seq(RCV + 10).ack(SND).ts(1009, 0).data(pattern(10, 10)).deliver(); // one tick older
        h.expect(".", SND, RCV + 20, 0);
        assertThat(h.drops).isEmpty();
        h.write(100);
        h.next();
        h.in(".").seq(RCV + 20).ack(SND).ts(1012, 0).deliver(); // a duplicate ACK (TS.Recent 1012)
        h.in(".").seq(RCV + 20).ack(SND).ts(1005, 0).deliver(); // an earlier one, overtaken: accepted
        assertThat(h.drops).isEmpty();
        h.in(".").seq(RCV + 20).ack(SND + 100).ts(1005, 0).deliver(); // an old ACK that moves SND.UNA: PAWS
        assertThat(h.drops).containsExactly("PAWS: timestamp older than TS.Recent");
    }

    @Test
    void afterTwentyFourDaysIdleTsRecentIsInvalidAndPawsDoesNotApply() {
        // RFC 7323 §5.5: the peer's timestamp clock may have wrapped or restarted in that time
        TcpConfig config = TcpConfig.linux().toBuilder().sack(false).windowScaling(false).build();
        EngineHarness h = EngineHarness.active(config);
        h.connect();
        h.next();
        h.in("S.").seq(PEER_ISS).ack(SND).mss(1460).ts(1000, 0).deliver();
        h.next();
        h.advance(java.time.Duration.ofDays(23));
        h.in("P.").seq(RCV).ack(SND).ts(900, 0).data(pattern(0, 10)).deliver(); // 23 days: still PAWS
        assertThat(h.drops).anyMatch(d -> d.startsWith("PAWS"));
        h.clearSent();
        h.advance(java.time.Duration.ofDays(2));
        h.in("P.").seq(RCV).ack(SND).ts(900, 0).data(pattern(0, 10)).deliver(); // 25 days: accepted
        TcpSegment ack = h.expect(".", SND, RCV + 10, 0);
        assertThat(ack.options().tsEcr()).isEqualTo(900); // TS.Recent taken from it
        assertThat(h.readAvailable()).isEqualTo(pattern(0, 10));
    }

    @Test
    void releasedConnectionAnswersNothing() {
        EngineHarness h = EngineHarness.active(EngineHarness.plain()).establish();
        h.in("R").seq(RCV).deliver();
        h.in("P.").seq(RCV).ack(SND).len(10).deliver();
        h.in("S").seq(7).deliver();
        h.expectNothing();
        assertThat(h.conn.nextDeadline()).isEqualTo(Long.MAX_VALUE);
    }
}
