package dev.synack.stack;

import dev.synack.wire.IpAddress;
import dev.synack.wire.Ipv6Address;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Forwarding, the mode of a stack behind a TUN device in a transparent proxy or VPN client (the
 * role of gVisor's tcp.Forwarder in tun2socks): besides its own addresses the stack takes in
 * packets to every address of the prefixes added here ({@link #addPrefix}; "0.0.0.0/0" and "::/0"
 * take everything the routes send to the device), and a connection to any such address and port
 * is opened as if the stack listened there. Those SYNs go to one listener,
 * {@link NetStack#listenForwarded} (a {@code TcpServerSocket} opens it with
 * {@code listenForwarded}); each accepted connection's local address and port are the original
 * destination, which is how the application learns where to relay it.
 *
 * <p>The handshake completes before the application sees the connection, as on a listening
 * socket: so the SYN queue, the backlog and SYN cookies bound the state a SYN flood at random
 * destinations can create exactly as for one listener (a deferred answer, the SYN-ACK held back
 * until the application had reached the real destination, would keep state per SYN beyond the
 * cookies' reach). The application refuses a destination on the SYN through the
 * {@link ForwardFilter} (a reset, as from a closed port), or after accepting by aborting the
 * connection (a reset), which a relay does when the real destination refuses.
 *
 * <p>Demultiplexing stays O(1): the demux key holds a key of the local address ({@link LocalKeys}).
 * Broadcast, multicast, loopback and "this network" destinations are never taken in. Segments to
 * forwarded destinations with no connection and no forwarding listener are answered with a reset.
 * Prefixes and the filter may be changed while the stack runs.
 */
public final class Forwarding {
    private record Prefix(long hi, long lo, int bits, String text) {
        boolean covers(long h, long l) {
            if (bits == 0) return true;
            if (bits <= 64) return ((h ^ hi) & (-1L << (64 - bits))) == 0;
            return h == hi && (bits == 128 || ((l ^ lo) & (-1L << (128 - bits))) == 0);
        }
    }

    private volatile Prefix[] prefixes = new Prefix[0];
    private volatile ForwardFilter filter = ForwardFilter.ALL;

    Forwarding() {}

    /**
     * Takes in packets to every address of {@code cidr}: an IPv4 or IPv6 prefix such as
     * "198.18.0.0/15", "0.0.0.0/0" or "fd00::/8" (an address alone: that address).
     *
     * @throws IllegalArgumentException for a malformed prefix
     */
    public synchronized void addPrefix(String cidr) {
        int slash = cidr.indexOf('/');
        IpAddress a = IpAddress.parse(slash < 0 ? cidr : cidr.substring(0, slash));
        int max = a.isIpv4() ? 32 : 128;
        int bits;
        try {
            bits = slash < 0 ? max : Integer.parseInt(cidr.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad prefix length in " + cidr);
        }
        if (bits < 0 || bits > max) throw new IllegalArgumentException("prefix length /" + bits + " outside 0.." + max + " in " + cidr);
        // An IPv4 prefix as IPv4-mapped: its bits follow the 96 of ::ffff:0:0/96.
        Prefix p = new Prefix(a.hi(), a.lo(), a.isIpv4() ? 96 + bits : bits, cidr);
        Prefix[] grown = java.util.Arrays.copyOf(prefixes, prefixes.length + 1);
        grown[grown.length - 1] = p;
        prefixes = grown;
    }

    /** The prefixes added, as given. */
    public List<String> prefixes() {
        List<String> out = new ArrayList<>();
        for (Prefix p : prefixes) out.add(p.text());
        return out;
    }

    /** Decides on each SYN to a forwarded destination (default: {@link ForwardFilter#ALL}). */
    public void filter(ForwardFilter filter) {
        this.filter = Objects.requireNonNull(filter);
    }

    /** Whether the stack takes in packets to {@code hi}, {@code lo} (the 128 bits {@link IpAddress} holds) as forwarded. */
    boolean covers(long hi, long lo) {
        Prefix[] ps = prefixes;
        if (ps.length == 0 || !isUnicast(hi, lo)) return false;
        for (Prefix p : ps) if (p.covers(hi, lo)) return true;
        return false;
    }

    /** The filter's decision on a SYN (an exception from it refuses). */
    boolean admits(IpAddress source, int sourcePort, IpAddress destination, int destinationPort) {
        try {
            return filter.admits(source, sourcePort, destination, destinationPort);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Not broadcast, multicast, class E, loopback, "this network" (IPv4), nor multicast, loopback or unspecified (IPv6). */
    private static boolean isUnicast(long hi, long lo) {
        if (IpAddress.isIpv4(hi, lo)) {
            int a = (int) lo;
            int top = a >>> 24;
            return top != 0 && top != 127 && (a >>> 28) < 0xe;
        }
        return !Ipv6Address.isMulticast(hi) && !Ipv6Address.isLoopback(hi, lo) && (hi | lo) != 0;
    }
}
