package dev.synack.tcp;

/**
 * RFC 5961 §7: at most {@link TcpConfig#challengeAckLimit()} challenge ACKs in any one-second
 * window, counted per connection (Linux counts them host-wide). A connection creates its limiter
 * with its first challenge ACK, so that most connections never carry one; a connection entering
 * TIME_WAIT hands its limiter to its {@link TimeWaitRecord}, so the budget spans the transition.
 */
final class ChallengeAckLimiter {
    /** The window is one second long. */
    private static final long WINDOW_NANOS = 1_000_000_000L;

    private long windowStart;
    private int sent;

    ChallengeAckLimiter(long now) {
        this.windowStart = now;
    }

    /** True when one more challenge ACK may go out at {@code now} (and counts it). */
    boolean tryAcquire(long now, int limit) {
        if (now - windowStart >= WINDOW_NANOS) {
            windowStart = now;
            sent = 0;
        }
        if (sent >= limit) return false;
        sent++;
        return true;
    }
}
