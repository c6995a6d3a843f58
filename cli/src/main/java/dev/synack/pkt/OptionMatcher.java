package dev.synack.pkt;

import static dev.synack.pkt.ScriptRunner.u32;

import dev.synack.pkt.Script.Option;
import dev.synack.wire.TcpOptions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Compares the TCP options of an outbound segment with the script's, and keeps what the
 * timestamps teach: the live TS val of each script TS val, for the ecr of inbound segments.
 */
final class OptionMatcher {
    /** Script TS val -> live TS val, learned from matched outbound packets (for inbound ecr). */
    private final Map<Long, Long> tsValues = new HashMap<>();
    /** --tcp_ts_tick_usecs: outbound TS val is checked against the script's, in ticks of this many microseconds. */
    private final long tsTickMicros;
    private final long toleranceNanos;
    /** --tcp_ts_ecr_scaled: an inbound ecr that is no earlier TS val is mapped by the first TS val's offset. */
    private final boolean tsEcrScaled;
    /** Live TS val minus script TS val, learned from the first outbound timestamp. */
    private Long tsOffset;
    /** The first outbound TS val: {script, live}. */
    private long[] firstTsVal;
    private String tsMismatch;

    OptionMatcher(long tsTickMicros, long toleranceNanos, boolean tsEcrScaled) {
        this.tsTickMicros = tsTickMicros;
        this.toleranceNanos = toleranceNanos;
        this.tsEcrScaled = tsEcrScaled;
    }

    /** Why the live {@code options} differ from the script's {@code want}, or null when they match. */
    String compare(List<Option> want, TcpOptions live, long remoteIsn) {
        want = throughFirstEol(want);
        List<Integer> kinds = new ArrayList<>();
        for (int i = 0; i < live.layoutLength(); i++) kinds.add(live.kindAt(i));
        if (kinds.size() != want.size()) return "bad options (expected " + want.size() + ", got " + kinds.size() + ")";
        for (int i = 0; i < want.size(); i++) {
            Option o = want.get(i);
            int kind = kinds.get(i);
            long[] v = o.values();
            boolean ok = switch (o.name()) {
                case "mss" -> kind == TcpOptions.KIND_MSS && live.mss() == v[0];
                case "wscale" -> kind == TcpOptions.KIND_WINDOW_SCALE && live.windowScale() == v[0];
                case "sackOK" -> kind == TcpOptions.KIND_SACK_PERMITTED;
                case "nop" -> kind == TcpOptions.KIND_NOP;
                case "eol" -> kind == TcpOptions.KIND_EOL;
                case "TS" -> {
                    if (kind != TcpOptions.KIND_TIMESTAMPS) yield false;
                    // ecr is never checked, as packetdrill does; TS val only with --tcp_ts_tick_usecs.
                    long liveVal = u32(live.tsVal());
                    tsValues.put(v[0], liveVal);
                    if (firstTsVal == null) firstTsVal = new long[] {v[0], liveVal};
                    if (tsTickMicros <= 0) yield true;
                    if (tsOffset == null) {
                        tsOffset = liveVal - v[0];
                        yield true;
                    }
                    long slack = toleranceNanos / 1000 / tsTickMicros + 1;
                    long diff = (int) (liveVal - (v[0] + tsOffset));
                    if (Math.abs(diff) > slack) {
                        tsMismatch = "bad TS val (expected " + v[0] + ", got " + u32(liveVal - tsOffset) + " in script terms)";
                        yield false;
                    }
                    yield true;
                }
                case "sack" -> {
                    if (kind != TcpOptions.KIND_SACK || live.sackBlockCount() * 2 != v.length) yield false;
                    boolean same = true;
                    for (int b = 0; b < live.sackBlockCount(); b++) {
                        same &= u32(live.sackLeft(b) - remoteIsn) == u32(v[2 * b]) && u32(live.sackRight(b) - remoteIsn) == u32(v[2 * b + 1]);
                    }
                    yield same;
                }
                case "FO", "FOEXP" -> kind == (o.name().equals("FO") ? TcpOptions.KIND_FAST_OPEN : TcpOptions.KIND_EXPERIMENTAL)
                        && sameCookie(live, v);
                default -> false;
            };
            if (!ok && tsMismatch != null) {
                String why = tsMismatch;
                tsMismatch = null;
                return why;
            }
            if (!ok) return "bad option " + (i + 1) + " (expected " + o + ")";
        }
        return null;
    }

    /** Whether the live Fast Open option holds the script's cookie (none: a request). */
    private static boolean sameCookie(TcpOptions live, long[] want) {
        if (live.cookieLength() != want.length) return false;
        for (int b = 0; b < want.length; b++) {
            if ((live.cookieByte(b) & 0xff) != want[b]) return false;
        }
        return true;
    }

    /**
     * The script's options up to and including the first {@code eol}: RFC 9293 §3.2 ends the list
     * there, and what follows is padding (FreeBSD pads with EOLs, {@code <mss 1460,sackOK,eol,eol>}),
     * which the decoded live options do not list.
     */
    private static List<Option> throughFirstEol(List<Option> want) {
        for (int i = 0; i < want.size(); i++) {
            if (want.get(i).name().equals("eol")) return want.subList(0, i + 1);
        }
        return want;
    }

    /**
     * The live ecr for a script ecr, as packetdrill maps it on ACK segments: the live value of the
     * outbound TS val it names; with --tcp_ts_ecr_scaled, otherwise, shifted by the offset between
     * the first live and script TS vals; else (and on a segment without ACK) as written.
     */
    long liveEcr(long scriptEcr, boolean ack) {
        if (!ack) return scriptEcr;
        Long live = tsValues.get(scriptEcr);
        if (live != null) return live;
        if (tsEcrScaled && firstTsVal != null) return u32(scriptEcr - firstTsVal[0] + firstTsVal[1]);
        return scriptEcr;
    }
}
