package dev.synack.stack;

import java.util.ArrayList;
import java.util.List;

/**
 * A hash table from a {@code long} key to a value, with open addressing and linear probing, so that
 * a lookup on the per-packet path allocates nothing (no boxed keys, no entry objects). Removal
 * shifts the following entries back (Knuth's algorithm R) instead of leaving tombstones, so the
 * table never degrades. The load factor stays at most one half; when removals take it below one
 * eighth the table halves (never below its initial size), so that a stack whose connections
 * came and went does not keep the arrays of its busiest moment (a server after a burst).
 *
 * <p>The stack keys connections by {@link #key(int, int, int)}: remote address, local port and
 * remote port. The local address is not part of the key because a stack has exactly one address
 * (packets to any other address are dropped before the lookup).
 *
 * <p>Not thread-safe: the owning stack calls it under its lock.
 */
public final class DemuxTable<V> {
    private long[] keys;
    private Object[] values;
    private int size;
    private final int minCapacity;

    public DemuxTable(int expected) {
        int capacity = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        minCapacity = capacity;
        keys = new long[capacity];
        values = new Object[capacity];
    }

    /** The number of slots (for tests: the table grows and shrinks with its contents). */
    public int capacity() { return keys.length; }

    /** The demultiplexing key of a connection of this stack. */
    public static long key(int remoteAddress, int localPort, int remotePort) {
        return ((long) remoteAddress << 32) | ((long) (localPort & 0xffff) << 16) | (remotePort & 0xffff);
    }

    public int size() { return size; }

    private static int hash(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }

    @SuppressWarnings("unchecked")
    public V get(long key) {
        int m = keys.length - 1;
        for (int i = hash(key) & m; ; i = (i + 1) & m) {
            Object v = values[i];
            if (v == null) return null;
            if (keys[i] == key) return (V) v;
        }
    }

    public boolean containsKey(long key) { return get(key) != null; }

    /** Maps {@code key} to {@code value} (not null); returns the previous value or null. */
    @SuppressWarnings("unchecked")
    public V put(long key, V value) {
        if (value == null) throw new IllegalArgumentException("null value");
        int m = keys.length - 1;
        int i = hash(key) & m;
        for (; values[i] != null; i = (i + 1) & m) {
            if (keys[i] == key) {
                V old = (V) values[i];
                values[i] = value;
                return old;
            }
        }
        keys[i] = key;
        values[i] = value;
        if (++size * 2 > keys.length) resize();
        return null;
    }

    /** Removes {@code key}; returns its value or null. */
    @SuppressWarnings("unchecked")
    public V remove(long key) {
        int m = keys.length - 1;
        int i = hash(key) & m;
        for (; ; i = (i + 1) & m) {
            if (values[i] == null) return null;
            if (keys[i] == key) break;
        }
        V old = (V) values[i];
        // Algorithm R: move back every later entry of the run that would no longer be found.
        int hole = i;
        for (int j = (i + 1) & m; values[j] != null; j = (j + 1) & m) {
            int home = hash(keys[j]) & m;
            boolean movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
            if (movable) {
                keys[hole] = keys[j];
                values[hole] = values[j];
                hole = j;
            }
        }
        values[hole] = null;
        keys[hole] = 0;
        size--;
        // Shrinking at one eighth to a load of at most one quarter leaves room both ways: a table
        // cannot grow again before its size doubles, nor shrink again before it halves.
        if (keys.length > minCapacity && size * 8 < keys.length) rehash(keys.length / 2);
        return old;
    }

    /** A snapshot of the values, in table order (deterministic for the same keys inserted the same way). */
    @SuppressWarnings("unchecked")
    public List<V> values() {
        List<V> out = new ArrayList<>(size);
        for (Object v : values) if (v != null) out.add((V) v);
        return out;
    }

    private void resize() {
        rehash(keys.length * 2);
    }

    private void rehash(int capacity) {
        long[] oldKeys = keys;
        Object[] oldValues = values;
        keys = new long[capacity];
        values = new Object[capacity];
        int m = keys.length - 1;
        for (int j = 0; j < oldKeys.length; j++) {
            if (oldValues[j] == null) continue;
            int i = hash(oldKeys[j]) & m;
            while (values[i] != null) i = (i + 1) & m;
            keys[i] = oldKeys[j];
            values[i] = oldValues[j];
        }
    }
}
