package dev.synack.tcp;

import static dev.synack.tcp.EngineHarness.ISS;
import static dev.synack.tcp.EngineHarness.PEER_ISS;
import static dev.synack.tcp.EngineHarness.pattern;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** MSG_EOR (records whose ends no segment crosses), MSG_MORE and TCP_CORK (small segments held back). */
class RecordsAndCorkingTest {
    static final int SND = ISS + 1;
    static final int RCV = PEER_ISS + 1;
    static final int MSS = 1460;

    private static int write(EngineHarness h, int length, int flags) {
        return h.conn.write(ByteBuffer.wrap(pattern(0, length)), flags, h.now);
    }

    /** Ten full segments fill the initial window, so what is written next waits for an ACK. */
    private static EngineHarness withFullWindow() {
        EngineHarness h = EngineHarness.active(EngineHarness.plain()).establish();
        h.write(10 * MSS);
        for (int i = 0; i < 10; i++) h.next();
        h.expectNothing();
        return h;
    }

    @Nested
    class Records {
        @Test
        void queuedRecordsLeaveInSegmentsOfTheirOwnEachPushed() {
            EngineHarness h = withFullWindow();
            write(h, 300, WriteFlags.END_OF_RECORD);
            write(h, 200, WriteFlags.END_OF_RECORD);
            h.write(2 * MSS);
            h.in(".").seq(RCV).ack(SND + 10 * MSS).deliver();
            int at = SND + 10 * MSS;
            h.expect("P.", at, RCV, 300);
            h.expect("P.", at + 300, RCV, 200);
            h.expect(".", at + 500, RCV, MSS);
            h.expect("P.", at + 500 + MSS, RCV, MSS);
            h.expectNothing();
        }

        @Test
        void aRetransmissionStopsAtARecordEnd() {
            EngineHarness h = EngineHarness.active(EngineHarness.plain()).establish();
            h.conn.setNoDelay(true);
            write(h, 300, WriteFlags.END_OF_RECORD);
            write(h, 400, WriteFlags.END_OF_RECORD);
            h.expect("P.", SND, RCV, 300);
            h.expect("P.", SND + 300, RCV, 400);
            h.fireNextDeadline(); // the retransmission timeout
            h.expect("P.", SND, RCV, 300);
            h.expectNothing();
        }

        @Test
        void aTailLossProbeWithNewDataStopsAtARecordEnd() {
            // SACK agreed, SRTT 100 ms, segments of 1000 bytes: ten fill the initial window.
            EngineHarness h = LossRecoveryTest.established(EngineHarness.plain().toBuilder().sack(true).build());
            h.write(10 * 1000);
            for (int i = 0; i < 10; i++) h.next();
            write(h, 300, WriteFlags.END_OF_RECORD);
            write(h, 500, WriteFlags.END_OF_RECORD);
            h.expectNothing(); // cwnd is full
            h.fireNextDeadline();
            assertThat(h.timers).containsExactly("loss-probe");
            h.expect("P.", SND + 10 * 1000, RCV, 300); // new data, the first record only
            h.expectNothing();
        }

        @Test
        void withoutTheFlagWritesJoinAsBefore() {
            EngineHarness h = withFullWindow();
            write(h, 300, 0);
            write(h, 200, 0);
            h.in(".").seq(RCV).ack(SND + 10 * MSS).deliver();
            h.expect("P.", SND + 10 * MSS, RCV, 500);
        }

        @Test
        void aRecordEndsOnlyWhenTheWholeWriteWasTaken() {
            TcpConfig config = EngineHarness.plain().toBuilder().sendBufferSize(10 * MSS + 100).build();
            EngineHarness h = EngineHarness.active(config).establish();
            h.write(10 * MSS);
            for (int i = 0; i < 10; i++) h.next();
            assertThat(write(h, 300, WriteFlags.END_OF_RECORD)).isEqualTo(100); // partly taken: no record end yet
            h.in(".").seq(RCV).ack(SND + 10 * MSS).deliver();
            h.expect("P.", SND + 10 * MSS, RCV, 100); // ends the data written so far
            h.in(".").seq(RCV).ack(SND + 10 * MSS + 100).deliver();
            h.conn.setNoDelay(true);
            write(h, 200, WriteFlags.END_OF_RECORD);
            h.write(50);
            h.expect("P.", SND + 10 * MSS + 100, RCV, 200);
            h.expect("P.", SND + 10 * MSS + 300, RCV, 50);
        }
    }

    @Nested
    class Corking {
        @Test
        void corkHoldsAPartialSegmentUntilCleared() {
            EngineHarness h = EngineHarness.active(EngineHarness.plain()).establish();
            h.conn.setCork(true, h.now);
            h.write(100);
            h.write(MSS);
            h.expect(".", SND, RCV, MSS); // a full segment goes; its end is not a write's end
            h.expectNothing();
            h.in(".").seq(RCV).ack(SND + MSS).deliver();
            h.expectNothing(); // still corked, though nothing is in flight
            h.conn.setCork(false, h.now);
            h.expect("P.", SND + MSS, RCV, 100);
        }

        @Test
        void thePersistTimerSendsCorkedDataAfterAnRto() {
            EngineHarness h = EngineHarness.active(EngineHarness.plain()).establish();
            h.conn.setCork(true, h.now);
            long start = h.now;
            h.write(100);
            h.expectNothing();
            long fired = h.fireNextDeadline();
            assertThat(fired - start).isGreaterThanOrEqualTo(h.config.minRtoNanos());
            h.expect("P.", SND, RCV, 100);
        }

        @Test
        void settingNoDelayPushesWhatTheCorkHeld() {
            EngineHarness h = EngineHarness.active(EngineHarness.plain()).establish();
            h.conn.setCork(true, h.now);
            h.write(100);
            h.expectNothing();
            h.conn.setNoDelay(true, h.now);
            h.expect("P.", SND, RCV, 100);
            assertThat(h.conn.isCorked()).isTrue();
        }

        @Test
        void msgMoreCorksOnlyItsOwnCallAndLeavesTheEndUnpushed() {
            EngineHarness h = EngineHarness.active(EngineHarness.plain()).establish();
            h.conn.setNoDelay(true);
            write(h, 100, WriteFlags.MORE);
            h.expectNothing();
            write(h, 50, 0);
            h.expect("P.", SND, RCV, 150);
            write(h, 100, WriteFlags.MORE);
            h.expectNothing();
            h.in(".").seq(RCV).ack(SND + 150).deliver(); // the ACK sends as TCP_NODELAY allows
            h.expect(".", SND + 150, RCV, 100);
        }

        @Test
        void aFinPushesCorkedData() {
            EngineHarness h = EngineHarness.active(EngineHarness.plain()).establish();
            h.conn.setCork(true, h.now);
            h.write(100);
            h.expectNothing();
            h.conn.shutdown(ShutdownHow.WRITE, h.now);
            h.expect("FP.", SND, RCV, 100);
        }
    }
}
