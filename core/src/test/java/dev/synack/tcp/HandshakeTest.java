package dev.synack.tcp;

import static dev.synack.tcp.EngineHarness.ISS;
import static dev.synack.tcp.EngineHarness.PEER_ISS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synack.wire.TcpSegment;
import java.time.Duration;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Three-way handshake (RFC 9293 §3.5), Linux's option layouts, retries, and simultaneous open. */
class HandshakeTest {

    @Nested
    class ActiveOpen {
        @Test
        void linuxSynCarriesMssSackTimestampsAndWindowScaleInLinuxOrder() {
            EngineHarness h = EngineHarness.active(TcpConfig.linux());
            h.now = Duration.ofSeconds(5).toNanos();
            h.connect();
            TcpSegment syn = h.expect("S", ISS, 0, 0);
            assertThat(syn.options().toString()).isEqualTo("mss 1460,sackOK,TS val 5000 ecr 0,nop,wscale 7");
            // Never scaled in a SYN (RFC 7323 §2.2); Linux rounds 65535 down to 44 segments of 1460.
            assertThat(syn.window()).isEqualTo(64240);
            assertThat(h.conn.state()).isEqualTo(TcpState.SYN_SENT);
            assertThat(h.transitions).containsExactly("CLOSED->SYN_SENT: connect()");
        }

        @Test
        void synWithoutTimestampsUsesNopPadding() {
            EngineHarness h = EngineHarness.active(TcpConfig.linux().toBuilder().timestamps(false).build());
            h.connect();
            assertThat(h.next().options().toString()).isEqualTo("mss 1460,nop,nop,sackOK,nop,wscale 7");
        }

        @Test
        void synWithoutSackAndTimestamps() {
            EngineHarness h = EngineHarness.active(TcpConfig.linux().toBuilder().timestamps(false).sack(false).build());
            h.connect();
            assertThat(h.next().options().toString()).isEqualTo("mss 1460,nop,wscale 7");
        }

        @Test
        void synWithTimestampsWithoutSack() {
            EngineHarness h = EngineHarness.active(TcpConfig.linux().toBuilder().sack(false).build());
            h.connect();
            assertThat(h.next().options().toString()).isEqualTo("mss 1460,nop,nop,TS val 0 ecr 0,nop,wscale 7");
        }

        @Test
        void synWithNothingButMss() {
            EngineHarness h = EngineHarness.active(EngineHarness.plain());
            h.connect();
            assertThat(h.next().options().toString()).isEqualTo("mss 1460");
        }

        @Test
        void synAckCompletesTheHandshakeWithTimestampsAndScaledWindow() {
            EngineHarness h = EngineHarness.active(TcpConfig.linux());
            h.now = Duration.ofMillis(100).toNanos();
            h.connect();
            h.next();
            h.advanceMillis(20);
            h.in("S.").seq(PEER_ISS).ack(ISS + 1).win(65535).mss(1460).sackOk().ts(777, 100).nop().wscale(7).deliver();
            TcpSegment ack = h.expect(".", ISS + 1, PEER_ISS + 1, 0);
            assertThat(ack.options().toString()).isEqualTo("nop,nop,TS val 120 ecr 777");
            // 128 KiB receive buffer, our shift 7: 131072 >> 7 = 1024
            assertThat(ack.window()).isEqualTo(1024);
            assertThat(h.conn.state()).isEqualTo(TcpState.ESTABLISHED);
            assertThat(h.conn.isConnectDone()).isTrue();
            assertThat(h.conn.timestampsEnabled()).isTrue();
            assertThat(h.conn.sackEnabled()).isTrue();
            assertThat(h.conn.effectiveMss()).isEqualTo(1460 - 12); // Linux leaves room for the TS option
            assertThat(h.conn.sendWindow()).isEqualTo(65535); // the SYN-ACK's window is not scaled
            assertThat(h.transitions).containsExactly("CLOSED->SYN_SENT: connect()", "SYN_SENT->ESTABLISHED: rcvd SYN-ACK");
            // the peer's later windows are scaled by its shift
            h.in(".").seq(PEER_ISS + 1).ack(ISS + 1).win(100).ts(778, 120).deliver();
            assertThat(h.conn.sendWindow()).isEqualTo(100 << 7);
        }

