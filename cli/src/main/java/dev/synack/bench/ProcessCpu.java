package dev.synack.bench;

import java.lang.management.ManagementFactory;

/**
 * The CPU time of the whole process (every thread, the JIT's and the collector's included, user and
 * system time), for figures of work done beside figures of speed: for the kernel's TCP over
 * loopback, its syscalls and the loopback's processing run in the process's own threads and count
 * here too. The JDK reads it on Linux with times(2), in clock ticks: a reading moves in steps of
 * 10 ms, fine for the benchmarks' seconds-long runs, not for windows of a few milliseconds.
 */
public final class ProcessCpu {
    private ProcessCpu() {}

    /** The process's CPU time so far in nanoseconds, or -1 when the JVM does not say. */
    public static long nanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime() : -1;
    }

    /** How many cores {@code cpuNanos} of CPU kept busy on average over {@code wallNanos} (NaN when either is unknown). */
    static double busyCores(long cpuNanos, long wallNanos) {
        return cpuNanos >= 0 && wallNanos > 0 ? (double) cpuNanos / wallNanos : Double.NaN;
    }

    /** CPU used between two readings of {@link #nanos()}, or -1 when either is unknown. */
    static long between(long from, long to) {
        return from >= 0 && to >= from ? to - from : -1;
    }
}
