package dev.synack.wire;

/**
 * An IP packet of either family carrying one TCP segment: the IP fields the stack uses, and the
 * segment. Reusable. Addresses are held as {@link IpAddress} holds them, 128 bits in two longs with
 * IPv4 as IPv4-mapped, so that reading or setting them allocates nothing; the {@code int} accessors
 * are the IPv4 view. The family is the source address's.
 */
public final class TcpPacket {
    public static final int PROTOCOL_TCP = 6;
    public static final int DEFAULT_TTL = 64;

    private long sourceHi;
    private long sourceLo = IpAddress.V4_MAPPED_LO_PREFIX;
    private long destinationHi;
    private long destinationLo = IpAddress.V4_MAPPED_LO_PREFIX;
    private int ttl = DEFAULT_TTL;
    private int flowLabel;
    private final TcpSegment segment = new TcpSegment();

    /** The IPv4 source address (meaningful only when {@link #isIpv6()} is false). */
    public int sourceAddress() { return (int) sourceLo; }
    public TcpPacket sourceAddress(int address) { return source(0, IpAddress.V4_MAPPED_LO_PREFIX | (address & 0xffff_ffffL)); }
    /** The IPv4 destination address (meaningful only when {@link #isIpv6()} is false). */
    public int destinationAddress() { return (int) destinationLo; }
    public TcpPacket destinationAddress(int address) {
        return destination(0, IpAddress.V4_MAPPED_LO_PREFIX | (address & 0xffff_ffffL));
    }
    public TcpPacket source(long hi, long lo) { sourceHi = hi; sourceLo = lo; return this; }
    public TcpPacket destination(long hi, long lo) { destinationHi = hi; destinationLo = lo; return this; }
    public TcpPacket source(IpAddress address) { return source(address.hi(), address.lo()); }
    public TcpPacket destination(IpAddress address) { return destination(address.hi(), address.lo()); }
    public long sourceHi() { return sourceHi; }
    public long sourceLo() { return sourceLo; }
    public long destinationHi() { return destinationHi; }
    public long destinationLo() { return destinationLo; }
    /** The source as a value (allocates: not for the per-packet path). */
    public IpAddress sourceIp() { return IpAddress.of(sourceHi, sourceLo); }
    /** The destination as a value (allocates: not for the per-packet path). */
    public IpAddress destinationIp() { return IpAddress.of(destinationHi, destinationLo); }
    /** Whether this is an IPv6 packet (its source is not IPv4-mapped). */
    public boolean isIpv6() { return !IpAddress.isIpv4(sourceHi, sourceLo); }
    /** Time to live (IPv4) or hop limit (IPv6). */
    public int ttl() { return ttl; }
    public TcpPacket ttl(int ttl) { this.ttl = ttl & 0xff; return this; }
    /** The IPv6 flow label (RFC 6437), 20 bits; unused for IPv4. */
    public int flowLabel() { return flowLabel; }
    public TcpPacket flowLabel(int label) { this.flowLabel = label & 0xfffff; return this; }
    public TcpSegment segment() { return segment; }

    /** Makes this packet {@code other}'s equal; the payload window is shared (see {@link TcpSegment#copyFrom}). */
    public TcpPacket copyFrom(TcpPacket other) {
        sourceHi = other.sourceHi;
        sourceLo = other.sourceLo;
        destinationHi = other.destinationHi;
        destinationLo = other.destinationLo;
        ttl = other.ttl;
        flowLabel = other.flowLabel;
        segment.copyFrom(other.segment);
        return this;
    }

    /** "10.0.0.1:40000" or "[fd00::1]:40000" */
    public String source() { return sourceIp().withPort(segment.sourcePort()); }
    /** "10.0.0.2:80" or "[fd00::2]:80" */
    public String destination() { return destinationIp().withPort(segment.destinationPort()); }

    @Override
    public String toString() {
        return sourceIp() + "." + segment.toString().replaceFirst(" > ", " > " + destinationIp() + ".");
    }
}
