package dev.synack.wire;

/** An IPv4 packet carrying one TCP segment: the IP fields the stack uses, and the segment. Reusable. */
public final class TcpPacket {
    public static final int PROTOCOL_TCP = 6;
    public static final int DEFAULT_TTL = 64;

    private int sourceAddress;
    private int destinationAddress;
    private int ttl = DEFAULT_TTL;
    private final TcpSegment segment = new TcpSegment();

    public int sourceAddress() { return sourceAddress; }
    public TcpPacket sourceAddress(int address) { this.sourceAddress = address; return this; }
    public int destinationAddress() { return destinationAddress; }
    public TcpPacket destinationAddress(int address) { this.destinationAddress = address; return this; }
    public int ttl() { return ttl; }
    public TcpPacket ttl(int ttl) { this.ttl = ttl & 0xff; return this; }
    public TcpSegment segment() { return segment; }

    /** Makes this packet {@code other}'s equal; the payload window is shared (see {@link TcpSegment#copyFrom}). */
    public TcpPacket copyFrom(TcpPacket other) {
        sourceAddress = other.sourceAddress;
        destinationAddress = other.destinationAddress;
        ttl = other.ttl;
        segment.copyFrom(other.segment);
        return this;
    }

    /** "10.0.0.1:40000" */
    public String source() { return Ipv4Address.format(sourceAddress) + ":" + segment.sourcePort(); }
    /** "10.0.0.2:80" */
    public String destination() { return Ipv4Address.format(destinationAddress) + ":" + segment.destinationPort(); }

    @Override
    public String toString() {
        return Ipv4Address.format(sourceAddress) + "." + segment.toString().replaceFirst(" > ",
                " > " + Ipv4Address.format(destinationAddress) + ".");
    }
}
