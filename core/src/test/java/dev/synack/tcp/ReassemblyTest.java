package dev.synack.tcp;

import static dev.synack.tcp.EngineHarness.ISS;
import static dev.synack.tcp.EngineHarness.PEER_ISS;
import static dev.synack.tcp.EngineHarness.pattern;
import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.wire.TcpSegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Out-of-order reassembly (RFC 9293 §3.10.7.4 seventh), SACK blocks (RFC 2018) and D-SACK (RFC 2883) on the receiver. */
class ReassemblyTest {
    static final int SND = ISS + 1;
    static final int RCV = PEER_ISS + 1;

    /** Established, SACK agreed (no timestamps, no window scaling), no quick ACKs. */
    static EngineHarness sackReceiver(boolean timestamps) {
        TcpConfig config = EngineHarness.plain().toBuilder().sack(true).timestamps(timestamps).quickAcks(0).build();
        EngineHarness h = EngineHarness.active(config);
        h.connect();
        h.next();
        EngineHarness.PeerSegment synAck = h.in("S.").seq(PEER_ISS).ack(SND).mss(1460).sackOk();
        if (timestamps) synAck.ts(100, 0);
        synAck.deliver();
        h.next();
        assertThat(h.conn.sackEnabled()).isTrue();
        return h;
    }

    static void deliver(EngineHarness h, byte[] stream, int from, int to, boolean ts) {
        EngineHarness.PeerSegment s = h.in(".").seq(RCV + from).ack(SND).data(Arrays.copyOfRange(stream, from, to));
        if (ts) s.ts(200, 0);
        s.deliver();
    }

    static String sack(TcpSegment s) {
        return s.options().toString();
    }

    @Test
    void outOfOrderSegmentIsKeptAndTheGapFillingSegmentAcknowledgesBoth() {
        TcpConfig config = EngineHarness.plain().toBuilder().quickAcks(0).build();
        EngineHarness h = EngineHarness.active(config).establish();
        byte[] stream = pattern(0, 3000);
        deliver(h, stream, 1000, 2000, false);
        h.expect(".", SND, RCV, 0); // immediate duplicate ACK (RFC 5681 §4.2)
        assertThat(h.conn.available()).isZero();
        deliver(h, stream, 0, 1000, false);
        h.expect(".", SND, RCV + 2000, 0); // the gap filled: ACK at once, covering the kept segment
        // a retransmission overlapping what we hold by 500 bytes brings only the rest
        deliver(h, stream, 1500, 3000, false);
        h.advance(Duration.ofMillis(200));
        assertThat(h.readAvailable()).isEqualTo(stream);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void holesFilledInAnyOrderDeliverEveryByteOnce(long seed) {
        Random random = new Random(seed);
        EngineHarness h = sackReceiver(false);
        int segments = 40;
        int size = 1000;
        byte[] stream = pattern(0, segments * size);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < segments; i++) order.add(i);
        Collections.shuffle(order, random);
        for (int i = 0; i < segments / 4; i++) order.add(random.nextInt(segments)); // duplicates
        java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
        for (int i : order) {
            deliver(h, stream, i * size, (i + 1) * size, false);
            if (random.nextBoolean()) got.writeBytes(h.readAvailable()); // the application reads now and then
        }
        h.advance(Duration.ofMillis(200));
        got.writeBytes(h.readAvailable());
        assertThat(got.toByteArray()).as("seed %d", seed).isEqualTo(stream);
        TcpSegment last = null;
        while (!h.sent.isEmpty()) last = h.next();
        assertThat(last.ack()).as("seed %d", seed).isEqualTo(RCV + segments * size);
    }

    @Test
    void outOfOrderDataBeyondTheAdvertisedWindowIsNotKept() {
        TcpConfig config = EngineHarness.plain().toBuilder().sack(true).receiveBufferSize(4000)
                .receiveBufferAutotuning(false).quickAcks(0).build();
        EngineHarness h = EngineHarness.active(config);
        h.connect();
        h.next();
        h.in("S.").seq(PEER_ISS).ack(SND).mss(1000).sackOk().deliver();
        TcpSegment ack = h.next();
        assertThat(ack.window()).isEqualTo(4000);
        byte[] stream = pattern(0, 6000);
        deliver(h, stream, 3000, 5000, false); // straddles the right edge: only 3000..4000 is kept
        TcpSegment dup = h.next();
        assertThat(sack(dup)).isEqualTo("nop,nop,sack 1 " + (RCV + 3000) + ":" + (RCV + 4000));
        deliver(h, stream, 4500, 5500, false); // wholly beyond the window: unacceptable (RFC 9293 §3.10.7.4)
        assertThat(h.drops).containsExactly("unacceptable sequence number");
        deliver(h, stream, 0, 3000, false);
        h.advance(Duration.ofMillis(200));
        assertThat(h.readAvailable()).isEqualTo(Arrays.copyOfRange(stream, 0, 4000));
    }

