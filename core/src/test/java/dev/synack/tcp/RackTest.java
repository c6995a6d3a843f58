package dev.synack.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.wire.TcpOptions;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * RACK (RFC 8985 §6) on its own, driven as the connection drives it: what is sent when, what each
 * ACK delivers, and which segments it then deems lost. Times in milliseconds; segments of 1000
 * bytes from sequence number 0; min_RTT and SRTT 100 ms unless a test says otherwise, so the
 * reordering window is 25 ms.
 */
class RackTest {
    static final long MS = 1_000_000L;
    static final int SEG = 1000;
    static final int DUP_THRESH = 3;
    static final long SRTT = 100 * MS;

    TcpConfig config = TcpConfig.linux();
    Rack rack = new Rack(config, SEG);
    final SackScoreboard scoreboard = new SackScoreboard(64);
    int sndUna;
    int sndMax;

    RackTest() {
        rack.rttSample(SRTT, 0);
    }

    /** Starts again with {@code changed} settings, before anything is sent. */
    void configure(TcpConfig changed) {
        config = changed;
        rack = new Rack(config, SEG);
        rack.rttSample(SRTT, 0);
    }

    /** Segment {@code i} goes out (new, or again when it was sent before) at {@code ms}. */
    void send(int i, long ms) {
        rack.sent(i * SEG, (i + 1) * SEG, false, sndMax, ms * MS);
        sndMax = Math.max(sndMax, (i + 1) * SEG);
    }

    /** An ACK at {@code ms} of everything below segment {@code cumulative}, SACKing segments [from, to) when from < to. */
    boolean ack(long ms, int cumulative, int sackFrom, int sackTo) {
        return ack(ms, cumulative, sackFrom, sackTo, new TcpOptions());
    }

    boolean ack(long ms, int cumulative, int sackFrom, int sackTo, TcpOptions options) {
        int ackSeq = cumulative * SEG;
        if (sackFrom < sackTo) options.sack().addSackBlock(sackFrom * SEG, sackTo * SEG);
        boolean dsack = SackScoreboard.isDsack(options, ackSeq);
        boolean news = options.sackBlockCount() > 0 && scoreboard.update(options, ackSeq, sndUna, sndMax);
        rack.startAck(options, options.hasTimestamps(), ms * MS);
        if (ackSeq > sndUna) {
            sndUna = ackSeq;
            scoreboard.advance(ackSeq);
            rack.acknowledged(ackSeq);
        }
        if (news) rack.sacked(scoreboard);
        return rack.finishAck(dsack, sndUna, sndMax);
    }

    long detect(long ms) {
        return rack.detectLoss(ms * MS, rack.reorderingWindow(false, DUP_THRESH, SRTT));
    }

    /** The segments deemed lost, lowest first, as recovery takes them: each is resent at {@code ms}. */
    String resendLost(long ms) {
        StringBuilder b = new StringBuilder();
        while (rack.findLost()) {
            b.append(b.isEmpty() ? "" : " ").append(rack.lostStart() / SEG);
            rack.sent(rack.lostStart(), rack.lostEnd(), false, sndMax, ms * MS);
        }
        return b.toString();
    }

    @Nested
    class TimeBasedMarking {
        @Test
        void segmentsSentBeforeADeliveredOneWaitTheReorderingWindowThenAreLost() {
            for (int i = 0; i < 4; i++) send(i, 0);
            assertThat(ack(100, 0, 3, 4)).as("RACK moved on").isTrue();
            // 0..2 were sent before 3 (same time, lower sequence): they wait min_RTT / 4
            assertThat(detect(100)).isEqualTo(25 * MS);
            assertThat(rack.hasLost()).isFalse();
            assertThat(detect(115)).isEqualTo(10 * MS);
            assertThat(detect(125)).isZero();
            assertThat(resendLost(125)).isEqualTo("0 1 2");
        }

