package dev.synack.stack;

import java.util.Random;
import java.util.function.IntPredicate;

/**
 * Who uses which local port. Two kinds of use:
 * <ul>
 *   <li>a <em>binding</em>: a socket bound the port (a listener, or a client socket bound before
 *       connect); it is exclusive: nobody else may bind it, and ephemeral allocation skips it;</li>
 *   <li>an <em>ephemeral</em> use: an active open got the port from the allocator; other active
 *       opens may share the port as long as they go to a different remote (the 4-tuple stays
 *       unique, as on Linux), but bind() to it fails.</li>
 * </ul>
 * Connections accepted from a listener use the listener's port and count as neither.
 */
public final class PortTable {
    public static final int PORT_COUNT = 65536;

    private final int[] bindings = new int[PORT_COUNT];
    private final int[] ephemeralUses = new int[PORT_COUNT];

    public boolean isInUse(int port) {
        return bindings[port] > 0 || ephemeralUses[port] > 0;
    }

    public boolean isBound(int port) { return bindings[port] > 0; }

    /** Takes an exclusive binding of {@code port}; false when anybody uses it. */
    public boolean bind(int port) {
        checkPort(port);
        if (isInUse(port)) return false;
        bindings[port]++;
        return true;
    }

    public void unbind(int port) {
        if (bindings[port] <= 0) throw new IllegalStateException("port " + port + " is not bound");
        bindings[port]--;
    }

    public void releaseEphemeral(int port) {
        if (ephemeralUses[port] <= 0) throw new IllegalStateException("port " + port + " has no ephemeral use");
        ephemeralUses[port]--;
    }

    /**
     * Picks a port in [low, high]: starts at a random one and probes upwards (wrapping), taking the
     * first port nobody has bound for which {@code usable} holds (the stack passes "no connection
     * to the same remote uses it"). With {@code exclusive} the port is bound, else it gets an
     * ephemeral use. Returns -1 when every port of the range is taken.
     */
    public int allocate(Random random, int low, int high, boolean exclusive, IntPredicate usable) {
        checkPort(low);
        checkPort(high);
        int range = high - low + 1;
        int start = random.nextInt(range);
        for (int i = 0; i < range; i++) {
            int port = low + (start + i) % range;
            if (bindings[port] > 0) continue;
            if (exclusive && ephemeralUses[port] > 0) continue;
            if (!usable.test(port)) continue;
            if (exclusive) bindings[port]++;
            else ephemeralUses[port]++;
            return port;
        }
        return -1;
    }

    private static void checkPort(int port) {
        if (port < 1 || port >= PORT_COUNT) throw new IllegalArgumentException("port out of range: " + port);
    }
}
