package dev.synack.stack;

/** Where a stack reads the time: the system's monotonic clock, or a simulation's virtual one. */
@FunctionalInterface
public interface Clock {
    /** Nanoseconds since an arbitrary origin; never decreases. */
    long nanos();

    static Clock system() {
        return System::nanoTime;
    }
}
