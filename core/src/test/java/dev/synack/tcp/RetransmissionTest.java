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

/** RFC 6298 retransmission timer, Karn's rule, go-back-N, fast retransmit, retry limits, persist timer. */
class RetransmissionTest {
    static final int SND = ISS + 1;
    static final int RCV = PEER_ISS + 1;

    static long ms(long v) {
        return Duration.ofMillis(v).toNanos();
    }

    /** Active open whose SYN-ACK comes back after 100 ms: SRTT 100 ms, RTTVAR 50 ms, RTO 300 ms. */
    static EngineHarness establishedWith100msRtt(TcpConfig config, int peerWindow) {
        EngineHarness h = EngineHarness.active(config);
        h.connect();
        h.next();
        h.advanceMillis(100);
        h.in("S.").seq(PEER_ISS).ack(SND).win(peerWindow).mss(1460).deliver();
        h.expect(".", SND, RCV, 0);
        return h;
    }

    @Nested
    class RetransmissionTimer {
        @Test
        void rtoFollowsRfc6298FromTheHandshakeSample() {
            EngineHarness h = establishedWith100msRtt(EngineHarness.plain(), 65535);
            assertThat(h.conn.retransmissionTimeoutNanos()).isEqualTo(ms(300));
        }

        @Test
        void timeoutsBackOffExponentiallyAndKarnIgnoresTheRetransmittedSample() {
            EngineHarness h = establishedWith100msRtt(EngineHarness.plain(), 65535);
            long t0 = h.now;
            h.write(100);
            h.expect("P.", SND, RCV, 100);
            long[] expected = {300, 900, 2100, 4500};
            for (long at : expected) {
                h.fireNextDeadline();
                assertThat(h.now - t0).isEqualTo(ms(at));
                h.expect("P.", SND, RCV, 100);
            }
            assertThat(h.timers).containsOnly("retransmit");
            // the ACK comes for a retransmitted segment: no RTT sample (Karn), the backoff stays
            h.advanceMillis(50);
            h.in(".").seq(RCV).ack(SND + 100).deliver();
            assertThat(h.conn.retransmissionTimeoutNanos()).isEqualTo(ms(300 * 16));
            // new data is timed again: 100 ms -> SRTT 100 ms, RTTVAR 37.5 ms; 4 RTTVAR is below the
            // 200 ms minimum, which Linux applies to the variance term: RTO 300 ms, the backoff gone
            h.write(10);
            h.expect("P.", SND + 100, RCV, 10);
            h.advanceMillis(100);
            h.in(".").seq(RCV).ack(SND + 110).deliver();
            assertThat(h.conn.retransmissionTimeoutNanos()).isEqualTo(ms(300));
        }

        @Test
        void rtoIsCappedAtTheMaximum() {
            TcpConfig config = EngineHarness.plain().toBuilder().maxRto(Duration.ofSeconds(2)).build();
            EngineHarness h = establishedWith100msRtt(config, 65535);
            long t0 = h.now;
            h.write(10);
            h.next();
            long[] expected = {300, 900, 2100, 4100, 6100};
            for (long at : expected) {
                h.fireNextDeadline();
                assertThat(h.now - t0).isEqualTo(ms(at));
                h.expect("P.", SND, RCV, 10);
            }
        }

        @Test
        void timeoutRetransmitsOneSegmentThenGoesBackNAsTheWindowReopens() {
            EngineHarness h = establishedWith100msRtt(EngineHarness.plain(), 65535);
            h.write(pattern(0, 3 * 1460));
            h.clearSent();
            h.fireNextDeadline();
            h.expect(".", SND, RCV, 1460);
            h.expectNothing(); // cwnd collapsed to one segment (RFC 5681 §3.1)
            assertThat(h.conn.congestionWindow()).isEqualTo(1460);
            h.in(".").seq(RCV).ack(SND + 1460).deliver();
            TcpSegment b = h.expect(".", SND + 1460, RCV, 1460);
            TcpSegment c = h.expect("P.", SND + 2920, RCV, 1460);
            assertThat(payloadOf(b)).isEqualTo(pattern(1460, 1460));
            assertThat(payloadOf(c)).isEqualTo(pattern(2920, 1460));
            h.in(".").seq(RCV).ack(SND + 3 * 1460).deliver();
            assertThat(h.conn.isSendBufferEmpty()).isTrue();
        }

