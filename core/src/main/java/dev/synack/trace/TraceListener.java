package dev.synack.trace;

/** Receives trace events as they happen, on the thread that owns the stack. Must not block. */
@FunctionalInterface
public interface TraceListener {
    void onEvent(TraceEvent event);
}