        @Test
        void segmentsSentAfterTheDeliveredOneAreNotJudged() {
            send(0, 0);
            send(1, 10);
            send(2, 20);
            ack(110, 0, 1, 2);
            assertThat(detect(200)).isZero();
            assertThat(resendLost(200)).isEqualTo("0"); // 2 was sent after 1: nothing is known of it yet
        }

        @Test
        void dupThreshSackedSegmentsWithoutReorderingLeaveNoWindow() {
            for (int i = 0; i < 5; i++) send(i, 0);
            ack(100, 0, 1, 3);
            assertThat(detect(100)).isEqualTo(25 * MS);
            ack(101, 0, 1, 4); // the third SACKed segment
            assertThat(detect(101)).isZero();
            assertThat(resendLost(101)).isEqualTo("0");
        }

        @Test
        void aRetransmissionIsLostAgainOnceSomethingSentAfterItArrives() {
            for (int i = 0; i < 5; i++) send(i, 0);
            ack(100, 0, 1, 4);
            detect(100);
            assertThat(resendLost(100)).isEqualTo("0");
            send(5, 110); // new data after the retransmission
            ack(210, 0, 5, 6);
            detect(210);
            assertThat(resendLost(210)).isEqualTo("0 4");
        }
    }

    @Nested
    class SpuriousRetransmissionGuard {
        /** §6.2 step 2: the ACK echoes the original's timestamp, so it answers the original, not the retransmission. */
        @Test
        void anAckEchoingTheOriginalDoesNotDateTheDeliveryToTheRetransmission() {
            send(0, 0);
            send(1, 50);
            send(0, 150); // retransmitted at 150 ms, say by a timer, while the original is still on its way
            TcpOptions echoOriginal = new TcpOptions().timestamps(0, Connection.timestampClock(config, 0));
            ack(260, 1, 0, 0, echoOriginal); // a round trip after the retransmission, yet not its ACK
            // had RACK taken 0 as sent at 150 ms, 1 (sent at 50 ms) would now be lost
            detect(300);
            assertThat(resendLost(300)).isEmpty();
        }

        @Test
        void anAckEchoingTheRetransmissionCounts() {
            send(0, 0);
            send(1, 50);
            send(0, 150);
            TcpOptions echoRetransmission = new TcpOptions().timestamps(0, Connection.timestampClock(config, 150 * MS));
            ack(255, 1, 0, 0, echoRetransmission);
            detect(300);
            assertThat(resendLost(300)).isEqualTo("1");
        }

        /** §6.2 step 2: a retransmission delivered sooner than min_RTT after it went cannot be what arrived. */
        @Test
        void aRetransmissionAcknowledgedWithinMinRttIsIgnored() {
            send(0, 0);
            send(1, 50);
            send(0, 150);
            ack(160, 1, 0, 0);
            detect(300);
            assertThat(resendLost(300)).isEmpty();
        }
    }

    @Nested
    class ReorderingWindow {
        @Test
        void aSegmentDeliveredBelowTheHighestOneShowsReorderingAndKeepsTheWindowOpen() {
            for (int i = 0; i < 6; i++) send(i, 0);
            ack(100, 0, 1, 2);
            ack(105, 2, 0, 0); // 0 arrives after 1 and was never resent: reordering
            ack(106, 2, 3, 6); // three SACKed segments
            assertThat(rack.reorderingWindow(false, DUP_THRESH, SRTT)).isEqualTo(25 * MS);
            assertThat(rack.reorderingWindow(true, DUP_THRESH, SRTT)).as("in recovery too").isEqualTo(25 * MS);
        }

        @Test
        void withoutReorderingTheWindowIsZeroInRecovery() {
            send(0, 0);
            assertThat(rack.reorderingWindow(false, DUP_THRESH, SRTT)).isEqualTo(25 * MS);
            assertThat(rack.reorderingWindow(true, DUP_THRESH, SRTT)).isZero();
        }

