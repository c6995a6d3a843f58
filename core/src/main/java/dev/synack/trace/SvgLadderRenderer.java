package dev.synack.trace;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Draws the trace of a two-host run as a picture: the ladder diagram of {@link LadderRenderer},
 * as a standalone SVG document or as an HTML page embedding it with a title and a legend.
 *
 * <ul>
 *   <li>Time runs down the page. Every event has a row of its own (a sent segment two: its label
 *       above its arrow), and the space between two rows grows with the time between them (2 px
 *       per millisecond, at most 80 px); a silence of a second or more is a break saying how long
 *       it was. So the axis is monotonic but not linear: the time of each row is on the left.</li>
 *   <li>Each host is a column named after it, shaded by the state it is in (the state of its
 *       connection, or of its listener before it has one), with the state's name.</li>
 *   <li>Each segment is an arrow from the sender's column at its send time to the receiver's
 *       column at its arrival time, so it slopes by its flight time; it is labelled at the sender
 *       as the text ladder labels it (flags, seq, ack, len, win); its options are in its tooltip.
 *       A segment the network lost ends in a red X halfway, one the receiver discarded ends in a
 *       red X at the receiver; the reason is written beside the X. A drop whose sending is not
 *       in the trace is a short arrow into the column of the host that dropped it; a segment whose
 *       arrival is not in the trace is a dashed arrow drawn level.</li>
 *   <li>State changes, user calls and timers are small grey notes beside their host's column.</li>
 * </ul>
 * All text is escaped for XML; the output depends only on the trace, so equal traces give equal
 * documents. Events of hosts other than the two named ones are left out (the footer says how many).
 */
public final class SvgLadderRenderer {
    private static final int ROW = 16;
    private static final int TOP = 64;
    private static final double PX_PER_MS = 2.0;
    private static final int MAX_STRETCH = 80;
    private static final long GAP_NANOS = 1_000_000_000L;
    private static final int GAP_HEIGHT = 36;
    private static final int TIME_X = 80;
    private static final int BAND_WIDTH = 110;
    private static final int LEFT_X = 210;
    private static final int RIGHT_X = 880;
    private static final int WIDTH = RIGHT_X + BAND_WIDTH + 20;
    private static final int LABEL_INSET = 8;
    private static final int X_SIZE = 5;

    /** Shading per state; other states get {@link #OTHER_STATE_COLOUR}. */
    private static final Map<String, String> STATE_COLOURS = Map.ofEntries(
            Map.entry("CLOSED", "#e9ecef"), Map.entry("LISTEN", "#dbe4ff"), Map.entry("SYN_SENT", "#fff3bf"),
            Map.entry("SYN_RECV", "#ffe8cc"), Map.entry("ESTABLISHED", "#d3f9d8"), Map.entry("FIN_WAIT1", "#ffe3e3"),
            Map.entry("FIN_WAIT2", "#fcc2d7"), Map.entry("CLOSE_WAIT", "#e5dbff"), Map.entry("CLOSING", "#ffd8a8"),
            Map.entry("LAST_ACK", "#d0ebff"), Map.entry("TIME_WAIT", "#c5f6fa"));
    private static final String OTHER_STATE_COLOUR = "#f1f3f5";

    private static final String STYLE = "text{font-family:monospace;font-size:11px;fill:#212529}"
            + ".halo{paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}"
            + ".host{font-size:14px;font-weight:bold}.time{fill:#868e96}.note{fill:#6c757d;font-style:italic}"
            + ".state-name{font-size:10px;fill:#495057}.seg{stroke:#1c7ed6;stroke-width:1.2}"
            + ".seg.lost,.seg.discarded{stroke:#e03131}.seg.untraced{stroke-dasharray:4 3}"
            + ".drop-mark{stroke:#e03131;stroke-width:2.5}.drop-reason{fill:#e03131}"
            + ".lifeline{stroke:#495057;stroke-width:1.5}.gap{fill:#868e96}.gap-band{fill:#f8f9fa}";

    private final String left;
    private final String right;

    public SvgLadderRenderer(String left, String right) {
        if (left == null || right == null || left.equals(right)) {
            throw new IllegalArgumentException("two different host names are needed, got " + left + " and " + right);
        }
        this.left = left;
        this.right = right;
    }

    /** The diagram as a standalone SVG document (no XML declaration, so it embeds in HTML as it is). */
    public String svg(List<? extends TraceEvent> events) {
        return new Drawing(events).render();
    }

