package dev.synack.tcp;

/**
 * This connection's share of the stack's memory (tcp_mem, {@link MemoryBudget}): what it charges, as
 * Linux charges truesize, when it gives idle arrays back (sk_mem_reclaim), and the orphan limits
 * (tcp_check_oom, tcp_out_of_resources).
 */
final class ConnectionMemory {
    private ConnectionMemory() {}

    /** Charges the budget with the difference between what this connection holds and what it charged. */
    private static void chargeHeld(Connection c) {
        long held = memoryHeld(c);
        if (held != c.memoryCharged) {
            c.memory.charge(held - c.memoryCharged);
            c.memoryCharged = held;
        }
    }

    /**
     * Under memory pressure, and once the user closed the connection, an empty buffer gives its
     * arrays back (the send buffer's spare pieces, the receive ring), as Linux's sk_mem_reclaim
     * returns a socket's reserve: the budget charges arrays, and idle connections must not keep
     * the arrays a burst left behind. The receive ring stays while out-of-order bytes wait in its
     * free region.
     */
    private static void reclaimIdleBuffers(Connection c) {
        if (c.sendBuffer.isEmpty()) c.sendBuffer.releaseIfEmpty();
        if (c.receiver.reassembly.isEmpty()) c.receiveBuffer.releaseIfEmpty();
    }

    /**
     * The memory this connection's buffers take, as Linux charges an skb's truesize rather than its
     * payload: each side's arrays, or its bytes where those are more (borrowed bytes live in a
     * lender's arrays, and count as if they were copied).
     */
    private static long memoryHeld(Connection c) {
        return Math.max(c.sendBuffer.size(), c.sendBuffer.storage()) + receiveHeld(c);
    }

    /** The receive side's share of {@link #memoryHeld}: unread and out-of-order bytes, or the ring's array. */
    static long receiveHeld(Connection c) {
        return Math.max((long) c.receiveBuffer.size() + c.receiver.reassembly.bytes(), c.receiveBuffer.storage());
    }

    /** What this connection holds beyond what it has charged so far (within the call in progress). */
    static long unchargedMemory(Connection c) {
        return memoryHeld(c) - c.memoryCharged;
    }

    /** Closed by the user, still holding a state that retransmits or waits for the peer (tcp_orphan_count). */
    static boolean isOrphan(Connection c) {
        if (!c.userClosed || c.released) return false;
        return switch (c.state) {
            case FIN_WAIT1, FIN_WAIT2, CLOSING, LAST_ACK -> true;
            default -> false;
        };
    }

    /**
     * As Linux's tcp_out_of_resources on an orphan's retransmission or probe timer: with too many
     * orphans (counted {@code 2^backoff} times over: one that keeps backing off goes first) or too
     * little memory, the orphan is reset and freed. Returns true when it was.
     */
    static boolean orphanOutOfResources(Connection c, int backoff, long now) {
        if (!isOrphan(c) || !c.memory.orphanOutOfResources(0, backoff, c.sendBuffer.size())) return false;
        abortOnMemory(c, now);
        return true;
    }

    /** As Linux's tcp_check_oom found: the orphan is reset and freed (TCPAbortOnMemory). */
    static void abortOnMemory(Connection c, long now) {
        c.memory.countAbortOnMemory();
        c.sendBuffer.clear();
        c.receiveBuffer.clear();
        Closing.resetAndClose(c, "out of memory: too many orphaned connections", now);
    }

    /**
     * Charges the stack's budget with what this connection holds now and counts it as an orphan or
     * not: called at the end of every call that can change either.
     */
    static void account(Connection c) {
        chargeHeld(c);
        if (c.memory.underPressure() || c.userClosed || c.isReleased()) {
            reclaimIdleBuffers(c);
            chargeHeld(c);
        }
        boolean orphan = isOrphan(c);
        if (orphan != c.orphanCounted) {
            c.memory.orphanCount(orphan ? 1 : -1);
            c.orphanCounted = orphan;
        }
    }
}
