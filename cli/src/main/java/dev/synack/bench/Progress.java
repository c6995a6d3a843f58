package dev.synack.bench;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * A single updating line on a terminal stream (stderr): "label 42%" rewritten in place at most a
 * few times a second, then erased by {@link #done()} so that the figures on stdout stay clean.
 * Thread-safe: measuring threads report, whichever thread reports prints.
 */
public final class Progress {
    private static final long MIN_INTERVAL_NANOS = 200_000_000L;

    private final PrintWriter out;
    private String label = "";
    private long lastPrint;
    private int lastWidth;

    /** {@code out} null: a progress indication that prints nothing (tests, pipes). */
    public Progress(PrintWriter out) {
        this.out = out;
    }

    public static Progress silent() {
        return new Progress(null);
    }

    /** Starts a new phase; prints it at once. */
    public synchronized void phase(String label) {
        this.label = label;
        print(label + " ...");
    }

    /** {@code done} of {@code total} units of the current phase. */
    public synchronized void update(double done, double total) {
        long now = System.nanoTime();
        if (now - lastPrint < MIN_INTERVAL_NANOS) return;
        double pct = total > 0 ? Math.min(100, 100 * done / total) : 0;
        print(String.format(Locale.ROOT, "%s %3.0f%%", label, pct));
    }

    /** Erases the line. */
    public synchronized void done() {
        if (out == null || lastWidth == 0) return;
        out.print("\r" + " ".repeat(lastWidth) + "\r");
        out.flush();
        lastWidth = 0;
    }

    private void print(String text) {
        lastPrint = System.nanoTime();
        if (out == null) return;
        int pad = Math.max(0, lastWidth - text.length());
        out.print("\r" + text + " ".repeat(pad));
        out.flush();
        lastWidth = text.length();
    }
}
