package dev.synack.stack;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * A hierarchical timing wheel (Varghese and Lauck's scheme 7): level 0 has one slot per tick of
 * the current round, and each higher level has slots as wide as a whole rotation of the level
 * below; timers too far for the top level wait in an overflow list. Each slot is a doubly linked
 * list, so scheduling and cancelling are O(levels) and need no allocation (a {@link Timer} is
 * allocated once per owner and reused). As the cursor advances, the slots it reaches on a higher
 * level cascade their timers down to where they now belong.
 *
 * <p>Timers keep their exact deadline; the tick only chooses the slot. {@link #expire} fires exactly
 * the timers whose deadline has passed, in deadline order (ties in scheduling order), so the owner
 * sees the same times it asked for. {@link #nextDeadline()} is cached; when the earliest timer was
 * cancelled or fired it is found again as the minimum of the first occupied slot of the lowest
 * non-empty level (an occupancy bitmap finds that slot; each slot caches its own minimum), since
 * every timer of a lower level, or of an earlier slot of the same level, is earlier. Finding a
 * slot's minimum walks its list; a real-time loop sleeps until {@link #nextDeadlineBound()}
 * instead, which walks no list but the cursor's own slot (which expiry walks anyway) and the
 * overflow list (timers decades away).
 *
 * <p>Not thread-safe: the owning stack calls it under its lock.
 *
 * @param <T> what a timer belongs to (the stack's per-connection record)
 */
public final class TimerWheel<T> {
    private static final long UNKNOWN = Long.MIN_VALUE;
    /** Wheel levels below the overflow list (fewer when the slots are so many that ticks would overflow the shifts). */
    private static final int MAX_LEVELS = 4;
    private static final int MAX_SHIFT = 62;

    /**
     * One owner's timer: scheduled at most once at a time. Not final so that an owner may keep a
     * field or two of its own in it rather than in one more object (the stack's TIME_WAIT records).
     */
    public static class Timer<T> {
        private final T owner;
        private long deadline;
        private long tick;
        private long order;
        /** Index into the wheel's slot heads (level * slots + slot, or the overflow index); -1 when unscheduled. */
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
    /** 1 / {@link #tickNanos}, for {@link #tickOf}. */
    private final double inverseTick;
    /**
     * Times up to this size take the multiplication in {@link #tickOf}: quotients below 2^50 (the
     * product is then within half a tick of the exact quotient) and no overflow; larger ones, which
     * never occur with real clocks, divide.
     */
    private final long multiplyLimit;
    private final int bits;
    private final int slotsPerLevel;
    private final int mask;
    private final int levels;
    private final int overflow;
    /** Slot heads of every level, then the overflow list. */
    private final Timer<T>[] heads;
    /** Each slot's earliest deadline: {@link Long#MAX_VALUE} when empty, {@link #UNKNOWN} when its earliest left. */
    private final long[] slotMin;
    /** One bit per non-empty slot, each level starting on a fresh word. */
    private final long[] occupied;
    private final int wordsPerLevel;
    private long cursorTick;
    private long nextOrder;
    private int size;
    private long cachedNext = Long.MAX_VALUE;
    private final List<Timer<T>> due = new ArrayList<>();
    private static final Comparator<Timer<?>> FIRING_ORDER =
            Comparator.<Timer<?>>comparingLong(t -> t.deadline).thenComparingLong(t -> t.order);

    /**
     * @param tickNanos the width of one slot in time
     * @param slotCount slots per level, rounded up to a power of two
     * @param startNanos the clock's current time
     */
    @SuppressWarnings("unchecked")
    public TimerWheel(long tickNanos, int slotCount, long startNanos) {
        if (tickNanos <= 0) throw new IllegalArgumentException("tickNanos must be positive, was " + tickNanos);
        if (slotCount < 1 || slotCount > (1 << 24)) throw new IllegalArgumentException("slotCount out of range: " + slotCount);
        int n = Integer.highestOneBit(slotCount);
        if (n < slotCount) n <<= 1;
        this.tickNanos = tickNanos;
        this.slotsPerLevel = n;
        this.mask = n - 1;
        this.bits = Integer.numberOfTrailingZeros(n);
        this.levels = bits == 0 ? 1 : Math.min(MAX_LEVELS, MAX_SHIFT / bits);
        this.overflow = levels * n;
        this.heads = (Timer<T>[]) new Timer<?>[overflow + 1];
        this.slotMin = new long[overflow + 1];
        Arrays.fill(slotMin, Long.MAX_VALUE);
        this.wordsPerLevel = (n + 63) >>> 6;
        this.occupied = new long[wordsPerLevel * levels];
        this.inverseTick = 1.0 / tickNanos;
        this.multiplyLimit = tickNanos >= (1L << 12) ? 1L << 62 : tickNanos << 50;
        this.cursorTick = tickOf(startNanos);
    }

    public long tickNanos() { return tickNanos; }
    public int size() { return size; }

    /** (Re)schedules {@code timer} at {@code deadlineNanos}; a deadline in the past fires at the next {@link #expire}. */
    public void schedule(Timer<T> timer, long deadlineNanos) {
        long tick = Math.max(tickOf(deadlineNanos), cursorTick);
        if (timer.isScheduled()) {
            if (timer.deadline == deadlineNanos) return;
            if (indexFor(tick) == timer.slot) {
                // Moved within its slot (a timer restarted a moment later): no relinking. Firing
                // order goes by deadline and scheduling order, never by place in the slot's list.
                moveWithinSlot(timer, deadlineNanos, tick);
                return;
            }
            unlink(timer);
        }
        timer.deadline = deadlineNanos;
        timer.tick = tick;
        timer.order = nextOrder++;
        link(timer);
        size++;
        if (cachedNext != UNKNOWN && deadlineNanos < cachedNext) cachedNext = deadlineNanos;
    }

    /** Gives a scheduled timer a new deadline whose tick lies in the slot it is in: as unlink and link would, in place. */
    private void moveWithinSlot(Timer<T> timer, long deadlineNanos, long tick) {
        long old = timer.deadline;
        timer.deadline = deadlineNanos;
        timer.tick = tick;
        timer.order = nextOrder++;
        int index = timer.slot;
        long min = slotMin[index];
        // An earlier deadline may be the new minimum; a later one leaves it unknown if it was the minimum.
        if (old == min) slotMin[index] = deadlineNanos < old ? deadlineNanos : UNKNOWN;
        else if (min != UNKNOWN && deadlineNanos < min) slotMin[index] = deadlineNanos;
        if (old == cachedNext) cachedNext = deadlineNanos < old ? deadlineNanos : UNKNOWN;
        else if (cachedNext != UNKNOWN && deadlineNanos < cachedNext) cachedNext = deadlineNanos;
    }

    /**
     * {@code Math.floorDiv(nanos, tickNanos)} without a 64-bit division (tens of cycles, paid on every
     * reschedule): the floor of a multiplication by the tick's reciprocal is within one of the
     * floor of the quotient while that is below 2^50 in size (the product is then off by less than
     * half), and one step corrects it.
     */
    long tickOf(long nanos) {
        if (nanos > multiplyLimit || nanos < -multiplyLimit) return Math.floorDiv(nanos, tickNanos);
        long q = (long) Math.floor(nanos * inverseTick); // floor, not truncation: within one below zero too
        long r = nanos - q * tickNanos;
        if (r < 0) q--;
        else if (r >= tickNanos) q++;
        return q;
    }

    /**
     * Hands {@code old}'s place to {@code replacement} (not scheduled) at {@code deadlineNanos}:
     * when {@code old} is scheduled at exactly that deadline, {@code replacement} takes its place in
     * the firing order of ties, as if it had been {@code old} all along; otherwise {@code old} is
     * cancelled and {@code replacement} scheduled afresh.
     */
    public void replace(Timer<T> old, Timer<T> replacement, long deadlineNanos) {
        if (replacement.isScheduled()) throw new IllegalArgumentException("the replacement timer is already scheduled");
        if (!old.isScheduled() || old.deadline != deadlineNanos) {
            cancel(old);
            schedule(replacement, deadlineNanos);
            return;
        }
        long order = old.order;
        unlink(old);
        replacement.deadline = deadlineNanos;
        replacement.tick = Math.max(tickOf(deadlineNanos), cursorTick);
        replacement.order = order;
        link(replacement);
        size++;
        if (cachedNext != UNKNOWN && deadlineNanos < cachedNext) cachedNext = deadlineNanos;
    }

    public void cancel(Timer<T> timer) {
        if (timer.isScheduled()) unlink(timer);
    }

    /**
     * The slot for a tick at or after the cursor: the lowest level whose rotation the tick shares
     * with the cursor (level 0: the same round of ticks), else the overflow list.
     */
    private int indexFor(long tick) {
        for (int level = 0; level < levels; level++) {
            int above = bits * (level + 1);
            if ((tick >> above) == (cursorTick >> above)) {
                return level * slotsPerLevel + (int) ((tick >> (bits * level)) & mask);
            }
        }
        return overflow;
    }

    private void link(Timer<T> timer) {
        int index = indexFor(timer.tick);
        timer.slot = index;
        timer.prev = null;
        Timer<T> head = heads[index];
        timer.next = head;
        if (head != null) head.prev = timer;
        else markOccupied(index, true);
        heads[index] = timer;
        long min = slotMin[index];
        if (min != UNKNOWN && timer.deadline < min) slotMin[index] = timer.deadline;
    }

    private void unlink(Timer<T> timer) {
        int index = timer.slot;
        if (timer.prev != null) timer.prev.next = timer.next;
        else heads[index] = timer.next;
        if (timer.next != null) timer.next.prev = timer.prev;
        timer.prev = timer.next = null;
        timer.slot = -1;
        size--;
        if (heads[index] == null) {
            slotMin[index] = Long.MAX_VALUE;
            markOccupied(index, false);
        } else if (timer.deadline == slotMin[index]) {
            slotMin[index] = UNKNOWN;
        }
        if (timer.deadline == cachedNext) cachedNext = UNKNOWN;
    }

    private void markOccupied(int index, boolean on) {
        if (index == overflow) return;
        int word = (index >>> bits) * wordsPerLevel + ((index & mask) >>> 6);
        long bit = 1L << (index & mask & 63);
        if (on) occupied[word] |= bit;
        else occupied[word] &= ~bit;
    }

    /** The earliest deadline of any scheduled timer, or {@link Long#MAX_VALUE} when none is. */
    public long nextDeadline() {
        if (cachedNext == UNKNOWN) cachedNext = computeNext();
        return cachedNext;
    }

    /**
     * A time at or before {@link #nextDeadline()}, found without walking a slot's list: for a
     * loop deciding how long to sleep. It is the earliest deadline when that is known (cached, or
     * cached as its slot's minimum, or in the cursor's own slot, whose list {@link #expire} walks
     * anyway, or in the overflow list), else the start of the span of the slot that holds the earliest deadline: at most a
     * tick early on level 0; on a higher level the loop wakes where the cursor reaches that slot,
     * and advancing the cursor there cascades it, so the next bound is closer. After an
     * {@link #expire} at some time, the bound is later than that time.
     *
     * <p>{@link #nextDeadline()} walks the slot instead, and when timers leave a large slot at its
     * earliest first it walks it again each time: TIME_WAIT records whose 4-tuples new connections
     * reuse in the order they closed (RFC 6191) are that, tens of thousands in one slot of the
     * second level at 70 k connections/s.
     */
    public long nextDeadlineBound() {
        if (cachedNext != UNKNOWN) return cachedNext;
        if (size == 0) {
            cachedNext = Long.MAX_VALUE;
            return cachedNext;
        }
        int index = earliestSlot();
        if (slotMin[index] != UNKNOWN || index == overflow || index == (int) (cursorTick & mask)) {
            cachedNext = minOf(index);
            return cachedNext;
        }
        int shift = bits * (index >>> bits); // the slot's level times the bits per level
        long roundStart = (cursorTick >> (shift + bits)) << (shift + bits);
        return (roundStart | ((long) (index & mask) << shift)) * tickNanos;
    }

    private long computeNext() {
        return size == 0 ? Long.MAX_VALUE : minOf(earliestSlot());
    }

    /**
     * The slot that holds the earliest deadline (some timer must be scheduled): the first occupied
     * slot of the lowest non-empty level, else the overflow list. A level only holds ticks after
     * those of every level below it (they share the cursor's rotation there), and its slots are in
     * tick order from the cursor on.
     */
    private int earliestSlot() {
        for (int level = 0; level < levels; level++) {
            int base = level * wordsPerLevel;
            for (int w = 0; w < wordsPerLevel; w++) {
                long word = occupied[base + w];
                if (word != 0) return level * slotsPerLevel + (w << 6) + Long.numberOfTrailingZeros(word);
            }
        }
        return overflow;
    }

    private long minOf(int index) {
        long min = slotMin[index];
        if (min == UNKNOWN) {
            min = Long.MAX_VALUE;
            for (Timer<T> t = heads[index]; t != null; t = t.next) min = Math.min(min, t.deadline);
            slotMin[index] = min;
        }
        return min;
    }

    /**
     * Unschedules every timer whose deadline is at or before {@code nowNanos} and then hands each
     * owner to {@code fire}, in deadline order. {@code fire} may schedule timers again. Returns the
     * number fired.
     */
    public int expire(long nowNanos, Consumer<T> fire) {
        long nowTick = tickOf(nowNanos);
        if (nowTick > cursorTick) {
            if (size > 0) advance(nowTick, nowNanos);
            cursorTick = nowTick;
        } else if (size > 0) {
            // Every timer due by now has the cursor's tick (later ticks start after now).
            collectDue((int) (cursorTick & mask), nowNanos);
        }
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

    /** Moves the cursor to {@code nowTick}: collects the due timers and cascades the others down. */
    private void advance(long nowTick, long nowNanos) {
        long from = cursorTick;
        if ((nowTick >> bits) != (from >> bits)) {
            // A new round: every level-0 tick is before now.
            for (int s = 0; s <= mask; s++) if (heads[s] != null) collectDue(s, nowNanos);
        } else {
            for (long t = from; t <= nowTick; t++) collectDue((int) (t & mask), nowNanos);
        }
        cursorTick = nowTick;
        // Upwards, so that a cascaded timer only lands on levels already dealt with.
        for (int level = 1; level < levels; level++) {
            int shift = bits * level;
            long oldIndex = from >> shift;
            long newIndex = nowTick >> shift;
            if (oldIndex == newIndex) return; // higher levels are unchanged too
            int base = level * slotsPerLevel;
            if ((oldIndex >> bits) != (newIndex >> bits)) {
                for (int s = 0; s <= mask; s++) if (heads[base + s] != null) cascade(base + s, nowNanos);
            } else {
                // The old index's own slot is empty: its timers lived on the levels below.
                for (long i = oldIndex + 1; i <= newIndex; i++) cascade(base + (int) (i & mask), nowNanos);
            }
        }
        int above = bits * levels;
        if ((from >> above) != (nowTick >> above) && heads[overflow] != null) cascade(overflow, nowNanos);
    }

    /** Empties a slot the cursor reached: its due timers are collected, the rest relinked where they now belong. */
    private void cascade(int index, long nowNanos) {
        Timer<T> t = heads[index];
        if (t == null) return;
        heads[index] = null;
        slotMin[index] = Long.MAX_VALUE;
        markOccupied(index, false);
        while (t != null) {
            Timer<T> next = t.next;
            if (t.deadline <= nowNanos) {
                t.prev = t.next = null;
                t.slot = -1;
                size--;
                if (t.deadline == cachedNext) cachedNext = UNKNOWN;
                due.add(t);
            } else {
                link(t); // keeps its scheduling order for ties
            }
            t = next;
        }
    }

    private void collectDue(int slot, long nowNanos) {
        Timer<T> t = heads[slot];
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
