package dev.synack.tcp;

import static dev.synack.tcp.EngineHarness.ISS;
import static dev.synack.tcp.EngineHarness.PEER_ISS;
import static dev.synack.tcp.EngineHarness.pattern;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Connection termination (RFC 9293 §3.6): active, passive, simultaneous close, TIME_WAIT, shutdown. */
class TerminationTest {
    static final int SND = ISS + 1;
    static final int RCV = PEER_ISS + 1;

    static EngineHarness established(TcpConfig config) {
        return EngineHarness.active(config).establish();
    }

    static TcpError errorOf(Runnable r) {
        try {
            r.run();
        } catch (TcpException e) {
            return e.error();
        }
        throw new AssertionError("no TcpException");
    }

    @Nested
    class ActiveClose {
        @Test
        void finWait1ThenFinWait2ThenTimeWaitThenClosedAfter60Seconds() {
            EngineHarness h = established(EngineHarness.plain());
            h.conn.close(h.now);
            h.expect("F.", SND, RCV, 0);
            assertThat(h.conn.state()).isEqualTo(TcpState.FIN_WAIT1);
            h.in(".").seq(RCV).ack(SND + 1).deliver(); // FIN consumes one sequence number
            h.expectNothing();
            assertThat(h.conn.state()).isEqualTo(TcpState.FIN_WAIT2);
            h.in("F.").seq(RCV).ack(SND + 1).deliver();
            h.expect(".", SND + 1, RCV + 1, 0);
            assertThat(h.conn.state()).isEqualTo(TcpState.TIME_WAIT);
            long enteredTimeWait = h.now;
            h.advance(Duration.ofSeconds(60).minusNanos(1));
            assertThat(h.conn.state()).isEqualTo(TcpState.TIME_WAIT);
            h.advance(Duration.ofNanos(1));
            assertThat(h.now - enteredTimeWait).isEqualTo(Duration.ofSeconds(60).toNanos());
            assertThat(h.conn.state()).isEqualTo(TcpState.CLOSED);
            assertThat(h.conn.isReleased()).isTrue();
            assertThat(h.conn.error()).isNull();
            h.expectNothing();
            assertThat(h.transitions).containsSubsequence(
                    "ESTABLISHED->FIN_WAIT1: close()",
                    "FIN_WAIT1->FIN_WAIT2: rcvd ACK of FIN",
                    "FIN_WAIT2->TIME_WAIT: rcvd FIN",
                    "TIME_WAIT->CLOSED: 2MSL timer");
        }

        @Test
        void rfcProfileTimeWaitLastsFourMinutes() {
            TcpConfig config = TcpConfig.rfc().toBuilder().timestamps(false).sack(false).windowScaling(false).build();
            EngineHarness h = established(config);
            h.conn.close(h.now);
            h.next();
            h.in("F.").seq(RCV).ack(SND + 1).deliver();
            assertThat(h.conn.state()).isEqualTo(TcpState.TIME_WAIT);
            assertThat(h.conn.nextDeadline() - h.now).isEqualTo(Duration.ofMinutes(4).toNanos());
            h.advance(Duration.ofSeconds(239));
            assertThat(h.conn.state()).isEqualTo(TcpState.TIME_WAIT);
            h.advance(Duration.ofSeconds(1));
            assertThat(h.conn.state()).isEqualTo(TcpState.CLOSED);
        }

        @Test
        void finFollowsQueuedDataOnTheLastSegment() {
            EngineHarness h = established(EngineHarness.plain());
            h.write(100);
            h.expect("P.", SND, RCV, 100);
            h.write(50);
            h.expectNothing(); // Nagle holds it...
            h.conn.close(h.now);
            h.expect("FP.", SND + 100, RCV, 50); // ...until close pushes it out with the FIN
            h.in(".").seq(RCV).ack(SND + 151).deliver();
            assertThat(h.conn.state()).isEqualTo(TcpState.FIN_WAIT2);
            assertThat(h.conn.isSendBufferEmpty()).isTrue();
        }

        @Test
        void finAndAckOfOurFinTogetherGoStraightToTimeWait() {
            EngineHarness h = established(EngineHarness.plain());
            h.conn.close(h.now);
            h.next();
            h.in("F.").seq(RCV).ack(SND + 1).deliver();
            h.expect(".", SND + 1, RCV + 1, 0);
            assertThat(h.conn.state()).isEqualTo(TcpState.TIME_WAIT);
            assertThat(h.lastTransition()).isEqualTo("FIN_WAIT1->TIME_WAIT: rcvd FIN+ACK of our FIN");
            assertThat(h.transitions).noneMatch(t -> t.contains("FIN_WAIT2"));
        }

