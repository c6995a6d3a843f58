package dev.synack.tcp;

import static dev.synack.tcp.EngineHarness.ISS;
import static dev.synack.tcp.EngineHarness.PEER_ISS;
import static dev.synack.tcp.EngineHarness.pattern;
import static dev.synack.tcp.EngineHarness.payloadOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.wire.TcpSegment;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Data both ways: segmentation, windows, PSH, Nagle, delayed ACKs, out-of-order and duplicates. */
class DataTransferTest {
    static final int SND = ISS + 1;
    static final int RCV = PEER_ISS + 1;

    @Nested
    class Sending {
        @Test
        void bytesLeaveInMssSegmentsWithPshOnTheLastOne() {
            EngineHarness h = EngineHarness.active(EngineHarness.plain()).establish();
            byte[] data = pattern(0, 3000);
            assertThat(h.write(data)).isEqualTo(3000);
            TcpSegment a = h.expect(".", SND, RCV, 1460);
            TcpSegment b = h.expect(".", SND + 1460, RCV, 1460);
            TcpSegment c = h.expect("P.", SND + 2920, RCV, 80);
            h.expectNothing();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            all.writeBytes(payloadOf(a));
            all.writeBytes(payloadOf(b));
            all.writeBytes(payloadOf(c));
            assertThat(all.toByteArray()).isEqualTo(data);
            assertThat(h.conn.isSendBufferEmpty()).isFalse();
            h.in(".").seq(RCV).ack(SND + 3000).deliver();
            assertThat(h.conn.isSendBufferEmpty()).isTrue();
            assertThat(h.conn.nextDeadline()).isEqualTo(Long.MAX_VALUE); // retransmission timer stopped
        }

        /**
         * A send buffer of 4096 bytes keeps them in pieces of 4096: bytes 2920..4095 of the stream
         * lie in the first, 4096.. in the second. On a path that carries payload windows (an
         * in-memory link), the segment from 3000 ends where the first piece does, and the rest
         * follows at once (a cut segment is not small for Nagle); elsewhere segments are whole.
         */
        @ParameterizedTest(name = "path carries payload windows: {0}")
        @ValueSource(booleans = {true, false})
        void segmentsEndWhereASendBufferPieceEndsOnlyOnAPathCarryingPayloadWindows(boolean windows) {
            EngineHarness h = EngineHarness.active(EngineHarness.plain().toBuilder().sendBufferSize(4096).build()).establish();
            h.payloadWindows = windows;
            h.write(pattern(0, 3000));
            h.expect(".", SND, RCV, 1460);
            h.expect(".", SND + 1460, RCV, 1460);
            h.expect("P.", SND + 2920, RCV, 80);
            h.in(".").seq(RCV).ack(SND + 2920).deliver(); // the 80-byte segment stays in flight
            h.expectNothing();
            assertThat(h.write(pattern(3000, 3000))).isEqualTo(3000);
            TcpSegment first = h.expect(".", SND + 3000, RCV, windows ? 1096 : 1460);
            // Leaving together, the two end with PSH, as Linux pushes every TSO packet of more than one segment.
            TcpSegment second = h.expect("P.", SND + 3000 + first.payloadLength(), RCV, 1460);
            // What is left is small and the 80-byte segment is unacknowledged: Nagle holds it.
            h.expectNothing();
            ByteArrayOutputStream sent = new ByteArrayOutputStream();
            sent.writeBytes(payloadOf(first));
            sent.writeBytes(payloadOf(second));
            assertThat(sent.toByteArray()).isEqualTo(pattern(3000, first.payloadLength() + 1460));
        }

        @Test
        void peerWindowLimitsWhatIsInFlight() {
            EngineHarness h = EngineHarness.active(EngineHarness.plain()).establish(3000, 1460);
            h.write(10_000);
            h.expect(".", SND, RCV, 1460);
            h.expect(".", SND + 1460, RCV, 1460);
            h.expectNothing(); // 80 bytes of window left: too little (sender SWS avoidance)
            h.in(".").seq(RCV).ack(SND + 2920).win(3000).deliver();
            h.expect(".", SND + 2920, RCV, 1460);
            h.expect(".", SND + 4380, RCV, 1460);
            h.expectNothing();
        }

