package dev.synack.tcp;

/**
 * The memory of one stack's connections, as Linux's tcp_mem accounts it (skb truesize, not
 * payload): the arrays their buffers hold, or for a side of a connection the bytes it buffers where
 * those are more (written and not yet acknowledged, received and not yet read, borrowed ones
 * included, and held out of order), against three levels, and the connections closed by their users that still
 * hold a state (orphans, as tcp_max_orphans limits them).
 * <ul>
 * <li>Up to {@link #pressure()} nothing is limited.</li>
 * <li>Above it the budget is <em>under pressure</em> until it falls back to {@link #low()} (Linux's
 *     tcp_enter_memory_pressure, tcp_leave_memory_pressure): receive buffers are not autotuned and a
 *     window offers no more than four segments beyond what it offered already (tcp_adjust_rcv_ssthresh).</li>
 * <li>Above {@link #high()} new data that would need memory is refused: a connection first prunes its
 *     out-of-order data (tcp_prune_ofo_queue), then drops the segment for the peer to send again
 *     (TCPRcvQDrop, TCPOFODrop); writes take less or nothing (sk_stream_memory_free). A connection
 *     always makes progress: in-order data is taken while its receive queue is empty (as Linux's
 *     sk_forced_mem_schedule), and a writer's arrays may take up to {@link #MIN_SEND} bytes (tcp_wmem[0]).</li>
 * </ul>
 *
 * <p>The engine charges what it holds after each call into a connection; plain counters, no lock of
 * its own: every connection of a stack is used under that stack's lock. {@link #UNLIMITED}, for
 * connections without a stack (engine tests), accounts nothing.
 */
public final class MemoryBudget {
    /** What a writer may always queue, as Linux's tcp_wmem[0]. */
    public static final int MIN_SEND = 4096;
    /** Linux's estimate of the memory an orphan takes, which scales tcp_max_orphans with memory. */
    static final int ORPHAN_COST = 64 * 1024;
    /** The fewest orphans allowed by default, however small the heap. */
    static final int MIN_DEFAULT_ORPHANS = 64;

    /** Accounts nothing and limits nothing. */
    public static final MemoryBudget UNLIMITED = new MemoryBudget();

    private final boolean accounting;
    private long low;
    private long pressure;
    private long high;
    private int maxOrphans;

    private long allocated;
    private boolean underPressure;
    private int orphans;

    private long memoryPressures;
    private long rcvQDrops;
    private long ofoDrops;
    private long pruneCalls;
    private long ofoPruned;
    private long abortsOnMemory;

    private MemoryBudget() {
        accounting = false;
        low = pressure = high = Long.MAX_VALUE;
        maxOrphans = Integer.MAX_VALUE;
    }

    /** A budget with the levels {@code config} names (or derives from the heap). */
    public MemoryBudget(TcpConfig config) {
        accounting = true;
        long h = config.memoryHigh() > 0 ? config.memoryHigh() : defaultHigh(Runtime.getRuntime().maxMemory());
        limits(h / 2, h / 4 * 3, h);
        maxOrphans(config.maxOrphans() > 0 ? config.maxOrphans() : defaultMaxOrphans(h));
    }

    /** The default hard level: a quarter of the largest heap, leaving the rest to the application. */
    public static long defaultHigh(long maxHeap) {
        return Math.max(1L << 20, maxHeap / 4);
    }

    /** Linux's rule of thumb: each orphan may take up to 64 KiB, so the hard level holds that many. */
    public static int defaultMaxOrphans(long high) {
        return (int) Math.max(MIN_DEFAULT_ORPHANS, Math.min(Integer.MAX_VALUE, high / ORPHAN_COST));
    }

    /** Sets the three levels in bytes (tcp_mem's min, pressure and max): {@code 0 < low <= pressure <= high}. */
    public void limits(long low, long pressure, long high) {
        if (!accounting) throw new IllegalStateException("the unlimited budget has no levels");
        if (low <= 0 || low > pressure || pressure > high) {
            throw new IllegalArgumentException("need 0 < low <= pressure <= high, was " + low + ", " + pressure + ", " + high);
        }
        this.low = low;
        this.pressure = pressure;
        this.high = high;
        updatePressure();
    }

