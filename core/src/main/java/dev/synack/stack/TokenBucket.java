package dev.synack.stack;

/**
 * A token bucket in the stack's time: {@code rate} tokens a second, at most {@code burst} saved up,
 * full at the start. For host-wide limits on what strangers can make the host send (RSTs for no
 * connection, echo replies), as Linux's icmp_global_allow keeps its credit.
 */
final class TokenBucket {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final long nanosPerToken;
    /** The most credit that may be saved up: burst tokens' worth of time. */
    private final long capacity;
    /** Saved-up credit in nanoseconds of refill (a token costs {@link #nanosPerToken}). */
    private long credit;
    private long last;

    TokenBucket(int rate, int burst, long now) {
        if (rate < 1 || burst < 1) throw new IllegalArgumentException("rate and burst must be positive: " + rate + ", " + burst);
        this.nanosPerToken = Math.max(1, NANOS_PER_SECOND / rate);
        this.capacity = nanosPerToken * burst;
        this.credit = capacity;
        this.last = now;
    }

    /** Takes a token at {@code now} if there is one. */
    boolean tryTake(long now) {
        long elapsed = now - last;
        if (elapsed > 0) {
            credit = elapsed >= capacity - credit ? capacity : credit + elapsed;
            last = now;
        }
        if (credit < nanosPerToken) return false;
        credit -= nanosPerToken;
        return true;
    }
}
