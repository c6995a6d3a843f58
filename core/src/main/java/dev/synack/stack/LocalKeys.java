package dev.synack.stack;

import dev.synack.wire.IpAddress;

/**
 * The local-address part of a demux key ({@link DemuxTable}): 0 for the stack's own address of
 * the family, so that a stack that forwards nothing keys its connections exactly as by remote
 * address and ports; for a forwarded destination ({@link Forwarding}) an IPv4 address itself
 * (exact: 0.0.0.0 is never a destination), an IPv6 address folded to 32 bits, never 0. Two
 * forwarded IPv6 destinations may fold alike: a lookup therefore checks that the entry it found
 * is for the packet's destination ({@link #isExact}), and a new connection whose key another
 * destination's connection holds is refused.
 */
final class LocalKeys {
    private LocalKeys() {}

    /** The key of the local address {@code hi}, {@code lo} (the 128 bits {@link IpAddress} holds) on {@code stack}. */
    static int of(NetStack stack, long hi, long lo) {
        if (IpAddress.isIpv4(hi, lo)) {
            int a = (int) lo;
            return a == stack.address() ? 0 : a;
        }
        IpAddress own = stack.ipv6Address();
        if (own != null && own.hi() == hi && own.lo() == lo) return 0;
        long h = (hi * 0x9E3779B97F4A7C15L) ^ (lo * 0xC2B2AE3D27D4EB4FL);
        int folded = (int) (h ^ (h >>> 32));
        return folded == 0 ? 1 : folded;
    }

    static int of(NetStack stack, IpAddress local) {
        return of(stack, local.hi(), local.lo());
    }

    /** Whether the key of {@code hi}, {@code lo} names that address alone (0 or IPv4), so no check of the entry is needed. */
    static boolean isExact(int key, long hi, long lo) {
        return key == 0 || IpAddress.isIpv4(hi, lo);
    }
}
