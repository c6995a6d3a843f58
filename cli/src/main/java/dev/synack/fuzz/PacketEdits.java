package dev.synack.fuzz;

import dev.synack.wire.Checksum;
import dev.synack.wire.Ipv4Header;
import dev.synack.wire.TcpHeader;
import dev.synack.wire.TcpPacket;
import java.nio.ByteBuffer;

/**
 * Edits of an encoded IPv4 packet (position 0 to limit of a heap buffer), each returning a new
 * buffer and leaving the original as it was. The edits that keep a packet sound fix its checksums
 * ({@link #fixChecksums}); the others say so.
 */
public final class PacketEdits {
    private static final int OFF_IHL = 0;
    private static final int OFF_TOTAL_LENGTH = 2;
    private static final int OFF_FLAGS_FRAGMENT = 6;
    private static final int OFF_CHECKSUM = 10;
    private static final int OFF_SOURCE = 12;
    private static final int MAX_OPTIONS = 40;

    private PacketEdits() {}

    /** A copy of {@code packet} (position to limit) in a buffer of its own. */
    public static ByteBuffer copy(ByteBuffer packet) {
        ByteBuffer out = ByteBuffer.allocate(packet.remaining());
        out.put(packet.duplicate()).flip();
        return out;
    }

    /**
     * The packet with {@code options} (at most 40 bytes, padded with zeros, the end-of-list option,
     * to a multiple of four) between its IPv4 header and its payload; checksums fixed.
     */
    public static ByteBuffer withIpOptions(ByteBuffer packet, byte[] options) {
        if (options.length > MAX_OPTIONS) throw new IllegalArgumentException("IPv4 options take at most 40 bytes");
        ByteBuffer in = copy(packet);
        int oldHeader = Ipv4Header.ihl(in, 0) * 4;
        int padded = (options.length + 3) & ~3;
        if (oldHeader + padded > 60) throw new IllegalArgumentException("the header would exceed 60 bytes");
        ByteBuffer out = ByteBuffer.allocate(in.limit() + padded);
        out.put(in.duplicate().limit(oldHeader));
        out.put(options);
        out.position(oldHeader + padded);
        out.put(in.duplicate().position(oldHeader));
        out.flip();
        out.put(OFF_IHL, (byte) (0x40 | (oldHeader + padded) / 4));
        out.putShort(OFF_TOTAL_LENGTH, (short) out.limit());
        return fixChecksums(out);
    }

    /** The packet from {@code source}; checksums fixed (the TCP one covers the source). */
    public static ByteBuffer withSource(ByteBuffer packet, int source) {
        ByteBuffer out = copy(packet);
        out.putInt(OFF_SOURCE, source);
        return fixChecksums(out);
    }

    /** The packet as a fragment: MF set and/or a fragment offset in 8-byte units; checksums fixed. */
    public static ByteBuffer asFragment(ByteBuffer packet, boolean moreFragments, int offsetUnits) {
        ByteBuffer out = copy(packet);
        int word = (moreFragments ? Ipv4Header.FLAG_MF : 0) | (offsetUnits & 0x1fff);
        out.putShort(OFF_FLAGS_FRAGMENT, (short) word);
        return fixChecksums(out);
    }

    /** The first {@code length} bytes of the packet (its headers left claiming more: a truncated packet). */
    public static ByteBuffer truncated(ByteBuffer packet, int length) {
        ByteBuffer out = copy(packet);
        out.limit(Math.min(length, out.limit()));
        return out;
    }

    /** The packet with the byte at {@code index} XORed with {@code mask} (non-zero); checksums left as they were. */
    public static ByteBuffer flipped(ByteBuffer packet, int index, int mask) {
        ByteBuffer out = copy(packet);
        out.put(index, (byte) (out.get(index) ^ mask));
        return out;
    }

    /**
     * Recomputes the IPv4 header checksum and, for a whole TCP segment, the TCP checksum, so that
     * only what the edit meant to make wrong is wrong. Returns {@code packet}.
     */
    public static ByteBuffer fixChecksums(ByteBuffer packet) {
        int ihl = Ipv4Header.ihl(packet, 0) * 4;
        if (ihl < Ipv4Header.MIN_LENGTH || packet.limit() < ihl) return packet;
        packet.putShort(OFF_CHECKSUM, (short) 0);
        packet.putShort(OFF_CHECKSUM, (short) Checksum.compute(packet, 0, ihl));
        int total = Ipv4Header.totalLength(packet, 0);
        if (Ipv4Header.protocol(packet, 0) == TcpPacket.PROTOCOL_TCP && total <= packet.limit()
                && total - ihl >= TcpHeader.MIN_LENGTH) {
            TcpHeader.writeChecksum(packet, ihl, total - ihl, Ipv4Header.sourceAddress(packet, 0),
                    Ipv4Header.destinationAddress(packet, 0));
        }
        return packet;
    }
}