        @Test
        void afterTheDataRetriesTheConnectionTimesOutWithoutReset() {
            TcpConfig config = EngineHarness.plain().toBuilder().dataRetries(3).build();
            EngineHarness h = establishedWith100msRtt(config, 65535);
            h.write(10);
            h.next();
            for (int i = 0; i < 3; i++) {
                h.fireNextDeadline();
                h.expect("P.", SND, RCV, 10);
            }
            h.fireNextDeadline();
            h.expectNothing();
            assertThat(h.conn.state()).isEqualTo(TcpState.CLOSED);
            assertThat(h.conn.error()).isEqualTo(TcpError.CONNECTION_TIMED_OUT);
            assertThat(h.conn.isReadable()).isTrue();
            assertThat(TerminationTest.errorOf(() -> h.read(1))).isEqualTo(TcpError.CONNECTION_TIMED_OUT);
            assertThat(TerminationTest.errorOf(() -> h.write(1))).isEqualTo(TcpError.CONNECTION_TIMED_OUT);
        }

        @Test
        void timestampsGiveAnRttSampleEvenForARetransmission() {
            TcpConfig config = TcpConfig.linux().toBuilder().sack(false).windowScaling(false).build();
            EngineHarness h = EngineHarness.active(config);
            h.now = ms(1000);
            h.connect();
            h.next();
            h.advanceMillis(100);
            h.in("S.").seq(PEER_ISS).ack(SND).mss(1460).ts(50, 1000).deliver();
            h.next();
            assertThat(h.conn.retransmissionTimeoutNanos()).isEqualTo(ms(300));
            h.write(10);
            h.next();
            h.fireNextDeadline(); // +300 ms
            TcpSegment retransmission = h.expect("P.", SND, RCV, 10);
            int tsVal = retransmission.options().tsVal();
            h.advanceMillis(100);
            h.in(".").seq(RCV).ack(SND + 10).ts(60, tsVal).deliver();
            // sample 100 ms: SRTT 100 ms + the 200 ms minimum (4 RTTVAR = 150 ms is less): 300 ms, and
            // the backoff (600 ms) is gone
            assertThat(h.conn.retransmissionTimeoutNanos()).isEqualTo(ms(300));
        }

        /** An echoed timestamp older than the retransmission gives no RTT sample, which would pin the RTO at its maximum. */
        @Test
        void anAckEchoingATimestampOlderThanTheRetransmissionGivesNoSample() {
            TcpConfig config = TcpConfig.linux().toBuilder().sack(false).windowScaling(false).build();
            EngineHarness h = EngineHarness.active(config);
            h.now = ms(1000);
            h.connect();
            h.next();
            h.advanceMillis(100);
            h.in("S.").seq(PEER_ISS).ack(SND).mss(1460).ts(50, 1000).deliver();
            h.next();
            h.write(10);
            h.next();
            h.fireNextDeadline(); // +300 ms, retransmitted, RTO backed off to 600 ms
            h.next();
            h.advanceMillis(100);
            // the peer had the first copy; its ACK of the duplicate echoes an old TS.Recent (1000 = 1 s)
            h.in(".").seq(RCV).ack(SND + 10).ts(60, 1000).deliver();
            assertThat(h.conn.retransmissionTimeoutNanos()).as("no 400 ms sample taken").isEqualTo(ms(600));
            // the next fresh segment's ACK gives a true sample and ends the backoff
            h.write(10);
            TcpSegment fresh = h.next();
            h.advanceMillis(100);
            h.in(".").seq(RCV).ack(SND + 20).ts(70, fresh.options().tsVal()).deliver();
            assertThat(h.conn.retransmissionTimeoutNanos()).isLessThan(ms(600));
        }
    }