        @Test
        void congestionWindowStartsAtTenSegments() {
            EngineHarness h = EngineHarness.active(EngineHarness.plain()).establish();
            h.write(20 * 1460);
            // The ten leave as two trains of five, as Linux's TSO packets hold at most half of cwnd
            // (tcp_cwnd_test), each one's last pushed, as Linux pushes every multi-segment TSO packet.
            for (int i = 0; i < 10; i++) h.expect(i % 5 == 4 ? "P." : ".", SND + i * 1460, RCV, 1460);
            h.expectNothing();
            assertThat(h.conn.congestionWindow()).isEqualTo(10 * 1460);
            // slow start: each ACK of a full segment lets two more go
            h.in(".").seq(RCV).ack(SND + 1460).deliver();
            assertThat(h.conn.congestionWindow()).isEqualTo(11 * 1460);
            h.expect(".", SND + 10 * 1460, RCV, 1460);
            h.expect("P.", SND + 11 * 1460, RCV, 1460);
            h.expectNothing();
        }

        @Test
        void nagleHoldsASmallSegmentWhileAnEarlierSmallOneIsUnacknowledged() {
            EngineHarness h = EngineHarness.active(EngineHarness.plain()).establish();
            h.write(100);
            h.expect("P.", SND, RCV, 100);
            h.write(50);
            h.write(50);
            h.expectNothing();
            h.in(".").seq(RCV).ack(SND + 100).deliver();
            h.expect("P.", SND + 100, RCV, 100); // the two small writes coalesced
        }

        @Test
        void noDelaySendsSmallSegmentsAtOnce() {
            EngineHarness h = EngineHarness.active(EngineHarness.plain()).establish();
            h.conn.setNoDelay(true);
            h.write(100);
            h.write(50);
            h.expect("P.", SND, RCV, 100);
            h.expect("P.", SND + 100, RCV, 50);
        }

        @Test
        void settingNoDelayPushesWhatNagleHeld() {
            EngineHarness h = EngineHarness.active(EngineHarness.plain()).establish();
            h.write(100);
            h.next();
            h.write(10);
            h.expectNothing();
            h.conn.setNoDelay(true, h.now);
            h.expect("P.", SND + 100, RCV, 10);
        }

        @Test
        void fullSendBufferTakesOnlyWhatFits() {
            TcpConfig config = EngineHarness.plain().toBuilder().sendBufferSize(4000).build();
            EngineHarness h = EngineHarness.active(config).establish();
            assertThat(h.write(5000)).isEqualTo(4000);
            assertThat(h.conn.sendSpace()).isZero();
            assertThat(h.conn.isWritable()).isFalse();
            assertThat(h.write(10)).isZero();
            h.clearSent();
            h.in(".").seq(RCV).ack(SND + 1460).deliver();
            assertThat(h.conn.sendSpace()).isEqualTo(1460);
            assertThat(h.conn.isWritable()).isTrue();
        }

        @Test
        void ackOfUnsentDataIsSilentlyDropped() {
            // Linux tcp_ack (ACK_UNSENT_DATA), not RFC 9293's ACK (pkt ack-unsent-data)
            EngineHarness h = EngineHarness.active(EngineHarness.plain()).establish();
            h.write(100);
            h.next();
            h.in(".").seq(RCV).ack(SND + 500).deliver();
            h.expectNothing();
            assertThat(h.drops).contains("ACK of unsent data");
            assertThat(h.conn.isSendBufferEmpty()).isFalse();
        }

        @Test
        void payloadsDoNotAllocateAcrossTheRingWrap() {
            // the ring wraps many times; every byte still comes out in order
            TcpConfig config = EngineHarness.plain().toBuilder().sendBufferSize(5000).build();
            EngineHarness h = EngineHarness.active(config).establish();
            h.conn.setNoDelay(true);
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            int written = 0;
            int acked = 0;
            for (int round = 0; round < 40; round++) {
                written += h.conn.write(java.nio.ByteBuffer.wrap(pattern(written, 1700)), h.now);
                while (!h.sent.isEmpty()) {
                    TcpSegment s = h.next();
                    received.writeBytes(payloadOf(s));
                    acked = s.seq() + s.payloadLength() - SND;
                }
                h.in(".").seq(RCV).ack(SND + acked).deliver();
            }
            assertThat(received.toByteArray()).isEqualTo(pattern(0, written));
        }
    }

