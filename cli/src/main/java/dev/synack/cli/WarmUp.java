package dev.synack.cli;

/**
 * Unmeasured runs before a benchmark's measured one, by time rather than by amount: the JIT compiles
 * synack's per-segment code once it has run often enough, and how many bytes that takes depends on
 * the segment size (at MTU 65535 a segment carries 45 times the bytes it carries at 1500).
 */
final class WarmUp {
    /** A run to repeat. */
    interface Run {
        void run() throws Exception;
    }

    private WarmUp() { }

    /** Runs {@code run} again and again until {@code seconds} have passed (not at all for 0). */
    static void forSeconds(double seconds, Run run) throws Exception {
        long end = System.nanoTime() + ConnectionsCommand.seconds(seconds).toNanos();
        while (System.nanoTime() - end < 0) run.run();
    }
}
