package dev.synack.nio;

import java.nio.channels.SelectionKey;

/**
 * What {@link SynackSelector} asks of the channels registered with it. Both channel classes extend
 * different java.nio classes, so what they share is here and in {@link Registrations}.
 */
interface SynackChannel {
    /**
     * The operations of {@code interest} the channel is ready for now, as the JDK's channels
     * translate poll(2)'s answer (level, not edge): an error makes every operation of
     * {@code interest} ready, so that the call made next reports it.
     */
    int readyOps(int interest);

    /** The keys registering the channel, whose selectors its readiness handler wakes. */
    Registrations registrations();

    /** {@code ops} includes {@code op}. */
    static boolean has(int ops, int op) { return (ops & op) != 0; }

    /** The operation bits in the JDK's names, for messages and toString. */
    static String names(int ops) {
        StringBuilder b = new StringBuilder();
        if (has(ops, SelectionKey.OP_READ)) b.append("READ|");
        if (has(ops, SelectionKey.OP_WRITE)) b.append("WRITE|");
        if (has(ops, SelectionKey.OP_CONNECT)) b.append("CONNECT|");
        if (has(ops, SelectionKey.OP_ACCEPT)) b.append("ACCEPT|");
        return b.isEmpty() ? "0" : b.substring(0, b.length() - 1);
    }
}