        /** Linux's tcp_recovery bit 0x4: without RACK's DupThresh rule, SACKed segments alone do not close the window. */
        @Test
        void withoutTheDupThreshRuleThreeSackedSegmentsLeaveTheWindowOpen() {
            configure(TcpConfig.linux().toBuilder().rackDupThresh(false).build());
            for (int i = 0; i < 5; i++) send(i, 0);
            ack(101, 0, 1, 4);
            assertThat(rack.reorderingWindow(false, DUP_THRESH, SRTT)).isEqualTo(25 * MS);
            assertThat(detect(101)).isEqualTo(25 * MS);
            assertThat(rack.hasLost()).isFalse();
        }

        @Test
        void theWindowIsAtMostSrtt() {
            rack.rttSample(100 * MS, 0);
            assertThat(rack.reorderingWindow(false, DUP_THRESH, 20 * MS)).isEqualTo(20 * MS);
        }

        @Test
        void minRttIsAWindowedMinimum() {
            rack.rttSample(40 * MS, 1_000 * MS);
            rack.rttSample(200 * MS, 2_000 * MS);
            assertThat(rack.reorderingWindow(false, DUP_THRESH, SRTT)).isEqualTo(10 * MS);
            // after 300 s without a smaller sample, min_RTT follows the path
            rack.rttSample(200 * MS, 302_000 * MS);
            assertThat(rack.reorderingWindow(false, DUP_THRESH, 1_000 * MS)).isEqualTo(50 * MS);
        }

        @Test
        void dsacksWidenTheWindowOncePerRoundAndSixteenRecoveriesNarrowItAgain() {
            for (int i = 0; i < 4; i++) send(i, 0);
            TcpOptions dsack = new TcpOptions();
            dsack.sack().addSackBlock(0, SEG);
            ack(100, 1, 0, 0, dsack);
            assertThat(rack.reorderingWindow(false, DUP_THRESH, SRTT)).isEqualTo(50 * MS);
            TcpOptions again = new TcpOptions();
            again.sack().addSackBlock(SEG, 2 * SEG);
            ack(101, 2, 0, 0, again); // the same round (SND.UNA short of SND.MAX when the first came)
            assertThat(rack.reorderingWindow(false, DUP_THRESH, SRTT)).isEqualTo(50 * MS);
            ack(102, 4, 0, 0); // the round ends
            send(4, 102);
            TcpOptions next = new TcpOptions();
            next.sack().addSackBlock(3 * SEG, 4 * SEG);
            ack(200, 4, 0, 0, next);
            assertThat(rack.reorderingWindow(false, DUP_THRESH, SRTT)).isEqualTo(75 * MS);
            for (int i = 0; i < 15; i++) rack.recoveryEnded();
            assertThat(rack.reorderingWindow(false, DUP_THRESH, SRTT)).isEqualTo(75 * MS);
            rack.recoveryEnded();
            assertThat(rack.reorderingWindow(false, DUP_THRESH, SRTT)).isEqualTo(25 * MS);
        }
    }

    /** Linux's tcp_recovery bit 0x2: the window stays min_RTT / 4 whatever D-SACKs say. */
    @Test
    void aStaticWindowIsNotWidenedByDsacks() {
        configure(TcpConfig.linux().toBuilder().rackStaticReorderingWindow(true).build());
        for (int i = 0; i < 4; i++) send(i, 0);
        TcpOptions dsack = new TcpOptions();
        dsack.sack().addSackBlock(0, SEG);
        ack(100, 1, 0, 0, dsack);
        assertThat(rack.reorderingWindow(false, DUP_THRESH, SRTT)).isEqualTo(25 * MS);
    }

    /** Linux's packets_out, sacked_out, lost_out and retrans_out, as tcp_info reports them. */
    @Nested
    class PacketCounts {
        String counts() {
            return rack.packetsOut() + " " + rack.sackedPackets() + " " + rack.lostPackets() + " " + rack.retransOutPackets();
        }

