package dev.synack.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * RFC 7661 §4.1 (and RFC 5681 §3.1): cwnd grows only while the sender uses it. A request-response
 * style sender with one small message in flight at a time never fills its initial window, so its
 * ACKs must not grow cwnd; a bulk sender, limited by cwnd, does grow it. Two engines back to back on
 * {@link LongTransferTest.Path}.
 */
class ApplicationLimitedTest {
    static final int MESSAGE = 1000;
    static final int MESSAGES = 300;

    @ParameterizedTest
    @EnumSource(CongestionAlgorithm.class)
    void anApplicationLimitedSenderKeepsItsWindowWhileABulkSenderGrowsIt(CongestionAlgorithm cc) {
        TcpConfig config = TcpConfig.linux().toBuilder().congestionAlgorithm(cc).build();
        int initial = run(config, false, 0);
        int afterSmallMessages = run(config, false, MESSAGES);
        int afterBulk = run(config, true, MESSAGES);
        assertThat(afterSmallMessages).as("one %d-byte message at a time: cwnd not used, not grown", MESSAGE).isEqualTo(initial);
        assertThat(afterBulk).as("the same bytes and more written at once: cwnd-limited, grown").isGreaterThan(initial);
    }

    /** The sender's cwnd after {@code messages} messages, each sent when the previous one was read (or all at once when {@code bulk}). */
    private static int run(TcpConfig config, boolean bulk, int messages) {
        LongTransferTest.Path path = new LongTransferTest.Path();
        int client = LongTransferTest.CLIENT;
        int serverAddress = LongTransferTest.SERVER;
        Connection sender = Connection.active(config, new FourTuple(client, 40000, serverAddress, 80), IsnGenerator.fixed(1), path);
        Listener listener = new Listener(config, serverAddress, 80, 8, IsnGenerator.fixed(2), path);
        Connection server = null;
        Connection accepted = null;
        long now = 0;
        long total = bulk ? 64L * MESSAGE * messages : (long) MESSAGE * messages;
        long written = 0;
        long read = 0;
        ByteBuffer readBuf = ByteBuffer.allocate(64 * 1024);
        byte[] message = new byte[bulk ? 64 * MESSAGE : MESSAGE];
        sender.connect(now);
        while (true) {
            boolean previousRead = read == written;
            if (sender.isConnectDone() && written < total && (bulk || previousRead)) {
                written += sender.write(ByteBuffer.wrap(message, 0, (int) Math.min(message.length, total - written)), now);
            }
            if (accepted == null) accepted = listener.accept();
            while (accepted != null) {
                readBuf.clear();
                int n = accepted.read(readBuf, now);
                if (n <= 0) break;
                read += n;
            }
            if (read == total && sender.isConnectDone()) {
                // let the last ACKs arrive before looking at the window
                if (path.inFlight.isEmpty()) break;
            }
            long next = sender.nextDeadline();
            if (server != null) next = Math.min(next, server.nextDeadline());
            LongTransferTest.Arrival head = path.inFlight.peek();
            if (head != null && head.at() <= next) {
                path.inFlight.poll();
                now = Math.max(now, head.at());
                if (head.destination() == client) {
                    sender.segmentArrived(head.segment(), now);
                } else if (server != null) {
                    server.segmentArrived(head.segment(), now);
                } else {
                    server = listener.segmentArrived(serverAddress, client, head.segment(), now);
                }
            } else if (next != Long.MAX_VALUE) {
                now = Math.max(now, next);
                if (sender.nextDeadline() <= now) sender.deadlineReached(now);
                if (server != null && server.nextDeadline() <= now) server.deadlineReached(now);
            } else if (head == null) {
                break;
            }
        }
        assertThat(read).as("bytes delivered").isEqualTo(total);
        assertThat(path.timers).as("no loss, no timeout").doesNotContain("retransmit");
        return sender.congestionWindow();
    }
}
