package dev.synack.tcp;

import static dev.synack.tcp.EngineHarness.ISS;
import static dev.synack.tcp.EngineHarness.PEER_ISS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.wire.TcpOptions;
import dev.synack.wire.TcpSegment;
import java.time.Duration;
import dev.synack.wire.IpAddress;
import org.junit.jupiter.api.Test;

/** SYN cookies (RFC 4987 §3.6, Linux's syncookies.c layout): the cookie itself and the listener's stateless path. */
class SynCookiesTest {
    private static final FourTuple TUPLE = new FourTuple(0x0a000001, 80, 0x0a000002, 40000);
    private static final long MINUTE = Duration.ofSeconds(60).toNanos();
    private final SynCookies cookies = IsnGenerator.fixed(0).synCookies();

    @Test
    void theTableMssRoundsDown() {
        assertThat(SynCookies.mssIndex(100)).isZero();
        assertThat(SynCookies.mssIndex(536)).isZero();
        assertThat(SynCookies.mssIndex(1299)).isZero();
        assertThat(SynCookies.mssIndex(1300)).isEqualTo(1);
        assertThat(SynCookies.mssIndex(1439)).isEqualTo(1);
        assertThat(SynCookies.mssIndex(1440)).isEqualTo(2);
        assertThat(SynCookies.mssIndex(1460)).isEqualTo(3);
        assertThat(SynCookies.mssIndex(9000)).isEqualTo(3);
    }

    @Test
    void aCookieDecodesForItsTupleAndIsnInThisPeriodAndTheNextOnly() {
        long t = 5 * MINUTE + 123;
        for (int mss : new int[] {536, 1300, 1440, 1460, 1400, 600, 65535}) {
            int c = cookies.cookie(TUPLE, PEER_ISS, mss, t);
            int expected = SynCookies.MSS_TABLE[SynCookies.mssIndex(mss)];
            assertThat(cookies.check(TUPLE, PEER_ISS, c, t)).isEqualTo(expected);
            assertThat(cookies.check(TUPLE, PEER_ISS, c, 6 * MINUTE - 1)).isEqualTo(expected);
            assertThat(cookies.check(TUPLE, PEER_ISS, c, 6 * MINUTE + 59 * 1_000_000_000L)).isEqualTo(expected);
            assertThat(cookies.check(TUPLE, PEER_ISS, c, 7 * MINUTE)).as("two periods later").isZero();
            // The peer's ISN is added into the cookie, not hashed (as Linux's): an ISN off by one moves
            // the table index by one, so "another ISN" here is one far off.
            assertThat(cookies.check(TUPLE, PEER_ISS + (1 << 20), c, t)).as("another ISN").isZero();
            assertThat(cookies.check(new FourTuple(0x0a000001, 80, 0x0a000002, 40001), PEER_ISS, c, t)).as("another port").isZero();
            assertThat(cookies.check(TUPLE, PEER_ISS, c, 4 * MINUTE)).as("from the future").isZero();
        }
    }

    /** The whole IPv6 4-tuple is hashed: tuples that differ only in an address's high bits get different cookies and ISNs. */
    @Test
    void ipv6TuplesAreHashedWhole() {
        FourTuple a = new FourTuple(IpAddress.parse("fd00::1"), 80, IpAddress.parse("fd00::2"), 40000);
        FourTuple b = new FourTuple(IpAddress.parse("fd01::1"), 80, IpAddress.parse("fd00::2"), 40000);
        FourTuple c = new FourTuple(IpAddress.parse("fd00::1"), 80, IpAddress.parse("2001:db8::2"), 40000);
        int cookie = cookies.cookie(a, PEER_ISS, 1440, 0);
        assertThat(cookies.check(a, PEER_ISS, cookie, 0)).isEqualTo(1440);
        assertThat(cookies.check(b, PEER_ISS, cookie, 0)).isZero();
        assertThat(cookies.check(c, PEER_ISS, cookie, 0)).isZero();
        Rfc6528IsnGenerator isn = new Rfc6528IsnGenerator(new byte[] {7});
        assertThat(isn.isn(a, 0)).isNotEqualTo(isn.isn(b, 0)).isNotEqualTo(isn.isn(c, 0));
        // IPv4 keeps its 12-byte layout: the same ISN as a tuple of the same addresses always had.
        assertThat(isn.isn(new FourTuple(1, 80, 2, 40000), 0)).isEqualTo(isn.isn(new FourTuple(IpAddress.ipv4(1), 80, IpAddress.ipv4(2), 40000), 0));
    }