        @Test
        void lossMarksStayThroughTheRetransmissionUntilDelivery() {
            for (int i = 0; i < 10; i++) send(i, 0);
            assertThat(counts()).isEqualTo("10 0 0 0");
            ack(100, 0, 4, 7);
            detect(100); // three SACKed: 0..3 lost at once
            assertThat(counts()).isEqualTo("10 3 4 0");
            assertThat(resendLost(100)).isEqualTo("0 1 2 3");
            assertThat(counts()).as("still lost while the retransmissions are out").isEqualTo("10 3 4 4");
            ack(200, 1, 4, 7);
            assertThat(counts()).isEqualTo("9 3 3 3");
            ack(201, 1, 2, 7); // 2 and 3 SACKed: no longer lost nor out
            assertThat(counts()).isEqualTo("9 5 1 1");
            ack(300, 10, 0, 0);
            assertThat(counts()).isEqualTo("0 0 0 0");
        }

        @Test
        void aRetransmissionLostAgainLeavesRetransOut() {
            for (int i = 0; i < 5; i++) send(i, 0);
            ack(100, 0, 1, 4);
            detect(100);
            resendLost(100);
            send(5, 110);
            ack(210, 0, 5, 6);
            detect(210); // the retransmission of 0 was sent before 5, which arrived
            assertThat(counts()).isEqualTo("6 4 2 0");
        }

        /** A segment longer than the MSS counts as Linux counts a TSO skb: its length over the MSS, rounded up. */
        @Test
        void aLongRecordCountsItsPacketsAndAPartialAckLeavesTheRest() {
            rack.sent(0, 2 * SEG + 1, false, 0, 0);
            sndMax = 2 * SEG + 1;
            assertThat(rack.packetsOut()).isEqualTo(3);
            ack(100, 0, 0, 0);
            rack.acknowledged(SEG + 500);
            assertThat(rack.packetsOut()).isEqualTo(1);
        }

        @Test
        void theFinIsNoPacketOfItsOwnUnlessSentAlone() {
            rack.sent(0, SEG + 1, true, 0, 0); // a full segment with the FIN
            assertThat(rack.packetsOut()).isEqualTo(1);
            Rack alone = new Rack(config, SEG);
            alone.sent(0, SEG, false, 0, 0);
            alone.sent(SEG, SEG + 1, true, SEG, 0); // the FIN on its own
            assertThat(alone.packetsOut()).isEqualTo(2);
        }
    }

    @Nested
    class Records {
        @Test
        void aPartialRetransmissionSplitsARecord() {
            rack.sent(0, 3 * SEG, false, 0, 0); // one 3000-byte segment (say, before the MSS shrank)
            sndMax = 3 * SEG;
            send(3, 10);
            rack.sent(0, SEG, false, sndMax, 50 * MS); // the first 1000 bytes again
            ack(120, 0, 3, 4);
            detect(200);
            // [1000, 3000) kept the original time and is lost; the retransmitted [0, 1000) was sent after 3
            assertThat(rack.findLost()).isTrue();
            assertThat(rack.lostStart()).isEqualTo(SEG);
            assertThat(rack.lostEnd()).isEqualTo(3 * SEG);
        }

        @Test
        void pipeCountsWhatIsNeitherSackedNorLostPlusRetransmissions() {
            for (int i = 0; i < 10; i++) send(i, 0);
            ack(100, 0, 4, 7);
            detect(100); // 0..3 lost at once: three SACKed segments
            assertThat(rack.pipe(10 * SEG)).isEqualTo(3 * SEG); // 7, 8, 9
            send(0, 100);
            assertThat(rack.pipe(10 * SEG)).isEqualTo(4 * SEG);
            rack.timedOut();
            assertThat(rack.pipe(10 * SEG)).as("after a timeout everything is lost").isZero();
        }

        @Test
        void tinySegmentsBeyondTheThresholdAreFoldedIntoTheNewestRecord() {
            int n = SentSegments.FOLD_THRESHOLD + 100;
            for (int i = 0; i < n; i++) rack.sent(i, i + 1, false, i, i);
            sndMax = n;
            rack.timedOut();
            // one lost record for all the folded bytes after the threshold
            assertThat(resendLost(1).split(" ")).hasSize(SentSegments.FOLD_THRESHOLD);
        }
    }
}