    /** tcp_max_orphans: closed connections that may still hold a state at once (at least 0). */
    public void maxOrphans(int n) {
        if (!accounting) throw new IllegalStateException("the unlimited budget has no orphan limit");
        if (n < 0) throw new IllegalArgumentException("maxOrphans must not be negative, was " + n);
        maxOrphans = n;
    }

    public long low() { return low; }
    public long pressure() { return pressure; }
    public long high() { return high; }
    public int maxOrphans() { return maxOrphans; }
    /** Memory the stack's connections hold now: their buffers' arrays, or the bytes buffered where those are more. */
    public long allocated() { return allocated; }
    public boolean underPressure() { return underPressure; }
    /** Connections closed by their users that still hold a state. */
    public int orphans() { return orphans; }

    /** TCPMemoryPressures: times the budget came under pressure. */
    public long memoryPressures() { return memoryPressures; }
    /** TCPRcvQDrop: in-order segments dropped for want of memory. */
    public long rcvQDrops() { return rcvQDrops; }
    /** TCPOFODrop: out-of-order segments dropped for want of memory. */
    public long ofoDrops() { return ofoDrops; }
    /** PruneCalled: a connection pruned its queues to make room. */
    public long pruneCalls() { return pruneCalls; }
    /** OfoPruned: out-of-order queues dropped by pruning. */
    public long ofoPruned() { return ofoPruned; }
    /** TCPAbortOnMemory: orphans reset for too many orphans or too little memory. */
    public long abortsOnMemory() { return abortsOnMemory; }

    /** True when {@code bytes} more stay within the hard level. */
    boolean allows(long bytes) {
        return allocated + bytes <= high;
    }

    /**
     * The most memory a buffer holding {@code storage} bytes of arrays may hold after the call in
     * progress, whose connection holds {@code uncharged} bytes not charged yet: what it holds and
     * the room left below the hard level, at least {@code floor} (what it may always hold).
     */
    long storageLimit(long storage, long uncharged, int floor) {
        if (!accounting) return Long.MAX_VALUE;
        return Math.max(floor, storage + high - allocated - uncharged);
    }

    /**
     * As Linux's tcp_check_oom for an orphan (or a connection becoming one, {@code extra} 1), whose
     * retransmissions backed off {@code shift} times (tcp_out_of_resources counts orphans that many
     * times over): too many orphans, or over the hard level while it holds more than MIN_SEND.
     */
    boolean orphanOutOfResources(int extra, int shift, int sendQueued) {
        if (!accounting) return false;
        long counted = (long) (orphans + extra) << Math.min(shift, 20);
        return counted > maxOrphans || (allocated > high && sendQueued > MIN_SEND);
    }

    void charge(long delta) {
        if (!accounting) return;
        allocated += delta;
        updatePressure();
    }

    void orphanCount(int delta) {
        if (accounting) orphans += delta;
    }

    void countRcvQDrop() { if (accounting) rcvQDrops++; }
    void countOfoDrop() { if (accounting) ofoDrops++; }
    void countPrune(boolean ofo) {
        if (!accounting) return;
        pruneCalls++;
        if (ofo) ofoPruned++;
    }
    void countAbortOnMemory() { if (accounting) abortsOnMemory++; }

    private void updatePressure() {
        if (!underPressure && allocated > pressure) {
            underPressure = true;
            memoryPressures++;
        } else if (underPressure && allocated <= low) {
            underPressure = false;
        }
    }

    @Override
    public String toString() {
        return "MemoryBudget[allocated=" + allocated + ", low=" + low + ", pressure=" + pressure + ", high=" + high
                + (underPressure ? ", under pressure" : "") + ", orphans=" + orphans + "/" + maxOrphans + "]";
    }
}