    @Nested
    class FastRetransmit {
        @Test
        void thirdDuplicateAckRetransmitsTheFirstUnacknowledgedSegment() {
            // RFC 6582's window inflation: the recovery without proportional rate reduction (the rfc() profile's)
            TcpConfig config = EngineHarness.plain().toBuilder().congestionAlgorithm(CongestionAlgorithm.NEW_RENO)
                    .proportionalRateReduction(false).build();
            EngineHarness h = establishedWith100msRtt(config, 65535);
            h.write(pattern(0, 5 * 1460));
            h.clearSent();
            h.in(".").seq(RCV).ack(SND).deliver();
            h.in(".").seq(RCV).ack(SND).deliver();
            h.expectNothing();
            h.in(".").seq(RCV).ack(SND).deliver();
            TcpSegment again = h.expect(".", SND, RCV, 1460);
            assertThat(payloadOf(again)).isEqualTo(pattern(0, 1460));
            h.expectNothing();
            // NewReno (RFC 6582): ssthresh = FlightSize / 2, cwnd inflated by the three segments that left
            assertThat(h.conn.congestionWindow()).isEqualTo(5 * 1460 / 2 + 3 * 1460);
        }

        @Test
        void windowUpdatesAreNotDuplicateAcks() {
            EngineHarness h = establishedWith100msRtt(EngineHarness.plain(), 65535);
            h.write(pattern(0, 5 * 1460));
            h.clearSent();
            for (int i = 0; i < 3; i++) h.in(".").seq(RCV).ack(SND).win(60000 + i).deliver();
            h.expectNothing();
        }
    }

    @Nested
    class PersistTimer {
        @Test
        void zeroWindowIsProbedWithBackoffAndDataFlowsWhenItOpens() {
            EngineHarness h = establishedWith100msRtt(EngineHarness.plain(), 0);
            long t0 = h.now;
            assertThat(h.write(pattern(0, 100))).isEqualTo(100);
            h.expectNothing();
            long[] expected = {300, 900, 2100, 4500};
            for (long at : expected) {
                h.fireNextDeadline();
                assertThat(h.now - t0).isEqualTo(ms(at));
                h.expect(".", SND - 1, RCV, 0); // Linux's probe: SND.UNA - 1, no data
                h.in(".").seq(RCV).ack(SND).win(0).deliver(); // still closed
                h.expectNothing();
            }
            assertThat(h.timers).containsOnly("persist");
            h.in(".").seq(RCV).ack(SND).win(1000).deliver();
            TcpSegment data = h.expect("P.", SND, RCV, 100);
            assertThat(payloadOf(data)).isEqualTo(pattern(0, 100));
            h.in(".").seq(RCV).ack(SND + 100).win(1000).deliver();
            assertThat(h.conn.isSendBufferEmpty()).isTrue();
            assertThat(h.conn.nextDeadline()).isEqualTo(Long.MAX_VALUE);
        }

        @Test
        void probeIntervalIsBoundedByTheMaximumRto() {
            TcpConfig config = EngineHarness.plain().toBuilder().maxRto(Duration.ofSeconds(1)).build();
            EngineHarness h = establishedWith100msRtt(config, 0);
            long t0 = h.now;
            h.write(10);
            long[] expected = {300, 900, 1900, 2900, 3900};
            for (long at : expected) {
                h.fireNextDeadline();
                assertThat(h.now - t0).isEqualTo(ms(at));
                h.expect(".", SND - 1, RCV, 0);
            }
        }

        @Test
        void windowClosingMidStreamLosesAndDuplicatesNothing() {
            TcpConfig config = EngineHarness.plain();
            EngineHarness h = establishedWith100msRtt(config, 2920);
            byte[] stream = pattern(0, 6000);
            h.write(stream);
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            int delivered = 0;
            for (int round = 0; round < 50 && delivered < stream.length; round++) {
                while (!h.sent.isEmpty()) {
                    TcpSegment s = h.next();
                    if (s.payloadLength() > 0 && s.seq() == SND + delivered) {
                        received.writeBytes(payloadOf(s));
                        delivered += s.payloadLength();
                    }
                }
                // the peer alternates between a closed and an open window
                h.in(".").seq(RCV).ack(SND + delivered).win(round % 2 == 0 ? 0 : 2920).deliver();
                if (delivered < stream.length && h.sent.isEmpty()) h.fireNextDeadline();
            }
            assertThat(received.toByteArray()).isEqualTo(stream);
        }
    }
}
