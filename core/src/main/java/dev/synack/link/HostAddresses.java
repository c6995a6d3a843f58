package dev.synack.link;

import dev.synack.stack.NetStack;
import dev.synack.wire.IpAddress;
import dev.synack.wire.Ipv4Address;
import dev.synack.wire.Ipv4Header;
import dev.synack.wire.Ipv6Header;
import java.nio.ByteBuffer;

/**
 * The addresses a link gives one host, from the text {@link Link#addHost} takes: an IPv4 address
 * ("10.0.0.2"), an IPv6 one ("fd00::2"), or both separated by a comma ("10.0.0.2,fd00::2"); and how
 * a link reads the destination of a packet's bytes to find the host it is for, without allocating.
 *
 * @param ipv4 the IPv4 address, 0 for none
 * @param ipv6 the IPv6 address, null for none
 */
record HostAddresses(int ipv4, IpAddress ipv6) {
    static HostAddresses parse(String text) {
        int ipv4 = 0;
        IpAddress ipv6 = null;
        for (String part : text.split(",", -1)) {
            IpAddress a = IpAddress.parse(part);
            if (a.isIpv4() ? ipv4 != 0 : ipv6 != null) throw new IllegalArgumentException("two addresses of one family in " + text);
            if (a.isIpv4()) ipv4 = a.ipv4();
            else ipv6 = a;
        }
        return new HostAddresses(ipv4, ipv6);
    }

    /** A new stack's IPv4 address (0: none); {@link #applyTo} gives it the IPv6 one. */
    int stackAddress() { return ipv4; }

    void applyTo(NetStack stack) {
        if (ipv6 != null) stack.ipv6Address(ipv6);
    }

    /** A number naming the host for per-path random seeds: its IPv4 address, else its IPv6 one folded. */
    int key() { return ipv4 != 0 ? ipv4 : fold(ipv6.hi(), ipv6.lo()); }

    /** Whether the address {@link IpAddress} holds as {@code hi}, {@code lo} is one of this host's. */
    boolean has(long hi, long lo) {
        if (IpAddress.isIpv4(hi, lo)) return ipv4 != 0 && (int) lo == ipv4;
        return ipv6 != null && ipv6.hi() == hi && ipv6.lo() == lo;
    }

    /** Whether the IP packet at {@code packet}'s position is addressed to this host. */
    boolean isDestinationOf(ByteBuffer packet) {
        int p = packet.position();
        if (packet.remaining() >= Ipv6Header.LENGTH && Ipv6Header.version(packet, p) == Ipv6Header.VERSION) {
            return has(Ipv6Header.destinationHi(packet, p), Ipv6Header.destinationLo(packet, p));
        }
        return packet.remaining() >= Ipv4Header.MIN_LENGTH && Ipv4Header.version(packet, p) == Ipv4Header.VERSION
                && ipv4 != 0 && Ipv4Header.destinationAddress(packet, p) == ipv4;
    }

    /** The destination of the packet's bytes as text, for the trace of a packet no host takes. */
    static String destinationText(ByteBuffer packet) {
        int p = packet.position();
        if (packet.remaining() >= Ipv6Header.LENGTH && Ipv6Header.version(packet, p) == Ipv6Header.VERSION) {
            return IpAddress.of(Ipv6Header.destinationHi(packet, p), Ipv6Header.destinationLo(packet, p)).toString();
        }
        return Ipv4Address.format(packet.remaining() >= Ipv4Header.MIN_LENGTH ? Ipv4Header.destinationAddress(packet, p) : 0);
    }

    /** The destination of the packet's bytes as {@link #key()} names hosts (0: unreadable). */
    static int destinationKey(ByteBuffer packet) {
        int p = packet.position();
        if (packet.remaining() >= Ipv6Header.LENGTH && Ipv6Header.version(packet, p) == Ipv6Header.VERSION) {
            return fold(Ipv6Header.destinationHi(packet, p), Ipv6Header.destinationLo(packet, p));
        }
        return packet.remaining() >= Ipv4Header.MIN_LENGTH ? Ipv4Header.destinationAddress(packet, p) : 0;
    }

    private static int fold(long hi, long lo) { return Long.hashCode(hi) * 31 + Long.hashCode(lo); }

    @Override
    public String toString() {
        String v4 = ipv4 != 0 ? Ipv4Address.format(ipv4) : null;
        return v4 == null ? String.valueOf(ipv6) : ipv6 == null ? v4 : v4 + "," + ipv6;
    }
}
