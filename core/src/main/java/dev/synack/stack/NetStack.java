package dev.synack.stack;

import dev.synack.tcp.Connection;
import dev.synack.tcp.IsnGenerator;
import dev.synack.tcp.Listener;
import dev.synack.tcp.MemoryBudget;
import dev.synack.tcp.FastOpenCache;
import dev.synack.tcp.SynCookies;
import dev.synack.tcp.TcpConfig;
import dev.synack.trace.TraceEvent;
import dev.synack.trace.TraceListener;
import dev.synack.wire.IpAddress;
import dev.synack.wire.Ipv6Address;
import dev.synack.wire.TcpPacket;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * One host's TCP/IP stack: owns its connections and listeners, demultiplexes arriving packets,
 * allocates ephemeral ports, drives the engine's timers, answers unmatched segments with RST.
 * This class is the stack's public face; each job behind it has a class of its own:
 * <ul>
 *   <li>{@link StackLock}: the one lock, its waiting rules and the link's backlog;</li>
 *   <li>{@link Readiness}: the readiness watches of non-blocking sockets;</li>
 *   <li>{@link Connections}: the demux table, listeners, ports, and each connection's life, with
 *       {@link TimeWaitRecords} for connections reduced to their TIME_WAIT record;</li>
 *   <li>{@link Timers}: the timer wheel;</li>
 *   <li>{@link Inbound}: arriving packets; {@link StackOutput}: what the engine emits;</li>
 *   <li>{@link EventLoop}: the real-time loop thread; {@link Diagnostics}: counters, traces, errors.</li>
 * </ul>
 *
 * <h2>Ways to run</h2>
 * In real time, {@link #start()} starts the {@link EventLoop} and blocking calls wait through a
 * {@link ConditionWaiter}; a link may deliver on the caller's thread once it released the lock
 * (caller-runs delivery, dev.synack.link.MemoryLink: see {@link StackLock}). In simulation,
 * dev.synack.link.SimNetwork installs its own waiter with {@link #attach(PacketTransmitter, Waiter)},
 * calls {@link #deliver(ByteBuffer)} and {@link #fireTimers(long)} from its driver in virtual time,
 * and never starts the loop.
 *
 * <h2>Timers by construction</h2>
 * The engine calls {@link dev.synack.tcp.TcpOutput#callReturned} last in every call that can move
 * a connection's timers or state, whoever made the call (a socket, the packet path, the timer
 * wheel), and the stack then reschedules the connection at {@link Connection#nextDeadline()},
 * reduces it to its TIME_WAIT record, or forgets it once {@link Connection#isReleased()}.
 *
 * <h2>Errors and hostile input</h2>
 * See {@link Diagnostics} (no exception escapes, no thread dies) and {@link Inbound} (filters, limits).
 */
public final class NetStack {
    private final String name;
    private final int address;
    /** The IPv4 address as a value (null: none, an IPv6-only host), and the IPv6 one (null: none). */
    private final IpAddress ipv4;
    private volatile IpAddress ipv6;
    private final TcpConfig config;
    private final Clock clock;
    private final IsnGenerator isn;
    /** The cookies of all this stack's listeners (one secret per stack, as Linux has one per host). */
    private final SynCookies synCookies;
    /** The client's TCP Fast Open cookies, per server (RFC 7413 §4.1.3). */
    private final FastOpenCache fastOpenCache = new FastOpenCache();
    /** The bytes all connections buffer and the orphans they leave (guarded by the lock). */
    private final MemoryBudget memory;

    private final Diagnostics diagnostics;
    private final Readiness readiness;
    private final StackLock lock;
    private final EventLoop loop;
    private final Timers timers;
    private final Connections connections;
    private final StackOutput output;
    private final Inbound inbound;
    private final Forwarding forwarding = new Forwarding();
    private final Udp udp = new Udp(this);
    private final Waiter realTimeWaiter;
    /** How blocking calls wait: the real-time one, or a simulation's (guarded by the lock). */
    private Waiter waiter;
    private volatile PacketTransmitter transmitter;
    /** This stack's place among the shards of one host ({@link StackShards}): shard {@code shardIndex} of {@code shardCount}. */
    private int shardIndex;
    private int shardCount = 1;

    /**
     * @param name the host's name in traces
     * @param address its IPv4 address (0: none, for a host given only {@link #ipv6Address(IpAddress)})
     * @param clock where time comes from (system or virtual)
     * @param isn the ISN generator (RFC 6528 in production, seeded in simulations)
     * @param seed seeds the stack's choices (ephemeral ports)
     */
    public NetStack(String name, int address, TcpConfig config, Clock clock, IsnGenerator isn, long seed) {
        this.name = Objects.requireNonNull(name, "name");
        this.address = address;
        this.ipv4 = address == 0 ? null : IpAddress.ipv4(address);
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.isn = Objects.requireNonNull(isn, "isn");
        this.synCookies = isn.synCookies();
        this.memory = new MemoryBudget(config);
        long start = clock.nanos();
        this.diagnostics = new Diagnostics(this, memory);
        this.lock = new StackLock(this);
        this.readiness = new Readiness(diagnostics, clock, lock);
        this.loop = new EventLoop(this);
        this.realTimeWaiter = new ConditionWaiter(lock, loop);
        this.waiter = realTimeWaiter;
        this.timers = new Timers(this, start);
        this.connections = new Connections(this, new Random(seed), timers, readiness);
        this.output = new StackOutput(this, diagnostics, new Random(~seed).nextLong());
        this.inbound = new Inbound(this, diagnostics, connections, start);
    }

    // ---- the parts, for each other

    StackLock stackLock() { return lock; }
    Readiness readiness() { return readiness; }
    Diagnostics diagnostics() { return diagnostics; }
    Connections connections() { return connections; }
    Timers timers() { return timers; }
    StackOutput output() { return output; }
    Inbound inbound() { return inbound; }
    Waiter waiter() { return waiter; }
    PacketTransmitter transmitter() { return transmitter; }
    IsnGenerator isn() { return isn; }
    SynCookies synCookies() { return synCookies; }

    /** The TCP Fast Open cookies this host's clients were given, per server; use under the stack's lock. */
    public FastOpenCache fastOpenCache() { return fastOpenCache; }

    // ---- identity and configuration

    /**
     * Makes this stack shard {@code index} of {@code count} of one host ({@link StackShards} does
     * it, before any connection): its active opens then take only ephemeral ports whose flows
     * {@link FlowShard} gives to it, so that the link, routing each packet by the same hash, brings
     * the answers here.
     */
    void shard(int index, int count) {
        if (count < 1 || index < 0 || index >= count) throw new IllegalArgumentException("shard " + index + " of " + count);
        this.shardIndex = index;
        this.shardCount = count;
    }

    /** This stack's index among its host's shards (0 when it is not sharded). */
    public int shardIndex() { return shardIndex; }

    /** How many shards its host has (1 when it is not sharded). */
    public int shardCount() { return shardCount; }

    /** Whether the flow between the two endpoints is this shard's ({@link FlowShard}). */
    boolean ownsFlow(IpAddress local, int localPort, IpAddress remote, int remotePort) {
        return shardCount == 1 || FlowShard.of(local, localPort, remote, remotePort, shardCount) == shardIndex;
    }

    /** The host's name in traces ("client", "server"). */
    public String name() { return name; }
    /** The host's IPv4 address (0: none). */
    public int address() { return address; }
    /** The host's IPv6 address, or null. */
    public IpAddress ipv6Address() { return ipv6; }

    /** Gives the host a unicast IPv6 address (RFC 8200) beside or instead of its IPv4 one; once, before any traffic. */
    public void ipv6Address(IpAddress address) {
        if (!address.isIpv6() || address.isUnspecified() || Ipv6Address.isMulticast(address.hi())) {
            throw new IllegalArgumentException("not a unicast IPv6 address: " + address);
        }
        if (ipv6 != null) throw new IllegalStateException(name + " already has the IPv6 address " + ipv6);
        ipv6 = address;
    }

    /** This host's address of {@code remote}'s family, or null when it has none. */
    public IpAddress localAddressFor(IpAddress remote) { return remote.isIpv4() ? ipv4 : ipv6; }

    /**
     * Checks that a socket may bind {@code address}: a wildcard or one of this host's addresses.
     *
     * @throws java.net.BindException "Cannot assign requested address" for any other
     */
    public void checkBindable(IpAddress address) throws java.net.BindException {
        if (!address.isUnspecified() && !address.equals(localAddressFor(address))) {
            throw new java.net.BindException("Cannot assign requested address: " + address + " is not " + name + "'s");
        }
    }
    public TcpConfig config() { return config; }
    public Clock clock() { return clock; }

    /**
     * The clock's time. Read by the lock's holder, as the socket layer does for its calls into the
     * engine, it is also the stack's latest time, never earlier than any the engine was given.
     */
    public long now() {
        return lock.isHeldByCurrentThread() ? lock.engineNow() : clock.nanos();
    }

    /**
     * The length of the prefix of this host's subnet (a link that knows it, such as a TUN device,
     * sets it; 0: not known), so that packets from the subnet's broadcast address are dropped as
     * martians (see {@link AddressFilter}).
     */
    public void prefixLength(int bits) { inbound.prefixLength(bits); }

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
            lock.unlock();
        }
    }

    /** Sets tcp_max_orphans: closed connections that may still hold a state at once. */
    public void maxOrphans(int n) {
        lock.lock();
        try {
            memory.maxOrphans(n);
        } finally {
            lock.unlock();
        }
    }

    /** Bytes buffered by this stack's connections now (see {@link MemoryBudget#allocated()}). */
    public long memoryAllocated() {
        lock.lock();
        try {
            return memory.allocated();
        } finally {
            lock.unlock();
        }
    }

    // ---- observers

    /** Every trace event of this stack goes to every listener added here. */
    public void addTraceListener(TraceListener listener) { diagnostics.addTraceListener(listener); }

    /** Every packet this stack receives from or hands to its link goes to every tap added here (pcap). */
    public void addPacketTap(PacketTap tap) { diagnostics.addPacketTap(tap); }

    public void removePacketTap(PacketTap tap) { diagnostics.removePacketTap(tap); }

    /** True when somebody listens to trace events (callers skip building them otherwise). */
    public boolean isTracing() { return diagnostics.isTracing(); }

    /** Whether packet taps watch this stack (a link handing packets over decoded must then give bytes). */
    public boolean hasPacketTaps() { return diagnostics.hasPacketTaps(); }

    /** A snapshot of the counters by TCP-MIB name, in a fixed order. */
    public Map<String, Long> counters() {
        lock.lock();
        try {
            Map<String, Long> out = new LinkedHashMap<>();
            for (Counter c : Counter.values()) out.put(c.mibName(), diagnostics.count(c));
            return out;
        } finally {
            lock.unlock();
        }
    }

    public long counter(Counter c) {
        return locked(() -> diagnostics.count(c));
    }

    /** What {@code ss -tanoi} and {@code nstat} would show of this stack now (see {@link StackSnapshot}). */
    public StackSnapshot snapshot() {
        boolean took = lock.enter();
        try {
            return StackSnapshot.take(this, connections, diagnostics, lock.engineNow());
        } finally {
            if (took) lock.unlockQuietly();
        }
    }

    /** Connections the stack still tracks (in any state, TIME_WAIT included). */
    public int connectionCount() {
        return (int) locked(connections::size);
    }

    /** How many of {@link #connectionCount()} are compact TIME_WAIT records (see {@link TimeWaitRecords}). */
    public int timeWaitRecordCount() {
        return (int) locked(connections::timeWaitRecordCount);
    }

    /** An action on the stack's state (a trace when tracing), made under its lock. */
    private void locked(Runnable action) {
        lock.lock();
        try {
            action.run();
        } finally {
            lock.unlock();
        }
    }

    /** A query of the stack's state, made under its lock. */
    private long locked(LongSupplier query) {
        lock.lock();
        try {
            return query.getAsLong();
        } finally {
            lock.unlock();
        }
    }

    /** Reports a user call and its result as a {@link TraceEvent.Call}. */
    public void traceCall(String connection, String call, String result) {
        diagnostics.call(connection, call, result);
    }

    /** Traces a packet the network dropped on its way from this host (host = this stack). */
    public void traceDrop(TcpPacket packet, String reason) {
        if (diagnostics.isTracing()) locked(() -> diagnostics.packet(clock.nanos(), TraceEvent.Direction.DROP, packet, reason));
    }

    /** Traces an undecodable packet the network dropped on its way from this host. */
    public void traceDrop(ByteBuffer rawPacket, String reason) {
        if (diagnostics.isTracing()) locked(() -> diagnostics.undecodable(clock.nanos(), rawPacket, reason));
    }

    // ---- the link

    /** Whether this stack sends through {@code link} (the transmitter it was last attached to). */
    @SuppressWarnings("ReferenceEquality") // the same link object, whatever its equals says
    public boolean isAttachedTo(PacketTransmitter link) { return transmitter == link; }

    /** Connects the stack to a link, and (simulation) replaces the real-time waiter. */
    public void attach(PacketTransmitter transmitter, Waiter waiter) {
        lock.lock();
        try {
            this.transmitter = Objects.requireNonNull(transmitter, "transmitter");
            this.waiter = waiter == null ? realTimeWaiter : waiter;
        } finally {
            lock.unlock();
        }
    }

    // ---- the lock and waiting (rules: StackLock)

    /** Takes the stack's lock: the socket layer wraps each user call in lock()/unlock(). */
    public void lock() { lock.lock(); }

    /** Releases one hold of the stack's lock (see {@link StackLock#unlock()}: the outermost runs watches and tells the link). */
    public void unlock() { lock.unlock(); }

    /** How many times the current thread holds the lock (a waiter releases all of them). */
    public int lockHoldCount() { return lock.holdCount(); }

    /** See {@link StackLock#tryLock()}: for a link that leaves packets to the lock's holder. */
    public boolean tryLock() { return lock.tryLock(); }

    /** Whether some thread holds the lock (a snapshot). */
    public boolean isLocked() { return lock.isLocked(); }

    /** See {@link StackLock#hasWaitingCalls()}. */
    public boolean hasWaitingCalls() { return lock.hasWaitingCalls(); }

    /**
     * Blocks (lock held) until {@code ready} holds or the clock reaches {@code deadlineNanos} (see
     * {@link StackLock#awaitUntil}); {@code key}: the Connection or Listener {@code ready} looks at.
     */
    public boolean awaitUntil(Object key, BooleanSupplier ready, long deadlineNanos) throws InterruptedIOException {
        return lock.awaitUntil(key, ready, deadlineNanos);
    }

    /** {@link #awaitUntil(Object, BooleanSupplier, long)} woken by every change. */
    public boolean awaitUntil(BooleanSupplier ready, long deadlineNanos) throws InterruptedIOException {
        return lock.awaitUntil(null, ready, deadlineNanos);
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
        boolean took = lock.enter();
        try {
            waiter.wakeup(this, null);
        } finally {
            if (took) lock.unlock();
        }
    }

    // ---- readiness watches (non-blocking sockets; see Readiness)

    /**
     * Watches {@code connection} with {@code watch} (null: stops watching): every change the engine
     * reports on it marks the watch ready, and it runs once soon in any case. A connection the stack
     * no longer tracks (released, or reduced to its TIME_WAIT record) reports no more changes.
     */
    public void watch(Connection connection, ReadinessWatch watch) {
        boolean took = lock.enter();
        try {
            readiness.watch(connections.endpointOf(connection), watch);
        } finally {
            if (took) lock.unlock();
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
            readiness.watch(listener, watch);
        } finally {
            lock.unlock();
        }
    }

    /**
     * True when the calling thread is running readiness watches (a socket handler, of this stack or
     * of any other): socket calls that could wait refuse to.
     */
    public boolean isRunningReadinessWatches() {
        return HandlerThread.isRunningHandlers();
    }

    // ---- ports and user operations

    /**
     * Binds {@code port} for a socket (0: an ephemeral port from the configured range).
     * Returns the port.
     *
     * @throws java.net.BindException "Address already in use" when somebody uses the port
     */
    public int bind(int port) throws IOException {
        lock.lock();
        try {
            return connections.bind(port);
        } finally {
            lock.unlock();
        }
    }

    /** Releases a binding taken with {@link #bind(int)} that no connection took over. */
    public void unbind(int port) {
        lock.lock();
        try {
            connections.unbind(port);
        } finally {
            lock.unlock();
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
        return connect(boundPort, IpAddress.ipv4(remoteAddress), remotePort, null);
    }

    /**
     * {@link #connect(int, int, int)} to an address of either family, from this host's address of
     * that family ("Network is unreachable" without one), with {@code beforeSyn} (if not null) run
     * on the new connection before its SYN leaves: the options that shape the SYN (TCP_MAXSEG).
     */
    public Connection connect(int boundPort, IpAddress remoteAddress, int remotePort, Consumer<Connection> beforeSyn)
            throws IOException {
        boolean took = lock.enter();
        try {
            return connections.connect(boundPort, remoteAddress, remotePort, beforeSyn, lock.engineNow());
        } finally {
            if (took) lock.unlock();
        }
    }

    /** Starts listening on {@code port}, which the caller has bound, for both families. */
    public Listener listen(int port, int backlog) throws IOException {
        return listen(port, backlog, null, false);
    }

    /**
     * Starts listening on {@code port} for what {@code bound} takes: null (the host's addresses) or
     * the IPv6 wildcard {@code ::} both families (IPv4 peers seen as IPv4-mapped by a dual-stack
     * socket) unless {@code ipv6Only} (IPV6_V6ONLY), an IPv4 address only IPv4, a specific IPv6
     * address only IPv6.
     */
    public Listener listen(int port, int backlog, IpAddress bound, boolean ipv6Only) throws IOException {
        if (bound != null) checkBindable(bound);
        IpAddress shown = bound != null ? bound : ipv4 != null ? ipv4 : ipv6;
        lock.lock();
        try {
            return connections.listen(port, backlog, shown, Connections.families(bound, ipv6Only));
        } finally {
            lock.unlock();
        }
    }

    /** The stack's UDP: bound ports and forwarded flows (see {@link Udp}). */
    public Udp udp() { return udp; }

    /** Which destinations besides its own this stack takes in, and the filter on their SYNs (see {@link Forwarding}). */
    public Forwarding forwarding() { return forwarding; }

    /**
     * Listens for connections to every forwarded destination ({@link Forwarding}); {@link #closeListener} stops it.
     *
     * @throws java.net.SocketException when such a listener is open already
     */
    public Listener listenForwarded(int backlog) throws IOException {
        lock.lock();
        try {
            return connections.listenForwarded(backlog);
        } finally {
            lock.unlock();
        }
    }

    /** Stops {@code listener}: resets its queued connections and releases its port. */
    public void closeListener(Listener listener) {
        lock.lock();
        try {
            connections.closeListener(listener, lock.engineNow());
        } finally {
            lock.unlock();
        }
    }

    // ---- timers (simulation drivers and tests; the event loop fires them in real time)

    /** The earliest timer deadline of any connection, or {@link Long#MAX_VALUE}. */
    public long nextTimerDeadline() {
        lock.lock();
        try {
            return timers.nextDeadline();
        } finally {
            lock.unlock();
        }
    }

    /** Fires every connection timer due at {@code now}; returns how many connections were due. */
    public int fireTimers(long now) {
        lock.lock();
        try {
            lock.engineTimeAtLeast(now);
            return connections.fireTimers(now);
        } finally {
            lock.unlock();
        }
    }

    // ---- inbound packets

    /**
     * Processes one IP packet now, on the calling thread (simulation drivers and tests). The
     * buffer's bytes must stay unchanged during the call; its position is not moved.
     */
    public void deliver(ByteBuffer packet) { deliver(packet, false); }

    /**
     * As {@link #deliver(ByteBuffer)}; with {@code tcpChecksumTrusted} the TCP checksum is not
     * verified: only for a link that carried the packet unaltered from a stack that sent it through
     * a {@link PacketTransmitter#offloadsTcpChecksums() checksum-offloading} transmitter.
     */
    public void deliver(ByteBuffer packet, boolean tcpChecksumTrusted) {
        lock.lock();
        try {
            inbound.packet(packet, tcpChecksumTrusted, lock.engineNow());
        } finally {
            lock.unlock();
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
        boolean took = lock.enter();
        try {
            inbound.decoded(packet, lock.engineNow());
        } finally {
            if (took) lock.unlock();
        }
    }

    /**
     * As {@link #deliverDecoded(TcpPacket)}, at a time {@code carriedNanos} of this stack's clock the
     * caller read before it took the lock, once for many packets (a clock read costs a tenth of a
     * small packet's processing). The engine gets the later of it and the stack's latest time; an RTT
     * sample may come out short by microseconds, far below the 200 ms minimum RTO (RFC 6298 §2.4).
     */
    public void deliverDecoded(TcpPacket packet, long carriedNanos) {
        boolean took = lock.enter();
        try {
            inbound.decoded(packet, lock.engineTimeAtLeast(carriedNanos));
        } finally {
            if (took) lock.unlock();
        }
    }

    // ---- the real-time event loop

    /** Queues a packet (copied by the caller) for the event loop; any thread. */
    public void enqueue(ByteBuffer packet) { loop.enqueue(packet, false); }

    /**
     * As {@link #enqueue(ByteBuffer)}, with the trust in the TCP checksum of
     * {@link #deliver(ByteBuffer, boolean)}.
     */
    public void enqueue(ByteBuffer packet, boolean tcpChecksumTrusted) { loop.enqueue(packet, tcpChecksumTrusted); }

    /**
     * Processes {@code packet} on the calling thread (a link's reader) when the lock is free, after
     * any packets queued before it; false when another thread holds the lock, and the caller
     * {@link #enqueue(ByteBuffer, boolean) queues} it instead. The release sends what it caused and
     * runs the readiness handlers it made due, here.
     */
    public boolean processIfFree(ByteBuffer packet, boolean tcpChecksumTrusted) { return loop.processIfFree(packet, tcpChecksumTrusted); }

    /**
     * {@link #processIfFree(ByteBuffer, boolean)} for {@code packets[from..to)}, in order, under one
     * hold of the lock: what they cause is sent, and the handlers they make due run, once after all.
     */
    public boolean processIfFree(ByteBuffer[] packets, int from, int to, boolean tcpChecksumTrusted) {
        return loop.processIfFree(packets, from, to, tcpChecksumTrusted);
    }

    /** True between {@link #start()} and {@link #close()}: the real-time event loop runs. */
    public boolean isRunning() { return loop.isRunning(); }

    /**
     * Makes the real-time event loop run an iteration soon (any thread): a link that defers
     * deliveries hands them over this way; the loop's release of the lock delivers them.
     */
    public void wakeLoop() { loop.wake(); }

    /** Starts the real-time event loop (a daemon platform thread named after the host). */
    public void start() { loop.start(); }

    /** Stops the real-time event loop; connections are left as they are. */
    public void close() { loop.close(); }

    // ---- errors of the stack's threads

    /**
     * The handler every stack created from now on starts with ({@link FatalErrorHandler#PRINT} until
     * set): a program sets it once, as the command line does with {@link FatalErrorHandler#exitProcess},
     * as a program sets Thread's default uncaught exception handler.
     */
    public static void defaultFatalErrorHandler(FatalErrorHandler handler) {
        Diagnostics.defaultFatalErrorHandler = Objects.requireNonNull(handler, "handler");
    }

    /** Who is told of a fatal error on a thread of this stack (see {@link FatalErrorHandler}). */
    public void fatalErrorHandler(FatalErrorHandler handler) { diagnostics.fatalErrorHandler(handler); }

    public FatalErrorHandler fatalErrorHandler() { return diagnostics.fatalErrorHandler(); }

    /**
     * A thread working for this stack (its event loop, a link's reader or carrier) caught
     * {@code error} at its top: a fatal one ({@link FatalErrorHandler#isFatal}) goes to the
     * {@link #fatalErrorHandler}, any other is counted as {@link Counter#INTERNAL_ERRORS} and traced.
     * Either way the thread then carries on. Best called holding no lock of the stack.
     */
    public void threadFailed(String where, Throwable error) {
        if (FatalErrorHandler.isFatal(error)) {
            diagnostics.reportFatal(where, error);
            return;
        }
        try {
            boolean took = lock.enter();
            try {
                diagnostics.internalError(clock.nanos(), where, error);
            } finally {
                if (took) lock.unlockQuietly(); // only a counter changed: nothing for the watches or the link
            }
        } catch (Throwable again) {
            if (FatalErrorHandler.isFatal(again)) diagnostics.reportFatal(where, again);
        }
    }

    @Override
    public String toString() {
        return "NetStack[" + name + (ipv4 != null ? " " + ipv4 : "") + (ipv6 != null ? " " + ipv6 : "") + "]";
    }
}
