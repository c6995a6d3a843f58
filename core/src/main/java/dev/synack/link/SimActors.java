package dev.synack.link;

import dev.synack.stack.NetStack;
import dev.synack.stack.Waiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The actors of one {@link SimNetwork} and the baton they pass: each actor runs on its own virtual
 * thread, but only while it holds the baton, so exactly one actor or the driver (the thread in
 * {@link SimNetwork#run()}) runs at any moment. The driver hands the baton to each actor that can
 * run, in spawn order; an actor gives it back when it must wait (it records its condition and
 * virtual deadline) or when its body returns. Virtual time is the network's: it is passed in.
 */
final class SimActors {
    private enum RunState { NEW, RUNNABLE, BLOCKED, DONE }

    /** The actor running on this thread; an actor belongs to one network, so one thread-local serves all. */
    private static final ThreadLocal<ActorState> CURRENT = new ThreadLocal<>();

    private final List<ActorState> actors = new ArrayList<>();
    private final Semaphore driverBaton = new Semaphore(0);
    private final Waiter waiter = new SimWaiter();
    private volatile boolean aborting;
    private final long wallLimitNanos;

    SimActors(long wallLimitNanos) {
        this.wallLimitNanos = wallLimitNanos;
    }

    private final class ActorState {
        final String name;
        final SimNetwork.Actor body;
        final Semaphore baton = new Semaphore(0);
        volatile RunState state = RunState.NEW;
        BooleanSupplier ready;
        long deadline;
        Throwable failure;
        Thread thread;

        ActorState(String name, SimNetwork.Actor body) {
            this.name = name;
            this.body = body;
        }

        SimActors owner() { return SimActors.this; }

        void main() {
            baton.acquireUninterruptibly();
            try {
                if (!aborting) {
                    CURRENT.set(this);
                    body.run();
                }
            } catch (SimNetwork.SimulationAborted ignored) {
                // Unwound on purpose.
            } catch (Throwable t) {
                failure = t;
            } finally {
                state = RunState.DONE;
                CURRENT.remove();
                driverBaton.release();
            }
        }

        /** Gives the baton back until the driver resumes this actor. */
        void block(BooleanSupplier ready, long deadline) {
            if (aborting) throw new SimNetwork.SimulationAborted();
            this.ready = ready;
            this.deadline = deadline;
            state = RunState.BLOCKED;
            driverBaton.release();
            baton.acquireUninterruptibly();
            this.ready = null;
            if (aborting) throw new SimNetwork.SimulationAborted();
        }

        String describe() {
            return name + (state == RunState.BLOCKED && deadline != Long.MAX_VALUE
                    ? " (blocked until " + Duration.ofNanos(deadline) + ")" : " (" + state.name().toLowerCase(Locale.ROOT) + ")");
        }
    }

    /** The stacks' waiter: blocks the calling actor until the driver resumes it. */
    Waiter waiter() { return waiter; }

    /** The calling thread's actor of this network, or null. */
    private ActorState current() {
        ActorState a = CURRENT.get();
        return a != null && a.owner() == this ? a : null;
    }

    boolean onActorThread() { return current() != null; }

    void spawn(String name, SimNetwork.Actor body) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(body, "body");
        ActorState a = new ActorState(name, body);
        a.thread = Thread.ofVirtual().name("sim-actor-" + name).unstarted(a::main);
        actors.add(a);
        a.thread.start();
    }

    /** Called from an actor: gives the baton back until {@code deadline} (virtual time). */
    void sleepUntil(long deadline) {
        ActorState actor = current();
        if (actor == null) throw new IllegalStateException("SimNetwork.sleep must be called from an actor");
        actor.block(() -> false, deadline);
    }

    private final class SimWaiter implements Waiter {
        @Override
        public boolean awaitUntil(NetStack stack, Object key, BooleanSupplier ready, long deadlineNanos) {
            ActorState actor = current();
            if (actor == null) {
                throw new IllegalStateException("a socket call on simulated host " + stack.name()
                        + " must wait, but the calling thread is not an actor: use SimNetwork.spawn");
            }
            int holds = stack.lockHoldCount();
            for (int i = 0; i < holds; i++) stack.unlock();
            try {
                actor.block(ready, deadlineNanos);
            } finally {
                for (int i = 0; i < holds; i++) stack.lock();
            }
            return ready.getAsBoolean();
        }

        @Override
        public void wakeup(NetStack stack, Object key) {
            // The driver re-evaluates every blocked actor's condition after each step.
        }
    }

    /** Gives the baton to every actor that can run at {@code now}, in spawn order, until none can. */
    void runReady(long now) {
        boolean progress = true;
        while (progress) {
            progress = false;
            for (int i = 0; i < actors.size(); i++) {
                ActorState a = actors.get(i);
                if (a.state == RunState.BLOCKED && isReady(a, now)) a.state = RunState.RUNNABLE;
                if (a.state == RunState.NEW || a.state == RunState.RUNNABLE) {
                    a.state = RunState.RUNNABLE;
                    resume(a);
                    progress = true;
                    if (a.failure != null) throw abort(new SimNetwork.ActorFailedException(a.name, a.failure));
                }
            }
        }
    }

    private static boolean isReady(ActorState a, long now) {
        if (now >= a.deadline) return true;
        try {
            return a.ready.getAsBoolean();
        } catch (RuntimeException e) {
            return true; // the actor re-evaluates it and meets the exception itself
        }
    }

    private void resume(ActorState a) {
        a.baton.release();
        boolean yielded;
        try {
            yielded = driverBaton.tryAcquire(wallLimitNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while actor '" + a.name + "' ran", e);
        }
        if (!yielded) {
            aborting = true;
            throw new IllegalStateException("actor '" + a.name + "' ran for " + Duration.ofNanos(wallLimitNanos)
                    + " of real time without blocking or finishing (is it waiting on something outside the simulation?)");
        }
    }

    /** The earliest deadline of a blocked actor, or Long.MAX_VALUE. */
    long nextDeadline() {
        long next = Long.MAX_VALUE;
        for (ActorState s : actors) if (s.state == RunState.BLOCKED) next = Math.min(next, s.deadline);
        return next;
    }

    /** Each actor that has not finished, described with its state ("name (blocked until ...)"). */
    List<String> unfinished() {
        List<String> out = new ArrayList<>();
        for (ActorState a : actors) if (a.state != RunState.DONE) out.add(a.describe());
        return out;
    }

    /**
     * Ends the run after a failure: unwinds every actor that has not finished, one at a time (each
     * meets {@link SimNetwork.SimulationAborted} where it waits), so that no thread is left parked.
     */
    RuntimeException abort(RuntimeException failure) {
        aborting = true;
        for (ActorState a : actors) {
            if (a.state == RunState.DONE) continue;
            a.baton.release();
            try {
                if (!driverBaton.tryAcquire(1, TimeUnit.SECONDS)) break;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return failure;
    }
}
