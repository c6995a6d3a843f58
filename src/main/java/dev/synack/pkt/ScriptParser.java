package dev.synack.pkt;

import dev.synack.pkt.Script.CallExpr;
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
import dev.synack.wire.TcpFlags;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses packetdrill's script syntax (as its syntax.md documents it): option lines, timed packet
 * lines, system calls, shell lines and Python blocks. Comments ({@code //}, {@code /* *}{@code /}) are
 * dropped; an event whose brackets are not yet balanced continues on the next line.
 */
public final class ScriptParser {
    private ScriptParser() {}

    /** Parses {@code text}; {@code name} names the script in messages. */
    public static Script parse(String name, String text) throws ScriptException {
        String clean = stripComments(text);
        String[] lines = clean.split("\n", -1);
        Map<String, String> options = new LinkedHashMap<>();
        List<Event> events = new ArrayList<>();
        String skip = null;
        boolean seenEvent = false;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            int lineNo = i + 1;
            if (line.isEmpty()) continue;
            if (line.contains("%{")) {
                // A Python block runs after the script with TCP_INFO snapshots: not available here.
                if (skip == null) skip = "python block at line " + lineNo + " (not supported)";
                while (!lines[i].contains("}%") && i + 1 < lines.length) i++;
                continue;
            }
            if (!seenEvent && line.startsWith("--")) {
                int eq = line.indexOf('=');
                String key = eq < 0 ? line.substring(2) : line.substring(2, eq);
                options.put(key.strip(), eq < 0 ? "" : line.substring(eq + 1).strip());
                continue;
            }
            // Join continuation lines until brackets balance.
            StringBuilder joined = new StringBuilder(line);
            while (!balanced(joined) && i + 1 < lines.length) {
                i++;
                joined.append(' ').append(lines[i].strip());
            }
            seenEvent = true;
            Event e = parseEvent(joined.toString(), lineNo);
            events.add(e);
        }
        return new Script(name, options, events, skip);
    }

    static String stripComments(String text) {
        StringBuilder out = new StringBuilder(text.length());
        int n = text.length();
        boolean inString = false;
        boolean inShell = false;
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                inString = false;
                inShell = false;
            }
            if (!inShell && c == '"') inString = !inString;
            if (!inString && c == '`') inShell = !inShell;
            if (!inString && !inShell && c == '/' && i + 1 < n && text.charAt(i + 1) == '/') {
                while (i < n && text.charAt(i) != '\n') i++;
                if (i < n) out.append('\n');
                continue;
            }
            if (!inString && !inShell && c == '/' && i + 1 < n && text.charAt(i + 1) == '*') {
                i += 2;
                while (i < n && !(text.charAt(i) == '*' && i + 1 < n && text.charAt(i + 1) == '/')) {
                    if (text.charAt(i) == '\n') out.append('\n'); // keep line numbers
                    i++;
                }
                i++;
                continue;
            }
            out.append(c);
        }
        return out.toString();
    }

    private static boolean balanced(CharSequence s) {
        int depth = 0;
        boolean inString = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') inString = !inString;
            if (inString) continue;
            if (c == '(' || c == '[' || c == '{') depth++;
            if (c == ')' || c == ']' || c == '}') depth--;
        }
        return depth <= 0;
    }

    // ------------------------------------------------------------------ events

    static Event parseEvent(String text, int line) throws ScriptException {
        Cursor c = new Cursor(text, line);
        c.skipSpaces();
        // A shell line may come without a time (packetdrill's scripts start with `defaults.sh`).
        Time time = !c.atEnd() && c.current() == '`' ? Time.relative(0) : parseTime(c);
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
        if (first == '`') {
            int close = text.indexOf('`', c.pos + 1);
            if (close < 0) throw c.error("unterminated shell command");
            return new ShellEvent(line, time, text.substring(c.pos + 1, close).strip());
        }
        if (time.kind() == Time.Kind.ANY || time.isRange()) throw c.error("'*' and ranges are allowed on outbound packets only");
        return parseSyscall(c, time, end);
    }

    static Time parseTime(Cursor c) throws ScriptException {
        c.skipSpaces();
        if (c.atEnd()) throw c.error("expected a time");
        if (c.current() == '*') {
            c.pos++;
            return Time.any();
        }
        boolean rel = c.current() == '+';
        if (rel) c.pos++;
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

    private static PacketEvent parsePacket(Cursor c, Time time) throws ScriptException {
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
        if (!c.atEnd() && c.current() == '[') {
            throw new ScriptException(c.line, "packet annotation " + c.rest() + " (ECN and IP fields are not modelled)", true);
        }
        String flagText = c.word();
        int flags = parseFlags(flagText, c);
        c.skipSpaces();
        long start = c.readInt();
        c.expect(':');
        long end = c.readInt();
        c.expect('(');
        long len = c.readInt();
        c.expect(')');
        if (end - start != len) throw c.error("sequence range " + start + ":" + end + " does not match the length " + len);
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
            if (c.current() == '[') {
                throw new ScriptException(c.line, "packet annotation " + c.rest() + " (ECN and IP fields are not modelled)", true);
            }
            String key = c.word();
            switch (key) {
                case "ack" -> ack = c.readInt();
                case "win" -> win = c.readInt();
                case "urg" -> urg = c.readInt();
                default -> throw c.error("unknown packet field '" + key + "'");
            }
        }
        if ((flags & TcpFlags.ACK) != 0 && ack == null) throw c.error("an ACK packet needs 'ack N'");
        if ((flags & TcpFlags.ACK) == 0 && ack != null) throw c.error("'ack' written on a packet without the ACK flag ('.')");
        if (inbound && win == null) throw c.error("an inbound packet needs 'win N'");
        if (win != null && (win < 0 || win > 0xffff)) throw c.error("window out of range: " + win);
        return new PacketEvent(c.line, time, inbound, flow, flags, flagText, start, end, (int) len, ack, win, urg, options);
    }

    static int parseFlags(String text, Cursor c) throws ScriptException {
        if (text.equals("-")) return 0;
        int flags = 0;
        for (char ch : text.toCharArray()) {
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
    private static List<Option> parseOptions(Cursor c) throws ScriptException {
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
                case "md5", "FO", "exp", "mptcp", "tfo", "sackOK_" -> throw new ScriptException(c.line, "TCP option '" + name + "' is not supported", true);
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

    // ------------------------------------------------------------------ system calls

    private static SyscallEvent parseSyscall(Cursor c, Time time, Time end) throws ScriptException {
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

    static Expr parseExpr(Cursor c) throws ScriptException {
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

    private static Expr parseTerm(Cursor c) throws ScriptException {
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
                while (true) {
                    c.skipSpaces();
                    String key = c.word();
                    c.skipSpaces();
                    if (!c.atEnd() && c.current() == '(') { // msg_iov(1)=...
                        c.pos++;
                        c.readInt();
                        c.expect(')');
                    }
                    c.expect('=');
                    fields.put(key, parseExpr(c));
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

    // ------------------------------------------------------------------ the cursor

    static final class Cursor {
        final String text;
        final int line;
        int pos;

        Cursor(String text, int line) {
            this.text = text;
            this.line = line;
        }

        boolean atEnd() { return pos >= text.length(); }
        char current() { return text.charAt(pos); }
        boolean peek(String s) { return text.startsWith(s, pos); }
        String rest() { return text.substring(pos); }

        void skipSpaces() {
            while (!atEnd() && Character.isWhitespace(current())) pos++;
        }

        ScriptException error(String message) {
            return new ScriptException(line, message);
        }

        void expect(char ch) throws ScriptException {
            skipSpaces();
            if (atEnd() || current() != ch) {
                throw error("expected '" + ch + "' but found " + (atEnd() ? "the end of the line" : "'" + rest() + "'"));
            }
            pos++;
        }

        void expectWord(String w) throws ScriptException {
            String got = word();
            if (!got.equals(w)) throw error("expected '" + w + "' but found '" + got + "'");
        }

        /** A run of non-space characters up to a delimiter. */
        String word() {
            skipSpaces();
            int start = pos;
            while (!atEnd()) {
                char ch = current();
                if (Character.isWhitespace(ch) || ",()[]{}<>=|:\"".indexOf(ch) >= 0) break;
                pos++;
            }
            return text.substring(start, pos);
        }

        long readInt() throws ScriptException {
            skipSpaces();
            int start = pos;
            if (!atEnd() && current() == '-') pos++;
            if (peek("0x") || peek("0X")) {
                pos += 2;
                int hs = pos;
                while (!atEnd() && Character.digit(current(), 16) >= 0) pos++;
                if (hs == pos) throw error("expected a hexadecimal number");
                return Long.parseLong(text.substring(hs, pos), 16) * (text.charAt(start) == '-' ? -1 : 1);
            }
            while (!atEnd() && Character.isDigit(current())) pos++;
            String s = text.substring(start, pos);
            if (s.isEmpty() || s.equals("-")) throw error("expected a number but found " + (atEnd() ? "the end of the line" : "'" + rest() + "'"));
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw error("number out of range: " + s);
            }
        }

        /** Seconds with an optional fraction ("1", "0.100", ".1"), as microseconds. */
        long readSeconds() throws ScriptException {
            int start = pos;
            while (!atEnd() && Character.isDigit(current())) pos++;
            long whole = start == pos ? 0 : Long.parseLong(text.substring(start, pos));
            long micros = 0;
            boolean fraction = false;
            // "..." after a time is the blocking marker, not a decimal point.
            if (!atEnd() && current() == '.' && !peek("...")) {
                fraction = true;
                pos++;
                int fs = pos;
                while (!atEnd() && Character.isDigit(current())) pos++;
                String f = text.substring(fs, pos);
                if (f.length() > 6) throw error("time more precise than a microsecond: " + text.substring(start, pos));
                micros = f.isEmpty() ? 0 : Long.parseLong((f + "000000").substring(0, 6));
            }
            if (start == pos || (!fraction && start == pos)) throw error("expected a time but found '" + rest() + "'");
            return whole * 1_000_000 + micros;
        }
    }
}
