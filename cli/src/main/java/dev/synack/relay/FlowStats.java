package dev.synack.relay;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one relayed flow carried: bytes each way (up: from the device's side to the destination,
 * down: back) and how long it lived, as the relay prints it when the flow ends. Counted by the
 * threads that copy, read by whoever prints.
 */
public final class FlowStats {
    private final String protocol;
    private final InetSocketAddress source;
    private final InetSocketAddress destination;
    private final long startNanos = System.nanoTime();
    final AtomicLong up = new AtomicLong();
    final AtomicLong down = new AtomicLong();
    private volatile long endNanos;
    private volatile String outcome = "open";

    public FlowStats(String protocol, InetSocketAddress source, InetSocketAddress destination) {
        this.protocol = protocol;
        this.source = source;
        this.destination = destination;
    }

    public long bytesUp() { return up.get(); }

    public long bytesDown() { return down.get(); }

    public InetSocketAddress destination() { return destination; }

    /** Marks the flow ended with {@code how} ("closed", "reset", "refused: ...", "idle", "aborted"); the first end stands. */
    synchronized void ended(String how) {
        if (endNanos != 0) return;
        outcome = how;
        endNanos = System.nanoTime();
    }

    public String outcome() { return outcome; }

    /** "tcp 10.7.0.1:40000 -> 198.18.0.2:80: up 120 B, down 5000 B, 0.012 s, closed". */
    @Override
    public String toString() {
        long end = endNanos == 0 ? System.nanoTime() : endNanos;
        return String.format("%s %s -> %s: up %d B, down %d B, %.3f s, %s", protocol, text(source), text(destination),
                up.get(), down.get(), (end - startNanos) / 1e9, outcome);
    }

    private static String text(InetSocketAddress a) {
        String host = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
