package dev.synack.tcp;

import static dev.synack.tcp.EngineHarness.ISS;
import static dev.synack.tcp.EngineHarness.PEER_ISS;
import static dev.synack.tcp.EngineHarness.pattern;
import static dev.synack.tcp.EngineHarness.payloadOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.wire.TcpSegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The sender's loss recovery: limited transmit (RFC 3042), NewReno (RFC 6582) without SACK, the
 * SACK scoreboard and RFC 6675 recovery with it, and the window collapse of a timeout (RFC 5681 §3.1).
 */
class LossRecoveryTest {
    static final int SND = ISS + 1;
    static final int RCV = PEER_ISS + 1;
    static final int MSS = 1000;

    /** Established with a 100 ms RTT, the peer's MSS 1000 (segments are 1000 bytes), its window 64000. */
    static EngineHarness established(CongestionAlgorithm cc, boolean sack) {
        return established(EngineHarness.plain().toBuilder().sack(sack).congestionAlgorithm(cc).build());
    }

    /** A connection with {@code config}, established after a 100 ms handshake round trip (SRTT 100 ms). */
    static EngineHarness established(TcpConfig config) {
        boolean sack = config.sack();
        EngineHarness h = EngineHarness.active(config);
        h.connect();
        h.next();
        h.advanceMillis(100);
        EngineHarness.PeerSegment synAck = h.in("S.").seq(PEER_ISS).ack(SND).win(64000).mss(MSS);
        if (sack) synAck.sackOk();
        synAck.deliver();
        h.expect(".", SND, RCV, 0);
        assertThat(h.conn.sackEnabled()).isEqualTo(sack);
        return h;
    }

    /** NewReno without SACK, recovering by RFC 6582's window inflation (no proportional rate reduction, as the rfc() profile). */
    static TcpConfig rfc6582() {
        return EngineHarness.plain().toBuilder().congestionAlgorithm(CongestionAlgorithm.NEW_RENO).proportionalRateReduction(false).build();
    }

    static int seg(int i) {
        return SND + i * MSS;
    }

    static void dupAck(EngineHarness h, int... sackEdges) {
        EngineHarness.PeerSegment a = h.in(".").seq(RCV).ack(SND).win(64000);
        if (sackEdges.length > 0) a.sack(sackEdges);
        a.deliver();
    }

    static List<Integer> sentSeqs(EngineHarness h) {
        List<Integer> seqs = new ArrayList<>();
        while (!h.sent.isEmpty()) {
            TcpSegment s = h.next();
            if (s.payloadLength() > 0) seqs.add(s.seq());
        }
        return seqs;
    }

    @Nested
    class LimitedTransmit {
        @Test
        void theFirstTwoDuplicateAcksEachSendOneNewSegment() {
            EngineHarness h = established(CongestionAlgorithm.NEW_RENO, false);
            h.write(pattern(0, 14 * MSS));
            assertThat(sentSeqs(h)).hasSize(10); // the initial window (RFC 6928)
            dupAck(h);
            h.expect(".", seg(10), RCV, MSS);
            h.expectNothing();
            dupAck(h);
            h.expect(".", seg(11), RCV, MSS);
            h.expectNothing();
            assertThat(h.conn.congestionWindow()).isEqualTo(10 * MSS); // cwnd itself is unchanged
            dupAck(h); // the third: fast retransmit of the first segment
            TcpSegment again = h.expect(".", seg(0), RCV, MSS);
            assertThat(payloadOf(again)).isEqualTo(pattern(0, MSS));
        }
    }

