package dev.synack.tcp;

import static dev.synack.tcp.EngineHarness.ISS;
import static dev.synack.tcp.EngineHarness.PEER_ISS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.wire.TcpFlags;
import dev.synack.wire.TcpSegment;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * At most one ACK per tcp_invalid_ratelimit (500 ms) in reply to segments a connection does not
 * accept, as Linux's tcp_oow_rate_limited: out of the window, PAWS-rejected, retransmitted SYNs in
 * SYN_RECV, old duplicates in TIME_WAIT, challenge ACKs; data segments are always answered.
 */
class InvalidAckRateLimitTest {
    private static final int SND = ISS + 1;
    private static final int RCV = PEER_ISS + 1;
    private static final long MS = 1_000_000L;

    /** {@code count} segments made by {@code segment}, one every 10 ms; returns the ACKs sent. */
    private static int burst(EngineHarness h, int count, Runnable segment) {
        int acks = 0;
        for (int i = 0; i < count; i++) {
            segment.run();
            while (!h.sent.isEmpty()) {
                TcpSegment s = h.next();
                if (s.flags() == TcpFlags.ACK) acks++;
            }
            h.now += 10 * MS;
        }
        return acks;
    }

    @Test
    void aBurstOfOutOfWindowAcksGetsOneAckPer500Ms() {
        EngineHarness h = EngineHarness.active(EngineHarness.plain()).establish();
        // 100 bare ACKs far beyond the window, over one second: answered at 0 ms and at 500 ms.
        int acks = burst(h, 100, () -> h.in(".").seq(RCV + 1_000_000).ack(SND).deliver());
        assertThat(acks).isEqualTo(2);
        assertThat(h.rateLimited).hasSize(98).containsOnly(RateLimited.OUT_OF_WINDOW_ACK);
    }

    @Test
    void outOfWindowDataIsAlwaysAnswered() {
        EngineHarness h = EngineHarness.active(EngineHarness.plain()).establish();
        // Linux: "Data packets without SYNs are not likely part of an ACK loop".
        int acks = burst(h, 20, () -> h.in("P.").seq(RCV + 1_000_000).ack(SND).len(10).deliver());
        assertThat(acks).isEqualTo(20);
        assertThat(h.rateLimited).isEmpty();
    }

    @Test
    void theRfcProfileAnswersEverySegment() {
        TcpConfig rfc = TcpConfig.rfc().toBuilder().timestamps(false).sack(false).windowScaling(false).build();
        assertThat(rfc.invalidRateLimitNanos()).isZero();
        EngineHarness h = EngineHarness.active(rfc).establish();
        assertThat(burst(h, 50, () -> h.in(".").seq(RCV + 1_000_000).ack(SND).deliver())).isEqualTo(50);
    }

    @Test
    void pawsRejectedSegmentsShareTheLimit() {
        EngineHarness h = EngineHarness.active(TcpConfig.linux());
        h.now = 5_000 * MS;
        h.connect();
        h.next();
        h.in("S.").seq(PEER_ISS).ack(SND).mss(1460).sackOk().ts(1000, 0).nop().wscale(7).deliver();
        h.next();
        int acks = burst(h, 60, () -> h.in(".").seq(RCV).ack(SND).ts(10, 0).deliver()); // a timestamp far older than TS.Recent
        assertThat(acks).isEqualTo(2);
        assertThat(h.rateLimited).hasSize(58).containsOnly(RateLimited.PAWS_ACK);
    }

    @Test
    void challengeAcksAndOutOfWindowAcksShareOneInterval() {
        EngineHarness h = EngineHarness.active(EngineHarness.plain()).establish();
        h.in("S").seq(RCV + 10).deliver(); // RFC 5961 §4.2 challenge ACK
        h.expect(".", SND, RCV, 0);
        h.now += 100 * MS;
        h.in(".").seq(RCV + 1_000_000).ack(SND).deliver();
        h.in("R").seq(RCV + 10).deliver(); // in the window, not at RCV.NXT: another challenge
        h.expectNothing();
        assertThat(h.rateLimited).containsExactly(RateLimited.OUT_OF_WINDOW_ACK, RateLimited.CHALLENGE_ACK);
        h.now += 400 * MS;
        h.in("R").seq(RCV + 10).deliver();
        h.expect(".", SND, RCV, 0);
    }

    @Test
    void aRetransmittedSynInSynRecvGetsItsSynAckAtMostOnceIn500Ms() {
        EngineHarness h = EngineHarness.listening(EngineHarness.plain(), 4);
        h.in("S").seq(PEER_ISS).mss(1460).toListener();
        h.expect("S.", ISS, RCV, 0);
        for (int i = 0; i < 10; i++) {
            h.now += 10 * MS;
            h.in("S").seq(PEER_ISS).mss(1460).deliver(); // the peer did not get our SYN-ACK, and says so fast
        }
        h.expect("S.", ISS, RCV, 0); // the first retransmitted SYN is answered
        h.expectNothing();
        assertThat(h.rateLimited).hasSize(9).containsOnly(RateLimited.SYN_RECV_ACK);
        h.now += 500 * MS;
        h.in("S").seq(PEER_ISS).mss(1460).deliver();
        h.expect("S.", ISS, RCV, 0);
    }

    @Test
    void aTimeWaitRecordAnswersOldDuplicatesOncePer500MsAndRetransmittedFinsAlways() {
        EngineHarness h = TimeWaitRecordTest.inTimeWait(TcpConfig.linux());
        TimeWaitRecord r = h.conn.detachTimeWait();
        int acks = burst(h, 100, () -> TimeWaitRecordTest.toRecord(h, r, h.in(".").seq(RCV + 5000).ack(SND).ts(130, 0)));
        assertThat(acks).isEqualTo(2);
        assertThat(h.rateLimited).hasSize(98).containsOnly(RateLimited.TIME_WAIT_ACK);
        // The peer's FIN again (our ACK of it was lost): answered every time, as Linux's TCP_TW_ACK.
        int finAcks = burst(h, 5, () -> TimeWaitRecordTest.toRecord(h, r, h.in("F.").seq(RCV + 100).ack(SND + 1).ts(140, 0)));
        assertThat(finAcks).isEqualTo(5);
    }

    @Test
    void theLimitStaysWithTheRecordWhenItIsDetached() {
        EngineHarness h = TimeWaitRecordTest.inTimeWait(TcpConfig.linux());
        h.in(".").seq(RCV + 5000).ack(SND).ts(130, 0).deliver(); // answered by the attached record
        assertThat(h.sent).hasSize(1);
        h.clearSent();
        TimeWaitRecord r = h.conn.detachTimeWait();
        h.now += 100 * MS;
        TimeWaitRecordTest.toRecord(h, r, h.in(".").seq(RCV + 5000).ack(SND).ts(131, 0));
        h.expectNothing();
    }

    @Test
    void theIntervalIsASetting() {
        TcpConfig config = EngineHarness.plain().toBuilder().invalidRateLimit(Duration.ofMillis(100)).build();
        EngineHarness h = EngineHarness.active(config).establish();
        assertThat(burst(h, 100, () -> h.in(".").seq(RCV + 1_000_000).ack(SND).deliver())).isEqualTo(10);
    }
}