        @Test
        void orphanedFinWait2IsDroppedAfterTheFinTimeout() {
            EngineHarness h = established(EngineHarness.plain());
            h.conn.close(h.now);
            h.next();
            h.in(".").seq(RCV).ack(SND + 1).deliver();
            assertThat(h.conn.state()).isEqualTo(TcpState.FIN_WAIT2);
            h.advance(Duration.ofSeconds(59));
            assertThat(h.conn.state()).isEqualTo(TcpState.FIN_WAIT2);
            h.advance(Duration.ofSeconds(1));
            assertThat(h.conn.state()).isEqualTo(TcpState.CLOSED);
            assertThat(h.lastTransition()).isEqualTo("FIN_WAIT2->CLOSED: FIN_WAIT2 timeout");
            assertThat(h.conn.isReleased()).isTrue();
            h.expectNothing();
        }

        @Test
        void finIsRetransmittedWhenNotAcknowledged() {
            EngineHarness h = established(EngineHarness.plain());
            h.conn.close(h.now);
            h.expect("F.", SND, RCV, 0);
            // the handshake's RTT sample was 0: RTO is the 200 ms minimum, then it doubles
            h.fireNextDeadline();
            assertThat(h.now).isEqualTo(Duration.ofMillis(200).toNanos());
            h.expect("F.", SND, RCV, 0);
            h.fireNextDeadline();
            assertThat(h.now).isEqualTo(Duration.ofMillis(600).toNanos());
            h.expect("F.", SND, RCV, 0);
            h.in(".").seq(RCV).ack(SND + 1).deliver();
            assertThat(h.conn.state()).isEqualTo(TcpState.FIN_WAIT2);
        }

        @Test
        void writeAfterCloseIsOutputShutdownAndReadIsClosed() {
            EngineHarness h = established(EngineHarness.plain());
            h.conn.close(h.now);
            assertThat(errorOf(() -> h.write(1))).isEqualTo(TcpError.OUTPUT_SHUTDOWN);
            assertThat(errorOf(() -> h.read(1))).isEqualTo(TcpError.CLOSED);
            assertThat(h.conn.isWritable()).isTrue(); // write() would not return 0: it throws
        }

        @Test
        void closeTwiceIsANoOp() {
            EngineHarness h = established(EngineHarness.plain());
            h.conn.close(h.now);
            h.conn.close(h.now);
            h.expect("F.", SND, RCV, 0);
            h.expectNothing();
        }
    }

    @Nested
    class SimultaneousClose {
        @Test
        void finWait1ReceivingFinGoesClosingThenTimeWaitOnTheAck() {
            EngineHarness h = established(EngineHarness.plain());
            h.conn.close(h.now);
            h.expect("F.", SND, RCV, 0);
            h.in("F.").seq(RCV).ack(SND).deliver(); // the peer's FIN, not acknowledging ours
            h.expect(".", SND + 1, RCV + 1, 0);
            assertThat(h.conn.state()).isEqualTo(TcpState.CLOSING);
            h.in(".").seq(RCV + 1).ack(SND + 1).deliver();
            assertThat(h.conn.state()).isEqualTo(TcpState.TIME_WAIT);
            assertThat(h.transitions).containsSubsequence(
                    "ESTABLISHED->FIN_WAIT1: close()",
                    "FIN_WAIT1->CLOSING: rcvd FIN (simultaneous close)",
                    "CLOSING->TIME_WAIT: rcvd ACK of FIN");
        }
    }