    @Nested
    class NewReno {
        @Test
        void partialAckRetransmitsTheNextHoleAndTheFullAckEndsRecovery() {
            EngineHarness h = established(rfc6582());
            h.write(pattern(0, 10 * MSS));
            sentSeqs(h);
            // segments 0 and 3 are lost; 1, 2 and 4..9 arrive and each draws a duplicate ACK
            dupAck(h);
            dupAck(h);
            dupAck(h);
            assertThat(sentSeqs(h)).containsExactly(seg(0));
            // ssthresh = FlightSize / 2 = 5000; cwnd = ssthresh + 3 SMSS (RFC 6582 §3.2 step 2)
            assertThat(h.conn.congestionWindow()).isEqualTo(8 * MSS);
            for (int i = 0; i < 5; i++) dupAck(h); // each inflates cwnd by one SMSS (step 4)
            assertThat(h.conn.congestionWindow()).isEqualTo(13 * MSS);
            h.expectNothing(); // no new data to send
            // the retransmission of 0 arrives: the ACK covers 0..2, short of the recovery point
            h.in(".").seq(RCV).ack(seg(3)).win(64000).deliver();
            assertThat(sentSeqs(h)).containsExactly(seg(3)); // the next hole, at once (step 5)
            // deflated by the 3000 acknowledged, plus one SMSS back
            assertThat(h.conn.congestionWindow()).isEqualTo(13 * MSS - 3 * MSS + MSS);
            h.in(".").seq(RCV).ack(seg(10)).win(64000).deliver(); // the full ACK
            // RFC 6582 §3.2 step 3: cwnd = min(ssthresh, max(FlightSize, SMSS) + SMSS)
            assertThat(h.conn.congestionWindow()).isEqualTo(2 * MSS);
            h.write(pattern(0, 3 * MSS));
            assertThat(sentSeqs(h)).containsExactly(seg(10), seg(11));
        }

        /** RFC 6582 §4's Impatient variant: only the first partial ACK restarts the timer, so many holes do not cost one RTT each. */
        @Test
        void onlyTheFirstPartialAckRestartsTheTimerSoALongRecoveryEndsInATimeout() {
            EngineHarness h = established(rfc6582());
            h.write(pattern(0, 10 * MSS));
            sentSeqs(h);
            dupAck(h);
            dupAck(h);
            dupAck(h);
            assertThat(sentSeqs(h)).containsExactly(seg(0));
            h.advanceMillis(100);
            h.in(".").seq(RCV).ack(seg(2)).win(64000).deliver(); // first partial ACK: timer restarted
            long firstPartial = h.now;
            assertThat(sentSeqs(h)).containsExactly(seg(2));
            h.advanceMillis(100);
            h.in(".").seq(RCV).ack(seg(4)).win(64000).deliver(); // second: the timer keeps running
            assertThat(sentSeqs(h)).containsExactly(seg(4));
            long rto = h.conn.retransmissionTimeoutNanos();
            h.fireNextDeadline();
            assertThat(h.timers).containsExactly("retransmit");
            assertThat(h.now).isEqualTo(firstPartial + rto);
            assertThat(h.conn.congestionWindow()).isEqualTo(MSS); // slow start repairs the rest
        }

        /** After a timeout rolls SND.NXT back, pure ACKs still carry the highest sequence number sent. */
        @Test
        void pureAcksCarryTheHighestSequenceSentEvenAfterATimeout() {
            EngineHarness h = established(CongestionAlgorithm.NEW_RENO, false);
            h.write(pattern(0, 4 * MSS));
            sentSeqs(h);
            h.fireNextDeadline(); // RTO: SND.NXT goes back to SND.UNA (go-back-N)
            assertThat(sentSeqs(h)).containsExactly(seg(0));
            h.in("P.").seq(RCV).ack(SND).win(64000).len(100).deliver(); // the peer's data, acknowledged at once
            TcpSegment ack = h.next();
            assertThat(ack.payloadLength()).isZero();
            assertThat(ack.seq()).as("SND.MAX, acceptable at the peer").isEqualTo(seg(4));
            assertThat(ack.ack()).isEqualTo(RCV + 100);
        }

        @Test
        void duplicateAcksOfATimeoutsGoBackNDoNotStartAnotherRecovery() {
            EngineHarness h = established(CongestionAlgorithm.NEW_RENO, false);
            h.write(pattern(0, 4 * MSS));
            sentSeqs(h);
            h.fireNextDeadline(); // RTO: segment 0 again, cwnd one segment
            assertThat(sentSeqs(h)).containsExactly(seg(0));
            assertThat(h.conn.congestionWindow()).isEqualTo(MSS);
            for (int i = 0; i < 4; i++) dupAck(h); // duplicates from the first flight's late copies
            // no fast retransmit: the recovery point (SND.MAX at the timeout) is not yet acknowledged
            assertThat(sentSeqs(h)).isEmpty();
        }
    }

    /** NewReno with SACK, and RACK (Linux's loss detection) or RFC 6675's DupThresh rules. */
    static EngineHarness sackConnection(boolean rack) {
        return established(EngineHarness.plain().toBuilder().sack(true).rack(rack).congestionAlgorithm(CongestionAlgorithm.NEW_RENO).build());
    }

