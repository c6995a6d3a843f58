package dev.synack.stack;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The stack's timers: one {@link TimerWheel} holding a timer per connection ({@link Endpoint}) and
 * per detached TIME_WAIT record ({@link TimeWaitTimer}), each scheduled at its owner's next
 * deadline. Scheduling and firing are O(1) per timer. Guarded by the stack's lock.
 */
final class Timers {
    static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final int SLOTS = 1024;
    private static final long NOT_FIRING = Long.MIN_VALUE;

    private final NetStack stack;
    private final TimerWheel<Object> wheel;
    /** The time the timers being fired are due at, while they fire; {@link #NOT_FIRING} otherwise. */
    private long firingAt = NOT_FIRING;

    Timers(NetStack stack, long startNanos) {
        this.stack = stack;
        this.wheel = new TimerWheel<>(TICK_NANOS, SLOTS, startNanos);
    }

    /**
     * Schedules {@code timer} at {@code deadline} and tells the waiter, which may wake the event
     * loop to an earlier deadline. While timers fire, an owner that asks for an instant not after
     * the one they fire at gets a tick later: a timer never spins on one instant.
     */
    void schedule(TimerWheel.Timer<Object> timer, long deadline) {
        long at = notBeforeNextTick(deadline);
        wheel.schedule(timer, at);
        stack.waiter().timersChanged(stack, at);
    }

    /** Gives {@code old}'s place in the wheel to {@code replacement}, at {@code deadline} (see {@link TimerWheel#replace}). */
    void replace(TimerWheel.Timer<Object> old, TimerWheel.Timer<Object> replacement, long deadline) {
        long at = notBeforeNextTick(deadline);
        wheel.replace(old, replacement, at);
        stack.waiter().timersChanged(stack, at);
    }

    private long notBeforeNextTick(long deadline) {
        return deadline <= firingAt ? firingAt + TICK_NANOS : deadline;
    }

    /**
     * After an engine error in {@code timer}'s owner: unless something rescheduled it, it fires
     * again one minimum RTO after {@code now}, so that a broken connection is not forgotten with
     * its port, nor fired in a loop.
     */
    void retryLater(TimerWheel.Timer<Object> timer, long now) {
        if (!timer.isScheduled()) wheel.schedule(timer, now + stack.config().minRtoNanos());
    }

    void cancel(TimerWheel.Timer<Object> timer) {
        wheel.cancel(timer);
    }

    /**
     * Hands the owner of every timer due at {@code now} to {@code fire}, in deadline order; returns
     * how many were due. An owner's rescheduling during its firing lands after {@code now}.
     */
    int expire(long now, Consumer<Object> fire) {
        assert stack.stackLock().isHeldByCurrentThread() : "timers fire under the stack's lock";
        firingAt = now;
        try {
            return wheel.expire(now, fire);
        } finally {
            firingAt = NOT_FIRING;
        }
    }

    /** The time the timers being fired are due at (only meaningful inside {@link #expire}'s callback). */
    long firingAt() { return firingAt; }

    /** The earliest deadline of any timer, or {@link Long#MAX_VALUE}. */
    long nextDeadline() { return wheel.nextDeadline(); }

    /** At or before {@link #nextDeadline()}, and cheaper (see {@link TimerWheel#nextDeadlineBound()}). */
    long nextDeadlineBound() { return wheel.nextDeadlineBound(); }
}
