package dev.synack.pkt;

import static dev.synack.pkt.PythonValues.arithmetic;
import static dev.synack.pkt.PythonValues.compare;
import static dev.synack.pkt.PythonValues.integer;
import static dev.synack.pkt.PythonValues.number;
import static dev.synack.pkt.PythonValues.str;
import static dev.synack.pkt.PythonValues.truth;

import dev.synack.pkt.Script.CodeEvent;
import dev.synack.tcp.TcpInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Python of packetdrill's {@code %{ }%} blocks, as far as synack runs it: statements
 * {@code assert EXPR[, MESSAGE]} and {@code NAME = EXPR}, separated by newlines or {@code ;}
 * ({@code \} continues a line, {@code #} starts a comment), over integers, the block's
 * {@code tcpi_*} variables (a TCP_INFO snapshot, {@link #variables}) and packetdrill's symbolic
 * constants ({@link #symbols}), with Python's operators: {@code or and not}, comparisons (chained),
 * {@code | ^ &}, {@code << >>}, {@code + -}, {@code * / // %}, unary {@code - + ~}, parentheses;
 * strings and {@code 'fmt' % args} for messages. Variables persist from block to block, as
 * packetdrill runs all blocks as one program. Anything else (calls such as print(), loops,
 * imports) makes the script skipped, as does a {@code tcpi_} field synack cannot report.
 */
final class TcpInfoCode {
    private TcpInfoCode() {}

    /** Linux's TCP state numbers (include/net/tcp_states.h). */
    private static final Map<String, Long> SYMBOLS = Map.ofEntries(
            Map.entry("TCP_ESTABLISHED", 1L), Map.entry("TCP_SYN_SENT", 2L), Map.entry("TCP_SYN_RECV", 3L),
            Map.entry("TCP_FIN_WAIT1", 4L), Map.entry("TCP_FIN_WAIT2", 5L), Map.entry("TCP_TIME_WAIT", 6L),
            Map.entry("TCP_CLOSE", 7L), Map.entry("TCP_CLOSE_WAIT", 8L), Map.entry("TCP_LAST_ACK", 9L),
            Map.entry("TCP_LISTEN", 10L), Map.entry("TCP_CLOSING", 11L),
            Map.entry("TCP_CA_Open", 0L), Map.entry("TCP_CA_Disorder", 1L), Map.entry("TCP_CA_CWR", 2L),
            Map.entry("TCP_CA_Recovery", 3L), Map.entry("TCP_CA_Loss", 4L),
            Map.entry("TCPI_OPT_TIMESTAMPS", 1L), Map.entry("TCPI_OPT_SACK", 2L), Map.entry("TCPI_OPT_WSCALE", 4L),
            Map.entry("TCPI_OPT_ECN", 8L), Map.entry("TCPI_OPT_ECN_SEEN", 16L), Map.entry("TCPI_OPT_SYN_DATA", 32L),
            Map.entry("TCPI_OPT_USEC_TS", 64L), Map.entry("TCPI_OPT_TFO_CHILD", 128L));

    /** The tcp_info fields synack reports (see {@link TcpInfo}); any other tcpi_ name makes a script skipped. */
    static final Set<String> FIELDS = Set.of("tcpi_state", "tcpi_ca_state", "tcpi_retransmits", "tcpi_backoff",
            "tcpi_options", "tcpi_snd_wscale", "tcpi_rcv_wscale", "tcpi_rto", "tcpi_snd_mss", "tcpi_advmss", "tcpi_pmtu",
            "tcpi_rtt", "tcpi_rttvar", "tcpi_snd_ssthresh", "tcpi_snd_cwnd", "tcpi_reordering", "tcpi_total_retrans",
            "tcpi_bytes_retrans", "tcpi_notsent_bytes", "tcpi_snd_wnd", "tcpi_last_data_recv", "tcpi_busy_time",
            "tcpi_rwnd_limited",
            "tcpi_unacked", "tcpi_sacked", "tcpi_lost", "tcpi_retrans");

    /** The fields only connections with per-segment records report ({@link dev.synack.tcp.TcpInfo.Packets}). */
    static final Set<String> PACKET_FIELDS = Set.of("tcpi_unacked", "tcpi_sacked", "tcpi_lost", "tcpi_retrans");

    /**
     * A name a block reads and the snapshot lacks: a packet count of a connection without
     * per-segment records makes the script skipped (synack cannot answer it faithfully); any other
     * name is the script's error.
     */
    static ScriptException undefined(String name, int line) {
        if (PACKET_FIELDS.contains(name)) {
            return new ScriptException(line, "tcp_info field " + name
                    + " is counted only on connections with SACK and RACK (synack keeps no record of each segment otherwise)", true);
        }
        return new ScriptException(line, "code block: name '" + name + "' is not defined");
    }

    /** packetdrill's symbolic names, defined before every block. */
    static Map<String, Object> symbols() {
        return new HashMap<>(SYMBOLS);
    }

    /** The tcpi_* variables of a snapshot, in Linux's numbering and units. */
    static Map<String, Object> variables(TcpInfo i) {
        Map<String, Object> v = new HashMap<>();
        v.put("tcpi_state", linuxState(i.state()));
        v.put("tcpi_ca_state", (long) i.caState().ordinal());
        v.put("tcpi_retransmits", (long) i.retransmits());
        v.put("tcpi_backoff", (long) i.backoff());
        v.put("tcpi_options", (i.timestamps() ? 1L : 0) | (i.sack() ? 2L : 0) | (i.windowScaling() ? 4L : 0)
                | (i.ecn() ? 8L : 0) | (i.ecnSeen() ? 16L : 0) | (i.synData() ? 32L : 0));
        v.put("tcpi_snd_wscale", (long) i.sndWscale());
        v.put("tcpi_rcv_wscale", (long) i.rcvWscale());
        v.put("tcpi_rto", i.rtoMicros());
        v.put("tcpi_snd_mss", (long) i.sndMss());
        v.put("tcpi_advmss", (long) i.advMss());
        v.put("tcpi_pmtu", (long) i.pmtu());
        v.put("tcpi_rtt", i.rttMicros());
        v.put("tcpi_rttvar", i.rttVarMicros());
        v.put("tcpi_snd_ssthresh", (long) i.sndSsthresh());
        v.put("tcpi_snd_cwnd", (long) i.sndCwnd());
        v.put("tcpi_reordering", (long) i.reordering());
        v.put("tcpi_total_retrans", i.totalRetrans());
        v.put("tcpi_bytes_retrans", i.bytesRetrans());
        v.put("tcpi_notsent_bytes", (long) i.notsentBytes());
        v.put("tcpi_snd_wnd", (long) i.sndWnd());
        v.put("tcpi_last_data_recv", i.lastDataRecvMillis());
        v.put("tcpi_busy_time", i.busyMicros());
        v.put("tcpi_rwnd_limited", i.rwndLimitedMicros());
        if (i.packets() != null) {
            v.put("tcpi_unacked", (long) i.packets().unacked());
            v.put("tcpi_sacked", (long) i.packets().sacked());
            v.put("tcpi_lost", (long) i.packets().lost());
            v.put("tcpi_retrans", (long) i.packets().retrans());
        }
        return v;
    }

    /**
     * FreeBSD's state numbers (netinet/tcp_fsm.h: TCPS_CLOSED 0 ... TCPS_TIME_WAIT 10), in TcpState's
     * order of FreeBSD's names: under {@code --profile freebsd} tcpi_state takes them, and both
     * TCPS_X and TCPI_X (as FreeBSD's packetdrill scripts write it) name them.
     */
    private static final String[] FREEBSD_STATES = {"CLOSED", "LISTEN", "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED",
            "CLOSE_WAIT", "FIN_WAIT_1", "CLOSING", "LAST_ACK", "FIN_WAIT_2", "TIME_WAIT"};

    /** The FreeBSD state names and numbers, as TCPS_X and TCPI_X. */
    static Map<String, Object> freebsdSymbols() {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < FREEBSD_STATES.length; i++) {
            m.put("TCPS_" + FREEBSD_STATES[i], (long) i);
            m.put("TCPI_" + FREEBSD_STATES[i], (long) i);
        }
        return m;
    }

    /** {@code snapshot} with tcpi_state in FreeBSD's numbering. */
    static Map<String, Object> inFreebsdTerms(Map<String, Object> snapshot) {
        Map<String, Object> v = new HashMap<>(snapshot);
        Object linux = v.get("tcpi_state");
        for (dev.synack.tcp.TcpState s : dev.synack.tcp.TcpState.values()) {
            if (Long.valueOf(linuxState(s)).equals(linux)) v.put("tcpi_state", freebsdState(s));
        }
        return v;
    }

    /** FreeBSD's number for a state (TCPS_CLOSED = 0 ... TCPS_TIME_WAIT = 10). */
    static long freebsdState(dev.synack.tcp.TcpState s) {
        String name = switch (s) {
            case SYN_RECV -> "SYN_RECEIVED";
            case FIN_WAIT1 -> "FIN_WAIT_1";
            case FIN_WAIT2 -> "FIN_WAIT_2";
            default -> s.name();
        };
        return java.util.Arrays.asList(FREEBSD_STATES).indexOf(name);
    }

    /** Linux's number for a state (TCP_ESTABLISHED = 1 ... TCP_CLOSING = 11). */
    static long linuxState(dev.synack.tcp.TcpState s) {
        return switch (s) {
            case ESTABLISHED -> 1;
            case SYN_SENT -> 2;
            case SYN_RECV -> 3;
            case FIN_WAIT1 -> 4;
            case FIN_WAIT2 -> 5;
            case TIME_WAIT -> 6;
            case CLOSED -> 7;
            case CLOSE_WAIT -> 8;
            case LAST_ACK -> 9;
            case LISTEN -> 10;
            case CLOSING -> 11;
        };
    }

    /** Why the block cannot run faithfully, or null. */
    static String unsupported(CodeEvent e) {
        try {
            Program p = parse(e.code(), e.line());
            for (String name : p.names) {
                if (name.startsWith("tcpi_") && !FIELDS.contains(name)) {
                    return "tcp_info field " + name + " is not reported by synack";
                }
            }
            return null;
        } catch (ScriptException ex) {
            return ex.getMessage();
        }
    }

    /** Runs the block with {@code globals} (assignments stay in it); a failed assert fails the script at the block's line. */
    static void run(CodeEvent e, Map<String, Object> globals) throws ScriptException {
        Program p = parse(e.code(), e.line());
        for (Stmt s : p.statements) {
            switch (s) {
                case Assign a -> globals.put(a.name, a.value.eval(globals, e.line()));
                case Assert a -> {
                    if (!truth(a.test.eval(globals, e.line()))) {
                        String message = a.message == null ? "" : ": " + str(a.message.eval(globals, e.line()));
                        throw new ScriptException(e.line(), "assertion failed in code block: " + a.source + message);
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ the program

    record Program(List<Stmt> statements, Set<String> names) { }

    private sealed interface Stmt permits Assign, Assert { }

    private record Assign(String name, Node value) implements Stmt { }

    private record Assert(Node test, Node message, String source) implements Stmt { }

    private interface Node {
        Object eval(Map<String, Object> vars, int line) throws ScriptException;
    }

    static Program parse(String code, int line) throws ScriptException {
        List<Stmt> statements = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        for (String text : statements(code)) {
            Parser p = new Parser(tokens(text, line), line, names);
            statements.add(p.statement(text));
        }
        return new Program(statements, names);
    }

    /** Splits the code into statements: newlines and ';' outside brackets and strings; '\' joins lines; '#' comments. */
    private static List<String> statements(String code) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        int depth = 0;
        char quote = 0;
        for (int i = 0; i < code.length(); i++) {
            char c = code.charAt(i);
            if (quote != 0) {
                cur.append(c);
                if (c == quote) quote = 0;
                continue;
            }
            if (c == '\'' || c == '"') {
                quote = c;
                cur.append(c);
                continue;
            }
            if (c == '#') {
                while (i + 1 < code.length() && code.charAt(i + 1) != '\n') i++;
                continue;
            }
            if (c == '\\' && i + 1 < code.length() && code.charAt(i + 1) == '\n') {
                i++;
                cur.append(' ');
                continue;
            }
            if (c == '(' || c == '[') depth++;
            if (c == ')' || c == ']') depth--;
            if ((c == '\n' || c == ';') && depth <= 0) {
                if (!cur.toString().isBlank()) out.add(cur.toString().strip());
                cur.setLength(0);
                continue;
            }
            cur.append(c);
        }
        if (!cur.toString().isBlank()) out.add(cur.toString().strip());
        return out;
    }

    private record Token(String kind, String text) { }

    private static final List<String> OPERATORS = List.of("**", "//", "<<", ">>", "<=", ">=", "==", "!=", "+=", "-=",
            "*=", "(", ")", "[", "]", ",", "+", "-", "*", "/", "%", "&", "|", "^", "~", "<", ">", "=", ":", ".");

    private static List<Token> tokens(String s, int line) throws ScriptException {
        List<Token> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            }
            if (Character.isDigit(c)) {
                int start = i;
                while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_' || s.charAt(i) == '.')) i++;
                out.add(new Token("num", s.substring(start, i)));
                continue;
            }
            if (Character.isLetter(c) || c == '_') {
                int start = i;
                while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) i++;
                out.add(new Token("name", s.substring(start, i)));
                continue;
            }
            if (c == '\'' || c == '"') {
                int close = s.indexOf(c, i + 1);
                if (close < 0) throw new ScriptException(line, "unterminated string in code block", false);
                out.add(new Token("str", s.substring(i + 1, close)));
                i = close + 1;
                continue;
            }
            String op = null;
            for (String o : OPERATORS) {
                if (s.startsWith(o, i)) {
                    op = o;
                    break;
                }
            }
            if (op == null) throw new ScriptException(line, "code block: unexpected '" + c + "'", false);
            out.add(new Token("op", op));
            i += op.length();
        }
        return out;
    }

    /** A recursive-descent parser over Python's expression grammar, for the subset named in the class comment. */
    private static final class Parser {
        private final List<Token> tokens;
        private final int line;
        private final Set<String> names;
        private int pos;

        Parser(List<Token> tokens, int line, Set<String> names) {
            this.tokens = tokens;
            this.line = line;
            this.names = names;
        }

        private ScriptException unsupported(String what) {
            return new ScriptException(line, "Python " + what + " in a code block is not supported", true);
        }

        private Token peek() { return pos < tokens.size() ? tokens.get(pos) : new Token("end", ""); }

        private boolean at(String text) { return !peek().kind().equals("str") && peek().text().equals(text); }

        private Token next() { return tokens.get(pos++); }

        private void expect(String text) throws ScriptException {
            if (!at(text)) throw new ScriptException(line, "code block: expected '" + text + "' but found '" + peek().text() + "'");
            pos++;
        }

        Stmt statement(String source) throws ScriptException {
            Stmt s;
            if (at("assert")) {
                pos++;
                Node test = expression();
                Node message = null;
                if (at(",")) {
                    pos++;
                    message = expression();
                }
                s = new Assert(test, message, source.replaceFirst("^assert\\s+", "").replaceFirst(",.*$", "").strip());
            } else if (peek().kind().equals("name") && pos + 1 < tokens.size() && tokens.get(pos + 1).text().equals("=")) {
                String name = next().text();
                pos++;
                s = new Assign(name, expression());
            } else if (peek().kind().equals("name") && pos + 1 < tokens.size() && tokens.get(pos + 1).text().matches("[+\\-*]=")) {
                throw unsupported("augmented assignment '" + tokens.get(pos + 1).text() + "'");
            } else if (peek().kind().equals("name") && isKeyword(peek().text())) {
                throw unsupported("statement '" + peek().text() + "'");
            } else {
                throw unsupported("statement '" + source + "'");
            }
            if (pos != tokens.size()) throw new ScriptException(line, "code block: unexpected '" + peek().text() + "' in: " + source);
            return s;
        }

        private static boolean isKeyword(String w) {
            return Set.of("if", "for", "while", "def", "import", "from", "print", "return", "with", "try", "class",
                    "del", "global", "lambda", "pass").contains(w);
        }

        /** a, b, ... : a tuple when there is a comma. */
        private Node tuple() throws ScriptException {
            Node first = expression();
            if (!at(",")) return first;
            List<Node> items = new ArrayList<>(List.of(first));
            while (at(",")) {
                pos++;
                if (peek().kind().equals("end") || at(")")) break;
                items.add(expression());
            }
            return (v, l) -> {
                List<Object> out = new ArrayList<>();
                for (Node n : items) out.add(n.eval(v, l));
                return out;
            };
        }

        Node expression() throws ScriptException {
            Node left = andTest();
            while (at("or")) {
                pos++;
                Node a = left;
                Node b = andTest();
                left = (v, l) -> {
                    Object x = a.eval(v, l);
                    return truth(x) ? x : b.eval(v, l);
                };
            }
            return left;
        }

        private Node andTest() throws ScriptException {
            Node left = notTest();
            while (at("and")) {
                pos++;
                Node a = left;
                Node b = notTest();
                left = (v, l) -> {
                    Object x = a.eval(v, l);
                    return truth(x) ? b.eval(v, l) : x;
                };
            }
            return left;
        }

        private Node notTest() throws ScriptException {
            if (at("not")) {
                pos++;
                Node a = notTest();
                return (v, l) -> !truth(a.eval(v, l));
            }
            return comparison();
        }

        private static final Set<String> COMPARISONS = Set.of("==", "!=", "<", "<=", ">", ">=");

        /** Python chains comparisons: a < b < c is a < b and b < c, b evaluated once. */
        private Node comparison() throws ScriptException {
            Node first = bitOr();
            if (at("in") || at("is")) throw unsupported("operator '" + peek().text() + "'");
            if (!COMPARISONS.contains(peek().text()) || peek().kind().equals("str")) return first;
            List<String> ops = new ArrayList<>();
            List<Node> operands = new ArrayList<>(List.of(first));
            while (COMPARISONS.contains(peek().text()) && !peek().kind().equals("str")) {
                ops.add(next().text());
                operands.add(bitOr());
            }
            return (v, l) -> {
                Object left = operands.get(0).eval(v, l);
                for (int i = 0; i < ops.size(); i++) {
                    Object right = operands.get(i + 1).eval(v, l);
                    if (!compare(ops.get(i), left, right, l)) return false;
                    left = right;
                }
                return true;
            };
        }

        private Node bitOr() throws ScriptException {
            Node left = bitXor();
            while (at("|")) {
                pos++;
                left = integerOp(left, bitXor(), "|");
            }
            return left;
        }

        private Node bitXor() throws ScriptException {
            Node left = bitAnd();
            while (at("^")) {
                pos++;
                left = integerOp(left, bitAnd(), "^");
            }
            return left;
        }

        private Node bitAnd() throws ScriptException {
            Node left = shift();
            while (at("&")) {
                pos++;
                left = integerOp(left, shift(), "&");
            }
            return left;
        }

        private Node shift() throws ScriptException {
            Node left = arith();
            while (at("<<") || at(">>")) {
                String op = next().text();
                left = integerOp(left, arith(), op);
            }
            return left;
        }

        private Node arith() throws ScriptException {
            Node left = term();
            while (at("+") || at("-")) {
                String op = next().text();
                Node a = left;
                Node b = term();
                left = (v, l) -> arithmetic(op, a.eval(v, l), b.eval(v, l), l);
            }
            return left;
        }

        private Node term() throws ScriptException {
            Node left = unary();
            while (at("*") || at("/") || at("//") || at("%")) {
                String op = next().text();
                Node a = left;
                Node b = unary();
                left = (v, l) -> arithmetic(op, a.eval(v, l), b.eval(v, l), l);
            }
            return left;
        }

        private Node unary() throws ScriptException {
            if (at("-") || at("+") || at("~")) {
                String op = next().text();
                Node a = unary();
                return (v, l) -> {
                    Object x = a.eval(v, l);
                    if (op.equals("+")) return number(x, l);
                    if (op.equals("-")) return x instanceof Double d ? -d : -integer(x, l);
                    return ~integer(x, l);
                };
            }
            if (at("**")) throw unsupported("operator '**'");
            return atom();
        }

        private Node atom() throws ScriptException {
            Token t = peek();
            return switch (t.kind()) {
                case "num" -> {
                    pos++;
                    Object value = literal(t.text());
                    yield (v, l) -> value;
                }
                case "str" -> {
                    pos++;
                    yield (v, l) -> t.text();
                }
                case "name" -> {
                    pos++;
                    yield name(t.text());
                }
                default -> {
                    if (at("(")) {
                        pos++;
                        Node inner = tuple();
                        expect(")");
                        yield inner;
                    }
                    if (at("[")) throw unsupported("list");
                    throw new ScriptException(line, "code block: unexpected '" + t.text() + "'");
                }
            };
        }

        private Node name(String name) throws ScriptException {
            if (at("(") || at("[") || at(".")) throw unsupported("call, index or attribute on '" + name + "'");
            if (isKeyword(name)) throw unsupported("keyword '" + name + "'");
            if (name.equals("True")) return (v, l) -> true;
            if (name.equals("False")) return (v, l) -> false;
            if (name.equals("None")) throw unsupported("None");
            names.add(name);
            return (v, l) -> {
                Object x = v.get(name);
                if (x == null) throw undefined(name, l);
                return x;
            };
        }

        private Object literal(String text) throws ScriptException {
            String t = text.replace("_", "").toLowerCase(java.util.Locale.ROOT);
            try {
                if (t.startsWith("0x")) return Long.parseLong(t.substring(2), 16);
                if (t.startsWith("0o")) return Long.parseLong(t.substring(2), 8);
                if (t.startsWith("0b")) return Long.parseLong(t.substring(2), 2);
                if (t.contains(".") || t.contains("e")) return Double.parseDouble(t);
                return Long.parseLong(t);
            } catch (NumberFormatException e) {
                throw new ScriptException(line, "code block: bad number " + text);
            }
        }

        private Node integerOp(Node a, Node b, String op) {
            return (v, l) -> {
                long x = integer(a.eval(v, l), l);
                long y = integer(b.eval(v, l), l);
                return switch (op) {
                    case "|" -> x | y;
                    case "^" -> x ^ y;
                    case "&" -> x & y;
                    case "<<" -> x << y;
                    default -> x >> y;
                };
            };
        }
    }
}
