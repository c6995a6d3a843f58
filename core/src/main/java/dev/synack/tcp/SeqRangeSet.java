package dev.synack.tcp;

/**
 * A set of sequence ranges [left, right), kept sorted, disjoint and non-adjacent (a range added next
 * to or across others merges with them), compared with {@link Seq} so that it works across the
 * 32-bit wrap as long as every range lies within 2^31 of the others. At most {@code maxRanges} of
 * them: the two arrays are allocated on the first {@link #add} and never again, and nothing else
 * allocates. The receiver's out-of-order queue and the sender's SACK scoreboard both keep one.
 */
final class SeqRangeSet {
    private final int maxRanges;
    private int[] left;
    private int[] right;
    private int count;

    SeqRangeSet(int maxRanges) {
        this.maxRanges = maxRanges;
    }

    int size() { return count; }
    boolean isEmpty() { return count == 0; }
    int left(int i) { return left[i]; }
    int right(int i) { return right[i]; }

    /** Bytes in the ranges from index {@code from} on. */
    long bytesFrom(int from) {
        long total = 0;
        for (int i = from; i < count; i++) total += Seq.distance(left[i], right[i]);
        return total;
    }

    /** The index of the range holding {@code seq}, or -1. */
    int indexContaining(int seq) {
        for (int i = 0; i < count && Seq.le(left[i], seq); i++) {
            if (Seq.lt(seq, right[i])) return i;
        }
        return -1;
    }

    /** True when [l, r) lies inside one range. */
    boolean covers(int l, int r) {
        for (int i = 0; i < count && Seq.le(left[i], l); i++) {
            if (Seq.ge(right[i], r)) return true;
        }
        return false;
    }

    /**
     * Adds [l, r), merging it with every range it overlaps or touches. Returns the index of the range
     * that now holds it, or -1 (and changes nothing) when it would need a range beyond the table.
     */
    int add(int l, int r) {
        if (left == null) {
            left = new int[maxRanges];
            right = new int[maxRanges];
        }
        int first = 0;
        while (first < count && Seq.lt(right[first], l)) first++; // ranges wholly before, not touching
        int last = first;
        while (last < count && Seq.le(left[last], r)) last++;     // [first, last) overlap or touch
        int merged = last - first;
        if (merged == 0) {
            if (count == maxRanges) return -1;
            System.arraycopy(left, first, left, first + 1, count - first);
            System.arraycopy(right, first, right, first + 1, count - first);
            left[first] = l;
            right[first] = r;
            count++;
        } else {
            left[first] = Seq.min(l, left[first]);
            right[first] = Seq.max(r, right[last - 1]);
            System.arraycopy(left, last, left, first + 1, count - last);
            System.arraycopy(right, last, right, first + 1, count - last);
            count -= merged - 1;
        }
        return first;
    }

    /** Removes the first {@code n} ranges. */
    void removeFirst(int n) {
        if (n <= 0) return;
        System.arraycopy(left, n, left, 0, count - n);
        System.arraycopy(right, n, right, 0, count - n);
        count -= n;
    }

    /** Forgets every byte below {@code seq}: ranges wholly below it go, one across it starts at it. */
    void removeBelow(int seq) {
        int drop = 0;
        while (drop < count && Seq.le(right[drop], seq)) drop++;
        removeFirst(drop);
        if (count > 0 && Seq.lt(left[0], seq)) left[0] = seq;
    }

    void clear() {
        count = 0;
    }
}
