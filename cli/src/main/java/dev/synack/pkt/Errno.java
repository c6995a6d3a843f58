package dev.synack.pkt;

import dev.synack.tcp.TcpError;
import dev.synack.tcp.TcpException;
import java.util.Map;

/** Linux errno names and numbers the runner reports and scripts may write. */
final class Errno {
    private Errno() {}

    static final Map<String, Integer> NUMBERS = Map.ofEntries(
            Map.entry("EPERM", 1), Map.entry("ENOENT", 2), Map.entry("EINTR", 4), Map.entry("EBADF", 9),
            Map.entry("EAGAIN", 11), Map.entry("EWOULDBLOCK", 11), Map.entry("ENOMEM", 12), Map.entry("EFAULT", 14),
            Map.entry("EINVAL", 22), Map.entry("EPIPE", 32), Map.entry("ENOTSOCK", 88), Map.entry("EDESTADDRREQ", 89),
            Map.entry("ENOPROTOOPT", 92), Map.entry("EOPNOTSUPP", 95), Map.entry("EAFNOSUPPORT", 97),
            Map.entry("EADDRINUSE", 98), Map.entry("EADDRNOTAVAIL", 99), Map.entry("ENETUNREACH", 101),
            Map.entry("ECONNABORTED", 103), Map.entry("ECONNRESET", 104), Map.entry("EISCONN", 106),
            Map.entry("ENOTCONN", 107), Map.entry("ETIMEDOUT", 110), Map.entry("ECONNREFUSED", 111),
            Map.entry("EHOSTUNREACH", 113),
            Map.entry("ENONET", 64), Map.entry("EPROTO", 71), Map.entry("EMSGSIZE", 90), Map.entry("EHOSTDOWN", 112), Map.entry("EALREADY", 114), Map.entry("EINPROGRESS", 115));

    /**
     * The errno of a call the socket layer refused: the engine's error its exception carries as
     * cause, else {@code otherwise}, the call's own errno for the rest (bad arguments, ports in use),
     * which Linux chooses per call.
     */
    static String of(Exception e, String otherwise) {
        return e.getCause() instanceof TcpException t ? of(t.error()) : otherwise;
    }

    /** The errno a failed call on a connection reports (Linux's choice for each engine error). */
    static String of(TcpError error) {
        return switch (error) {
            case CONNECTION_REFUSED -> "ECONNREFUSED";
            case CONNECTION_RESET -> "ECONNRESET";
            case CONNECTION_TIMED_OUT -> "ETIMEDOUT";
            case CONNECTION_ABORTED -> "ECONNABORTED";
            case NOT_CONNECTED -> "ENOTCONN";
            case ALREADY_CONNECTED -> "EISCONN";
            case CONNECTION_IN_PROGRESS -> "EALREADY";
            case OUTPUT_SHUTDOWN -> "EPIPE";
            case CLOSED -> "EBADF";
            case NETWORK_UNREACHABLE -> "ENETUNREACH";
            case HOST_UNREACHABLE -> "EHOSTUNREACH";
            case PROTOCOL_NOT_AVAILABLE -> "ENOPROTOOPT";
            case HOST_DOWN -> "EHOSTDOWN";
            case NOT_ON_NETWORK -> "ENONET";
            case OPERATION_NOT_SUPPORTED -> "EOPNOTSUPP";
            case PROTOCOL_ERROR -> "EPROTO";
            case MESSAGE_TOO_LONG -> "EMSGSIZE";
            case PERMISSION_DENIED -> "EACCES";
        };
    }
}
