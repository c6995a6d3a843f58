package dev.synack.link;

import dev.synack.stack.Clock;
import dev.synack.stack.FatalErrorHandler;
import dev.synack.stack.FlowShard;
import dev.synack.stack.NetStack;
import dev.synack.stack.StackShards;
import dev.synack.tcp.Rfc6528IsnGenerator;
import dev.synack.tcp.TcpConfig;
import dev.synack.wire.TcpPacket;
import dev.synack.wire.TcpSegment;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real-time link between stacks in the same JVM, without delay or loss. Each host's stack runs
 * its own real-time event loop (started by {@link #addHost}, stopped by {@link #close()}) for its
 * timers; sockets on them block in real time and can be used from any thread, virtual threads
 * included.
 *
 * <h2>Caller-runs delivery</h2>
 * Handing every packet to the destination's event-loop thread costs a thread handoff (unpark, run,
 * signal the socket's thread) per packet: about eight for a short request/reply connection, each
 * several microseconds. Instead the thread that made a stack send delivers the packet itself:
 * <ol>
 *   <li>the sending stack encodes the packet straight into the next slot of its host's
 *       <em>outbox</em>, a FIFO of reusable buffers ({@link #reserve}, {@link #transmitReserved},
 *       with the sender's lock held); a packet offered through {@link #transmit} instead (ICMP, a
 *       wrapper's delayed packet) is copied into a slot;</li>
 *   <li>when that thread releases its outermost hold of the sender's lock
 *       ({@link #lockReleased}, called by {@link NetStack#unlock()} and before a blocking wait), it
 *       becomes the outbox's only drainer and {@link NetStack#deliver delivers} each packet into
 *       its destination: it takes that stack's lock, which processes the packet and may put replies
 *       into that stack's outbox, which the same thread drains in turn (taking turns of
 *       {@link #QUANTUM} packets between outboxes), until every outbox is empty or its budget is
 *       spent.</li>
 * </ol>
 * A thread that finds a destination's lock held by another thread does not wait for it: it stops
 * draining that outbox there and leaves the packets to the holder, whose release of the lock
 * ({@link NetStack#unlock()}, which calls {@link #lockReleased}) delivers them, as Linux leaves a
 * segment in the backlog of a socket that a user call owns and processes it at release_sock(). Not
 * while a call waits on that host ({@link NetStack#hasWaitingCalls}): a waiting call's Condition
 * releases the lock without telling the link, so the thread then waits for the lock.
 * The event loops keep the timers. A loop holds back due timers for a moment while the link still
 * carries packets from or to its host ({@link #isCarrying}): with microsecond round trips a loss
 * probe is due 2 SRTT after a send, and it would fire, spuriously, whenever the OS deschedules the
 * thread that is carrying the ACK.
 *
 * <p>Why this is safe:
 * <ul>
 *   <li>No thread holds two stacks' locks: a drain starts only once the thread holds no lock of
 *       any host of this link (otherwise it leaves the packets to the loops), and holds only the
 *       destination's lock while delivering. Nobody ever waits for a drainer: a thread finding an
 *       outbox already drained by another just leaves its packets to it.</li>
 *   <li>No engine is re-entered during its own processing: a delivery runs after the sender's
 *       processing ended; the packets a delivery causes wait in an outbox until it returns.</li>
 *   <li>Order per path: one outbox per sending host, filled under its lock, emptied in FIFO order
 *       by one drainer at a time. (An outbox per thread would not do: a user thread, the loop's
 *       timers and a thread delivering an ACK all send on the same connection, and their outboxes
 *       would overtake each other.)</li>
 *   <li>It terminates and is fair: one drain delivers at most {@link #DRAIN_BUDGET} packets (a
 *       bulk writer's thread would otherwise move data and ACKs until its send buffer is empty, or
 *       for ever while other threads keep writing), then wakes the event loops of the hosts whose
 *       outbox is not empty, which go on draining.</li>
 *   <li>An exception thrown while a packet is processed never reaches the thread that delivers it
 *       (a user call of another socket, possibly on another stack): {@link NetStack} catches the
 *       engine's errors itself, and anything else is caught here, counted in
 *       {@link #deliveryErrors()} and traced as a drop on the destination.</li>
 * </ul>
 * A packet to or from a host whose event loop is stopped (its stack or the link was closed) is
 * dropped and traced. An outbox grows (never shrinks) to the most packets ever waiting in it, each
 * slot keeping its buffer for reuse: no allocation per packet once warm.
 *
 * <p><b>Checksum offload</b> (on by default): bytes never change in memory, so, as on the kernel's
 * loopback device, a stack sending through this link leaves the TCP checksum uncomputed (zero) and the
 * receiving stack is told not to verify it. Only packets handed to this link directly by a stack
 * attached to it are trusted: a stack that sends through a wrapper such as {@link FaultyLink} (which
 * may corrupt bytes) computes its checksums and its packets are verified. A capture on the sending
 * stack (a packet tap) sees complete checksums; one on the receiving stack sees zero, as a capture on
 * the kernel's loopback shows unfinished ones. {@code new MemoryLink(false)} computes and verifies
 * every checksum.
 *
 * <p><b>Decoded delivery</b>: with checksum offload, a stack with no packet taps hands its TCP packets
 * over decoded ({@link #transmitDecoded}): the outbox slot keeps a copy of the header fields and
 * options, and the payload window itself when the sender declared it
 * {@link TcpSegment#payloadStable() stable} (a window into a connection's send buffer, whose
 * bytes stay as they are for as long as the receiver may read them: see Connection.attachPayload),
 * else a copy of the bytes in the slot's buffer. The destination processes it through
 * {@link NetStack#deliverDecoded}: no encoding, no decoding, and no copy on the way: a receiving
 * connection takes such a stable in-order payload over by reference (the engine's ReceiveQueue keeps
 * a range of the sender's send buffer, pinned until its reader has copied it out, and the sender writes
 * around it), so the writer and the reader each copy the bytes once, as on the kernel's loopback,
 * which hands the sender's buffers to the receiving socket.
 * Packets go as bytes when the destination has packet taps (a capture then sees exactly what was
 * sent: a late duplicate's window may by then show newer bytes, which the receiver never reads but a
 * capture would; a tap added while a packet is on its way sees it encoded by the receiver), and
 * always for ICMP. Decoded and encoded packets share the one outbox, in order.
 */
public final class MemoryLink implements Link, AutoCloseable {
    /**
     * Packets one drain delivers at most before the event loops take over: a whole request/reply
     * exchange (a dozen packets) several times over. On a bulk stream the loops of both hosts then
     * share the work with the writer, one outbox each, in parallel: measured at MTU 1500 on two
     * cores, about a fifth more throughput than with a budget of 256 or more, where the writer's
     * thread alone moved data and ACKs. It also bounds how long a thread carries other
     * connections' packets before it returns to its own call.
     */
    static final int DRAIN_BUDGET = 64;
    /**
     * Packets delivered from one outbox in a row, under one hold of the destination's lock when
     * they go to the same host, before the drain looks at the other outboxes: saves lock round
     * trips on a bulk stream (one packet per hold cost about a quarter more CPU per byte at MTU
     * 1500).
     */
    static final int QUANTUM = 64;

    /** Attached hosts, replaced whole when one is added (rare); scanned by address. */
    private volatile Host[] hosts = new Host[0];
    private final AtomicLong deliveryErrors = new AtomicLong();
    /** Times a drain left packets to the holder of their destination's lock (see {@link #lockForDelivery}). */
    private final AtomicLong leftForLockHolders = new AtomicLong();
    /** Decoded packets whose payload was not stable, so was copied into the outbox slot. */
    private final AtomicLong decodedPayloadCopies = new AtomicLong();
    private final boolean checksumOffload;
    /** Every host's clock: a drain reads it once and hands the time to each decoded delivery. */
    private final Clock clock = Clock.system();

    /** A link with checksum offload. */
    public MemoryLink() {
        this(true);
    }

    /** A link with or without checksum offload (see the class comment). */
    public MemoryLink(boolean checksumOffload) {
        this.checksumOffload = checksumOffload;
    }

    @Override
    public boolean offloadsTcpChecksums() {
        return checksumOffload;
    }

    /** One attached stack and the outbox of the packets it sent and nobody delivered yet. */
    static final class Host {
        final HostAddresses address;
        final NetStack stack;
        final Outbox outbox = new Outbox();
        /** Packets to this host waiting in some outbox (for {@link #isCarrying}). */
        final AtomicInteger incoming = new AtomicInteger();
        /** The thread draining {@link #outbox}, or null: at most one at a time keeps the order. */
        final AtomicReference<Thread> drainer = new AtomicReference<>();
        /**
         * Where the last drain of {@link #outbox} stopped because another thread held that host's
         * lock, leaving the rest to it (null: it did not). Written and read by the drainer only.
         */
        Host leftFor;
        /** The shards of this host's address, this one among them (null: the host is not sharded). */
        Host[] shards;
        /** Its index among {@link #shards}. */
        int shardIndex;

        /**
         * Whether a drain started for a shard of index {@code group} (-1: not a shard) carries this
         * host's packets: those of its own index and of hosts that are not sharded. A flow stays
         * between shards of one index, so two threads releasing shards of two indexes drain
         * outboxes of their own, side by side.
         */
        boolean drainedWith(int group) {
            return group < 0 || shards == null || shardIndex == group;
        }

        Host(HostAddresses address, NetStack stack) {
            this.address = address;
            this.stack = stack;
        }

        /** The host of the flow of {@code packet}'s bytes: this one, or its flow's shard. */
        Host route(ByteBuffer packet) {
            return shards == null ? this : shards[FlowShard.of(packet, shards.length)];
        }

        /** The host of {@code packet}'s flow: this one, or its flow's shard. */
        Host route(TcpPacket packet) {
            if (shards == null) return this;
            TcpSegment s = packet.segment();
            return shards[FlowShard.of(packet.sourceHi(), packet.sourceLo(), s.sourcePort(),
                    packet.destinationHi(), packet.destinationLo(), s.destinationPort(), shards.length)];
        }
    }

    @Override
    public synchronized NetStack addHost(String name, String addresses, TcpConfig config) {
        HostAddresses address = HostAddresses.parse(addresses);
        NetStack stack = newStack(name, address, Objects.requireNonNull(config));
        attach(new Host(address, stack));
        stack.start();
        return stack;
    }

    /**
     * A host split into {@code count} shards ({@link StackShards}): as many stacks at the same
     * addresses, each with its own lock and event loop; every packet to the host goes to the shard
     * of its flow ({@link FlowShard}; packets other than TCP to shard 0). Two sharded hosts with
     * the same count exchange each connection's packets between the same two shard indexes.
     */
    public synchronized StackShards addShardedHost(String name, String addresses, TcpConfig config, int count) {
        if (count < 1) throw new IllegalArgumentException("a host needs at least one shard: " + count);
        HostAddresses address = HostAddresses.parse(addresses);
        Host[] group = new Host[count];
        List<NetStack> stacks = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            NetStack stack = newStack(name + "#" + i, address, Objects.requireNonNull(config));
            group[i] = new Host(address, stack);
            group[i].shards = group;
            group[i].shardIndex = i;
            stacks.add(stack);
        }
        StackShards shards = new StackShards(stacks);
        ensureFree(address, addresses);
        for (Host h : group) attach(h);
        for (NetStack s : stacks) s.start();
        return shards;
    }

    private NetStack newStack(String name, HostAddresses address, TcpConfig config) {
        NetStack stack = new NetStack(name, address.stackAddress(), config, clock, Rfc6528IsnGenerator.withRandomKey(),
                System.nanoTime());
        address.applyTo(stack);
        return stack;
    }

    private void ensureFree(HostAddresses address, String text) {
        for (Host h : hosts) {
            if ((address.ipv4() != 0 && h.address.ipv4() == address.ipv4())
                    || (address.ipv6() != null && address.ipv6().equals(h.address.ipv6()))) {
                throw new IllegalArgumentException("address " + text + " is already attached");
            }
        }
    }

    /** Adds {@code h} to the hosts (its address checked free, unless it is a shard of one being added). */
    private void attach(Host h) {
        if (h.shards == null) ensureFree(h.address, h.address.toString());
        h.stack.attach(this, null);
        Host[] grown = Arrays.copyOf(hosts, hosts.length + 1);
        grown[grown.length - 1] = h;
        hosts = grown;
    }

    /** The host at the address {@link dev.synack.wire.IpAddress} holds as {@code hi}, {@code lo}, or null. */
    private Host find(long hi, long lo) {
        for (Host h : hosts) if (h.address.has(hi, lo)) return h;
        return null;
    }

    /** The host the packet's bytes are addressed to (its flow's shard of it), or null. */
    private Host find(ByteBuffer packet) {
        for (Host h : hosts) if (h.address.isDestinationOf(packet)) return h.route(packet);
        return null;
    }

    private Host hostOf(NetStack stack) {
        for (Host h : hosts) if (h.stack == stack) return h;
        return null;
    }

    @Override
    public void transmit(NetStack from, ByteBuffer packet) {
        Host source = hostOf(from);
        if (source == null) {
            transmitFromStranger(from, packet);
            return;
        }
        if (!from.isRunning()) {
            from.traceDrop(packet.asReadOnlyBuffer(), "host stopped");
            return;
        }
        if (from.lockHoldCount() == 0) {
            // A sender not holding its stack's lock (a wrapper's delayed packet, sent from its own
            // thread): the outbox has one producer at a time, the lock's holder, so take it. Its
            // release delivers (through the wrapper, which passes it on); should the stack's
            // transmitter not pass it on, deliver here anyway: nothing else would.
            from.lock();
            try {
                queue(source, from, packet);
            } finally {
                from.unlock();
            }
            lockReleased(from);
            return;
        }
        queue(source, from, packet);
    }

    private void queue(Host source, NetStack from, ByteBuffer packet) {
        Host to = find(packet);
        if (to != null) to.incoming.incrementAndGet();
        // Trusted only when the sender handed it here itself: nothing between could have changed it.
        source.outbox.add(packet, checksumOffload && from.isAttachedTo(this), to);
    }

    /**
     * The next outbox slot of {@code from}'s host, for the stack to encode its packet into (no copy
     * then). Null (the stack encodes into its own buffer and calls {@link #transmit}) for a stack
     * this link did not create or a stopped one, which {@link #transmit} handles.
     */
    @Override
    public ByteBuffer reserve(NetStack from, int length) {
        Host source = hostOf(from);
        if (source == null || !from.isRunning()) return null;
        return source.outbox.reserve(length);
    }

    @Override
    public void transmitReserved(NetStack from, ByteBuffer packet) {
        Host source = hostOf(from);
        if (source == null) throw new IllegalStateException(from.name() + " reserved no buffer on this link");
        Host to = find(packet);
        if (to != null) to.incoming.incrementAndGet();
        source.outbox.commitReserved(packet, checksumOffload && from.isAttachedTo(this), to);
        if (from.lockHoldCount() == 0) lockReleased(from);
    }

    /**
     * Queues {@code packet} decoded in {@code from}'s outbox (see the class comment). False (the
     * stack sends bytes) for a link without checksum offload (bytes and checksums are its point), a
     * stack this link did not create or that is stopped, or a destination with packet taps.
     */
    @Override
    public boolean transmitDecoded(NetStack from, TcpPacket packet) {
        TcpPacket slot = reserveDecoded(from, packet.destinationHi(), packet.destinationLo());
        if (slot == null) return false;
        transmitReservedDecoded(from, slot.copyFrom(packet));
        return true;
    }

    /**
     * The next outbox slot's packet of {@code from}'s host, for the stack to write its packet into
     * (no copy of it here then); null whenever {@link #transmitDecoded} would refuse the packet.
     * The slot remembers the destination host, found once here for the whole way.
     */
    @Override
    public TcpPacket reserveDecoded(NetStack from, long destinationHi, long destinationLo) {
        Host source = decodedSource(from);
        if (source == null || !from.isRunning()) return null;
        Host to = find(destinationHi, destinationLo);
        if (to != null && to.stack.hasPacketTaps()) return null;
        return source.outbox.reserveDecoded(to);
    }

    @Override
    public void transmitReservedDecoded(NetStack from, TcpPacket packet) {
        Host source = hostOf(from);
        if (source == null) throw new IllegalStateException(from.name() + " reserved no packet on this link");
        Host to = source.outbox.reservedDestination();
        if (to == null || !to.address.has(packet.destinationHi(), packet.destinationLo())) {
            to = find(packet.destinationHi(), packet.destinationLo());
        }
        if (to != null) to = to.route(packet);
        if (to != null) to.incoming.incrementAndGet();
        if (source.outbox.commitDecoded(packet, to)) decodedPayloadCopies.incrementAndGet();
        if (from.lockHoldCount() == 0) lockReleased(from);
    }

    /**
     * A stack attached by hand ({@link NetStack#attach}) rather than created by {@link #addHost}
     * has no outbox: its packet is copied and queued on the destination's event loop.
     */
    private void transmitFromStranger(NetStack from, ByteBuffer packet) {
        Host to = find(packet);
        if (to == null) {
            from.traceDrop(packet.asReadOnlyBuffer(), "no host at " + HostAddresses.destinationText(packet));
            return;
        }
        ByteBuffer copy = ByteBuffer.allocate(packet.remaining());
        copy.put(0, packet, packet.position(), packet.remaining());
        to.stack.enqueue(copy, checksumOffload && from.isAttachedTo(this));
    }

    /** Decoded delivery carries stable payload windows as they are: see the class comment. */
    @Override
    public boolean carriesPayloadWindows(NetStack from) {
        return decodedSource(from) != null;
    }

    /**
     * {@code from}'s host when its TCP packets may go decoded (checksum offload on, and a stack this
     * link created and attached itself); null otherwise.
     */
    private Host decodedSource(NetStack from) {
        return checksumOffload && from.isAttachedTo(this) ? hostOf(from) : null;
    }

    @Override
    public boolean isCarrying(NetStack stack) {
        Host h = hostOf(stack);
        return h != null && (!h.outbox.isEmpty() || h.incoming.get() > 0);
    }

    /**
     * Whether any outbox holds packets that no thread is delivering: {@code from}'s own, and those a
     * drain left for the holder of {@code from}'s lock (see {@link #drain}).
     */
    @Override
    public boolean hasDeferred(NetStack from) {
        for (Host h : hosts) if (!h.outbox.isEmpty() && h.drainer.get() == null) return true;
        return false;
    }

    /**
     * Delivers what the outboxes hold, on the calling thread (see the class comment). Never
     * throws: the caller is a user call that has finished its own work.
     */
    @Override
    public void lockReleased(NetStack from) {
        Host[] all = hosts;
        // Nothing waiting (this thread sees its own packets): nothing to do.
        if (!anyPending(all)) return;
        // Orders the packets this thread queued (published with release stores only) before its
        // look at the drainers below: a drainer that has just finished then either sees them or
        // has already let go of its outbox, which this thread then takes.
        VarHandle.fullFence();
        Thread me = Thread.currentThread();
        for (Host h : all) {
            // Called again from inside a delivery of ours (the destination's unlock): the
            // enclosing drain picks up whatever that delivery sent.
            if (h.drainer.get() == me) return;
        }
        for (Host h : all) {
            if (h.stack.lockHoldCount() > 0) {
                // Still inside some stack's critical section (e.g. a trace listener using a
                // socket of another stack): delivering here could take two locks at once.
                wakeLoops(all);
                return;
            }
        }
        Host source = hostOf(from);
        int group = source == null || source.shards == null ? -1 : source.shardIndex;
        // One clock read for the whole drain, rather than one per packet: each destination raises
        // it to its own latest time (NetStack.deliverDecoded(TcpPacket, long)).
        long carried = clock.nanos();
        int budget = DRAIN_BUDGET;
        boolean again = true;
        while (again && budget > 0) {
            again = false;
            for (Host h : all) {
                if (h.outbox.isEmpty() || !h.drainedWith(group) || !h.drainer.compareAndSet(null, me)) continue;
                Host leftFor;
                try {
                    budget -= drain(h, Math.min(budget, QUANTUM), carried);
                } finally {
                    leftFor = h.leftFor;
                    if (leftFor != null) h.leftFor = null; // no write otherwise: every thread reads this object
                    h.drainer.set(null);
                }
                if (leftFor != null) {
                    // Left for the holder of leftFor's lock. Ordered after letting go of the outbox:
                    // if the lock is still held, its holder's release, or the look at the link of a
                    // call that starts waiting after this look (NetStack.hasWaitingCalls), finds
                    // the packets; otherwise deliver them here after all.
                    VarHandle.fullFence();
                    if (leftFor.stack.isLocked() && !leftFor.stack.hasWaitingCalls()) continue;
                }
                // A packet added after our last look found us draining and left it to us: look again.
                again = true;
                if (budget <= 0) break;
            }
        }
        if (budget <= 0 && anyPending(all)) wakeLoops(all);
    }

    /** The host the packet in {@code slot} goes to: the one found when it was queued, else looked up now (null: none). */
    private Host destination(Outbox.Slot slot) {
        if (slot.to != null) return slot.to;
        if (!slot.decoded) return find(slot.buffer);
        Host to = find(slot.packet.destinationHi(), slot.packet.destinationLo());
        return to == null ? null : to.route(slot.packet);
    }

    /**
     * Delivers up to {@code budget} packets of {@code h}'s outbox in order; returns how many. Decoded
     * ones arrive at {@code carried}, a time read at the start of the drain. Stops early, setting
     * {@link Host#leftFor}, at a packet for a host whose lock another thread holds.
     */
    private int drain(Host h, int budget, long carried) {
        int delivered = 0;
        Outbox.Slot slot;
        while (delivered < budget && (slot = h.outbox.head()) != null) {
            Host to = destination(slot);
            if (to == null || !h.stack.isRunning() || !to.stack.isRunning()) {
                try {
                    drop(h, to);
                } finally {
                    done(h, slot);
                }
                delivered++;
                continue;
            }
            // Consecutive packets to the same host go in under one hold of its lock.
            if (!lockForDelivery(to)) {
                h.leftFor = to;
                leftForLockHolders.incrementAndGet();
                return delivered;
            }
            try {
                do {
                    try {
                        deliver(h, slot, to, carried);
                    } finally {
                        done(h, slot);
                    }
                    delivered++;
                } while (delivered < budget && (slot = h.outbox.head()) != null && destination(slot) == to);
            } finally {
                to.stack.unlock();
            }
        }
        return delivered;
    }

    /**
     * Takes {@code to}'s lock to deliver packets into it; false, without waiting, when another thread
     * holds it and may be left them. That thread (a writer copying its bytes in, say) delivers them
     * when it lets go ({@link NetStack#unlock()} calls {@link #lockReleased}), as Linux processes a
     * socket's backlog at release_sock(), rather than this thread parking until then: on a bulk
     * stream the reader, carrying its window updates to the writer's host, spent a third of its
     * time parked on that lock. Not while a call waits on that host ({@link NetStack#hasWaitingCalls}):
     * its waiter lets go of the lock without telling the link, so this thread waits for the lock.
     */
    private static boolean lockForDelivery(Host to) {
        if (to.stack.tryLock()) return true;
        if (!to.stack.hasWaitingCalls()) return false;
        to.stack.lock();
        return true;
    }

    /** The head packet of {@code h}'s outbox is dealt with (even when its delivery failed: one bad packet must not block the path). */
    private static void done(Host h, Outbox.Slot head) {
        // Counted in the destination's incoming when it was queued (one found then).
        if (head.to != null) head.to.incoming.decrementAndGet();
        h.outbox.removeFirst();
    }

    private static void drop(Host source, Host to) {
        ByteBuffer packet = source.outbox.firstAsBytes();
        if (to == null) {
            source.stack.traceDrop(packet, "no host at " + HostAddresses.destinationText(packet));
        } else {
            source.stack.traceDrop(packet, "host stopped");
        }
    }

    /** Processes {@code slot}, the head packet of {@code h}'s outbox, in {@code to}, whose lock the caller holds. */
    private void deliver(Host h, Outbox.Slot slot, Host to, long carried) {
        try {
            if (slot.decoded) {
                h.outbox.countDecodedDelivery();
                to.stack.deliverDecoded(slot.packet, carried);
            } else {
                to.stack.deliver(slot.buffer, slot.trusted);
            }
        } catch (Throwable ex) {
            // NetStack catches the engine's own errors; this is what slipped past it. It belongs to
            // the destination, never to the thread that happened to carry the packet: a fatal one
            // goes to the destination's handler (called here, with that stack's lock held).
            deliveryErrors.incrementAndGet();
            if (FatalErrorHandler.isFatal(ex)) {
                to.stack.threadFailed("delivery by " + Thread.currentThread().getName(), ex);
                return;
            }
            try {
                to.stack.traceDrop(h.outbox.firstAsBytes(), "delivery failed: " + ex);
            } catch (RuntimeException ignored) {
                // The counter still says it happened.
            }
        }
    }

    private static boolean anyPending(Host[] all) {
        for (Host h : all) if (!h.outbox.isEmpty()) return true;
        return false;
    }

    /** Leaves the outboxes to the event loops of the hosts that have packets waiting. */
    private static void wakeLoops(Host[] all) {
        for (Host h : all) if (!h.outbox.isEmpty()) h.stack.wakeLoop();
    }

    /** Packets delivered decoded ({@link #transmitDecoded}) rather than as bytes. */
    public long decodedDeliveries() {
        long sum = 0;
        for (Host h : hosts) sum += h.outbox.decodedDeliveries();
        return sum;
    }

    /** Packets queued decoded whose payload bytes had to be copied (the sender's window was not stable). */
    public long decodedPayloadCopies() {
        return decodedPayloadCopies.get();
    }

    /**
     * Times a thread carrying packets found their destination's lock held by another thread and left
     * them to it rather than wait (each time one or more packets of one outbox).
     */
    public long leftForLockHolders() {
        return leftForLockHolders.get();
    }

    /** Deliveries that failed with an exception the destination stack did not catch itself. */
    public long deliveryErrors() {
        return deliveryErrors.get();
    }

    /** Stops every host's event loop; packets still waiting in outboxes are dropped. */
    @Override
    public void close() {
        for (Host h : hosts) h.stack.close();
    }
}
