package dev.synack.trace;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Renders the trace of a two-host run as a text ladder diagram, in the manner of the figures of
 * RFC 9293 §3.5 and Stevens' TCP/IP Illustrated: time runs down the page, each host is a column
 * showing its TCP state on every row, and each segment is an arrow between the columns.
 *
 * <p>From the output of {@code synack demo}:
 * <!-- output: demo -->
 * <pre>
 *  time (s)       client                                                                            server
 *  0.000000     SYN_SENT   state CLOSED -&gt; SYN_SENT (connect())                                     LISTEN
 *  0.000000     SYN_SENT  -- S seq 1834319178 len 0 win 64240 -----------------------------------&gt;  LISTEN
 *                            &lt;mss 1460,sackOK,TS val 0 ecr 0,nop,wscale 7&gt;
 *  0.010000     SYN_SENT                                                 recv S seq 1834319178 --&gt;  LISTEN
 * </pre>
 *
 * <ul>
 *   <li>A segment is drawn as a full arrow on the row of its sending time, labelled with flags
 *       (tcpdump letters), seq, ack (when the ACK bit is set), len, win and options (options move to
 *       the next line when they do not fit); its arrival is a short {@code recv} arrow at the
 *       receiver's side on the row of its arrival time.</li>
 *   <li>A segment the network dropped ends in {@code x} with the reason.</li>
 *   <li>State changes (with their cause), user calls and timers are written next to their host's
 *       column.</li>
 *   <li>Sequence numbers: a segment carrying SYN shows its raw ISN; every other segment shows seq
 *       and ack relative to the ISN of their direction, as tcpdump does, so the first data byte is
 *       seq 1. The raw numbers are in {@link JsonLinesRenderer}'s output.</li>
 * </ul>
 * Events of hosts other than the two named ones are left out (the footer says how many).
 */
public final class LadderRenderer {
    /** Width of the area between the two state columns; 72 makes lines of about 110 columns. */
    public static final int DEFAULT_MIDDLE_WIDTH = 72;
    private static final int MIN_MIDDLE_WIDTH = 40;
    private static final long NANOS_PER_MICRO = 1_000L;
    private static final long MICROS_PER_SECOND = 1_000_000L;
    /** Text in the middle stays this far from the opposite column, so each row reads as one side's. */
    private static final int OPPOSITE_MARGIN = 2;
    /** A silence at least this long between two rows is shown as a row of its own. */
    private static final long GAP_NANOS = 1_000_000_000L;

    private final String left;
    private final String right;
    private final int middleWidth;
    /** The clock the events' times come from, as the header names it. */
    private final String clock;

    public LadderRenderer(String left, String right) {
        this(left, right, DEFAULT_MIDDLE_WIDTH);
    }

    public LadderRenderer(String left, String right, int middleWidth) {
        this(left, right, middleWidth, "virtual");
    }

    private LadderRenderer(String left, String right, int middleWidth, String clock) {
        if (left == null || right == null || left.equals(right)) {
            throw new IllegalArgumentException("two different host names are needed, got " + left + " and " + right);
        }
        if (middleWidth < MIN_MIDDLE_WIDTH) {
            throw new IllegalArgumentException("middle width must be at least " + MIN_MIDDLE_WIDTH + ", was " + middleWidth);
        }
        this.left = left;
        this.right = right;
        this.middleWidth = middleWidth;
        this.clock = clock;
    }

    /**
     * This renderer for events timed by a real clock (a stack on a TUN device or a UDP link) rather
     * than a simulation's virtual one: only the header's wording differs.
     */
    public LadderRenderer onRealClock() {
        return new LadderRenderer(left, right, middleWidth, "real");
    }

    /** Shorthand for {@code new LadderRenderer(left, right).render(events)}. */
    public static String render(List<? extends TraceEvent> events, String left, String right) {
        return new LadderRenderer(left, right).render(events);
    }

    /** The whole diagram: a short header, the column heads, one or more lines per event. */
    public String render(List<? extends TraceEvent> events) {
        return new Run(events).render();
    }

    /** Which side of the ladder a host is drawn on. */
    private enum Side { LEFT, RIGHT }

    /** One printed row: a time (blank on continuation lines), the two state cells and the middle. */
    private record Row(String time, String leftState, String middle, String rightState) {}

