package dev.synack.pkt;

import java.util.Map;

/**
 * A script's text before it is parsed: comments dropped, {@code -D} defines substituted, and the
 * test of whether an event continues on the next line.
 */
final class ScriptText {
    private ScriptText() {}

    /**
     * Drops {@code //} and {@code /* *}{@code /} comments, keeping line numbers; strings, backtick
     * shell commands (which may span lines) and {@code %{ }%} code blocks are kept as written.
     */
    static String stripComments(String text) {
        StringBuilder out = new StringBuilder(text.length());
        int n = text.length();
        boolean inString = false;
        boolean inShell = false;
        boolean inCode = false;
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (inCode) {
                if (c == '}' && i + 1 < n && text.charAt(i + 1) == '%') {
                    inCode = false;
                    out.append("}%");
                    i++;
                    continue;
                }
                out.append(c);
                continue;
            }
            if (c == '\n') inString = false;
            if (!inShell && c == '"') inString = !inString;
            if (!inString && c == '`') inShell = !inShell;
            if (!inString && !inShell && c == '%' && i + 1 < n && text.charAt(i + 1) == '{') {
                inCode = true;
                out.append("%{");
                i++;
                continue;
            }
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

    /** Replaces each word that {@code defines} names by its value, outside strings, shell commands and code. */
    static String substitute(String text, Map<String, String> defines) {
        if (defines.isEmpty()) return text;
        StringBuilder out = new StringBuilder(text.length());
        int n = text.length();
        int i = 0;
        char quote = 0;
        while (i < n) {
            char c = text.charAt(i);
            if (quote != 0) {
                out.append(c);
                if (c == quote || (quote == '"' && c == '\n')) quote = 0;
                if (quote == '%' && c == '}' && i + 1 < n && text.charAt(i + 1) == '%') {
                    out.append('%');
                    i++;
                    quote = 0;
                }
                i++;
                continue;
            }
            if (c == '"' || c == '`') {
                quote = c;
                out.append(c);
                i++;
                continue;
            }
            if (c == '%' && i + 1 < n && text.charAt(i + 1) == '{') {
                quote = '%';
                out.append("%{");
                i += 2;
                continue;
            }
            if (Character.isLetter(c) || c == '_') {
                int start = i;
                while (i < n && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_')) i++;
                String word = text.substring(start, i);
                boolean option = start >= 2 && text.startsWith("--", start - 2);
                out.append(!option && defines.containsKey(word) ? defines.get(word) : word);
                continue;
            }
            out.append(c);
            i++;
        }
        return out.toString();
    }

    /** True while an event is incomplete: brackets open, or a shell command or code block not closed. */
    static boolean needsMore(CharSequence s) {
        int depth = 0;
        boolean inString = false;
        boolean inShell = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && !inString && !inShell && i + 1 < s.length() && s.charAt(i + 1) == '{') {
                int close = s.toString().indexOf("}%", i + 2);
                if (close < 0) return true;
                i = close + 1;
                continue;
            }
            if (c == '`' && !inString) inShell = !inShell;
            if (inShell) continue;
            if (c == '"') inString = !inString;
            if (inString) continue;
            if (c == '(' || c == '[' || c == '{') depth++;
            if (c == ')' || c == ']' || c == '}') depth--;
        }
        return inShell || depth > 0;
    }
}
