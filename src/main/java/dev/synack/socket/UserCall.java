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
     * Runs {@code body} under {@code stack}'s lock and traces {@code name} for the socket that
     * {@code label} names once the body is done (a connect gives the socket its 4-tuple).
     */
    static <T> T run(NetStack stack, Supplier<String> label, String name, Body<T> body,
                     Function<? super T, String> describe) throws IOException {
        stack.lock();
        T result = null;
        boolean returned = false;
        String error = "?";
        try {
            result = body.run();
            returned = true;
            return result;
        } catch (IOException | RuntimeException e) {
            error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw e;
        } finally {
            try {
                // Described only when somebody traces: a read or write must not build a string per call.
                if (stack.isTracing()) stack.traceCall(label.get(), name, returned ? describe.apply(result) : error);
            } finally {
                stack.unlock();
            }
        }
    }
}
