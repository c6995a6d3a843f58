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
    CLOSED("Socket is closed"),
    // The errors ICMP reports (RFC 1122 §4.2.3.9), with the messages of Linux's errnos for them.
    NETWORK_UNREACHABLE("Network is unreachable"),
    HOST_UNREACHABLE("No route to host"),
    PROTOCOL_NOT_AVAILABLE("Protocol not available"),
    HOST_DOWN("Host is down"),
    NOT_ON_NETWORK("Machine is not on the network"),
    OPERATION_NOT_SUPPORTED("Operation not supported"),
    PROTOCOL_ERROR("Protocol error"),
    MESSAGE_TOO_LONG("Message too long"),
    PERMISSION_DENIED("Permission denied");

    private final String message;

    TcpError(String message) { this.message = message; }

    public String message() { return message; }
}
