package dev.synack.wire;

import java.nio.ByteBuffer;

/** Decodes and encodes IPv4 packets carrying TCP. TO BE IMPLEMENTED (wire helper). */
public final class PacketCodec {
    private PacketCodec() {}

    /**
     * Parses the IPv4+TCP packet between {@code packet}'s position and limit into {@code into}
     * (whose segment payload becomes a view of {@code packet}; no copy). Never throws on bad input:
     * returns the reason instead. Does not move {@code packet}'s position.
     */
    public static ParseResult decode(ByteBuffer packet, TcpPacket into) {
        throw new UnsupportedOperationException("not yet");
    }

    /**
     * Writes {@code packet} as an IPv4 packet (20-byte header, DF set, ttl, header checksum) with its
     * TCP segment (options padded to a multiple of four bytes, checksum over the pseudo-header) at
     * {@code out}'s position, advancing it. Returns the number of bytes written.
     */
    public static int encode(TcpPacket packet, ByteBuffer out) {
        throw new UnsupportedOperationException("not yet");
    }

    /** Bytes {@link #encode} will write for this packet. */
    public static int encodedLength(TcpPacket packet) {
        throw new UnsupportedOperationException("not yet");
    }
}