    /** Proportional rate reduction (RFC 9937 in Linux's form, {@link ProportionalRateReduction}), the Linux profile's recovery. */
    @Nested
    class RateReduction {
        static EngineHarness prrSackConnection(boolean rack) {
            return established(EngineHarness.plain().toBuilder().sack(true).rack(rack)
                    .congestionAlgorithm(CongestionAlgorithm.NEW_RENO).proportionalRateReduction(true).build());
        }

        @ParameterizedTest(name = "rack {0}")
        @ValueSource(booleans = {true, false})
        void eachSackReleasesItsProportionOfSsthresh(boolean rack) {
            EngineHarness h = prrSackConnection(rack);
            h.write(pattern(0, 14 * MSS));
            assertThat(sentSeqs(h)).hasSize(10);
            h.advanceMillis(100);
            // 0 and 1 are lost; limited transmit on the first two duplicate ACKs
            dupAck(h, seg(2), seg(3));
            assertThat(sentSeqs(h)).containsExactly(seg(10));
            dupAck(h, seg(2), seg(4));
            assertThat(sentSeqs(h)).containsExactly(seg(11));
            // recovery: RecoverFS 10 segments, ssthresh 6 (FlightSize / 2), pipe 7 > 6:
            // ceil(delivered x 6 / 10) - sent, so 1, 1, 0
            dupAck(h, seg(2), seg(5));
            assertThat(sentSeqs(h)).containsExactly(seg(0));
            assertThat(h.conn.congestionWindow()).isEqualTo(8 * MSS); // pipe 7 + 1
            dupAck(h, seg(2), seg(6));
            assertThat(sentSeqs(h)).containsExactly(seg(1));
            dupAck(h, seg(2), seg(7));
            assertThat(sentSeqs(h)).isEmpty();
            // pipe 6 = ssthresh: nothing; then pipe 5: ssthresh - pipe = one segment
            dupAck(h, seg(2), seg(8));
            assertThat(sentSeqs(h)).isEmpty();
            dupAck(h, seg(2), seg(9));
            assertThat(sentSeqs(h)).containsExactly(seg(12));
            h.in(".").seq(RCV).ack(seg(13)).win(64000).deliver();
            assertThat(h.conn.congestionWindow()).isEqualTo(6 * MSS); // the recovery ends at cwnd = ssthresh
        }

        @Test
        void withoutSackDuplicateAcksCountAsDeliveredAndAPartialAckResendsTheNextHoleOnce() {
            EngineHarness h = established(EngineHarness.plain().toBuilder()
                    .congestionAlgorithm(CongestionAlgorithm.NEW_RENO).proportionalRateReduction(true).build());
            h.write(pattern(0, 10 * MSS));
            sentSeqs(h);
            // 0 and 3 are lost; the other eight draw duplicate ACKs
            dupAck(h);
            dupAck(h);
            dupAck(h);
            assertThat(sentSeqs(h)).containsExactly(seg(0));
            // pipe 10 - 3 duplicate ACKs - the lost head = 6, plus the retransmission: no inflation
            assertThat(h.conn.congestionWindow()).isEqualTo(7 * MSS);
            for (int i = 0; i < 5; i++) dupAck(h);
            assertThat(sentSeqs(h)).isEmpty();
            h.in(".").seq(RCV).ack(seg(3)).win(64000).deliver(); // partial: the new head is lost
            assertThat(sentSeqs(h)).containsExactly(seg(3));
            dupAck3(h);
            assertThat(sentSeqs(h)).as("the hole went once").isEmpty();
            h.in(".").seq(RCV).ack(seg(10)).win(64000).deliver();
            assertThat(h.conn.congestionWindow()).isEqualTo(5 * MSS); // ssthresh, as Linux's tcp_end_cwnd_reduction
        }

        @Test
        void aTimeoutInTheRecoveryKeepsTheRecoverysSsthresh() {
            EngineHarness h = established(EngineHarness.plain().toBuilder()
                    .congestionAlgorithm(CongestionAlgorithm.NEW_RENO).proportionalRateReduction(true).build());
            h.write(pattern(0, 20 * MSS));
            assertThat(sentSeqs(h)).hasSize(10);
            for (int i = 0; i < 3; i++) dupAck(h);
            // limited transmit twice, then the recovery: ssthresh 6000, half the 12 segments out
            assertThat(sentSeqs(h)).containsExactly(seg(10), seg(11), seg(0));
            assertThat(h.conn.tcpInfo(h.now).sndSsthresh()).isEqualTo(6);
            for (int i = 0; i < 6; i++) dupAck(h);
            assertThat(sentSeqs(h)).containsExactly(seg(12), seg(13), seg(14)); // PRR: 1, 0, 1, 0, 0, 1
            h.fireNextDeadline();
            assertThat(h.timers).contains("retransmit");
            assertThat(h.conn.congestionWindow()).isEqualTo(MSS);
            // as Linux's tcp_enter_loss in a recovery: not FlightSize / 2 = 7500
            assertThat(h.conn.tcpInfo(h.now).sndSsthresh()).isEqualTo(6);
        }