    /** The state of one rendering: ISNs seen, each host's displayed state, the rows so far. */
    private final class Run {
        private final List<? extends TraceEvent> events;
        private final List<Row> rows = new ArrayList<>();
        private final SegmentLabels labels = new SegmentLabels();
        private final Map<Side, String> shownState = new HashMap<>();
        /** Hosts whose column already follows a connection (rather than a listener). */
        private final Set<Side> followsConnection = new HashSet<>();
        /** Connections (not listeners) per side, to decide whether annotations must name theirs. */
        private final Map<Side, Set<String>> connections = new HashMap<>();
        /** "host name" of every listener: state changes of a listener name no 4-tuple. */
        private final Set<String> listeners = new HashSet<>();
        /** When each connection ("host conn") entered its current state. */
        private final Map<String, Long> enteredAt = new HashMap<>();
        /** Send events the network dropped, and the drop events already drawn with them. */
        private final Map<Integer, TraceEvent.Packet> lostSends = new HashMap<>();
        private final Set<Integer> dropsDrawnWithSend = new HashSet<>();
        private final Map<Side, String> addresses = new HashMap<>();
        private int otherHostEvents;
        private long lastNanos;

        Run(List<? extends TraceEvent> events) {
            this.events = events;
            survey();
        }

        /** First pass: addresses, connections per host, initial states, and which sends were lost. */
        private void survey() {
            for (int i = 0; i < events.size(); i++) {
                TraceEvent e = events.get(i);
                Side side = sideOf(e.host());
                if (side == null) {
                    continue;
                }
                switch (e) {
                    case TraceEvent.Packet p when p.direction() == TraceEvent.Direction.SEND -> {
                        addresses.putIfAbsent(side, SegmentLabels.hostPart(p.src()));
                        matchDrop(i, p);
                    }
                    case TraceEvent.Packet p when p.direction() == TraceEvent.Direction.RECV ->
                            addresses.putIfAbsent(side, SegmentLabels.hostPart(p.dst()));
                    // A socket that listen()s is a listener, for all of its calls (bind, accept, close).
                    case TraceEvent.Call c when c.call() != null && c.call().startsWith("listen")
                            && c.connection() != null && !isConnection(c.connection()) ->
                            listeners.add(c.host() + " " + c.connection());
                    case TraceEvent.StateChange s -> {
                        if (isConnection(s.connection())) {
                            connections.computeIfAbsent(side, k -> new LinkedHashSet<>()).add(s.connection());
                        } else if (s.connection() != null) {
                            listeners.add(s.host() + " " + s.connection());
                        }
                        if (!shownState.containsKey(side)) {
                            shownState.put(side, s.from());
                        }
                    }
                    default -> { }
                }
            }
        }

        /**
         * Finds whether send {@code i} is dropped before it is received: the first later event about
         * the same segment decides. A drop at the send's own instant is drawn on the send's arrow.
         */
        private void matchDrop(int i, TraceEvent.Packet send) {
            int j = SegmentLabels.fate(events, i);
            if (j >= 0 && events.get(j) instanceof TraceEvent.Packet p && p.direction() == TraceEvent.Direction.DROP
                    && !dropsDrawnWithSend.contains(j)) {
                lostSends.put(i, p);
                if (p.timeNanos() == send.timeNanos()) {
                    dropsDrawnWithSend.add(j);
                }
            }
        }

        String render() {
            if (!shownState.isEmpty()) {
                // The states the hosts start in, as the first line of the textbook figures shows them.
                rows.add(new Row("", shownState.getOrDefault(Side.LEFT, ""), " ".repeat(middleWidth),
                        shownState.getOrDefault(Side.RIGHT, "")));
            }
            for (int i = 0; i < events.size(); i++) {
                TraceEvent e = events.get(i);
                Side side = sideOf(e.host());
                if (side == null) {
                    otherHostEvents++;
                    continue;
                }
                if (!rows.isEmpty() && e.timeNanos() - lastNanos >= GAP_NANOS) {
                    gap(e.timeNanos() - lastNanos);
                }
                lastNanos = e.timeNanos();
                switch (e) {
                    case TraceEvent.Packet p -> packet(i, side, p);
                    case TraceEvent.StateChange s -> state(side, s);
                    case TraceEvent.Call c -> annotate(side, c.timeNanos(),
                            tag(side, c.connection()) + "call " + c.call() + " => " + c.result());
                    case TraceEvent.Timer t -> annotate(side, t.timeNanos(),
                            tag(side, t.connection()) + "timer " + t.timer());
                }
            }
            return layout();
        }