    @Nested
    class Receiving {
        @Test
        void inOrderDataIsDeliveredAndQuickAcked() {
            EngineHarness h = EngineHarness.active(EngineHarness.plain()).establish();
            byte[] data = pattern(0, 1000);
            h.in("P.").seq(RCV).ack(SND).data(data).deliver();
            h.expect(".", SND, RCV + 1000, 0);
            assertThat(h.conn.available()).isEqualTo(1000);
            assertThat(h.conn.isReadable()).isTrue();
            assertThat(h.readAvailable()).isEqualTo(data);
            assertThat(h.read(10)).isZero();
        }

        @Test
        void afterTheQuickAcksASingleSegmentIsAckedAfterTheDelayedAckTimeout() {
            TcpConfig config = EngineHarness.plain().toBuilder().quickAcks(2).build();
            EngineHarness h = EngineHarness.active(config).establish();
            h.in(".").seq(RCV).ack(SND).len(100).deliver();
            h.expect(".", SND, RCV + 100, 0);
            h.in(".").seq(RCV + 100).ack(SND).len(100).deliver();
            h.expect(".", SND, RCV + 200, 0);
            long t0 = h.now;
            h.in(".").seq(RCV + 200).ack(SND).len(100).deliver();
            h.expectNothing();
            h.advance(Duration.ofMillis(39));
            h.expectNothing();
            h.advance(Duration.ofMillis(1));
            assertThat(h.nextSendTime()).isEqualTo(t0 + Duration.ofMillis(40).toNanos());
            h.expect(".", SND, RCV + 300, 0);
            assertThat(h.timers).contains("delayed-ack");
        }

        @Test
        void everySecondFullSizedSegmentIsAckedAtOnce() {
            TcpConfig config = EngineHarness.plain().toBuilder().quickAcks(0).build();
            EngineHarness h = EngineHarness.active(config).establish();
            h.in(".").seq(RCV).ack(SND).len(1460).deliver();
            h.expectNothing();
            h.in(".").seq(RCV + 1460).ack(SND).len(1460).deliver();
            h.expect(".", SND, RCV + 2920, 0);
            assertThat(h.conn.nextDeadline()).isEqualTo(Long.MAX_VALUE); // the delayed ACK was cancelled
        }

        @Test
        void rfcProfileDelaysAcksBy200Milliseconds() {
            TcpConfig config = TcpConfig.rfc().toBuilder().timestamps(false).sack(false).windowScaling(false).quickAcks(0).build();
            EngineHarness h = EngineHarness.active(config).establish();
            h.in(".").seq(RCV).ack(SND).len(10).deliver();
            h.advance(Duration.ofMillis(199));
            h.expectNothing();
            h.advance(Duration.ofMillis(1));
            h.expect(".", SND, RCV + 10, 0);
        }

        @Test
        void ackIsPiggyBackedOnData() {
            TcpConfig config = EngineHarness.plain().toBuilder().quickAcks(0).build();
            EngineHarness h = EngineHarness.active(config).establish();
            h.in(".").seq(RCV).ack(SND).len(10).deliver();
            h.expectNothing();
            h.write(20);
            h.expect("P.", SND, RCV + 10, 20);
            h.advance(Duration.ofSeconds(0).plusMillis(100));
            h.expectNothing(); // no separate delayed ACK: it went with the data
        }

        @Test
        void duplicateSegmentIsAckedButNotDeliveredTwice() {
            EngineHarness h = EngineHarness.active(EngineHarness.plain()).establish();
            h.in(".").seq(RCV).ack(SND).data(pattern(0, 100)).deliver();
            h.expect(".", SND, RCV + 100, 0);
            h.in(".").seq(RCV).ack(SND).data(pattern(0, 100)).deliver();
            h.expect(".", SND, RCV + 100, 0);
            assertThat(h.drops).contains("unacceptable sequence number");
            assertThat(h.readAvailable()).isEqualTo(pattern(0, 100));
        }

