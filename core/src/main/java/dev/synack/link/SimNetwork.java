package dev.synack.link;

import dev.synack.stack.NetStack;
import dev.synack.stack.Waiter;
import dev.synack.tcp.Rfc6528IsnGenerator;
import dev.synack.tcp.TcpConfig;
import dev.synack.trace.TraceEvent;
import dev.synack.trace.TraceListener;
import dev.synack.wire.Icmpv4Error;
import dev.synack.wire.Ipv6Header;
import dev.synack.wire.IpAddress;
import dev.synack.wire.Icmpv6;
import dev.synack.wire.Ipv4Address;
import dev.synack.wire.Ipv4Header;
import dev.synack.wire.PacketCodec;
import dev.synack.wire.ParseResult;
import dev.synack.wire.TcpPacket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.random.RandomGenerator;

/**
 * A deterministic simulated IP network in virtual time.
 *
 * <h2>Time and events</h2>
 * The virtual clock starts at 0 and only moves when nothing else can happen at the current
 * instant: it then jumps to the next event (a packet arriving, a stack's timer deadline, an actor's
 * wait deadline), so a 4-minute TIME_WAIT passes at once. Packets in flight are ordered by arrival
 * time and, at equal times, by the order in which they were sent (a sequence number), so a run is
 * reproducible byte for byte. At one instant the driver delivers the packets due (in that order),
 * then fires each host's due timers (hosts in the order they were added), then runs the actors
 * that can run (in spawn order), and repeats until nothing more happens at that instant. So with
 * a zero delay, an exchange that needs no application (a burst of data and its ACKs) completes at
 * one instant before the applications run, as if the hosts were infinitely fast.
 *
 * <h2>Actors</h2>
 * Application code runs in actors ({@link #spawn}), each on its own virtual thread, but only while
 * holding the simulator's baton: exactly one actor (or the driver, the thread in {@link #run()})
 * runs at any moment. The driver hands the baton to runnable actors in spawn order; an actor gives
 * it back when a socket call must wait (the stacks' {@link Waiter} is the simulator's: it records
 * the condition and the virtual deadline) or when its body returns. When no actor can run the
 * driver processes the events due now, re-evaluates the blocked actors' conditions in spawn order,
 * and otherwise advances the clock. Socket calls that would block must be made from actors.
 *
 * <h2>The packet path</h2>
 * {@code send -> copy -> route by destination address -> path pipeline (faults, delay) -> arrival
 * event -> NetStack.deliver}. Each (from, to) pair has a {@link Path}; its pipeline applies the
 * network's scripted {@link PacketFault}s and then the direction's {@link PathConditions} (set with
 * {@link #conditions(PathConditions)} for every path or {@link #conditions(String, String,
 * PathConditions)} for one direction): partitions, independent and burst loss, a bandwidth limit
 * with a drop-tail queue, corruption, duplication, delay with jitter, and reordering. Each direction
 * draws from its own generator derived from the seed and its two addresses (so one direction's
 * draws do not interleave with, and correlate with, the other's), in the order its packets are
 * sent, so a run is reproducible byte for byte.
 * A dropped packet is traced as a {@code DROP} on the sending host with its reason ("lost
 * (random)", "lost (burst)", "queue full", "partition", or a scripted fault's); duplications,
 * corruptions and reorderings are counted in {@link #faultStats()} (see {@link FaultStats}).
 */
public final class SimNetwork implements Link {
    /** Default one-way delay of a path. */
    public static final Duration DEFAULT_DELAY = Duration.ofMillis(10);
    /** Default virtual-time limit of {@link #run()}. */
    public static final Duration DEFAULT_TIME_LIMIT = Duration.ofHours(24);
    /** Real time an actor may run without yielding before run() gives up on it. */
    public static final Duration ACTOR_WALL_LIMIT = Duration.ofMinutes(2);

    private final long seed;
    private final Random random;
    private PathConditions defaultConditions = PathConditions.NONE.withDelay(DEFAULT_DELAY);
    private long timeLimitNanos = DEFAULT_TIME_LIMIT.toNanos();
    private volatile long now;
    private long nextSequence;

