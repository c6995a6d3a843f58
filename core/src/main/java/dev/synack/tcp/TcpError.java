package dev.synack.tcp;

/** Why a user call failed, with the message the socket layer puts in its IOException. */
public enum TcpError {
    CONNECTION_REFUSED("Connection refused"),
    CONNECTION_RESET("Connection reset"),
    CONNECTION_TIMED_OUT("Connection timed out"),
    CONNECTION_ABORTED("Connection aborted"),
    NOT_CONNECTED("Socket is not connected"),
    ALREADY_CONNECTED("Socket is already connected"),
    CONNECTION_IN_PROGRESS("Connection already in progress"),
    OUTPUT_SHUTDOWN("Socket output is shut down (broken pipe)"),
    CLOSED("Socket is closed");

    private final String message;

    TcpError(String message) { this.message = message; }

    public String message() { return message; }
}