    @Nested
    class PassiveClose {
        @Test
        void closeWaitThenLastAckThenClosed() {
            EngineHarness h = established(EngineHarness.plain());
            h.in("FP.").seq(RCV).ack(SND).data(pattern(0, 10)).deliver();
            h.expect(".", SND, RCV + 11, 0); // a FIN is acknowledged at once
            assertThat(h.conn.state()).isEqualTo(TcpState.CLOSE_WAIT);
            assertThat(h.readAvailable()).isEqualTo(pattern(0, 10));
            assertThat(h.read(10)).isEqualTo(-1);
            assertThat(h.read(10)).isEqualTo(-1); // and keeps returning -1
            // half-closed: we may still send
            h.write(20);
            h.expect("P.", SND, RCV + 11, 20);
            h.conn.close(h.now);
            h.expect("F.", SND + 20, RCV + 11, 0);
            assertThat(h.conn.state()).isEqualTo(TcpState.LAST_ACK);
            h.in(".").seq(RCV + 11).ack(SND + 21).deliver();
            assertThat(h.conn.state()).isEqualTo(TcpState.CLOSED);
            assertThat(h.conn.isReleased()).isTrue();
            assertThat(h.transitions).containsSubsequence(
                    "ESTABLISHED->CLOSE_WAIT: rcvd FIN",
                    "CLOSE_WAIT->LAST_ACK: close()",
                    "LAST_ACK->CLOSED: rcvd ACK of FIN");
        }

        @Test
        void retransmittedFinInCloseWaitIsAckedAgain() {
            EngineHarness h = established(EngineHarness.plain());
            h.in("F.").seq(RCV).ack(SND).deliver();
            h.expect(".", SND, RCV + 1, 0);
            h.in("F.").seq(RCV).ack(SND).deliver();
            h.expect(".", SND, RCV + 1, 0);
            assertThat(h.conn.state()).isEqualTo(TcpState.CLOSE_WAIT);
        }

        @Test
        void finBeyondAGapIsNotTaken() {
            EngineHarness h = established(EngineHarness.plain());
            h.in("F.").seq(RCV + 10).ack(SND).deliver();
            h.expect(".", SND, RCV, 0);
            assertThat(h.conn.state()).isEqualTo(TcpState.ESTABLISHED);
            assertThat(h.read(10)).isZero();
        }
    }

    @Nested
    class TimeWait {
        EngineHarness inTimeWait() {
            EngineHarness h = established(EngineHarness.plain());
            h.in("P.").seq(RCV).ack(SND).len(100).deliver();
            h.readAvailable();
            h.conn.close(h.now);
            h.clearSent();
            h.in("F.").seq(RCV + 100).ack(SND + 1).deliver();
            h.expect(".", SND + 1, RCV + 101, 0);
            assertThat(h.conn.state()).isEqualTo(TcpState.TIME_WAIT);
            return h;
        }

        @Test
        void retransmittedFinIsAckedAgainAndRestartsThe2MslTimer() {
            EngineHarness h = inTimeWait();
            h.advance(Duration.ofSeconds(30));
            h.in("F.").seq(RCV + 100).ack(SND + 1).deliver();
            h.expect(".", SND + 1, RCV + 101, 0);
            assertThat(h.conn.nextDeadline()).isEqualTo(h.now + Duration.ofSeconds(60).toNanos());
            h.advance(Duration.ofSeconds(59));
            assertThat(h.conn.state()).isEqualTo(TcpState.TIME_WAIT);
            h.advance(Duration.ofSeconds(1));
            assertThat(h.conn.state()).isEqualTo(TcpState.CLOSED);
        }

        @Test
        void oldDuplicateDataIsNotAcceptedButAcked() {
            EngineHarness h = inTimeWait();
            h.in("P.").seq(RCV).ack(SND).len(100).deliver();
            h.expect(".", SND + 1, RCV + 101, 0);
            assertThat(h.drops).contains("old duplicate in TIME_WAIT");
            assertThat(h.conn.state()).isEqualTo(TcpState.TIME_WAIT);
        }

        @Test
        void lateBareAckIsIgnoredQuietly() {
            EngineHarness h = inTimeWait();
            long deadline = h.conn.nextDeadline();
            h.in(".").seq(RCV + 101).ack(SND + 1).deliver();
            h.expectNothing();
            assertThat(h.conn.nextDeadline()).isEqualTo(deadline);
        }

        @Test
        void resetIsIgnored() {
            EngineHarness h = inTimeWait();
            h.in("R").seq(RCV + 101).deliver();
            h.expectNothing();
            assertThat(h.conn.state()).isEqualTo(TcpState.TIME_WAIT);
            assertThat(h.drops).contains("RST in TIME_WAIT ignored (RFC 1337)");
        }

