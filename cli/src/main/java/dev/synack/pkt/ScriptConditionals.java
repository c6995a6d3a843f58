package dev.synack.pkt;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;

/**
 * The conditional lines of a script, as the packetdrill used with FreeBSD (nplab's) preprocesses
 * them: {@code #ifdef NAME}, {@code #ifndef NAME}, {@code #else} and {@code #endif}, nested, each on
 * a line of its own. NAME is defined when a {@code -D NAME=VALUE} defines it or it names the
 * platform the profile stands for ({@code Linux}, or {@code FreeBSD} under {@code --profile
 * freebsd}). Excluded lines and the directives themselves become empty lines, so line numbers stay.
 */
final class ScriptConditionals {
    private ScriptConditionals() {}

    /** {@code text} with the lines its conditionals exclude blanked; an unbalanced directive is a syntax error. */
    static String apply(String text, Set<String> defined) throws ScriptException {
        if (!text.contains("#")) return text;
        String[] lines = text.split("\n", -1);
        // Each open conditional: whether its current branch is taken (given that its parents' are).
        Deque<Boolean> open = new ArrayDeque<>();
        Deque<Boolean> seenElse = new ArrayDeque<>();
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            String[] words = line.split("\\s+");
            boolean taking = !open.contains(false);
            switch (words[0]) {
                case "#ifdef", "#ifndef" -> {
                    if (words.length != 2) throw new ScriptException(i + 1, words[0] + " needs one name, got '" + line + "'");
                    open.push(defined.contains(words[1]) == words[0].equals("#ifdef"));
                    seenElse.push(false);
                    line = "";
                }
                case "#else" -> {
                    if (open.isEmpty() || seenElse.peek()) throw new ScriptException(i + 1, "#else without #ifdef");
                    open.push(!open.pop());
                    seenElse.pop();
                    seenElse.push(true);
                    line = "";
                }
                case "#endif" -> {
                    if (open.isEmpty()) throw new ScriptException(i + 1, "#endif without #ifdef");
                    open.pop();
                    seenElse.pop();
                    line = "";
                }
                default -> {
                    if (words[0].startsWith("#if") || words[0].equals("#elif")) {
                        throw new ScriptException(i + 1, "preprocessor directive " + words[0] + " (only #ifdef, #ifndef, #else, #endif)", true);
                    }
                    line = taking ? lines[i] : "";
                }
            }
            out.append(line);
            if (i < lines.length - 1) out.append('\n');
        }
        if (!open.isEmpty()) throw new ScriptException(lines.length, "#ifdef without #endif");
        return out.toString();
    }
}
