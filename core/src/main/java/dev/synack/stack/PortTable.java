package dev.synack.stack;

import dev.synack.tcp.SipHash;
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
    /**
     * Counters of RFC 6056 §3.3.4's table (its TABLE_LENGTH): destinations that hash to the same
     * counter share its progress. A power of two.
     */
    static final int PERTURBATION_SLOTS = 256;

    private final int[] bindings = new int[PORT_COUNT];
    private final int[] ephemeralUses = new int[PORT_COUNT];
    /** The secret behind the double hash's offset and counter index (RFC 6056 §3.3.4's F and G). */
    private final long secret0;
    private final long secret1;
    /** RFC 6056 §3.3.4's table: how far each group of destinations has moved through the range. */
    private final int[] nextEphemeral = new int[PERTURBATION_SLOTS];
    /** The hashed destination: local address, remote address, remote port. */
    private final byte[] destination = new byte[10];

    /** A table whose connect-time port choice is keyed by a secret drawn from {@code random}. */
    public PortTable(Random random) {
        secret0 = random.nextLong();
        secret1 = random.nextLong();
    }

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

    /** Releases the use a connection or TIME_WAIT record held of {@code port}. */
    void release(Endpoint.PortUse use, int port) {
        switch (use) {
            case BINDING -> unbind(port);
            case EPHEMERAL -> releaseEphemeral(port);
            case NONE -> { }
        }
    }

    /**
     * The ephemeral port for an active open from {@code localAddress} to {@code remoteAddress}:
     * {@code remotePort}: RFC 6056 §3.3.4 (Algorithm 4, double-hash port selection), as Linux's
     * connect() does. A keyed hash of the destination gives an offset into [low, high] (so that
     * nobody can guess the ports used towards a destination they do not talk to) and picks one of
     * {@link #PERTURBATION_SLOTS} counters; the search starts at offset + counter and the counter
     * moves past the port taken. Successive connections to one destination therefore take
     * successive ports, and a port comes back only after the whole range has been used: the
     * 4-tuple of a connection whose peer still holds it in TIME_WAIT is not offered again a
     * moment later (with random choice, two connections in the same millisecond may draw the same
     * port, the timestamp is then no newer than the one the TIME_WAIT saw, RFC 6191 refuses the
     * SYN, and the connection waits a whole SYN retransmission timeout). Ports nobody has bound
     * and for which {@code usable} holds qualify (the stack passes "no connection to the same
     * remote uses it"); the port gets an ephemeral use. Returns -1 when none qualifies.
     */
    public int allocateForConnect(int localAddress, int remoteAddress, int remotePort, int low, int high, IntPredicate usable) {
        checkPort(low);
        checkPort(high);
        int range = high - low + 1;
        putInt(destination, 0, localAddress);
        putInt(destination, 4, remoteAddress);
        destination[8] = (byte) (remotePort >>> 8);
        destination[9] = (byte) remotePort;
        long hash = SipHash.hash(secret0, secret1, destination, destination.length);
        int offset = Math.floorMod((int) hash, range);
        int slot = (int) (hash >>> 32) & (PERTURBATION_SLOTS - 1);
        int next = nextEphemeral[slot];
        for (int i = 0; i < range; i++) {
            int port = low + Math.floorMod(offset + next + i, range);
            if (bindings[port] > 0 || !usable.test(port)) continue;
            nextEphemeral[slot] = next + i + 1;
            ephemeralUses[port]++;
            return port;
        }
        return -1;
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    /**
     * RFC 6056 §3.3.1 (Algorithm 1, simple port randomisation), for bind() to port 0: picks a port in [low, high]
     * starting at a random one and probing upwards (wrapping), taking the
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
