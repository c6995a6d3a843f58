package dev.synack.stack;

import java.io.InterruptedIOException;
import java.util.IdentityHashMap;
import java.util.concurrent.locks.Condition;
import java.util.function.BooleanSupplier;

/**
 * The default, real-time waiter. A thread waits on the Condition of the object it waits for (a
 * connection, a listener), so that a wakeup signals only the threads that care: with many sockets,
 * a packet for one does not wake the others. Conditions exist only while somebody waits; waiters
 * without a key share one that every wakeup signals. A wait without a deadline parks untimed, as a
 * Linux socket call without a timeout sleeps: every engine event that can make a call ready reports
 * a wakeup for its connection or listener, signalled under the lock the waiter re-checks under, so
 * no signal is lost between its look and its park. A wait with a deadline re-checks at least every
 * {@link EventLoop#MAX_PARK_NANOS}. ReentrantLock and Condition park virtual threads without
 * pinning, so a socket per virtual thread is fine.
 */
final class ConditionWaiter implements Waiter {
    private final StackLock lock;
    private final EventLoop loop;
    private final IdentityHashMap<Object, KeyedCondition> byKey = new IdentityHashMap<>();
    private final Condition anyChange;

    private final class KeyedCondition {
        final Condition condition = lock.newCondition();
        int waiters;
    }

    ConditionWaiter(StackLock lock, EventLoop loop) {
        this.lock = lock;
        this.loop = loop;
        this.anyChange = lock.newCondition();
    }

    @Override
    public boolean awaitUntil(NetStack stack, Object key, BooleanSupplier ready, long deadlineNanos) throws InterruptedIOException {
        KeyedCondition keyed = null;
        Condition condition = anyChange;
        if (key != null) {
            keyed = byKey.computeIfAbsent(key, k -> new KeyedCondition());
            keyed.waiters++;
            condition = keyed.condition;
        }
        try {
            while (!ready.getAsBoolean()) {
                try {
                    if (deadlineNanos == Long.MAX_VALUE) {
                        // Untimed: every change that can make a call ready signals its condition
                        // under the lock (wakeup), so there is nothing to poll for. A virtual
                        // thread's timed park books and cancels a timer in the JDK scheduler each
                        // time, a cost worth avoiding for every blocked socket.
                        condition.await();
                    } else {
                        long left = deadlineNanos - stack.clock().nanos();
                        if (left <= 0) return false;
                        condition.awaitNanos(Math.min(left, EventLoop.MAX_PARK_NANOS));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting on " + stack.name());
                }
            }
            return true;
        } finally {
            if (keyed != null && --keyed.waiters == 0) byKey.remove(key);
        }
    }

    @Override
    public void wakeup(NetStack stack, Object key) {
        anyChange.signalAll();
        // Nobody waits on a key (the common case with caller-runs delivery, and always for
        // non-blocking sockets): no lookup, whose identity hash of a new connection costs.
        if (byKey.isEmpty()) return;
        if (key == null) {
            for (KeyedCondition k : byKey.values()) k.condition.signalAll();
        } else {
            KeyedCondition k = byKey.get(key);
            if (k != null) k.condition.signalAll();
        }
    }

    @Override
    public void timersChanged(NetStack stack, long earliestDeadline) {
        loop.timersChanged(earliestDeadline);
    }
}