        @Test
        void peerWithoutWindowScaleDisablesScalingBothWays() {
            EngineHarness h = EngineHarness.active(TcpConfig.linux().toBuilder().timestamps(false).build());
            h.connect();
            h.next();
            h.in("S.").seq(PEER_ISS).ack(ISS + 1).win(30000).mss(1400).deliver();
            TcpSegment ack = h.expect(".", ISS + 1, PEER_ISS + 1, 0);
            // unscaled, so at most 16 bits: the SYN's 44 segments (64240) stand, since growing the
            // edge by less than one MSS is not worth it (receiver SWS avoidance, RFC 9293 §3.8.6.2.2)
            assertThat(ack.window()).isEqualTo(64240);
            assertThat(ack.options().isEmpty()).isTrue();
            assertThat(h.conn.effectiveMss()).isEqualTo(1400);
            assertThat(h.conn.sackEnabled()).isFalse();
        }

        @Test
        void peerWithoutMssOptionGetsTheDefault536() {
            EngineHarness h = EngineHarness.active(EngineHarness.plain());
            h.connect();
            h.next();
            h.in("S.").seq(PEER_ISS).ack(ISS + 1).deliver();
            h.expect(".", ISS + 1, PEER_ISS + 1, 0);
            assertThat(h.conn.effectiveMss()).isEqualTo(536);
            h.conn.setNoDelay(true);
            h.write(1000);
            h.expect(".", ISS + 1, PEER_ISS + 1, 536);
            h.expect("P.", ISS + 1 + 536, PEER_ISS + 1, 464);
        }

        @Test
        void dataWrittenInSynSentLeavesWithTheHandshakeAck() {
            EngineHarness h = EngineHarness.active(EngineHarness.plain());
            h.connect();
            h.next();
            assertThat(h.write(100)).isEqualTo(100);
            h.expectNothing();
            h.in("S.").seq(PEER_ISS).ack(ISS + 1).mss(1460).deliver();
            h.expect("P.", ISS + 1, PEER_ISS + 1, 100); // the ACK rides on the data
            h.expectNothing();
        }

        @Test
        void connectTwiceFails() {
            EngineHarness h = EngineHarness.active(EngineHarness.plain());
            h.connect();
            assertThatThrownBy(() -> h.conn.connect(h.now)).isInstanceOf(TcpException.class)
                    .extracting(e -> ((TcpException) e).error()).isEqualTo(TcpError.CONNECTION_IN_PROGRESS);
            h.next();
            h.in("S.").seq(PEER_ISS).ack(ISS + 1).mss(1460).deliver();
            assertThatThrownBy(() -> h.conn.connect(h.now)).isInstanceOf(TcpException.class)
                    .extracting(e -> ((TcpException) e).error()).isEqualTo(TcpError.ALREADY_CONNECTED);
        }

        @Test
        void writeBeforeConnectIsNotConnected() {
            EngineHarness h = EngineHarness.active(EngineHarness.plain());
            assertThatThrownBy(() -> h.write(1)).isInstanceOf(TcpException.class)
                    .extracting(e -> ((TcpException) e).error()).isEqualTo(TcpError.NOT_CONNECTED);
        }

        @Test
        void closeInSynSentGoesClosedSilently() {
            EngineHarness h = EngineHarness.active(EngineHarness.plain());
            h.connect();
            h.next();
            h.conn.close(h.now);
            h.expectNothing();
            assertThat(h.conn.state()).isEqualTo(TcpState.CLOSED);
            assertThat(h.conn.isReleased()).isTrue();
            assertThat(h.conn.nextDeadline()).isEqualTo(Long.MAX_VALUE);
            assertThat(h.lastTransition()).isEqualTo("SYN_SENT->CLOSED: close()");
        }

        @Test
        void synAckWithWrongAckIsAnsweredWithReset() {
            EngineHarness h = EngineHarness.active(EngineHarness.plain());
            h.connect();
            h.next();
            h.in("S.").seq(PEER_ISS).ack(ISS + 7).deliver();
            h.expect("R", ISS + 7, 0, 0); // <SEQ=SEG.ACK><CTL=RST> (RFC 9293 §3.10.7.3)
            assertThat(h.conn.state()).isEqualTo(TcpState.SYN_SENT);
        }

        @Test
        void resetAcknowledgingOurSynRefusesTheConnection() {
            EngineHarness h = EngineHarness.active(EngineHarness.plain());
            h.connect();
            h.next();
            h.in("R").seq(0).deliver(); // no ACK: not acceptable
            assertThat(h.conn.state()).isEqualTo(TcpState.SYN_SENT);
            h.in("R.").seq(0).ack(ISS + 1).deliver();
            h.expectNothing();
            assertThat(h.conn.state()).isEqualTo(TcpState.CLOSED);
            assertThat(h.conn.error()).isEqualTo(TcpError.CONNECTION_REFUSED);
            assertThat(h.conn.isConnectDone()).isTrue();
            assertThatThrownBy(() -> h.read(10)).isInstanceOf(TcpException.class)
                    .extracting(e -> ((TcpException) e).error()).isEqualTo(TcpError.CONNECTION_REFUSED);
        }

