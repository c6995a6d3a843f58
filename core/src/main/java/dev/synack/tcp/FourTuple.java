package dev.synack.tcp;

import dev.synack.wire.IpAddress;
import dev.synack.wire.Ipv4Header;
import dev.synack.wire.Ipv6Header;

/**
 * A connection's identity: local and remote address and port. Both addresses are of one family
 * (an IPv4 connection's are IPv4, which {@link IpAddress} holds as IPv4-mapped).
 */
public record FourTuple(IpAddress localAddress, int localPort, IpAddress remoteAddress, int remotePort) {
    /** The smallest MSS an IPv6 peer may be assumed to take: the 1280-byte minimum MTU less 60 (RFC 8200 §5). */
    public static final int IPV6_MIN_MSS = 1220;

    public FourTuple {
        if (localAddress.isIpv4() != remoteAddress.isIpv4()) {
            throw new IllegalArgumentException("addresses of two families: " + localAddress + " and " + remoteAddress);
        }
    }

    /** An IPv4 connection's, its addresses as {@link dev.synack.wire.Ipv4Address} holds them. */
    public FourTuple(int localAddress, int localPort, int remoteAddress, int remotePort) {
        this(IpAddress.ipv4(localAddress), localPort, IpAddress.ipv4(remoteAddress), remotePort);
    }

    public boolean isIpv6() { return remoteAddress.isIpv6(); }

    /** The IP header's length, without options or extension headers: 20 or 40. */
    public int ipHeaderLength() { return isIpv6() ? Ipv6Header.LENGTH : Ipv4Header.MIN_LENGTH; }

    /**
     * {@code mss} (an MSS for an IPv4 path, as {@link TcpConfig#mss()} is) for this connection's
     * family: 20 bytes less over IPv6, whose header is 40 bytes (Linux's tcp_v6 advmss, MTU - 60).
     */
    public int forFamily(int mss) { return mss + Ipv4Header.MIN_LENGTH - ipHeaderLength(); }

    public String local() { return localAddress.withPort(localPort); }
    public String remote() { return remoteAddress.withPort(remotePort); }

    /**
     * Writes the two addresses, {@code first} then the other, and the ports as one big-endian word
     * ({@code first}'s port high), into {@code into} from 0: 4 bytes an IPv4 address, 16 an IPv6
     * one, the layout the ISN and SYN-cookie hashes take (RFC 6528 §3's F over the 4-tuple). Returns
     * the bytes written (12 or 36).
     */
    int hashInput(byte[] into, boolean localFirst) {
        IpAddress a = localFirst ? localAddress : remoteAddress;
        IpAddress b = localFirst ? remoteAddress : localAddress;
        int at = putAddress(into, 0, a);
        at = putAddress(into, at, b);
        int ports = localFirst ? (localPort << 16) | (remotePort & 0xffff) : (remotePort << 16) | (localPort & 0xffff);
        SipHash.putBigEndian(into, at, ports);
        return at + 4;
    }

    /** Writes {@code address} at {@code at}, 4 bytes for IPv4 and 16 for IPv6, network order; returns the index after it. */
    static int putAddress(byte[] into, int at, IpAddress address) {
        if (address.isIpv4()) {
            SipHash.putBigEndian(into, at, address.ipv4());
            return at + 4;
        }
        SipHash.putBigEndian(into, at, (int) (address.hi() >>> 32));
        SipHash.putBigEndian(into, at + 4, (int) address.hi());
        SipHash.putBigEndian(into, at + 8, (int) (address.lo() >>> 32));
        SipHash.putBigEndian(into, at + 12, (int) address.lo());
        return at + 16;
    }

    @Override
    public String toString() { return local() + "<->" + remote(); }
}
