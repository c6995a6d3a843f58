package dev.synack.stack;

import java.io.InterruptedIOException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * The stack's one lock, and the rules of holding, releasing and waiting on it. Everything of a
 * stack (demux table, listeners, ports, timers, the engine objects, the ready list) is guarded by
 * it, and the engine is only ever entered by its holder, one thread at a time. Each rule is stated
 * on the method that enforces it:
 * <ul>
 *   <li>the engine runs only on the holder's thread: asserted where its work arrives and leaves
 *       (inbound packets, expiring timers, {@link StackOutput#send}, {@link Connections#callReturned});</li>
 *   <li>the outermost release frees the lock, runs the ready watches unlocked, then tells the link
 *       ({@link #unlock()});</li>
 *   <li>a waiting call lets the link deliver before it waits, and never waits inside a readiness
 *       watch ({@link #awaitUntil});</li>
 *   <li>a link may leave packets for the holder instead of waiting for the lock ({@link #tryLock()}),
 *       safe because of how waiting calls are counted ({@link #hasWaitingCalls()});</li>
 *   <li>the engine's time never goes back ({@link #engineNow()}, {@link #engineTimeAtLeast}).</li>
 * </ul>
 */
final class StackLock {
    private final NetStack stack;
    private final ReentrantLock lock = new ReentrantLock();
    /** Threads inside {@link #awaitUntil} past their first look at their condition (see {@link #hasWaitingCalls()}). */
    private final AtomicInteger waitingCalls = new AtomicInteger();
    /** The latest time the engine was given (guarded by the lock). */
    private long engineTime = Long.MIN_VALUE;

    StackLock(NetStack stack) {
        this.stack = stack;
    }

    void lock() { lock.lock(); }

    /**
     * Takes the lock unless the calling thread holds it already; returns whether it took it (then
     * an {@link #unlock()} is owed). A nested hold would change nothing: its release neither runs
     * ready watches nor lets the link deliver (both wait for the outermost release), so the calls
     * a holder makes (a user call's, a link's delivery run's) skip its two atomic operations.
     */
    boolean enter() {
        if (lock.isHeldByCurrentThread()) return false;
        lock.lock();
        return true;
    }

    /**
     * Releases one hold. The outermost release frees the lock whatever happens (a lock whose holder
     * is gone would stop every thread), then runs the ready watches on this thread with no lock
     * held ({@link HandlerThread#run}: their calls take and release locks of their own, of this
     * stack or any other, with no lock order to respect), then tells the link
     * ({@link PacketTransmitter#lockReleased}; a handler's release tells it once the handlers are
     * done), which may deliver on this thread the packets the critical section and the handlers
     * sent (caller-runs delivery). The link is told only once the lock is free, so a thread
     * delivering holds at most one stack's lock, and an engine is never re-entered by its own
     * output.
     */
    void unlock() {
        if (lock.getHoldCount() != 1) {
            lock.unlock();
            return;
        }
        boolean ready;
        try {
            ready = stack.readiness().anyReady();
        } finally {
            lock.unlock();
        }
        if (ready) HandlerThread.current().run(stack.readiness());
        PacketTransmitter link = stack.transmitter();
        if (link != null) HandlerThread.released(stack, link);
    }

    /** Releases a hold taken with {@link #enter()} after which only a counter changed: nothing for the watches or the link. */
    void unlockQuietly() {
        lock.unlock();
    }

    /**
     * Takes the lock if no other thread holds it, without waiting; returns whether it did (then an
     * {@link #unlock()} is owed). For a link delivering packets (dev.synack.link.MemoryLink) that
     * would rather leave them to the lock's holder than wait for it, as Linux leaves a segment in a
     * socket's backlog while a user call owns the socket: the holder's outermost {@link #unlock()}
     * tells the link, which delivers them then. Not while {@link #hasWaitingCalls()}: a waiting
     * call releases the lock without telling the link.
     */
    boolean tryLock() { return lock.tryLock(); }

    boolean isLocked() { return lock.isLocked(); }

    boolean isHeldByCurrentThread() { return lock.isHeldByCurrentThread(); }

    int holdCount() { return lock.getHoldCount(); }

    Condition newCondition() { return lock.newCondition(); }

    /**
     * True while some thread is inside {@link #awaitUntil} past its first look at its condition. Its
     * waiter releases and retakes the lock inside a {@link Condition}'s await, telling no link: a
     * packet left for the lock's holder then could wait for the event loop's next round. Counted
     * before the call's look at the link ({@link PacketTransmitter#hasDeferred}), so that a link
     * that leaves packets for the holder and then finds no waiting call knows that any call which
     * starts waiting later looks at the link first, sees them and delivers them.
     */
    boolean hasWaitingCalls() { return waitingCalls.get() > 0; }

    /**
     * Blocks, lock held, until {@code ready} holds or the clock reaches {@code deadlineNanos}; the
     * stack's {@link Waiter} releases the lock while it waits. Refused inside a readiness watch: the
     * thread running it is the one delivering packets or firing timers, which the wait may need. The
     * ready watches run first, every hold released (they may be what makes it ready). When the link
     * holds packets back for this lock ({@link PacketTransmitter#hasDeferred}), every hold is
     * released to let it deliver them and the condition is looked at again before waiting: what
     * the thread waits for may be the answer to a packet it sent.
     */
    boolean awaitUntil(Object key, BooleanSupplier ready, long deadlineNanos) throws InterruptedIOException {
        if (!lock.isHeldByCurrentThread()) throw new IllegalStateException("awaitUntil needs the stack's lock");
        if (HandlerThread.isRunningHandlers()) {
            throw new IllegalStateException("a readiness handler must not wait on " + stack.name() + ": it runs on the thread "
                    + "that delivers packets and fires timers, which the wait may need");
        }
        if (stack.readiness().anyReady()) {
            int holds = releaseAll();
            try {
                HandlerThread.current().run(stack.readiness());
            } finally {
                retake(holds);
            }
        }
        if (ready.getAsBoolean()) return true;
        waitingCalls.incrementAndGet(); // before the look at the link: see hasWaitingCalls()
        try {
            PacketTransmitter link = stack.transmitter();
            if (link != null && link.hasDeferred(stack)) {
                int holds = releaseAll();
                try {
                    link.lockReleased(stack);
                } finally {
                    retake(holds);
                }
                if (ready.getAsBoolean()) return true;
            }
            // No deadline, no clock to read.
            if (deadlineNanos != Long.MAX_VALUE && stack.clock().nanos() >= deadlineNanos) return false;
            return stack.waiter().awaitUntil(stack, key, ready, deadlineNanos);
        } finally {
            waitingCalls.decrementAndGet();
        }
    }

    /** Releases every hold of the calling thread; returns how many to {@link #retake}. */
    private int releaseAll() {
        int holds = lock.getHoldCount();
        for (int i = 0; i < holds; i++) lock.unlock();
        return holds;
    }

    private void retake(int holds) {
        for (int i = 0; i < holds; i++) lock.lock();
    }

    /**
     * The clock, read by the lock's holder for the engine: never earlier than any time the engine
     * was given before, so that the engine's time never goes back.
     */
    long engineNow() {
        assert lock.isHeldByCurrentThread();
        long t = stack.clock().nanos();
        if (t > engineTime) engineTime = t;
        return engineTime;
    }

    /**
     * The engine's time for an event at {@code t} (a time a link or a simulation driver read before
     * it took the lock, possibly earlier than the latest): the later of the two.
     */
    long engineTimeAtLeast(long t) {
        assert lock.isHeldByCurrentThread();
        if (t > engineTime) engineTime = t;
        return engineTime;
    }
}
