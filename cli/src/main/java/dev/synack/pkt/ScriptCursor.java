package dev.synack.pkt;

/** A position in one event's text, with the reads the parser makes from it (words, numbers, times). */
final class ScriptCursor {
    final String text;
    final int line;
    int pos;

    ScriptCursor(String text, int line) {
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