        private void packet(int index, Side side, TraceEvent.Packet p) {
            String numbers = labels.numbers(p);
            String full = numbers + " len " + p.len() + " win " + p.win() + p.ecnLabel();
            String options = p.options() == null || p.options().isEmpty() ? "" : "<" + p.options() + ">";
            switch (p.direction()) {
                case SEND -> {
                    TraceEvent.Packet drop = lostSends.get(index);
                    arrow(side, p.timeNanos(), full, options, drop == null ? null : drop.reason());
                }
                case RECV -> {
                    String text = "recv " + numbers + (p.len() > 0 ? " len " + p.len() : "") + p.ecnLabel();
                    // The arrow head points the way the segment travelled: into the receiver's column.
                    place(side, p.timeNanos(), side == Side.LEFT ? "<-- " + text : text + " -->", true);
                }
                case DROP -> {
                    if (dropsDrawnWithSend.contains(index)) {
                        return;
                    }
                    if (SegmentLabels.hostPart(p.src()).equals(addresses.get(side))) {
                        // Lost on its way out: drawn as an arrow that stops short.
                        arrow(side, p.timeNanos(), full, options, p.reason());
                    } else {
                        // Discarded on arrival: marked at the receiver's side.
                        String text = "dropped " + numbers + " len " + p.len() + ": " + p.reason();
                        place(side, p.timeNanos(), side == Side.LEFT ? "x-- " + text : text + " --x", true);
                    }
                }
            }
        }

        /** A full arrow from {@code from}'s column to the other one, or to an x when {@code lostReason} is set. */
        private void arrow(Side from, long nanos, String label, String options, String lostReason) {
            int width = middleWidth;
            // A lost segment keeps its row for the x and the reason; its options go below.
            boolean optionsInline = !options.isEmpty() && lostReason == null
                    && label.length() + 1 + options.length() <= width - 8;
            String text = optionsInline ? label + " " + options : label;
            List<String> extra = new ArrayList<>();
            if (!options.isEmpty() && !optionsInline) {
                extra.addAll(wrap(options, width - 6));
            }
            String shaft;
            if (lostReason == null) {
                int dashes = Math.max(3, width - text.length() - 5);
                shaft = from == Side.LEFT ? "-- " + text + " " + "-".repeat(dashes) + ">"
                        : "<" + "-".repeat(dashes) + " " + text + " --";
            } else {
                // The shaft stops short of the receiver: the segment never got there.
                String reason = "dropped: " + lostReason;
                int dashes = Math.max(3, width / 2 - text.length() - 4);
                String body = from == Side.LEFT ? "-- " + text + " " + "-".repeat(dashes) + "x"
                        : "x" + "-".repeat(dashes) + " " + text + " --";
                if (body.length() + 2 + reason.length() <= width) {
                    shaft = from == Side.LEFT ? body + "  " + reason : reason + "  " + body;
                } else {
                    shaft = body;
                    extra.addFirst(reason);
                }
            }
            addRow(nanos, pad(from, shaft));
            for (String line : extra) {
                addContinuation(pad(from, "   " + line + "   "));
            }
        }

        private void state(Side side, TraceEvent.StateChange s) {
            boolean connection = isConnection(s.connection());
            // The column follows the host's connection; a listener's state shows only until there is one.
            if (connection) {
                followsConnection.add(side);
                shownState.put(side, s.to());
            } else if (!followsConnection.contains(side)) {
                shownState.put(side, s.to());
            }
            String cause = s.cause() == null || s.cause().isEmpty() ? "" : s.cause();
            // A long stay (TIME_WAIT, FIN_WAIT2) is worth its length: it shows when a timer restarted.
            Long since = enteredAt.put(s.host() + " " + s.connection(), s.timeNanos());
            if (since != null && s.timeNanos() - since >= GAP_NANOS) {
                cause += (cause.isEmpty() ? "" : ", ") + "after " + JsonLinesRenderer.seconds(s.timeNanos() - since)
                        + " s in " + s.from();
            }
            annotate(side, s.timeNanos(), tag(side, s.connection()) + "state " + s.from() + " -> " + s.to()
                    + (cause.isEmpty() ? "" : " (" + cause + ")"));
        }

        private void annotate(Side side, long nanos, String text) {
            place(side, nanos, text, false);
        }

        /** Text in the middle against {@code side}'s column; wrapped when it is too long. */
        private void place(Side side, long nanos, String text, boolean arrowAtEdge) {
            List<String> lines = wrap(text, middleWidth - OPPOSITE_MARGIN - 1);
            for (int k = 0; k < lines.size(); k++) {
                String line = side == Side.LEFT ? (arrowAtEdge ? "" : " ") + lines.get(k)
                        : lines.get(k) + (arrowAtEdge ? "" : " ");
                if (k == 0) {
                    addRow(nanos, pad(side, line));
                } else {
                    addContinuation(pad(side, (side == Side.LEFT ? "    " : "") + line + (side == Side.RIGHT ? "    " : "")));
                }
            }
        }

        /** A quiet stretch (TIME_WAIT, a retransmission timeout) gets a row saying how long it was. */
        private void gap(long nanos) {
            String text = "... " + time(nanos) + " s pass ...";
            int before = (middleWidth - text.length()) / 2;
            rows.add(new Row("", shownState.getOrDefault(Side.LEFT, ""),
                    " ".repeat(before) + text + " ".repeat(middleWidth - before - text.length()),
                    shownState.getOrDefault(Side.RIGHT, "")));
        }

