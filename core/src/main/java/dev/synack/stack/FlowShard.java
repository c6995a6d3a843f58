package dev.synack.stack;

import dev.synack.wire.IpAddress;
import java.nio.ByteBuffer;

/**
 * Which of {@code count} shards a TCP flow belongs to: a hash of its two endpoints (address and
 * port) that does not depend on their order, so that both ends of a connection, and every packet
 * of it in either direction, name the same shard. A stack split into shards
 * ({@link StackShards}) gives each one the flows of its index: the link routes each arriving packet
 * by it, and a shard's active opens choose only ephemeral ports whose flows are its own.
 */
public final class FlowShard {
    private FlowShard() {}

    /** The shard, in [0, count), of the flow between ({@code aHi}, {@code aLo}):{@code aPort} and ({@code bHi}, {@code bLo}):{@code bPort}. */
    public static int of(long aHi, long aLo, int aPort, long bHi, long bLo, int bPort, int count) {
        if (count <= 1) return 0;
        // A sum of one mix per endpoint: the same whichever endpoint comes first.
        long h = endpoint(aHi, aLo, aPort) + endpoint(bHi, bLo, bPort);
        h ^= h >>> 29;
        h *= 0xbf58476d1ce4e5b9L;
        h ^= h >>> 32;
        return (int) ((h & 0xffff_ffffL) * count >>> 32);
    }

    /** {@link #of} for two endpoints given as addresses. */
    public static int of(IpAddress a, int aPort, IpAddress b, int bPort, int count) {
        return of(a.hi(), a.lo(), aPort, b.hi(), b.lo(), bPort, count);
    }

    private static long endpoint(long hi, long lo, int port) {
        long h = (hi * 0x9e3779b97f4a7c15L) ^ lo ^ ((long) port << 48);
        h ^= h >>> 31;
        h *= 0x94d049bb133111ebL;
        return h ^ (h >>> 29);
    }

    /**
     * The shard of the TCP flow of an IPv4 or IPv6 packet in {@code packet} (position to limit);
     * 0 for anything else (ICMP, UDP, a truncated packet), which shard 0 answers.
     */
    public static int of(ByteBuffer packet, int count) {
        if (count <= 1) return 0;
        int at = packet.position();
        if (packet.remaining() < 1) return 0;
        int version = (packet.get(at) & 0xff) >>> 4;
        if (version == 4) {
            if (packet.remaining() < 20) return 0;
            int ihl = (packet.get(at) & 0x0f) * 4;
            if ((packet.get(at + 9) & 0xff) != 6 || packet.remaining() < ihl + 4) return 0;
            int fragment = packet.getShort(at + 6) & 0x1fff;
            if (fragment != 0) return 0;
            long src = IpAddress.ipv4Lo(packet.getInt(at + 12));
            long dst = IpAddress.ipv4Lo(packet.getInt(at + 16));
            return of(0, src, packet.getShort(at + ihl) & 0xffff, 0, dst, packet.getShort(at + ihl + 2) & 0xffff, count);
        }
        if (version == 6) {
            if (packet.remaining() < 44 || (packet.get(at + 6) & 0xff) != 6) return 0;
            return of(packet.getLong(at + 8), packet.getLong(at + 16), packet.getShort(at + 40) & 0xffff,
                    packet.getLong(at + 24), packet.getLong(at + 32), packet.getShort(at + 42) & 0xffff, count);
        }
        return 0;
    }
}
