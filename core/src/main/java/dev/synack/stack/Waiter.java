package dev.synack.stack;

import java.io.InterruptedIOException;
import java.util.function.BooleanSupplier;

/**
 * How a blocking socket call waits on a {@link NetStack}. One implementation per way of running a
 * stack, so that the socket code is the same in both:
 * <ul>
 *   <li>real time ({@link NetStack}'s own, the default): a {@link java.util.concurrent.locks.Condition}
 *       of the stack's lock, signalled by {@link #wakeup}; deadlines are {@link Clock#system()} nanos;</li>
 *   <li>simulation (the simulator (dev.synack.link.SimNetwork)): the calling actor hands the simulator's
 *       baton back and is resumed by the simulation driver when {@code ready} holds or the virtual
 *       deadline has passed.</li>
 * </ul>
 */
public interface Waiter {
    /**
     * Called with {@code stack}'s lock held (the implementation releases it while waiting and holds
     * it again on return). Returns true as soon as {@code ready} holds, false once the stack's clock
     * reaches {@code deadlineNanos} ({@link Long#MAX_VALUE}: no deadline) without it holding.
     * {@code key} is what {@code ready} depends on (a Connection or a Listener): only wakeups for
     * that key (or for everybody) need to re-check it; null means any wakeup.
     *
     * @throws InterruptedIOException when the waiting thread is interrupted
     */
    boolean awaitUntil(NetStack stack, Object key, BooleanSupplier ready, long deadlineNanos) throws InterruptedIOException;

    /**
     * Something about {@code key} changed (null: about anything, e.g. a socket was closed); called
     * with the stack's lock held.
     */
    void wakeup(NetStack stack, Object key);

    /** The stack's earliest timer deadline may have moved earlier (called with the lock held). */
    default void timersChanged(NetStack stack, long earliestDeadline) {}
}
