package dev.synack.wire;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * An IP address of either family, immutable, as the 128 bits of an IPv6 address in two longs (the
 * high half first, network order). An IPv4 address is held as its IPv4-mapped IPv6 address
 * {@code ::ffff:a.b.c.d} (RFC 4291 §2.5.5.2), so that one representation keys connections of both
 * families without a family field; such an address never appears on the IPv6 wire (the stack drops
 * packets that carry one, as Linux does), so the mapping is unambiguous.
 *
 * <p>Made once per connection or binding, never per packet: the packet path reads addresses as the
 * two longs ({@link TcpPacket#sourceHi()} and so on).
 */
public final class IpAddress {
    /** The high long and the top of the low long of every IPv4-mapped address. */
    static final long V4_MAPPED_LO_PREFIX = 0x0000_ffffL << 32;

    /** {@code ::}, the IPv6 unspecified address (a wildcard binding). */
    public static final IpAddress IPV6_UNSPECIFIED = new IpAddress(0, 0);

    private final long hi;
    private final long lo;

    private IpAddress(long hi, long lo) {
        this.hi = hi;
        this.lo = lo;
    }

    /** The low 64 bits of {@code address} held IPv4-mapped (the high 64 are 0): for allocation-free lookups. */
    public static long ipv4Lo(int address) {
        return V4_MAPPED_LO_PREFIX | (address & 0xffff_ffffL);
    }

    /** The IPv4 address {@code address} (network order, as {@link Ipv4Address} holds it). */
    public static IpAddress ipv4(int address) {
        return new IpAddress(0, ipv4Lo(address));
    }

    /** The address whose 128 bits are {@code hi} and {@code lo}; an IPv4-mapped one is IPv4. */
    public static IpAddress of(long hi, long lo) {
        return new IpAddress(hi, lo);
    }

    /** Either family from text: dotted quad, or IPv6 text (RFC 4291 §2.2; brackets allowed). */
    public static IpAddress parse(String text) {
        String t = text.trim();
        if (t.startsWith("[") && t.endsWith("]")) t = t.substring(1, t.length() - 1);
        return t.indexOf(':') >= 0 ? Ipv6Address.parse(t) : ipv4(Ipv4Address.parse(t));
    }

    /** From a java.net address; an {@code Inet6Address} that is IPv4-mapped becomes IPv4. */
    public static IpAddress of(InetAddress address) {
        if (address instanceof Inet4Address) return ipv4(Ipv4Address.of(address));
        if (!(address instanceof Inet6Address)) throw new IllegalArgumentException("not an IP address: " + address);
        byte[] b = address.getAddress();
        return new IpAddress(longAt(b, 0), longAt(b, 8));
    }

    private static long longAt(byte[] b, int from) {
        long v = 0;
        for (int i = from; i < from + 8; i++) v = (v << 8) | (b[i] & 0xff);
        return v;
    }

    /** Whether the 128 bits {@code hi}, {@code lo} are an IPv4-mapped address. */
    public static boolean isIpv4(long hi, long lo) {
        return hi == 0 && (lo & 0xffff_ffff_0000_0000L) == V4_MAPPED_LO_PREFIX;
    }

    public long hi() { return hi; }
    public long lo() { return lo; }
    public boolean isIpv4() { return isIpv4(hi, lo); }
    public boolean isIpv6() { return !isIpv4(); }
    /** 4 or 6. */
    public int version() { return isIpv4() ? Ipv4Header.VERSION : Ipv6Header.VERSION; }

    /** The IPv4 address as an int; only for an IPv4 address. */
    public int ipv4() {
        if (!isIpv4()) throw new IllegalStateException(this + " is not an IPv4 address");
        return (int) lo;
    }

    /** Whether this is the IPv6 unspecified address {@code ::} or IPv4's 0.0.0.0. */
    public boolean isUnspecified() { return hi == 0 && (lo == 0 || lo == V4_MAPPED_LO_PREFIX); }

    /** An IPv6 link-local unicast address, fe80::/10 (RFC 4291 §2.5.6). */
    public boolean isLinkLocal() { return Ipv6Address.isLinkLocal(hi); }

    /** The same bits as this IPv4 address's IPv4-mapped IPv6 form, for a dual-stack socket's view. */
    public InetAddress toMappedInet6Address() {
        byte[] b = new byte[16];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (hi >>> (56 - 8 * i));
            b[8 + i] = (byte) (lo >>> (56 - 8 * i));
        }
        try {
            return Inet6Address.getByAddress(null, b, -1);
        } catch (UnknownHostException e) {
            throw new AssertionError("sixteen bytes are always an address", e);
        }
    }

    /** As java.net sees it: an {@code Inet4Address} for IPv4, an {@code Inet6Address} otherwise. */
    public InetAddress toInetAddress() {
        return isIpv4() ? Ipv4Address.toInetAddress((int) lo) : toMappedInet6Address();
    }

    /** "10.0.0.1:80" or "[fd00::2]:80", as ss prints an endpoint. */
    public String withPort(int port) {
        return isIpv4() ? this + ":" + port : "[" + this + "]:" + port;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpAddress a && a.hi == hi && a.lo == lo;
    }

    @Override
    public int hashCode() { return Long.hashCode(hi * 31 + lo); }

    /** Dotted quad for IPv4, RFC 5952 text for IPv6. */
    @Override
    public String toString() {
        return isIpv4() ? Ipv4Address.format((int) lo) : Ipv6Address.format(hi, lo);
    }
}
