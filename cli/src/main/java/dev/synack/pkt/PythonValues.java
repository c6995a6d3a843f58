package dev.synack.pkt;

import java.util.ArrayList;
import java.util.List;

/**
 * The values of a code block ({@link TcpInfoCode}) as Python treats them: Long, Double, Boolean,
 * String and tuples (Lists); truth, arithmetic, comparison, {@code %} formatting and str().
 */
final class PythonValues {
    private PythonValues() {}

    static boolean truth(Object x) {
        return switch (x) {
            case Boolean b -> b;
            case Long n -> n != 0;
            case Double d -> d != 0;
            case String s -> !s.isEmpty();
            case List<?> l -> !l.isEmpty();
            default -> true;
        };
    }

    static Object number(Object x, int line) throws ScriptException {
        return switch (x) {
            case Boolean b -> b ? 1L : 0L;
            case Long n -> n;
            case Double d -> d;
            default -> throw new ScriptException(line, "code block: " + str(x) + " is not a number");
        };
    }

    static long integer(Object x, int line) throws ScriptException {
        Object n = number(x, line);
        if (n instanceof Long l) return l;
        throw new ScriptException(line, "code block: " + str(x) + " is not an integer");
    }

    static Object arithmetic(String op, Object a, Object b, int line) throws ScriptException {
        if (op.equals("%") && a instanceof String fmt) return format(fmt, b, line);
        Object x = number(a, line);
        Object y = number(b, line);
        if (x instanceof Long p && y instanceof Long q && !op.equals("/")) {
            return switch (op) {
                case "+" -> p + q;
                case "-" -> p - q;
                case "*" -> p * q;
                case "//" -> {
                    if (q == 0) throw new ScriptException(line, "code block: division by zero");
                    yield Math.floorDiv(p, q);
                }
                default -> {
                    if (q == 0) throw new ScriptException(line, "code block: modulo by zero");
                    yield Math.floorMod(p, q);
                }
            };
        }
        double p = ((Number) x).doubleValue();
        double q = ((Number) y).doubleValue();
        if (q == 0 && (op.equals("/") || op.equals("//") || op.equals("%"))) throw new ScriptException(line, "code block: division by zero");
        return switch (op) {
            case "+" -> p + q;
            case "-" -> p - q;
            case "*" -> p * q;
            case "/" -> p / q;
            case "//" -> Math.floor(p / q);
            default -> p - q * Math.floor(p / q);
        };
    }

    static boolean compare(String op, Object a, Object b, int line) throws ScriptException {
        if (a instanceof String || b instanceof String) {
            boolean equal = a.equals(b);
            return switch (op) {
                case "==" -> equal;
                case "!=" -> !equal;
                default -> throw new ScriptException(line, "code block: cannot order strings");
            };
        }
        double x = ((Number) number(a, line)).doubleValue();
        double y = ((Number) number(b, line)).doubleValue();
        Object nx = number(a, line);
        Object ny = number(b, line);
        int c = nx instanceof Long p && ny instanceof Long q ? Long.compare(p, q) : Double.compare(x, y);
        return switch (op) {
            case "==" -> c == 0;
            case "!=" -> c != 0;
            case "<" -> c < 0;
            case "<=" -> c <= 0;
            case ">" -> c > 0;
            default -> c >= 0;
        };
    }

    /** Python's {@code 'fmt' % args} for %d, %i, %u, %s, %x and %%. */
    static String format(String fmt, Object args, int line) throws ScriptException {
        List<?> values = args instanceof List<?> l ? l : List.of(args);
        StringBuilder out = new StringBuilder();
        int next = 0;
        for (int i = 0; i < fmt.length(); i++) {
            char c = fmt.charAt(i);
            if (c != '%' || i + 1 >= fmt.length()) {
                out.append(c);
                continue;
            }
            char k = fmt.charAt(++i);
            if (k == '%') {
                out.append('%');
                continue;
            }
            if (next >= values.size()) throw new ScriptException(line, "code block: not enough arguments for format string");
            Object v = values.get(next++);
            switch (k) {
                case 'd', 'i', 'u' -> out.append(number(v, line) instanceof Double d ? Long.toString((long) (double) d) : number(v, line));
                case 'x' -> out.append(Long.toHexString(integer(v, line)));
                case 's' -> out.append(str(v));
                default -> throw new ScriptException(line, "code block: format %" + k + " is not supported");
            }
        }
        return out.toString();
    }

    static String str(Object x) {
        return switch (x) {
            case Boolean b -> b ? "True" : "False";
            case List<?> l -> {
                List<String> parts = new ArrayList<>();
                for (Object o : l) parts.add(o instanceof String s ? "'" + s + "'" : str(o));
                yield "(" + String.join(", ", parts) + ")";
            }
            default -> String.valueOf(x);
        };
    }
}