        @Test
        void synIsRetriedSixTimesWithDoublingTimeoutsThenTheConnectTimesOut() {
            EngineHarness h = EngineHarness.active(TcpConfig.linux());
            h.connect();
            h.expect("S", ISS, 0, 0);
            long[] expectedSeconds = {1, 3, 7, 15, 31, 63};
            for (long s : expectedSeconds) {
                h.fireNextDeadline();
                assertThat(h.now).isEqualTo(Duration.ofSeconds(s).toNanos());
                h.expect("S", ISS, 0, 0);
                assertThat(h.conn.state()).isEqualTo(TcpState.SYN_SENT);
            }
            h.fireNextDeadline();
            assertThat(h.now).isEqualTo(Duration.ofSeconds(127).toNanos());
            h.expectNothing();
            assertThat(h.conn.state()).isEqualTo(TcpState.CLOSED);
            assertThat(h.conn.error()).isEqualTo(TcpError.CONNECTION_TIMED_OUT);
            assertThat(h.lastTransition()).isEqualTo("SYN_SENT->CLOSED: SYN retries exhausted");
            assertThat(h.conn.isReleased()).isTrue();
        }
    }

    @Nested
    class PassiveOpen {
        @Test
        void synCreatesSynRecvChildThatAnswersWithSynAckAndAckEstablishesIt() {
            EngineHarness h = EngineHarness.listening(EngineHarness.plain(), 8);
            Connection child = h.in("S").seq(PEER_ISS).mss(1460).toListener();
            assertThat(child).isNotNull();
            assertThat(child.state()).isEqualTo(TcpState.SYN_RECV);
            assertThat(child.listener()).isSameAs(h.listener);
            TcpSegment synAck = h.expect("S.", ISS, PEER_ISS + 1, 0);
            assertThat(synAck.options().toString()).isEqualTo("mss 1460");
            assertThat(h.listener.accept()).isNull();
            h.in(".").seq(PEER_ISS + 1).ack(ISS + 1).deliver();
            h.expectNothing();
            assertThat(child.state()).isEqualTo(TcpState.ESTABLISHED);
            assertThat(h.transitions).containsExactly("LISTEN->SYN_RECV: rcvd SYN", "SYN_RECV->ESTABLISHED: rcvd ACK of SYN-ACK");
            assertThat(h.listener.acceptQueueLength()).isEqualTo(1);
            assertThat(h.listener.accept()).isSameAs(child);
            assertThat(child.listener()).isNull();
            assertThat(h.listener.accept()).isNull();
        }

        @Test
        void synAckWindowIsWholeSegmentsLessTheTimestampOptionAsOnLinux() {
            EngineHarness withTimestamps = EngineHarness.listening(TcpConfig.linux(), 8);
            withTimestamps.in("S").seq(PEER_ISS).mss(1460).ts(7, 0).toListener();
            assertThat(withTimestamps.expect("S.", ISS, PEER_ISS + 1, 0).window()).isEqualTo(45 * 1448);

            EngineHarness without = EngineHarness.listening(TcpConfig.linux(), 8);
            without.in("S").seq(PEER_ISS).mss(1460).toListener();
            assertThat(without.expect("S.", ISS, PEER_ISS + 1, 0).window()).isEqualTo(44 * 1460);
        }

        private String synAckOptionsFor(TcpConfig config, java.util.function.Consumer<EngineHarness.PeerSegment> offer) {
            EngineHarness h = EngineHarness.listening(config, 8);
            h.now = Duration.ofSeconds(2).toNanos();
            EngineHarness.PeerSegment syn = h.in("S").seq(PEER_ISS);
            offer.accept(syn);
            syn.toListener();
            return h.expect("S.", ISS, PEER_ISS + 1, 0).options().toString();
        }

