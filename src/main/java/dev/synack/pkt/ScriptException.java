package dev.synack.pkt;

/** A script is malformed, or its run did not go as written: the line and what went wrong. */
public final class ScriptException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int line;

    public ScriptException(int line, String message) {
        super(message);
        this.line = line;
    }

    /** The script line (1-based) the problem is on; 0 when it concerns the whole script. */
    public int line() { return line; }
}
