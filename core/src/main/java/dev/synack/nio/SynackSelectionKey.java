package dev.synack.nio;

import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.Selector;
import java.nio.channels.spi.AbstractSelectionKey;

/**
 * A channel's registration with a {@link SynackSelector}. A change of the interest set takes
 * effect at the next selection (not in a selection already blocked, as the JDK specifies); the
 * ready set is written by selections only.
 */
final class SynackSelectionKey extends AbstractSelectionKey {
    final SynackSelector selector;
    private final SelectableChannel channel;
    final SynackChannel synackChannel;
    private volatile int interestOps;
    private volatile int readyOps;
    /** What the selection that found the key ready found it ready for (the selecting thread's scratch). */
    int pendingReady;
    /** In the selector's queue of keys to ask (guarded by the selector's signal lock). */
    boolean queued;

    SynackSelectionKey(SynackSelector selector, SelectableChannel channel, SynackChannel synackChannel) {
        this.selector = selector;
        this.channel = channel;
        this.synackChannel = synackChannel;
    }

    @Override
    public SelectableChannel channel() { return channel; }

    @Override
    public Selector selector() { return selector; }

    @Override
    public int interestOps() {
        ensureValid();
        return interestOps;
    }

    @Override
    public java.nio.channels.SelectionKey interestOps(int ops) {
        ensureValid();
        if ((ops & ~channel.validOps()) != 0) {
            throw new IllegalArgumentException("interest set " + SynackChannel.names(ops) + " has operations "
                    + channel + " does not support (valid: " + SynackChannel.names(channel.validOps()) + ")");
        }
        interestOps = ops;
        selector.askAgain(this);
        return this;
    }

    @Override
    public int readyOps() {
        ensureValid();
        return readyOps;
    }

    /** The interest set, for the selector (which skips keys no longer valid). */
    int interest() { return interestOps; }

    /** The ready set as a selection leaves it. */
    void readyOps(int ops) { readyOps = ops; }

    /** The ready set, for the selector. */
    int ready() { return readyOps; }

    private void ensureValid() {
        if (!isValid()) throw new CancelledKeyException();
    }

    @Override
    public String toString() {
        return "SynackSelectionKey[" + channel + (isValid() ? ", interest " + SynackChannel.names(interestOps)
                + ", ready " + SynackChannel.names(readyOps) : ", cancelled") + "]";
    }
}
