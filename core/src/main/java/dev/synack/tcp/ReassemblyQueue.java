package dev.synack.tcp;

import dev.synack.wire.TcpOptions;

/**
 * The out-of-order bookkeeping of the receiver: which sequence ranges above RCV.NXT are held (the
 * bytes themselves wait in the receive ring's free region, at their offset from RCV.NXT), and which of
 * them to report in SACK blocks (RFC 2018 §4). The ranges are a {@link SeqRangeSet} of at most
 * {@link TcpConfig#maxOutOfOrderRanges()}, so memory stays bounded by the window plus a small fixed
 * table. The arrays (ranges and reported blocks) are allocated on the first out-of-order segment and
 * never again.
 */
final class ReassemblyQueue {
    private final SeqRangeSet ranges;

    /**
     * RFC 2018 §4: the blocks reported most recently, newest first (left/right edges). Allocated
     * with the ranges, on the first out-of-order segment: most connections never see one.
     */
    private int[] recentLeft;
    private int[] recentRight;
    private int recentCount;

    ReassemblyQueue(int maxRanges) {
        this.ranges = new SeqRangeSet(maxRanges);
    }

    boolean isEmpty() { return ranges.isEmpty(); }
    int size() { return ranges.size(); }
    int left(int i) { return ranges.left(i); }
    int right(int i) { return ranges.right(i); }

    /** Bytes in the held ranges. */
    long bytes() { return ranges.bytesFrom(0); }

    /** The index of the held range holding {@code seq}, or -1. */
    int indexContaining(int seq) { return ranges.indexContaining(seq); }

    /** True when a held range ends exactly at {@code seq}. */
    boolean endsAt(int seq) {
        for (int i = 0; i < ranges.size() && Seq.lt(ranges.left(i), seq); i++) {
            if (ranges.right(i) == seq) return true;
        }
        return false;
    }

    /**
     * Adds [seq, end), merging with every range it overlaps or touches, and makes the merged range the
     * first to report. Returns false (and changes nothing) when a new range would exceed the table.
     */
    boolean add(int seq, int end) {
        if (recentLeft == null) {
            recentLeft = new int[TcpOptions.MAX_SACK_BLOCKS];
            recentRight = new int[TcpOptions.MAX_SACK_BLOCKS];
            scratchLeft = new int[TcpOptions.MAX_SACK_BLOCKS];
            scratchRight = new int[TcpOptions.MAX_SACK_BLOCKS];
        }
        int at = ranges.add(seq, end);
        if (at < 0) return false;
        reportFirst(ranges.left(at), ranges.right(at));
        return true;
    }

    /**
     * RCV.NXT reached {@code rcvNxt}: removes the ranges it now reaches and returns the new RCV.NXT
     * (the end of the contiguous data), or {@code rcvNxt} itself when the gap is still open.
     */
    int advance(int rcvNxt) {
        int next = rcvNxt;
        int drop = 0;
        while (drop < ranges.size() && Seq.le(ranges.left(drop), next)) {
            next = Seq.max(next, ranges.right(drop));
            drop++;
        }
        ranges.removeFirst(drop);
        // Reported blocks now below RCV.NXT are acknowledged cumulatively: report them no more.
        int kept = 0;
        for (int i = 0; i < recentCount; i++) {
            if (Seq.gt(recentRight[i], next)) {
                recentLeft[kept] = recentLeft[i];
                recentRight[kept] = recentRight[i];
                kept++;
            }
        }
        recentCount = kept;
        return next;
    }

    void clear() {
        ranges.clear();
        recentCount = 0;
    }

    /** A segment repeated bytes of held range {@code i}: that range becomes the first block to report (RFC 2018 §4). */
    void reportAgain(int i) {
        reportFirst(ranges.left(i), ranges.right(i));
    }

    /** Number of blocks to report (RFC 2018 §4 order: the newest first). */
    int recentCount() { return recentCount; }
    int recentLeft(int i) { return recentLeft[i]; }
    int recentRight(int i) { return recentRight[i]; }

    /**
     * RFC 2018 §4: the block holding the newest segment first, then the others reported most
     * recently; blocks the new one swallowed (they merged into it) are not repeated.
     */
    private void reportFirst(int l, int r) {
        int n = recentCount;
        System.arraycopy(recentLeft, 0, scratchLeft, 0, n);
        System.arraycopy(recentRight, 0, scratchRight, 0, n);
        recentLeft[0] = l;
        recentRight[0] = r;
        int write = 1;
        for (int i = 0; i < n && write < recentLeft.length; i++) {
            boolean swallowed = Seq.le(l, scratchLeft[i]) && Seq.ge(r, scratchRight[i]);
            if (swallowed) continue;
            recentLeft[write] = scratchLeft[i];
            recentRight[write] = scratchRight[i];
            write++;
        }
        recentCount = write;
    }

    private int[] scratchLeft;
    private int[] scratchRight;
}
