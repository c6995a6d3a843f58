package dev.synack.pkt;

/** A script is malformed, or its run did not go as written: the line and what went wrong. */
public final class ScriptException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int line;
    private final boolean unsupported;

    public ScriptException(int line, String message) {
        this(line, message, false);
    }

    /** {@code unsupported}: the script is valid but uses something synack cannot run (it is skipped, not failed). */
    public ScriptException(int line, String message, boolean unsupported) {
        super(message);
        this.line = line;
        this.unsupported = unsupported;
    }

    public boolean unsupported() { return unsupported; }

    /** The script line (1-based) the problem is on; 0 when it concerns the whole script. */
    public int line() { return line; }
}
