package dev.synack.stack;

import dev.synack.tcp.Connection;
import dev.synack.tcp.Listener;
import java.util.IdentityHashMap;

/**
 * The readiness watches of non-blocking sockets. When the engine reports a change on a watched
 * connection or listener ({@link dev.synack.tcp.TcpOutput#wakeup}), its watch is linked into a
 * ready list (a flag and a link field in the watch: nothing allocated per event); the lock's holder
 * runs the ready watches just before it releases its outermost hold or before it waits
 * ({@link StackLock}): after the engine finished the packet, timer or user call, never inside it.
 * Without watches this costs one field test per wakeup and per release. Everything here is guarded
 * by the stack's lock.
 */
final class Readiness {
    private final Diagnostics diagnostics;
    private final Clock clock;
    /** The ready list: watches marked since they last ran, in the order they were marked. */
    private ReadinessWatch readyHead;
    private ReadinessWatch readyTail;
    /** True while the lock's holder runs the ready watches. */
    private boolean running;
    /** Endpoints with a watch: wakeups look for one only when there are some. */
    private int watchedConnections;
    private final IdentityHashMap<Listener, ReadinessWatch> listenerWatches = new IdentityHashMap<>();

    Readiness(Diagnostics diagnostics, Clock clock) {
        this.diagnostics = diagnostics;
        this.clock = clock;
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

    /** Whether some watch waits to run. */
    boolean anyReady() { return readyHead != null; }

    /** True while the lock's holder runs the ready watches. */
    boolean isRunning() { return running; }

    /** Links {@code watch} into the ready list, unless it is there already or is running (its own calls marked it). */
    private void markReady(ReadinessWatch watch) {
        if (watch.queued || watch.running) return;
        watch.queued = true;
        if (readyTail == null) readyHead = watch;
        else readyTail.nextReady = watch;
        readyTail = watch;
    }

    /**
     * Runs the ready watches, including those they make ready in turn, until the list is empty. An
     * exception from a watch is counted ({@link Counter#HANDLER_ERRORS}) and handed to its
     * {@link ReadinessWatch#failed}; the watches after it still run.
     */
    void runReady() {
        running = true;
        try {
            ReadinessWatch w;
            while ((w = readyHead) != null) {
                readyHead = w.nextReady;
                if (readyHead == null) readyTail = null;
                w.nextReady = null;
                w.queued = false;
                w.running = true;
                try {
                    w.ready();
                } catch (Throwable ex) {
                    diagnostics.increment(Counter.HANDLER_ERRORS);
                    // Reported here, lock held: the thread may be a user's, whose code would not know
                    // what to make of it.
                    if (FatalErrorHandler.isFatal(ex)) diagnostics.reportFatal("readiness handler", ex);
                    try {
                        w.failed(ex);
                    } catch (Throwable again) {
                        if (FatalErrorHandler.isFatal(again)) diagnostics.reportFatal("readiness handler failure", again);
                        else diagnostics.internalError(clock.nanos(), "readiness handler failure", again);
                    }
                } finally {
                    w.running = false;
                }
            }
        } finally {
            running = false;
        }
    }
}
