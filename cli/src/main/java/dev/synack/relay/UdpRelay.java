package dev.synack.relay;

import dev.synack.socket.UdpSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * One relayed UDP flow: the datagrams of a sender to a forwarded destination (a flow synack's
 * stack handed over) copied to the real destination through a {@link DatagramPath}, and the
 * answers back, each direction on a thread of its own. A flow has no end on the wire: it ends
 * when neither side has sent anything for the idle timeout (as conntrack's UDP timeout and
 * tun2socks end theirs; 30 s by default in the forward command), or when the relay shuts down.
 */
public final class UdpRelay implements Relay {
    private static final int MAX_DATAGRAM = 65_535;

    private final UdpSocket inside;
    private final DatagramPath.Opener opener;
    private final Duration idleTimeout;
    private final FlowStats stats;
    private volatile long lastActive = System.nanoTime();
    private volatile DatagramPath outside;

    public UdpRelay(UdpSocket inside, DatagramPath.Opener opener, Duration idleTimeout) {
        this.inside = inside;
        this.opener = opener;
        this.idleTimeout = idleTimeout;
        this.stats = new FlowStats("udp", inside.getRemoteAddress(), inside.getLocalAddress());
    }

    @Override
    public FlowStats stats() { return stats; }

    /** Relays until the flow is idle for the timeout or fails; {@code done} then receives its statistics. */
    @Override
    public void run(Consumer<FlowStats> done) {
        try {
            outside = opener.open(stats.destination());
        } catch (IOException | RuntimeException e) {
            inside.close();
            stats.ended("refused: " + e.getMessage());
            done.accept(stats);
            return;
        }
        Thread downward = Thread.ofVirtual().name("udp-relay-down").start(this::copyDown);
        String how = copyUp();
        close();
        try {
            downward.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stats.ended(how);
        done.accept(stats);
    }

    private boolean idle() {
        return System.nanoTime() - lastActive >= idleTimeout.toNanos();
    }

    /** Sender to destination until idle; how it ended. */
    private String copyUp() {
        ByteBuffer buffer = ByteBuffer.allocate(MAX_DATAGRAM);
        inside.setSoTimeout(idleTimeout.dividedBy(4).plusMillis(1));
        try {
            while (true) {
                buffer.clear();
                try {
                    inside.receive(buffer);
                } catch (SocketTimeoutException quiet) {
                    if (idle()) return "idle";
                    continue;
                }
                lastActive = System.nanoTime();
                outside.send(buffer.array(), buffer.position());
                stats.up.addAndGet(buffer.position());
            }
        } catch (IOException | RuntimeException e) {
            return inside.isClosed() ? "closed" : "failed: " + e.getMessage();
        }
    }

    /** Destination to sender until the flow closes. */
    private void copyDown() {
        byte[] buffer = new byte[MAX_DATAGRAM];
        try {
            while (!inside.isClosed()) {
                int n = outside.receive(buffer, idleTimeout.dividedBy(4).plusMillis(1));
                if (n < 0) continue;
                lastActive = System.nanoTime();
                inside.send(ByteBuffer.wrap(buffer, 0, n), null);
                stats.down.addAndGet(n);
            }
        } catch (IOException | RuntimeException e) {
            // The flow closed (or its path failed): the other direction ends the relay.
            inside.close();
        }
    }

    /** Ends the relay from outside (shutdown). */
    @Override
    public void abort() {
        stats.ended("aborted");
        close();
    }

    private void close() {
        inside.close();
        DatagramPath o = outside;
        if (o == null) return;
        try {
            o.close();
        } catch (IOException e) {
            // Closing a kernel socket: nothing to report.
        }
    }

    public InetSocketAddress destination() { return stats.destination(); }
}