        private static void dupAck3(EngineHarness h) {
            h.in(".").seq(RCV).ack(seg(3)).win(64000).deliver();
        }
    }

    /** Under RACK and under RFC 6675 alike. */
    @Nested
    class SackRecovery {
        @ParameterizedTest(name = "rack {0}")
        @ValueSource(booleans = {true, false})
        void exactlyTheLostSegmentsAreRetransmitted(boolean rack) {
            EngineHarness h = sackConnection(rack);
            h.write(pattern(0, 10 * MSS));
            sentSeqs(h);
            h.advanceMillis(100);
            // 0, 1, 4 and 7 are lost; the receiver's duplicate ACKs SACK the rest as it arrives
            dupAck(h, seg(2), seg(3));
            dupAck(h, seg(2), seg(4));
            assertThat(sentSeqs(h)).as("limited transmit has no new data").isEmpty();
            dupAck(h, seg(5), seg(6), seg(2), seg(4));
            // the third duplicate ACK: recovery retransmits 0 first (RFC 6675 §5 step 4.3)
            List<Integer> first = sentSeqs(h);
            assertThat(first).startsWith(seg(0));
            dupAck(h, seg(5), seg(7), seg(2), seg(4));
            dupAck(h, seg(8), seg(9), seg(5), seg(7), seg(2), seg(4));
            dupAck(h, seg(8), seg(10), seg(5), seg(7), seg(2), seg(4));
            List<Integer> all = new ArrayList<>(first);
            all.addAll(sentSeqs(h));
            // every hole exactly once, nothing SACKed sent again
            assertThat(all).containsExactly(seg(0), seg(1), seg(4), seg(7));
            h.in(".").seq(RCV).ack(seg(10)).win(64000).deliver();
            assertThat(h.conn.congestionWindow()).isEqualTo(5 * MSS); // cwnd = ssthresh (RFC 6675)
        }

        @ParameterizedTest(name = "rack {0}")
        @ValueSource(booleans = {true, false})
        void sackedBytesAloneShowTheFirstSegmentLost(boolean rack) {
            EngineHarness h = sackConnection(rack);
            h.write(pattern(0, 10 * MSS));
            sentSeqs(h);
            h.advanceMillis(100);
            // one duplicate ACK, but it SACKs more than (DupThresh - 1) x SMSS above SND.UNA (RFC 6675 §4 IsLost)
            dupAck(h, seg(1), seg(4));
            assertThat(sentSeqs(h)).startsWith(seg(0));
        }

        @ParameterizedTest(name = "rack {0}")
        @ValueSource(booleans = {true, false})
        void dsackBlocksAreNotTakenForNewSackedData(boolean rack) {
            EngineHarness h = sackConnection(rack);
            h.write(pattern(0, 10 * MSS));
            sentSeqs(h);
            h.advanceMillis(100);
            h.in(".").seq(RCV).ack(seg(2)).win(64000).deliver();
            // a D-SACK for segment 0 (below the ACK), then a real block
            h.in(".").seq(RCV).ack(seg(2)).win(64000).sack(seg(0), seg(1), seg(3), seg(4)).deliver();
            h.in(".").seq(RCV).ack(seg(2)).win(64000).sack(seg(3), seg(5)).deliver();
            h.in(".").seq(RCV).ack(seg(2)).win(64000).sack(seg(3), seg(6)).deliver();
            // third duplicate ACK: segment 2 is retransmitted; 3..5 are SACKed and never resent
            List<Integer> sent = sentSeqs(h);
            assertThat(sent).startsWith(seg(2)).doesNotContain(seg(3), seg(4), seg(5));
        }