        @Test
        void newSynWithHigherSequenceEndsTimeWait() {
            EngineHarness h = inTimeWait();
            EngineHarness.PeerSegment syn = h.in("S").seq(RCV + 5000).mss(1460);
            assertThat(h.conn.acceptsNewSyn(syn.seg, h.now)).isTrue();
            assertThat(h.conn.state()).isEqualTo(TcpState.CLOSED);
            assertThat(h.conn.isReleased()).isTrue();
            h.expectNothing();
        }

        @Test
        void oldSynIsAnsweredWithAnAckAndDropped() {
            EngineHarness h = inTimeWait();
            EngineHarness.PeerSegment syn = h.in("S").seq(RCV - 5000).mss(1460);
            assertThat(h.conn.acceptsNewSyn(syn.seg, h.now)).isFalse();
            assertThat(h.conn.state()).isEqualTo(TcpState.TIME_WAIT);
            syn.deliver();
            h.expect(".", SND + 1, RCV + 101, 0);
            assertThat(h.conn.state()).isEqualTo(TcpState.TIME_WAIT);
        }

        @Test
        void newerTimestampAlsoAdmitsANewSyn() {
            EngineHarness h = EngineHarness.active(TcpConfig.linux().toBuilder().sack(false).windowScaling(false).build());
            h.connect();
            h.next();
            h.in("S.").seq(PEER_ISS).ack(SND).mss(1460).ts(100, 0).deliver();
            h.next();
            h.conn.close(h.now);
            h.next();
            h.in("F.").seq(RCV).ack(SND + 1).ts(101, 0).deliver();
            assertThat(h.conn.state()).isEqualTo(TcpState.TIME_WAIT);
            assertThat(h.conn.acceptsNewSyn(h.in("S").seq(RCV - 100).ts(100, 0).seg, h.now)).isFalse();
            assertThat(h.conn.acceptsNewSyn(h.in("S").seq(RCV - 100).ts(500, 0).seg, h.now)).isTrue();
        }
    }

    @Nested
    class Shutdown {
        @Test
        void writeShutdownSendsFinAfterQueuedDataAndKeepsReading() {
            EngineHarness h = established(EngineHarness.plain());
            h.write(10);
            h.next();
            h.conn.shutdown(ShutdownHow.WRITE, h.now);
            h.expect("F.", SND + 10, RCV, 0);
            assertThat(h.conn.state()).isEqualTo(TcpState.FIN_WAIT1);
            assertThat(errorOf(() -> h.write(1))).isEqualTo(TcpError.OUTPUT_SHUTDOWN);
            h.in(".").seq(RCV).ack(SND + 11).deliver();
            assertThat(h.conn.state()).isEqualTo(TcpState.FIN_WAIT2);
            assertThat(h.conn.nextDeadline()).isEqualTo(Long.MAX_VALUE); // not orphaned: waits indefinitely
            h.in("P.").seq(RCV).ack(SND + 11).data(pattern(0, 300)).deliver();
            assertThat(h.readAvailable()).isEqualTo(pattern(0, 300));
            h.in("F.").seq(RCV + 300).ack(SND + 11).deliver();
            assertThat(h.read(10)).isEqualTo(-1);
            assertThat(h.conn.state()).isEqualTo(TcpState.TIME_WAIT);
        }

        @Test
        void writeShutdownInCloseWaitGoesToLastAck() {
            EngineHarness h = established(EngineHarness.plain());
            h.in("F.").seq(RCV).ack(SND).deliver();
            h.next();
            h.conn.shutdown(ShutdownHow.WRITE, h.now);
            h.expect("F.", SND, RCV + 1, 0);
            assertThat(h.conn.state()).isEqualTo(TcpState.LAST_ACK);
        }

        @Test
        void readShutdownReturnsEndOfFileWhileNothingIsQueuedAndLaterDataStaysReadable() {
            EngineHarness h = established(EngineHarness.plain());
            h.conn.shutdown(ShutdownHow.READ, h.now);
            h.expectNothing();
            assertThat(h.read(10)).isEqualTo(-1);
            assertThat(h.conn.isReadable()).isTrue(); // end-of-file is readiness, as Linux's tcp_poll says
            h.in("P.").seq(RCV).ack(SND).len(500).deliver();
            h.expect(".", SND, RCV + 500, 0);
            // Linux (tcp_recvmsg reads what is queued before looking at RCV_SHUTDOWN): the data is read.
            assertThat(h.conn.available()).isEqualTo(500);
            assertThat(h.readAvailable()).isEqualTo(pattern(0, 500));
            assertThat(h.read(10)).isEqualTo(-1);
            assertThat(h.conn.state()).isEqualTo(TcpState.ESTABLISHED);
            // we can still write
            h.write(5);
            h.expect("P.", SND, RCV + 500, 5);
        }