        private void addRow(long nanos, String middle) {
            rows.add(new Row(time(nanos), shownState.getOrDefault(Side.LEFT, ""), middle,
                    shownState.getOrDefault(Side.RIGHT, "")));
        }

        private void addContinuation(String middle) {
            rows.add(new Row("", "", middle, ""));
        }

        /** Middle text flush against {@code side}, padded to the middle's width. */
        private String pad(Side side, String text) {
            if (text.length() >= middleWidth) {
                return text;
            }
            String fill = " ".repeat(middleWidth - text.length());
            return side == Side.LEFT ? text + fill : fill + text;
        }

        private String layout() {
            int timeWidth = "time (s)".length();
            int stateWidth = Math.max(left.length(), right.length());
            for (Row r : rows) {
                timeWidth = Math.max(timeWidth, r.time().length());
                stateWidth = Math.max(stateWidth, Math.max(r.leftState().length(), r.rightState().length()));
            }
            StringBuilder out = new StringBuilder();
            String leftName = left + (addresses.containsKey(Side.LEFT) ? " " + addresses.get(Side.LEFT) : "");
            String rightName = right + (addresses.containsKey(Side.RIGHT) ? " " + addresses.get(Side.RIGHT) : "");
            out.append("Ladder: ").append(leftName).append(" (left) <-> ").append(rightName).append(" (right)\n");
            out.append("Times in ").append(clock).append(" seconds. A SYN shows its raw ISN; other segments show seq and ack\n");
            out.append("relative to the ISNs (as tcpdump does); raw 32-bit values are in the JSON lines format.\n");
            out.append('\n');
            line(out, timeWidth, stateWidth, "time (s)", left, " ".repeat(middleWidth), right);
            line(out, timeWidth, stateWidth, "-".repeat(timeWidth), "-".repeat(stateWidth), " ".repeat(middleWidth),
                    "-".repeat(stateWidth));
            for (Row r : rows) {
                line(out, timeWidth, stateWidth, r.time(), r.leftState(), r.middle(), r.rightState());
            }
            if (otherHostEvents > 0) {
                out.append('\n').append(otherHostEvents).append(" event(s) of other hosts not shown.\n");
            }
            return out.toString();
        }

        private void line(StringBuilder out, int timeWidth, int stateWidth, String time, String leftState,
                          String middle, String rightState) {
            String text = " ".repeat(timeWidth - time.length()) + time + "  "
                    + " ".repeat(stateWidth - leftState.length()) + leftState + "  "
                    + middle + "  " + rightState;
            out.append(text.stripTrailing()).append('\n');
        }

        private String tag(Side side, String connection) {
            if (connection == null || connection.isEmpty()) {
                return "";
            }
            if (listeners.contains((side == Side.LEFT ? left : right) + " " + connection)) {
                return "listener " + connection + ": ";
            }
            // Calls on a socket not yet connected carry its local address only: no tag is needed.
            Set<String> mine = connections.getOrDefault(side, Set.of());
            if (isConnection(connection) && mine.size() > 1) {
                return "[" + connection + "] ";
            }
            return "";
        }

        private Side sideOf(String host) {
            if (left.equals(host)) {
                return Side.LEFT;
            }
            if (right.equals(host)) {
                return Side.RIGHT;
            }
            return null;
        }

    }

    /** A listener is named by its "ip:port"; a connection by "local<->remote". */
    static boolean isConnection(String connection) {
        return connection != null && connection.contains("<->");
    }

    /** Virtual seconds with microsecond digits: 10 ms is "0.010000". */
    static String time(long nanos) {
        long micros = Math.floorDiv(nanos, NANOS_PER_MICRO);
        long whole = Math.floorDiv(micros, MICROS_PER_SECOND);
        long fraction = Math.floorMod(micros, MICROS_PER_SECOND);
        String digits = Long.toString(fraction);
        return whole + "." + "0".repeat(6 - digits.length()) + digits;
    }

    /**
     * Splits {@code text} into lines of at most {@code width} characters, breaking after a comma or
     * at a space where it can, and hard in the middle of a word only when it must.
     */
    static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        String rest = text;
        while (rest.length() > width) {
            int cut = -1;
            for (int k = width; k > 0; k--) {
                char c = rest.charAt(k - 1);
                if (c == ',' || c == ' ') {
                    cut = k;
                    break;
                }
            }
            if (cut <= 0) {
                cut = width;
            }
            lines.add(rest.substring(0, cut).stripTrailing());
            rest = rest.substring(cut).stripLeading();
        }
        lines.add(rest);
        return lines;
    }
}
