package dev.synack.stack;

import dev.synack.tcp.Connection;
import dev.synack.tcp.Listener;
import java.util.IdentityHashMap;

/**
 * The readiness watches of non-blocking sockets. When the engine reports a change on a watched
 * connection or listener ({@link dev.synack.tcp.TcpOutput#wakeup}), its watch is linked into a
 * ready list (a flag and a link field in the watch: nothing allocated per event); the thread that
 * releases its outermost hold of the lock (or is about to wait) runs the ready watches once the
 * lock is free ({@link StackLock}): after the engine finished the packet, timer or user call, never
 * inside it, and with no lock held, so a handler may use the sockets of any stack without a lock
 * order to respect. Without watches this costs one field test per wakeup and per release. The list
 * and the watches' flags are guarded by the stack's lock; {@link #runReady} takes it around each
 * look at them.
 */
final class Readiness {
    private final Diagnostics diagnostics;
    private final Clock clock;
    /** The ready list: watches marked since they last ran, in the order they were marked. */
    private ReadinessWatch readyHead;
    private ReadinessWatch readyTail;
    private final StackLock lock;
    /** Endpoints with a watch: wakeups look for one only when there are some. */
    private int watchedConnections;
    private final IdentityHashMap<Listener, ReadinessWatch> listenerWatches = new IdentityHashMap<>();

    Readiness(Diagnostics diagnostics, Clock clock, StackLock lock) {
        this.diagnostics = diagnostics;
        this.clock = clock;
        this.lock = lock;
    }

    /** Sets (or, null, clears) the watch of {@code e} (null: the stack no longer tracks the connection), then marks it. */
    void watch(Endpoint e, ReadinessWatch watch) {
        if (e != null) {
            if (e.watch == null && watch != null) watchedConnections++;
            if (e.watch != null && watch == null) watchedConnections--;
            e.watch = watch;
        }
        if (watch != null) markReady(watch);
    }

    /** Sets (or, null, clears) the watch of {@code listener}; a closed listener is not remembered. */
    void watch(Listener listener, ReadinessWatch watch) {
        if (watch == null) {
            listenerWatches.remove(listener);
        } else {
            if (!listener.isClosed()) listenerWatches.put(listener, watch);
            markReady(watch);
        }
    }

    /** The listener is closed: its watch goes with it. */
    void forget(Listener listener) {
        listenerWatches.remove(listener);
    }

    /** An endpoint leaves the demux table (or becomes a TIME_WAIT record): its watch goes with it. */
    void forget(Endpoint e) {
        if (e.watch != null) {
            e.watch = null;
            watchedConnections--;
        }
    }

    /** Marks the watches of {@code connection} and of the listener whose accept queue it is in or left. */
    void changed(Connection connection, Connections table) {
        if (watchedConnections != 0) {
            Endpoint e = table.endpointOf(connection);
            if (e != null && e.watch != null) markReady(e.watch);
        }
        if (!listenerWatches.isEmpty()) {
            Listener parent = connection.listener();
            ReadinessWatch w = parent == null ? null : listenerWatches.get(parent);
            if (w != null) markReady(w);
        }
    }

    /** Whether some watch waits to run (lock held). */
    boolean anyReady() { return readyHead != null; }

    /**
     * Links {@code watch} into the ready list, unless it is there already. A running watch marked by
     * its own calls is not: it just saw the state they report. Marked by another thread while it
     * runs, it runs again once it returns (it may have looked before the change).
     */
    private void markReady(ReadinessWatch watch) {
        if (watch.queued) return;
        if (watch.runner != null) {
            if (watch.runner != Thread.currentThread()) watch.again = true;
            return;
        }
        link(watch);
    }

    private void link(ReadinessWatch watch) {
        watch.queued = true;
        if (readyTail == null) readyHead = watch;
        else readyTail.nextReady = watch;
        readyTail = watch;
    }

    /**
     * Runs the ready watches, including those they make ready in turn, until the list is empty; the
     * calling thread holds no hold of the lock, and takes it only to unlink each watch and to mark
     * it finished, so the handler itself runs unlocked. A watch runs on one thread at a time. An
     * exception from a watch is counted ({@link Counter#HANDLER_ERRORS}) and handed to its
     * {@link ReadinessWatch#failed}; the watches after it still run. Called through
     * {@link HandlerThread#run}, which keeps handlers from nesting.
     */
    void runReady() {
        Thread me = Thread.currentThread();
        ReadinessWatch w;
        while ((w = next(me)) != null) {
            try {
                w.ready();
            } catch (Throwable ex) {
                handlerFailed(w, ex);
            } finally {
                finished(w);
            }
        }
    }

    /** Unlinks the first ready watch and marks it running on {@code me} (null: none ready). */
    private ReadinessWatch next(Thread me) {
        lock.lock();
        try {
            ReadinessWatch w = readyHead;
            if (w == null) return null;
            readyHead = w.nextReady;
            if (readyHead == null) readyTail = null;
            w.nextReady = null;
            w.queued = false;
            w.runner = me;
            return w;
        } finally {
            lock.unlockQuietly();
        }
    }

    /** {@code w} returned: another thread's mark while it ran puts it back on the list. */
    private void finished(ReadinessWatch w) {
        lock.lock();
        try {
            w.runner = null;
            if (w.again) {
                w.again = false;
                link(w);
            }
        } finally {
            lock.unlockQuietly();
        }
    }

    private void handlerFailed(ReadinessWatch w, Throwable ex) {
        diagnostics.increment(Counter.HANDLER_ERRORS);
        // Reported here: the thread may be a user's, whose code would not know what to make of it.
        if (FatalErrorHandler.isFatal(ex)) diagnostics.reportFatal("readiness handler", ex);
        // The owner closes the socket, an engine call: under the lock, released as any call's.
        lock.lock();
        try {
            w.failed(ex);
        } catch (Throwable again) {
            if (FatalErrorHandler.isFatal(again)) diagnostics.reportFatal("readiness handler failure", again);
            else diagnostics.internalError(clock.nanos(), "readiness handler failure", again);
        } finally {
            lock.unlock();
        }
    }
}
