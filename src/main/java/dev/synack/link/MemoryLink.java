package dev.synack.link;

import dev.synack.stack.Clock;
import dev.synack.stack.NetStack;
import dev.synack.tcp.Rfc6528IsnGenerator;
import dev.synack.tcp.TcpConfig;
import dev.synack.wire.Ipv4Address;
import dev.synack.wire.PacketCodec;
import dev.synack.wire.TcpPacket;
import dev.synack.wire.TcpSegment;
import java.nio.ByteBuffer;
import java.util.Arrays;
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
    /** The smallest buffer of an outbox slot: a full segment of a 1500-byte MTU fits. */
    private static final int MIN_SLOT_BUFFER = 2048;

    /** Attached hosts, replaced whole when one is added (rare); scanned by address. */
    private volatile Host[] hosts = new Host[0];
    private final AtomicLong deliveryErrors = new AtomicLong();
    private final AtomicLong decodedDeliveries = new AtomicLong();
    /** Decoded packets whose payload was not stable, so was copied into the outbox slot. */
    private final AtomicLong decodedPayloadCopies = new AtomicLong();
    private final boolean checksumOffload;

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
    private static final class Host {
        final int address;
        final NetStack stack;
        final Outbox outbox = new Outbox();
        /** Packets to this host waiting in some outbox (for {@link #isCarrying}). */
        final AtomicInteger incoming = new AtomicInteger();
        /** The thread draining {@link #outbox}, or null: at most one at a time keeps the order. */
        final AtomicReference<Thread> drainer = new AtomicReference<>();

        Host(int address, NetStack stack) {
            this.address = address;
            this.stack = stack;
        }
    }

    @Override
    public synchronized NetStack addHost(String name, String ipv4, TcpConfig config) {
        int address = Ipv4Address.parse(ipv4);
        if (find(address) != null) throw new IllegalArgumentException("address " + ipv4 + " is already attached");
        NetStack stack = new NetStack(name, address, Objects.requireNonNull(config), Clock.system(),
                Rfc6528IsnGenerator.withRandomKey(), System.nanoTime());
        stack.attach(this, null);
        Host[] grown = Arrays.copyOf(hosts, hosts.length + 1);
        grown[grown.length - 1] = new Host(address, stack);
        hosts = grown;
        stack.start();
        return stack;
    }

    private Host find(int address) {
        for (Host h : hosts) if (h.address == address) return h;
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
        Host to = find(packet.remaining() >= 20 ? packet.getInt(packet.position() + 16) : 0);
        if (to != null) to.incoming.incrementAndGet();
        // Trusted only when the sender handed it here itself: nothing between could have changed it.
        source.outbox.add(packet, checksumOffload && from.isAttachedTo(this));
        // A sender not holding its stack's lock (a wrapper's delayed packet, sent from its own
        // thread) has no unlock to come that would deliver it: deliver now.
        if (from.lockHoldCount() == 0) lockReleased(from);
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
        Host to = find(packet.remaining() >= 20 ? packet.getInt(packet.position() + 16) : 0);
        if (to != null) to.incoming.incrementAndGet();
        source.outbox.commitReserved(packet, checksumOffload && from.isAttachedTo(this));
        if (from.lockHoldCount() == 0) lockReleased(from);
    }

    /**
     * Queues {@code packet} decoded in {@code from}'s outbox (see the class comment). False (the
     * stack sends bytes) for a link without checksum offload (bytes and checksums are its point), a
     * stack this link did not create or that is stopped, or a destination with packet taps.
     */
    @Override
    public boolean transmitDecoded(NetStack from, TcpPacket packet) {
        TcpPacket slot = reserveDecoded(from, packet.destinationAddress());
        if (slot == null) return false;
        transmitReservedDecoded(from, slot.copyFrom(packet));
        return true;
    }

    /**
     * The next outbox slot's packet of {@code from}'s host, for the stack to write its packet into
     * (no copy of it here then); null whenever {@link #transmitDecoded} would refuse the packet.
     */
    @Override
    public TcpPacket reserveDecoded(NetStack from, int destinationAddress) {
        if (!checksumOffload || !from.isAttachedTo(this)) return null;
        Host source = hostOf(from);
        if (source == null || !from.isRunning()) return null;
        Host to = find(destinationAddress);
        if (to != null && to.stack.hasPacketTaps()) return null;
        return source.outbox.reserveDecoded();
    }

    @Override
    public void transmitReservedDecoded(NetStack from, TcpPacket packet) {
        Host source = hostOf(from);
        if (source == null) throw new IllegalStateException(from.name() + " reserved no packet on this link");
        Host to = find(packet.destinationAddress());
        if (to != null) to.incoming.incrementAndGet();
        if (source.outbox.commitDecoded(packet)) decodedPayloadCopies.incrementAndGet();
        if (from.lockHoldCount() == 0) lockReleased(from);
    }

    /**
     * A stack attached by hand ({@link NetStack#attach}) rather than created by {@link #addHost}
     * has no outbox: its packet is copied and queued on the destination's event loop.
     */
    private void transmitFromStranger(NetStack from, ByteBuffer packet) {
        int destination = packet.remaining() >= 20 ? packet.getInt(packet.position() + 16) : 0;
        Host to = find(destination);
        if (to == null) {
            from.traceDrop(packet.asReadOnlyBuffer(), "no host at " + Ipv4Address.format(destination));
            return;
        }
        ByteBuffer copy = ByteBuffer.allocate(packet.remaining());
        copy.put(0, packet, packet.position(), packet.remaining());
        to.stack.enqueue(copy, checksumOffload && from.isAttachedTo(this));
    }

    /** Decoded delivery carries stable payload windows as they are: see the class comment. */
    @Override
    public boolean carriesPayloadWindows(NetStack from) {
        return checksumOffload && from.isAttachedTo(this) && hostOf(from) != null;
    }

    @Override
    public boolean isCarrying(NetStack stack) {
        Host h = hostOf(stack);
        return h != null && (!h.outbox.isEmpty() || h.incoming.get() > 0);
    }

    @Override
    public boolean hasDeferred(NetStack from) {
        Host h = hostOf(from);
        return h != null && !h.outbox.isEmpty();
    }

    /**
     * Delivers what the outboxes hold, on the calling thread (see the class comment). Never
     * throws: the caller is a user call that has finished its own work.
     */
    @Override
    public void lockReleased(NetStack from) {
        Host[] all = hosts;
        if (!anyPending(all)) return;
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
        int budget = DRAIN_BUDGET;
        boolean again = true;
        while (again && budget > 0) {
            again = false;
            for (Host h : all) {
                if (h.outbox.isEmpty() || !h.drainer.compareAndSet(null, me)) continue;
                try {
                    budget -= drain(h, Math.min(budget, QUANTUM));
                } finally {
                    h.drainer.set(null);
                }
                // A packet added after our last look found us draining and left it to us: look again.
                again = true;
                if (budget <= 0) break;
            }
        }
        if (budget <= 0 && anyPending(all)) wakeLoops(all);
    }

    /** Delivers up to {@code budget} packets of {@code h}'s outbox in order; returns how many. */
    private int drain(Host h, int budget) {
        int delivered = 0;
        while (delivered < budget && !h.outbox.isEmpty()) {
            Host to = find(h.outbox.firstDestination());
            if (to == null || !h.stack.isRunning() || !to.stack.isRunning()) {
                try {
                    drop(h, to);
                } finally {
                    done(h, to);
                }
                delivered++;
                continue;
            }
            // Consecutive packets to the same host go in under one hold of its lock.
            to.stack.lock();
            try {
                do {
                    try {
                        deliverFirst(h, to);
                    } finally {
                        done(h, to);
                    }
                    delivered++;
                } while (delivered < budget && !h.outbox.isEmpty() && find(h.outbox.firstDestination()) == to);
            } finally {
                to.stack.unlock();
            }
        }
        return delivered;
    }

    /** The head packet of {@code h}'s outbox is dealt with (even when its delivery failed: one bad packet must not block the path). */
    private static void done(Host h, Host to) {
        if (to != null) to.incoming.decrementAndGet();
        h.outbox.removeFirst();
    }

    private static void drop(Host source, Host to) {
        ByteBuffer packet = source.outbox.firstAsBytes();
        if (to == null) {
            int destination = source.outbox.firstDestination();
            source.stack.traceDrop(packet, "no host at " + Ipv4Address.format(destination));
        } else {
            source.stack.traceDrop(packet, "host stopped");
        }
    }

    /** Processes the head packet of {@code h}'s outbox in {@code to}, whose lock the caller holds. */
    private void deliverFirst(Host h, Host to) {
        try {
            TcpPacket decoded = h.outbox.firstDecoded();
            if (decoded != null) {
                decodedDeliveries.incrementAndGet();
                to.stack.deliverDecoded(decoded);
            } else {
                to.stack.deliver(h.outbox.first(), h.outbox.firstTrusted());
            }
        } catch (RuntimeException | Error ex) {
            // NetStack catches the engine's own errors; this is what slipped past it. It belongs to
            // the destination, never to the thread that happened to carry the packet.
            deliveryErrors.incrementAndGet();
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
        return decodedDeliveries.get();
    }

    /** Packets queued decoded whose payload bytes had to be copied (the sender's window was not stable). */
    public long decodedPayloadCopies() {
        return decodedPayloadCopies.get();
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

    /**
     * A FIFO of packets whose slots keep their buffers (and decoded packets) for reuse. Filled by the
     * sending stack's lock holder, emptied by the one drainer: a monitor orders the two (each hold is
     * a few instructions, never taken around a delivery). The head packet stays in its slot while it
     * is delivered, so its buffer is not reused before {@link #removeFirst()}. A slot holds either
     * bytes (its buffer, position to limit) or a decoded packet (its {@link TcpPacket}, whose payload
     * window is the sender's stable one or lies in the slot's buffer).
     */
    static final class Outbox {
        private ByteBuffer[] slots = new ByteBuffer[16];
        /** Per slot: the TCP checksum may go unverified (see the class comment on offload). */
        private boolean[] trusted = new boolean[16];
        /** Per slot: its reusable decoded packet, made on first use (null until then). */
        private TcpPacket[] packets = new TcpPacket[16];
        /** Per slot: it holds a decoded packet rather than bytes. */
        private boolean[] decoded = new boolean[16];
        private int head;
        private int count;
        private volatile int size;
        /** The largest packet so far: a new slot buffer gets this capacity, so it fits later ones. */
        private int largest = MIN_SLOT_BUFFER;

        boolean isEmpty() {
            return size == 0;
        }

        int size() {
            return size;
        }

        /** Copies the packet between {@code packet}'s position and limit (neither moves). */
        synchronized void add(ByteBuffer packet) {
            add(packet, false);
        }

        /** As {@link #add(ByteBuffer)}, remembering whether its TCP checksum can be trusted unverified. */
        synchronized void add(ByteBuffer packet, boolean tcpChecksumTrusted) {
            int n = packet.remaining();
            ByteBuffer b = reserve(n);
            b.put(0, packet, packet.position(), n).limit(n);
            commitReserved(b, tcpChecksumTrusted);
        }

        /**
         * The next slot's decoded packet, for the sender to write into and then hand to
         * {@link #commitDecoded}. Not counted until then, so a reservation abandoned costs nothing;
         * only the stack that owns this outbox reserves, under its lock, so no other packet is
         * added in between.
         */
        synchronized TcpPacket reserveDecoded() {
            if (count == slots.length) grow();
            int i = (head + count) & (slots.length - 1);
            TcpPacket p = packets[i];
            if (p == null) packets[i] = p = new TcpPacket();
            return p;
        }

        /**
         * Counts the packet written into the one {@link #reserveDecoded} returned; its payload
         * window is kept when {@link TcpSegment#payloadStable() stable}, else its bytes are copied
         * into the slot's buffer. Returns whether it copied payload bytes.
         */
        synchronized boolean commitDecoded(TcpPacket p) {
            int i = (head + count) & (slots.length - 1);
            if (count == slots.length || packets[i] != p) {
                throw new IllegalStateException("the packet is not the outbox's reserved one");
            }
            TcpSegment seg = p.segment();
            int n = seg.payloadLength();
            boolean copied = n > 0 && !seg.payloadStable();
            if (copied) {
                // A scratch copy the sender reuses for its next segment: the slot needs its own bytes.
                ByteBuffer b = slotBuffer(i, n).clear();
                seg.copyPayload(0, b, 0, n);
                seg.payload(b, 0, n);
            }
            decoded[i] = true;
            trusted[i] = true;
            count++;
            size = count;
            return copied;
        }

        /**
         * The buffer of the next slot, cleared, with room for {@code length} bytes: the sender
         * encodes into it and then calls {@link #commitReserved}. Not counted until then, so a
         * reservation abandoned (an encoding error) costs nothing; only the stack that owns this
         * outbox reserves, under its lock, so no other packet is added in between.
         */
        synchronized ByteBuffer reserve(int length) {
            if (count == slots.length) grow();
            int i = (head + count) & (slots.length - 1);
            return slotBuffer(i, length).clear();
        }

        /** Slot {@code i}'s buffer, replaced by a larger one when it holds fewer than {@code length} bytes. */
        private ByteBuffer slotBuffer(int i, int length) {
            ByteBuffer b = slots[i];
            if (b == null || b.capacity() < length) {
                if (length > largest) largest = length;
                slots[i] = b = ByteBuffer.allocate(largest);
            }
            return b;
        }

        /** Counts the packet encoded into the buffer {@link #reserve} returned. */
        synchronized void commitReserved(ByteBuffer packet, boolean tcpChecksumTrusted) {
            int i = (head + count) & (slots.length - 1);
            if (count == slots.length || slots[i] != packet) {
                throw new IllegalStateException("the packet is not the outbox's reserved buffer");
            }
            trusted[i] = tcpChecksumTrusted;
            decoded[i] = false;
            count++;
            size = count;
        }

        /** The oldest packet's bytes, left in place; null when empty or when it is held decoded. */
        synchronized ByteBuffer first() {
            return count == 0 || decoded[head] ? null : slots[head];
        }

        /** The oldest packet when it is held decoded, left in place; null otherwise. */
        synchronized TcpPacket firstDecoded() {
            return count > 0 && decoded[head] ? packets[head] : null;
        }

        /** The destination address of the oldest packet (0 when its bytes are too short to say). */
        synchronized int firstDestination() {
            if (count == 0) throw new IllegalStateException("outbox is empty");
            if (decoded[head]) return packets[head].destinationAddress();
            ByteBuffer b = slots[head];
            return b.remaining() >= 20 ? b.getInt(b.position() + 16) : 0;
        }

        /**
         * The oldest packet as bytes, for a trace of its drop (rare): its buffer, or a decoded one
         * encoded into a new buffer as it would have been sent (TCP checksum left to the offload).
         */
        synchronized ByteBuffer firstAsBytes() {
            if (count == 0) throw new IllegalStateException("outbox is empty");
            if (!decoded[head]) return slots[head];
            TcpPacket p = packets[head];
            ByteBuffer b = ByteBuffer.allocate(PacketCodec.encodedLength(p));
            PacketCodec.encode(p, b, false);
            return b.flip();
        }

        /** Whether the oldest packet's TCP checksum can be trusted unverified. */
        synchronized boolean firstTrusted() {
            return count > 0 && trusted[head];
        }

        synchronized void removeFirst() {
            if (count == 0) throw new IllegalStateException("outbox is empty");
            // A decoded packet may lend a sender's buffer: keep no array alive once it is delivered.
            if (decoded[head]) packets[head].segment().payload(null);
            head = (head + 1) & (slots.length - 1);
            count--;
            size = count;
        }

        /** Twice the slots, in order from the head; the buffers and packets move along for reuse. */
        private void grow() {
            int n = slots.length;
            ByteBuffer[] bigger = new ByteBuffer[n * 2];
            boolean[] biggerTrusted = new boolean[n * 2];
            TcpPacket[] biggerPackets = new TcpPacket[n * 2];
            boolean[] biggerDecoded = new boolean[n * 2];
            for (int k = 0; k < n; k++) {
                int from = (head + k) & (n - 1);
                bigger[k] = slots[from];
                biggerTrusted[k] = trusted[from];
                biggerPackets[k] = packets[from];
                biggerDecoded[k] = decoded[from];
            }
            slots = bigger;
            trusted = biggerTrusted;
            packets = biggerPackets;
            decoded = biggerDecoded;
            head = 0;
        }
    }
}
