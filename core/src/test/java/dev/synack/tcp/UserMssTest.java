package dev.synack.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synack.wire.TcpSegment;
import org.junit.jupiter.api.Test;

/** TCP_MAXSEG (Linux's user_mss): the MSS announced in the handshake and the segments sent. */
class UserMssTest {

    @Test
    void anActiveOpenAnnouncesAndSendsAtMostTheUserMss() {
        EngineHarness h = EngineHarness.active(EngineHarness.plain());
        h.conn.setUserMss(1100);
        h.connect();
        TcpSegment syn = h.expect("S", EngineHarness.ISS, 0, 0);
        assertThat(syn.options().mss()).isEqualTo(1100);
        h.in("S.").seq(EngineHarness.PEER_ISS).ack(EngineHarness.ISS + 1).win(65535).mss(1460).deliver();
        h.expect(".", EngineHarness.ISS + 1, EngineHarness.PEER_ISS + 1, 0);
        assertThat(h.conn.effectiveMss()).isEqualTo(1100);
        assertThat(h.conn.tcpInfo(h.now).advMss()).isEqualTo(1100);
        h.write(2200);
        assertThat(h.next().payloadLength()).isEqualTo(1100);
    }

    @Test
    void aSmallerPeerMssStillWins() {
        EngineHarness h = EngineHarness.active(EngineHarness.plain());
        h.conn.setUserMss(1100);
        h.establish(65535, 536);
        assertThat(h.conn.effectiveMss()).isEqualTo(536);
    }

    @Test
    void aListenersUserMssPassesToItsConnections() {
        EngineHarness h = EngineHarness.listening(EngineHarness.plain(), 4);
        h.listener.setUserMss(700);
        Connection child = h.in("S").seq(EngineHarness.PEER_ISS).win(65535).mss(1460).toListener();
        TcpSegment synAck = h.expect("S.", EngineHarness.ISS, EngineHarness.PEER_ISS + 1, 0);
        assertThat(synAck.options().mss()).isEqualTo(700);
        assertThat(child.userMss()).isEqualTo(700);
        assertThat(child.effectiveMss()).isEqualTo(700);
    }

    @Test
    void valuesLinuxRefusesAreRefused() {
        EngineHarness h = EngineHarness.active(EngineHarness.plain());
        assertThatThrownBy(() -> h.conn.setUserMss(87)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> h.conn.setUserMss(32768)).isInstanceOf(IllegalArgumentException.class);
        h.conn.setUserMss(0);
        assertThat(h.conn.userMss()).isZero();
    }
}
