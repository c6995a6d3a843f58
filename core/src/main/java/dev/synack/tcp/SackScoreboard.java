package dev.synack.tcp;

import dev.synack.wire.TcpOptions;

/**
 * The sender's SACK scoreboard (RFC 6675 §3, "Update()"): the sequence ranges above SND.UNA the peer
 * has selectively acknowledged, a {@link SeqRangeSet}. Bounded by a fixed table (a block that
 * finds no room is forgotten, which only makes recovery more conservative). Also answers the
 * questions of RFC 6675 §4: IsLost per hole, and the byte count of SetPipe().
 */
final class SackScoreboard {
    private final SeqRangeSet ranges;
    /** The span [newLeft, newRight) holding every byte the last {@link #update} SACKed for the first time. */
    private int newLeft;
    private int newRight;

    SackScoreboard(int maxRanges) {
        this.ranges = new SeqRangeSet(maxRanges);
    }

    int size() { return ranges.size(); }
    boolean isEmpty() { return ranges.isEmpty(); }
    int left(int i) { return ranges.left(i); }
    int right(int i) { return ranges.right(i); }

    /** The end of the highest SACKed range, or {@code orElse} when nothing is SACKed. */
    int highestSacked(int orElse) {
        return ranges.isEmpty() ? orElse : ranges.right(ranges.size() - 1);
    }

    /**
     * Takes in the SACK blocks of an ACK (RFC 2018 §4) for data in (SND.UNA, SND.MAX]. A first block
     * below the cumulative ACK, or inside the second block, is a D-SACK (RFC 2883 §4) and reports a
     * duplicate, not new data: it is skipped. Returns true when the ACK SACKed data not SACKed before;
     * {@link #newlySackedLeft()} and {@link #newlySackedRight()} then bound where.
     */
    boolean update(TcpOptions opts, int ack, int sndUna, int sndMax) {
        int n = opts.sackBlockCount();
        boolean news = false;
        for (int i = 0; i < n; i++) {
            int l = opts.sackLeft(i);
            int r = opts.sackRight(i);
            if (i == 0 && isDsack(opts, ack)) continue;
            if (!Seq.lt(l, r)) continue;
            if (Seq.le(r, sndUna) || Seq.gt(r, sndMax)) continue; // stale, or beyond what we sent
            if (Seq.lt(l, sndUna)) l = sndUna;
            if (covered(l, r)) continue;
            // The bytes of [l, r) not SACKed before lie between the first and the last of them.
            int from = skipSacked(l);
            int to = uncoveredTo(r);
            if (ranges.add(l, r) < 0) continue;
            newLeft = news ? Seq.min(newLeft, from) : from;
            newRight = news ? Seq.max(newRight, to) : to;
            news = true;
        }
        return news;
    }

    /** After {@link #update} returned true: no byte left of this was SACKed by it for the first time. */
    int newlySackedLeft() { return newLeft; }
    /** After {@link #update} returned true: no byte from this on was SACKed by it for the first time. */
    int newlySackedRight() { return newRight; }

    /** {@code end}, or the start of the SACKed range holding the byte before it. */
    private int uncoveredTo(int end) {
        for (int i = 0; i < ranges.size(); i++) {
            if (Seq.lt(ranges.left(i), end) && Seq.ge(ranges.right(i), end)) return ranges.left(i);
        }
        return end;
    }

    /** RFC 2883 §4: the first block is a D-SACK when it lies below the ACK or within the second block. */
    static boolean isDsack(TcpOptions opts, int ack) {
        if (opts.sackBlockCount() == 0) return false;
        int l = opts.sackLeft(0);
        int r = opts.sackRight(0);
        if (Seq.le(r, ack)) return true;
        return opts.sackBlockCount() > 1 && Seq.ge(l, opts.sackLeft(1)) && Seq.le(r, opts.sackRight(1));
    }