    @Test
    void sackBlocksReportTheNewestFirstThenTheMostRecentOthers() {
        EngineHarness h = sackReceiver(false);
        byte[] stream = pattern(0, 20_000);
        deliver(h, stream, 1000, 2000, false);
        assertThat(sack(h.expect(".", SND, RCV, 0))).isEqualTo("nop,nop,sack 1 " + (RCV + 1000) + ":" + (RCV + 2000));
        deliver(h, stream, 3000, 4000, false);
        assertThat(sack(h.expect(".", SND, RCV, 0))).isEqualTo("nop,nop,sack 2 "
                + (RCV + 3000) + ":" + (RCV + 4000) + " " + (RCV + 1000) + ":" + (RCV + 2000));
        deliver(h, stream, 5000, 6000, false);
        deliver(h, stream, 7000, 8000, false);
        h.clearSent();
        deliver(h, stream, 9000, 10000, false);
        // without timestamps four blocks fit; the fifth (oldest) range is not reported
        assertThat(sack(h.expect(".", SND, RCV, 0))).isEqualTo("nop,nop,sack 4 "
                + (RCV + 9000) + ":" + (RCV + 10000) + " " + (RCV + 7000) + ":" + (RCV + 8000) + " "
                + (RCV + 5000) + ":" + (RCV + 6000) + " " + (RCV + 3000) + ":" + (RCV + 4000));
        // a segment joining two ranges reports the merged one first
        deliver(h, stream, 2000, 3000, false);
        assertThat(sack(h.expect(".", SND, RCV, 0))).isEqualTo("nop,nop,sack 4 "
                + (RCV + 1000) + ":" + (RCV + 4000) + " " + (RCV + 9000) + ":" + (RCV + 10000) + " "
                + (RCV + 7000) + ":" + (RCV + 8000) + " " + (RCV + 5000) + ":" + (RCV + 6000));
        // the first hole fills: the ACK jumps and the range it swallowed is no longer reported
        deliver(h, stream, 0, 1000, false);
        assertThat(sack(h.expect(".", SND, RCV + 4000, 0))).isEqualTo("nop,nop,sack 3 "
                + (RCV + 9000) + ":" + (RCV + 10000) + " " + (RCV + 7000) + ":" + (RCV + 8000) + " "
                + (RCV + 5000) + ":" + (RCV + 6000));
    }

    @Test
    void withTimestampsThreeBlocksFitAfterTheTimestampOption() {
        EngineHarness h = sackReceiver(true);
        byte[] stream = pattern(0, 20_000);
        // TS.Recent stays 100: out-of-order segments do not cover Last.ACK.sent (RFC 7323 §4.3)
        for (int i = 1; i <= 4; i++) deliver(h, stream, i * 2000, i * 2000 + 1000, true);
        TcpSegment last = null;
        while (!h.sent.isEmpty()) last = h.next();
        assertThat(sack(last)).matches("nop,nop,TS val \\d+ ecr 100,nop,nop,sack 3 "
                + (RCV + 8000) + ":" + (RCV + 9000) + " " + (RCV + 6000) + ":" + (RCV + 7000) + " "
                + (RCV + 4000) + ":" + (RCV + 5000));
    }

    @Test
    void duplicateBelowRcvNxtIsReportedWithADsackBlock() {
        EngineHarness h = sackReceiver(false);
        byte[] stream = pattern(0, 4000);
        deliver(h, stream, 0, 1000, false);
        h.advance(Duration.ofMillis(200));
        h.clearSent();
        deliver(h, stream, 0, 1000, false); // a spurious retransmission
        assertThat(sack(h.expect(".", SND, RCV + 1000, 0))).isEqualTo("nop,nop,sack 1 " + RCV + ":" + (RCV + 1000));
        // the D-SACK is reported once; the next ACK carries none
        deliver(h, stream, 1000, 2000, false);
        h.advance(Duration.ofMillis(200));
        assertThat(sack(h.expect(".", SND, RCV + 2000, 0))).isEmpty();
    }

    @Test
    void duplicateOfOutOfOrderDataIsDsackedBeforeTheSackBlocks() {
        EngineHarness h = sackReceiver(false);
        byte[] stream = pattern(0, 4000);
        deliver(h, stream, 2000, 3000, false);
        h.clearSent();
        deliver(h, stream, 2000, 3000, false);
        assertThat(sack(h.expect(".", SND, RCV, 0))).isEqualTo("nop,nop,sack 2 "
                + (RCV + 2000) + ":" + (RCV + 3000) + " " + (RCV + 2000) + ":" + (RCV + 3000));
    }

