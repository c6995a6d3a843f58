package dev.synack.cli;

/** A demo scenario did not behave as the textbook says it should; the message says how. */
final class ScenarioFailure extends RuntimeException {
    ScenarioFailure(String message) {
        super(message);
    }

    ScenarioFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