    /** The bytes SACKed below {@code seq}. */
    int sackedBelow(int seq) {
        int bytes = 0;
        for (int i = 0; i < ranges.size() && Seq.lt(ranges.left(i), seq); i++) {
            bytes += Seq.distance(ranges.left(i), Seq.min(ranges.right(i), seq));
        }
        return bytes;
    }

    /** SND.UNA advanced to {@code sndUna}: forget what it covers. */
    void advance(int sndUna) {
        ranges.removeBelow(sndUna);
    }

    void clear() {
        ranges.clear();
    }

    /** True when {@code seq} lies in a SACKed range. */
    boolean isSacked(int seq) {
        return ranges.indexContaining(seq) >= 0;
    }

    /** The end of the SACKed range holding {@code seq}, or {@code seq} when it is not SACKed. */
    int skipSacked(int seq) {
        int i = ranges.indexContaining(seq);
        return i < 0 ? seq : ranges.right(i);
    }

    /**
     * RFC 6675 §4 IsLost for the hole just below range {@code i} (every byte of a hole has the same
     * SACKed data above it): DupThresh discontiguous SACKed ranges above it, or more than
     * (DupThresh - 1) * SMSS SACKed bytes.
     */
    boolean holeBelowIsLost(int i, int dupThresh, int smss) {
        return ranges.size() - i >= dupThresh || ranges.bytesFrom(i) > (long) (dupThresh - 1) * smss;
    }

    /** True when [l, r) lies inside one SACKed range. */
    boolean covered(int l, int r) {
        return ranges.covers(l, r);
    }

    /**
     * RFC 6675 §4 SetPipe(): the bytes in [sndUna, sndMax) presumed in the network. Every byte not
     * SACKed counts once unless IsLost says it left the network, and once more when it was
     * retransmitted (it lies below {@code highRxt}).
     */
    long pipe(int sndUna, int sndMax, int highRxt, int dupThresh, int smss) {
        long pipe = 0;
        long sackedAbove = 0;
        // Walk the holes from the top, so the SACKed bytes above each hole add up as we go.
        int holeEnd = sndMax;
        int count = ranges.size();
        for (int i = count; i >= 0; i--) {
            int holeStart = i == 0 ? sndUna : ranges.right(i - 1);
            if (Seq.lt(holeStart, holeEnd)) {
                boolean lost = i < count && lost(count - i, sackedAbove, dupThresh, smss);
                if (!lost) pipe += Seq.distance(holeStart, holeEnd);
                int retransmittedEnd = Seq.min(highRxt, holeEnd);
                if (Seq.gt(retransmittedEnd, holeStart)) pipe += Seq.distance(holeStart, retransmittedEnd);
            }
            if (i > 0) {
                sackedAbove += Seq.distance(ranges.left(i - 1), ranges.right(i - 1));
                holeEnd = ranges.left(i - 1);
            }
        }
        return pipe;
    }

    /**
     * RFC 6675 §4 NextSeg() rules (1) and (3): the first hole byte at or above {@code highRxt} and
     * below the highest SACKed byte, in a hole IsLost judges lost when {@code lostOnly}. Returns the
     * hole's end (the retransmission starts at max(hole start, highRxt), see {@link #foundStart}), or
     * {@code highRxt} itself when there is none.
     */
    int nextHole(int sndUna, int highRxt, boolean lostOnly, int dupThresh, int smss) {
        int holeStart = sndUna;
        for (int i = 0; i < ranges.size(); i++) {
            int holeEnd = ranges.left(i);
            int from = Seq.max(holeStart, highRxt);
            if (Seq.lt(from, holeEnd) && (!lostOnly || holeBelowIsLost(i, dupThresh, smss))) {
                foundStart = from;
                return holeEnd;
            }
            holeStart = ranges.right(i);
        }
        foundStart = highRxt;
        return highRxt;
    }

    /** Where the hole {@link #nextHole} found starts being eligible for retransmission. */
    int foundStart;

    private static boolean lost(int rangesAbove, long bytesAbove, int dupThresh, int smss) {
        return rangesAbove >= dupThresh || bytesAbove > (long) (dupThresh - 1) * smss;
    }
}
