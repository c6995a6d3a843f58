package dev.synack.link;

import dev.synack.stack.NetStack;
import dev.synack.stack.PacketTransmitter;
import dev.synack.tcp.TcpConfig;
import dev.synack.wire.PacketCodec;
import dev.synack.wire.ParseResult;
import dev.synack.wire.TcpPacket;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Puts {@link PathConditions} (loss, bursts, delay, jitter, reordering, duplication, corruption,
 * bandwidth, partitions) in front of any other link, e.g. a TUN or UDP link in real time.
 * {@link SimNetwork} has the same faults built in; this wrapper is for the links that have none.
 *
 * <!-- example: core/src/test/java/dev/synack/docs/JavadocExamples.java#faulty-link -->
 * <pre>{@code
 * try (MemoryLink memory = new MemoryLink();
 *      FaultyLink link = FaultyLink.realTime(memory, PathConditions.builder()
 *              .loss(0.02).delay(Duration.ofMillis(5)).build(), 42)) {
 *     NetStack a = link.addHost("a", "10.0.0.1", TcpConfig.linux()); // memory's stack, sending through the faults
 *     NetStack b = link.addHost("b", "10.0.0.2", TcpConfig.linux());
 *     // sockets on a and b, as on any other link
 * }
 * }</pre>
 *
 * <p>Every direction (source address, destination address) gets its own {@link FaultPipeline}
 * state with the same conditions. A packet sent is copied, passed through its direction's
 * pipeline, and handed to the wrapped transmitter at once (no delay) or later from the
 * {@link Scheduler} (on the scheduler's thread, so the wrapped transmitter must accept calls from
 * any thread, as real-time links do). A dropped packet is traced as a {@code DROP} on the sending
 * stack with its reason; duplications, corruptions and reorderings are counted in
 * {@link #stats()}. Each direction draws from its own generator derived from {@code seed}; in real
 * time the interleaving of threads still varies from run to run.
 */
public final class FaultyLink implements Link, AutoCloseable {

    /** The clock the faults read and the way a delayed packet is sent later. */
    public interface Scheduler {
        /** A monotonic clock in nanoseconds. */
        long nanos();

        /** Runs {@code task} once {@link #nanos()} reaches {@code atNanos}. */
        void schedule(long atNanos, Runnable task);

        /** Real time: {@link System#nanoTime()} and the given executor's delayed tasks. */
        static Scheduler realTime(ScheduledExecutorService executor) {
            Objects.requireNonNull(executor, "executor");
            return new Scheduler() {
                @Override
                public long nanos() { return System.nanoTime(); }

                @Override
                public void schedule(long atNanos, Runnable task) {
                    // Nothing cancels or awaits a scheduled delivery: its future is not kept.
                    var _ = executor.schedule(task, atNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
                }
            };
        }
    }

    private final PacketTransmitter inner;
    private final PathConditions conditions;
    private final long seed;
    private final Scheduler scheduler;
    private final ScheduledExecutorService ownedExecutor;
    private final long startNanos;
    private final Map<Long, FaultPipeline> pipelines = new HashMap<>();
    private final Map<Long, RandomGenerator> randoms = new HashMap<>();
    private final TcpPacket view = new TcpPacket();

    /**
     * Wraps {@code inner} (a {@link Link}, for {@link #addHost}, or any transmitter, with stacks
     * {@link #attach attached} by hand). Partition windows count from this moment on the
     * scheduler's clock.
     */
    public FaultyLink(PacketTransmitter inner, PathConditions conditions, long seed, Scheduler scheduler) {
        this(inner, conditions, seed, scheduler, null);
    }

    private FaultyLink(PacketTransmitter inner, PathConditions conditions, long seed, Scheduler scheduler,
                       ScheduledExecutorService owned) {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.conditions = Objects.requireNonNull(conditions, "conditions");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.seed = seed;
        this.ownedExecutor = owned;
        this.startNanos = scheduler.nanos();
    }

    /** Wraps {@code inner} in real time with its own scheduler thread (a daemon), stopped by {@link #close()}. */
    public static FaultyLink realTime(PacketTransmitter inner, PathConditions conditions, long seed) {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r ->
                Thread.ofPlatform().daemon().name("synack-faulty-link").unstarted(r));
        return new FaultyLink(inner, conditions, seed, Scheduler.realTime(executor), executor);
    }

    public PathConditions conditions() { return conditions; }

    /** Creates the host on the wrapped {@link Link} and makes it send through the faults. */
    @Override
    public NetStack addHost(String name, String ipv4, TcpConfig config) {
        if (!(inner instanceof Link link)) {
            throw new IllegalStateException("the wrapped transmitter is not a Link: create the stack yourself and attach() it");
        }
        NetStack stack = link.addHost(name, ipv4, config);
        attach(stack);
        return stack;
    }

    /**
     * Makes {@code stack} send through this link (with the real-time waiter: this wrapper is for
     * real-time links; a {@link SimNetwork} has its own conditions).
     */
    public void attach(NetStack stack) {
        stack.attach(this, null);
    }

    @Override
    public synchronized void transmit(NetStack from, ByteBuffer packet) {
        ByteBuffer copy = ByteBuffer.allocate(packet.remaining());
        copy.put(packet.duplicate()).flip();
        int destination = HostAddresses.destinationKey(copy);
        long key = ((long) from.address() << 32) | (destination & 0xffffffffL);
        FaultPipeline pipeline = pipelines.computeIfAbsent(key, k -> new FaultPipeline(conditions));
        RandomGenerator random = randoms.computeIfAbsent(key, k -> FaultPipeline.randomFor(seed, from.address(), destination));
        long now = scheduler.nanos() - startNanos;
        pipeline.carry(copy, now, random, new FaultPipeline.Sink() {
            @Override
            public void arrive(long atNanos, ByteBuffer arriving) {
                if (atNanos <= now) {
                    inner.transmit(from, arriving);
                } else {
                    scheduler.schedule(startNanos + atNanos, () -> transmitLater(from, arriving));
                }
            }

            @Override
            public void drop(String reason) {
                if (PacketCodec.decode(copy, view) == ParseResult.OK) from.traceDrop(view, reason);
                else from.traceDrop(copy, reason);
            }
        });
    }

    /**
     * A delayed packet, sent from the scheduler's thread: an error is reported to the sending stack
     * (an executor would keep it in a future nobody reads) and the thread goes on with the next.
     */
    private void transmitLater(NetStack from, ByteBuffer packet) {
        try {
            inner.transmit(from, packet);
        } catch (Throwable e) {
            LinkThreads.failed(from, "delayed packet of a FaultyLink", e);
        }
    }

    /** Passes the release on: the wrapped link may deliver on the releasing thread (MemoryLink). */
    @Override
    public void lockReleased(NetStack from) {
        inner.lockReleased(from);
    }

    @Override
    public boolean hasDeferred(NetStack from) {
        return inner.hasDeferred(from);
    }

    @Override
    public boolean isCarrying(NetStack stack) {
        return inner.isCarrying(stack);
    }

    /** What the faults did so far, summed over every direction. */
    public synchronized FaultStats stats() {
        FaultStats sum = FaultStats.ZERO;
        for (FaultPipeline p : pipelines.values()) sum = sum.plus(p.stats());
        return sum;
    }

    /** Stops the scheduler thread this link created ({@link #realTime}); packets still delayed are lost. */
    @Override
    public void close() {
        if (ownedExecutor != null) ownedExecutor.shutdownNow();
    }
}