    @Test
    void aSegmentStartingWhereHeldDataEndsReportsNoDuplicateAsLinuxAppendsIt() {
        EngineHarness h = sackReceiver(false);
        byte[] stream = pattern(0, 5000);
        deliver(h, stream, 1000, 2000, false);
        deliver(h, stream, 3000, 4000, false);
        h.clearSent();
        // 2000:3500 repeats 3000:3500, but Linux's tcp_data_queue_ofo appends it to 1000:2000
        // (tcp_ooo_try_coalesce) without looking further: no D-SACK, one merged block.
        deliver(h, stream, 2000, 3500, false);
        assertThat(sack(h.expect(".", SND, RCV, 0))).isEqualTo("nop,nop,sack 1 " + (RCV + 1000) + ":" + (RCV + 4000));
        // One that starts inside a hole and runs into held data does report the repeated part.
        deliver(h, stream, 4500, 5000, false);
        h.clearSent();
        deliver(h, stream, 4200, 4800, false);
        assertThat(sack(h.expect(".", SND, RCV, 0))).isEqualTo("nop,nop,sack 3 " + (RCV + 4500) + ":" + (RCV + 4800)
                + " " + (RCV + 4200) + ":" + (RCV + 5000) + " " + (RCV + 1000) + ":" + (RCV + 4000));
    }

    @Test
    void aRepeatedFinIsReportedAsADuplicate() {
        EngineHarness h = sackReceiver(false);
        h.in("F.").seq(RCV).ack(SND).deliver();
        h.expect(".", SND, RCV + 1, 0);
        // As Linux's tcp_send_dupack: the FIN's sequence number was received twice.
        h.in("F.").seq(RCV).ack(SND).deliver();
        assertThat(sack(h.expect(".", SND, RCV + 1, 0))).isEqualTo("nop,nop,sack 1 " + RCV + ":" + (RCV + 1));
    }

    @Test
    void aFinArrivingOutOfOrderTakesEffectWhenTheGapFills() {
        EngineHarness h = sackReceiver(false);
        byte[] stream = pattern(0, 2000);
        h.in("F.").seq(RCV + 1000).ack(SND).data(Arrays.copyOfRange(stream, 1000, 2000)).deliver();
        h.expect(".", SND, RCV, 0);
        assertThat(h.conn.state()).isEqualTo(TcpState.ESTABLISHED);
        deliver(h, stream, 0, 1000, false);
        h.expect(".", SND, RCV + 2001, 0);
        assertThat(h.conn.state()).isEqualTo(TcpState.CLOSE_WAIT);
        assertThat(h.readAvailable()).isEqualTo(stream);
        assertThat(h.read(10)).isEqualTo(-1);
    }

    @Test
    void dataSegmentsCarryOnlyTheBlocksThatFitBesideTheirPayloadWithinTheMss() {
        EngineHarness h = sackReceiver(false);
        byte[] stream = pattern(0, 4000);
        deliver(h, stream, 1000, 2000, false);
        h.next();
        h.write(1460 + 100);
        TcpSegment full = h.expect(".", SND, RCV, 1460);
        assertThat(sack(full)).as("a full-sized segment has no room for options").isEmpty();
        TcpSegment small = h.expect("P.", SND + 1460, RCV, 100);
        assertThat(sack(small)).isEqualTo("nop,nop,sack 1 " + (RCV + 1000) + ":" + (RCV + 2000));
    }

    /** A bare FIN beyond a hole is kept and takes effect once the hole fills (as in pkt fin-out-of-order). */
    @Test
    void aBareFinBeyondAHoleTakesEffectWhenTheHoleFills() {
        EngineHarness h = sackReceiver(false);
        h.in("F.").seq(RCV + 100).ack(SND).deliver();
        h.expect(".", SND, RCV, 0);
        assertThat(h.conn.state()).isEqualTo(TcpState.ESTABLISHED);
        h.in("P.").seq(RCV).ack(SND).data(pattern(0, 100)).deliver();
        h.expect(".", SND, RCV + 101, 0);
        assertThat(h.conn.state()).isEqualTo(TcpState.CLOSE_WAIT);
        assertThat(h.readAvailable()).isEqualTo(pattern(0, 100));
        assertThat(h.read(10)).isEqualTo(-1);
    }

    @Test
    void inOrderDataIsAckedAtOnceWhileHolesRemain() {
        EngineHarness h = sackReceiver(false);
        byte[] stream = pattern(0, 6000);
        deliver(h, stream, 4000, 5000, false);
        h.next();
        deliver(h, stream, 0, 1000, false); // fills part of the gap: ACK at once
        assertThat(sack(h.expect(".", SND, RCV + 1000, 0))).isEqualTo("nop,nop,sack 1 " + (RCV + 4000) + ":" + (RCV + 5000));
        deliver(h, stream, 1000, 2000, false); // still a hole: no delayed ACK either
        h.expect(".", SND, RCV + 2000, 0);
    }

    @Test
    void withoutSackNoBlocksAreSent() {
        TcpConfig config = EngineHarness.plain().toBuilder().quickAcks(0).build();
        EngineHarness h = EngineHarness.active(config).establish();
        byte[] stream = pattern(0, 2000);
        deliver(h, stream, 1000, 2000, false);
        assertThat(sack(h.expect(".", SND, RCV, 0))).isEmpty();
    }
}
