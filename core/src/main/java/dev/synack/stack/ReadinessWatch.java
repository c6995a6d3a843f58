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
 * {@link #ready()} later, at a safe point: on the thread that released its outermost hold of the
 * stack's lock (or is about to wait), once the engine has finished the segment, timer or user call
 * that made it ready, and with no lock held. A watch runs on one thread at a time and never
 * re-entrantly; the marks its own {@link #ready()} causes through its own calls are dropped (it just
 * saw the state they report), those of other threads while it runs make it run once more.
 */
public abstract class ReadinessWatch {
    /** The next watch in the stack's ready list (guarded by the stack's lock). */
    ReadinessWatch nextReady;
    /** In the stack's ready list. */
    boolean queued;
    /** The thread running its {@link #ready()} now, or null. */
    Thread runner;
    /** Marked by another thread while it ran: to run again. */
    boolean again;

    /**
     * The watched object may be ready: called with no lock held, on whatever thread processed the
     * stack; it may use sockets of any stack. Must not block (a socket call that would wait is
     * refused). Anything it throws is caught by the stack, counted as
     * {@link Counter#HANDLER_ERRORS} and passed to {@link #failed}.
     */
    protected abstract void ready() throws Exception;

    /** {@link #ready()} threw {@code error}: the owner decides what becomes of its socket. Must not throw. */
    protected abstract void failed(Throwable error);
}