        @ParameterizedTest(name = "rack {0}")
        @ValueSource(booleans = {true, false})
        void afterATimeoutSegmentsSackedSinceAreSkipped(boolean rack) {
            EngineHarness h = sackConnection(rack);
            h.write(pattern(0, 6 * MSS));
            sentSeqs(h);
            h.fireNextDeadline(); // the tail loss probe (RFC 8985 §7): the last segment again
            assertThat(sentSeqs(h)).containsExactly(seg(5));
            h.fireNextDeadline(); // RTO: 0 again, scoreboard cleared (RFC 2018 §8)
            assertThat(sentSeqs(h)).containsExactly(seg(0));
            // 0 arrives; 2 and 3 had arrived before; 1 is lost
            h.in(".").seq(RCV).ack(seg(1)).win(64000).sack(seg(2), seg(4)).deliver();
            List<Integer> sent = sentSeqs(h);
            assertThat(sent).contains(seg(1)).doesNotContain(seg(2), seg(3));
        }
    }

    @Nested
    class Timeout {
        @Test
        void aTimeoutCollapsesCwndToOneSegmentWithEitherAlgorithm() {
            for (CongestionAlgorithm cc : CongestionAlgorithm.values()) {
                EngineHarness h = established(cc, false);
                h.write(pattern(0, 8 * MSS));
                sentSeqs(h);
                h.fireNextDeadline();
                assertThat(h.conn.congestionWindow()).as("%s", cc).isEqualTo(MSS);
                assertThat(sentSeqs(h)).as("%s", cc).containsExactly(seg(0));
            }
        }

        /**
         * After a timeout, an ACK that leaps over data the peer held out of order since before it
         * counts, for cwnd, only what was sent again: slow start does not jump to ssthresh at once.
         */
        @Test
        void anAckLeapingOverDataHeldBeforeTheTimeoutGrowsCwndOnlyByWhatWasResent() {
            for (CongestionAlgorithm cc : CongestionAlgorithm.values()) {
                EngineHarness h = established(cc, false);
                h.write(pattern(0, 8 * MSS));
                sentSeqs(h);
                h.fireNextDeadline(); // cwnd 1 segment, segment 0 again
                assertThat(sentSeqs(h)).containsExactly(seg(0));
                h.advanceMillis(100);
                h.in(".").seq(RCV).ack(seg(8)).win(64000).deliver(); // the peer had 1..7 all along
                assertThat(h.conn.congestionWindow()).as("%s", cc).isEqualTo(2 * MSS);
            }
        }

        /** Data SACKed before the cumulative ACK covers it was delivered then; it does not count again. */
        @Test
        void previouslySackedDataDoesNotGrowCwndWhenTheCumulativeAckCoversIt() {
            EngineHarness h = established(CongestionAlgorithm.NEW_RENO, true);
            h.write(pattern(0, 8 * MSS));
            sentSeqs(h);
            h.fireNextDeadline(); // the tail loss probe: segment 7 again
            h.fireNextDeadline(); // the timeout: the scoreboard starts afresh; segment 0 again
            assertThat(h.timers).containsExactly("loss-probe", "retransmit");
            assertThat(sentSeqs(h)).containsExactly(seg(7), seg(0));
            h.in(".").seq(RCV).ack(SND).win(64000).sack(seg(1), seg(8)).deliver();
            h.advanceMillis(100);
            h.in(".").seq(RCV).ack(seg(1)).win(64000).sack(seg(1), seg(8)).deliver();
            assertThat(h.conn.congestionWindow()).as("segment 0 delivered").isEqualTo(2 * MSS);
            assertThat(sentSeqs(h)).as("1..7 are SACKed: nothing to resend").isEmpty();
            h.in(".").seq(RCV).ack(seg(8)).win(64000).deliver();
            assertThat(h.conn.congestionWindow()).as("1..7 were delivered before").isEqualTo(2 * MSS);
        }
    }

    @Nested
    class TailLossProbe {
        @Test
        void aLostTailSegmentIsRepairedByTheProbeWithoutATimeout() {
            EngineHarness h = established(CongestionAlgorithm.NEW_RENO, true);
            h.write(pattern(0, 3 * MSS));
            sentSeqs(h);
            h.advanceMillis(100);
            h.in(".").seq(RCV).ack(seg(2)).win(64000).deliver(); // the last segment is lost
            int cwndBefore = h.conn.congestionWindow();
            long ackedAt = h.now;
            h.fireNextDeadline();
            assertThat(h.timers).containsExactly("loss-probe");
            // PTO = 2 SRTT + the worst-case delayed ACK (one segment out), capped by the RTO (RFC 8985 §7.2)
            assertThat(h.now - ackedAt).isLessThanOrEqualTo(h.conn.retransmissionTimeoutNanos());
            assertThat(sentSeqs(h)).containsExactly(seg(2)); // the last segment again (§7.3)
            h.advanceMillis(100);
            h.in(".").seq(RCV).ack(seg(3)).win(64000).deliver();
            assertThat(h.timers).doesNotContain("retransmit");
            // An ACK of exactly the probe's end: a D-SACK may still show the original arrived too (§7.4.2).
            assertThat(h.conn.congestionWindow()).isEqualTo(cwndBefore);
            h.write(pattern(0, MSS));
            assertThat(sentSeqs(h)).containsExactly(seg(3));
            h.advanceMillis(100);
            h.in(".").seq(RCV).ack(seg(4)).win(64000).deliver();
            // Beyond the probe's end and no D-SACK came: the probe repaired a loss, the congestion control responds
            assertThat(h.conn.congestionWindow()).isLessThan(cwndBefore);
        }

