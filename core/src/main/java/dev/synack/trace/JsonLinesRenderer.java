package dev.synack.trace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Renders trace events as JSON lines: one object per event, one event per line, keys in a fixed
 * order so that the same run gives the same bytes.
 *
 * <p>Keys: {@code t} (virtual seconds, a plain decimal with up to nanosecond digits), {@code host},
 * {@code kind}; then per kind:
 * <ul>
 *   <li>state: {@code conn}, {@code from}, {@code to}, {@code cause}</li>
 *   <li>send, recv, drop: {@code src}, {@code dst}, {@code flags} (tcpdump letters), {@code seq} and
 *       {@code ack} (raw unsigned 32-bit numbers), {@code len}, {@code win}, {@code options}
 *       (tcpdump's spelling); drop adds {@code reason}</li>
 *   <li>call: {@code conn}, {@code call}, {@code result}</li>
 *   <li>timer: {@code conn}, {@code timer}</li>
 * </ul>
 * Written by hand: the library packages depend on nothing beyond the JDK.
 */
public final class JsonLinesRenderer {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final int FRACTION_DIGITS = 9;

    private JsonLinesRenderer() {}

    /** Every event as one line each (each line ends with '\n'). */
    public static String render(List<? extends TraceEvent> events) {
        StringBuilder out = new StringBuilder(events.size() * 160);
        render(events, out);
        return out.toString();
    }

    /** Appends every event as one line each to {@code out}. */
    public static void render(List<? extends TraceEvent> events, Appendable out) {
        try {
            for (TraceEvent e : events) {
                out.append(line(e)).append('\n');
            }
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** A listener that writes each event as a line as it happens (for streaming output). */
    public static TraceListener streaming(Appendable out) {
        return e -> {
            try {
                out.append(line(e)).append('\n');
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        };
    }

    /** One event as a JSON object, without the line end. */
    public static String line(TraceEvent event) {
        StringBuilder b = new StringBuilder(160);
        b.append("{\"t\":").append(seconds(event.timeNanos()));
        string(b, "host", event.host());
        string(b, "kind", event.kind());
        switch (event) {
            case TraceEvent.StateChange s -> {
                string(b, "conn", s.connection());
                string(b, "from", s.from());
                string(b, "to", s.to());
                string(b, "cause", s.cause());
            }
            case TraceEvent.Packet p -> {
                string(b, "src", p.src());
                string(b, "dst", p.dst());
                string(b, "flags", p.flags());
                number(b, "seq", p.seq() & 0xffff_ffffL);
                number(b, "ack", p.ack() & 0xffff_ffffL);
                number(b, "len", p.len());
                number(b, "win", p.win());
                string(b, "options", p.options() == null ? "" : p.options());
                if (p.ecn() != null && !p.ecn().isEmpty()) string(b, "ecn", p.ecn());
                if (p.direction() == TraceEvent.Direction.DROP) {
                    string(b, "reason", p.reason());
                }
            }
            case TraceEvent.Call c -> {
                string(b, "conn", c.connection());
                string(b, "call", c.call());
                string(b, "result", c.result());
            }
            case TraceEvent.Timer t -> {
                string(b, "conn", t.connection());
                string(b, "timer", t.timer());
            }
        }
        return b.append('}').toString();
    }

    /**
     * Nanoseconds as decimal seconds without exponent and without trailing zeros: 0 gives "0",
     * 10 ms gives "0.01", 1 µs gives "0.000001", 60.03 s gives "60.03".
     */
    public static String seconds(long nanos) {
        StringBuilder b = new StringBuilder(24);
        if (nanos < 0) {
            b.append('-');
        }
        long whole = Math.abs(nanos / NANOS_PER_SECOND);
        long fraction = Math.abs(nanos % NANOS_PER_SECOND);
        b.append(whole);
        if (fraction != 0) {
            String digits = Long.toString(fraction);
            b.append('.');
            b.repeat('0', FRACTION_DIGITS - digits.length());
            int end = digits.length();
            while (digits.charAt(end - 1) == '0') {
                end--;
            }
            b.append(digits, 0, end);
        }
        return b.toString();
    }

    private static void number(StringBuilder b, String key, long value) {
        b.append(",\"").append(key).append("\":").append(value);
    }

    private static void string(StringBuilder b, String key, String value) {
        b.append(",\"").append(key).append("\":");
        if (value == null) {
            b.append("null");
        } else {
            quote(b, value);
        }
    }

    /** RFC 8259 §7: quote, backslash and control characters must be escaped; the rest may pass as is. */
    static void quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                default -> {
                    if (c < 0x20 || c == 0x7f || (Character.isSurrogate(c) && !validSurrogateAt(s, i))) {
                        // Lone surrogates would make invalid UTF-8 downstream: escape them too.
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    private static boolean validSurrogateAt(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
