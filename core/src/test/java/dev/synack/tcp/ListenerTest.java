package dev.synack.tcp;

import static dev.synack.tcp.EngineHarness.ISS;
import static dev.synack.tcp.EngineHarness.PEER_ISS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.wire.TcpSegment;
import org.junit.jupiter.api.Test;

/** LISTEN (RFC 9293 §3.10.7.2) with Linux's SYN and accept queues. */
class ListenerTest {

    @Test
    void backlogIsCappedToTheMaximumAndAtLeastOne() {
        TcpConfig config = EngineHarness.plain().toBuilder().maxBacklog(16).build();
        EngineHarness h = new EngineHarness(config);
        assertThat(new Listener(config, 1, 80, 1000, IsnGenerator.fixed(1), h).backlog()).isEqualTo(16);
        assertThat(new Listener(config, 1, 80, 0, IsnGenerator.fixed(1), h).backlog()).isEqualTo(1);
        assertThat(new Listener(config, 1, 80, -5, IsnGenerator.fixed(1), h).backlog()).isEqualTo(1);
        assertThat(new Listener(config, 1, 80, 5, IsnGenerator.fixed(1), h).localPort()).isEqualTo(80);
    }

    @Test
    void resetIsIgnoredBareAckGetsResetAndOtherSegmentsAreDropped() {
        EngineHarness h = EngineHarness.listening(EngineHarness.plain(), 4);
        assertThat(h.in("R").seq(1).toListener()).isNull();
        h.expectNothing();
        assertThat(h.in(".").seq(1).ack(777).toListener()).isNull();
        h.expect("R", 777, 0, 0);
        assertThat(h.in("S.").seq(1).ack(888).toListener()).isNull(); // a SYN-ACK is ACK-bearing too
        h.expect("R", 888, 0, 0);
        assertThat(h.in("F").seq(1).toListener()).isNull();
        h.expectNothing();
        assertThat(h.drops).hasSize(4);
    }

    @Test
    void synWithFinIsDroppedWithItsReasonAndOpensNothing() {
        EngineHarness h = EngineHarness.listening(EngineHarness.plain(), 4);
        assertThat(h.in("SF").seq(PEER_ISS).mss(1460).toListener()).isNull();
        h.expectNothing();
        assertThat(h.listener.synQueueLength()).isZero();
        assertThat(h.drops).containsExactly("SYN with FIN to a listener");
        // with ACK it is answered as any ACK to a listener is (Linux checks the ACK bit first)
        assertThat(h.in("SF.").seq(PEER_ISS).ack(555).toListener()).isNull();
        h.expect("R", 555, 0, 0);
    }

    @Test
    void synIsDroppedWhenTheAcceptQueueIsFull() {
        EngineHarness h = EngineHarness.listening(EngineHarness.plain(), 1);
        h.in("S").from(1001).seq(PEER_ISS).mss(1460).toListener();
        h.next();
        h.in(".").from(1001).seq(PEER_ISS + 1).ack(ISS + 1).deliver();
        assertThat(h.listener.acceptQueueLength()).isEqualTo(1);
        assertThat(h.in("S").from(1002).seq(PEER_ISS).mss(1460).toListener()).isNull();
        h.expectNothing();
        assertThat(h.listener.droppedSyns()).isEqualTo(1);
        assertThat(h.listenEvents).containsExactly(ListenEvent.LISTEN_OVERFLOW, ListenEvent.LISTEN_DROP);
        assertThat(h.drops).contains("accept queue full: SYN dropped");
        // room again after accept()
        assertThat(h.listener.accept()).isNotNull();
        assertThat(h.in("S").from(1002).seq(PEER_ISS).mss(1460).toListener()).isNotNull();
    }

    @Test
    void synIsDroppedWhenTheSynQueueIsFullAndCookiesAreOff() {
        EngineHarness h = EngineHarness.listening(EngineHarness.plain().toBuilder().synCookies(0).build(), 2);
        assertThat(h.in("S").from(1001).seq(PEER_ISS).toListener()).isNotNull();
        assertThat(h.in("S").from(1002).seq(PEER_ISS).toListener()).isNotNull();
        assertThat(h.in("S").from(1003).seq(PEER_ISS).toListener()).isNull();
        assertThat(h.listener.synQueueLength()).isEqualTo(2);
        assertThat(h.listener.droppedSyns()).isEqualTo(1);
    }