        @Test
        void readShutdownKeepsWhatWasAlreadyQueued() {
            EngineHarness h = established(EngineHarness.plain());
            h.in("P.").seq(RCV).ack(SND).len(300).deliver();
            h.expect(".", SND, RCV + 300, 0);
            h.conn.shutdown(ShutdownHow.READ, h.now);
            assertThat(h.readAvailable()).isEqualTo(pattern(0, 300));
            assertThat(h.read(10)).isEqualTo(-1);
        }

        @Test
        void dataAfterBothDirectionsAreShutResetsTheConnection() {
            EngineHarness h = established(EngineHarness.plain());
            h.conn.shutdown(ShutdownHow.BOTH, h.now);
            h.expect("F.", SND, RCV, 0);
            h.in(".").seq(RCV).ack(SND + 1).deliver();
            assertThat(h.conn.state()).isEqualTo(TcpState.FIN_WAIT2);
            // Linux's tcp_rcv_state_process: RCV_SHUTDOWN in FIN_WAIT1/2 and new data: reset.
            h.in("P.").seq(RCV).ack(SND + 1).len(100).deliver();
            h.expect("R", SND + 1, 0, 0);
            assertThat(h.conn.state()).isEqualTo(TcpState.CLOSED);
            assertThat(errorOf(() -> h.read(10))).isEqualTo(TcpError.CONNECTION_RESET);
        }

        @Test
        void discardSettingDropsQueuedAndLaterDataAndClosesTheWindow() {
            EngineHarness h = established(EngineHarness.plain().toBuilder()
                    .readShutdownData(ReadShutdownData.DISCARD).receiveBufferSize(4000).receiveBufferAutotuning(false).build());
            h.in("P.").seq(RCV).ack(SND).len(300).deliver();
            int offered = h.expect(".", SND, RCV + 300, 0).window();
            assertThat(offered).isGreaterThan(1000);
            int edge = RCV + 300 + offered;
            h.conn.shutdown(ShutdownHow.READ, h.now);
            h.expectNothing();
            assertThat(h.conn.available()).isZero();
            assertThat(h.read(10)).isEqualTo(-1);
            // What was offered is still taken in, acknowledged and dropped; nothing more is offered.
            h.in("P.").seq(RCV + 300).ack(SND).len(1000).deliver();
            assertThat(h.expect(".", SND, RCV + 1300, 0).window()).isEqualTo(offered - 1000);
            h.in("P.").seq(RCV + 1300).ack(SND).len(offered - 1000).deliver();
            assertThat(h.expect(".", SND, edge, 0).window()).isZero();
            h.in("P.").seq(edge).ack(SND).len(1).deliver();
            assertThat(h.expect(".", SND, edge, 0).window()).isZero();
            assertThat(h.conn.available()).isZero();
            assertThat(h.read(10)).isEqualTo(-1);
            // With both directions shut the window stays closed (no reset: the data is not taken).
            h.conn.shutdown(ShutdownHow.WRITE, h.now);
            assertThat(h.expect("F.", SND, edge, 0).window()).isZero();
            h.in(".").seq(edge).ack(SND + 1).deliver();
            assertThat(h.conn.state()).isEqualTo(TcpState.FIN_WAIT2);
            h.in("P.").seq(edge).ack(SND + 1).len(100).deliver();
            assertThat(h.expect(".", SND + 1, edge, 0).window()).isZero();
            assertThat(h.conn.state()).isEqualTo(TcpState.FIN_WAIT2);
        }

        @Test
        void keepSettingLeavesTheWindowToTheReader() {
            EngineHarness h = established(EngineHarness.plain().toBuilder()
                    .receiveBufferSize(4000).receiveBufferAutotuning(false).build());
            h.conn.shutdown(ShutdownHow.READ, h.now);
            h.in("P.").seq(RCV).ack(SND).len(1000).deliver();
            assertThat(h.expect(".", SND, RCV + 1000, 0).window()).isPositive();
            assertThat(h.readAvailable()).isEqualTo(pattern(0, 1000));
        }

