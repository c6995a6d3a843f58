package dev.synack.stack;

/**
 * What the current thread is doing with readiness handlers, across every stack of the JVM. A
 * thread runs ready watches once its outermost hold of a stack's lock is released
 * ({@link StackLock#unlock()}); their calls take and release locks (of that stack or of any
 * other), and the ready watches those releases find are not run in a nested loop: they are put on
 * this thread's list and run by the loop already running, one after the other. So a handler is never
 * called inside another, the thread's stack depth stays flat however handlers chain, and a thread
 * running handlers is known to be one (a call that would wait is refused there).
 *
 * <p>While the loop runs, the links are not told of the releases its handlers make
 * ({@link #owe}): the loop tells them once it is done. So no packet is delivered on this thread
 * while a handler runs, and the only marks a running watch can receive from its own thread are
 * those of its own calls (see {@link Readiness}).
 */
final class HandlerThread {
    private static final ThreadLocal<HandlerThread> CURRENT = ThreadLocal.withInitial(HandlerThread::new);
    /** Threads running handlers now: while none is, a release need not look up its thread's state. */
    private static final java.util.concurrent.atomic.AtomicInteger RUNNING = new java.util.concurrent.atomic.AtomicInteger();

    /** True while this thread runs ready watches (of any stack). */
    private boolean running;
    /** Stacks whose ready watches were found while running: run before the loop ends. */
    private Readiness[] pending = new Readiness[4];
    private int pendingCount;
    /** Stacks whose lock a handler released: their links are told once the loop is done. */
    private NetStack[] owed = new NetStack[4];
    private int owedCount;

    static HandlerThread current() { return CURRENT.get(); }

    /** Whether the calling thread is inside a readiness handler of some stack. */
    static boolean isRunningHandlers() { return RUNNING.get() != 0 && CURRENT.get().running; }

    /**
     * Called at the outermost release of {@code stack}'s lock: tells its link now, or, on a thread
     * running handlers, once they are done.
     */
    static void released(NetStack stack, PacketTransmitter link) {
        if (RUNNING.get() != 0) {
            HandlerThread t = CURRENT.get();
            if (t.running) {
                t.owe(stack);
                return;
            }
        }
        link.lockReleased(stack);
    }

    private void owe(NetStack stack) {
        for (int i = 0; i < owedCount; i++) if (owed[i] == stack) return;
        if (owedCount == owed.length) owed = java.util.Arrays.copyOf(owed, owedCount * 2);
        owed[owedCount++] = stack;
    }

    /**
     * Runs {@code readiness}'s ready watches on this thread, the lock not held; when the thread is
     * already running watches, leaves them to that loop instead.
     */
    void run(Readiness readiness) {
        if (running) {
            for (int i = 0; i < pendingCount; i++) if (pending[i] == readiness) return;
            if (pendingCount == pending.length) pending = java.util.Arrays.copyOf(pending, pendingCount * 2);
            pending[pendingCount++] = readiness;
            return;
        }
        running = true;
        RUNNING.incrementAndGet();
        try {
            readiness.runReady();
            while (pendingCount > 0) {
                Readiness next = pending[--pendingCount];
                pending[pendingCount] = null;
                next.runReady();
            }
        } finally {
            running = false;
            RUNNING.decrementAndGet();
            for (int i = 0; i < pendingCount; i++) pending[i] = null;
            pendingCount = 0;
        }
        tellOwedLinks();
    }

    /** The links of the stacks whose locks the handlers released, told now that no handler runs. */
    private void tellOwedLinks() {
        while (owedCount > 0) {
            NetStack stack = owed[--owedCount];
            owed[owedCount] = null;
            PacketTransmitter link = stack.transmitter();
            if (link != null) link.lockReleased(stack);
        }
    }
}
