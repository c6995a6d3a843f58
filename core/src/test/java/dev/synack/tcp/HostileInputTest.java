package dev.synack.tcp;

import static dev.synack.tcp.EngineHarness.ISS;
import static dev.synack.tcp.EngineHarness.PEER_ISS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.wire.TcpFlags;
import dev.synack.wire.TcpSegment;
import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random segments, user calls and timer firings thrown at connections and a listener: nothing but
 * {@link TcpException} (from user calls) may escape, emitted segments stay well formed, and timers
 * never lie in the past after they fire.
 */
class HostileInputTest {

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {101, 102, 103, 104, 105, 106, 107, 108})
    void randomInputNeverThrowsAndKeepsInvariants(long seed) {
        Random r = new Random(seed);
        TcpConfig config = r.nextBoolean() ? TcpConfig.linux() : EngineHarness.plain().toBuilder()
                .receiveBufferSize(3000).sendBufferSize(3000).challengeAckLimit(5).build();
        EngineHarness h = EngineHarness.listening(config, 2);
        Connection active = Connection.active(config, EngineHarness.TUPLE, IsnGenerator.fixed(ISS), h);
        h.conn = active;
        int phase = r.nextInt(3);
        try {
            if (phase > 0) active.connect(h.now);
            if (phase > 1) {
                h.in("S.").seq(PEER_ISS).ack(ISS + 1).mss(536 + r.nextInt(1000)).sackOk().ts(1, 1).nop().wscale(r.nextInt(16)).deliver();
            }
            for (int step = 0; step < 4000; step++) {
                int what = r.nextInt(20);
                if (what < 12) {
                    TcpSegment s = randomSegment(r);
                    if (r.nextInt(5) == 0) {
                        Connection child = h.listener.segmentArrived(EngineHarness.LOCAL_ADDRESS, EngineHarness.REMOTE_ADDRESS, s, h.now);
                        if (child != null && r.nextBoolean()) h.conn = child;
                    } else {
                        h.conn.segmentArrived(s, h.now);
                    }
                } else if (what < 15) {
                    long next = h.conn.nextDeadline();
                    if (next != Long.MAX_VALUE) {
                        h.now = Math.max(h.now, next);
                        h.conn.deadlineReached(h.now);
                        assertThat(h.conn.nextDeadline()).as("seed %d: timer after firing", seed).isGreaterThan(h.now);
                    } else {
                        h.now += r.nextInt(1_000_000_000);
                    }
                } else {
                    userCall(h, r);
                }
                while (!h.sent.isEmpty()) {
                    TcpSegment out = h.next();
                    assertThat(out.payloadLength()).as("seed %d", seed).isLessThanOrEqualTo(config.mss());
                    assertThat(out.options().encodedLength()).as("seed %d", seed).isLessThanOrEqualTo(40);
                    if (out.has(TcpFlags.SYN)) assertThat(out.has(TcpFlags.FIN) || out.has(TcpFlags.RST)).isFalse();
                }
                if (h.conn.isReleased()) {
                    assertThat(h.conn.nextDeadline()).as("seed %d", seed).isEqualTo(Long.MAX_VALUE);
                    if (r.nextInt(50) == 0) {
                        active = Connection.active(config, EngineHarness.TUPLE, IsnGenerator.fixed(r.nextInt()), h);
                        h.conn = active;
                        active.connect(h.now);
                    }
                }
            }
            h.listener.close(h.now);
        } catch (TcpException e) {
            throw new AssertionError("seed " + seed + ": a TcpException escaped outside a user call", e);
        }
    }

    private static void userCall(EngineHarness h, Random r) {
        try {
            switch (r.nextInt(8)) {
                case 0 -> h.conn.write(ByteBuffer.wrap(new byte[r.nextInt(5000)]), h.now);
                case 1, 2 -> h.conn.read(ByteBuffer.allocate(r.nextInt(5000)), h.now);
                case 3 -> h.conn.shutdown(ShutdownHow.values()[r.nextInt(3)], h.now);
                case 4 -> {
                    if (r.nextInt(4) == 0) h.conn.close(h.now);
                }
                case 5 -> {
                    if (r.nextInt(8) == 0) h.conn.abort(h.now);
                }
                case 6 -> h.conn.setNoDelay(r.nextBoolean(), h.now);
                default -> h.listener.accept();
            }
        } catch (TcpException expected) {
            // user calls may fail; that is their contract
        }
    }

    private static TcpSegment randomSegment(Random r) {
        TcpSegment s = new TcpSegment()
                .sourcePort(EngineHarness.REMOTE_PORT)
                .destinationPort(EngineHarness.LOCAL_PORT)
                .flags(r.nextInt(4) == 0 ? r.nextInt(256) : pick(r))
                .seq(PEER_ISS + r.nextInt(20_000) - 5_000)
                .ack(ISS + r.nextInt(20_000) - 5_000)
                .window(r.nextInt(65536));
        if (r.nextInt(3) == 0) s.options().nop().nop().timestamps(r.nextInt(1000), r.nextInt(1000));
        if (r.nextInt(6) == 0) s.options().mss(r.nextInt(70000));
        if (r.nextInt(6) == 0) s.options().windowScale(r.nextInt(256));
        if (r.nextInt(2) == 0) s.payload(ByteBuffer.wrap(new byte[r.nextInt(1600)]));
        return s;
    }

    private static int pick(Random r) {
        int[] common = {TcpFlags.ACK, TcpFlags.ACK | TcpFlags.PSH, TcpFlags.SYN, TcpFlags.SYN | TcpFlags.ACK,
                TcpFlags.RST, TcpFlags.RST | TcpFlags.ACK, TcpFlags.FIN | TcpFlags.ACK};
        return common[r.nextInt(common.length)];
    }
}