        @Test
        void synAckEchoesWhatThePeerOfferedInLinuxLayouts() {
            TcpConfig linux = TcpConfig.linux();
            assertThat(synAckOptionsFor(linux, s -> s.mss(1460).sackOk().ts(42, 0).nop().wscale(7)))
                    .isEqualTo("mss 1460,sackOK,TS val 2000 ecr 42,nop,wscale 7");
            assertThat(synAckOptionsFor(linux, s -> s.mss(1460).nop().nop().sackOk().nop().wscale(7)))
                    .isEqualTo("mss 1460,nop,nop,sackOK,nop,wscale 7");
            assertThat(synAckOptionsFor(linux, s -> s.mss(1460).nop().wscale(7)))
                    .isEqualTo("mss 1460,nop,wscale 7");
            assertThat(synAckOptionsFor(linux, s -> s.mss(1460).nop().nop().ts(42, 0).nop().wscale(2)))
                    .isEqualTo("mss 1460,nop,nop,TS val 2000 ecr 42,nop,wscale 7");
            assertThat(synAckOptionsFor(linux, s -> s.mss(1460).sackOk().ts(42, 0)))
                    .isEqualTo("mss 1460,sackOK,TS val 2000 ecr 42");
            assertThat(synAckOptionsFor(linux, s -> s.mss(1460)))
                    .isEqualTo("mss 1460");
            // we do not enable timestamps: not echoed even though offered
            assertThat(synAckOptionsFor(linux.toBuilder().timestamps(false).build(), s -> s.mss(1460).sackOk().ts(42, 0).nop().wscale(7)))
                    .isEqualTo("mss 1460,nop,nop,sackOK,nop,wscale 7");
        }

        @Test
        void windowScaleShiftAbove14IsClampedTo14() {
            EngineHarness h = EngineHarness.listening(TcpConfig.linux().toBuilder().timestamps(false).build(), 8);
            h.in("S").seq(PEER_ISS).mss(1460).nop().wscale(20).toListener();
            h.next();
            h.in(".").seq(PEER_ISS + 1).ack(ISS + 1).win(1).deliver();
            assertThat(h.conn.sendWindow()).isEqualTo(1 << 14);
        }

        @Test
        void retransmittedSynIsAnsweredWithTheSameSynAck() {
            EngineHarness h = EngineHarness.listening(EngineHarness.plain(), 8);
            h.in("S").seq(PEER_ISS).mss(1460).toListener();
            h.expect("S.", ISS, PEER_ISS + 1, 0);
            h.in("S").seq(PEER_ISS).mss(1460).deliver();
            h.expect("S.", ISS, PEER_ISS + 1, 0);
            assertThat(h.conn.state()).isEqualTo(TcpState.SYN_RECV);
        }

        @Test
        void synAckIsRetriedFiveTimesThenTheChildIsDroppedSilently() {
            EngineHarness h = EngineHarness.listening(TcpConfig.linux(), 8);
            Connection child = h.in("S").seq(PEER_ISS).mss(1460).toListener();
            h.expect("S.", ISS, PEER_ISS + 1, 0);
            long[] expectedSeconds = {1, 3, 7, 15, 31};
            for (long s : expectedSeconds) {
                h.fireNextDeadline();
                assertThat(h.now).isEqualTo(Duration.ofSeconds(s).toNanos());
                h.expect("S.", ISS, PEER_ISS + 1, 0);
            }
            h.fireNextDeadline();
            assertThat(h.now).isEqualTo(Duration.ofSeconds(63).toNanos());
            h.expectNothing();
            assertThat(child.isReleased()).isTrue();
            assertThat(child.error()).isNull();
            assertThat(h.listener.synQueueLength()).isZero();
        }

        @Test
        void resetInSynRecvReturnsToListenAndReleasesTheChild() {
            EngineHarness h = EngineHarness.listening(EngineHarness.plain(), 8);
            Connection child = h.in("S").seq(PEER_ISS).mss(1460).toListener();
            h.next();
            h.in("R").seq(PEER_ISS + 1).deliver();
            h.expectNothing();
            assertThat(h.lastTransition()).isEqualTo("SYN_RECV->LISTEN: rcvd RST (passive open)");
            assertThat(child.isReleased()).isTrue();
            assertThat(h.listener.synQueueLength()).isZero();
            assertThat(h.listener.isClosed()).isFalse();
            // the listener carries on
            assertThat(h.in("S").seq(PEER_ISS + 100).mss(1460).toListener()).isNotNull();
        }

        @Test
        void finalAckCarryingDataEstablishesAndDeliversIt() {
            EngineHarness h = EngineHarness.listening(EngineHarness.plain(), 8);
            Connection child = h.in("S").seq(PEER_ISS).mss(1460).toListener();
            h.next();
            h.in("P.").seq(PEER_ISS + 1).ack(ISS + 1).data(EngineHarness.pattern(0, 30)).deliver();
            h.expect(".", ISS + 1, PEER_ISS + 31, 0);
            assertThat(child.state()).isEqualTo(TcpState.ESTABLISHED);
            assertThat(h.listener.accept()).isSameAs(child);
            assertThat(h.readAvailable()).isEqualTo(EngineHarness.pattern(0, 30));
        }

