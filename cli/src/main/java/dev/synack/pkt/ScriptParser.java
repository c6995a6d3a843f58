package dev.synack.pkt;

import dev.synack.pkt.Script.CallExpr;
import dev.synack.pkt.Script.CodeEvent;
import dev.synack.pkt.Script.Placement;
import dev.synack.pkt.Script.Ellipsis;
import dev.synack.pkt.Script.Event;
import dev.synack.pkt.Script.Expr;
import dev.synack.pkt.Script.ListExpr;
import dev.synack.pkt.Script.Null;
import dev.synack.pkt.Script.Num;
import dev.synack.pkt.Script.Option;
import dev.synack.pkt.Script.OrExpr;
import dev.synack.pkt.Script.PacketEvent;
import dev.synack.pkt.Script.ShellEvent;
import dev.synack.pkt.Script.Str;
import dev.synack.pkt.Script.StructExpr;
import dev.synack.pkt.Script.Sym;
import dev.synack.pkt.Script.SyscallEvent;
import dev.synack.pkt.Script.Time;
import dev.synack.wire.IpEcn;
import dev.synack.wire.TcpFlags;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses packetdrill's script syntax (as its syntax.md documents it): option lines, timed packet
 * lines, system calls, shell lines and Python blocks. Comments ({@code //}, {@code /* *}{@code /}) are
 * dropped; an event whose brackets are not yet balanced continues on the next line.
 */
public final class ScriptParser {
    private ScriptParser() {}

    /** Parses {@code text}; {@code name} names the script in messages. */
    public static Script parse(String name, String text) throws ScriptException {
        return parse(name, text, Map.of());
    }

    /**
     * Parses {@code text} with {@code defines} ({@code -D NAME=VALUE}): as packetdrill's lexer does, a
     * word equal to a defined name stands for its value, outside strings, shell commands and code.
     */
    public static Script parse(String name, String text, Map<String, String> defines) throws ScriptException {
        return parse(name, text, defines, Set.of(ScriptProfile.platformSymbol(null)));
    }

    /**
     * {@link #parse(String, String, Map)}, keeping only the lines the script's {@code #ifdef} blocks
     * select for {@code platform} symbols and the defined names ({@link ScriptConditionals}).
     */
    public static Script parse(String name, String text, Map<String, String> defines, Set<String> platform) throws ScriptException {
        Set<String> defined = new java.util.HashSet<>(platform);
        defined.addAll(defines.keySet());
        String clean = ScriptText.substitute(ScriptText.stripComments(ScriptConditionals.apply(text, defined)), defines);
        String[] lines = clean.split("\n", -1);
        Map<String, String> options = new LinkedHashMap<>();
        List<Event> events = new ArrayList<>();
        boolean seenEvent = false;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            int lineNo = i + 1;
            if (line.isEmpty()) continue;
            if (!seenEvent && line.startsWith("--")) {
                int eq = line.indexOf('=');
                String key = eq < 0 ? line.substring(2) : line.substring(2, eq);
                options.put(key.strip(), eq < 0 ? "" : line.substring(eq + 1).strip());
                continue;
            }
            // Join continuation lines: brackets not yet balanced, a shell command or code block not yet closed.
            StringBuilder joined = new StringBuilder(line);
            while (ScriptText.needsMore(joined) && i + 1 < lines.length) {
                i++;
                joined.append('\n').append(lines[i]);
            }
            Event e = parseEvent(joined.toString(), lineNo);
            if (e instanceof ShellEvent sh && sh.placement() != Placement.TIMED) {
                e = new ShellEvent(sh.line(), sh.time(), sh.command(), seenEvent ? Placement.CLEANUP : Placement.INIT);
            }
            if (!events.isEmpty() && events.getLast() instanceof ShellEvent last && last.placement() == Placement.CLEANUP) {
                throw new ScriptException(last.line(), "a shell command without a time must come before the first event or after the last");
            }
            if (!(e instanceof ShellEvent sh && sh.placement() == Placement.INIT)) seenEvent = true;
            events.add(e);
        }
        return new Script(name, options, events, null);
    }

    // ------------------------------------------------------------------ events

    static Event parseEvent(String text, int line) throws ScriptException {
        ScriptCursor c = new ScriptCursor(text, line);
        c.skipSpaces();
        // A shell command may come without a time (packetdrill's init and cleanup commands).
        boolean untimed = !c.atEnd() && (c.current() == '`');
        Time time = untimed ? Time.relative(0) : parseTime(c);
        Time end = null;
        c.skipSpaces();
        if (c.peek("...")) {
            c.pos += 3;
            end = parseTime(c);
            if (end.kind() == Time.Kind.ANY || end.isRange()) throw c.error("the end time of a blocking call must be a time");
        }
        c.skipSpaces();
        if (c.atEnd()) throw c.error("an event is missing after the time");
        char first = c.current();
        if (first == '<' || first == '>') {
            if (end != null) throw c.error("a packet cannot block ('...')");
            return parsePacket(c, time);
        }
        if (end == null && (time.kind() == Time.Kind.ANY || time.isRange())) {
            throw c.error("'*' and ranges are allowed on outbound packets only");
        }
        if (first == '`') {
            int close = text.indexOf('`', c.pos + 1);
            if (close < 0) throw c.error("unterminated shell command");
            c.pos = close + 1;
            c.skipSpaces();
            if (!c.atEnd()) throw c.error("unexpected text after the shell command: " + c.rest());
            String command = text.substring(text.indexOf('`') + 1, close).strip();
            return new ShellEvent(line, time, command, untimed ? Placement.INIT : Placement.TIMED);
        }
        if (c.peek("%{")) {
            if (end != null) throw c.error("a code block cannot block ('...')");
            int close = text.indexOf("}%", c.pos + 2);
            if (close < 0) throw c.error("unterminated code block ('%{' without '}%')");
            String code = text.substring(c.pos + 2, close);
            c.pos = close + 2;
            c.skipSpaces();
            if (!c.atEnd()) throw c.error("unexpected text after the code block: " + c.rest());
            return new CodeEvent(line, time, code);
        }
        return parseSyscall(c, time, end);
    }

    static Time parseTime(ScriptCursor c) throws ScriptException {
        c.skipSpaces();
        if (c.atEnd()) throw c.error("expected a time");
        if (c.current() == '*') {
            c.pos++;
            return Time.any();
        }
        boolean rel = c.current() == '+';
        if (rel) {
            c.pos++;
            c.skipSpaces(); // packetdrill's lexer takes '+' as a token of its own: "+ 0.1" is "+0.1"
        }
        long lo = c.readSeconds();
        if (!c.atEnd() && c.current() == '~') {
            c.pos++;
            boolean hiRel = !c.atEnd() && c.current() == '+';
            if (hiRel) c.pos++;
            if (hiRel != rel) throw c.error("both ends of a time range must be absolute, or both relative");
            long hi = c.readSeconds();
            if (hi < lo) throw c.error("time range ends before it starts");
            return new Time(rel ? Time.Kind.RANGE_RELATIVE : Time.Kind.RANGE_ABSOLUTE, lo, hi, hiRel);
        }
        return rel ? Time.relative(lo) : Time.absolute(lo);
    }

    // ------------------------------------------------------------------ packets

    private static Event parsePacket(ScriptCursor c, Time time) throws ScriptException {
        boolean inbound = c.current() == '<';
        c.pos++;
        int flow = 0;
        if (!c.atEnd() && c.current() == '@') {
            c.pos++;
            flow = (int) c.readInt();
        }
        if (inbound && (time.kind() == Time.Kind.ANY || time.isRange())) {
            throw c.error("'*' and ranges are allowed on outbound packets only");
        }
        c.skipSpaces();
        if (!c.atEnd() && c.current() == 'i' && c.peek("icmp")) return IcmpSyntax.parse(c, time, flow, inbound);
        if (!c.atEnd() && c.current() == 'u' && c.peek("udp")) {
            throw new ScriptException(c.line, "UDP packet (synack has no UDP)", true);
        }
        IpInfo ip = parseIpInfo(c);
        String flagText = c.word();
        int flags = parseFlags(flagText, c);
        c.skipSpaces();
        long start;
        long end;
        if (c.peek("...")) {
            // nplab packetdrill's "...(len)": any sequence number. The runner learns an outbound SYN's
            // (a new ISN, as after a SYN reopening TIME_WAIT) anyway; elsewhere it cannot be honoured.
            if (inbound || (flags & TcpFlags.SYN) == 0) throw c.error("'...' as a sequence number is allowed on outbound SYNs only");
            c.pos += 3;
            c.expect('(');
            start = 0;
            end = c.readInt();
            c.expect(')');
        } else {
            start = c.readInt();
            c.expect(':');
            end = c.readInt();
            c.expect('(');
            long len = c.readInt();
            c.expect(')');
            if (end - start != len) throw c.error("sequence range " + start + ":" + end + " does not match the length " + len);
        }
        long len = end - start;
        Long ack = null;
        Long win = null;
        Long urg = null;
        List<Option> options = List.of();
        while (true) {
            c.skipSpaces();
            if (c.atEnd()) break;
            if (c.current() == '<') {
                options = parseOptions(c);
                continue;
            }
            if (c.current() == '[' || c.current() == '(') {
                throw new ScriptException(c.line, "packet annotation " + c.rest() + " after the TCP fields is not packetdrill syntax", false);
            }
            if (c.rest().startsWith("/udp(")) {
                // nplab packetdrill's TCP over UDP (FreeBSD's net.inet.tcp.udp_tunneling_port), which synack does not speak.
                throw new ScriptException(c.line, "TCP encapsulated in UDP (" + c.rest() + ") is not supported", true);
            }
            String key = c.word();
            switch (key) {
                case "ack" -> ack = c.readInt();
                case "win" -> win = c.readInt();
                case "urg" -> urg = c.readInt();
                default -> throw c.error("unknown packet field '" + key + "'");
            }
        }
        if (inbound && win == null) throw c.error("an inbound packet needs 'win N'");
        if (win != null && (win < 0 || win > 0xffff)) throw c.error("window out of range: " + win);
        if (ack != null && (ack < 0 || ack > 0xffffffffL)) throw c.error("ack number out of range: " + ack);
        if (inbound && options == null) throw c.error("<...> for TCP options can only be used with outbound packets");
        // packetdrill: an ack number not written is 0 (relative with the ACK flag, raw without it).
        return new PacketEvent(c.line, time, inbound, flow, flags, flagText, start, end, (int) len, ack == null ? 0L : ack, win, urg,
                options, ip.ttl(), ip.ecn());
    }

    /** What an IP annotation gave: a TTL and an ECN codepoint (or {@link PacketEvent#ECN_ECT01}), each null when not written. */
    private record IpInfo(Integer ttl, Integer ecn) {
        static final IpInfo NONE = new IpInfo(null, null);
    }

    /**
     * packetdrill's IP annotation before the flags, {@code [noecn]}, {@code [ect0]}, {@code [ect1]},
     * {@code [ce]}, {@code [ect01]} (outbound: either ECT), {@code (ttl 64)}, {@code (tos 0x2)},
     * {@code [flowlabel 7]}: the TTL or the ECN codepoint when given. TOS and flow labels make the
     * script skipped.
     */
    private static IpInfo parseIpInfo(ScriptCursor c) throws ScriptException {
        c.skipSpaces();
        if (c.atEnd() || (c.current() != '[' && c.current() != '(')) return IpInfo.NONE;
        char close = c.current() == '[' ? ']' : ')';
        int end = c.text.indexOf(close, c.pos);
        if (end < 0) throw c.error("unterminated IP annotation: " + c.rest());
        String inner = c.text.substring(c.pos + 1, end).strip();
        c.pos = end + 1;
        c.skipSpaces();
        if (inner.equals("ect01")) return new IpInfo(null, PacketEvent.ECN_ECT01);
        int ecn = IpEcn.parse(inner);
        if (ecn >= 0) return new IpInfo(null, ecn);
        if (inner.startsWith("ttl ")) {
            try {
                int ttl = Integer.parseInt(inner.substring(4).strip());
                if (ttl < 0 || ttl > 255) throw c.error("ttl out of range: " + ttl);
                return new IpInfo(ttl, null);
            } catch (NumberFormatException e) {
                throw c.error("bad ttl: " + inner);
            }
        }
        if (inner.startsWith("flowlabel")) throw new ScriptException(c.line, "IPv6 flow label (synack has no IPv6)", true);
        throw new ScriptException(c.line, "IP annotation " + inner + " (synack's packets carry no TOS)", true);
    }

    static int parseFlags(String text, ScriptCursor c) throws ScriptException {
        if (text.equals("-")) return 0;
        int flags = 0;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            int bit = switch (ch) {
                case 'S' -> TcpFlags.SYN;
                case 'F' -> TcpFlags.FIN;
                case 'R' -> TcpFlags.RST;
                case 'P' -> TcpFlags.PSH;
                case '.' -> TcpFlags.ACK;
                case 'U' -> TcpFlags.URG;
                case 'E' -> TcpFlags.ECE;
                case 'W' -> TcpFlags.CWR;
                default -> throw c.error("unknown TCP flag '" + ch + "' in '" + text + "'");
            };
            if ((flags & bit) != 0) throw c.error("flag '" + ch + "' written twice in '" + text + "'");
            flags |= bit;
        }
        if (flags == 0) throw c.error("expected TCP flags");
        return flags;
    }

    /** {@code <mss 1460,sackOK,nop,...>}; null for {@code <...>}. */
    private static List<Option> parseOptions(ScriptCursor c) throws ScriptException {
        c.expect('<');
        c.skipSpaces();
        if (c.peek("...")) {
            c.pos += 3;
            c.skipSpaces();
            c.expect('>');
            return null;
        }
        List<Option> out = new ArrayList<>();
        while (true) {
            c.skipSpaces();
            String name = c.word();
            switch (name) {
                case "mss" -> out.add(new Option("mss", new long[] {c.readInt()}));
                case "wscale" -> out.add(new Option("wscale", new long[] {c.readInt()}));
                case "sackOK", "nop", "eol" -> out.add(new Option(name, new long[0]));
                case "TS" -> {
                    c.expectWord("val");
                    long val = c.readInt();
                    c.expectWord("ecr");
                    long ecr = c.readInt();
                    out.add(new Option("TS", new long[] {val, ecr}));
                }
                case "sack" -> {
                    List<Long> v = new ArrayList<>();
                    while (true) {
                        c.skipSpaces();
                        if (c.atEnd() || !Character.isDigit(c.current())) break;
                        v.add(c.readInt());
                        c.expect(':');
                        v.add(c.readInt());
                    }
                    if (v.isEmpty()) throw c.error("a sack option needs blocks a:b");
                    out.add(new Option("sack", v.stream().mapToLong(Long::longValue).toArray()));
                }
                case "FO", "FOEXP" -> out.add(new Option(name, parseCookie(c)));
                case "md5" -> throw new ScriptException(c.line, "TCP MD5 signatures not supported (option md5)", true);
                case "mptcp" -> throw new ScriptException(c.line, "Multipath TCP not supported (option mptcp)", true);
                case "AccECN", "accecn" -> throw new ScriptException(c.line, "ECN not supported (option " + name + ")", true);
                default -> throw c.error("unknown TCP option '" + name + "'");
            }
            c.skipSpaces();
            if (c.atEnd()) throw c.error("unterminated option list");
            if (c.current() == ',') {
                c.pos++;
                continue;
            }
            c.expect('>');
            return out;
        }
    }

    /**
     * The cookie after {@code FO} or {@code FOEXP}: hex digits, two per byte (RFC 7413 §4.1.1: 4..16
     * bytes, even), one value per byte; none for a cookie request.
     */
    private static long[] parseCookie(ScriptCursor c) throws ScriptException {
        c.skipSpaces();
        int start = c.pos;
        while (!c.atEnd() && Character.digit(c.current(), 16) >= 0) c.pos++;
        String hex = c.text.substring(start, c.pos);
        if (hex.length() % 2 != 0) throw c.error("a Fast Open cookie is written in hex, two digits per byte: '" + hex + "'");
        if (!hex.isEmpty() && !dev.synack.wire.TcpOptions.validCookieLength(hex.length() / 2)) {
            // A peer's malformed cookie: the options synack builds hold only RFC 7413's sizes.
            throw new ScriptException(c.line, "a Fast Open cookie of " + hex.length() / 2
                    + " bytes (outside RFC 7413's 4 to 16, even) cannot be written", true);
        }
        long[] bytes = new long[hex.length() / 2];
        for (int i = 0; i < bytes.length; i++) bytes[i] = Integer.parseInt(hex, 2 * i, 2 * i + 2, 16);
        return bytes;
    }

    // ------------------------------------------------------------------ system calls

    private static SyscallEvent parseSyscall(ScriptCursor c, Time time, Time end) throws ScriptException {
        String name = c.word();
        if (name.isEmpty()) throw c.error("expected a packet ('<' or '>'), a system call or a shell command");
        c.skipSpaces();
        c.expect('(');
        List<Expr> args = new ArrayList<>();
        c.skipSpaces();
        if (!c.atEnd() && c.current() == ')') {
            c.pos++;
        } else {
            while (true) {
                args.add(parseExpr(c));
                c.skipSpaces();
                if (c.atEnd()) throw c.error("unterminated argument list of " + name);
                if (c.current() == ',') {
                    c.pos++;
                    continue;
                }
                c.expect(')');
                break;
            }
        }
        c.skipSpaces();
        c.expect('=');
        Expr result = parseExpr(c);
        c.skipSpaces();
        String errno = null;
        if (!c.atEnd() && Character.isLetter(c.current())) {
            errno = c.word();
            c.skipSpaces();
        }
        if (!c.atEnd() && c.current() == '(') {
            // "(text)" after the errno, or after a result such as "(flags O_RDWR)": commentary.
            int close = c.text.lastIndexOf(')');
            c.pos = close + 1;
            c.skipSpaces();
        }
        if (!c.atEnd()) throw c.error("unexpected text after the system call: " + c.rest());
        return new SyscallEvent(c.line, time, end, name, List.copyOf(args), result, errno);
    }

    static Expr parseExpr(ScriptCursor c) throws ScriptException {
        Expr first = parseTerm(c);
        c.skipSpaces();
        if (c.atEnd() || c.current() != '|') return first;
        List<Expr> terms = new ArrayList<>();
        terms.add(first);
        while (!c.atEnd() && c.current() == '|') {
            c.pos++;
            terms.add(parseTerm(c));
            c.skipSpaces();
        }
        return new OrExpr(terms);
    }

    private static Expr parseTerm(ScriptCursor c) throws ScriptException {
        c.skipSpaces();
        if (c.atEnd()) throw c.error("expected an expression");
        char ch = c.current();
        if (c.peek("...")) {
            c.pos += 3;
            return new Ellipsis();
        }
        if (ch == '[') {
            c.pos++;
            List<Expr> items = new ArrayList<>();
            c.skipSpaces();
            if (c.current() != ']') {
                while (true) {
                    items.add(parseExpr(c));
                    c.skipSpaces();
                    if (!c.atEnd() && c.current() == ',') {
                        c.pos++;
                        continue;
                    }
                    break;
                }
            }
            c.expect(']');
            return new ListExpr(items);
        }
        if (ch == '{') {
            c.pos++;
            Map<String, Expr> fields = new LinkedHashMap<>();
            c.skipSpaces();
            if (c.current() != '}') {
                int positional = 0;
                while (true) {
                    c.skipSpaces();
                    int itemStart = c.pos;
                    String key = c.word();
                    c.skipSpaces();
                    Expr count = null;
                    if (!key.isEmpty() && !c.atEnd() && c.current() == '(') { // msg_iov(1)=..., msg_name(...)=...
                        c.pos++;
                        count = parseExpr(c);
                        c.expect(')');
                        c.skipSpaces();
                    }
                    if (key.isEmpty() || c.atEnd() || c.current() != '=') {
                        // A positional member, as in an iovec {..., 40}: named #0, #1, ...
                        c.pos = itemStart;
                        fields.put("#" + positional++, parseExpr(c));
                    } else {
                        c.expect('=');
                        Expr value = parseExpr(c);
                        if (count instanceof Num n && value instanceof ListExpr l && l.items().size() != n.value()) {
                            throw c.error(key + "(" + n.value() + ") has " + l.items().size() + " elements");
                        }
                        fields.put(key, value);
                    }
                    c.skipSpaces();
                    if (!c.atEnd() && c.current() == ',') {
                        c.pos++;
                        continue;
                    }
                    break;
                }
            }
            c.expect('}');
            return new StructExpr(fields);
        }
        if (ch == '"') {
            int close = c.text.indexOf('"', c.pos + 1);
            if (close < 0) throw c.error("unterminated string");
            String s = c.text.substring(c.pos + 1, close);
            c.pos = close + 1;
            return new Str(s);
        }
        if (ch == '-' || Character.isDigit(ch)) return new Num(c.readInt());
        String word = c.word();
        if (word.isEmpty()) throw c.error("unexpected '" + ch + "'");
        if (word.equals("NULL")) return new Null();
        c.skipSpaces();
        if (!c.atEnd() && c.current() == '(') {
            c.pos++;
            List<Expr> args = new ArrayList<>();
            while (true) {
                args.add(parseExpr(c));
                c.skipSpaces();
                if (!c.atEnd() && c.current() == ',') {
                    c.pos++;
                    continue;
                }
                break;
            }
            c.expect(')');
            return new CallExpr(word, args);
        }
        return new Sym(word);
    }
}
