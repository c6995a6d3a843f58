package dev.synack.stack;

import java.io.PrintStream;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * What a stack does when one of its threads (the event loop, a link's reader, a readiness handler
 * run by the stack) catches an error after which the process cannot be trusted to go on: an
 * {@link OutOfMemoryError}, or any other {@link VirtualMachineError} ({@link #isFatal}). Set with
 * {@link NetStack#fatalErrorHandler(FatalErrorHandler)}.
 *
 * <p>The thread that caught the error calls the handler and, if the handler returns, carries on
 * (it never dies silently and never leaves a lock held). A process that keeps running after such
 * an error may stay deaf (the next allocation fails again), so an application should end it: the
 * command line does, with {@link #exitProcess}. The library's default, {@link #PRINT}, only prints,
 * since a library must not end its user's process on its own.
 */
@FunctionalInterface
public interface FatalErrorHandler {
    /** The exit status {@link #exitProcess(int)} is given by the command line (EX_SOFTWARE of sysexits.h). */
    int EXIT_STATUS = 70;

    /**
     * Called on the thread that caught {@code error}, holding no lock of the stack when the thread
     * could let go of it first (a readiness handler's error is reported while the lock is held).
     *
     * @param where the thread or activity ("event loop", "TUN reader", ...)
     */
    void fatalError(NetStack stack, String where, Throwable error);

    /**
     * An error after which the process cannot go on: every {@link VirtualMachineError} but a
     * {@link StackOverflowError}, which unwinds the deep call that caused it and leaves the rest
     * of the process as it was (a readiness handler that recursed too deep).
     */
    static boolean isFatal(Throwable error) {
        return error instanceof VirtualMachineError && !(error instanceof StackOverflowError);
    }

    /** The library's default: prints the error and its stack trace on stderr; the thread carries on. */
    FatalErrorHandler PRINT = (stack, where, error) -> print(System.err, stack, where, error, "");

    /**
     * Prints the error on stderr and ends the process with {@code status}, as the command line
     * does: System.exit on a new thread (so that shutdown hooks may take the stack's lock and stop
     * the very thread that called this), and Runtime.halt should that not end the process within
     * five seconds or no thread can be started.
     */
    static FatalErrorHandler exitProcess(int status) {
        return exitProcess(status, System.err, FatalErrorHandler::exitSoon);
    }

    /** {@link #exitProcess(int)}, printing on {@code err} and ending through {@code exit} (tests pass a recorder). */
    static FatalErrorHandler exitProcess(int status, PrintStream err, IntConsumer exit) {
        if (status == 0) throw new IllegalArgumentException("a fatal error must not exit with status 0");
        Objects.requireNonNull(err, "err");
        Objects.requireNonNull(exit, "exit");
        String outcome = "; exiting with status " + status;
        return (stack, where, error) -> {
            try {
                print(err, stack, where, error, outcome);
            } catch (Throwable cannotPrint) {
                // Out of memory even for the message: the exit matters more than the words.
            }
            exit.accept(status);
        };
    }

    private static void print(PrintStream err, NetStack stack, String where, Throwable error, String outcome) {
        // Built from constants and the error's own text: little to allocate when memory has run out.
        err.println("synack: fatal error in " + where + " of " + (stack == null ? "a stack" : stack.name()) + ": " + error + outcome);
        error.printStackTrace(err);
        err.flush();
    }

    private static void exitSoon(int status) {
        // The halting thread first: a System.exit whose shutdown hooks hang must not leave the
        // process alive, and without memory for a thread there is no time for hooks at all.
        try {
            Thread.ofPlatform().daemon().name("synack-fatal-halt").start(() -> {
                try {
                    Thread.sleep(TimeUnit.SECONDS.toMillis(5));
                } catch (InterruptedException ignored) {
                    // Halting anyway.
                }
                Runtime.getRuntime().halt(status);
            });
            Thread.ofPlatform().daemon().name("synack-fatal-exit").start(() -> System.exit(status));
        } catch (Throwable cannotStart) {
            Runtime.getRuntime().halt(status);
        }
    }

    /**
     * A thread's uncaught-exception handler for a process that must not outlive a fatal error: a
     * {@link #isFatal fatal} error that escapes a thread altogether (its own handling failed for want
     * of memory) halts the process with {@code status} at once, allocating nothing; any other is
     * passed to {@code others}.
     */
    static Thread.UncaughtExceptionHandler haltOnFatal(int status, Thread.UncaughtExceptionHandler others) {
        Objects.requireNonNull(others, "others");
        return (thread, error) -> {
            if (isFatal(error)) Runtime.getRuntime().halt(status);
            others.uncaughtException(thread, error);
        };
    }
}
