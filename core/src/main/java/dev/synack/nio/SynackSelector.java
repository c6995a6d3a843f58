package dev.synack.nio;

import dev.synack.stack.NetStack;
import java.io.IOException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.IllegalSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.nio.channels.spi.AbstractSelector;
import java.util.AbstractSet;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * A {@link Selector} over the channels of one {@link SynackSelectorProvider}.
 *
 * <p>Readiness is level-triggered, as the JDK's, and a selection costs what is ready, not what is
 * registered (as epoll's ready list): it asks only the channels that may be ready what they are
 * ready for now ({@link SynackChannel#readyOps}, under the stack's lock, taken once per
 * selection). Those are the keys whose channel's readiness handler ran since the last selection
 * (the stack runs it, once its lock is released, after every change the engine reports), the keys
 * registered or given a new interest set since then, and the keys the last selection found ready
 * (they stay ready until the program consumes what they are ready for). When none is ready, the
 * selecting thread waits on this selector's own lock, never holding the stack's; a handler only
 * queues its keys and signals that condition. Queuing the key before the question is asked and
 * checking for a change before waiting means that no change is lost between the two.
 *
 * <p>The selected-key set follows {@link Selector}'s "Selection" rules: a key ready for an
 * operation of its interest set is added with exactly the operations ready now, or, when it is
 * there already, has them added to its ready set; a selection never removes keys from it.
 * Cancelled keys leave every set before and after each selection.
 */
final class SynackSelector extends AbstractSelector {
    private final NetStack stack;
    private final Set<SelectionKey> keys = ConcurrentHashMap.newKeySet();
    private final Set<SelectionKey> publicKeys = Collections.unmodifiableSet(keys);
    private final Set<SelectionKey> selected = new HashSet<>();
    private final Set<SelectionKey> publicSelected = new UngrowableSet(selected);
    /** The keys the current scan asks, taken from {@link #toAsk} (the selecting thread's, reused). */
    private final List<SynackSelectionKey> asking = new ArrayList<>();
    /** The keys found ready by a scan, handled once the stack's lock is released (reused). */
    private final List<SynackSelectionKey> ready = new ArrayList<>();
    /** How many times a selection asked a channel what it is ready for (for tests). */
    long channelsAsked;
    private final int[] readyNow = new int[1];

    private final ReentrantLock signalLock = new ReentrantLock();
    private final Condition signalled = signalLock.newCondition();
    /**
     * The keys the next scan asks, each at most once ({@link SynackSelectionKey#queued}): signalled
     * by their channel, registered or given a new interest set, or found ready (guarded by signalLock).
     */
    private final ArrayDeque<SynackSelectionKey> toAsk = new ArrayDeque<>();
    /** A channel's readiness changed since the current scan began (guarded by signalLock). */
    private boolean changed;
    /** wakeup() was called: the current or next selection returns at once (guarded by signalLock). */
    private boolean woken;
    /** A selection is waiting on {@link #signalled} (guarded by signalLock). */
    private boolean waiting;

    SynackSelector(SynackSelectorProvider provider) {
        super(provider);
        this.stack = provider.stack();
    }

    @Override
    public Set<SelectionKey> keys() {
        ensureOpen();
        return publicKeys;
    }

    @Override
    public Set<SelectionKey> selectedKeys() {
        ensureOpen();
        return publicSelected;
    }

    @Override
    public int selectNow() throws IOException {
        return doSelect(null, -1);
    }

    @Override
    public int select(long timeout) throws IOException {
        if (timeout < 0) throw new IllegalArgumentException("Negative timeout");
        return doSelect(null, timeout);
    }

    @Override
    public int select() throws IOException {
        return doSelect(null, 0);
    }

    @Override
    public int select(Consumer<SelectionKey> action, long timeout) throws IOException {
        if (timeout < 0) throw new IllegalArgumentException("Negative timeout");
        return doSelect(Objects.requireNonNull(action, "action"), timeout);
    }

    @Override
    public int select(Consumer<SelectionKey> action) throws IOException {
        return select(action, 0L);
    }

    @Override
    public int selectNow(Consumer<SelectionKey> action) throws IOException {
        return doSelect(Objects.requireNonNull(action, "action"), -1);
    }

    /**
     * One selection. {@code timeoutMillis}: -1 never waits (selectNow), 0 waits until a channel is
     * ready, wakeup() or an interrupt, otherwise at most that long. {@code action} null: the
     * selected-key set is updated; else the action is run for each ready key, whose ready set is
     * then exactly what it is ready for, and the selected-key set is left alone.
     */
    private int doSelect(Consumer<SelectionKey> action, long timeoutMillis) throws IOException {
        synchronized (this) {
            ensureOpen();
            long deadline = timeoutMillis > 0 ? System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis) : 0;
            int updated;
            begin(); // an interrupt wakes the selection (and leaves the thread's interrupt status set)
            try {
                while (true) {
                    flushCancelled();
                    startScan(timeoutMillis < 0);
                    boolean anyReady = scan();
                    updated = record(action);
                    if (anyReady || timeoutMillis < 0 || !await(deadline)) break;
                }
            } finally {
                end();
                clearWoken();
            }
            flushCancelled();
            return updated;
        }
    }

    /**
     * Before asking the channels: takes the queued keys into {@link #asking}; changes signalled from
     * now on queue their keys again and make the selection ask again.
     */
    private void startScan(boolean now) {
        signalLock.lock();
        try {
            changed = false;
            if (now) woken = false; // selectNow clears a pending wakeup, as the JDK specifies
            SynackSelectionKey key;
            while ((key = toAsk.poll()) != null) {
                key.queued = false;
                asking.add(key);
            }
        } finally {
            signalLock.unlock();
        }
    }

    /**
     * Asks the queued keys' channels what they are ready for, under the stack's lock; fills
     * {@link #ready}, and queues the ready keys for the next selection (level-triggered).
     */
    private boolean scan() {
        ready.clear();
        stack.lock();
        try {
            for (SynackSelectionKey key : asking) {
                int interest = key.interest();
                if (!key.isValid() || interest == 0) continue;
                channelsAsked++;
                int ops = key.synackChannel.readyOps(interest);
                if (ops != 0) {
                    key.pendingReady = ops;
                    ready.add(key);
                }
            }
        } finally {
            stack.unlock();
        }
        asking.clear();
        if (ready.isEmpty()) return false;
        signalLock.lock();
        try {
            for (SynackSelectionKey key : ready) queue(key);
        } finally {
            signalLock.unlock();
        }
        return true;
    }

    /** Queues {@code key} for the next scan, once. Holds signalLock. */
    private void queue(SynackSelectionKey key) {
        if (!key.queued) {
            key.queued = true;
            toAsk.add(key);
        }
    }

    /**
     * The next selection asks {@code key}'s channel again (a new registration or interest set);
     * a selection already waiting is not woken, as the JDK specifies for interest changes.
     */
    void askAgain(SynackSelectionKey key) {
        signalLock.lock();
        try {
            queue(key);
        } finally {
            signalLock.unlock();
        }
    }

    /** Updates the ready keys' ready sets and the selected-key set (or runs {@code action}); the count updated. */
    private int record(Consumer<SelectionKey> action) {
        int updated = 0;
        for (SynackSelectionKey key : ready) {
            if (!key.isValid()) continue; // cancelled while the stack was asked
            int ops = key.pendingReady;
            if (action != null) {
                key.readyOps(ops);
                updated++;
                action.accept(key);
                ensureOpen();
            } else if (selected.add(key)) {
                key.readyOps(ops);
                updated++;
            } else if ((key.ready() | ops) != key.ready()) {
                key.readyOps(key.ready() | ops);
                updated++;
            }
        }
        ready.clear();
        return updated;
    }

    /**
     * Waits (not holding the stack's lock) for a readiness change, wakeup() or the deadline (0:
     * none). False when the selection must return now (woken, interrupted or timed out).
     */
    private boolean await(long deadline) {
        signalLock.lock();
        try {
            waiting = true;
            while (!changed && !woken) {
                if (Thread.currentThread().isInterrupted()) return false;
                if (deadline == 0) {
                    signalled.await();
                } else {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) return false;
                    signalled.awaitNanos(left);
                }
            }
            return !woken;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // as the JDK's select: return, interrupt status set
            return false;
        } finally {
            waiting = false;
            signalLock.unlock();
        }
    }

    private void clearWoken() {
        signalLock.lock();
        try {
            woken = false;
        } finally {
            signalLock.unlock();
        }
    }

    /** {@code key}'s channel's readiness may have changed. Called by its handler (on a thread processing the stack): never blocks for long. */
    void readinessChanged(SynackSelectionKey key) {
        signalLock.lock();
        try {
            queue(key);
            changed = true;
            if (waiting) signalled.signal();
        } finally {
            signalLock.unlock();
        }
    }

    @Override
    public Selector wakeup() {
        signalLock.lock();
        try {
            woken = true;
            if (waiting) signalled.signal();
        } finally {
            signalLock.unlock();
        }
        return this;
    }

    @Override
    protected SelectionKey register(AbstractSelectableChannel ch, int ops, Object attachment) {
        if (!(ch instanceof SynackChannel sc) || ch.provider() != provider()) {
            throw new IllegalSelectorException();
        }
        ensureOpen();
        SynackSelectionKey key = new SynackSelectionKey(this, ch, sc);
        key.interestOps(ops); // queues the key: the next selection asks it
        key.attach(attachment);
        keys.add(key);
        sc.registrations().add(key);
        return key;
    }

    /** Removes the cancelled keys from every set and deregisters them from their channels. */
    private void flushCancelled() {
        Set<SelectionKey> cancelled = cancelledKeys();
        synchronized (cancelled) {
            if (cancelled.isEmpty()) return;
            for (SelectionKey k : cancelled) {
                SynackSelectionKey key = (SynackSelectionKey) k;
                keys.remove(key);
                selected.remove(key);
                key.synackChannel.registrations().remove(key);
                deregister(key);
            }
            cancelled.clear();
        }
    }

    @Override
    protected void implCloseSelector() {
        wakeup();
        synchronized (this) {
            for (SelectionKey k : keys) k.cancel();
            flushCancelled();
        }
    }

    private void ensureOpen() {
        if (!isOpen()) throw new ClosedSelectorException();
    }

    @Override
    public String toString() {
        return "SynackSelector[" + stack.name() + ", " + keys.size() + " keys]";
    }

    /** The selected-key set as users see it: keys may be removed, never added (as the JDK specifies). */
    private static final class UngrowableSet extends AbstractSet<SelectionKey> {
        private final Set<SelectionKey> set;

        UngrowableSet(Set<SelectionKey> set) { this.set = set; }

        @Override public Iterator<SelectionKey> iterator() { return set.iterator(); }
        @Override public int size() { return set.size(); }
        @Override public boolean contains(Object o) { return set.contains(o); }
        @Override public boolean remove(Object o) { return set.remove(o); }
        @Override public void clear() { set.clear(); }

        @Override
        public boolean add(SelectionKey key) {
            throw new UnsupportedOperationException("keys cannot be added to a selected-key set");
        }
    }

}
