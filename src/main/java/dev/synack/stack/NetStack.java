package dev.synack.stack;

import dev.synack.tcp.Connection;
import dev.synack.tcp.FourTuple;
import dev.synack.tcp.IsnGenerator;
import dev.synack.tcp.ListenEvent;
import dev.synack.tcp.Listener;
import dev.synack.tcp.MemoryBudget;
import dev.synack.tcp.RateLimited;
import dev.synack.tcp.Resets;
import dev.synack.tcp.Seq;
import dev.synack.tcp.SynCookies;
import dev.synack.tcp.TcpConfig;
import dev.synack.tcp.TcpOutput;
import dev.synack.tcp.TcpState;
import dev.synack.tcp.TimeWaitRecord;
import dev.synack.trace.TraceEvent;
import dev.synack.trace.TraceListener;
import dev.synack.wire.Icmpv4;
import dev.synack.wire.Ipv4Address;
import dev.synack.wire.Ipv4Header;
import dev.synack.wire.PacketCodec;
import dev.synack.wire.ParseResult;
import dev.synack.wire.TcpFlags;
import dev.synack.wire.TcpPacket;
import dev.synack.wire.TcpSegment;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.BindException;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * One host's TCP/IP stack: owns its connections and listeners, demultiplexes arriving packets,
 * allocates ephemeral ports, drives the engine's timers, answers unmatched segments with RST.
 *
 * <h2>Concurrency</h2>
 * All state (demux table, listeners, ports, timer wheel, the engine objects) is guarded by one
 * {@link ReentrantLock} per stack, held only for short critical sections: a user call on a socket,
 * the processing of one inbound packet, the firing of due timers. The engine is therefore only
 * ever entered by one thread at a time, as it requires. A blocking socket call waits through the
 * stack's {@link Waiter} with the lock held; the waiter releases it while waiting. Ways to run:
 * <ul>
 *   <li><b>Real time</b> (the default waiter): {@link #start()} starts an event-loop thread that
 *       takes the lock to process the packets a link queued with {@link #enqueue(ByteBuffer)} (from
 *       any thread) and the timers that are due, then parks until the next deadline or the next
 *       packet. A blocking call waits on a {@link Condition} of the lock belonging to what it
 *       waits for (its connection, or the listener for accept), signalled when the engine reports a
 *       wakeup for it; a packet for one socket does not wake the others. ReentrantLock and Condition park virtual
 *       threads without pinning, so a socket per virtual thread is fine.</li>
 *   <li><b>Caller-runs delivery</b> (real time, dev.synack.link.MemoryLink): a link may keep the
 *       packets a critical section transmits and deliver them on the same thread once it has
 *       released the lock: {@link #unlock()} calls {@link PacketTransmitter#lockReleased} when it
 *       releases the outermost hold, and {@link #awaitUntil} releases every hold to let the link
 *       deliver ({@link PacketTransmitter#hasDeferred}) before it waits. The link then takes the
 *       destination stack's lock through {@link #deliver(ByteBuffer, boolean)}; a thread thus holds at most
 *       one stack's lock at a time, and an engine is never re-entered by its own output. The loop
 *       thread releases its lock the same way after each round, and {@link #wakeLoop()} lets a
 *       link hand it deliveries it leaves behind. The loop keeps the timers; it holds due ones
 *       back while the link still carries packets from or to the host
 *       ({@link PacketTransmitter#isCarrying}), for {@link #MAX_TIMER_HOLD_NANOS} at most.</li>
 *   <li><b>Simulation</b>: dev.synack.link.SimNetwork installs its own waiter with
 *       {@link #attach(PacketTransmitter, Waiter)}, calls {@link #deliver(ByteBuffer)} and
 *       {@link #fireTimers(long)} from its driver in virtual time, and never starts the loop.</li>
 * </ul>
 *
 * <h2>Hot path</h2>
 * Per packet, nothing is allocated unless a trace listener is attached: the packet is decoded into
 * a reused {@link TcpPacket}, looked up in a {@link DemuxTable} by a {@code long} key, and replies
 * are encoded into a reused buffer (the link copies what it keeps). Timers live in a
 * {@link TimerWheel}; after every interaction with a connection (packet, user call, timer) the
 * stack reschedules it at {@link Connection#nextDeadline()} and forgets it once
 * {@link Connection#isReleased()}.
 *
 * <h2>TIME_WAIT</h2>
 * When a connection in TIME_WAIT lets its {@link TimeWaitRecord} go ({@link Connection#detachTimeWait()}:
 * as soon as nothing the user could still do changes its ACKs), the demux table maps the 4-tuple
 * to the record's {@link TimeWaitTimer} instead of the connection's {@link Endpoint}: two small
 * objects of primitive fields (about 110 bytes) instead of the whole engine object. The record
 * answers segments, accepts a new SYN for the listener, expires and reports exactly as the
 * connection did; the port stays in use until it is forgotten. A user still holding the
 * connection sees its state follow the record.
 *
 * <h2>Readiness watches (non-blocking sockets)</h2>
 * Beside the wakeup of blocked threads, a socket may {@link #watch} its connection or listener with
 * a {@link ReadinessWatch}: when the engine reports a change on it ({@link TcpOutput#wakeup}), the
 * watch is linked into a ready list (a flag and a link field in the watch: nothing allocated per
 * event), and the thread holding the lock runs the ready watches just before it releases its
 * outermost hold ({@link #unlock()}) or before it waits ({@link #awaitUntil}): after the engine
 * finished the packet, timer or user call, never inside it. Without watches this costs one field
 * test per wakeup and per unlock. While watches run, a call that would wait is refused
 * ({@link #awaitUntil} throws), since the thread running them holds the lock that every other
 * thread, the event loop included, needs to make progress.
 *
 * <h2>Errors</h2>
 * No exception escapes the packet and timer paths: it is caught, counted
 * ({@link Counter#INTERNAL_ERRORS}) and traced as a drop. An exception from a readiness watch is
 * counted as {@link Counter#HANDLER_ERRORS} and handed to the watch's {@link ReadinessWatch#failed}.
 * An error after which the process cannot go on ({@link FatalErrorHandler#isFatal}: out of memory)
 * is let through to the top of the thread, which releases the lock on the way (every hold is
 * released in a finally, {@link #unlock()} included) and hands it to the stack's
 * {@link FatalErrorHandler} ({@link #threadFailed}); a readiness watch's goes to it at once. The
 * threads of the links do the same, so no thread of a stack dies and no lock outlives its holder.
 *
 * <h2>Hostile input</h2>
 * A packet from a martian source or for an address other than the host's is dropped before TCP or
 * ICMP sees it, without an answer ({@link AddressFilter}); an unsound IPv4 option drops its packet
 * ({@link Counter#IN_HDR_ERRORS}). The engine limits the ACKs it sends to segments it does not
 * accept (dev.synack.tcp.AckLimiter); RSTs for segments that match nothing and echo replies pass
 * host-wide {@link TokenBucket}s when {@link TcpConfig#resetRateLimit()} and
 * {@link TcpConfig#echoReplyRateLimit()} set them (Linux limits neither).
 */
public final class NetStack {
    private static final long TIMER_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final int TIMER_SLOTS = 1024;
    /** The largest IPv4 packet. */
    private static final int MAX_PACKET = 65_535;
    /** The real-time loop wakes at least this often even with nothing due (belt and braces). */
    private static final long MAX_LOOP_PARK_NANOS = TimeUnit.SECONDS.toNanos(1);
    /**
     * The longest the loop holds back due timers while the link still carries this host's packets:
     * a few OS scheduling quanta, far below the smallest engine timer that matters for correctness
     * (the 200 ms minimum RTO); loss probes and delayed ACKs fire at most this late.
     */
    private static final long MAX_TIMER_HOLD_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final String name;
    private final int address;
    private final TcpConfig config;
    private final Clock clock;
    private final IsnGenerator isn;
    /** The cookies of all this stack's listeners (one secret per stack, as Linux has one per host). */
    private final SynCookies synCookies;
    private final Random random;
    /** RSTs for segments that match nothing, and echo replies: null when not limited (guarded by the lock). */
    private final TokenBucket resetLimit;
    private final TokenBucket echoReplyLimit;
    /** The bytes all connections buffer and the orphans they leave (guarded by the lock). */
    private final MemoryBudget memory;
    /** Which sources and destinations arriving packets may have (replaced when the prefix is set). */
    private volatile AddressFilter addressFilter;

    private final ReentrantLock lock = new ReentrantLock();
    private final Waiter realTimeWaiter = new ConditionWaiter();
    private Waiter waiter = realTimeWaiter;
    private volatile PacketTransmitter transmitter;
    /** What new stacks start with (see {@link #defaultFatalErrorHandler(FatalErrorHandler)}). */
    private static volatile FatalErrorHandler defaultFatalErrorHandler = FatalErrorHandler.PRINT;
    private volatile FatalErrorHandler fatalErrorHandler = defaultFatalErrorHandler;

    /** 4-tuple to an {@link Endpoint} (a connection) or a {@link TimeWaitTimer} (a detached {@link TimeWaitRecord}). */
    private final DemuxTable<Object> connections = new DemuxTable<>(64);
    private final Listener[] listeners = new Listener[PortTable.PORT_COUNT];
    private final PortTable ports;
    /** Owners: {@link Endpoint}s and {@link TimeWaitRecord}s (through their {@link TimeWaitTimer}). */
    private final TimerWheel<Object> timers;
    /**
     * The latest time the engine was given (guarded by the lock). Every time read under the lock is
     * at least this; a time a link read before it took the lock ({@link #deliverDecoded(TcpPacket,
     * long)}) may be earlier, and is raised to it, so that the engine's time never goes back.
     */
    private long engineTime = Long.MIN_VALUE;
    /** How many detached TIME_WAIT records the demux table holds. */
    private int timeWaitRecords;
    private final long[] counters = new long[Counter.values().length];
    private final List<TraceListener> traceListeners = new CopyOnWriteArrayList<>();
    private final List<PacketTap> packetTaps = new CopyOnWriteArrayList<>();

    // Reused on the packet path (guarded by the lock).
    private final TcpPacket inbound = new TcpPacket();
    /**
     * The packet being processed: {@link #inbound} (decoded from bytes), or during
     * {@link #deliverDecoded} the packet handed over, read in place rather than copied first (the
     * engine only reads an arriving segment, and the caller keeps it unchanged for the call).
     */
    private TcpPacket arriving = inbound;
    /**
     * The endpoint last looked up or created (null: none), tried before the demux table: the
     * lookups by connection of one event (a segment's arrival, the wakeup it causes, the segments
     * it makes the connection send, the user call after it) mostly name the same one. An endpoint
     * is in the table exactly while it is not {@link Endpoint#removed}, so a hit is what the table
     * would have answered.
     */
    private Endpoint recent;
    private final TcpPacket outbound = new TcpPacket();
    /** Where a packet delivered decoded is encoded for the packet taps (allocated on first use). */
    private ByteBuffer tapScratch;
    private final TcpSegment resetReply = new TcpSegment();
    /** Where a detached TIME_WAIT record builds its ACK. */
    private final TcpSegment timeWaitReply = new TcpSegment();
    private final ByteBuffer transmitBuffer = ByteBuffer.allocate(MAX_PACKET);
    private final Output output = new Output();
    /** The last segment sent for a 4-tuple not (yet) in the demux table, for RetransSegs. */
    private long unregisteredKey = -1;
    private int unregisteredSentUpTo;
    /** Set while an inbound packet is processed: drops the engine reports refer to its addresses. */
    private boolean processingInbound;
    /**
     * The time the timers being fired are due at, while they fire ({@link #NOT_FIRING} otherwise):
     * what {@link #expiredTimer} passes on (one callback for every expiry, none allocated per call),
     * and the instant rescheduled timers must lie after.
     */
    private long firingAt = NOT_FIRING;
    private static final long NOT_FIRING = Long.MIN_VALUE;
    private final Consumer<Object> expiredTimer = owner -> fireTimer(owner, firingAt);

    // Readiness watches (guarded by the lock).
    /** The ready list: watches marked since they last ran, in the order they were marked. */
    private ReadinessWatch readyHead;
    private ReadinessWatch readyTail;
    /** True while the lock's holder runs the ready watches. */
    private boolean runningWatches;
    /** Endpoints with a watch: wakeups look for one only when there are some. */
    private int watchedConnections;
    private final Map<Listener, ReadinessWatch> listenerWatches = new IdentityHashMap<>();

    // Real-time event loop.
    private final ConcurrentLinkedQueue<Object> inboundQueue = new ConcurrentLinkedQueue<>();
    private volatile Thread loopThread;
    private volatile boolean running;
    private volatile long loopWakeAt = Long.MAX_VALUE;
    /** Threads inside {@link #awaitUntil} (see {@link #hasWaitingCalls()}). */
    private final AtomicInteger waitingCalls = new AtomicInteger();
    /** Since when the loop has held back due timers while the link carried packets (loop thread only). */
    private long timersHeldSince = NOT_HELD;
    private static final long NOT_HELD = Long.MIN_VALUE;

    /**
     * @param name the host's name in traces
     * @param address its IPv4 address
     * @param clock where time comes from (system or virtual)
     * @param isn the ISN generator (RFC 6528 in production, seeded in simulations)
     * @param seed seeds the stack's choices (ephemeral ports)
     */
    public NetStack(String name, int address, TcpConfig config, Clock clock, IsnGenerator isn, long seed) {
        this.name = Objects.requireNonNull(name, "name");
        this.address = address;
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.isn = Objects.requireNonNull(isn, "isn");
        this.synCookies = isn.synCookies();
        this.random = new Random(seed);
        this.addressFilter = new AddressFilter(address, 0);
        this.ports = new PortTable(random);
        this.timers = new TimerWheel<>(TIMER_TICK_NANOS, TIMER_SLOTS, clock.nanos());
        long start = clock.nanos();
        this.resetLimit = config.resetRateLimit() == 0 ? null : new TokenBucket(config.resetRateLimit(), config.resetRateLimit(), start);
        this.echoReplyLimit = config.echoReplyRateLimit() == 0 ? null
                : new TokenBucket(config.echoReplyRateLimit(), config.echoReplyBurst(), start);
        this.memory = new MemoryBudget(config);
    }

    /**
     * The budget of the bytes this stack's connections buffer (Linux's tcp_mem) and of their orphans
     * (tcp_max_orphans), from {@link TcpConfig#memoryHigh()} and {@link TcpConfig#maxOrphans()}.
     * Read or change it under the stack's lock ({@link #lock()}), or through
     * {@link #memoryLimits} and {@link #maxOrphans}.
     */
    public MemoryBudget memoryBudget() { return memory; }

    /** Sets the memory levels in bytes (tcp_mem's min, pressure and max; see {@link MemoryBudget}). */
    public void memoryLimits(long low, long pressure, long high) {
        lock.lock();
        try {
            memory.limits(low, pressure, high);
        } finally {
            unlock();
        }
    }

    /** Sets tcp_max_orphans: closed connections that may still hold a state at once. */
    public void maxOrphans(int n) {
        lock.lock();
        try {
            memory.maxOrphans(n);
        } finally {
            unlock();
        }
    }

    /** Bytes buffered by this stack's connections now (see {@link MemoryBudget#allocated()}). */
    public long memoryAllocated() {
        lock.lock();
        try {
            return memory.allocated();
        } finally {
            unlock();
        }
    }

    /** The host's name in traces ("client", "server"). */
    public String name() { return name; }
    /** The host's IPv4 address. */
    public int address() { return address; }
    public TcpConfig config() { return config; }
    public Clock clock() { return clock; }
    /**
     * The clock's time. Read by the lock's holder, as the socket layer does for its calls into the
     * engine, it is also the stack's latest time ({@link #engineTime}), never earlier than it.
     */
    public long now() {
        return lock.isHeldByCurrentThread() ? clockNow() : clock.nanos();
    }

    /** The clock, read by the lock's holder for the engine: it becomes the stack's latest time. */
    private long clockNow() {
        long t = clock.nanos();
        return t > engineTime ? (engineTime = t) : engineTime;
    }

    /**
     * The length of the prefix of this host's subnet (a link that knows it, such as a TUN device,
     * sets it; 0: not known), so that packets from the subnet's broadcast address are dropped as
     * martians (see {@link AddressFilter}).
     */
    public void prefixLength(int bits) {
        addressFilter = new AddressFilter(address, bits);
    }

    /** Every trace event of this stack goes to every listener added here. */
    public void addTraceListener(TraceListener listener) { traceListeners.add(Objects.requireNonNull(listener)); }

    public void removeTraceListener(TraceListener listener) { traceListeners.remove(listener); }

    /** Every packet this stack receives from or hands to its link goes to every tap added here (pcap). */
    public void addPacketTap(PacketTap tap) { packetTaps.add(Objects.requireNonNull(tap)); }

    public void removePacketTap(PacketTap tap) { packetTaps.remove(tap); }

    /** True when somebody listens to trace events (callers skip building them otherwise). */
    public boolean isTracing() { return !traceListeners.isEmpty(); }

    /** Whether this stack sends through {@code link} (the transmitter it was last attached to). */
    public boolean isAttachedTo(PacketTransmitter link) {
        return transmitter == link;
    }

    /** Connects the stack to a link, and (simulation) replaces the real-time waiter. */
    public void attach(PacketTransmitter transmitter, Waiter waiter) {
        lock.lock();
        try {
            this.transmitter = Objects.requireNonNull(transmitter, "transmitter");
            this.waiter = waiter == null ? realTimeWaiter : waiter;
        } finally {
            unlock();
        }
    }

    /** A snapshot of the counters by TCP-MIB name, in a fixed order. */
    public Map<String, Long> counters() {
        lock.lock();
        try {
            Map<String, Long> out = new LinkedHashMap<>();
            for (Counter c : Counter.values()) out.put(c.mibName(), count(c));
            return out;
        } finally {
            unlock();
        }
    }

    public long counter(Counter c) {
        lock.lock();
        try {
            return count(c);
        } finally {
            unlock();
        }
    }

    /** Connections the stack still tracks (in any state, TIME_WAIT included). */
    public int connectionCount() {
        lock.lock();
        try {
            return connections.size();
        } finally {
            unlock();
        }
    }

    /**
     * How many of {@link #connectionCount()} are compact TIME_WAIT records: connections in TIME_WAIT
     * whose full engine object the stack no longer holds (see {@link #touch}).
     */
    public int timeWaitRecordCount() {
        lock.lock();
        try {
            return timeWaitRecords;
        } finally {
            unlock();
        }
    }

    // ------------------------------------------------------------------ locking and waiting

    /** Takes the stack's lock: the socket layer wraps each user call in lock()/unlock(). */
    public void lock() { lock.lock(); }

    /**
     * Takes the lock unless the calling thread holds it already; returns whether it took it (then
     * an {@link #unlock()} is owed). A nested hold would change nothing: its release neither runs
     * ready watches nor lets the link deliver (both wait for the outermost release), so the calls
     * a holder makes (a user call's, a link's delivery run's) skip its two atomic operations.
     */
    private boolean enter() {
        if (lock.isHeldByCurrentThread()) return false;
        lock.lock();
        return true;
    }

    /**
     * Releases one hold of the stack's lock. Releasing the outermost one tells the link
     * ({@link PacketTransmitter#lockReleased}), which may then deliver on this thread the packets
     * the critical section sent (caller-runs delivery: see the class comment).
     */
    public void unlock() {
        // The watches' own calls nest and release their holds: still the outermost one after them.
        boolean outermost = lock.getHoldCount() == 1;
        try {
            if (outermost && readyHead != null && !runningWatches) runReadyWatches();
        } finally {
            // Released whatever happened above: a lock whose holder is gone stops every thread.
            lock.unlock();
        }
        PacketTransmitter link = outermost ? transmitter : null;
        if (link != null) link.lockReleased(this);
    }

    /** How many times the current thread holds the lock (a waiter releases all of them). */
    public int lockHoldCount() { return lock.getHoldCount(); }

    /**
     * Blocks (lock held) until {@code ready} holds or the clock reaches {@code deadlineNanos};
     * see {@link Waiter#awaitUntil}. {@code key} is the Connection or Listener {@code ready} looks
     * at, so that only its waiters are woken when it changes (null: woken by every change).
     */
    public boolean awaitUntil(Object key, BooleanSupplier ready, long deadlineNanos) throws InterruptedIOException {
        if (!lock.isHeldByCurrentThread()) throw new IllegalStateException("awaitUntil needs the stack's lock");
        if (runningWatches) {
            throw new IllegalStateException("a readiness handler of " + name + " must not wait: it runs holding the stack's "
                    + "lock, which the event loop and every other socket of the stack need");
        }
        if (readyHead != null) runReadyWatches(); // before waiting: they may be what makes it ready
        if (ready.getAsBoolean()) return true;
        // Counted before the look at the link below: see hasWaitingCalls().
        waitingCalls.incrementAndGet();
        try {
            PacketTransmitter link = transmitter;
            if (link != null && link.hasDeferred(this)) {
                // What this thread is about to wait for may be the answer to a packet it sent, or a
                // packet left for this lock's holder: release the lock, deliver, and look again.
                int holds = lock.getHoldCount();
                for (int i = 0; i < holds; i++) lock.unlock();
                try {
                    link.lockReleased(this);
                } finally {
                    for (int i = 0; i < holds; i++) lock.lock();
                }
                if (ready.getAsBoolean()) return true;
            }
            // No deadline, no clock to read.
            if (deadlineNanos != Long.MAX_VALUE && clock.nanos() >= deadlineNanos) return false;
            return waiter.awaitUntil(this, key, ready, deadlineNanos);
        } finally {
            waitingCalls.decrementAndGet();
        }
    }

    /**
     * Takes the lock if no other thread holds it, without waiting; returns whether it did (then an
     * {@link #unlock()} is owed). For a link delivering packets (dev.synack.link.MemoryLink) that
     * would rather leave them to the lock's holder than wait for it, as Linux leaves a segment in a
     * socket's backlog while a user call owns the socket: the holder's {@link #unlock()} tells the
     * link ({@link PacketTransmitter#lockReleased}), which delivers them then. Not while
     * {@link #hasWaitingCalls()}: a waiting call releases the lock without telling the link.
     */
    public boolean tryLock() {
        return lock.tryLock();
    }

    /** Whether some thread holds the lock (a snapshot). */
    public boolean isLocked() {
        return lock.isLocked();
    }

    /**
     * True while some thread is inside {@link #awaitUntil} past its first look at its condition. Its
     * waiter releases and retakes the lock inside a {@link Condition}'s await, telling no link: a
     * packet left for the lock's holder then could wait for the event loop's next round. Counted
     * before the call's look at the link ({@link PacketTransmitter#hasDeferred}), so that a link
     * that leaves packets for the holder and then finds no waiting call knows that any call which
     * starts waiting later looks at the link first, sees them and delivers them.
     */
    public boolean hasWaitingCalls() {
        return waitingCalls.get() > 0;
    }

    // ------------------------------------------------------------------ readiness watches

    /**
     * Watches {@code connection} with {@code watch} (null: stops watching): from now on every change
     * the engine reports on it marks the watch ready, and the watch runs once soon in any case (what
     * happened before it was registered is not lost). A connection the stack no longer tracks
     * (released, or reduced to its TIME_WAIT record) reports no more changes: the watch then runs
     * once only. Forgotten with the connection.
     */
    public void watch(Connection connection, ReadinessWatch watch) {
        boolean took = enter();
        try {
            Endpoint e = endpointOf(connection);
            if (e != null) {
                if (e.watch == null && watch != null) watchedConnections++;
                if (e.watch != null && watch == null) watchedConnections--;
                e.watch = watch;
            }
            if (watch != null) markReady(watch);
        } finally {
            if (took) unlock();
        }
    }

    /**
     * Watches {@code listener} with {@code watch} (null: stops watching): marked ready whenever a
     * connection enters (or leaves) its accept queue, and once soon in any case. Forgotten when the
     * listener is closed through {@link #closeListener}.
     */
    public void watch(Listener listener, ReadinessWatch watch) {
        lock.lock();
        try {
            if (watch == null) {
                listenerWatches.remove(listener);
            } else {
                if (!listener.isClosed()) listenerWatches.put(listener, watch);
                markReady(watch);
            }
        } finally {
            unlock();
        }
    }

    /**
     * True when the calling thread is running this stack's readiness watches (a socket handler):
     * socket calls that could wait refuse to.
     */
    public boolean isRunningReadinessWatches() {
        return lock.isHeldByCurrentThread() && runningWatches;
    }

    /** Links {@code watch} into the ready list, unless it is there already or is running (its own calls marked it). */
    private void markReady(ReadinessWatch watch) {
        if (watch.queued || watch.running) return;
        watch.queued = true;
        if (readyTail == null) readyHead = watch;
        else readyTail.nextReady = watch;
        readyTail = watch;
    }

    /** Runs the ready watches, including those they make ready in turn, until the list is empty. */
    private void runReadyWatches() {
        runningWatches = true;
        try {
            ReadinessWatch w;
            while ((w = readyHead) != null) {
                readyHead = w.nextReady;
                if (readyHead == null) readyTail = null;
                w.nextReady = null;
                w.queued = false;
                w.running = true;
                try {
                    w.ready();
                } catch (Throwable ex) {
                    counters[Counter.HANDLER_ERRORS.ordinal()]++;
                    // Reported here, lock held: the thread may be a user's, whose code would not know
                    // what to make of it; the watches after this one still run.
                    if (FatalErrorHandler.isFatal(ex)) reportFatal("readiness handler", ex);
                    try {
                        w.failed(ex);
                    } catch (Throwable again) {
                        if (FatalErrorHandler.isFatal(again)) reportFatal("readiness handler failure", again);
                        else internalError(clock.nanos(), "readiness handler failure", again);
                    }
                } finally {
                    w.running = false;
                }
            }
        } finally {
            runningWatches = false;
        }
    }

    /** The endpoint the demux table holds for {@code connection}, or null (released, or only its TIME_WAIT record is left). */
    private Endpoint endpointOf(Connection connection) {
        Endpoint r = recent;
        if (r != null && r.connection == connection && !r.removed) return r;
        FourTuple t = connection.tuple();
        if (connections.get(DemuxTable.key(t.remoteAddress(), t.localPort(), t.remotePort())) instanceof Endpoint e
                && e.connection == connection) {
            recent = e;
            return e;
        }
        return null;
    }

    /** Marks the watches of {@code connection} and of the listener whose accept queue it is in or left. */
    private void markWatches(Connection connection) {
        if (watchedConnections != 0) {
            Endpoint e = endpointOf(connection);
            if (e != null && e.watch != null) markReady(e.watch);
        }
        if (!listenerWatches.isEmpty()) {
            Listener parent = connection.listener();
            ReadinessWatch w = parent == null ? null : listenerWatches.get(parent);
            if (w != null) markReady(w);
        }
    }

    /** An endpoint leaves the demux table (or becomes a TIME_WAIT record): its watch goes with it. */
    private void forgetWatch(Endpoint e) {
        if (e.watch != null) {
            e.watch = null;
            watchedConnections--;
        }
    }

    /** {@link #awaitUntil(Object, BooleanSupplier, long)} woken by every change. */
    public boolean awaitUntil(BooleanSupplier ready, long deadlineNanos) throws InterruptedIOException {
        return awaitUntil(null, ready, deadlineNanos);
    }

    /** The deadline {@code timeout} from now ({@link Long#MAX_VALUE} for null or zero: none). */
    public long deadlineAfter(Duration timeout) {
        if (timeout == null || timeout.isZero() || timeout.isNegative()) return Long.MAX_VALUE;
        long nanos;
        try {
            nanos = timeout.toNanos();
        } catch (ArithmeticException overflow) {
            return Long.MAX_VALUE;
        }
        long now = clock.nanos();
        return nanos > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + nanos;
    }

    /** Wakes every waiter of this stack to re-check its condition (e.g. a socket was closed). */
    public void wakeAll() {
        boolean took = enter();
        try {
            waiter.wakeup(this, null);
        } finally {
            if (took) unlock();
        }
    }

    /**
     * The default, real-time waiter. A thread waits on the Condition of the object it waits for (a
     * connection, a listener), so that a wakeup signals only the threads that care: with many
     * sockets, a packet for one does not wake the others. Conditions exist only while somebody
     * waits; waiters without a key share one that every wakeup signals. A wait without a deadline
     * parks untimed, as a Linux socket call without a timeout sleeps: every engine event that can
     * make a call ready reports a wakeup for its connection or listener, signalled under the lock
     * the waiter re-checks under, so no signal is lost between its look and its park. (Waking every
     * {@link #MAX_LOOP_PARK_NANOS} to look again would cost a virtual thread a scheduler timer per
     * park.) A wait with a deadline re-checks at least that often.
     */
    private final class ConditionWaiter implements Waiter {
        private final Map<Object, KeyedCondition> byKey = new IdentityHashMap<>();
        private final Condition anyChange = lock.newCondition();

        private final class KeyedCondition {
            final Condition condition = lock.newCondition();
            int waiters;
        }

        @Override
        public boolean awaitUntil(NetStack stack, Object key, BooleanSupplier ready, long deadlineNanos) throws InterruptedIOException {
            KeyedCondition keyed = null;
            Condition condition = anyChange;
            if (key != null) {
                keyed = byKey.computeIfAbsent(key, k -> new KeyedCondition());
                keyed.waiters++;
                condition = keyed.condition;
            }
            try {
                while (!ready.getAsBoolean()) {
                    try {
                        if (deadlineNanos == Long.MAX_VALUE) {
                            // Untimed: every change that can make a call ready signals its
                            // condition under the lock (wakeup), so there is nothing to poll for.
                            // A virtual thread's timed park books and cancels a timer in the JDK
                            // scheduler each time: a quarter of the CPU of a short connection from
                            // 16 virtual client threads, when it woke every second to look again.
                            condition.await();
                        } else {
                            long left = deadlineNanos - clock.nanos();
                            if (left <= 0) return false;
                            condition.awaitNanos(Math.min(left, MAX_LOOP_PARK_NANOS));
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted while waiting on " + name);
                    }
                }
                return true;
            } finally {
                if (keyed != null && --keyed.waiters == 0) byKey.remove(key);
            }
        }

        @Override
        public void wakeup(NetStack stack, Object key) {
            anyChange.signalAll();
            // Nobody waits on a key (the common case with caller-runs delivery, and always for
            // non-blocking sockets): no lookup, whose identity hash of a new connection costs.
            if (byKey.isEmpty()) return;
            if (key == null) {
                for (KeyedCondition k : byKey.values()) k.condition.signalAll();
            } else {
                KeyedCondition k = byKey.get(key);
                if (k != null) k.condition.signalAll();
            }
        }

        @Override
        public void timersChanged(NetStack stack, long earliestDeadline) {
            Thread loop = loopThread;
            if (loop != null && earliestDeadline < loopWakeAt) LockSupport.unpark(loop);
        }
    }

    // ------------------------------------------------------------------ ports and user operations

    /**
     * Binds {@code port} for a socket (0: an ephemeral port from the configured range).
     * Returns the port.
     *
     * @throws BindException "Address already in use" when somebody uses the port
     */
    public int bind(int port) throws IOException {
        lock.lock();
        try {
            if (port < 0 || port >= PortTable.PORT_COUNT) throw new IllegalArgumentException("port out of range: " + port);
            if (port == 0) {
                int p = ports.allocate(random, config.ephemeralPortLow(), config.ephemeralPortHigh(), true, q -> listeners[q] == null);
                if (p < 0) throw new BindException("No ephemeral port free in " + config.ephemeralPortLow() + "-" + config.ephemeralPortHigh());
                return p;
            }
            if (!ports.bind(port)) throw new BindException("Address already in use: port " + port);
            return port;
        } finally {
            unlock();
        }
    }

    /** Releases a binding taken with {@link #bind(int)} that no connection took over. */
    public void unbind(int port) {
        lock.lock();
        try {
            ports.unbind(port);
        } finally {
            unlock();
        }
    }

    /**
     * Active open: creates the connection, registers it and sends its SYN. With {@code boundPort}
     * &gt; 0 the caller's binding of that port passes to the connection (released with it); with 0
     * an ephemeral port is chosen (RFC 6056 double-hash selection, {@link PortTable#allocateForConnect}:
     * successive connections to one remote take successive ports from a secret offset; ports whose
     * 4-tuple to this remote is taken are skipped).
     */
    public Connection connect(int boundPort, int remoteAddress, int remotePort) throws IOException {
        return connect(boundPort, remoteAddress, remotePort, null);
    }

    /**
     * {@link #connect(int, int, int)}, with {@code beforeSyn} (if not null) run on the new connection
     * before its SYN leaves: the socket options set before connect() that shape the SYN (TCP_MAXSEG).
     */
    public Connection connect(int boundPort, int remoteAddress, int remotePort, java.util.function.Consumer<Connection> beforeSyn)
            throws IOException {
        boolean took = enter();
        try {
            long now = clockNow();
            int localPort;
            Endpoint.PortUse use;
            if (boundPort > 0) {
                if (!ports.isBound(boundPort)) throw new IllegalStateException("connect from port " + boundPort + " that is not bound");
                if (connections.containsKey(DemuxTable.key(remoteAddress, boundPort, remotePort))) {
                    throw new BindException("Address already in use: " + Ipv4Address.format(address) + ":" + boundPort
                            + " is already connected to " + Ipv4Address.format(remoteAddress) + ":" + remotePort);
                }
                localPort = boundPort;
                use = Endpoint.PortUse.BINDING;
            } else {
                localPort = ports.allocateForConnect(address, remoteAddress, remotePort, config.ephemeralPortLow(), config.ephemeralPortHigh(),
                        p -> listeners[p] == null && !connections.containsKey(DemuxTable.key(remoteAddress, p, remotePort)));
                if (localPort < 0) {
                    throw new SocketException("Cannot assign requested address: no ephemeral port free for "
                            + Ipv4Address.format(remoteAddress) + ":" + remotePort);
                }
                use = Endpoint.PortUse.EPHEMERAL;
            }
            FourTuple tuple = new FourTuple(address, localPort, remoteAddress, remotePort);
            Connection c = Connection.active(config, tuple, isn, output);
            Endpoint e = new Endpoint(c, DemuxTable.key(remoteAddress, localPort, remotePort), localPort, use);
            connections.put(e.key, e);
            recent = e;
            try {
                if (beforeSyn != null) beforeSyn.accept(c);
                c.connect(now);
            } catch (RuntimeException ex) {
                remove(e);
                throw ex;
            }
            return c;
        } finally {
            if (took) unlock();
        }
    }

    /** Starts listening on {@code port}, which the caller has bound. */
    public Listener listen(int port, int backlog) throws IOException {
        lock.lock();
        try {
            if (!ports.isBound(port)) throw new IllegalStateException("listen on port " + port + " that is not bound");
            if (listeners[port] != null) throw new SocketException("Already listening on port " + port);
            Listener l = new Listener(config, address, port, backlog, isn, synCookies, output);
            listeners[port] = l;
            traceListenerState(port, TcpState.CLOSED, TcpState.LISTEN, "listen(" + l.backlog() + ")");
            return l;
        } finally {
            unlock();
        }
    }

    /** Stops {@code listener}: resets its queued connections and releases its port. */
    public void closeListener(Listener listener) {
        lock.lock();
        try {
            long now = clockNow();
            int port = listener.localPort();
            try {
                listener.close(now);
                traceListenerState(port, TcpState.LISTEN, TcpState.CLOSED, "close()");
            } finally {
                if (listeners[port] == listener) {
                    listeners[port] = null;
                    ports.unbind(port);
                }
                waiter.wakeup(this, listener);
                listenerWatches.remove(listener);
            }
        } finally {
            unlock();
        }
    }

    /**
     * An engine call on {@code connection} returned ({@link TcpOutput#callReturned}): reschedule its
     * timers, forget it once released, keep only its TIME_WAIT record once it lets it go.
     */
    private void callReturned(Connection connection) {
        assert lock.isHeldByCurrentThread() : "an engine call without the stack's lock";
        Endpoint found = endpointOf(connection);
        if (found != null) {
            touch(found);
            return;
        }
        FourTuple t = connection.tuple();
        Object o = connections.get(DemuxTable.key(t.remoteAddress(), t.localPort(), t.remotePort()));
        if (o instanceof TimeWaitTimer tw && tw.record() == connection.timeWaitRecord() && tw.record().isReleased()) {
            removeRecord(tw); // abort() in TIME_WAIT closed the record the stack held
        }
    }

    /**
     * A listener has no {@link Connection} to report its own state changes, so the stack does: the
     * trace names it by its "ip:port".
     */
    private void traceListenerState(int port, TcpState from, TcpState to, String cause) {
        if (traceListeners.isEmpty()) return;
        emit(new TraceEvent.StateChange(clock.nanos(), name, Ipv4Address.format(address) + ":" + port, from.name(), to.name(), cause));
    }

    /** Reports a user call and its result as a {@link TraceEvent.Call}. */
    public void traceCall(String connection, String call, String result) {
        if (traceListeners.isEmpty()) return;
        emit(new TraceEvent.Call(clock.nanos(), name, connection, call, result));
    }

    /**
     * After an interaction with a connection: forget it once released; in TIME_WAIT, keep only its
     * compact record when the connection lets it go (the design's "TIME_WAIT connections shrink to
     * a small record"); else reschedule its timer.
     */
    private void touch(Endpoint e) {
        if (e.removed) return;
        Connection c = e.connection;
        if (c.isReleased()) {
            remove(e);
            return;
        }
        if (c.state() == TcpState.TIME_WAIT) {
            TimeWaitRecord r = c.detachTimeWait();
            if (r != null) {
                compact(e, r);
                return;
            }
        }
        long deadline = c.nextDeadline();
        if (deadline == Long.MAX_VALUE) timers.cancel(e.timer);
        else schedule(e.timer, deadline);
    }

    /**
     * Schedules {@code timer} at {@code deadline}, or a tick after the time timers are firing at
     * when the engine asked for an instant already past: a timer never spins on one instant.
     */
    private void schedule(TimerWheel.Timer<Object> timer, long deadline) {
        long at = deadline <= firingAt ? firingAt + TIMER_TICK_NANOS : deadline;
        timers.schedule(timer, at);
        waiter.timersChanged(this, at);
    }

    /**
     * Replaces {@code e} in the demux table by its detached TIME_WAIT record: from now on the stack
     * holds the record and its timer (which keeps the port use to release at the end), not the
     * connection. The record's timer takes the connection timer's place, so ties fire in the same
     * order as before.
     */
    private void compact(Endpoint e, TimeWaitRecord r) {
        TimeWaitTimer timer = new TimeWaitTimer(r, e.portUse);
        e.removed = true;
        if (recent == e) recent = null; // hold on to no connection the stack let go
        forgetWatch(e);
        connections.put(e.key, timer);
        timeWaitRecords++;
        long deadline = r.nextDeadline();
        if (deadline <= firingAt) deadline = firingAt + TIMER_TICK_NANOS;
        timers.replace(e.timer, timer, deadline);
        waiter.timersChanged(this, deadline);
    }

    /** After a segment for a TIME_WAIT record: forget it once released, else follow its (re)started 2MSL timer. */
    private void touchRecord(TimeWaitTimer t) {
        if (t.record().isReleased()) {
            removeRecord(t);
            return;
        }
        schedule(t, t.record().nextDeadline());
    }

    /** Forgets a TIME_WAIT record: its timer, its demux entry and its port use (once). */
    private void removeRecord(TimeWaitTimer t) {
        long key = t.key();
        if (connections.get(key) != t) return; // already forgotten
        connections.remove(key);
        timers.cancel(t);
        timeWaitRecords--;
        releasePort(t.portUse, t.record().localPort());
    }

    private void remove(Endpoint e) {
        e.removed = true;
        if (recent == e) recent = null; // hold on to no connection the stack let go
        forgetWatch(e);
        timers.cancel(e.timer);
        if (connections.get(e.key) == e) connections.remove(e.key);
        releasePort(e.portUse, e.localPort);
    }

    private void releasePort(Endpoint.PortUse use, int port) {
        switch (use) {
            case BINDING -> ports.unbind(port);
            case EPHEMERAL -> ports.releaseEphemeral(port);
            case NONE -> { }
        }
    }

    // ------------------------------------------------------------------ timers

    /** The earliest timer deadline of any connection, or {@link Long#MAX_VALUE}. */
    public long nextTimerDeadline() {
        lock.lock();
        try {
            return timers.nextDeadline();
        } finally {
            unlock();
        }
    }

    /** Fires every connection timer due at {@code now}; returns how many connections were due. */
    public int fireTimers(long now) {
        lock.lock();
        try {
            if (now > engineTime) engineTime = now;
            return expire(now);
        } finally {
            unlock();
        }
    }

    /** Fires the timers due at {@code now}; returns how many owners were due. */
    private int expire(long now) {
        firingAt = now;
        try {
            return timers.expire(now, expiredTimer);
        } finally {
            firingAt = NOT_FIRING;
        }
    }

    private void fireTimer(Object owner, long now) {
        if (owner instanceof Endpoint e) {
            fireTimer(e, now);
            return;
        }
        TimeWaitRecord r = (TimeWaitRecord) owner;
        Object entry = connections.get(DemuxTable.key(r.remoteAddress(), r.localPort(), r.remotePort()));
        if (entry instanceof TimeWaitTimer t && t.record() == r) fireTimer(t, now);
    }

    /** The 2MSL timer of a TIME_WAIT record: it goes CLOSED and is forgotten, its port released. */
    private void fireTimer(TimeWaitTimer t, long now) {
        TimeWaitRecord r = t.record();
        try {
            r.deadlineReached(now, output);
            touchRecord(t);
        } catch (Throwable ex) {
            rethrowFatal(ex);
            internalError(now, "timer of " + r.tuple(), ex);
            if (connections.get(t.key()) == t && !t.isScheduled()) timers.schedule(t, now + config.minRtoNanos());
        }
    }

    /** A connection's timers: its {@link TcpOutput#callReturned} reschedules it ({@link #touch}). */
    private void fireTimer(Endpoint e, long now) {
        try {
            e.connection.deadlineReached(now);
        } catch (Throwable ex) {
            rethrowFatal(ex);
            internalError(now, "timer of " + e.label(), ex);
            if (!e.removed && !e.timer.isScheduled()) {
                // Keep a broken connection from being forgotten with its port: retry later.
                timers.schedule(e.timer, now + config.minRtoNanos());
            }
        }
    }

    // ------------------------------------------------------------------ inbound packets

    /**
     * Processes one IPv4 packet now, on the calling thread (simulation drivers and tests). The
     * buffer's bytes must stay unchanged during the call; its position is not moved.
     */
    public void deliver(ByteBuffer packet) {
        deliver(packet, false);
    }

    /**
     * As {@link #deliver(ByteBuffer)}; with {@code tcpChecksumTrusted} the TCP checksum is not
     * verified: only for a link that carried the packet unaltered from a stack that sent it through
     * a {@link PacketTransmitter#offloadsTcpChecksums() checksum-offloading} transmitter.
     */
    public void deliver(ByteBuffer packet, boolean tcpChecksumTrusted) {
        lock.lock();
        try {
            processPacket(packet, tcpChecksumTrusted);
        } finally {
            unlock();
        }
    }

    private void processPacket(ByteBuffer packet, boolean tcpChecksumTrusted) {
        long now = clockNow();
        processingInbound = true;
        try {
            if (!packetTaps.isEmpty()) tap(now, false, packet);
            if (Icmpv4.isIcmp(packet)) {
                icmpArrived(packet, now);
                return;
            }
            ParseResult result = PacketCodec.decode(packet, inbound, !tcpChecksumTrusted);
            if (result == ParseResult.NOT_TCP) {
                // A sound IPv4 header (its checksum verified) for a protocol synack does not handle,
                // such as UDP: counted and dropped, never an error. (Links drop other IP versions,
                // such as the kernel's IPv6 router solicitations on a TUN device, before the stack.)
                counters[Counter.IN_UNKNOWN_PROTOS.ordinal()]++;
                traceUndecodable(now, packet, result.reason());
                return;
            }
            if (result != ParseResult.OK) {
                // An unsound IP option is an IP header error (Linux's ip_options_compile); the rest
                // are counted as segments received in error, whatever layer they failed at.
                counters[(result == ParseResult.BAD_IP_OPTION ? Counter.IN_HDR_ERRORS : Counter.IN_ERRS).ordinal()]++;
                traceUndecodable(now, packet, result.reason());
                return;
            }
            segmentArrived(now);
        } catch (Throwable ex) {
            rethrowFatal(ex);
            internalError(now, "inbound packet", ex);
        } finally {
            processingInbound = false;
        }
    }

    /**
     * Processes a packet another stack in memory handed over decoded
     * ({@link PacketTransmitter#transmitDecoded}): exactly what {@link #deliver(ByteBuffer, boolean)}
     * does after a successful decode, without the encoding and decoding between. Its payload window
     * is only read, during this call. Packet taps on this stack see it encoded, with its TCP
     * checksum left zero as on a checksum-offloading link.
     */
    public void deliverDecoded(TcpPacket packet) {
        boolean took = enter();
        try {
            processDecoded(packet, clockNow());
        } finally {
            if (took) unlock();
        }
    }

    /**
     * As {@link #deliverDecoded(TcpPacket)}, at a time {@code carriedNanos} of this stack's clock that
     * the caller read before it took the lock (once for many packets: a clock read costs as much as a
     * tenth of a small packet's processing). The engine gets the later of it and the stack's latest
     * time, so its time never goes back; a round-trip sample may come out shorter than the true one
     * by the time since that read (microseconds, far below the 200 ms minimum RTO of RFC 6298 §2.4
     * and the slack of every timer).
     */
    public void deliverDecoded(TcpPacket packet, long carriedNanos) {
        boolean took = enter();
        try {
            if (carriedNanos > engineTime) engineTime = carriedNanos;
            processDecoded(packet, engineTime);
        } finally {
            if (took) unlock();
        }
    }

    private void processDecoded(TcpPacket packet, long now) {
        processingInbound = true;
        arriving = packet;
        try {
            if (!packetTaps.isEmpty()) {
                if (tapScratch == null) tapScratch = ByteBuffer.allocate(MAX_PACKET);
                tapScratch.clear();
                PacketCodec.encode(packet, tapScratch, false);
                tap(now, false, tapScratch.flip());
            }
            segmentArrived(now);
        } catch (Throwable ex) {
            rethrowFatal(ex);
            internalError(now, "inbound packet", ex);
        } finally {
            processingInbound = false;
            arriving = inbound; // it is the sender's: hold on to none of it
        }
    }

    /** Whether packet taps watch this stack (a link handing packets over decoded must then give bytes). */
    public boolean hasPacketTaps() {
        return !packetTaps.isEmpty();
    }

    /** The decoded packet {@link #arriving} arrived: demultiplexes it to its connection or listener. */
    private void segmentArrived(long now) {
        TcpPacket in = arriving;
        String addressProblem = addressProblem(in.sourceAddress(), in.destinationAddress());
        if (addressProblem != null) {
            tracePacket(now, TraceEvent.Direction.DROP, in, addressProblem);
            return;
        }
        counters[Counter.IN_SEGS.ordinal()]++;
        TcpSegment seg = in.segment();
        if (!traceListeners.isEmpty()) tracePacket(now, TraceEvent.Direction.RECV, in, null);
        int remote = in.sourceAddress();
        int localPort = seg.destinationPort();
        // RFC 9293 §3.10.7: a fully specified connection first, then a listener on the port.
        Object entry = connections.get(DemuxTable.key(remote, localPort, seg.sourcePort()));
        if (entry instanceof Endpoint e && !reusableTimeWait(e, seg, now)) {
            recent = e;
            e.connection.segmentArrived(seg, now);
            return;
        }
        if (entry instanceof TimeWaitTimer t && !reusableTimeWait(t, seg, now)) {
            t.record().segmentArrived(seg, now, output, timeWaitReply);
            touchRecord(t);
            return;
        }
        Listener l = listeners[localPort];
        if (l != null && !l.isClosed()) {
            Connection child = l.segmentArrived(address, remote, seg, now);
            if (child != null) adoptChild(child, now);
            return;
        }
        // RFC 9293 §3.10.7.1: a segment for no connection and no listener is answered with a
        // reset (its form depends on the ACK bit), unless it is itself a reset.
        if (Resets.replyTo(seg, resetReply)) {
            if (resetLimit == null || resetLimit.tryTake(now)) {
                output.send(address, remote, resetReply, now);
            } else {
                counters[Counter.OUT_RSTS_RATE_LIMITED.ordinal()]++;
                tracePacket(now, TraceEvent.Direction.DROP, in, "no connection: RST rate limited");
            }
        } else {
            tracePacket(now, TraceEvent.Direction.DROP, in, "no connection (a reset is never answered)");
        }
    }

    /**
     * ICMP (RFC 792): a host answers echo requests addressed to it (RFC 1122 §3.2.2.6: "Every host
     * MUST implement an ICMP Echo server"); other ICMP messages are counted and dropped.
     */
    private void icmpArrived(ByteBuffer packet, long now) {
        String problem = Icmpv4.echoRequestProblem(packet);
        if (problem != null) {
            boolean echoOfAnotherType = problem.startsWith("ICMP type") || problem.startsWith("echo request with code");
            Counter c = echoOfAnotherType ? Counter.IN_ICMP_IGNORED
                    : problem == ParseResult.BAD_IP_OPTION.reason() ? Counter.IN_HDR_ERRORS : Counter.IN_ERRS;
            counters[c.ordinal()]++;
            traceUndecodable(now, packet, problem);
            return;
        }
        int p = packet.position();
        problem = addressProblem(Ipv4Header.sourceAddress(packet, p), Ipv4Header.destinationAddress(packet, p));
        if (problem != null) {
            traceUndecodable(now, packet, "ICMP echo request: " + problem);
            return;
        }
        counters[Counter.IN_ECHOS.ordinal()]++;
        if (echoReplyLimit != null && !echoReplyLimit.tryTake(now)) {
            counters[Counter.OUT_RATE_LIMIT_GLOBAL.ordinal()]++;
            traceUndecodable(now, packet, "echo reply rate limited");
            return;
        }
        transmitBuffer.clear();
        int length = Icmpv4.writeEchoReply(packet, transmitBuffer, config.ttl());
        transmitBuffer.limit(length);
        if (transmitRaw(now)) counters[Counter.OUT_ECHO_REPS.ordinal()]++;
    }

    /**
     * Why this host drops a packet from {@code source} to {@code destination} without a word
     * ({@link AddressFilter}), counted; null when it takes it.
     */
    private String addressProblem(int source, int destination) {
        AddressFilter filter = addressFilter;
        String problem = filter.sourceProblem(source);
        if (problem != null) {
            counters[Counter.IN_MARTIAN_SRC.ordinal()]++;
            return problem;
        }
        problem = filter.destinationProblem(destination);
        if (problem != null) counters[Counter.IN_ADDR_ERRORS.ordinal()]++;
        return problem;
    }

    /** Hands the packet in {@link #transmitBuffer} (position to limit) to the taps and the link. */
    private boolean transmitRaw(long now) {
        PacketTransmitter link = transmitter;
        if (link == null) {
            traceUndecodable(now, transmitBuffer, "no link attached");
            return false;
        }
        if (!packetTaps.isEmpty()) tap(now, true, transmitBuffer);
        link.transmit(this, transmitBuffer);
        return true;
    }

    private void tap(long now, boolean outbound, ByteBuffer packet) {
        for (PacketTap t : packetTaps) {
            try {
                t.onPacket(this, now, outbound, packet.asReadOnlyBuffer());
            } catch (Throwable ex) {
                rethrowFatal(ex);
                counters[Counter.INTERNAL_ERRORS.ordinal()]++;
            }
        }
    }

    /**
     * A SYN for a 4-tuple in TIME_WAIT may open a new incarnation (RFC 9293 §3.10.7.4, RFC 6191):
     * the engine decides; when it accepts, the old connection is forgotten and the SYN goes to the
     * listener.
     */
    private boolean reusableTimeWait(Endpoint e, TcpSegment seg, long now) {
        if (e.connection.state() != TcpState.TIME_WAIT || !synForListener(e.localPort, seg)) return false;
        return e.connection.acceptsNewSyn(seg, now); // when true, its callReturned forgot it
    }

    /** The same for a detached TIME_WAIT record. */
    private boolean reusableTimeWait(TimeWaitTimer t, TcpSegment seg, long now) {
        TimeWaitRecord r = t.record();
        if (r.isReleased() || !synForListener(r.localPort(), seg)) return false;
        if (!r.acceptsNewSyn(seg, now, output)) return false;
        removeRecord(t);
        return true;
    }

    /** A bare SYN to a port with an open listener (which could take a new incarnation). */
    private boolean synForListener(int localPort, TcpSegment seg) {
        if (!seg.has(TcpFlags.SYN) || seg.has(TcpFlags.ACK) || seg.has(TcpFlags.RST)) return false;
        Listener l = listeners[localPort];
        return l != null && !l.isClosed();
    }

    private void adoptChild(Connection child, long now) {
        counters[Counter.PASSIVE_OPENS.ordinal()]++;
        FourTuple t = child.tuple();
        Endpoint e = new Endpoint(child, DemuxTable.key(t.remoteAddress(), t.localPort(), t.remotePort()), t.localPort(),
                Endpoint.PortUse.NONE);
        if (unregisteredKey == e.key) {
            e.sentUpTo = unregisteredSentUpTo;
            e.sentAnything = true;
            unregisteredKey = -1;
        }
        Object old = connections.put(e.key, e);
        recent = e;
        if (old != null && old != e) {
            // Cannot happen when the demux worked; keep the table consistent anyway.
            if (old instanceof Endpoint o) {
                o.removed = true;
                forgetWatch(o);
                timers.cancel(o.timer);
            } else if (old instanceof TimeWaitTimer tw) {
                timers.cancel(tw);
                timeWaitRecords--;
            }
        }
        touch(e);
    }

    // ------------------------------------------------------------------ real-time event loop

    /** Queues a packet (copied by the caller) for the event loop; any thread. */
    public void enqueue(ByteBuffer packet) {
        queue(packet);
    }

    /**
     * As {@link #enqueue(ByteBuffer)}, with the trust in the TCP checksum of
     * {@link #deliver(ByteBuffer, boolean)}.
     */
    public void enqueue(ByteBuffer packet, boolean tcpChecksumTrusted) {
        queue(tcpChecksumTrusted ? new TrustedPacket(packet) : packet);
    }

    /** A queued packet whose TCP checksum is not to be verified (the queue holds these and plain buffers). */
    private record TrustedPacket(ByteBuffer packet) {}

    private void queue(Object packet) {
        inboundQueue.add(packet);
        Thread loop = loopThread;
        if (loop != null) LockSupport.unpark(loop);
    }

    /** True between {@link #start()} and {@link #close()}: the real-time event loop runs. */
    public boolean isRunning() { return running; }

    /**
     * Makes the real-time event loop run an iteration soon (any thread): a link that defers
     * deliveries hands them over this way; the loop's release of the lock delivers them.
     */
    public void wakeLoop() {
        Thread loop = loopThread;
        if (loop != null) LockSupport.unpark(loop);
    }

    /** Starts the real-time event loop (a daemon platform thread named after the host). */
    public synchronized void start() {
        if (running) throw new IllegalStateException(name + " is already running");
        running = true;
        Thread t = Thread.ofPlatform().daemon().name("synack-" + name).unstarted(this::loop);
        loopThread = t;
        t.start();
    }

    /**
     * True when due timers should wait a tick: the link still carries packets from or to this host
     * ({@link PacketTransmitter#isCarrying}), such as an ACK that the thread delivering it has not
     * finished delivering. With caller-runs delivery that thread is not this loop, and a loss probe
     * (PTO = 2 SRTT, microseconds in memory) would otherwise fire whenever the OS deschedules it.
     * Never for longer than {@link #MAX_TIMER_HOLD_NANOS} in a row, so timers always fire.
     */
    private boolean holdTimers(long now) {
        PacketTransmitter link = transmitter;
        boolean hold = link != null && timers.nextDeadlineBound() <= now && link.isCarrying(this)
                && (timersHeldSince == NOT_HELD || now - timersHeldSince < MAX_TIMER_HOLD_NANOS);
        if (!hold) timersHeldSince = NOT_HELD;
        else if (timersHeldSince == NOT_HELD) timersHeldSince = now;
        return hold;
    }

    /** Stops the real-time event loop; connections are left as they are. */
    public synchronized void close() {
        running = false;
        Thread t = loopThread;
        if (t == null) return;
        LockSupport.unpark(t);
        try {
            t.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        loopThread = null;
    }

    private void loop() {
        while (running) {
            long next;
            try {
                next = loopRound();
            } catch (Throwable ex) {
                // Past the round's own catch (a fatal error, or one from the link after the
                // release): the lock is released; report it and go on, never die deaf.
                threadFailed("event loop", ex);
                next = clock.nanos() + TIMER_TICK_NANOS;
            }
            if (!inboundQueue.isEmpty()) continue;
            long park = next == Long.MAX_VALUE ? MAX_LOOP_PARK_NANOS : Math.min(MAX_LOOP_PARK_NANOS, next - clock.nanos());
            if (park > 0) LockSupport.parkNanos(this, park);
        }
    }

    /** One round of the loop: the queued packets, then the due timers. Returns when to wake next. */
    private long loopRound() {
        long next;
        lock.lock();
        try {
            Object p;
            while ((p = inboundQueue.poll()) != null) {
                if (p instanceof TrustedPacket t) processPacket(t.packet(), true);
                else processPacket((ByteBuffer) p, false);
            }
            long now = clockNow();
            if (holdTimers(now)) {
                next = now + TIMER_TICK_NANOS;
            } else {
                expire(now);
                // At or before the earliest deadline (an early wake finds nothing due): the
                // exact one can walk a crowded slot, under the lock everything else needs.
                next = timers.nextDeadlineBound();
            }
            loopWakeAt = next;
        } catch (Throwable ex) {
            rethrowFatal(ex);
            internalError(clock.nanos(), "event loop", ex);
            next = clock.nanos() + TIMER_TICK_NANOS;
        } finally {
            unlock();
        }
        return next;
    }

    // ------------------------------------------------------------------ errors of the stack's threads

    /**
     * The handler every stack created from now on starts with ({@link FatalErrorHandler#PRINT} until
     * set): a program sets it once, as the command line does with {@link FatalErrorHandler#exitProcess},
     * as a program sets Thread's default uncaught exception handler.
     */
    public static void defaultFatalErrorHandler(FatalErrorHandler handler) {
        defaultFatalErrorHandler = Objects.requireNonNull(handler, "handler");
    }

    /** Who is told of a fatal error on a thread of this stack (see {@link FatalErrorHandler}). */
    public void fatalErrorHandler(FatalErrorHandler handler) {
        fatalErrorHandler = Objects.requireNonNull(handler, "handler");
    }

    public FatalErrorHandler fatalErrorHandler() { return fatalErrorHandler; }

    /**
     * A thread working for this stack (its event loop, a link's reader or carrier) caught
     * {@code error} at its top: a fatal one ({@link FatalErrorHandler#isFatal}) goes to the
     * {@link #fatalErrorHandler}, any other is counted as {@link Counter#INTERNAL_ERRORS} and traced.
     * Either way the thread then carries on. Best called holding no lock of the stack.
     */
    public void threadFailed(String where, Throwable error) {
        if (FatalErrorHandler.isFatal(error)) {
            reportFatal(where, error);
            return;
        }
        try {
            boolean took = enter();
            try {
                internalError(clock.nanos(), where, error);
            } finally {
                if (took) lock.unlock(); // only a counter changed: nothing for the watches or the link
            }
        } catch (Throwable again) {
            if (FatalErrorHandler.isFatal(again)) reportFatal(where, again);
        }
    }

    private void reportFatal(String where, Throwable error) {
        try {
            fatalErrorHandler.fatalError(this, where, error);
        } catch (Throwable handlerFailed) {
            // The handler could not do its job (out of memory again, say): the last resort is halting.
            try {
                System.err.println("synack: fatal error in " + where + " of " + name + " (and its handler failed): " + error);
            } finally {
                Runtime.getRuntime().halt(FatalErrorHandler.EXIT_STATUS);
            }
        }
    }

    /** Lets a fatal error through to the thread's own catch ({@link #threadFailed}); the caller handles the rest. */
    private static void rethrowFatal(Throwable error) {
        if (FatalErrorHandler.isFatal(error)) throw (VirtualMachineError) error;
    }

    // ------------------------------------------------------------------ output and traces

    /** A counter's value: the stack's own, or the memory budget's. */
    private long count(Counter c) {
        return switch (c) {
            case TCP_MEMORY_PRESSURES -> memory.memoryPressures();
            case TCP_RCVQ_DROP -> memory.rcvQDrops();
            case TCP_OFO_DROP -> memory.ofoDrops();
            case PRUNE_CALLED -> memory.pruneCalls();
            case OFO_PRUNED -> memory.ofoPruned();
            case TCP_ABORT_ON_MEMORY -> memory.abortsOnMemory();
            default -> counters[c.ordinal()];
        };
    }

    /** The engine's output: every connection and listener of this stack emits through it. */
    private final class Output implements TcpOutput {
        @Override
        public MemoryBudget memoryBudget() { return memory; }

        @Override
        public boolean carriesPayloadWindows() {
            PacketTransmitter link = transmitter;
            return link != null && link.carriesPayloadWindows(NetStack.this);
        }

        @Override
        public void send(int sourceAddress, int destinationAddress, TcpSegment segment, long now) {
            PacketTransmitter link = transmitter;
            // Written straight into the link's own packet when it lends one: one copy of the
            // segment on its way rather than two (into outbound, then into the link). Not while
            // trace listeners run (a listener's own sends in between would take the same packet)
            // or packet taps watch (they need bytes).
            TcpPacket reserved = link != null && traceListeners.isEmpty() && packetTaps.isEmpty()
                    ? link.reserveDecoded(NetStack.this, destinationAddress) : null;
            TcpPacket out = reserved != null ? reserved : outbound;
            boolean handedOver = false;
            try {
                out.sourceAddress(sourceAddress).destinationAddress(destinationAddress).ttl(config.ttl());
                TcpSegment s = out.segment();
                // PacketCodec.encode reads the payload with absolute gets: the window can be shared.
                s.copyFrom(segment);
                counters[Counter.OUT_SEGS.ordinal()]++;
                if (s.has(TcpFlags.RST)) counters[Counter.OUT_RSTS.ordinal()]++;
                noteRetransmission(s, destinationAddress);
                if (!traceListeners.isEmpty()) tracePacket(now, TraceEvent.Direction.SEND, out, null);
                if (link == null) {
                    tracePacket(now, TraceEvent.Direction.DROP, out, "no link attached");
                    return;
                }
                int length = PacketCodec.encodedLength(out); // also refuses what could not be encoded
                if (reserved != null) {
                    handedOver = true;
                    link.transmitReservedDecoded(NetStack.this, reserved);
                    return;
                }
                // Handed over decoded when the link can (no encoding, no copy of a stable payload);
                // packet taps need bytes.
                if (packetTaps.isEmpty() && link.transmitDecoded(NetStack.this, outbound)) return;
                // Straight into the link's own buffer when it lends one (no copy in transmit).
                ByteBuffer buffer = link.reserve(NetStack.this, length);
                ByteBuffer packet = buffer != null ? buffer : transmitBuffer;
                packet.clear();
                // Checksum offload (a link that never alters bytes): the receiver is told not to verify.
                // A packet tap on this stack still sees a complete checksum, so that captures verify.
                PacketCodec.encode(outbound, packet, !link.offloadsTcpChecksums() || !packetTaps.isEmpty());
                packet.flip();
                if (buffer == null) {
                    transmitRaw(now);
                } else {
                    if (!packetTaps.isEmpty()) tap(now, true, buffer);
                    link.transmitReserved(NetStack.this, buffer);
                }
            } catch (Throwable ex) {
                rethrowFatal(ex);
                internalError(now, "sending " + segment, ex);
            } finally {
                // It may lend a connection's send buffer: hold on to none (a packet handed over is
                // the link's, which lets go of it once delivered).
                if (!handedOver) out.segment().payload(null);
            }
        }

        @Override
        public void stateChanged(Connection connection, TcpState from, TcpState to, String cause, long now) {
            countTransition(from, to);
            if (traceListeners.isEmpty()) return;
            emit(new TraceEvent.StateChange(now, name, connection.tuple().toString(), from.name(), to.name(), cause));
        }

        @Override
        public void timerFired(Connection connection, String timer, long now) {
            if (traceListeners.isEmpty()) return;
            emit(new TraceEvent.Timer(now, name, connection.tuple().toString(), timer));
        }

        @Override
        public void timeWaitStateChanged(TimeWaitRecord record, TcpState from, TcpState to, String cause, long now) {
            // No waiter needs waking: a socket still holding the connection waits on nothing that
            // TIME_WAIT -> CLOSED changes (end-of-file, write errors and an empty send buffer were
            // all settled on entering TIME_WAIT); state() follows the record.
            countTransition(from, to);
            if (traceListeners.isEmpty()) return;
            emit(new TraceEvent.StateChange(now, name, record.tuple().toString(), from.name(), to.name(), cause));
        }

        @Override
        public void timeWaitTimerFired(TimeWaitRecord record, String timer, long now) {
            if (traceListeners.isEmpty()) return;
            emit(new TraceEvent.Timer(now, name, record.tuple().toString(), timer));
        }

        @Override
        public void segmentDropped(Connection connection, TcpSegment segment, String reason, long now) {
            if (traceListeners.isEmpty()) return;
            // Dropped segments are inbound ones: they came from the packet being processed.
            int src = processingInbound ? arriving.sourceAddress() : (connection == null ? 0 : connection.tuple().remoteAddress());
            int dst = processingInbound ? arriving.destinationAddress() : address;
            emit(new TraceEvent.Packet(now, name, TraceEvent.Direction.DROP,
                    Ipv4Address.format(src) + ":" + segment.sourcePort(), Ipv4Address.format(dst) + ":" + segment.destinationPort(),
                    TcpFlags.tcpdump(segment.flags()), Integer.toUnsignedLong(segment.seq()), Integer.toUnsignedLong(segment.ack()),
                    segment.payloadLength(), segment.window(), segment.options().toString(), reason));
        }

        @Override
        public void rateLimited(RateLimited what, long now) {
            counters[Counter.of(what).ordinal()]++;
        }

        @Override
        public void listenEvent(ListenEvent what, long now) {
            counters[Counter.of(what).ordinal()]++;
        }

        @Override
        public void callReturned(Connection connection) {
            NetStack.this.callReturned(connection);
        }

        @Override
        public void wakeup(Connection connection) {
            waiter.wakeup(NetStack.this, connection);
            // A child entering or leaving the accept queue names its listener: wake accept() too.
            Listener parent = connection.listener();
            if (parent != null) waiter.wakeup(NetStack.this, parent);
            markWatches(connection);
        }
    }

    /** RetransSegs: a segment carrying sequence space below the highest already sent on its connection. */
    private void noteRetransmission(TcpSegment s, int destinationAddress) {
        int length = s.sequenceLength();
        if (length == 0 || s.has(TcpFlags.RST)) return;
        long key = DemuxTable.key(destinationAddress, s.sourcePort(), s.destinationPort());
        // A TIME_WAIT record sends only bare ACKs (no sequence space): never found here.
        Endpoint r = recent;
        Endpoint e = r != null && r.key == key && !r.removed ? r : connections.get(key) instanceof Endpoint found ? found : null;
        int end = s.seq() + length;
        if (e == null) {
            // A listener's SYN-ACK goes out before its child is registered: remember it for adoptChild.
            unregisteredKey = key;
            unregisteredSentUpTo = end;
            return;
        }
        if (e.sentAnything && Seq.lt(s.seq(), e.sentUpTo)) counters[Counter.RETRANS_SEGS.ordinal()]++;
        if (!e.sentAnything || Seq.gt(end, e.sentUpTo)) {
            e.sentUpTo = end;
            e.sentAnything = true;
        }
    }

    private void countTransition(TcpState from, TcpState to) {
        if (from == TcpState.CLOSED && to == TcpState.SYN_SENT) counters[Counter.ACTIVE_OPENS.ordinal()]++;
        if ((from == TcpState.SYN_SENT || from == TcpState.SYN_RECV) && (to == TcpState.CLOSED || to == TcpState.LISTEN)) {
            counters[Counter.ATTEMPT_FAILS.ordinal()]++;
        }
        boolean wasEstab = from == TcpState.ESTABLISHED || from == TcpState.CLOSE_WAIT;
        boolean isEstab = to == TcpState.ESTABLISHED || to == TcpState.CLOSE_WAIT;
        if (wasEstab && to == TcpState.CLOSED) counters[Counter.ESTAB_RESETS.ordinal()]++;
        if (!wasEstab && isEstab) counters[Counter.CURR_ESTAB.ordinal()]++;
        if (wasEstab && !isEstab) counters[Counter.CURR_ESTAB.ordinal()]--;
    }

    /** Traces a packet the network dropped on its way from this host (host = this stack). */
    public void traceDrop(TcpPacket packet, String reason) {
        if (traceListeners.isEmpty()) return;
        lock.lock();
        try {
            tracePacket(clock.nanos(), TraceEvent.Direction.DROP, packet, reason);
        } finally {
            unlock();
        }
    }

    /** Traces an undecodable packet the network dropped on its way from this host. */
    public void traceDrop(ByteBuffer rawPacket, String reason) {
        if (traceListeners.isEmpty()) return;
        lock.lock();
        try {
            traceUndecodable(clock.nanos(), rawPacket, reason);
        } finally {
            unlock();
        }
    }

    private void tracePacket(long now, TraceEvent.Direction direction, TcpPacket packet, String reason) {
        if (traceListeners.isEmpty()) return;
        TcpSegment s = packet.segment();
        emit(new TraceEvent.Packet(now, name, direction, packet.source(), packet.destination(), TcpFlags.tcpdump(s.flags()),
                Integer.toUnsignedLong(s.seq()), Integer.toUnsignedLong(s.ack()), s.payloadLength(), s.window(),
                s.options().toString(), reason));
    }

    /** What can be read from the raw bytes of a packet that did not decode. */
    private void traceUndecodable(long now, ByteBuffer packet, String reason) {
        if (traceListeners.isEmpty()) return;
        int p = packet.position();
        int n = packet.remaining();
        String src = "?";
        String dst = "?";
        if (n >= 20 && (packet.get(p) & 0xf0) == 0x40) {
            src = Ipv4Address.format(packet.getInt(p + 12));
            dst = Ipv4Address.format(packet.getInt(p + 16));
            int ihl = (packet.get(p) & 0x0f) * 4;
            if (ihl >= 20 && n >= ihl + 4 && packet.get(p + 9) == TcpPacket.PROTOCOL_TCP) {
                src += ":" + (packet.getShort(p + ihl) & 0xffff);
                dst += ":" + (packet.getShort(p + ihl + 2) & 0xffff);
            }
        }
        emit(new TraceEvent.Packet(now, name, TraceEvent.Direction.DROP, src, dst, "?", 0, 0, n, 0, "", reason));
    }

    private void internalError(long now, String where, Throwable ex) {
        counters[Counter.INTERNAL_ERRORS.ordinal()]++;
        if (traceListeners.isEmpty()) return;
        try {
            String what = "internal error in " + where + ": " + ex;
            if (processingInbound && arriving.segment() != null) tracePacket(now, TraceEvent.Direction.DROP, arriving, what);
            else emit(new TraceEvent.Packet(now, name, TraceEvent.Direction.DROP, "?", "?", "?", 0, 0, 0, 0, "", what));
        } catch (Throwable tracingFailed) {
            rethrowFatal(tracingFailed);
            // Tracing the error failed too: the counter still says it happened.
        }
    }

    private void emit(TraceEvent event) {
        for (TraceListener l : traceListeners) {
            try {
                l.onEvent(event);
            } catch (Throwable ex) {
                rethrowFatal(ex);
                counters[Counter.INTERNAL_ERRORS.ordinal()]++;
            }
        }
    }

    @Override
    public String toString() {
        return "NetStack[" + name + " " + Ipv4Address.format(address) + "]";
    }
}
