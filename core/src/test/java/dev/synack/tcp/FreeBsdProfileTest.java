package dev.synack.tcp;

import static dev.synack.tcp.EngineHarness.ISS;
import static dev.synack.tcp.EngineHarness.PEER_ISS;
import static dev.synack.tcp.TerminationTest.errorOf;
import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.wire.TcpSegment;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The settings behind {@link TcpConfig#freebsd()}, each with both of its values: the profile differs
 * from linux() only through them.
 */
class FreeBsdProfileTest {
    static final int SND = ISS + 1;
    static final int RCV = PEER_ISS + 1;
    static final long MS = 1_000_000L;

    /** freebsd() without timestamps, so that segments are plain and times exact. */
    static TcpConfig plainFreebsd() {
        return TcpConfig.freebsd().toBuilder().timestamps(false).build();
    }

    @Test
    void theProfileHoldsFreeBsdsNumbers() {
        TcpConfig f = TcpConfig.freebsd();
        assertThat(f.timeWaitNanos()).isEqualTo(Duration.ofSeconds(60).toNanos());
        assertThat(f.delayedAckMinNanos()).isEqualTo(100 * MS);
        assertThat(f.delayedAckMaxNanos()).isEqualTo(100 * MS);
        assertThat(f.quickAcks()).isZero();
        assertThat(f.windowScale()).isEqualTo(6);
        assertThat(f.receiveBufferSize()).isEqualTo(65536);
        assertThat(f.sendBufferSize()).isEqualTo(32768);
        assertThat(f.minRtoNanos()).isEqualTo(30 * MS);
        assertThat(f.rtoSlopNanos()).isEqualTo(200 * MS);
        assertThat(f.maxRtoNanos()).isEqualTo(Duration.ofSeconds(64).toNanos());
        assertThat(f.persistMinNanos()).isEqualTo(Duration.ofSeconds(5).toNanos());
        assertThat(f.persistMaxNanos()).isEqualTo(Duration.ofSeconds(60).toNanos());
        assertThat(f.keepaliveProbes()).isEqualTo(8);
        assertThat(f.readShutdownData()).isEqualTo(ReadShutdownData.DISCARD);
        assertThat(TcpConfig.profile("freebsd").toString()).isEqualTo(f.toString());
        // linux() keeps its own choices.
        TcpConfig l = TcpConfig.linux();
        assertThat(l.synOptionLayout()).isEqualTo(SynOptionLayout.LINUX);
        assertThat(l.acksRepeatFin()).isFalse();
        assertThat(l.rtoSlopNanos()).isZero();
        assertThat(l.persistMinNanos()).isEqualTo(l.minRtoNanos());
        assertThat(l.rstChallenge()).isTrue();
        assertThat(l.synChallenge()).isTrue();
    }

    @Test
    void theSynCarriesFreeBsdsOptionOrder() {
        EngineHarness h = EngineHarness.active(TcpConfig.freebsd());
        h.conn.connect(h.now);
        TcpSegment syn = h.expect("S", ISS, 0, 0);
        assertThat(syn.window()).isEqualTo(65535);
        assertThat(syn.options().toString()).matches("mss 1460,nop,wscale 6,sackOK,TS val \\d+ ecr 0");
        EngineHarness l = EngineHarness.active(TcpConfig.linux());
        l.conn.connect(l.now);
        TcpSegment linuxSyn = l.expect("S", ISS, 0, 0);
        assertThat(linuxSyn.options().toString()).matches("mss 1460,sackOK,TS val \\d+ ecr 0,nop,wscale 7");
        assertThat(linuxSyn.window()).isEqualTo(64240); // whole segments
    }

    @Test
    void aSynAckToMssAndSackOnlyIsPaddedWithEols() {
        EngineHarness h = EngineHarness.listening(TcpConfig.freebsd(), 8);
        h.in("S").seq(PEER_ISS).mss(1460).sackOk().toListener();
        assertThat(h.expect("S.", ISS, RCV, 0).options().toString()).isEqualTo("mss 1460,sackOK,eol,eol");
        EngineHarness n = EngineHarness.listening(TcpConfig.freebsd().toBuilder().sack(false).build(), 8);
        n.in("S").seq(PEER_ISS).mss(1460).nop().wscale(2).nop().nop().ts(7, 0).toListener();
        assertThat(n.expect("S.", ISS, RCV, 0).options().toString()).matches("mss 1460,nop,wscale 6,nop,nop,TS val \\d+ ecr 7");
    }

    @Test
    void insecureRstResetsAnywhereInTheWindow() {
        EngineHarness h = EngineHarness.active(plainFreebsd().toBuilder().rstChallenge(false).build()).establish();
        h.in("R").seq(RCV + 1000).deliver();
        h.expectNothing();
        assertThat(h.conn.state()).isEqualTo(TcpState.CLOSED);
        assertThat(h.conn.error()).isEqualTo(TcpError.CONNECTION_RESET);
        // Outside the window it is still ignored.
        EngineHarness o = EngineHarness.active(plainFreebsd().toBuilder().rstChallenge(false).build()).establish();
        o.in("R").seq(RCV + 100_000).deliver();
        o.expectNothing();
        assertThat(o.conn.state()).isEqualTo(TcpState.ESTABLISHED);
    }

    @Test
    void secureRstGetsAChallengeAck() {
        EngineHarness h = EngineHarness.active(plainFreebsd()).establish();
        h.in("R").seq(RCV + 1000).deliver();
        h.expect(".", SND, RCV, 0);
        assertThat(h.conn.state()).isEqualTo(TcpState.ESTABLISHED);
    }

    @Test
    void insecureSynInTheWindowResetsTheConnection() {
        EngineHarness h = EngineHarness.active(plainFreebsd().toBuilder().synChallenge(false).build()).establish();
        h.in("S").seq(RCV + 10).deliver();
        h.expect("R.", SND, RCV, 0);
        assertThat(h.conn.state()).isEqualTo(TcpState.CLOSED);
        assertThat(errorOf(() -> h.read(1))).isEqualTo(TcpError.CONNECTION_RESET);
    }

    @Test
    void secureSynGetsAChallengeAck() {
        EngineHarness h = EngineHarness.active(plainFreebsd()).establish();
        h.in("S").seq(RCV + 10).deliver();
        h.expect(".", SND, RCV, 0);
        assertThat(h.conn.state()).isEqualTo(TcpState.ESTABLISHED);
    }

    @Test
    void aSimultaneousCloseIsAnsweredByTheFinAgain() {
        EngineHarness h = EngineHarness.active(plainFreebsd()).establish();
        h.conn.shutdown(ShutdownHow.WRITE, h.now);
        h.expect("F.", SND, RCV, 0);
        h.in("F.").seq(RCV).ack(SND).deliver();
        h.expect("F.", SND, RCV + 1, 0);
        assertThat(h.conn.state()).isEqualTo(TcpState.CLOSING);
        h.in(".").seq(RCV + 1).ack(SND + 1).deliver();
        assertThat(h.conn.state()).isEqualTo(TcpState.TIME_WAIT);
        h.expectNothing();
    }

    @Test
    void theAckOfARetransmittedFinCompletesTheSimultaneousClose() {
        // Both ends FreeBSD: the peer's answer to our FIN is its own FIN again, wholly old by now.
        EngineHarness h = EngineHarness.active(plainFreebsd()).establish();
        h.conn.shutdown(ShutdownHow.WRITE, h.now);
        h.expect("F.", SND, RCV, 0);
        h.in("F.").seq(RCV).ack(SND).deliver();
        h.expect("F.", SND, RCV + 1, 0);
        h.in("F.").seq(RCV).ack(SND + 1).deliver();
        assertThat(h.conn.state()).isEqualTo(TcpState.TIME_WAIT);
        h.expect(".", SND + 1, RCV + 1, 0);
        // Without the setting the old segment is dropped whole: CLOSING waits for a retransmission.
        EngineHarness l = EngineHarness.active(plainFreebsd().toBuilder().oldSegmentAcksProcessed(false).build()).establish();
        l.conn.shutdown(ShutdownHow.WRITE, l.now);
        l.expect("F.", SND, RCV, 0);
        l.in("F.").seq(RCV).ack(SND).deliver();
        l.expect("F.", SND, RCV + 1, 0);
        l.in("F.").seq(RCV).ack(SND + 1).deliver();
        assertThat(l.conn.state()).isEqualTo(TcpState.CLOSING);
    }

    @Test
    void linuxAnswersASimultaneousCloseWithAPlainAck() {
        EngineHarness h = EngineHarness.active(EngineHarness.plain()).establish();
        h.conn.shutdown(ShutdownHow.WRITE, h.now);
        h.expect("F.", SND, RCV, 0);
        h.in("F.").seq(RCV).ack(SND).deliver();
        h.expect(".", SND + 1, RCV + 1, 0);
        assertThat(h.conn.state()).isEqualTo(TcpState.CLOSING);
    }

    @Test
    void theReceiveBufferGrowsToWholeSegmentsOfThePeersMss() {
        EngineHarness h = EngineHarness.active(plainFreebsd()).establish(65535, 1000);
        assertThat(h.conn.receiveBufferSize()).isEqualTo(66000); // 65536 rounded up to 66 x 1000
        EngineHarness l = EngineHarness.active(plainFreebsd().toBuilder().receiveBufferInSegments(false).build()).establish(65535, 1000);
        assertThat(l.conn.receiveBufferSize()).isEqualTo(65536);
    }

    @Test
    void everyWindowOffersAllTheFreeSpace() {
        // 300 bytes then 1 more: FreeBSD offers the free space each time (the right edge moves by 1).
        EngineHarness h = EngineHarness.active(plainFreebsd().toBuilder().receiveBufferSize(8000).receiveBufferAutotuning(false)
                .receiveBufferInSegments(false).build()).establish();
        h.in("P.").seq(RCV).ack(SND).len(300).deliver();
        h.advanceMillis(100);
        assertThat(h.expect(".", SND, RCV + 300, 0).window()).isEqualTo(7700);
        h.read(300);
        h.in("P.").seq(RCV + 300).ack(SND).len(1).deliver();
        h.advanceMillis(100);
        assertThat(h.expect(".", SND, RCV + 301, 0).window()).isEqualTo(7999);
        // With the SWS threshold on the offer the edge stays where it was (7700 from 300 on).
        EngineHarness l = EngineHarness.active(plainFreebsd().toBuilder().receiveBufferSize(8000).receiveBufferAutotuning(false)
                .receiveBufferInSegments(false).windowOffersFreeSpace(false).build()).establish();
        l.in("P.").seq(RCV).ack(SND).len(300).deliver();
        l.advanceMillis(100);
        assertThat(l.expect(".", SND, RCV + 300, 0).window()).isEqualTo(7700);
        l.read(300);
        l.in("P.").seq(RCV + 300).ack(SND).len(1).deliver();
        l.advanceMillis(100);
        assertThat(l.expect(".", SND, RCV + 301, 0).window()).isEqualTo(7699);
    }

    @Test
    void theRtoCarriesTheSlopAboveTheMinimum() {
        // SYN-ACK after 10 ms: SRTT 10 ms, RTTVAR 5 ms; RTO = 10 + 20 + 200 ms slop.
        assertThat(firstDataRetransmission(plainFreebsd())).isEqualTo(230 * MS);
        // Without the slop the 30 ms minimum applies: 10 + 20 = 30 ms.
        assertThat(firstDataRetransmission(plainFreebsd().toBuilder().rtoSlop(Duration.ZERO).build())).isEqualTo(30 * MS);
    }

    private static long firstDataRetransmission(TcpConfig config) {
        EngineHarness h = EngineHarness.active(config);
        h.conn.connect(h.now);
        h.expect("S", ISS, 0, 0);
        h.now += 10 * MS;
        h.in("S.").seq(PEER_ISS).ack(SND).mss(1460).deliver();
        h.expect(".", SND, RCV, 0);
        long sentAt = h.now;
        h.write(100);
        h.expect("P.", SND, RCV, 100);
        h.fireNextDeadline();
        assertThat(h.expect("P.", SND, RCV, 100)).isNotNull();
        return h.now - sentAt;
    }

    @Test
    void thePersistIntervalIsHeldBetweenFiveAndSixtySeconds() {
        assertThat(firstZeroWindowProbe(plainFreebsd())).isEqualTo(5_000 * MS);
        // Without the range, the RTO's bounds: the 230 ms RTO itself.
        assertThat(firstZeroWindowProbe(plainFreebsd().toBuilder().persistRange(Duration.ZERO, Duration.ZERO).build()))
                .isEqualTo(230 * MS);
    }

    private static long firstZeroWindowProbe(TcpConfig config) {
        EngineHarness h = EngineHarness.active(config);
        h.conn.connect(h.now);
        h.expect("S", ISS, 0, 0);
        h.now += 10 * MS;
        h.in("S.").seq(PEER_ISS).ack(SND).win(0).mss(1460).deliver();
        h.expect(".", SND, RCV, 0);
        long start = h.now;
        h.write(100);
        h.expectNothing();
        h.fireNextDeadline();
        h.next();
        return h.now - start;
    }
}