        @Test
        void aDifferentSynInWindowReturnsThePassiveChildToListen() {
            EngineHarness h = EngineHarness.listening(EngineHarness.plain(), 8);
            Connection child = h.in("S").seq(PEER_ISS).mss(1460).toListener();
            h.next();
            h.in("S").seq(PEER_ISS + 10).mss(1460).deliver(); // RFC 9293 §3.10.7.4 fourth, SYN-RECEIVED
            assertThat(h.lastTransition()).isEqualTo("SYN_RECV->LISTEN: rcvd SYN (passive open)");
            assertThat(child.isReleased()).isTrue();
            h.expectNothing();
        }

        @Test
        void unacceptableAckInSynRecvIsAnsweredWithReset() {
            EngineHarness h = EngineHarness.listening(EngineHarness.plain(), 8);
            h.in("S").seq(PEER_ISS).mss(1460).toListener();
            h.next();
            h.in(".").seq(PEER_ISS + 1).ack(ISS + 50).deliver();
            h.expect("R", ISS + 50, 0, 0);
            assertThat(h.conn.state()).isEqualTo(TcpState.SYN_RECV);
        }
    }

    @Nested
    class SimultaneousOpen {
        @Test
        void synInSynSentGoesToSynRecvWithSameIsnThenEstablished() {
            EngineHarness h = EngineHarness.active(EngineHarness.plain());
            h.connect();
            h.expect("S", ISS, 0, 0);
            h.in("S").seq(PEER_ISS).mss(1460).deliver();
            h.expect("S.", ISS, PEER_ISS + 1, 0); // the same ISN, now with the ACK
            assertThat(h.conn.state()).isEqualTo(TcpState.SYN_RECV);
            // the peer's SYN-ACK acknowledges our SYN
            h.in("S.").seq(PEER_ISS).ack(ISS + 1).mss(1460).deliver();
            assertThat(h.conn.state()).isEqualTo(TcpState.ESTABLISHED);
            assertThat(h.transitions).containsExactly(
                    "CLOSED->SYN_SENT: connect()",
                    "SYN_SENT->SYN_RECV: rcvd SYN (simultaneous open)",
                    "SYN_RECV->ESTABLISHED: rcvd ACK of SYN-ACK");
            h.conn.setNoDelay(true);
            h.write(10);
            h.expect("P.", ISS + 1, PEER_ISS + 1, 10);
        }

        @Test
        void aPlainAckAlsoCompletesTheSimultaneousOpen() {
            EngineHarness h = EngineHarness.active(EngineHarness.plain());
            h.connect();
            h.next();
            h.in("S").seq(PEER_ISS).mss(1460).deliver();
            h.next();
            h.in(".").seq(PEER_ISS + 1).ack(ISS + 1).deliver();
            assertThat(h.conn.state()).isEqualTo(TcpState.ESTABLISHED);
            assertThat(h.conn.listener()).isNull();
        }

        @Test
        void closeInSynRecvSendsFinAndEntersFinWait1() {
            EngineHarness h = EngineHarness.active(EngineHarness.plain());
            h.connect();
            h.next();
            h.in("S").seq(PEER_ISS).mss(1460).deliver();
            h.expect("S.", ISS, PEER_ISS + 1, 0);
            h.conn.close(h.now);
            h.expect("F.", ISS + 1, PEER_ISS + 1, 0); // RFC 9293 §3.10.4: nothing queued, FIN now
            assertThat(h.lastTransition()).isEqualTo("SYN_RECV->FIN_WAIT1: close()");
            h.in(".").seq(PEER_ISS + 1).ack(ISS + 2).deliver(); // acknowledges SYN and FIN
            assertThat(h.conn.state()).isEqualTo(TcpState.FIN_WAIT2);
            h.in("F.").seq(PEER_ISS + 1).ack(ISS + 2).deliver();
            h.expect(".", ISS + 2, PEER_ISS + 2, 0);
            assertThat(h.conn.state()).isEqualTo(TcpState.TIME_WAIT);
        }

        @Test
        void resetInActiveSynRecvRefusesTheConnection() {
            EngineHarness h = EngineHarness.active(EngineHarness.plain());
            h.connect();
            h.next();
            h.in("S").seq(PEER_ISS).mss(1460).deliver();
            h.next();
            h.in("R").seq(PEER_ISS + 1).deliver();
            assertThat(h.conn.state()).isEqualTo(TcpState.CLOSED);
            assertThat(h.conn.error()).isEqualTo(TcpError.CONNECTION_REFUSED);
        }
    }
}
