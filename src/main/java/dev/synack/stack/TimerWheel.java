package dev.synack.stack;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * A hashed timing wheel (Varghese and Lauck's scheme 6): timers hash by their deadline's tick into
 * one of a power-of-two number of slots, each a doubly linked list, so that scheduling and
 * cancelling are O(1) and need no allocation (a {@link Timer} is allocated once per owner and reused).
 *
 * <p>Timers keep their exact deadline; the tick only chooses the slot. {@link #expire} fires exactly
 * the timers whose deadline has passed, in deadline order (ties in scheduling order), so the owner
 * sees the same times it asked for. {@link #nextDeadline()} is cached and recomputed by walking the
 * slots from the cursor only when the earliest timer was cancelled or fired.
 *
 * <p>Not thread-safe: the owning stack calls it under its lock.
 *
 * @param <T> what a timer belongs to (the stack's per-connection record)
 */
public final class TimerWheel<T> {
    private static final long UNKNOWN = Long.MIN_VALUE;

    /** One owner's timer: scheduled at most once at a time. */
    public static final class Timer<T> {
        private final T owner;
        private long deadline;
        private long tick;
        private long order;
        private int slot = -1;
        private Timer<T> prev;
        private Timer<T> next;

        public Timer(T owner) { this.owner = owner; }

        public T owner() { return owner; }
        public boolean isScheduled() { return slot >= 0; }
        /** The deadline it is scheduled at (meaningless when not scheduled). */
        public long deadline() { return deadline; }
    }

    private final long tickNanos;
    private final int mask;
    private final Timer<T>[] slots;
    private long cursorTick;
    private long nextOrder;
    private int size;
    private long cachedNext = Long.MAX_VALUE;
    private final List<Timer<T>> due = new ArrayList<>();
    private static final Comparator<Timer<?>> FIRING_ORDER =
            Comparator.<Timer<?>>comparingLong(t -> t.deadline).thenComparingLong(t -> t.order);

    /**
     * @param tickNanos the width of one slot in time
     * @param slotCount rounded up to a power of two
     * @param startNanos the clock's current time
     */
    @SuppressWarnings("unchecked")
    public TimerWheel(long tickNanos, int slotCount, long startNanos) {
        if (tickNanos <= 0) throw new IllegalArgumentException("tickNanos must be positive, was " + tickNanos);
        if (slotCount < 1 || slotCount > (1 << 24)) throw new IllegalArgumentException("slotCount out of range: " + slotCount);
        int n = Integer.highestOneBit(slotCount);
        if (n < slotCount) n <<= 1;
        this.tickNanos = tickNanos;
        this.mask = n - 1;
        this.slots = (Timer<T>[]) new Timer[n];
        this.cursorTick = Math.floorDiv(startNanos, tickNanos);
    }

    public long tickNanos() { return tickNanos; }
    public int size() { return size; }

    /** (Re)schedules {@code timer} at {@code deadlineNanos}; a deadline in the past fires at the next {@link #expire}. */
    public void schedule(Timer<T> timer, long deadlineNanos) {
        if (timer.isScheduled()) {
            if (timer.deadline == deadlineNanos) return;
            unlink(timer);
        }
        long tick = Math.max(Math.floorDiv(deadlineNanos, tickNanos), cursorTick);
        timer.deadline = deadlineNanos;
        timer.tick = tick;
        timer.order = nextOrder++;
        int slot = (int) (tick & mask);
        timer.slot = slot;
        timer.prev = null;
        timer.next = slots[slot];
        if (timer.next != null) timer.next.prev = timer;
        slots[slot] = timer;
        size++;
        if (cachedNext != UNKNOWN && deadlineNanos < cachedNext) cachedNext = deadlineNanos;
    }

    public void cancel(Timer<T> timer) {
        if (timer.isScheduled()) unlink(timer);
    }

    private void unlink(Timer<T> timer) {
        if (timer.prev != null) timer.prev.next = timer.next;
        else slots[timer.slot] = timer.next;
        if (timer.next != null) timer.next.prev = timer.prev;
        timer.prev = timer.next = null;
        timer.slot = -1;
        size--;
        if (timer.deadline == cachedNext) cachedNext = UNKNOWN;
    }

    /** The earliest deadline of any scheduled timer, or {@link Long#MAX_VALUE} when none is. */
    public long nextDeadline() {
        if (cachedNext == UNKNOWN) cachedNext = computeNext();
        return cachedNext;
    }

    private long computeNext() {
        if (size == 0) return Long.MAX_VALUE;
        // Walk one rotation from the cursor: the first slot holding a timer of the current round
        // holds the earliest timers (all timers of one tick share a slot).
        for (int k = 0; k <= mask; k++) {
            long tick = cursorTick + k;
            long best = Long.MAX_VALUE;
            for (Timer<T> t = slots[(int) (tick & mask)]; t != null; t = t.next) {
                if (t.tick <= tick && t.deadline < best) best = t.deadline;
            }
            if (best != Long.MAX_VALUE) return best;
        }
        // Everything is at least one rotation away: the minimum over all timers.
        long best = Long.MAX_VALUE;
        for (Timer<T> head : slots) {
            for (Timer<T> t = head; t != null; t = t.next) best = Math.min(best, t.deadline);
        }
        return best;
    }

    /**
     * Unschedules every timer whose deadline is at or before {@code nowNanos} and then hands each
     * owner to {@code fire}, in deadline order. {@code fire} may schedule timers again. Returns the
     * number fired.
     */
    public int expire(long nowNanos, Consumer<T> fire) {
        long nowTick = Math.floorDiv(nowNanos, tickNanos);
        if (nowTick >= cursorTick && size > 0) {
            long ticks = nowTick - cursorTick + 1;
            if (ticks > mask) {
                for (int s = 0; s <= mask; s++) collectDue(s, nowNanos);
            } else {
                for (long t = cursorTick; t <= nowTick; t++) collectDue((int) (t & mask), nowNanos);
            }
        } else if (size > 0) {
            collectDue((int) (cursorTick & mask), nowNanos);
        }
        if (nowTick > cursorTick) cursorTick = nowTick;
        if (due.isEmpty()) return 0;
        due.sort(FIRING_ORDER);
        Object[] firing = due.toArray();
        due.clear();
        for (Object o : firing) {
            @SuppressWarnings("unchecked") Timer<T> t = (Timer<T>) o;
            fire.accept(t.owner);
        }
        return firing.length;
    }

    private void collectDue(int slot, long nowNanos) {
        Timer<T> t = slots[slot];
        while (t != null) {
            Timer<T> next = t.next;
            if (t.deadline <= nowNanos) {
                unlink(t);
                due.add(t);
            }
            t = next;
        }
    }
}
