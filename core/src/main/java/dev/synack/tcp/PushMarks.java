package dev.synack.tcp;

/**
 * Where the segments sent with PSH ended, among the bytes not yet acknowledged, so that a
 * retransmission carries PSH where the original did. Linux keeps the flag on the skb that ended a
 * write (tcp_push marks the last skb of each write; tcp_fragment and tso_fragment leave it on the
 * piece holding the end; tcp_collapse_retrans joins the flags of what it merges), so a
 * retransmission covering the end of a write is pushed again whatever was written since.
 *
 * <p>Oldest first, at most {@link #CAPACITY}: with more outstanding, the oldest is forgotten (PSH is
 * advisory, RFC 9293 §3.9.1). The table is allocated with the first mark; most connections keep
 * one or two marks outstanding.
 */
final class PushMarks {
    static final int CAPACITY = 16;
    private static final int MASK = CAPACITY - 1;

    private int[] marks;
    private int head;
    private int count;

    /** A segment ending at {@code end} went out with PSH. Ends only grow: an end not beyond the last mark is one already held. */
    void add(int end) {
        if (marks == null) marks = new int[CAPACITY];
        if (count > 0 && !Seq.gt(end, marks[(head + count - 1) & MASK])) return;
        if (count == CAPACITY) {
            head = (head + 1) & MASK;
            count--;
        }
        marks[(head + count) & MASK] = end;
        count++;
    }

    /** SND.UNA reached {@code una}: the marks at or below it are acknowledged. */
    void acknowledge(int una) {
        while (count > 0 && !Seq.gt(marks[head], una)) {
            head = (head + 1) & MASK;
            count--;
        }
    }

    /** True when a mark lies in (seq, end]: the range holds the end of a segment sent with PSH. */
    boolean within(int seq, int end) {
        for (int i = 0; i < count; i++) {
            int mark = marks[(head + i) & MASK];
            if (Seq.gt(mark, end)) return false;
            if (Seq.gt(mark, seq)) return true;
        }
        return false;
    }
}