        @Test
        void bothIsReadAndWrite() {
            EngineHarness h = established(EngineHarness.plain());
            h.conn.shutdown(ShutdownHow.BOTH, h.now);
            h.expect("F.", SND, RCV, 0);
            assertThat(h.read(10)).isEqualTo(-1);
            assertThat(errorOf(() -> h.write(1))).isEqualTo(TcpError.OUTPUT_SHUTDOWN);
            h.conn.shutdown(ShutdownHow.BOTH, h.now); // repeated: no-op
            h.expectNothing();
        }

        @Test
        void shutdownBeforeTheConnectionExistsIsNotConnected() {
            EngineHarness h = EngineHarness.active(EngineHarness.plain());
            assertThat(errorOf(() -> h.conn.shutdown(ShutdownHow.WRITE, h.now))).isEqualTo(TcpError.NOT_CONNECTED);
        }

        @Test
        void shutdownInSynSentDropsTheAttemptSilently() {
            // Linux inet_shutdown -> tcp_disconnect (pkt shutdown-syn-sent)
            EngineHarness h = EngineHarness.active(EngineHarness.plain());
            h.connect();
            h.next();
            h.conn.shutdown(ShutdownHow.WRITE, h.now);
            h.expectNothing();
            assertThat(h.conn.state()).isEqualTo(TcpState.CLOSED);
            assertThat(h.conn.isReleased()).isTrue();
            assertThat(h.conn.nextDeadline()).isEqualTo(Long.MAX_VALUE);
        }
    }

    @Nested
    class CloseWithReset {
        @Test
        void closeWithUnreadDataSendsResetInsteadOfFin() {
            EngineHarness h = established(EngineHarness.plain());
            h.in("P.").seq(RCV).ack(SND).len(100).deliver();
            h.next();
            h.conn.close(h.now);
            h.expect("R.", SND, RCV + 100, 0);
            h.expectNothing();
            assertThat(h.conn.state()).isEqualTo(TcpState.CLOSED);
            assertThat(h.conn.isReleased()).isTrue();
            assertThat(h.lastTransition()).isEqualTo("ESTABLISHED->CLOSED: close() with unread data");
        }

        @Test
        void dataArrivingAfterCloseIsAnsweredWithReset() {
            EngineHarness h = established(EngineHarness.plain());
            h.conn.close(h.now);
            h.next();
            h.in(".").seq(RCV).ack(SND + 1).deliver();
            assertThat(h.conn.state()).isEqualTo(TcpState.FIN_WAIT2);
            h.in("P.").seq(RCV).ack(SND + 1).len(10).deliver();
            // Linux (pkt orphan-fin-wait2-data-rst): the RST answers the segment, seq = SEG.ACK, no ACK bit
            h.expect("R", SND + 1, 0, 0);
            assertThat(h.conn.state()).isEqualTo(TcpState.CLOSED);
        }

        @Test
        void aResetInCloseWaitReportsABrokenPipe() {
            // Linux tcp_reset: EPIPE in CLOSE_WAIT (pkt rst-in-close-wait)
            EngineHarness h = established(EngineHarness.plain());
            h.in("F.").seq(RCV).ack(SND).deliver();
            assertThat(h.conn.state()).isEqualTo(TcpState.CLOSE_WAIT);
            h.in("R.").seq(RCV + 1).ack(SND).win(0).deliver();
            assertThat(h.conn.state()).isEqualTo(TcpState.CLOSED);
            assertThat(errorOf(() -> h.write(10))).isEqualTo(TcpError.OUTPUT_SHUTDOWN);
        }

        @Test
        void abortSendsResetAndDropsEverything() {
            EngineHarness h = established(EngineHarness.plain());
            h.write(100);
            h.next();
            h.conn.abort(h.now);
            h.expect("R.", SND + 100, RCV, 0);
            assertThat(h.conn.state()).isEqualTo(TcpState.CLOSED);
            assertThat(h.conn.isReleased()).isTrue();
            assertThat(h.conn.nextDeadline()).isEqualTo(Long.MAX_VALUE);
            h.in(".").seq(RCV).ack(SND + 100).deliver();
            h.expectNothing(); // a CLOSED connection answers nothing itself
        }

        @Test
        void abortInSynSentSendsNothing() {
            EngineHarness h = EngineHarness.active(EngineHarness.plain());
            h.connect();
            h.next();
            h.conn.abort(h.now);
            h.expectNothing();
            assertThat(h.conn.state()).isEqualTo(TcpState.CLOSED);
        }
    }
}
