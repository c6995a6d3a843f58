package dev.synack.tcp;

import static dev.synack.tcp.EngineHarness.ISS;
import static dev.synack.tcp.EngineHarness.PEER_ISS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synack.wire.TcpFlags;
import dev.synack.wire.TcpSegment;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The compact TIME_WAIT record: once its connection lets it go, it answers, restarts, expires and
 * reports exactly as the connection did; and the connection (the user's view) follows it.
 */
class TimeWaitRecordTest {
    static final int SND = ISS + 1;
    static final int RCV = PEER_ISS + 1;
    static final long SECOND = Duration.ofSeconds(1).toNanos();

    /** Linux's defaults: timestamps, SACK and window scaling all agreed. */
    static final TcpConfig LINUX = TcpConfig.linux();

    /**
     * Active open with every option, 100 bytes received (unread), close after reading them, the
     * peer's FIN+ACK: TIME_WAIT, with the ACK of the FIN taken off the output.
     */
    static EngineHarness inTimeWait(TcpConfig config) {
        EngineHarness h = EngineHarness.active(config);
        h.now = 5 * SECOND; // so that our timestamps are not 0
        h.connect();
        h.next();
        h.in("S.").seq(PEER_ISS).ack(SND).mss(1460).sackOk().ts(100, 0).nop().wscale(7).deliver();
        h.next();
        h.in("P.").seq(RCV).ack(SND).ts(110, 0).len(100).deliver();
        h.clearSent();
        assertThat(h.readAvailable()).hasSize(100);
        h.conn.close(h.now);
        h.expect("F.", SND, RCV + 100, 0);
        h.now += 10_000_000L;
        h.in("F.").seq(RCV + 100).ack(SND + 1).ts(120, 0).deliver();
        h.expect(".", SND + 1, RCV + 101, 0);
        assertThat(h.conn.state()).isEqualTo(TcpState.TIME_WAIT);
        return h;
    }

    /** What a segment says on the wire, in one line. */
    static String describe(TcpSegment s) {
        return TcpFlags.tcpdump(s.flags()) + " seq " + s.seq() + " ack " + s.ack() + " win " + s.window()
                + " len " + s.payloadLength() + " [" + s.options() + "]";
    }

    static List<String> drain(EngineHarness h) {
        List<String> out = new ArrayList<>();
        while (!h.sent.isEmpty()) out.add(describe(h.next()));
        return out;
    }

    /** Hands {@code seg} to a detached record as the stack does. */
    static void toRecord(EngineHarness h, TimeWaitRecord r, EngineHarness.PeerSegment seg) {
        r.segmentArrived(seg.seg, h.now, h, new TcpSegment());
    }

    @Test
    void aDetachedRecordSendsAndReportsWhatTheConnectionWouldHave() {
        EngineHarness attached = inTimeWait(LINUX);
        EngineHarness detached = inTimeWait(LINUX);
        TimeWaitRecord record = detached.conn.detachTimeWait();
        assertThat(record).isNotNull();
        assertThat(record.isDetached()).isTrue();
        assertThat(record.tuple()).isEqualTo(EngineHarness.TUPLE);

        // Each step: a segment from the peer, built alike for both, after some time has passed.
        List<Function<EngineHarness, EngineHarness.PeerSegment>> script = List.of(
                h -> h.in("F.").seq(RCV + 100).ack(SND + 1).ts(130, 0),          // our ACK was lost: re-ACK, restart 2MSL
                h -> h.in("P.").seq(RCV).ack(SND + 1).ts(131, 0).len(100),       // old duplicate data: ACK
                h -> h.in(".").seq(RCV + 101).ack(SND + 1).ts(132, 0),           // late bare ACK: nothing
                h -> h.in("R").seq(RCV + 101),                                   // RFC 1337: ignored
                h -> h.in("S").seq(RCV - 5000).ts(133, 0).mss(1460),             // old SYN: challenge ACK
                h -> h.in("F.").seq(RCV + 100).ack(SND + 1).ts(50, 0),           // PAWS: an old duplicate
                h -> h.in("F.").seq(RCV + 100).ack(SND + 1));                    // no timestamp at all
        long[] gaps = {30 * SECOND, SECOND, 2 * SECOND, SECOND, 3 * SECOND, SECOND, 20 * SECOND};
        for (int i = 0; i < script.size(); i++) {
            attached.now += gaps[i];
            detached.now += gaps[i];
            attached.conn.segmentArrived(script.get(i).apply(attached).seg, attached.now);
            toRecord(detached, record, script.get(i).apply(detached));
            assertThat(drain(detached)).as("step %d", i).isEqualTo(drain(attached));
            assertThat(detached.drops).as("step %d", i).isEqualTo(attached.drops);
            assertThat(record.nextDeadline()).as("step %d", i).isEqualTo(attached.conn.nextDeadline());
            assertThat(detached.conn.state()).isEqualTo(TcpState.TIME_WAIT);
        }
        assertThat(attached.drops).containsExactly("old duplicate in TIME_WAIT", "RST in TIME_WAIT ignored (RFC 1337)",
                "SYN in TIME_WAIT not accepted as a new connection: challenge ACK (RFC 5961 §4)",
                "old duplicate in TIME_WAIT");
        // The detached record's drops name no connection: the harness records them alike.
        assertThat(detached.recordTransitions).isEmpty();

        // Expiry: the same timer and state change, through the record's own events.
        long deadline = attached.conn.nextDeadline();
        attached.advanceTo(deadline);
        detached.now = deadline - 1;
        record.deadlineReached(detached.now, detached);
        assertThat(record.state()).isEqualTo(TcpState.TIME_WAIT); // not yet
        detached.now = deadline;
        record.deadlineReached(detached.now, detached);
        assertThat(attached.timers).containsExactly("time-wait");
        assertThat(detached.recordTimers).containsExactly("time-wait");
        assertThat(attached.lastTransition()).isEqualTo("TIME_WAIT->CLOSED: 2MSL timer");
        assertThat(detached.recordTransitions).containsExactly("TIME_WAIT->CLOSED: 2MSL timer");
        assertThat(record.isReleased()).isTrue();
        assertThat(record.nextDeadline()).isEqualTo(Long.MAX_VALUE);
        detached.expectNothing();
    }

    @Test
    void theAckOfADetachedRecordCarriesTheWindowAndTimestampsOfTheConnection() {
        EngineHarness h = inTimeWait(LINUX);
        // The ACK of the FIN, sent by the connection itself, was taken off by inTimeWait: send it again.
        h.in("F.").seq(RCV + 100).ack(SND + 1).ts(121, 0).deliver();
        TcpSegment finAck = h.next();
        TimeWaitRecord r = h.conn.detachTimeWait();
        h.now += SECOND;
        toRecord(h, r, h.in("F.").seq(RCV + 100).ack(SND + 1).ts(122, 0));
        TcpSegment ack = h.next();
        assertThat(ack.window()).isEqualTo(finAck.window()).isPositive();
        assertThat(ack.options().hasTimestamps()).isTrue();
        assertThat(ack.options().tsEcr()).isEqualTo(120); // TS.Recent froze with the FIN that ended the connection
        assertThat(ack.options().tsVal()).isEqualTo(finAck.options().tsVal() + 1000); // one second of 1 ms ticks later
    }

    @Test
    void aNewerSynEndsADetachedRecordAndAnOlderOneDoesNot() {
        EngineHarness h = inTimeWait(LINUX);
        TimeWaitRecord r = h.conn.detachTimeWait();
        assertThat(r.acceptsNewSyn(h.in("S").seq(RCV + 5000).ts(100, 0).seg, h.now, h)).as("PAWS: older timestamp").isFalse();
        assertThat(r.acceptsNewSyn(h.in("S").seq(RCV - 5000).ts(120, 0).seg, h.now, h)).as("neither newer").isFalse();
        assertThat(r.acceptsNewSyn(h.in("S.").seq(RCV + 5000).ts(500, 0).seg, h.now, h)).as("not a bare SYN").isFalse();
        assertThat(r.state()).isEqualTo(TcpState.TIME_WAIT);
        assertThat(r.acceptsNewSyn(h.in("S").seq(RCV - 5000).ts(121, 0).seg, h.now, h)).as("newer timestamp").isTrue();
        assertThat(r.state()).isEqualTo(TcpState.CLOSED);
        assertThat(h.recordTransitions).containsExactly("TIME_WAIT->CLOSED: new SYN in TIME_WAIT (RFC 6191)");
        assertThat(h.conn.state()).isEqualTo(TcpState.CLOSED);
        assertThat(h.conn.isReleased()).isTrue();
        h.expectNothing();
    }

    @Test
    void aHigherSequenceNumberAloneAdmitsANewSynWithoutTimestamps() {
        EngineHarness h = inTimeWait(LINUX);
        TimeWaitRecord r = h.conn.detachTimeWait();
        assertThat(r.acceptsNewSyn(h.in("S").seq(RCV + 100).seg, h.now, h)).isFalse(); // RCV.NXT itself is not above
        assertThat(r.acceptsNewSyn(h.in("S").seq(RCV + 102).seg, h.now, h)).isTrue();
    }

    @Test
    void theChallengeAckBudgetCarriesOverIntoTheRecord() {
        // The RFC 5961 §7 budget alone, without Linux's per-connection interval in front of it.
        EngineHarness h = inTimeWait(LINUX.toBuilder().challengeAckLimit(2).invalidRateLimit(Duration.ZERO).build());
        TimeWaitRecord r = h.conn.detachTimeWait();
        toRecord(h, r, h.in("S").seq(RCV - 5000).ts(130, 0));
        toRecord(h, r, h.in("S").seq(RCV - 5000).ts(130, 0));
        toRecord(h, r, h.in("S").seq(RCV - 5000).ts(130, 0));
        assertThat(drain(h)).hasSize(2); // RFC 5961 §7: two a second
        h.now += SECOND;
        toRecord(h, r, h.in("S").seq(RCV - 5000).ts(131, 0));
        assertThat(drain(h)).hasSize(1);

        // Spent before TIME_WAIT: a SYN in ESTABLISHED takes the whole budget of one.
        EngineHarness e = EngineHarness.active(EngineHarness.plain().toBuilder().challengeAckLimit(1)
                .invalidRateLimit(Duration.ZERO).build()).establish();
        e.in("S").seq(RCV + 10).deliver();
        e.expect(".", SND, RCV, 0);
        e.conn.close(e.now);
        e.next();
        e.in("F.").seq(RCV).ack(SND + 1).deliver();
        e.next();
        TimeWaitRecord er = e.conn.detachTimeWait();
        toRecord(e, er, e.in("S").seq(RCV - 5000));
        e.expectNothing();
        assertThat(e.drops).contains("SYN in TIME_WAIT not accepted as a new connection: challenge ACK (RFC 5961 §4)");
    }

    /** shutdown(WRITE), then 50 bytes and the peer's FIN: TIME_WAIT with the bytes unread. */
    static EngineHarness inTimeWaitWithUnreadData() {
        EngineHarness h = EngineHarness.active(EngineHarness.plain()).establish();
        assertThat(h.conn.detachTimeWait()).as("not in TIME_WAIT").isNull();
        h.conn.shutdown(ShutdownHow.WRITE, h.now);
        h.next();
        h.in("P.").seq(RCV).ack(SND + 1).len(50).deliver();
        h.in("F.").seq(RCV + 50).ack(SND + 1).deliver();
        h.clearSent();
        assertThat(h.conn.state()).isEqualTo(TcpState.TIME_WAIT);
        return h;
    }

    @Test
    void theConnectionKeepsTheRecordWhileTheUserHasDataToRead() {
        EngineHarness h = inTimeWaitWithUnreadData();
        EngineHarness twin = inTimeWaitWithUnreadData();
        assertThat(h.conn.detachTimeWait()).as("50 bytes unread").isNull();
        // Still attached: the connection answers as it always did.
        h.in("F.").seq(RCV + 50).ack(SND + 1).deliver();
        twin.in("F.").seq(RCV + 50).ack(SND + 1).deliver();
        assertThat(describe(h.expect(".", SND + 1, RCV + 51, 0))).isEqualTo(describe(twin.next()));
        assertThat(h.readAvailable()).hasSize(50);
        assertThat(twin.readAvailable()).hasSize(50);
        TimeWaitRecord r = h.conn.detachTimeWait();
        assertThat(r).isNotNull();
        assertThat(h.conn.detachTimeWait()).as("only once").isNull();
        assertThat(h.conn.timeWaitRecord()).isSameAs(r);
        // Detached after the read: its ACK has the window the connection would now advertise.
        toRecord(h, r, h.in("F.").seq(RCV + 50).ack(SND + 1));
        twin.in("F.").seq(RCV + 50).ack(SND + 1).deliver();
        assertThat(describe(h.expect(".", SND + 1, RCV + 51, 0))).isEqualTo(describe(twin.next()));
        assertThat(h.conn.read(ByteBuffer.allocate(10), h.now)).isEqualTo(-1);
    }

    @Test
    void theUserViewFollowsADetachedRecordToClosed() {
        EngineHarness attached = inTimeWait(EngineHarness.plain());
        EngineHarness detached = inTimeWait(EngineHarness.plain());
        TimeWaitRecord r = detached.conn.detachTimeWait();
        assertThat(detached.conn.nextDeadline()).isEqualTo(r.nextDeadline());
        attached.advance(Duration.ofSeconds(61));
        detached.now += Duration.ofSeconds(61).toNanos();
        r.deadlineReached(detached.now, detached);
        for (EngineHarness h : List.of(attached, detached)) {
            Connection c = h.conn;
            assertThat(c.state()).isEqualTo(TcpState.CLOSED);
            assertThat(c.isReleased()).isTrue();
            assertThat(c.nextDeadline()).isEqualTo(Long.MAX_VALUE);
            assertThat(c.isReadable()).isTrue();
            assertThat(c.isWritable()).isTrue();
            assertThat(c.isConnectDone()).isTrue();
            assertThat(c.toString()).endsWith("CLOSED]");
            assertThat(TerminationTest.errorOf(() -> c.read(ByteBuffer.allocate(1), h.now))).isEqualTo(TcpError.CLOSED);
            assertThat(TerminationTest.errorOf(() -> c.write(ByteBuffer.allocate(1), h.now))).isEqualTo(TcpError.OUTPUT_SHUTDOWN);
            assertThat(TerminationTest.errorOf(() -> c.shutdown(ShutdownHow.BOTH, h.now))).isEqualTo(TcpError.NOT_CONNECTED);
            assertThat(TerminationTest.errorOf(() -> c.connect(h.now))).isEqualTo(TcpError.CLOSED);
            c.close(h.now);
            c.abort(h.now);
            c.segmentArrived(h.in("F.").seq(RCV + 100).ack(SND + 1).seg, h.now);
            assertThat(c.acceptsNewSyn(h.in("S").seq(RCV + 5000).seg, h.now)).isFalse();
            h.expectNothing();
        }
        assertThat(detached.transitions).doesNotContain("TIME_WAIT->CLOSED: 2MSL timer"); // the record reported it
        assertThat(detached.recordTransitions).containsExactly("TIME_WAIT->CLOSED: 2MSL timer");
        assertThat(detached.drops).isEqualTo(attached.drops).containsExactly("connection released");
    }

    @Test
    void abortInTimeWaitClosesTheRecordAttachedOrNot() {
        EngineHarness attached = inTimeWait(EngineHarness.plain());
        EngineHarness detached = inTimeWait(EngineHarness.plain());
        TimeWaitRecord r = detached.conn.detachTimeWait();
        attached.conn.abort(attached.now);
        detached.conn.abort(detached.now);
        for (EngineHarness h : List.of(attached, detached)) {
            assertThat(h.lastTransition()).isEqualTo("TIME_WAIT->CLOSED: abort()");
            assertThat(h.conn.isReleased()).isTrue();
            h.expectNothing(); // no RST from TIME_WAIT
        }
        assertThat(r.isReleased()).isTrue();
        assertThat(attached.conn.timeWaitRecord().isReleased()).isTrue();
    }

    @Test
    void anAttachedRecordIsDrivenOnlyThroughItsConnection() {
        EngineHarness h = inTimeWait(EngineHarness.plain());
        TimeWaitRecord r = h.conn.timeWaitRecord();
        assertThat(r.isDetached()).isFalse();
        assertThatThrownBy(() -> r.segmentArrived(h.in("F.").seq(RCV + 100).ack(SND + 1).seg, h.now, h, new TcpSegment()))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> r.deadlineReached(h.now + 100 * SECOND, h)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> r.acceptsNewSyn(h.in("S").seq(RCV + 5000).seg, h.now, h)).isInstanceOf(IllegalStateException.class);
        assertThat(r.state()).isEqualTo(TcpState.TIME_WAIT);
        h.expectNothing();
    }
}