    private final List<Host> hosts = new ArrayList<>();
    private final Map<Long, Path> paths = new HashMap<>();
    private final List<PacketFault> faults = new CopyOnWriteArrayList<>();
    private final List<TraceListener> traceListeners = new CopyOnWriteArrayList<>();
    private final PriorityQueue<Arrival> inFlight = new PriorityQueue<>();
    private final TcpPacket faultView = new TcpPacket();
    private long packetsDropped;

    private final SimActors actors = new SimActors(ACTOR_WALL_LIMIT.toNanos());
    private boolean running;

    /** Everything random in the run (ISN keys, ports, later faults) is drawn from {@code seed}. */
    public SimNetwork(long seed) {
        this.seed = seed;
        this.random = new Random(seed);
    }

    public long seed() { return seed; }

    /** The network's random source, for faults that must be reproducible from the seed. */
    public Random random() { return random; }

    /** One-way delay of every path (default 10 ms), those already used included; their other conditions stay. */
    public SimNetwork delay(Duration oneWay) {
        requireNonNegative(oneWay, "delay");
        defaultConditions = defaultConditions.withDelay(oneWay);
        for (Path p : paths.values()) p.pipeline.conditions(p.pipeline.conditions().withDelay(oneWay));
        return this;
    }

    /** One-way delay of the path from {@code from} to {@code to} only; its other conditions stay. */
    public SimNetwork delay(String from, String to, Duration oneWay) {
        requireNonNegative(oneWay, "delay");
        FaultPipeline p = path(hostNamed(from), hostNamed(to)).pipeline;
        p.conditions(p.conditions().withDelay(oneWay));
        return this;
    }

    /**
     * The conditions (delay, loss, reordering, ...) of every direction of every path, those already
     * used included. Each direction keeps its own state (burst, queue), drawn from the one seed.
     */
    public SimNetwork conditions(PathConditions conditions) {
        defaultConditions = Objects.requireNonNull(conditions, "conditions");
        for (Path p : paths.values()) p.pipeline.conditions(conditions);
        return this;
    }

    /** The conditions of the direction from host {@code from} to host {@code to} only. */
    public SimNetwork conditions(String from, String to, PathConditions conditions) {
        path(hostNamed(from), hostNamed(to)).pipeline.conditions(Objects.requireNonNull(conditions, "conditions"));
        return this;
    }

    /** The conditions of the direction from host {@code from} to host {@code to}. */
    public PathConditions conditions(String from, String to) {
        return path(hostNamed(from), hostNamed(to)).pipeline.conditions();
    }

    /** What the paths' faults did so far, summed over every direction. */
    public FaultStats faultStats() {
        FaultStats sum = FaultStats.ZERO;
        for (Path p : paths.values()) sum = sum.plus(p.pipeline.stats());
        return sum;
    }

    /** run() fails once the virtual clock would pass this (default 24 h). */
    public SimNetwork timeLimit(Duration limit) {
        timeLimitNanos = requireNonNegative(limit, "time limit");
        return this;
    }

