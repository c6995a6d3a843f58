package dev.synack.pkt;

import java.util.List;
import java.util.Map;

/**
 * A parsed packetdrill-syntax script: its {@code --option=value} lines and its events in order.
 * {@code skipReason} is set when the script uses something the runner cannot execute (a shell
 * command, a Python block, IPv6): such a script is reported as skipped, never run partially.
 */
public record Script(String name, Map<String, String> options, List<Event> events, String skipReason) {

    /** When an event happens. Script times are in microseconds. */
    public record Time(Kind kind, long micros, long hiMicros, boolean hiRelative) {
        public enum Kind { ABSOLUTE, RELATIVE, ANY, RANGE_ABSOLUTE, RANGE_RELATIVE }

        static Time absolute(long micros) { return new Time(Kind.ABSOLUTE, micros, 0, false); }
        static Time relative(long micros) { return new Time(Kind.RELATIVE, micros, 0, false); }
        static Time any() { return new Time(Kind.ANY, 0, 0, false); }

        boolean isRange() { return kind == Kind.RANGE_ABSOLUTE || kind == Kind.RANGE_RELATIVE; }
    }

    /** One line (or a few joined lines) of the script. */
    public sealed interface Event permits PacketEvent, SyscallEvent, ShellEvent {
        int line();
        Time time();
    }

    /** One TCP option as written in a script; {@code values} as the syntax gives them. */
    public record Option(String name, long[] values) {
        @Override
        public String toString() {
            return switch (name) {
                case "mss", "wscale" -> name + " " + values[0];
                case "TS" -> "TS val " + values[0] + " ecr " + values[1];
                case "sack" -> {
                    StringBuilder b = new StringBuilder("sack");
                    for (int i = 0; i < values.length; i += 2) b.append(' ').append(values[i]).append(':').append(values[i + 1]);
                    yield b.toString();
                }
                default -> name;
            };
        }
    }

    /**
     * {@code < S 0:0(0) win 1000 <mss 1460>} (inbound) or {@code > S. 0:0(0) ack 1 <...>} (outbound).
     * {@code flow} is synack's extension for a second connection ({@code <@1 ...}). Null ack, win
     * and urg mean "not written"; null options means {@code <...>} (not checked), an empty list
     * means no options.
     */
    public record PacketEvent(int line, Time time, boolean inbound, int flow, int flags, String flagText,
                              long seqStart, long seqEnd, int length, Long ack, Long window, Long urgent,
                              List<Option> options) implements Event { }

    /** {@code name(args) = ret [ERRNO (text)]}, optionally blocking until {@code end}. */
    public record SyscallEvent(int line, Time time, Time end, String name, List<Expr> args, Expr result, String errno)
            implements Event { }

    /** A backtick shell command; {@code defaults.sh} means the profile's defaults. */
    public record ShellEvent(int line, Time time, String command) implements Event { }

    /** A system call argument or result. */
    public sealed interface Expr permits Num, Sym, Ellipsis, Null, Str, ListExpr, StructExpr, OrExpr, CallExpr { }

    public record Num(long value) implements Expr {
        @Override public String toString() { return Long.toString(value); }
    }

    public record Sym(String name) implements Expr {
        @Override public String toString() { return name; }
    }

    public record Ellipsis() implements Expr {
        @Override public String toString() { return "..."; }
    }

    public record Null() implements Expr {
        @Override public String toString() { return "NULL"; }
    }

    public record Str(String value) implements Expr {
        @Override public String toString() { return '"' + value + '"'; }
    }

    /** {@code [a, b]}: an int through a pointer, or an array. */
    public record ListExpr(List<Expr> items) implements Expr {
        @Override public String toString() { return items.toString(); }
    }

    /** {@code {name=value, ...}}. */
    public record StructExpr(Map<String, Expr> fields) implements Expr {
        @Override public String toString() { return fields.toString(); }
    }

    /** {@code A|B|C}. */
    public record OrExpr(List<Expr> terms) implements Expr {
        @Override public String toString() { return terms.toString(); }
    }

    /** {@code htons(8080)}, {@code inet_addr("192.0.2.1")}. */
    public record CallExpr(String function, List<Expr> args) implements Expr {
        @Override public String toString() { return function + args; }
    }
}
