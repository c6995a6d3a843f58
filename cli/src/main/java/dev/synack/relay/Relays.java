package dev.synack.relay;

import java.io.PrintWriter;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The flows a forwarder relays now, and the totals of those that ended: each flow's statistics
 * are printed when it ends (unless quiet), those still open when the forwarder shuts down, and
 * the totals at the end.
 */
public final class Relays {
    private final PrintWriter out;
    private final boolean quiet;
    private final Set<Relay> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong flows = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong bytesUp = new AtomicLong();
    private final AtomicLong bytesDown = new AtomicLong();
    /** Set once {@link #shutdown} printed every open flow: later ends are not counted again. */
    private boolean shutDown;

    public Relays(PrintWriter out, boolean quiet) {
        this.out = out;
        this.quiet = quiet;
    }

    /** Relays {@code relay} on a virtual thread of its own until it ends. */
    public void start(Relay relay) {
        open.add(relay);
        Thread.ofVirtual().name("relay").start(() -> relay.run(stats -> ended(relay, stats)));
    }

    /** A relay ended by itself: counted and printed, unless shutdown already printed it. */
    private void ended(Relay relay, FlowStats stats) {
        synchronized (out) {
            if (shutDown) return;
            open.remove(relay);
            count(stats);
        }
    }

    /** Counts a flow that ended and prints it unless quiet (holding the output's lock). */
    private void count(FlowStats stats) {
        flows.incrementAndGet();
        if (stats.outcome().startsWith("refused")) refused.incrementAndGet();
        bytesUp.addAndGet(stats.bytesUp());
        bytesDown.addAndGet(stats.bytesDown());
        if (!quiet) print(stats.toString());
    }

    /** How many relays are open now. */
    public int openCount() { return open.size(); }

    /** Aborts every open relay, counting and printing each (ended "aborted"), then prints the totals. */
    public void shutdown() {
        synchronized (out) {
            shutDown = true;
            for (Relay r : open) {
                r.abort();
                count(r.stats());
            }
            open.clear();
            print(totals());
        }
    }

    /** "N flows (R refused), up X B, down Y B". */
    public String totals() {
        return flows.get() + " flows ended (" + refused.get() + " refused), up " + bytesUp.get() + " B, down " + bytesDown.get() + " B";
    }

    private void print(String line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }
}
