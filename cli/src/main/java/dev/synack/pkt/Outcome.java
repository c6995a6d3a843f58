package dev.synack.pkt;

/** The result of one script: passed, failed (with the first mismatch and its line) or skipped (with the reason). */
public record Outcome(String script, Status status, int line, String message) {
    /** Whether the script passed, failed or was skipped. */
    public enum Status { PASS, FAIL, SKIP }

    static Outcome pass(String script) { return new Outcome(script, Status.PASS, 0, ""); }
    static Outcome fail(String script, int line, String message) { return new Outcome(script, Status.FAIL, line, message); }
    static Outcome skip(String script, String reason) { return new Outcome(script, Status.SKIP, 0, reason); }

    /** The one-line report: {@code pass x.pkt}, {@code fail x.pkt:12: ...}, {@code skipped x.pkt: ...}. */
    public String describe() {
        return switch (status) {
            case PASS -> "pass " + script;
            case FAIL -> "fail " + script + (line > 0 ? ":" + line : "") + ": " + message;
            case SKIP -> "skipped " + script + ": " + message;
        };
    }
}
