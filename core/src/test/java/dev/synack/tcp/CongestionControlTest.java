package dev.synack.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The congestion-window policies on their own: NewReno (RFC 5681) and CUBIC (RFC 9438). */
class CongestionControlTest {
    static final int SMSS = 1000;
    static final long MS = 1_000_000L;

    @Nested
    class NewReno {
        @Test
        void slowStartThenCongestionAvoidanceAfterATimeout() {
            NewRenoCongestionControl cc = new NewRenoCongestionControl(SMSS, 10, 2);
            assertThat(cc.cwnd()).isEqualTo(10_000);
            cc.onAck(3000, 0, 0); // at most 2 SMSS per ACK in slow start (RFC 3465 L = 2)
            assertThat(cc.cwnd()).isEqualTo(12_000);
            cc.onRetransmissionTimeout(8000, 0);
            assertThat(cc.ssthresh()).isEqualTo(4000);
            assertThat(cc.cwnd()).isEqualTo(1000); // the loss window (RFC 5681 §3.1)
            cc.onAck(1000, 0, 0);
            cc.onAck(1000, 0, 0);
            cc.onAck(1000, 0, 0);
            assertThat(cc.cwnd()).isEqualTo(4000); // reached ssthresh
            for (int i = 0; i < 3; i++) cc.onAck(1000, 0, 0);
            assertThat(cc.cwnd()).isEqualTo(4000); // 3000 of a 4000 window acknowledged: not yet
            cc.onAck(1000, 0, 0);
            assertThat(cc.cwnd()).isEqualTo(5000); // one SMSS per window in congestion avoidance
        }

        @Test
        void aLossHalvesTheFlightButNotBelowTwoSegments() {
            NewRenoCongestionControl cc = new NewRenoCongestionControl(SMSS, 10, 2);
            cc.onCongestionEvent(10_000, 0);
            assertThat(cc.cwnd()).isEqualTo(5000);
            assertThat(cc.ssthresh()).isEqualTo(5000);
            cc.onCongestionEvent(1000, 0);
            assertThat(cc.cwnd()).isEqualTo(2000);
        }
    }

    /** Proportional rate reduction's arithmetic (RFC 9937, Linux's tcp_cwnd_reduction), in bytes with SMSS 1000. */
    @Nested
    class RateReduction {
        @Test
        void aboveSsthreshTheFlightShrinksInProportionToWhatIsDelivered() {
            ProportionalRateReduction prr = new ProportionalRateReduction();
            prr.start(20_000); // RecoverFS: the cwnd before the reduction; ssthresh 14000
            // the first ACK: ceil(1000 x 14 / 20) = 1 segment, the fast retransmission
            assertThat(prr.cwndAfterAck(1000, 15_000, 14_000, SMSS, false)).isEqualTo(16_000);
            prr.sent(1000);
            assertThat(prr.cwndAfterAck(1000, 15_000, 14_000, SMSS, false)).isEqualTo(16_000); // ceil(1.4) - 1
            prr.sent(1000);
            assertThat(prr.cwndAfterAck(1000, 15_000, 14_000, SMSS, false)).isEqualTo(16_000); // ceil(2.1) - 2
            prr.sent(1000);
            assertThat(prr.cwndAfterAck(1000, 15_000, 14_000, SMSS, false)).isEqualTo(15_000); // ceil(2.8) - 3 = 0
            assertThat(prr.delivered()).isEqualTo(4000);
            assertThat(prr.out()).isEqualTo(3000);
        }

        @Test
        void atOrBelowSsthreshTheConservativeBoundSendsWhatWasDeliveredAndASafeAckOneMore() {
            ProportionalRateReduction prr = new ProportionalRateReduction();
            prr.start(10_000);
            prr.sent(1000); // the fast retransmission went
            // pipe 3000, ssthresh 7000: max(prr_delivered - prr_out, delivered) = 1000
            assertThat(prr.cwndAfterAck(2000, 3000, 7000, SMSS, false)).isEqualTo(5000);
            prr.sent(2000);
            assertThat(prr.cwndAfterAck(1000, 3000, 7000, SMSS, false)).isEqualTo(4000);
            prr.sent(1000);
            // an ACK that advanced SND.UNA and marked no new loss: one segment more (the slow-start bound)
            assertThat(prr.cwndAfterAck(1000, 3000, 7000, SMSS, true)).isEqualTo(5000);
            prr.sent(2000);
            // never beyond ssthresh - pipe
            assertThat(prr.cwndAfterAck(5000, 6500, 7000, SMSS, true)).isEqualTo(7500);
        }