    @Test
    void finalAckFindingTheAcceptQueueFullIsDroppedAndTheSynAckIsRetriedLater() {
        EngineHarness h = EngineHarness.listening(EngineHarness.plain(), 2);
        Connection a = h.in("S").from(1001).seq(PEER_ISS).mss(1460).toListener();
        Connection b = h.in("S").from(1002).seq(PEER_ISS).mss(1460).toListener();
        h.clearSent();
        h.conn = a;
        h.in(".").from(1001).seq(PEER_ISS + 1).ack(ISS + 1).deliver();
        Connection c = h.in("S").from(1003).seq(PEER_ISS).mss(1460).toListener();
        assertThat(c).isNotNull();
        h.conn = b;
        h.in(".").from(1002).seq(PEER_ISS + 1).ack(ISS + 1).deliver();
        assertThat(h.listener.acceptQueueLength()).isEqualTo(2);
        h.clearSent();
        h.conn = c;
        h.in(".").from(1003).seq(PEER_ISS + 1).ack(ISS + 1).deliver();
        assertThat(c.state()).isEqualTo(TcpState.SYN_RECV);
        assertThat(h.drops).contains("accept queue full: final ACK dropped");
        // counted as Linux's tcp_v4_syn_recv_sock counts it (exit_overflow, then tcp_listendrop)
        assertThat(h.listenEvents).containsExactly(ListenEvent.LISTEN_OVERFLOW, ListenEvent.LISTEN_DROP);
        h.expectNothing();
        assertThat(h.listener.accept()).isSameAs(a);
        // c's SYN-ACK timer asks again; the peer's ACK now finds room
        h.fireNextDeadline();
        TcpSegment synAck = h.expect("S.", ISS, PEER_ISS + 1, 0);
        assertThat(synAck.destinationPort()).isEqualTo(1003);
        h.in(".").from(1003).seq(PEER_ISS + 1).ack(ISS + 1).deliver();
        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(h.listener.accept()).isSameAs(b);
        assertThat(h.listener.accept()).isSameAs(c);
    }

    @Test
    void closeResetsEstablishedChildrenAndSilentlyDropsEmbryos() {
        // Linux inet_csk_listen_stop (pkt close-listener-resets-syn-recv)
        EngineHarness h = EngineHarness.listening(EngineHarness.plain(), 4);
        Connection established = h.in("S").from(1001).seq(PEER_ISS).mss(1460).toListener();
        h.in(".").from(1001).seq(PEER_ISS + 1).ack(ISS + 1).deliver();
        Connection embryonic = h.in("S").from(1002).seq(PEER_ISS).mss(1460).toListener();
        h.clearSent();
        h.listener.close(0);
        TcpSegment r1 = h.next();
        h.expectNothing();
        assertThat(r1.destinationPort()).isEqualTo(1001);
        assertThat(dev.synack.wire.TcpFlags.tcpdump(r1.flags())).isEqualTo("R.");
        assertThat(embryonic.state()).isEqualTo(TcpState.CLOSED);
        assertThat(r1.seq()).isEqualTo(ISS + 1);
        assertThat(established.isReleased()).isTrue();
        assertThat(embryonic.isReleased()).isTrue();
        assertThat(established.state()).isEqualTo(TcpState.CLOSED);
        assertThat(h.listener.isClosed()).isTrue();
        assertThat(h.listener.accept()).isNull();
        assertThat(h.in("S").from(1003).seq(PEER_ISS).toListener()).isNull();
    }

    @Test
    void childResetInTheAcceptQueueIsStillAcceptedAndReportsTheReset() {
        EngineHarness h = EngineHarness.listening(EngineHarness.plain(), 4);
        Connection child = h.in("S").seq(PEER_ISS).mss(1460).toListener();
        h.in(".").seq(PEER_ISS + 1).ack(ISS + 1).deliver();
        h.in("R").seq(PEER_ISS + 1).deliver();
        assertThat(h.listener.accept()).isSameAs(child);
        assertThat(child.error()).isEqualTo(TcpError.CONNECTION_RESET);
    }
}
