package dev.synack.stack;

import dev.synack.wire.IpAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * A hash table from a key of two longs and an int to a value, with open addressing and linear
 * probing, so that a lookup on the per-packet path allocates nothing (no boxed keys, no entry
 * objects). Removal shifts the following entries back (Knuth's algorithm R) instead of leaving
 * tombstones, so the table never degrades. The load factor stays at most one half; when removals
 * take it below one eighth the table halves (never below its initial size), so that a stack whose
 * connections came and went does not keep the arrays of its busiest moment (a server after a burst).
 *
 * <p>The stack keys a connection by its remote address (the 128 bits {@link IpAddress} holds, IPv4
 * as IPv4-mapped, so both families share one table), {@link #ports} (local and remote port) and a
 * local-address key: 0 for the stack's own address of the remote's family, so that a stack
 * without forwarding keys by remote address and ports alone; for a forwarded destination the
 * 32 bits {@code LocalKeys} derives from it. The methods without a local key use 0. The
 * single-{@code long} methods are the same table with the key in the middle long.
 *
 * <p>Not thread-safe: the owning stack calls it under its lock.
 */
public final class DemuxTable<V> {
    private long[] his;
    private long[] los;
    private int[] ints;
    private int[] locals;
    private Object[] values;
    private int size;
    private final int minCapacity;

    public DemuxTable(int expected) {
        int capacity = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        minCapacity = capacity;
        allocate(capacity);
    }

    private void allocate(int capacity) {
        his = new long[capacity];
        los = new long[capacity];
        ints = new int[capacity];
        locals = new int[capacity];
        values = new Object[capacity];
    }

    /** The number of slots (for tests: the table grows and shrinks with its contents). */
    public int capacity() { return values.length; }

    /** An IPv4 connection's key as one long: remote address, local port, remote port (tools and benchmarks). */
    public static long key(int remoteAddress, int localPort, int remotePort) {
        return ((long) remoteAddress << 32) | ports(localPort, remotePort);
    }

    /** The ports part of a connection's key: the local port high, the remote port low. */
    public static int ports(int localPort, int remotePort) {
        return ((localPort & 0xffff) << 16) | (remotePort & 0xffff);
    }

    public int size() { return size; }

    private static int hash(long hi, long lo, int low, int local) {
        long h = (hi * 0xC2B2AE3D27D4EB4FL + lo) * 0x9E3779B97F4A7C15L + low * 0x165667B19E3779F9L + local * 0xD6E8FEB86659FD93L;
        h *= 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }

    private boolean at(int i, long hi, long lo, int low, int local) {
        return los[i] == lo && ints[i] == low && his[i] == hi && locals[i] == local;
    }

    public V get(long key) { return get(0, key, 0); }

    /** The value of the connection from {@code remote} with {@code ports} ({@link #ports}). */
    public V get(IpAddress remote, int ports) { return get(remote.hi(), remote.lo(), ports); }

    public V get(long hi, long lo, int low) { return get(hi, lo, low, 0); }

    /** The value of the connection from {@code remote} with {@code ports} to the destination of {@code localKey}. */
    public V get(IpAddress remote, int ports, int localKey) { return get(remote.hi(), remote.lo(), ports, localKey); }

    @SuppressWarnings("unchecked")
    public V get(long hi, long lo, int low, int local) {
        int m = values.length - 1;
        for (int i = hash(hi, lo, low, local) & m; ; i = (i + 1) & m) {
            Object v = values[i];
            if (v == null) return null;
            if (at(i, hi, lo, low, local)) return (V) v;
        }
    }

    public boolean containsKey(long key) { return get(key) != null; }

    public boolean containsKey(IpAddress remote, int ports) { return get(remote, ports) != null; }

    public V put(long key, V value) { return put(0, key, 0, value); }

    public V put(IpAddress remote, int ports, V value) { return put(remote.hi(), remote.lo(), ports, 0, value); }

    public V put(IpAddress remote, int ports, int localKey, V value) { return put(remote.hi(), remote.lo(), ports, localKey, value); }

    public V put(long hi, long lo, int low, V value) { return put(hi, lo, low, 0, value); }

    /** Maps the key to {@code value} (not null); returns the previous value or null. */
    @SuppressWarnings("unchecked")
    public V put(long hi, long lo, int low, int local, V value) {
        if (value == null) throw new IllegalArgumentException("null value");
        int m = values.length - 1;
        int i = hash(hi, lo, low, local) & m;
        for (; values[i] != null; i = (i + 1) & m) {
            if (at(i, hi, lo, low, local)) {
                V old = (V) values[i];
                values[i] = value;
                return old;
            }
        }
        his[i] = hi;
        los[i] = lo;
        ints[i] = low;
        locals[i] = local;
        values[i] = value;
        if (++size * 2 > values.length) rehash(values.length * 2);
        return null;
    }

    public V remove(long key) { return remove(0, key, 0); }

    public V remove(IpAddress remote, int ports) { return remove(remote.hi(), remote.lo(), ports, 0); }

    public V remove(IpAddress remote, int ports, int localKey) { return remove(remote.hi(), remote.lo(), ports, localKey); }

    public V remove(long hi, long lo, int low) { return remove(hi, lo, low, 0); }

    /** Removes the key; returns its value or null. */
    @SuppressWarnings("unchecked")
    public V remove(long hi, long lo, int low, int local) {
        int m = values.length - 1;
        int i = hash(hi, lo, low, local) & m;
        for (; ; i = (i + 1) & m) {
            if (values[i] == null) return null;
            if (at(i, hi, lo, low, local)) break;
        }
        V old = (V) values[i];
        // Algorithm R: move back every later entry of the run that would no longer be found.
        int hole = i;
        for (int j = (i + 1) & m; values[j] != null; j = (j + 1) & m) {
            int home = hash(his[j], los[j], ints[j], locals[j]) & m;
            boolean movable = hole <= j ? (home <= hole || home > j) : (home <= hole && home > j);
            if (movable) {
                move(j, hole);
                hole = j;
            }
        }
        values[hole] = null;
        size--;
        // Shrinking at one eighth to a load of at most one quarter leaves room both ways: a table
        // cannot grow again before its size doubles, nor shrink again before it halves.
        if (values.length > minCapacity && size * 8 < values.length) rehash(values.length / 2);
        return old;
    }

    private void move(int from, int to) {
        his[to] = his[from];
        los[to] = los[from];
        ints[to] = ints[from];
        locals[to] = locals[from];
        values[to] = values[from];
    }

    /** A snapshot of the values, in table order (deterministic for the same keys inserted the same way). */
    @SuppressWarnings("unchecked")
    public List<V> values() {
        List<V> out = new ArrayList<>(size);
        for (Object v : values) if (v != null) out.add((V) v);
        return out;
    }

    private void rehash(int capacity) {
        long[] oldHis = his, oldLos = los;
        int[] oldInts = ints, oldLocals = locals;
        Object[] oldValues = values;
        allocate(capacity);
        int m = capacity - 1;
        for (int j = 0; j < oldValues.length; j++) {
            if (oldValues[j] == null) continue;
            int i = hash(oldHis[j], oldLos[j], oldInts[j], oldLocals[j]) & m;
            while (values[i] != null) i = (i + 1) & m;
            his[i] = oldHis[j];
            los[i] = oldLos[j];
            ints[i] = oldInts[j];
            locals[i] = oldLocals[j];
            values[i] = oldValues[j];
        }
    }
}
