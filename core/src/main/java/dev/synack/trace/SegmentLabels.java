package dev.synack.trace;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the ladder renderers write on a segment: tcpdump's flags, then seq and ack numbered as
 * tcpdump does. A segment carrying SYN shows its raw ISN; every other segment shows seq and ack
 * relative to the ISN of their direction, learnt from the SYNs seen so far, so the first data byte
 * is seq 1. Feed the packets in trace order.
 */
final class SegmentLabels {
    private static final long SEQ_MASK = 0xffff_ffffL;

    /** ISN per direction "src>dst", learnt from SYNs. */
    private final Map<String, Long> isns = new HashMap<>();

    /** "flags seq S[ ack A]" of {@code p}; learns its ISN when it carries SYN. */
    String numbers(TraceEvent.Packet p) {
        String seq = relativeSeq(p);
        String ack = relativeAck(p);
        if (p.flags().indexOf('S') >= 0) {
            isns.put(p.src() + ">" + p.dst(), p.seq() & SEQ_MASK);
        }
        return p.flags() + " seq " + seq + (ack == null ? "" : " ack " + ack);
    }

    /** {@link #numbers} followed by len and win, and the ECN mark when any, as a segment's arrow is labelled. */
    String full(TraceEvent.Packet p) {
        return numbers(p) + " len " + p.len() + " win " + p.win() + p.ecnLabel();
    }

    private String relativeSeq(TraceEvent.Packet p) {
        if (p.flags().indexOf('S') >= 0) {
            return Long.toString(p.seq() & SEQ_MASK);
        }
        return relative(p.seq(), isns.get(p.src() + ">" + p.dst()));
    }

    /** The ack relative to the ISN of the opposite direction; null when the ACK bit is clear. */
    private String relativeAck(TraceEvent.Packet p) {
        if (p.flags().indexOf('.') < 0) {
            return null;
        }
        return relative(p.ack(), isns.get(p.dst() + ">" + p.src()));
    }

    private static String relative(long value, Long isn) {
        return Long.toString(isn == null ? value & SEQ_MASK : (value - isn) & SEQ_MASK);
    }

    /**
     * The index of the first event after {@code send} (at index {@code i}) that is about the same
     * segment and is not itself a send: its arrival or its drop; -1 when the trace has neither.
     */
    static int fate(List<? extends TraceEvent> events, int i) {
        if (!(events.get(i) instanceof TraceEvent.Packet send)) {
            return -1;
        }
        for (int j = i + 1; j < events.size(); j++) {
            if (events.get(j) instanceof TraceEvent.Packet p && p.direction() != TraceEvent.Direction.SEND
                    && sameSegment(send, p)) {
                return j;
            }
        }
        return -1;
    }

    private static boolean sameSegment(TraceEvent.Packet a, TraceEvent.Packet b) {
        return a.src().equals(b.src()) && a.dst().equals(b.dst()) && a.flags().equals(b.flags())
                && a.seq() == b.seq() && a.ack() == b.ack() && a.len() == b.len() && a.win() == b.win()
                && Objects.equals(a.options(), b.options());
    }

    /** "10.0.0.1" of "10.0.0.1:80", "[fd00::1]" of "[fd00::1]:80" or of "[fd00::1]". */
    static String hostPart(String endpoint) {
        if (endpoint.startsWith("[")) {
            int close = endpoint.indexOf(']');
            return close < 0 ? endpoint : endpoint.substring(0, close + 1);
        }
        int colon = endpoint.lastIndexOf(':');
        return colon < 0 ? endpoint : endpoint.substring(0, colon);
    }
}