        @Test
        void theProbeSendsNewDataWhenThePeersWindowAllows() {
            EngineHarness h = established(CongestionAlgorithm.NEW_RENO, true);
            h.write(pattern(0, 12 * MSS));
            assertThat(sentSeqs(h)).hasSize(10); // cwnd-limited
            h.fireNextDeadline();
            assertThat(h.timers).containsExactly("loss-probe");
            assertThat(sentSeqs(h)).containsExactly(seg(10));
        }

        @Test
        void aProbeTheReceiverDsacksLeavesTheWindowAlone() {
            EngineHarness h = established(CongestionAlgorithm.NEW_RENO, true);
            h.write(pattern(0, 3 * MSS));
            sentSeqs(h);
            h.advanceMillis(100);
            h.in(".").seq(RCV).ack(seg(2)).win(64000).deliver();
            int cwndBefore = h.conn.congestionWindow();
            h.fireNextDeadline();
            assertThat(sentSeqs(h)).containsExactly(seg(2));
            // the original arrived after all: the ACK reports the probe as a duplicate (RFC 2883)
            h.in(".").seq(RCV).ack(seg(3)).win(64000).sack(seg(2), seg(3)).deliver();
            assertThat(h.conn.congestionWindow()).isGreaterThanOrEqualTo(cwndBefore);
        }

        /**
         * With several segments out, PTO = 2 SRTT in whole timer ticks plus TCP_TIMEOUT_MIN, two
         * ticks, as Linux (RFC 8985 §7.2; the bare 2 SRTT without ticks, the RFC profile's way).
         */
        @ParameterizedTest(name = "tick {0} ms")
        @CsvSource({"1, 202", "4, 208", "0, 200"})
        void theProbeWaitsTwoRoundTripsPlusTwoTicks(int tickMillis, int expectedMillis) {
            TcpConfig config = EngineHarness.plain().toBuilder().sack(true).congestionAlgorithm(CongestionAlgorithm.NEW_RENO)
                    .timerTick(Duration.ofMillis(tickMillis)).build();
            EngineHarness h = established(config);
            h.write(pattern(0, 12 * MSS));
            long sentAt = h.now;
            assertThat(sentSeqs(h)).hasSize(10);
            h.fireNextDeadline();
            assertThat(h.timers).containsExactly("loss-probe");
            assertThat(h.now - sentAt).isEqualTo(Duration.ofMillis(expectedMillis).toNanos());
        }

        @Test
        void withTailLossProbesOffTheRetransmissionTimerFires() {
            TcpConfig config = EngineHarness.plain().toBuilder().sack(true).tailLossProbes(false).build();
            EngineHarness h = established(config);
            h.write(pattern(0, 3 * MSS));
            sentSeqs(h);
            h.fireNextDeadline();
            assertThat(h.timers).containsExactly("retransmit");
        }

        @Test
        void withoutSackThereIsNoProbe() {
            EngineHarness h = established(CongestionAlgorithm.NEW_RENO, false);
            h.write(pattern(0, 3 * MSS));
            sentSeqs(h);
            h.fireNextDeadline();
            assertThat(h.timers).containsExactly("retransmit");
            assertThat(sentSeqs(h)).containsExactly(seg(0));
        }
    }

    @Test
    void cubicIsTheLinuxDefaultAndNewRenoTheRfcOne() {
        assertThat(TcpConfig.linux().congestionAlgorithm()).isEqualTo(CongestionAlgorithm.CUBIC);
        assertThat(TcpConfig.rfc().congestionAlgorithm()).isEqualTo(CongestionAlgorithm.NEW_RENO);
    }
}