    /**
     * An HTML page: {@code title} as its heading, {@code description} (preformatted, may be empty)
     * under it, a legend of the states and marks in the diagram, then the SVG.
     */
    public String html(List<? extends TraceEvent> events, String title, String description) {
        Drawing d = new Drawing(events);
        String svg = d.render();
        StringBuilder b = new StringBuilder("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n");
        b.append("<title>").append(escape(title)).append("</title>\n");
        b.append("<style>body{font-family:sans-serif;margin:16px}pre{font-size:12px}"
                + ".legend{font-size:13px;margin:8px 0}.legend span{display:inline-block;margin:0 14px 4px 0}"
                + ".swatch{display:inline-block;width:14px;height:14px;border:1px solid #adb5bd;"
                + "vertical-align:middle;margin-right:4px}</style>\n</head>\n<body>\n");
        b.append("<h1>").append(escape(title)).append("</h1>\n");
        if (!description.isEmpty()) {
            b.append("<pre>").append(escape(description)).append("</pre>\n");
        }
        b.append("<div class=\"legend\">\n<div>");
        for (String state : d.statesSeen) {
            b.append("<span><i class=\"swatch\" style=\"background:").append(colour(state)).append("\"></i>")
                    .append(escape(state)).append("</span>");
        }
        b.append("</div>\n<div><span><b style=\"color:#1c7ed6\">&#8594;</b> a segment, from its sending to its arrival"
                + " (label: flags, seq, ack, len, win; options in its tooltip)</span>"
                + "<span><b style=\"color:#e03131\">&#10007;</b> dropped: halfway when lost in the network, at the"
                + " receiver when it discarded it; the reason beside it</span>"
                + "<span><i>grey notes</i>: state changes, user calls, timers</span>"
                + "<span>time runs down: each event has a row, spaced by the time between them</span></div>\n</div>\n");
        b.append(svg);
        b.append("</body>\n</html>\n");
        return b.toString();
    }

    /** One rendering: where each event's row is, and the SVG elements layer by layer. */
    private final class Drawing {
        private final List<? extends TraceEvent> events;
        /** The y of each event's row; 0 for events not drawn. */
        private final int[] rowY;
        /** For each send, the index of its arrival or drop (-1 when neither is traced). */
        private final int[] fates;
        /** Drops drawn as the end of their send's arrow. */
        private final Set<Integer> dropsOfSends = new HashSet<>();
        private final Map<String, String> addresses = new LinkedHashMap<>();
        /** States in order of first appearance, for the legend. */
        private final Set<String> statesSeen = new java.util.LinkedHashSet<>();
        private final StringBuilder gaps = new StringBuilder();
        private final StringBuilder bands = new StringBuilder();
        private final StringBuilder axis = new StringBuilder();
        private final StringBuilder arrows = new StringBuilder();
        private final StringBuilder notes = new StringBuilder();
        private final SegmentLabels labels = new SegmentLabels();
        private int bottom = TOP;
        private int otherHostEvents;

        Drawing(List<? extends TraceEvent> events) {
            this.events = events;
            this.rowY = new int[events.size()];
            this.fates = new int[events.size()];
            survey();
            layOut();
            draw();
        }

        /** Addresses of the hosts, and the fate of every send. */
        private void survey() {
            for (int i = 0; i < events.size(); i++) {
                fates[i] = -1;
                if (!(events.get(i) instanceof TraceEvent.Packet p) || !isDrawn(p.host())) {
                    continue;
                }
                if (p.direction() == TraceEvent.Direction.SEND) {
                    addresses.putIfAbsent(p.host(), SegmentLabels.hostPart(p.src()));
                    fates[i] = SegmentLabels.fate(events, i);
                    if (fates[i] >= 0 && events.get(fates[i]).kind().equals("drop")) {
                        dropsOfSends.add(fates[i]);
                    }
                } else if (p.direction() == TraceEvent.Direction.RECV) {
                    addresses.putIfAbsent(p.host(), SegmentLabels.hostPart(p.dst()));
                }
            }
        }