        @Test
        void theFirstAckAlwaysLetsTheRetransmissionGoAndAnAckThatDeliversNothingChangesNothing() {
            ProportionalRateReduction prr = new ProportionalRateReduction();
            prr.start(10_000);
            assertThat(prr.cwndAfterAck(0, 9000, 7000, SMSS, false)).isEqualTo(-1);
            // pipe = ssthresh would allow nothing, but nothing went yet
            assertThat(prr.cwndAfterAck(1000, 7000, 7000, SMSS, false)).isEqualTo(8000);
            prr.sent(1000);
            assertThat(prr.cwndAfterAck(1000, 7000, 7000, SMSS, false)).isEqualTo(7000);
        }
    }

    @Nested
    class Cubic {
        /** Acknowledges one window per RTT, one ACK per two segments, from {@code start} for {@code rounds} RTTs. */
        long runRounds(CubicCongestionControl cc, long start, long rtt, int rounds) {
            long now = start;
            for (int r = 0; r < rounds; r++) {
                int window = cc.cwnd();
                int acks = Math.max(1, window / (2 * SMSS));
                for (int a = 0; a < acks; a++) cc.onAck(window / acks, rtt, now + rtt * a / acks);
                now += rtt;
            }
            return now;
        }

        @Test
        void aLossMultipliesTheWindowByBetaAndRemembersWmax() {
            CubicCongestionControl cc = new CubicCongestionControl(SMSS, 100, 0);
            cc.onCongestionEvent(100 * SMSS, 0);
            assertThat(cc.cwnd()).isEqualTo(70 * SMSS);
            assertThat(cc.ssthresh()).isEqualTo(70 * SMSS);
            assertThat(cc.wMaxSegments()).isEqualTo(100.0);
        }

        @Test
        void fastConvergenceLowersWmaxWhenTheWindowDidNotRecover() {
            CubicCongestionControl cc = new CubicCongestionControl(SMSS, 100, 0);
            cc.onCongestionEvent(100 * SMSS, 0); // W_max 100, cwnd 70
            cc.onCongestionEvent(70 * SMSS, 0);  // 70 < 100: W_max = 70 (1 + 0.7) / 2 = 59.5
            assertThat(cc.wMaxSegments()).isCloseTo(59.5, within(1e-9));
            assertThat(cc.cwnd()).isEqualTo(49 * SMSS);
        }

        @Test
        void windowFollowsTheCubicCurveAfterALoss() {
            CubicCongestionControl cc = new CubicCongestionControl(SMSS, 100, 0);
            long rtt = 100 * MS;
            cc.onCongestionEvent(100 * SMSS, 0);
            double k = Math.cbrt((100 - 70) / CubicCongestionControl.C); // RFC 9438 eq. 2: about 4.22 s
            long epoch = 0;
            long now = epoch;
            for (int second = 1; second <= 7; second++) {
                now = runRounds(cc, now, rtt, 10);
                double t = (now - epoch) / 1e9;
                double expected = CubicCongestionControl.C * Math.pow(t - k, 3) + 100; // W(t) = C(t-K)^3 + Wmax
                assertThat(cc.kSeconds()).isCloseTo(k, within(1e-9));
                // The window aims one RTT ahead of the curve, so it stands within a few percent of W(t).
                assertThat(cc.cwnd() / (double) SMSS).as("t = %.1f s", t).isCloseTo(expected, within(expected * 0.05 + 1));
            }
            // Past K the window grows beyond W_max (the convex region, RFC 9438 §4.5).
            assertThat(cc.cwnd()).isGreaterThan(100 * SMSS);
        }

