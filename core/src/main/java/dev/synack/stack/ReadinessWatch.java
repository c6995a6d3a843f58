package dev.synack.stack;

/**
 * What a non-blocking socket registers with its {@link NetStack} to hear that its connection or
 * listener may be ready ({@link NetStack#watch(dev.synack.tcp.Connection, ReadinessWatch)},
 * {@link NetStack#watch(dev.synack.tcp.Listener, ReadinessWatch)}). The socket layer
 * (dev.synack.socket) subclasses it once per socket; the stack links the watches that became ready
 * into an intrusive list (the fields below), so that marking one allocates nothing.
 *
 * <p>When the engine reports a change on the watched object ({@link dev.synack.tcp.TcpOutput#wakeup}),
 * the stack marks the watch ready; a watch already marked is not marked twice. The stack calls
 * {@link #ready()} later, at a safe point: on the thread that holds the stack's lock, just before
 * that thread releases its outermost hold (or before it waits), once the engine has finished the
 * segment, timer or user call that made it ready. A watch is never called re-entrantly, and the
 * marks its own {@link #ready()} causes through its own calls are dropped (it just saw the state
 * they report).
 */
public abstract class ReadinessWatch {
    /** The next watch in the stack's ready list (guarded by the stack's lock). */
    ReadinessWatch nextReady;
    /** In the stack's ready list. */
    boolean queued;
    /** Its {@link #ready()} is running now. */
    boolean running;

    /**
     * The watched object may be ready: called with the stack's lock held, on whatever thread is
     * processing the stack. Must not block. Anything it throws is caught by the stack, counted as
     * {@link Counter#HANDLER_ERRORS} and passed to {@link #failed}.
     */
    protected abstract void ready() throws Exception;

    /** {@link #ready()} threw {@code error}: the owner decides what becomes of its socket. Must not throw. */
    protected abstract void failed(Throwable error);
}
