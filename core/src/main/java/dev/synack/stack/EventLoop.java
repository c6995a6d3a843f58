package dev.synack.stack;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The real-time event loop: a daemon platform thread that takes the stack's lock to process the
 * packets a link queued ({@link NetStack#enqueue}, from any thread) and the timers that are due,
 * releases it (which lets a caller-runs link deliver what the round sent), then parks until the
 * next deadline or the next packet. Simulations never start it.
 */
final class EventLoop {
    /** The loop wakes at least this often even with nothing due; timed waits re-check as often. */
    static final long MAX_PARK_NANOS = TimeUnit.SECONDS.toNanos(1);
    /**
     * The longest the loop holds back due timers while the link still carries this host's packets:
     * a few OS scheduling quanta, far below the smallest engine timer that matters for correctness
     * (the 200 ms minimum RTO); loss probes and delayed ACKs fire at most this late.
     */
    static final long MAX_TIMER_HOLD_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long NOT_HELD = Long.MIN_VALUE;

    private final NetStack stack;
    private final ConcurrentLinkedQueue<Object> queue = new ConcurrentLinkedQueue<>();
    private volatile Thread thread;
    private volatile boolean running;
    private volatile long wakeAt = Long.MAX_VALUE;
    /** Since when the loop has held back due timers while the link carried packets (loop thread only). */
    private long timersHeldSince = NOT_HELD;

    EventLoop(NetStack stack) {
        this.stack = stack;
    }

    /** A queued packet whose TCP checksum is not to be verified (the queue holds these and plain buffers). */
    private record TrustedPacket(ByteBuffer packet) {}

    void enqueue(ByteBuffer packet, boolean tcpChecksumTrusted) {
        queue.add(tcpChecksumTrusted ? new TrustedPacket(packet) : packet);
        wake();
    }

    /**
     * Processes {@code packet} on the calling thread, after the packets queued before it, when the
     * stack's lock is free; false, having done nothing, when another thread holds it (the caller
     * then queues it). Releasing the lock sends what the packet caused and runs the readiness
     * handlers it made due, on this thread: a link's reader serves a connection with no handoff to
     * this loop's thread.
     */
    boolean processIfFree(ByteBuffer packet, boolean tcpChecksumTrusted) {
        StackLock lock = stack.stackLock();
        if (!lock.tryLock()) return false;
        try {
            drainQueue(lock);
            stack.inbound().packet(packet, tcpChecksumTrusted, lock.engineNow());
        } finally {
            lock.unlock();
        }
        return true;
    }

    /** {@link #processIfFree(ByteBuffer, boolean)} for {@code packets[from..to)} under one hold of the lock. */
    boolean processIfFree(ByteBuffer[] packets, int from, int to, boolean tcpChecksumTrusted) {
        StackLock lock = stack.stackLock();
        if (!lock.tryLock()) return false;
        try {
            drainQueue(lock);
            for (int i = from; i < to; i++) stack.inbound().packet(packets[i], tcpChecksumTrusted, lock.engineNow());
        } finally {
            lock.unlock();
        }
        return true;
    }

    /** The queued packets, in order (lock held). */
    private void drainQueue(StackLock lock) {
        Object p;
        while ((p = queue.poll()) != null) {
            if (p instanceof TrustedPacket t) stack.inbound().packet(t.packet(), true, lock.engineNow());
            else stack.inbound().packet((ByteBuffer) p, false, lock.engineNow());
        }
    }

    /** Makes the loop run a round soon (any thread). */
    void wake() {
        Thread loop = thread;
        if (loop != null) LockSupport.unpark(loop);
    }

    /** The earliest timer deadline may have moved before the one the loop sleeps until: wake it. */
    void timersChanged(long earliestDeadline) {
        Thread loop = thread;
        if (loop != null && earliestDeadline < wakeAt) LockSupport.unpark(loop);
    }

    boolean isRunning() { return running; }

    synchronized void start() {
        if (running) throw new IllegalStateException(stack.name() + " is already running");
        running = true;
        Thread t = Thread.ofPlatform().daemon().name("synack-" + stack.name()).unstarted(this::loop);
        thread = t;
        t.start();
    }

    synchronized void close() {
        running = false;
        Thread t = thread;
        if (t == null) return;
        LockSupport.unpark(t);
        try {
            t.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread = null;
    }

    private void loop() {
        while (running) {
            long next;
            try {
                next = round();
            } catch (Throwable ex) {
                // Past the round's own catch (a fatal error, or one from the link after the
                // release): the lock is released; report it and go on, never die deaf.
                stack.threadFailed("event loop", ex);
                next = stack.clock().nanos() + Timers.TICK_NANOS;
            }
            if (!queue.isEmpty()) continue;
            long park = next == Long.MAX_VALUE ? MAX_PARK_NANOS : Math.min(MAX_PARK_NANOS, next - stack.clock().nanos());
            if (park > 0) LockSupport.parkNanos(this, park);
        }
    }

    /** One round: the queued packets, then the due timers. Returns when to wake next. */
    private long round() {
        long next;
        StackLock lock = stack.stackLock();
        lock.lock();
        try {
            drainQueue(lock);
            long now = lock.engineNow();
            Timers timers = stack.timers();
            if (holdTimers(timers, now)) {
                next = now + Timers.TICK_NANOS;
            } else {
                stack.connections().fireTimers(now);
                // At or before the earliest deadline (an early wake finds nothing due): the
                // exact one can walk a crowded slot, under the lock everything else needs.
                next = timers.nextDeadlineBound();
            }
            wakeAt = next;
        } catch (Throwable ex) {
            Diagnostics.rethrowFatal(ex);
            stack.diagnostics().internalError(stack.clock().nanos(), "event loop", ex);
            next = stack.clock().nanos() + Timers.TICK_NANOS;
        } finally {
            lock.unlock();
        }
        return next;
    }

    /**
     * True when due timers should wait a tick: the link still carries packets from or to this host
     * ({@link PacketTransmitter#isCarrying}), such as an ACK that the thread delivering it has not
     * finished delivering. With caller-runs delivery that thread is not this loop, and a loss probe
     * (PTO = 2 SRTT, microseconds in memory) would otherwise fire whenever the OS deschedules it.
     * Never for longer than {@link #MAX_TIMER_HOLD_NANOS} in a row, so timers always fire.
     */
    private boolean holdTimers(Timers timers, long now) {
        PacketTransmitter link = stack.transmitter();
        boolean hold = link != null && timers.nextDeadlineBound() <= now && link.isCarrying(stack)
                && (timersHeldSince == NOT_HELD || now - timersHeldSince < MAX_TIMER_HOLD_NANOS);
        if (!hold) timersHeldSince = NOT_HELD;
        else if (timersHeldSince == NOT_HELD) timersHeldSince = now;
        return hold;
    }
}