        @Test
        void shortRttsGrowAtLeastAsFastAsRenoWouldAfterALoss() {
            // With a 1 ms RTT the cubic curve is nearly flat for seconds: the Reno-friendly estimate
            // (RFC 9438 §4.3) must carry the window: alpha = 0.53 segment per RTT below cwnd_prior, 1 above.
            CubicCongestionControl cc = new CubicCongestionControl(SMSS, 20, 0);
            long rtt = MS;
            cc.onCongestionEvent(20 * SMSS, 0); // cwnd 14, W_max 20, K = cbrt(15) = 2.47 s
            runRounds(cc, 0, rtt, 200);
            double cubicAfter = cc.wCubic(0.2);
            assertThat(cubicAfter).isLessThan(16);
            // 14 + 0.53 x (about 11 rounds to reach 20) + 1 x the rest: far above the cubic curve
            assertThat(cc.cwnd() / (double) SMSS).isGreaterThan(150).isLessThanOrEqualTo(14 + 200 + 1);
        }

        /** One slow-start round: a window acknowledged two segments per ACK, each ACK an RTT sample. */
        int slowStartRound(CubicCongestionControl cc, int seq, long rtt) {
            int window = cc.cwnd();
            for (int acked = 0; acked < window; acked += 2 * SMSS) {
                seq += 2 * SMSS;
                cc.onRttSample(rtt, seq, seq + cc.cwnd());
                cc.onAck(2 * SMSS, rtt, 0);
            }
            return seq;
        }

        @Test
        void hyStartLeavesSlowStartWhenTheRoundTripTimeRises() {
            CubicCongestionControl steady = new CubicCongestionControl(SMSS, 10, 0);
            CubicCongestionControl rising = new CubicCongestionControl(SMSS, 10, 0);
            int a = 0;
            int b = 0;
            for (int round = 0; round < 10; round++) {
                a = slowStartRound(steady, a, 100 * MS);
                // from the fourth round the queue builds: 130 ms > 100 ms + clamp(100/8, 4, 16) ms
                b = slowStartRound(rising, b, round < 3 ? 100 * MS : 130 * MS);
                if (round == 4) assertThat(rising.inConservativeSlowStart()).isTrue();
            }
            assertThat(steady.ssthresh()).as("no delay increase: still in slow start").isEqualTo(Integer.MAX_VALUE);
            assertThat(rising.ssthresh()).as("CSS ran its rounds (RFC 9406 §4.2)").isLessThan(Integer.MAX_VALUE);
            assertThat(rising.cwnd()).isLessThan(steady.cwnd() / 8);
        }

        @Test
        void hyStartReturnsToSlowStartWhenTheDelayFallsBack() {
            CubicCongestionControl cc = new CubicCongestionControl(SMSS, 10, 0);
            int seq = 0;
            for (int round = 0; round < 3; round++) seq = slowStartRound(cc, seq, 100 * MS);
            seq = slowStartRound(cc, seq, 130 * MS);
            seq = slowStartRound(cc, seq, 130 * MS);
            assertThat(cc.inConservativeSlowStart()).isTrue();
            seq = slowStartRound(cc, seq, 100 * MS); // below the CSS baseline: spurious, slow start again
            slowStartRound(cc, seq, 100 * MS);
            assertThat(cc.inConservativeSlowStart()).isFalse();
            assertThat(cc.ssthresh()).isEqualTo(Integer.MAX_VALUE);
        }

        @Test
        void aTimeoutCollapsesTheWindowToOneSegmentAndSlowStartsToSsthresh() {
            CubicCongestionControl cc = new CubicCongestionControl(SMSS, 10, 0);
            cc.onRetransmissionTimeout(10 * SMSS, 0);
            assertThat(cc.cwnd()).isEqualTo(SMSS);
            assertThat(cc.ssthresh()).isEqualTo(7 * SMSS);
            cc.onAck(2 * SMSS, 0, 0);
            assertThat(cc.cwnd()).isEqualTo(3 * SMSS);
        }
    }