    @Test
    void differentKeysMakeDifferentCookies() {
        SynCookies other = new Rfc6528IsnGenerator(new byte[] {1, 2, 3}).synCookies();
        int c = cookies.cookie(TUPLE, PEER_ISS, 1460, 0);
        assertThat(other.cookie(TUPLE, PEER_ISS, 1460, 0)).isNotEqualTo(c);
        assertThat(other.check(TUPLE, PEER_ISS, c, 0)).isZero();
    }

    @Test
    void theTimestampKeepsTheOptionsAndNeverRunsAhead() {
        for (int tsNow : new int[] {0, 63, 64, 1000, 0x7fffffff, -1, -64}) {
            for (int ws = -1; ws <= 14; ws++) {
                for (boolean sack : new boolean[] {false, true}) {
                    int ts = SynCookies.timestamp(tsNow, ws, sack);
                    assertThat(Seq.le(ts, tsNow)).isTrue();
                    assertThat(tsNow - ts).isLessThan(128);
                    SynCookies.Offered o = SynCookies.offered(ts, TcpConfig.linux());
                    assertThat(o.sack()).isEqualTo(sack);
                    assertThat(o.windowScale()).isEqualTo(ws);
                }
            }
        }
        TcpConfig noSack = TcpConfig.linux().toBuilder().sack(false).build();
        assertThat(SynCookies.offered(SynCookies.timestamp(1000, 7, true), noSack)).isNull();
        TcpConfig noWs = TcpConfig.linux().toBuilder().windowScaling(false).build();
        assertThat(SynCookies.offered(SynCookies.timestamp(1000, 7, false), noWs)).isNull();
        assertThat(SynCookies.offered((1000 & ~63) | 15, noWs).windowScale()).isEqualTo(-1);
        assertThat(SynCookies.offered((1000 & ~63) | (15 - 1), TcpConfig.linux())).isNotNull();
    }

    // ---- the listener's path ----

    private static TcpConfig config(boolean ts, boolean sack, boolean ws) {
        return TcpConfig.linux().toBuilder().timestamps(ts).sack(sack).windowScaling(ws).synCookies(2).build();
    }

    /** Sends a SYN (with every option the config has) to a cookie-always listener; returns its SYN-ACK. */
    private static TcpSegment synAck(EngineHarness h, int port, int mss, boolean ts, boolean sack, boolean ws) {
        EngineHarness.PeerSegment syn = h.in("S").from(port).seq(PEER_ISS).mss(mss);
        if (sack) syn.sackOk();
        if (ts) syn.ts(777, 0);
        if (ws) syn.nop().wscale(7);
        assertThat(syn.toListener()).isNull();
        assertThat(h.listener.synQueueLength()).as("no state kept").isZero();
        TcpSegment sa = h.next();
        assertThat(sa.has(dev.synack.wire.TcpFlags.SYN) && sa.has(dev.synack.wire.TcpFlags.ACK)).isTrue();
        assertThat(sa.ack()).isEqualTo(PEER_ISS + 1);
        return sa;
    }

    @Test
    void everyOptionCombinationSurvivesTheRoundTrip() {
        for (boolean ts : new boolean[] {false, true}) {
            for (boolean sack : new boolean[] {false, true}) {
                for (boolean ws : new boolean[] {false, true}) {
                    for (int mss : new int[] {536, 1300, 1440, 1460, 1400, 500}) {
                        roundTrip(ts, sack, ws, mss);
                    }
                }
            }
        }
    }