        /** Gives every drawn event its row; a lost segment's drop at its sending instant shares the send's row. */
        private void layOut() {
            int y = TOP;
            long last = Long.MIN_VALUE;
            for (int i = 0; i < events.size(); i++) {
                TraceEvent e = events.get(i);
                if (!isDrawn(e.host())) {
                    otherHostEvents++;
                    continue;
                }
                if (dropsOfSends.contains(i) && isLostInNetwork(i)) {
                    continue;
                }
                long dt = last == Long.MIN_VALUE ? 0 : e.timeNanos() - last;
                if (dt >= GAP_NANOS) {
                    gap(y, dt);
                    y += GAP_HEIGHT;
                } else {
                    y += (int) Math.min(MAX_STRETCH, Math.round(dt / 1e6 * PX_PER_MS));
                }
                // A sent segment's label takes a line of its own above its arrow.
                y += e instanceof TraceEvent.Packet p && p.direction() == TraceEvent.Direction.SEND ? 2 * ROW : ROW;
                rowY[i] = y;
                last = e.timeNanos();
            }
            bottom = y + ROW;
        }

        private void gap(int y, long nanos) {
            gaps.append("<rect class=\"gap-band\" x=\"0\" y=\"").append(y + 4).append("\" width=\"").append(WIDTH)
                    .append("\" height=\"").append(GAP_HEIGHT - 8).append("\"/>\n");
            axis.append("<text class=\"gap\" x=\"").append((LEFT_X + RIGHT_X) / 2).append("\" y=\"")
                    .append(y + GAP_HEIGHT / 2 + 4).append("\" text-anchor=\"middle\">... ")
                    .append(LadderRenderer.time(nanos)).append(" s pass ...</text>\n");
        }

        private void draw() {
            Map<String, ColumnState> columns = new LinkedHashMap<>();
            columns.put(left, new ColumnState(true));
            columns.put(right, new ColumnState(false));
            String lastTime = null;
            for (int i = 0; i < events.size(); i++) {
                TraceEvent e = events.get(i);
                if (!isDrawn(e.host())) {
                    continue;
                }
                String time = LadderRenderer.time(e.timeNanos());
                if (rowY[i] > 0 && !time.equals(lastTime)) {
                    axis.append("<text class=\"time\" x=\"").append(TIME_X).append("\" y=\"").append(rowY[i] + 4)
                            .append("\" text-anchor=\"end\">").append(time).append("</text>\n");
                    lastTime = time;
                }
                switch (e) {
                    case TraceEvent.Packet p -> packet(i, p);
                    case TraceEvent.StateChange s -> {
                        ColumnState column = columns.get(s.host());
                        column.change(s, rowY[i]);
                        note(s.host(), rowY[i], "state", tag(s.connection()) + "state " + s.from() + " -> " + s.to()
                                + (s.cause() == null || s.cause().isEmpty() ? "" : " (" + s.cause() + ")"));
                    }
                    case TraceEvent.Call c -> note(c.host(), rowY[i], "call",
                            tag(c.connection()) + "call " + c.call() + " => " + c.result());
                    case TraceEvent.Timer t -> note(t.host(), rowY[i], "timer", tag(t.connection()) + "timer " + t.timer());
                }
            }
            columns.values().forEach(column -> column.shade(bottom));
        }

        private void packet(int i, TraceEvent.Packet p) {
            String label = labels.full(p);
            String options = p.options() == null || p.options().isEmpty() ? "" : " <" + p.options() + ">";
            switch (p.direction()) {
                case SEND -> segment(i, p, label, options);
                case DROP -> {
                    if (!dropsOfSends.contains(i)) {
                        unmatchedDrop(i, p, label, options);
                    }
                }
                case RECV -> { }
            }
        }

        /** The arrow of a sent segment, to its arrival, its drop, or drawn level when neither is traced. */
        private void segment(int i, TraceEvent.Packet p, String label, String options) {
            boolean fromLeft = p.host().equals(left);
            int x1 = fromLeft ? LEFT_X : RIGHT_X;
            int x2 = fromLeft ? RIGHT_X : LEFT_X;
            int y1 = rowY[i];
            int j = fates[i];
            TraceEvent.Packet end = j >= 0 ? (TraceEvent.Packet) events.get(j) : null;
            String kind;
            int y2;
            String reason = null;
            if (end == null) {
                kind = "untraced";
                y2 = y1;
            } else if (end.direction() == TraceEvent.Direction.RECV) {
                kind = "arrived";
                y2 = rowY[j];
            } else if (isLostInNetwork(j)) {
                kind = "lost";
                x2 = (LEFT_X + RIGHT_X) / 2;
                y2 = rowY[j] > 0 ? rowY[j] : y1 + ROW / 2;
                reason = end.reason();
            } else {
                kind = "discarded";
                y2 = rowY[j];
                reason = end.reason();
            }
            String tooltip = p.host() + " sends " + label + options + " at " + LadderRenderer.time(p.timeNanos()) + " s"
                    + (end == null ? "; its arrival is not in the trace"
                    : "; " + (reason == null ? "arrives" : "dropped (" + reason + ")") + " at "
                    + LadderRenderer.time(end.timeNanos()) + " s");
            arrows.append("<g><title>").append(escape(tooltip)).append("</title>");
            arrows.append("<line class=\"seg ").append(kind).append("\" x1=\"").append(x1).append("\" y1=\"").append(y1)
                    .append("\" x2=\"").append(x2).append("\" y2=\"").append(y2).append('"')
                    .append(reason == null ? " marker-end=\"url(#head)\"" : "").append("/>");
            if (reason != null) {
                dropMark(x2, y2, fromLeft, reason);
            }
            text(arrows, fromLeft ? x1 + LABEL_INSET : x1 - LABEL_INSET, y1 - 3, fromLeft, "halo", label);
            arrows.append("</g>\n");
        }

