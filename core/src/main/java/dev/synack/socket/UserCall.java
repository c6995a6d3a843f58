package dev.synack.socket;

import dev.synack.stack.NetStack;
import java.io.IOException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One user call on a socket: the stack's lock is held around its body, and the call is traced with
 * its outcome (the described result, or the error's message). Both socket classes go through here.
 */
final class UserCall {
    private UserCall() {}

    @FunctionalInterface
    interface Body<T> {
        T run() throws IOException;
    }

    /**
     * A user call that describes itself: {@link #run(NetStack, Traced)} allocates nothing to trace it,
     * and its strings are built only when somebody traces.
     */
    interface Traced<T> extends Body<T> {
        /** The socket the call is on (after the body: a connect gives the socket its 4-tuple). */
        String label();

        /** The call, as the trace names it. */
        String name();

        String describe(T result);
    }

    /**
     * Runs {@code body} under {@code stack}'s lock and traces {@code name} for the socket that
     * {@code label} names once the body is done (a connect gives the socket its 4-tuple).
     */
    static <T> T run(NetStack stack, Supplier<String> label, String name, Body<T> body,
                     Function<? super T, String> describe) throws IOException {
        return run(stack, new Traced<T>() {
            @Override public T run() throws IOException { return body.run(); }
            @Override public String label() { return label.get(); }
            @Override public String name() { return name; }
            @Override public String describe(T result) { return describe.apply(result); }
        });
    }

    /** Runs {@code call} under {@code stack}'s lock and traces it with its outcome. */
    static <T> T run(NetStack stack, Traced<T> call) throws IOException {
        stack.lock();
        T result = null;
        boolean returned = false;
        String error = "?";
        try {
            result = call.run();
            returned = true;
            return result;
        } catch (IOException | RuntimeException e) {
            error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw e;
        } finally {
            try {
                // Described only when somebody traces: a read or write must not build a string per call.
                if (stack.isTracing()) stack.traceCall(call.label(), call.name(), returned ? call.describe(result) : error);
            } finally {
                stack.unlock();
            }
        }
    }
}
