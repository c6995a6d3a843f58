package dev.synack.tcp;

/**
 * Flags of {@link Connection#write(java.nio.ByteBuffer, int, long)}, send(2)'s MSG_MORE and MSG_EOR,
 * to be combined with {@code |}.
 */
public final class WriteFlags {
    /**
     * MSG_MORE: more data follows at once, so this call sends no segment shorter than the MSS (the
     * call alone is corked, as TCP_CORK does); the end of the data is not pushed (no PSH).
     */
    public static final int MORE = 1;
    /**
     * MSG_EOR: the data ends a record. No segment, new or retransmitted, carries its last byte with a
     * byte written later; the segment ending the record is pushed (PSH).
     */
    public static final int END_OF_RECORD = 2;

    private WriteFlags() { }
}
