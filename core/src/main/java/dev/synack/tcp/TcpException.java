package dev.synack.tcp;

/** A user call on the engine failed; {@link #error()} says why. The socket layer turns it into an IOException. */
public final class TcpException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final TcpError error;

    public TcpException(TcpError error) {
        super(error.message());
        this.error = error;
    }

    public TcpException(TcpError error, String detail) {
        super(error.message() + ": " + detail);
        this.error = error;
    }

    public TcpError error() { return error; }
}
