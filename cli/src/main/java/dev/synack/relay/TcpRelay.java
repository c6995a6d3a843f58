package dev.synack.relay;

import dev.synack.socket.TcpSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One relayed TCP connection: a connection synack accepted for a forwarded destination, joined
 * to a kernel socket to that destination ({@link Upstream}). Each direction is copied by a thread
 * of its own; an end-of-stream on one side becomes a half-close on the other (FIN, as
 * {@code shutdownOutput}), so protocols that close one way first work; an error on either side
 * resets the other. When the destination cannot be reached the synack connection is reset, which
 * its peer sees as a refused or broken connection.
 */
public final class TcpRelay implements Relay {
    private static final int CHUNK = 64 * 1024;

    private final TcpSocket inside;
    private final Upstream upstream;
    private final Duration connectTimeout;
    private final FlowStats stats;
    private volatile Socket outside;

    public TcpRelay(TcpSocket inside, Upstream upstream, Duration connectTimeout) {
        this.inside = inside;
        this.upstream = upstream;
        this.connectTimeout = connectTimeout;
        this.stats = new FlowStats("tcp", inside.getRemoteAddress(), inside.getLocalAddress());
    }

    @Override
    public FlowStats stats() { return stats; }

    /**
     * Connects to the destination and copies both ways until both directions have ended (on the
     * calling thread and one started here); {@code done} then receives the statistics.
     */
    @Override
    public void run(Consumer<FlowStats> done) {
        try {
            outside = upstream.connect(stats.destination(), connectTimeout);
        } catch (IOException | RuntimeException e) {
            reset(inside);
            stats.ended("refused: " + e.getMessage());
            done.accept(stats);
            return;
        }
        Thread downward = Thread.ofVirtual().name("relay-down").start(() -> copyDown());
        boolean upOk = copyUp();
        boolean downOk;
        try {
            downward.join();
            downOk = !failed;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            downOk = false;
        }
        close(upOk && downOk);
        done.accept(stats);
    }

    private volatile boolean failed;

    private boolean copyUp() {
        Socket o = outside;
        return copy(inside::getInputStream, o::getOutputStream, o::shutdownOutput, stats.up);
    }

    private boolean copyDown() {
        Socket o = outside;
        return copy(o::getInputStream, inside::getOutputStream, inside::shutdownOutput, stats.down);
    }

    private interface Opener<T> {
        T open() throws IOException;
    }

    private interface HalfClose {
        void shutdownOutput() throws IOException;
    }

    /** Copies {@code from} to {@code to} until end of stream, then half-closes {@code to}'s side; false on an error. */
    private boolean copy(Opener<InputStream> from, Opener<OutputStream> to, HalfClose halfClose, AtomicLong counter) {
        byte[] buffer = new byte[CHUNK];
        try {
            InputStream in = from.open();
            OutputStream out = to.open();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                out.flush();
                counter.addAndGet(n);
            }
            halfClose.shutdownOutput();
            return true;
        } catch (IOException | RuntimeException e) {
            failed = true;
            // One side failed: both are reset, which also ends the other direction's copy.
            reset(inside);
            resetOutside();
            return false;
        }
    }

    /** Aborts the relay from outside (shutdown): both sides reset. */
    @Override
    public void abort() {
        reset(inside);
        resetOutside();
        stats.ended("aborted");
    }

    private void close(boolean clean) {
        if (clean) {
            try {
                inside.close();
            } catch (IOException | RuntimeException e) {
                // Closing after both directions ended: nothing left to report.
            }
            try {
                outside.close();
            } catch (IOException e) {
                // As above.
            }
            stats.ended("closed");
        } else {
            reset(inside);
            resetOutside();
            stats.ended("reset");
        }
    }

    /** Resets {@code s} (SO_LINGER 0, then close), whatever state it is in. */
    static void reset(TcpSocket s) {
        try {
            s.setSoLinger(true, 0);
            s.close();
        } catch (IOException | RuntimeException e) {
            // Already closed or reset.
        }
    }

    private void resetOutside() {
        Socket o = outside;
        if (o == null) return;
        try {
            o.setSoLinger(true, 0);
            o.close();
        } catch (IOException e) {
            // Already closed.
        }
    }

    /** The destination the relay connects to: the synack connection's local address. */
    public InetSocketAddress destination() { return stats.destination(); }
}