    @Override
    public NetStack addHost(String name, String addresses, TcpConfig config) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(config, "config");
        HostAddresses address = HostAddresses.parse(addresses);
        for (Host h : hosts) {
            if (h.name.equals(name)) throw new IllegalArgumentException("a host named " + name + " already exists");
            if ((address.ipv4() != 0 && address.ipv4() == h.address.ipv4())
                    || (address.ipv6() != null && address.ipv6().equals(h.address.ipv6()))) {
                throw new IllegalArgumentException("address " + addresses + " already belongs to " + h.name);
            }
        }
        byte[] isnKey = new byte[16];
        random.nextBytes(isnKey);
        NetStack stack = new NetStack(name, address.stackAddress(), config, this::nowNanos, new Rfc6528IsnGenerator(isnKey),
                random.nextLong());
        address.applyTo(stack);
        Host host = new Host(name, address, stack);
        stack.attach((from, packet) -> send(host, packet), actors.waiter());
        stack.addTraceListener(event -> {
            // Every listener sees every event even if one throws; the stack counts the failure.
            RuntimeException failure = null;
            for (TraceListener l : traceListeners) {
                try {
                    l.onEvent(event);
                } catch (RuntimeException e) {
                    if (failure == null) failure = e;
                }
            }
            if (failure != null) throw failure;
        });
        hosts.add(host);
        return stack;
    }

    /** The stack of host {@code name}. */
    public NetStack host(String name) {
        for (Host h : hosts) if (h.name.equals(name)) return h.stack;
        throw new IllegalArgumentException("no host named " + name);
    }

    /** Trace events of every host, in the order they happen. */
    public void addTraceListener(TraceListener listener) { traceListeners.add(Objects.requireNonNull(listener)); }

    public void addFault(PacketFault fault) { faults.add(Objects.requireNonNull(fault)); }

    /** Virtual nanoseconds since the simulation started. */
    public long nowNanos() { return now; }

    /** Packets the network dropped so far (faults, unknown destinations). */
    public long packetsDropped() { return packetsDropped; }

    // ------------------------------------------------------------------ packets

    private static final class Host {
        final String name;
        final HostAddresses address;
        final NetStack stack;

        Host(String name, HostAddresses address, NetStack stack) {
            this.name = name;
            this.address = address;
            this.stack = stack;
        }
    }

    /**
     * One direction between two hosts: a packet that got here is offered to the scripted
     * {@link PacketFault}s (the first reason given drops it), then to the direction's
     * {@link FaultPipeline} (partitions, loss, bandwidth and queue, corruption, duplication, delay,
     * jitter, reordering; see {@link PathConditions}), which draws from the network's seeded random
     * source, and what survives is scheduled to arrive.
     */
    private final class Path implements FaultPipeline.Sink {
        final Host from;
        final Host to;
        final FaultPipeline pipeline;
        /** This direction's own random source, derived from the seed and the two addresses. */
        final RandomGenerator random;
        private ByteBuffer current;
        private TcpPacket currentView;

        Path(Host from, Host to, PathConditions conditions) {
            this.from = from;
            this.to = to;
            this.pipeline = new FaultPipeline(conditions);
            this.random = FaultPipeline.randomFor(seed, from.address.key(), to.address.key());
        }

        /** {@code packet} is the network's own copy; {@code view} its decoding, or null if it did not decode. */
        void carry(ByteBuffer packet, TcpPacket view) {
            if (view != null) {
                for (PacketFault fault : faults) {
                    String reason = fault.drop(from.name, view);
                    if (reason != null) {
                        SimNetwork.this.drop(from, view, packet, reason);
                        return;
                    }
                }
            }
            current = packet;
            currentView = view;
            try {
                pipeline.carry(packet, now, this.random, this);
            } finally {
                current = null;
                currentView = null;
            }
        }

        @Override
        public void arrive(long atNanos, ByteBuffer packet) {
            inFlight.add(new Arrival(atNanos, nextSequence++, to, packet));
        }

        @Override
        public void drop(String reason) {
            SimNetwork.this.drop(from, currentView, current, reason);
        }

        /**
         * The narrow hop answers a packet it cannot forward (RFC 1812 §5.2.7.1), quoting as much of
         * it as an answer of 576 bytes holds (RFC 1812 §4.3.2.3): for IPv4 with DF set,
         * "fragmentation needed" with the next-hop MTU (RFC 1191 §4); it reaches the sender after
         * the path's one-way delay, through no faults; an IPv6 packet with ICMPv6 packet too big
         * ({@link #packetTooBig}).
         */
        @Override
        public void tooBig(ByteBuffer packet, int mtu, int router) {
            int p = packet.position();
            if (packet.remaining() < Ipv4Header.MIN_LENGTH) return;
            int version = (packet.get(p) & 0xff) >>> 4;
            if (version != Ipv4Header.VERSION) {
                packetTooBig(packet, mtu);
                return;
            }
            if ((packet.getShort(p + 6) & Ipv4Header.FLAG_DF) == 0) return; // a router would fragment it; the stacks never send such
            ByteBuffer answer = ByteBuffer.allocate(MAX_ICMP_ERROR);
            int n = Icmpv4Error.write(answer, router, from.address.ipv4(), Icmpv4Error.TYPE_DESTINATION_UNREACHABLE,
                    Icmpv4Error.CODE_FRAGMENTATION_NEEDED, Icmpv4Error.fragmentationNeededWord(mtu), packet,
                    MAX_ICMP_ERROR - Ipv4Header.MIN_LENGTH - Icmpv4Error.HEADER_LENGTH);
            inFlight.add(new Arrival(now + pipeline.conditions().delayNanos(), nextSequence++, from, answer.limit(n)));
        }

        /**
         * An ICMPv6 packet too big (RFC 4443 §3.2) to the sender of the IPv6 {@code packet}, from the
         * router's address on the sender's /64 (interface identifier ::fe), after the one-way delay.
         */
        private void packetTooBig(ByteBuffer packet, int mtu) {
            if (packet.remaining() < Ipv6Header.LENGTH) return;
            IpAddress router = IpAddress.of(Ipv6Header.sourceHi(packet, packet.position()), 0xfeL);
            ByteBuffer answer = ByteBuffer.allocate(Icmpv6.MAX_ERROR_LENGTH);
            int n = Icmpv6.writePacketTooBig(answer, router, packet, mtu, 64);
            inFlight.add(new Arrival(now + pipeline.conditions().delayNanos(), nextSequence++, from, answer.limit(n)));
        }
    }

    /** RFC 1812 §4.3.2.3: an ICMP error is at most 576 bytes long. */
    private static final int MAX_ICMP_ERROR = 576;

    private record Arrival(long time, long sequence, Host to, ByteBuffer packet) implements Comparable<Arrival> {
        @Override
        public int compareTo(Arrival o) {
            int c = Long.compare(time, o.time);
            return c != 0 ? c : Long.compare(sequence, o.sequence);
        }
    }

    private Path path(Host from, Host to) {
        long key = ((long) from.address.key() << 32) | (to.address.key() & 0xffffffffL);
        return paths.computeIfAbsent(key, k -> new Path(from, to, defaultConditions));
    }

    /** The host a packet goes to: by its decoded destination, else by its bytes (null: none). */
    private Host hostFor(TcpPacket view, ByteBuffer bytes) {
        for (Host h : hosts) {
            if (view != null ? h.address.has(view.destinationHi(), view.destinationLo()) : h.address.isDestinationOf(bytes)) return h;
        }
        return null;
    }

    private Host hostNamed(String name) {
        for (Host h : hosts) if (h.name.equals(name)) return h;
        throw new IllegalArgumentException("no host named " + name);
    }

    /** A stack sends: copy the bytes now, route by destination address, hand it to the path. */
    private void send(Host from, ByteBuffer packet) {
        byte[] bytes = new byte[packet.remaining()];
        packet.duplicate().get(bytes);
        ByteBuffer copy = ByteBuffer.wrap(bytes);
        TcpPacket view = PacketCodec.decode(copy, faultView) == ParseResult.OK ? faultView : null;
        Host to = hostFor(view, copy);
        if (to == null) {
            drop(from, view, copy, "no host at " + HostAddresses.destinationText(copy));
            return;
        }
        path(from, to).carry(copy, view);
    }

    private void drop(Host from, TcpPacket view, ByteBuffer copy, String reason) {
        packetsDropped++;
        if (view != null) from.stack.traceDrop(view, reason);
        else from.stack.traceDrop(copy, reason);
    }

    /** Carries a packet from one of this network's stacks (they call it through their link). */
    @Override
    public void transmit(NetStack from, ByteBuffer packet) {
        for (Host h : hosts) {
            if (h.stack == from) {
                send(h, packet);
                return;
            }
        }
        throw new IllegalArgumentException(from + " is not a host of this network");
    }

    /** Keeps every trace event of every host, in order, in the returned list (tests, renderers). */
    public List<TraceEvent> recordTrace() {
        return record(this);
    }


    // ------------------------------------------------------------------ actors

    /** An actor's body: may throw anything, which fails {@link #run()}. */
    @FunctionalInterface
    public interface Actor {
        void run() throws Exception;
    }

    /** Thrown inside actors that are unwound because the run failed; never caught by run() callers. */
    public static final class SimulationAborted extends Error {
        private static final long serialVersionUID = 1L;

        SimulationAborted() { super("the simulation was aborted", null, false, false); }
    }

    /** An actor failed: {@link #actorName()} names it and the cause is what it threw. */
    public static final class ActorFailedException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String actorName;

        ActorFailedException(String actorName, Throwable cause) {
            super("actor '" + actorName + "' failed: " + cause, cause);
            this.actorName = actorName;
        }

        public String actorName() { return actorName; }
    }

    /** An application thread run under the simulator: only one actor runs at a time, virtual time advances only when all are blocked. */
    public void spawn(String name, Actor body) {
        actors.spawn(name, body);
    }

    /**
     * Called from an actor: lets {@code span} of virtual time pass (the actor gives the baton back
     * and is resumed at now + span, after the events due by then).
     */
    public void sleep(Duration span) {
        long d = requireNonNegative(span, "span");
        actors.sleepUntil(d > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + d);
    }

    // ------------------------------------------------------------------ the driver

    /**
     * Runs until every actor has finished and nothing is scheduled (packets in flight, timers), then
     * returns. Rethrows the first actor failure (as {@link ActorFailedException}). Throws
     * IllegalStateException naming the actors that are still blocked when nothing is left that could
     * wake them, or when the virtual-time limit is reached.
     */
    public void run() {
        drive(Long.MAX_VALUE);
    }

    /** Runs for {@code span} of virtual time (or until everything is finished, if sooner). */
    public void runFor(Duration span) {
        long d = requireNonNegative(span, "span");
        drive(d > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + d);
    }

    /** Runs until the virtual clock reaches {@code timeNanos} (or everything is finished, if sooner). */
    public void runUntil(long timeNanos) {
        drive(timeNanos);
    }

    private void drive(long stopAt) {
        if (running) throw new IllegalStateException("the simulation is already running");
        if (actors.onActorThread()) throw new IllegalStateException("run() called from an actor");
        running = true;
        try {
            while (true) {
                actors.runReady(now);
                if (processDue()) continue;
                long next = nextEventTime();
                if (next == Long.MAX_VALUE) {
                    List<String> blocked = actors.unfinished();
                    if (blocked.isEmpty()) return;
                    throw actors.abort(new IllegalStateException("deadlock at " + Duration.ofNanos(now)
                            + ": actors blocked with nothing scheduled that could wake them: " + blocked));
                }
                if (next > stopAt) {
                    now = Math.max(now, stopAt);
                    return;
                }
                if (next > timeLimitNanos) {
                    throw actors.abort(new IllegalStateException("virtual time limit " + Duration.ofNanos(timeLimitNanos)
                            + " reached; still pending: " + pending()));
                }
                now = Math.max(now, next);
            }
        } finally {
            running = false;
        }
    }

    /** Delivers the packets and fires the timers due now; true when anything happened. */
    private boolean processDue() {
        boolean any = false;
        Arrival a;
        while ((a = inFlight.peek()) != null && a.time <= now) {
            inFlight.poll();
            a.to.stack.deliver(a.packet);
            any = true;
        }
        for (Host h : hosts) {
            if (h.stack.nextTimerDeadline() <= now) {
                h.stack.fireTimers(now);
                any = true;
            }
        }
        return any;
    }

    private long nextEventTime() {
        long next = Long.MAX_VALUE;
        Arrival a = inFlight.peek();
        if (a != null) next = a.time;
        for (Host h : hosts) next = Math.min(next, h.stack.nextTimerDeadline());
        next = Math.min(next, actors.nextDeadline());
        return next;
    }

    private String pending() {
        List<String> out = new ArrayList<>();
        if (!inFlight.isEmpty()) out.add(inFlight.size() + " packet(s) in flight");
        for (Host h : hosts) {
            long d = h.stack.nextTimerDeadline();
            if (d != Long.MAX_VALUE) out.add(h.name + " timers (next at " + Duration.ofNanos(d) + ", "
                    + h.stack.connectionCount() + " connection(s))");
        }
        for (String a : actors.unfinished()) out.add("actor " + a);
        return out.toString();
    }

    private static long requireNonNegative(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative()) throw new IllegalArgumentException(what + " must not be negative, was " + d);
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /** A trace listener that keeps every event (tests, the CLI's renderers). */
    public static List<TraceEvent> record(SimNetwork network) {
        List<TraceEvent> events = new ArrayList<>();
        network.addTraceListener(events::add);
        return events;
    }
}