        @Test
        void receiveWindowClosesWhenTheBufferFillsAndAWindowUpdateFollowsReading() {
            // 3 x 1460: the SYN's window (rounded to whole segments, as Linux does) is the whole buffer
            TcpConfig config = EngineHarness.plain().toBuilder().receiveBufferSize(4380).build();
            EngineHarness h = EngineHarness.active(config).establish();
            h.in(".").seq(RCV).ack(SND).len(1460).deliver();
            assertThat(h.next().window()).isEqualTo(4380 - 1460);
            h.in(".").seq(RCV + 1460).ack(SND).len(1460).deliver();
            assertThat(h.next().window()).isEqualTo(4380 - 2920);
            h.in(".").seq(RCV + 2920).ack(SND).len(1460).deliver();
            TcpSegment full = h.expect(".", SND, RCV + 4380, 0);
            assertThat(full.window()).isZero();
            // a segment beyond a zero window is not acceptable: ACK with window 0, nothing stored
            h.in(".").seq(RCV + 4380).ack(SND).len(100).deliver();
            assertThat(h.expect(".", SND, RCV + 4380, 0).window()).isZero();
            assertThat(h.conn.available()).isEqualTo(4380);
            // reading a little is not worth an update (receiver SWS avoidance)
            assertThat(h.read(1000)).isEqualTo(1000);
            h.expectNothing();
            assertThat(h.read(1000)).isEqualTo(1000);
            assertThat(h.expect(".", SND, RCV + 4380, 0).window()).isEqualTo(2000);
        }

        @Test
        void advertisedRightEdgeNeverRecedes() {
            TcpConfig config = EngineHarness.plain().toBuilder().receiveBufferSize(4380).quickAcks(100).build();
            EngineHarness h = EngineHarness.active(config).establish();
            int edge = RCV + 4380;
            for (int i = 0; i < 8; i++) {
                h.in(".").seq(RCV + i * 500).ack(SND).len(500).deliver();
                TcpSegment ack = h.next();
                assertThat(ack.ack() + ack.window() - edge).isGreaterThanOrEqualTo(0);
                edge = ack.ack() + ack.window();
                if (i % 3 == 0) h.read(300);
            }
        }

        @Test
        void everyByteInsideARoundedUpScaledWindowIsStoredEvenWhenTheReaderStalls() {
            // Window scale 7 rounds the field up; a peer that fills exactly what it was told, in
            // segments that are not multiples of 128 bytes, must never see in-window data trimmed.
            TcpConfig config = TcpConfig.linux().toBuilder().timestamps(false).sack(false)
                    .receiveBufferSize(20_000).quickAcks(1_000).build();
            EngineHarness h = EngineHarness.active(config);
            h.connect();
            h.next();
            h.in("S.").seq(PEER_ISS).ack(ISS + 1).mss(1460).nop().wscale(7).deliver();
            TcpSegment ack = h.next();
            int edge = ack.ack() + (ack.window() << 7);
            int seq = RCV;
            int stored = 0;
            for (int round = 0; round < 200 && Seq.lt(seq, edge); round++) {
                int len = Math.min(1000, Seq.distance(seq, edge));
                h.in(".").seq(seq).ack(SND).len(len).deliver();
                seq += len;
                stored += len;
                TcpSegment reply = h.next();
                assertThat(reply.ack()).as("everything so far acknowledged").isEqualTo(seq);
                edge = Seq.max(edge, reply.ack() + (reply.window() << 7));
            }
            assertThat(h.drops).as("segments trimmed or dropped").isEmpty();
            assertThat(h.conn.available()).isEqualTo(stored);
            // Full to within one MSS (receiver SWS avoidance offers no smaller opening), and never
            // past the budget by more than the rounding slack.
            assertThat(stored).isBetween(20_000 - 1460, 20_000 + 127);
            assertThat(Seq.distance(seq, edge)).as("window left once the buffer is full").isZero();
        }

        @Test
        void scaledWindowIsAdvertisedShifted() {
            TcpConfig config = TcpConfig.linux().toBuilder().timestamps(false).build();
            EngineHarness h = EngineHarness.active(config);
            h.connect();
            h.next();
            h.in("S.").seq(PEER_ISS).ack(ISS + 1).mss(1460).nop().wscale(2).deliver();
            assertThat(h.next().window()).isEqualTo(131072 >> 7);
            h.in(".").seq(RCV).ack(SND).len(1460).deliver();
            // free = 131072 - 1460; the edge may not recede: rounded up, never down
            assertThat(h.next().window()).isEqualTo((131072 - 1460 + 127) >> 7);
        }
    }
}