    /**
     * Linux's tcp_slow_start counts every segment an ACK covers: a stretch ACK of the whole initial
     * window doubles cwnd, where RFC 3465's L = 2 SMSS (the rfc() profile) adds two segments.
     */
    @ParameterizedTest
    @EnumSource(CongestionAlgorithm.class)
    void aStretchAckGrowsTheWindowByEverySegmentItCoversUnlessLimited(CongestionAlgorithm algorithm) {
        CongestionControl linux = CongestionControl.create(algorithm, SMSS, 10, 0);
        CongestionControl limited = CongestionControl.create(algorithm, SMSS, 10, 2);
        linux.onAck(10 * SMSS, 100 * MS, 0);
        limited.onAck(10 * SMSS, 100 * MS, 0);
        assertThat(linux.cwnd()).as("no per-ACK limit").isEqualTo(20 * SMSS);
        assertThat(limited.cwnd()).as("L = 2 SMSS").isEqualTo(12 * SMSS);
    }

    @Test
    void theProfilesChooseTheSlowStartLimit() {
        CongestionControl linux = CongestionControl.create(TcpConfig.linux(), SMSS);
        CongestionControl rfc = CongestionControl.create(TcpConfig.rfc(), SMSS);
        linux.onAck(10 * SMSS, 100 * MS, 0);
        rfc.onAck(10 * SMSS, 100 * MS, 0);
        assertThat(linux.cwnd()).as("linux(): CUBIC, every segment counts").isEqualTo(20 * SMSS);
        assertThat(rfc.cwnd()).as("rfc(): NewReno, L = 2 SMSS").isEqualTo(12 * SMSS);
    }

    /**
     * Slow start stops at ssthresh, and what the ACK acknowledged beyond it counts toward congestion
     * avoidance (Linux tcp_slow_start returns the rest to tcp_cong_avoid_ai).
     */
    @Test
    void slowStartStopsAtSsthreshAndTheRestOfTheAckCountsInCongestionAvoidance() {
        NewRenoCongestionControl cc = new NewRenoCongestionControl(SMSS, 10, 0);
        cc.onRetransmissionTimeout(8 * SMSS, 0); // ssthresh 4 SMSS, cwnd 1 SMSS
        cc.onAck(2 * SMSS, 0, 0);
        assertThat(cc.cwnd()).isEqualTo(3 * SMSS);
        cc.onAck(9 * SMSS, 0, 0); // 1 SMSS of slow start, then 8 SMSS = two windows of avoidance
        assertThat(cc.cwnd()).as("ssthresh reached, plus one SMSS per window acknowledged past it").isEqualTo(6 * SMSS);

        CubicCongestionControl cubic = new CubicCongestionControl(SMSS, 10, 0);
        cubic.onRetransmissionTimeout(10 * SMSS, 0); // ssthresh 7 SMSS, cwnd 1 SMSS
        cubic.onAck(9 * SMSS, 100 * MS, 0);
        assertThat(cubic.cwnd()).as("capped at ssthresh, the rest grew the window a little in avoidance")
                .isGreaterThan(7 * SMSS).isLessThan(7 * SMSS + SMSS / 2);
    }

    /**
     * A lossless path lets the window grow for as long as data flows: it stops at the largest window
     * a peer can offer (65535 << 14, RFC 7323 §2.3) instead of saturating an int at 2^31 - 1, so that
     * the recovery arithmetic on top of it (inflation by DupThresh SMSS, RFC 6582) cannot overflow.
     */
    @ParameterizedTest
    @EnumSource(CongestionAlgorithm.class)
    void theWindowStopsGrowingAtTheLargestWindowAPeerCanOffer(CongestionAlgorithm algorithm) {
        int smss = 65_483;
        CongestionControl cc = CongestionControl.create(algorithm, smss, 10, 0);
        long now = 0;
        for (int i = 0; i < 40_000; i++) {
            now += MS;
            cc.onAck(2 * smss, 10 * MS, now);
            assertThat(cc.cwnd()).as("after %d ACKs", i + 1).isPositive().isLessThanOrEqualTo(0xffff << 14);
        }
        assertThat(cc.cwnd()).as("grew to the ceiling").isGreaterThan((0xffff << 14) - 2 * smss);
        cc.onCongestionEvent(cc.cwnd(), now);
        assertThat(cc.cwnd()).as("a loss at the ceiling lowers the window").isPositive().isLessThan(0xffff << 14);
    }
}