    private static void roundTrip(boolean ts, boolean sack, boolean ws, int mss) {
        String what = "ts=" + ts + " sack=" + sack + " ws=" + ws + " mss=" + mss;
        EngineHarness h = EngineHarness.listening(config(ts, sack, ws), 4);
        h.now = 3 * MINUTE;
        TcpSegment sa = synAck(h, 1001, mss, ts, sack, ws);
        TcpOptions o = sa.options();
        assertThat(o.hasTimestamps()).as(what).isEqualTo(ts);
        // Without timestamps nothing carries SACK or window scale back: the SYN-ACK offers neither.
        assertThat(o.sackPermittedPresent()).as(what).isEqualTo(ts && sack);
        assertThat(o.hasWindowScale()).as(what).isEqualTo(ts && ws);
        assertThat(o.mss()).as(what).isEqualTo(1460);
        int cookie = sa.seq();
        assertThat(cookie).as("a cookie, not the generator's ISN").isNotEqualTo(ISS);

        h.now += 200_000_000L;
        EngineHarness.PeerSegment ack = h.in(".").from(1001).seq(PEER_ISS + 1).ack(cookie + 1).win(1000);
        if (ts) ack.ts(778, o.tsVal());
        Connection child = ack.toListener();
        assertThat(child).as(what).isNotNull();
        assertThat(child.state()).as(what).isEqualTo(TcpState.ESTABLISHED);
        assertThat(h.listener.accept()).isSameAs(child);
        TcpInfo info = child.tcpInfo(h.now);
        int tableMss = SynCookies.MSS_TABLE[SynCookies.mssIndex(mss)];
        assertThat(info.sndMss()).as(what).isEqualTo(tableMss - (ts ? 12 : 0));
        assertThat(info.timestamps()).as(what).isEqualTo(ts);
        assertThat(info.sack()).as(what).isEqualTo(ts && sack);
        assertThat(info.windowScaling()).as(what).isEqualTo(ts && ws);
        if (ts && ws) assertThat(info.sndWscale()).as(what).isEqualTo(7);
        assertThat(h.listenEvents).containsExactly(ListenEvent.SYNCOOKIE_SENT, ListenEvent.SYNCOOKIE_RECV);

        // Data flows both ways: sequence numbers start at the cookie and the peer's ISN.
        h.conn = child;
        h.in(".").from(1001).seq(PEER_ISS + 1).ack(cookie + 1).win(1000).len(100).deliver();
        assertThat(child.read(java.nio.ByteBuffer.allocate(200), h.now)).as(what).isEqualTo(100);
        child.write(java.nio.ByteBuffer.wrap(new byte[50]), h.now);
        TcpSegment data = h.sent.stream().filter(s -> s.payloadLength() == 50).findFirst().orElseThrow();
        assertThat(data.seq()).isEqualTo(cookie + 1);
        assertThat(data.ack()).isEqualTo(PEER_ISS + 101);
        int window = data.window() << (ts && ws ? 14 : 0);
        assertThat(window).isPositive();
    }

