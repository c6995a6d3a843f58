package dev.synack.stack;

import dev.synack.wire.IpAddress;
import dev.synack.wire.Ipv6Address;

/**
 * Which addresses a host accepts packets from and to (IPv6: {@link #sourceProblem6}), as Linux's ip_route_input_slow and
 * fib_validate_source decide on input. Each check returns the reason to drop (a constant: nothing is
 * built per packet) or null.
 *
 * <p>Sources (RFC 1122 §3.2.1.3, RFC 1812 §5.3.7: a host must silently discard a datagram whose
 * source is not a unicast address of another host): the limited broadcast 255.255.255.255, the
 * broadcast of the host's own subnet, multicast 224.0.0.0/4, the reserved class E 240.0.0.0/4,
 * "this network" 0.0.0.0/8, loopback 127.0.0.0/8, and the host's own address (the LAND attack: a
 * SYN from the host to itself). A host on loopback accepts loopback sources and its own address,
 * as Linux does on its lo device.
 *
 * <p>Destinations: only the host's own address. That also drops TCP to a broadcast or multicast
 * address (RFC 1122 §4.2.3.10: "A TCP implementation MUST silently discard an incoming SYN segment
 * that is addressed to a broadcast or multicast address") and echo requests to them (Linux's
 * icmp_echo_ignore_broadcasts).
 */
final class AddressFilter {
    static final String LIMITED_BROADCAST_SOURCE = "martian source: limited broadcast 255.255.255.255";
    static final String SUBNET_BROADCAST_SOURCE = "martian source: the subnet's broadcast address";
    static final String MULTICAST_SOURCE = "martian source: multicast 224.0.0.0/4";
    static final String CLASS_E_SOURCE = "martian source: reserved 240.0.0.0/4";
    static final String THIS_NETWORK_SOURCE = "martian source: \"this network\" 0.0.0.0/8";
    static final String LOOPBACK_SOURCE = "martian source: loopback 127.0.0.0/8";
    static final String OWN_SOURCE = "martian source: this host's own address (LAND)";
    static final String BROADCAST_DESTINATION = "broadcast destination: not for this host's TCP or echo";
    static final String MULTICAST_DESTINATION = "multicast destination: not for this host's TCP or echo";
    static final String OTHER_DESTINATION = "not addressed to this host";

    private static final int LIMITED_BROADCAST = 0xffffffff;

    private final int address;
    private final boolean onLoopback;
    /** The subnet's broadcast address; the limited broadcast when the prefix is unknown or has none (/31, /32). */
    private final int subnetBroadcast;

    /** A host at {@code address} on a subnet of {@code prefixLength} bits (0: not known). */
    AddressFilter(int address, int prefixLength) {
        if (prefixLength < 0 || prefixLength > 32) throw new IllegalArgumentException("prefix length /" + prefixLength + " outside 0..32");
        this.address = address;
        this.onLoopback = isLoopback(address);
        // RFC 3021: a /31 has no broadcast address; a /32 has no other host.
        this.subnetBroadcast = prefixLength == 0 || prefixLength >= 31 ? LIMITED_BROADCAST : address | (-1 >>> prefixLength);
    }

    /** Why a packet from {@code source} is dropped, or null. */
    String sourceProblem(int source) {
        if (source == LIMITED_BROADCAST) return LIMITED_BROADCAST_SOURCE;
        int top = source >>> 28;
        if (top == 0xe) return MULTICAST_SOURCE;
        if (top == 0xf) return CLASS_E_SOURCE;
        if (source >>> 24 == 0) return THIS_NETWORK_SOURCE;
        if (onLoopback) return null;
        if (isLoopback(source)) return LOOPBACK_SOURCE;
        if (source == subnetBroadcast) return SUBNET_BROADCAST_SOURCE;
        if (source == address) return OWN_SOURCE;
        return null;
    }

    /** Why a packet to {@code destination} is not for this host, or null. */
    String destinationProblem(int destination) {
        if (destination == address) return null;
        if (destination == LIMITED_BROADCAST || destination == subnetBroadcast) return BROADCAST_DESTINATION;
        if (destination >>> 28 == 0xe) return MULTICAST_DESTINATION;
        return OTHER_DESTINATION;
    }

    private static boolean isLoopback(int address) {
        return address >>> 24 == 127;
    }

    static final String IPV6_MULTICAST_SOURCE = "martian source: IPv6 multicast ff00::/8";
    static final String IPV6_UNSPECIFIED_SOURCE = "martian source: IPv6 unspecified ::";
    static final String IPV6_LOOPBACK_SOURCE = "martian source: IPv6 loopback ::1";
    static final String NO_IPV6 = "IPv6: this host has no IPv6 address";

    /**
     * Why an IPv6 packet from {@code hi}, {@code lo} to this host at {@code own} is dropped, or
     * null. RFC 4291: a multicast address (§2.7) or the unspecified one (§2.5.2, except in
     * duplicate address detection, which a host's TCP never sees) is never a source, nor is the
     * loopback address off loopback (§2.5.3), nor the host's own address (LAND).
     */
    static String sourceProblem6(long hi, long lo, IpAddress own) {
        if (Ipv6Address.isMulticast(hi)) return IPV6_MULTICAST_SOURCE;
        if (hi == 0 && lo == 0) return IPV6_UNSPECIFIED_SOURCE;
        boolean ownIsLoopback = Ipv6Address.isLoopback(own.hi(), own.lo());
        if (ownIsLoopback) return null;
        if (Ipv6Address.isLoopback(hi, lo)) return IPV6_LOOPBACK_SOURCE;
        if (hi == own.hi() && lo == own.lo()) return OWN_SOURCE;
        return null;
    }

    /** Why an IPv6 packet to {@code hi}, {@code lo} is not for this host at {@code own}, or null. */
    static String destinationProblem6(long hi, long lo, IpAddress own) {
        if (hi == own.hi() && lo == own.lo()) return null;
        return Ipv6Address.isMulticast(hi) ? MULTICAST_DESTINATION : OTHER_DESTINATION;
    }
}
