package dev.synack.tcp;

import static dev.synack.tcp.EngineHarness.ISS;
import static dev.synack.tcp.EngineHarness.PEER_ISS;
import static dev.synack.tcp.EngineHarness.pattern;
import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.wire.TcpSegment;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Window scaling (RFC 7323 §2) with receive-buffer autotuning toward TcpConfig's maximum (6 MiB). */
class AutotuningTest {
    static final int SND = ISS + 1;
    static final int RCV = PEER_ISS + 1;
    static final int MSS = 1460;
    static final int SHIFT = 7;

    /**
     * The peer fills every window we offer, one round trip (100 ms) per window, and the application
     * reads everything at once. Returns the largest window offered, in bytes.
     */
    static long run(TcpConfig config, int rounds, EngineHarness[] out) {
        EngineHarness h = EngineHarness.active(config);
        out[0] = h;
        h.connect();
        h.next();
        h.advanceMillis(100);
        h.in("S.").seq(PEER_ISS).ack(SND).mss(MSS).wscale(SHIFT).deliver();
        TcpSegment ack = h.next();
        long next = RCV;
        long edge = RCV + ((long) ack.window() << SHIFT);
        long largest = 0;
        int streamOffset = 0;
        byte[] block = pattern(0, 1 << 16);
        ByteBuffer sink = ByteBuffer.allocate(1 << 20);
        for (int r = 0; r < rounds; r++) {
            long roundEdge = edge; // one window per round trip: what was offered when the round began
            while (next + MSS <= roundEdge) {
                byte[] payload = Arrays.copyOfRange(block, streamOffset % 4096, streamOffset % 4096 + MSS);
                h.in(".").seq((int) next).ack(SND).data(payload).deliver();
                next += MSS;
                streamOffset += MSS;
                sink.clear();
                while (h.conn.read(sink, h.now) > 0) sink.clear();
                while (!h.sent.isEmpty()) {
                    TcpSegment s = h.next();
                    long offered = (long) s.window() << SHIFT;
                    largest = Math.max(largest, offered);
                    edge = Math.max(edge, (s.ack() & 0xffffffffL) + offered);
                }
            }
            h.advanceMillis(100);
            while (!h.sent.isEmpty()) {
                TcpSegment s = h.next();
                long offered = (long) s.window() << SHIFT;
                largest = Math.max(largest, offered);
                edge = Math.max(edge, (s.ack() & 0xffffffffL) + offered);
            }
        }
        return largest;
    }

    @Test
    void theReceiveBufferGrowsWithTheBandwidthDelayProductUpToTheMaximum() {
        TcpConfig config = EngineHarness.plain().toBuilder().windowScaling(true).build();
        assertThat(config.maxReceiveBufferSize()).isEqualTo(6 * 1024 * 1024);
        EngineHarness[] h = new EngineHarness[1];
        long largest = run(config, 16, h);
        assertThat(h[0].conn.receiveBufferSize()).isEqualTo(config.maxReceiveBufferSize());
        assertThat(largest).isGreaterThan(4L * 1024 * 1024)
                .isLessThanOrEqualTo(config.maxReceiveBufferSize() + (1 << SHIFT) - 1);
        assertThat(h[0].drops).as("no in-window byte was ever trimmed").isEmpty();
    }

    @Test
    void withoutAutotuningTheWindowStaysWithinTheConfiguredBuffer() {
        TcpConfig config = EngineHarness.plain().toBuilder().windowScaling(true).receiveBufferAutotuning(false).build();
        EngineHarness[] h = new EngineHarness[1];
        long largest = run(config, 5, h);
        assertThat(h[0].conn.receiveBufferSize()).isEqualTo(config.receiveBufferSize());
        assertThat(largest).isLessThanOrEqualTo(config.receiveBufferSize() + (1 << SHIFT) - 1);
        assertThat(h[0].drops).isEmpty();
    }
}