    @Test
    void anAckWithDataCompletesTheHandshakeAndDeliversIt() {
        EngineHarness h = EngineHarness.listening(config(false, false, false), 4);
        int cookie = synAck(h, 1001, 1460, false, false, false).seq();
        Connection child = h.in(".").from(1001).seq(PEER_ISS + 1).ack(cookie + 1).len(10).toListener();
        assertThat(child.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(child.read(java.nio.ByteBuffer.allocate(20), h.now)).isEqualTo(10);
    }

    @Test
    void aCookieTwoPeriodsOldIsRejectedWithReset() {
        EngineHarness h = EngineHarness.listening(config(false, false, false), 4);
        int cookie = synAck(h, 1001, 1460, false, false, false).seq();
        h.now += 2 * MINUTE;
        h.listenEvents.clear();
        assertThat(h.in(".").from(1001).seq(PEER_ISS + 1).ack(cookie + 1).toListener()).isNull();
        h.expect("R", cookie + 1, 0, 0);
        assertThat(h.listenEvents).containsExactly(ListenEvent.SYNCOOKIE_FAILED);
        assertThat(h.listener.acceptQueueLength()).isZero();
    }

    @Test
    void aForgedAckIsRejectedCountedAndReset() {
        EngineHarness h = EngineHarness.listening(config(true, true, true), 4);
        int cookie = synAck(h, 1001, 1460, true, true, true).seq();
        h.listenEvents.clear();
        // another ISN, another port, a guessed cookie
        assertThat(h.in(".").from(1001).seq(PEER_ISS + (1 << 20)).ack(cookie + 1).toListener()).isNull();
        assertThat(h.in(".").from(1002).seq(PEER_ISS + 1).ack(cookie + 1).toListener()).isNull();
        assertThat(h.in(".").from(1001).seq(PEER_ISS + 1).ack(cookie + 1 + (1 << 20)).toListener()).isNull();
        assertThat(h.listenEvents).containsExactly(ListenEvent.SYNCOOKIE_FAILED, ListenEvent.SYNCOOKIE_FAILED,
                ListenEvent.SYNCOOKIE_FAILED);
        h.expect("R", cookie + 1, 0, 0);
        h.expect("R", cookie + 1, 0, 0);
        h.expect("R", cookie + 1 + (1 << 20), 0, 0);
        assertThat(h.listener.acceptQueueLength()).isZero();
    }

    @Test
    void withoutARecentCookieAnAckIsNotCheckedAndGetsTheUsualReset() {
        EngineHarness h = EngineHarness.listening(TcpConfig.linux(), 4);
        assertThat(h.in(".").seq(PEER_ISS + 1).ack(5).toListener()).isNull();
        h.expect("R", 5, 0, 0);
        assertThat(h.listenEvents).isEmpty();
    }

    @Test
    void theSynQueueFullIsAnsweredWithCookiesWhenOnAndDroppedWhenOff() {
        EngineHarness on = EngineHarness.listening(EngineHarness.plain(), 1);
        assertThat(on.in("S").from(1001).seq(PEER_ISS).mss(1460).toListener()).isNotNull();
        on.expect("S.", ISS, PEER_ISS + 1, 0);
        assertThat(on.in("S").from(1002).seq(PEER_ISS).mss(1460).toListener()).isNull();
        int cookie = on.next().seq();
        assertThat(on.listenEvents).containsExactly(ListenEvent.SYNCOOKIE_SENT);
        Connection child = on.in(".").from(1002).seq(PEER_ISS + 1).ack(cookie + 1).toListener();
        assertThat(child.state()).isEqualTo(TcpState.ESTABLISHED);

        EngineHarness off = EngineHarness.listening(EngineHarness.plain().toBuilder().synCookies(0).build(), 1);
        off.in("S").from(1001).seq(PEER_ISS).mss(1460).toListener();
        off.clearSent();
        assertThat(off.in("S").from(1002).seq(PEER_ISS).mss(1460).toListener()).isNull();
        off.expectNothing();
        assertThat(off.listenEvents).containsExactly(ListenEvent.LISTEN_DROP);
    }

    @Test
    void aFullAcceptQueueDropsTheSynAndTheCookieAckAsOverflows() {
        EngineHarness h = EngineHarness.listening(config(false, false, false), 1);
        int c1 = synAck(h, 1001, 1460, false, false, false).seq();
        int c2 = synAck(h, 1002, 1460, false, false, false).seq();
        assertThat(h.in(".").from(1001).seq(PEER_ISS + 1).ack(c1 + 1).toListener()).isNotNull();
        h.listenEvents.clear();
        // the accept queue is full: the second cookie ACK is valid but dropped silently, as is a new SYN
        assertThat(h.in(".").from(1002).seq(PEER_ISS + 1).ack(c2 + 1).toListener()).isNull();
        h.expectNothing();
        assertThat(h.in("S").from(1003).seq(PEER_ISS).toListener()).isNull();
        h.expectNothing();
        assertThat(h.listenEvents).containsExactly(ListenEvent.SYNCOOKIE_RECV, ListenEvent.LISTEN_OVERFLOW,
                ListenEvent.LISTEN_DROP, ListenEvent.LISTEN_OVERFLOW, ListenEvent.LISTEN_DROP);
        // after accept() the peer's retransmitted ACK (or data) gets in
        h.listener.accept();
        assertThat(h.in(".").from(1002).seq(PEER_ISS + 1).ack(c2 + 1).toListener()).isNotNull();
    }
}