        /** A drop with no send in the trace: a short arrow into the host that dropped it, ending in X. */
        private void unmatchedDrop(int i, TraceEvent.Packet p, String label, String options) {
            boolean atLeft = p.host().equals(left);
            int x2 = atLeft ? LEFT_X : RIGHT_X;
            int x1 = atLeft ? x2 + 60 : x2 - 60;
            int y = rowY[i];
            arrows.append("<g><title>").append(escape(p.host() + " drops " + label + options + " at "
                    + LadderRenderer.time(p.timeNanos()) + " s: " + p.reason())).append("</title>");
            arrows.append("<line class=\"seg discarded unsent\" x1=\"").append(x1).append("\" y1=\"").append(y)
                    .append("\" x2=\"").append(x2).append("\" y2=\"").append(y).append("\"/>");
            dropMark(x2, y, !atLeft, p.reason());
            text(arrows, atLeft ? x1 + 4 : x1 - 4, y - 3, atLeft, "halo", "dropped " + label);
            arrows.append("</g>\n");
        }

        /**
         * A red X at (x, y) and the reason beside it: past the X when it is halfway (lost), on the
         * arrow's side when it is at a column (discarded there).
         */
        private void dropMark(int x, int y, boolean arrowFromLeft, String reason) {
            boolean halfway = x != LEFT_X && x != RIGHT_X;
            boolean textRightOfX = arrowFromLeft == halfway;
            arrows.append("<path class=\"drop-mark\" d=\"M").append(x - X_SIZE).append(' ').append(y - X_SIZE)
                    .append(" L").append(x + X_SIZE).append(' ').append(y + X_SIZE).append(" M").append(x - X_SIZE)
                    .append(' ').append(y + X_SIZE).append(" L").append(x + X_SIZE).append(' ').append(y - X_SIZE)
                    .append("\"/>");
            int tx = textRightOfX ? x + 2 * X_SIZE : x - 2 * X_SIZE;
            text(arrows, tx, halfway ? y + 4 : y + 14, textRightOfX, "halo drop-reason", "dropped: " + reason);
        }

        private void note(String host, int y, String kind, String text) {
            boolean atLeft = host.equals(left);
            text(notes, atLeft ? LEFT_X + LABEL_INSET : RIGHT_X - LABEL_INSET, y + 4, atLeft, "halo note " + kind, text);
        }

        /** Names a listener's events; a connection's need no tag when its host's column follows it. */
        private String tag(String connection) {
            return connection == null || connection.isEmpty() || LadderRenderer.isConnection(connection) ? ""
                    : "listener " + connection + ": ";
        }

        private boolean isLostInNetwork(int dropIndex) {
            TraceEvent.Packet drop = (TraceEvent.Packet) events.get(dropIndex);
            // The sender's own host reports a segment its path lost; a receiver reports one it discarded.
            return SegmentLabels.hostPart(drop.src()).equals(addresses.get(drop.host()));
        }

