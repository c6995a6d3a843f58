package dev.synack.nio;

import java.util.Arrays;

/**
 * The selection keys of one channel. The channel's readiness handler (which runs on the thread
 * processing the stack, once it has released the stack's lock) reads them to wake their selectors: an array
 * replaced on every change, so that it reads them without a lock and without allocating.
 */
final class Registrations {
    private static final SynackSelectionKey[] NONE = {};
    private volatile SynackSelectionKey[] keys = NONE;

    synchronized void add(SynackSelectionKey key) {
        SynackSelectionKey[] k = Arrays.copyOf(keys, keys.length + 1);
        k[k.length - 1] = key;
        keys = k;
    }

    synchronized void remove(SynackSelectionKey key) {
        SynackSelectionKey[] k = keys;
        for (int i = 0; i < k.length; i++) {
            if (k[i] == key) {
                SynackSelectionKey[] rest = new SynackSelectionKey[k.length - 1];
                System.arraycopy(k, 0, rest, 0, i);
                System.arraycopy(k, i + 1, rest, i, k.length - i - 1);
                keys = rest;
                return;
            }
        }
    }

    /** The channel may have become ready: every selector it is registered with looks again. Never blocks. */
    void signal() {
        for (SynackSelectionKey k : keys) k.selector.readinessChanged(k);
    }
}
