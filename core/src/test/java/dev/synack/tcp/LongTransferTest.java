package dev.synack.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.wire.IpAddress;
import dev.synack.wire.TcpSegment;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * One connection carrying more than 2^31 bytes: sequence numbers compare only within half the
 * sequence space (RFC 9293 §3.4), so anything the engine remembers from the handshake or from long
 * ago must not be compared with SND.UNA once 2 GiB have gone by. Two engines back to back on a
 * lossless path with a fixed delay, in virtual time; the sender's ISN lies just below 2^32, so the
 * stream also crosses the sequence wrap at its start. Every byte is checked.
 */
class LongTransferTest {
    static final int CLIENT = 0x0a000001;
    static final int SERVER = 0x0a000002;
    static final long PATH_DELAY_NANOS = 50_000L;
    static final int CHUNK = 64 * 1024;
    /** Bytes of the stream checked against; byte i of the stream is {@code i % PATTERN_PERIOD}. */
    static final int PATTERN_PERIOD = 251;
    static final byte[] PATTERN = new byte[CHUNK + PATTERN_PERIOD];

    static {
        for (int i = 0; i < PATTERN.length; i++) PATTERN[i] = (byte) (i % PATTERN_PERIOD);
    }

    record Arrival(long at, int destination, TcpSegment segment) {}

    /** A lossless path of fixed delay; it can drop the first data segment that holds a chosen sequence number. */
    static final class Path implements TcpOutput {
        final ArrayDeque<Arrival> inFlight = new ArrayDeque<>(); // a fixed delay keeps arrival order
        final List<String> timers = new ArrayList<>();
        int dropSeq;
        boolean dropPending;
        long dataSegments;

        @Override
        public void send(IpAddress source, IpAddress destination, TcpSegment segment, long at) {
            if (segment.payloadLength() > 0) {
                dataSegments++;
                if (dropPending && Seq.inWindow(dropSeq, segment.seq(), segment.seq() + segment.payloadLength())) {
                    dropPending = false;
                    return;
                }
            }
            inFlight.add(new Arrival(at + PATH_DELAY_NANOS, destination.ipv4(), segment.copy()));
        }

        @Override public void stateChanged(Connection c, TcpState from, TcpState to, String cause, long at) { }
        @Override public void timerFired(Connection c, String timer, long at) { timers.add(timer); }
        @Override public void segmentDropped(Connection c, TcpSegment s, String reason, long at) { }
        @Override public void wakeup(Connection c) { }
    }

    /**
     * The sender keeps sending after 2^31 bytes: whether its SYN was acknowledged cannot be read
     * from SND.UNA &gt; ISS, which turns false at 2 GiB (modular comparison) and would stop all
     * transmission with no timer armed. A segment lost after that point is repaired by fast
     * retransmit, not by the retransmission timer: the recovery point left at the ISN must not look
     * ahead of SND.UNA either.
     */
    @ParameterizedTest(name = "mss {0}, {1}")
    @CsvSource({"65495, CUBIC", "1460, NEW_RENO"})
    void aConnectionCarriesMoreThanTwoGibibytesAcrossTheSequenceWrap(int mss, CongestionAlgorithm cc) {
        long total = (1L << 31) + (8L << 20);
        long dropAt = (1L << 31) + (4L << 20);
        int clientIsn = 0xFFFF0000;
        TcpConfig config = TcpConfig.linux().toBuilder().mss(mss).congestionAlgorithm(cc).build();
        Path path = new Path();
        Connection client = Connection.active(config, new FourTuple(CLIENT, 40000, SERVER, 80), IsnGenerator.fixed(clientIsn), path);
        Listener listener = new Listener(config, SERVER, 80, 8, IsnGenerator.fixed(0x7FFF0000), path);
        Connection server = null;
        Connection accepted = null;
        // The stream's first byte has sequence number ISN + 1.
        path.dropSeq = (int) (clientIsn + 1 + dropAt);
        path.dropPending = true;

        ByteBuffer readBuf = ByteBuffer.allocate(CHUNK);
        long now = 0;
        long written = 0;
        long read = 0;
        boolean eof = false;
        client.connect(now);
        while (!eof) {
            if (client.isConnectDone() && written < total) {
                int len = (int) Math.min(CHUNK, total - written);
                written += client.write(ByteBuffer.wrap(PATTERN, (int) (written % PATTERN_PERIOD), len), now);
                if (written == total) client.shutdown(ShutdownHow.WRITE, now);
            }
            if (accepted == null) accepted = listener.accept();
            while (accepted != null) {
                readBuf.clear();
                int n = accepted.read(readBuf, now);
                if (n < 0) eof = true;
                if (n <= 0) break;
                int from = (int) (read % PATTERN_PERIOD);
                assertThat(Arrays.mismatch(readBuf.array(), 0, n, PATTERN, from, from + n))
                        .as("first wrong byte in the %d bytes read at stream offset %d", n, read).isEqualTo(-1);
                read += n;
            }
            long next = client.nextDeadline();
            if (server != null) next = Math.min(next, server.nextDeadline());
            Arrival head = path.inFlight.peek();
            if (head != null && head.at() <= next) {
                path.inFlight.poll();
                now = Math.max(now, head.at());
                if (head.destination() == CLIENT) {
                    client.segmentArrived(head.segment(), now);
                } else if (server != null) {
                    server.segmentArrived(head.segment(), now);
                } else {
                    server = listener.segmentArrived(SERVER, CLIENT, head.segment(), now);
                }
            } else if (next != Long.MAX_VALUE) {
                now = Math.max(now, next);
                if (client.nextDeadline() <= now) client.deadlineReached(now);
                if (server != null && server.nextDeadline() <= now) server.deadlineReached(now);
            } else if (!eof) {
                break; // nothing in flight, no timer armed, and the application cannot move: stuck for good
            }
        }

        assertThat(read).as("bytes delivered (stalled with %d written, client %s, server %s)",
                written, client.state(), server == null ? null : server.state()).isEqualTo(total);
        assertThat(eof).as("end of stream").isTrue();
        assertThat(path.dropPending).as("the segment holding stream offset 2 GiB + 4 MiB was sent and dropped").isFalse();
        assertThat(path.timers).as("the loss was repaired without the retransmission timer").doesNotContain("retransmit");
        assertThat(client.error()).isNull();
        assertThat(accepted.error()).isNull();
    }
}