        String render() {
            int height = bottom + (otherHostEvents > 0 ? 2 * ROW : ROW);
            StringBuilder b = new StringBuilder();
            b.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"")
                    .append(height).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(height).append("\">\n");
            b.append("<title>").append(escape("TCP ladder: " + hostTitle(left) + " and " + hostTitle(right)))
                    .append("</title>\n");
            b.append("<style>").append(STYLE).append("</style>\n");
            b.append("<defs><marker id=\"head\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" "
                    + "markerHeight=\"8\" orient=\"auto-start-reverse\"><path d=\"M0 0 L10 5 L0 10 z\" "
                    + "fill=\"#1c7ed6\"/></marker></defs>\n");
            b.append("<rect x=\"0\" y=\"0\" width=\"").append(WIDTH).append("\" height=\"").append(height)
                    .append("\" fill=\"#fff\"/>\n");
            b.append(gaps).append(bands).append(axis);
            text(b, TIME_X, TOP - 8, false, "time", "time (s)");
            b.append('\n');
            hostHead(b, left, LEFT_X - BAND_WIDTH / 2);
            hostHead(b, right, RIGHT_X + BAND_WIDTH / 2);
            for (int x : new int[] {LEFT_X, RIGHT_X}) {
                b.append("<line class=\"lifeline\" x1=\"").append(x).append("\" y1=\"").append(TOP).append("\" x2=\"")
                        .append(x).append("\" y2=\"").append(bottom).append("\"/>\n");
            }
            b.append(arrows).append(notes);
            if (otherHostEvents > 0) {
                text(b, TIME_X, bottom + ROW, true, "note", otherHostEvents + " event(s) of other hosts not shown.");
                b.append('\n');
            }
            b.append("</svg>\n");
            return b.toString();
        }

        private void hostHead(StringBuilder b, String host, int x) {
            b.append("<text class=\"host\" x=\"").append(x).append("\" y=\"").append(TOP - 26)
                    .append("\" text-anchor=\"middle\">").append(escape(hostTitle(host))).append("</text>\n");
        }

        private String hostTitle(String host) {
            return host + (addresses.containsKey(host) ? " " + addresses.get(host) : "");
        }

        private boolean isDrawn(String host) {
            return left.equals(host) || right.equals(host);
        }

        /** One host's column: the state it shows from which y, shaded once the trace is drawn. */
        private final class ColumnState {
            private final boolean atLeft;
            private String shown;
            private int since = TOP;
            private boolean followsConnection;
            private final StringBuilder intervals = new StringBuilder();

            ColumnState(boolean atLeft) {
                this.atLeft = atLeft;
            }

            /** The column follows the host's connection; a listener's state shows only until there is one. */
            void change(TraceEvent.StateChange s, int y) {
                if (shown == null) {
                    shown = s.from();
                }
                boolean connection = LadderRenderer.isConnection(s.connection());
                if (connection || !followsConnection) {
                    followsConnection |= connection;
                    if (!s.to().equals(shown)) {
                        interval(y);
                        shown = s.to();
                        since = y;
                    }
                }
            }

            void shade(int end) {
                if (shown != null) {
                    interval(end);
                }
                bands.append(intervals);
            }

            private void interval(int end) {
                int x = atLeft ? LEFT_X - BAND_WIDTH : RIGHT_X;
                statesSeen.add(shown);
                intervals.append("<g><title>").append(escape(shown)).append("</title><rect class=\"state\" x=\"")
                        .append(x).append("\" y=\"").append(since).append("\" width=\"").append(BAND_WIDTH)
                        .append("\" height=\"").append(Math.max(0, end - since)).append("\" fill=\"")
                        .append(colour(shown)).append("\"/>");
                if (end - since >= ROW) {
                    text(intervals, x + BAND_WIDTH / 2, since + 12, null, "state-name", shown);
                }
                intervals.append("</g>\n");
            }
        }

    }

    /**
     * A text element at (x, y): anchored at its start when {@code atStart} is true, at its end when
     * false, in its middle when null.
     */
    private static void text(StringBuilder b, int x, int y, Boolean atStart, String cssClass, String text) {
        String anchor = atStart == null ? "middle" : atStart ? "start" : "end";
        b.append("<text class=\"").append(cssClass).append("\" x=\"").append(x).append("\" y=\"").append(y)
                .append("\" text-anchor=\"").append(anchor).append("\">").append(escape(text)).append("</text>");
    }

    private static String colour(String state) {
        return STATE_COLOURS.getOrDefault(state.toUpperCase(Locale.ROOT), OTHER_STATE_COLOUR);
    }

    /** Text safe in XML content and attribute values. */
    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int k = 0; k < s.length(); k++) {
            char c = s.charAt(k);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> {
                    // Control characters other than tab and newline are not allowed in XML 1.0.
                    if (c < 0x20 && c != '\t' && c != '\n') {
                        b.append('?');
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
