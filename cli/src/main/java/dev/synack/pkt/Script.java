package dev.synack.pkt;

import dev.synack.wire.IpEcn;
import java.util.List;
import java.util.Map;

/**
 * A parsed packetdrill-syntax script: its {@code --option=value} lines and its events in order.
 * {@code skipReason} is set when the parser already knows the script uses something the runner
 * cannot execute: such a script is reported as skipped, never run partially.
 */
public record Script(String name, Map<String, String> options, List<Event> events, String skipReason) {

    /** When an event happens. Script times are in microseconds. */
    public record Time(Kind kind, long micros, long hiMicros, boolean hiRelative) {
        /** An exact time, or a range; either absolute or relative to the previous event, or "*" (any). */
        public enum Kind { ABSOLUTE, RELATIVE, ANY, RANGE_ABSOLUTE, RANGE_RELATIVE }

        static Time absolute(long micros) { return new Time(Kind.ABSOLUTE, micros, 0, false); }
        static Time relative(long micros) { return new Time(Kind.RELATIVE, micros, 0, false); }
        static Time any() { return new Time(Kind.ANY, 0, 0, false); }

        boolean isRange() { return kind == Kind.RANGE_ABSOLUTE || kind == Kind.RANGE_RELATIVE; }
    }

    /** One line (or a few joined lines) of the script. */
    public sealed interface Event permits PacketEvent, IcmpEvent, SyscallEvent, ShellEvent, CodeEvent {
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
                case "FO", "FOEXP" -> {
                    StringBuilder b = new StringBuilder(name);
                    if (values.length > 0) b.append(' ');
                    for (long v : values) b.append(String.format("%02x", v));
                    yield b.toString();
                }
                default -> name;
            };
        }
    }

    /**
     * {@code < S 0:0(0) win 1000 <mss 1460>} (inbound) or {@code > S. 0:0(0) ack 1 <...>} (outbound).
     * {@code flow} is synack's extension for a second connection ({@code <@1 ...}). {@code ack} is
     * 0 when not written, as in packetdrill: relative to our ISN with the ACK flag, the raw header
     * value without it. Null win and urg mean "not written" (an outbound urgent pointer is then
     * expected to be 0); null options means {@code <...>} (not checked), an empty list means no
     * options. {@code ttl}: the IP TTL of a {@code (ttl N)} annotation, or null. {@code ecn}: the ECN
     * codepoint of an {@code [ect0]}-style annotation ({@link dev.synack.wire.IpEcn}, or {@link
     * #ECN_ECT01}), or null: an outbound packet's is then not checked, an inbound one is Not-ECT.
     */
    public record PacketEvent(int line, Time time, boolean inbound, int flow, int flags, String flagText,
                              long seqStart, long seqEnd, int length, long ack, Long window, Long urgent,
                              List<Option> options, Integer ttl, Integer ecn) implements Event {
        /** {@code [ect01]}: either ECT codepoint. */
        public static final int ECN_ECT01 = 4;

        /** Whether an outbound packet's ECN field {@code live} is what the annotation says (none: not checked). */
        boolean ecnMatches(int live) {
            if (ecn == null) return true;
            if (ecn == ECN_ECT01) return live == IpEcn.ECT0 || live == IpEcn.ECT1;
            return live == ecn;
        }
    }

    /**
     * {@code < icmp unreachable frag_needed mtu 1200 [1:1461(1460)]}: an inbound ICMPv4 error of
     * {@code type} and {@code code} ({@code mtu} -1 when not written) quoting the segment of flow
     * {@code flow} that starts at {@code seqStart} (relative to our ISN) and carries {@code length}
     * bytes ({@link IcmpSyntax}).
     */
    public record IcmpEvent(int line, Time time, int flow, int type, int code, int mtu, long seqStart, int length)
            implements Event { }

    /** {@code name(args) = ret [ERRNO (text)]}, optionally blocking until {@code end}. */
    public record SyscallEvent(int line, Time time, Time end, String name, List<Expr> args, Expr result, String errno)
            implements Event { }

    /**
     * Where a backtick shell command stands, as packetdrill's grammar places it: an untimed one
     * before the first event is the init command (it runs before the script's time starts), an
     * untimed one after the last event the cleanup command (it runs after the verdict); any other
     * is a timed event.
     */
    public enum Placement { INIT, TIMED, CLEANUP }

    /** A backtick shell command (possibly several lines); {@link ShellCommands} says what it means to synack. */
    public record ShellEvent(int line, Time time, String command, Placement placement) implements Event { }

    /**
     * A {@code %{ ... }%} block: Python over a TCP_INFO snapshot of the socket under test taken at
     * its time ({@link TcpInfoCode} runs the subset the corpus uses).
     */
    public record CodeEvent(int line, Time time, String code) implements Event { }

    /** A system call argument or result. */
    public sealed interface Expr permits Num, Sym, Ellipsis, Null, Str, ListExpr, StructExpr, OrExpr, CallExpr { }

    /** A number. */
    public record Num(long value) implements Expr {
        @Override public String toString() { return Long.toString(value); }
    }

    /** A symbolic name, such as {@code SOCK_STREAM} or {@code EINPROGRESS}. */
    public record Sym(String name) implements Expr {
        @Override public String toString() { return name; }
    }

    /** {@code ...}: any value. */
    public record Ellipsis() implements Expr {
        @Override public String toString() { return "..."; }
    }

    /** {@code NULL}. */
    public record Null() implements Expr {
        @Override public String toString() { return "NULL"; }
    }

    /** A quoted string. */
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
