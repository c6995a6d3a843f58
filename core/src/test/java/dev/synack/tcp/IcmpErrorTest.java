package dev.synack.tcp;

import static dev.synack.tcp.EngineHarness.ISS;
import static dev.synack.tcp.EngineHarness.PEER_ISS;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** ICMP errors as the engine takes them ({@link IcmpErrors}): validation, path MTU, hard and soft errors. */
class IcmpErrorTest {

    /** Established with MSS 1460, four full segments [ISS+1, ISS+5841) in flight, the send queue drained. */
    private static EngineHarness fourSegmentsInFlight() {
        EngineHarness h = EngineHarness.active(EngineHarness.plain()).establish();
        h.write(4 * 1460);
        for (int i = 0; i < 4; i++) h.expect(i == 3 ? "P." : ".", ISS + 1 + i * 1460, PEER_ISS + 1, 1460);
        h.expectNothing();
        return h;
    }

    @Test
    void fragmentationNeededShrinksTheMssAndResendsWhatNoLongerFitsAtOnce() {
        EngineHarness h = fourSegmentsInFlight();
        int cwndSegments = h.conn.congestionWindow() / 1460;
        assertThat(h.conn.icmpError(IcmpError.FRAGMENTATION_NEEDED, 1200, ISS + 1, h.now)).isTrue();
        assertThat(h.conn.pathMtu()).isEqualTo(1200);
        assertThat(h.conn.effectiveMss()).isEqualTo(1200 - 40);
        assertThat(h.conn.congestionWindow() / 1160).as("cwnd kept in segments").isEqualTo(cwndSegments);
        // Every outstanding byte leaves again in segments of the new size, at once (no timer).
        int seq = ISS + 1;
        while (seq < ISS + 1 + 4 * 1460) {
            int len = Math.min(1160, ISS + 1 + 4 * 1460 - seq);
            assertThat(h.next().seq()).isEqualTo(seq);
            seq += len;
        }
        assertThat(h.conn.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(h.conn.takeSoftError()).as("a floor-respecting MTU is no error").isNull();
    }

    @Test
    void aQuotedSequenceNumberOutsideWhatIsOutstandingChangesNothing() {
        EngineHarness h = fourSegmentsInFlight();
        for (int seq : new int[] {ISS, ISS - 1000, ISS + 1 + 4 * 1460 + 1, ISS + 100_000, ISS + 0x80000000}) {
            assertThat(h.conn.icmpError(IcmpError.FRAGMENTATION_NEEDED, 600, seq, h.now)).as("seq %d", seq).isFalse();
            assertThat(h.conn.icmpError(IcmpError.PORT_UNREACHABLE, 0, seq, h.now)).isFalse();
        }
        assertThat(h.conn.effectiveMss()).isEqualTo(1460);
        assertThat(h.conn.pathMtu()).isZero();
        assertThat(h.conn.takeSoftError()).isNull();
        h.expectNothing();
    }

    @Test
    void aMessageThatWouldRaiseThePathMtuIsIgnored() {
        EngineHarness h = fourSegmentsInFlight();
        h.conn.icmpError(IcmpError.FRAGMENTATION_NEEDED, 1300, ISS + 1, h.now);
        h.clearSent();
        h.conn.icmpError(IcmpError.FRAGMENTATION_NEEDED, 1400, ISS + 1, h.now);
        h.conn.icmpError(IcmpError.FRAGMENTATION_NEEDED, 9000, ISS + 1, h.now);
        assertThat(h.conn.pathMtu()).isEqualTo(1300);
        assertThat(h.conn.effectiveMss()).isEqualTo(1260);
        h.expectNothing();
    }

    @Test
    void anMtuBelowLinuxsFloorIsTakenAsTheFloorAndLeavesEmsgsize() {
        EngineHarness h = fourSegmentsInFlight();
        h.conn.icmpError(IcmpError.FRAGMENTATION_NEEDED, 0, ISS + 1, h.now); // a pre-RFC 1191 router
        assertThat(h.conn.pathMtu()).isEqualTo(552);
        assertThat(h.conn.effectiveMss()).isEqualTo(512);
        assertThat(h.conn.takeSoftError()).isEqualTo(TcpError.MESSAGE_TOO_LONG);
    }

    @Test
    void theMssKeepsRoomForTheTimestampsOption() {
        EngineHarness h = EngineHarness.active(TcpConfig.linux().toBuilder().sack(false).windowScaling(false).build());
        h.connect();
        h.expect("S", ISS, 0, 0);
        h.in("S.").seq(PEER_ISS).ack(ISS + 1).mss(1460).ts(1, 1).deliver();
        h.clearSent();
        assertThat(h.conn.effectiveMss()).isEqualTo(1448);
        h.write(3000);
        h.clearSent();
        h.conn.icmpError(IcmpError.FRAGMENTATION_NEEDED, 1200, ISS + 1, h.now);
        assertThat(h.conn.effectiveMss()).isEqualTo(1200 - 40 - 12);
        assertThat(h.next().payloadLength()).isEqualTo(1148);
    }

    @Test
    void fragmentationNeededDuringTheHandshakeLimitsTheMssNegotiatedAfterIt() {
        EngineHarness h = EngineHarness.active(EngineHarness.plain());
        h.connect();
        h.expect("S", ISS, 0, 0);
        assertThat(h.conn.icmpError(IcmpError.FRAGMENTATION_NEEDED, 1000, ISS, h.now)).isTrue();
        assertThat(h.conn.state()).isEqualTo(TcpState.SYN_SENT);
        h.in("S.").seq(PEER_ISS).ack(ISS + 1).mss(1460).deliver();
        assertThat(h.conn.effectiveMss()).isEqualTo(960);
    }

    @Test
    void portUnreachableInSynSentAbortsTheConnectWithConnectionRefused() {
        EngineHarness h = EngineHarness.active(EngineHarness.plain());
        h.connect();
        h.expect("S", ISS, 0, 0);
        assertThat(h.conn.icmpError(IcmpError.PORT_UNREACHABLE, 0, ISS, h.now)).isTrue();
        assertThat(h.conn.state()).isEqualTo(TcpState.CLOSED);
        assertThat(h.conn.error()).isEqualTo(TcpError.CONNECTION_REFUSED);
        h.expectNothing(); // no RST, as Linux's tcp_done
    }

    @Test
    void hostUnreachableInSynSentAbortsTooAsLinuxDoes() {
        EngineHarness h = EngineHarness.active(EngineHarness.plain());
        h.connect();
        h.conn.icmpError(IcmpError.HOST_UNREACHABLE, 0, ISS, h.now);
        assertThat(h.conn.state()).isEqualTo(TcpState.CLOSED);
        assertThat(h.conn.error()).isEqualTo(TcpError.HOST_UNREACHABLE);
    }

    @Test
    void aForgedUnreachableInSynSentWithAnotherSequenceNumberIsDropped() {
        EngineHarness h = EngineHarness.active(EngineHarness.plain());
        h.connect();
        assertThat(h.conn.icmpError(IcmpError.PORT_UNREACHABLE, 0, ISS + 7, h.now)).isFalse();
        assertThat(h.conn.state()).isEqualTo(TcpState.SYN_SENT);
    }

    @Test
    void errorsWhileEstablishedAreSoftAndBecomeTheTimeoutsError() {
        EngineHarness h = fourSegmentsInFlight();
        h.conn.icmpError(IcmpError.PORT_UNREACHABLE, 0, ISS + 1, h.now);
        h.conn.icmpError(IcmpError.HOST_UNREACHABLE, 0, ISS + 1, h.now);
        assertThat(h.conn.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(h.conn.error()).isNull();
        h.expectNothing();
        // The peer never answers: the retransmissions run out and the soft error is reported.
        for (int i = 0; i < 40 && h.conn.state() != TcpState.CLOSED; i++) h.fireNextDeadline();
        assertThat(h.conn.state()).isEqualTo(TcpState.CLOSED);
        assertThat(h.conn.error()).isEqualTo(TcpError.HOST_UNREACHABLE);
    }

    @Test
    void hostUnreachableAboutSndUnaUndoesOneBackoffAsRfc6069Says() {
        EngineHarness h = EngineHarness.active(EngineHarness.plain()).establish();
        h.write(100);
        h.clearSent();
        long first = h.fireNextDeadline(); // 1st retransmission, RTO doubles
        long second = h.fireNextDeadline(); // 2nd, RTO doubles again
        h.clearSent();
        long backedOff = h.conn.nextDeadline();
        assertThat(backedOff - second).isEqualTo(2 * (second - first));
        h.conn.icmpError(IcmpError.HOST_UNREACHABLE, 0, ISS + 1 + 50, h.now); // not SND.UNA: no revert
        assertThat(h.conn.nextDeadline()).isEqualTo(backedOff);
        h.conn.icmpError(IcmpError.PORT_UNREACHABLE, 0, ISS + 1, h.now); // not net/host unreachable
        assertThat(h.conn.nextDeadline()).isEqualTo(backedOff);
        h.conn.icmpError(IcmpError.HOST_UNREACHABLE, 0, ISS + 1, h.now);
        assertThat(h.conn.nextDeadline()).isEqualTo(second + (second - first));
        h.expectNothing();
        // Once the shorter timeout has passed since the last transmission, the revert retransmits at once.
        h.now = second + (second - first) + 1;
        h.conn.icmpError(IcmpError.HOST_UNREACHABLE, 0, ISS + 1, h.now);
        assertThat(h.next().seq()).isEqualTo(ISS + 1);
    }

    @Test
    void withoutAnIcmpErrorATimeoutIsEtimedout() {
        EngineHarness h = fourSegmentsInFlight();
        for (int i = 0; i < 40 && h.conn.state() != TcpState.CLOSED; i++) h.fireNextDeadline();
        assertThat(h.conn.error()).isEqualTo(TcpError.CONNECTION_TIMED_OUT);
    }

    @Test
    void aPassiveOpeningInSynRecvIsDroppedOnlyForTheKindsAndSequenceNumberLinuxDropsItFor() {
        EngineHarness h = EngineHarness.listening(EngineHarness.plain(), 8);
        h.in("S").seq(PEER_ISS).mss(1460).toListener();
        h.expect("S.", ISS, PEER_ISS + 1, 0);
        assertThat(h.conn.icmpError(IcmpError.HOST_UNREACHABLE, 0, ISS + 1, h.now)).as("not the ISS").isFalse();
        assertThat(h.conn.icmpError(IcmpError.PORT_UNREACHABLE, 0, ISS, h.now)).isTrue();
        assertThat(h.conn.icmpError(IcmpError.FRAGMENTATION_NEEDED, 576, ISS, h.now)).isTrue();
        assertThat(h.conn.state()).isEqualTo(TcpState.SYN_RECV);
        assertThat(h.listener.synQueueLength()).isEqualTo(1);
        h.conn.icmpError(IcmpError.HOST_UNREACHABLE, 0, ISS, h.now);
        assertThat(h.conn.state()).isEqualTo(TcpState.CLOSED);
        assertThat(h.listener.synQueueLength()).isZero();
        assertThat(h.listenEvents).containsExactly(ListenEvent.LISTEN_DROP);
        h.expectNothing();
    }

    @Test
    void ipv4CodesMapOntoKindsAndLinuxsErrors() {
        assertThat(IcmpError.ofIpv4(3, 3)).isEqualTo(IcmpError.PORT_UNREACHABLE);
        assertThat(IcmpError.ofIpv4(3, 4)).isEqualTo(IcmpError.FRAGMENTATION_NEEDED);
        assertThat(IcmpError.ofIpv4(3, 13).error()).isEqualTo(TcpError.HOST_UNREACHABLE);
        assertThat(IcmpError.ofIpv4(3, 2).error()).isEqualTo(TcpError.PROTOCOL_NOT_AVAILABLE);
        assertThat(IcmpError.ofIpv4(3, 16)).isNull();
        assertThat(IcmpError.ofIpv4(11, 0)).isEqualTo(IcmpError.TIME_EXCEEDED);
        assertThat(IcmpError.ofIpv4(4, 0)).as("source quench, RFC 6633").isNull();
        assertThat(IcmpError.ofIpv4(5, 1)).as("redirect").isNull();
    }
}
