package dev.synack.tcp;

/** Flags of {@link Connection#read(java.nio.ByteBuffer, int, long)}, recv(2)'s, to be combined with {@code |}. */
public final class ReadFlags {
    /**
     * MSG_PEEK: the bytes are copied but stay queued, so the next read returns them again; the
     * window does not move (nothing was consumed). End of file and errors are reported as a read
     * reports them.
     */
    public static final int PEEK = 1;

    private ReadFlags() { }
}
