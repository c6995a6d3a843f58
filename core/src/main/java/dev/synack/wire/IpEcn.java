package dev.synack.wire;

import java.nio.ByteBuffer;

/**
 * The ECN field (RFC 3168 §5): the two low bits of the IPv4 TOS byte and of the IPv6 traffic class.
 * Names as packetdrill writes them: {@code noecn}, {@code ect1}, {@code ect0}, {@code ce}.
 */
public final class IpEcn {
    /** Not-ECT: the sender does not speak ECN. */
    public static final int NOT_ECT = 0;
    /** ECT(1). */
    public static final int ECT1 = 1;
    /** ECT(0): what an ECN-capable TCP sets on its data (RFC 3168 §6.1.2, as Linux's INET_ECN_xmit). */
    public static final int ECT0 = 2;
    /** CE: a router marked congestion instead of dropping the packet. */
    public static final int CE = 3;
    /** The field's bits within the TOS byte or traffic class. */
    public static final int MASK = 3;

    private IpEcn() {}

    /** The ECN codepoint of the IPv4 or IPv6 packet at {@code packet}'s position (Not-ECT for anything else). */
    public static int of(ByteBuffer packet) {
        int ip = packet.position();
        if (packet.remaining() < Ipv4Header.MIN_LENGTH) return NOT_ECT;
        return switch (Ipv4Header.version(packet, ip)) {
            case Ipv4Header.VERSION -> Ipv4Header.typeOfService(packet, ip) & MASK;
            case Ipv6Header.VERSION -> packet.remaining() < Ipv6Header.LENGTH ? NOT_ECT : Ipv6Header.trafficClass(packet, ip) & MASK;
            default -> NOT_ECT;
        };
    }

    /**
     * Marks the IPv4 or IPv6 packet at {@code packet}'s position CE, as a congested router does with
     * an ECN-capable packet instead of dropping it (RFC 3168 §5). Returns false, changing nothing,
     * when the packet is not ECN-capable (the router would drop it instead).
     */
    public static boolean markCongestion(ByteBuffer packet) {
        if (!isCapable(of(packet))) return false;
        int ip = packet.position();
        if (Ipv4Header.version(packet, ip) == Ipv4Header.VERSION) Ipv4Header.ecn(packet, ip, CE);
        else Ipv6Header.ecn(packet, ip, CE);
        return true;
    }

    /** Whether {@code codepoint} says the sender is ECN-capable (ECT(0), ECT(1) or CE). */
    public static boolean isCapable(int codepoint) {
        return (codepoint & MASK) != NOT_ECT;
    }

    /** packetdrill's name of {@code codepoint}: noecn, ect1, ect0 or ce. */
    public static String name(int codepoint) {
        return switch (codepoint & MASK) {
            case NOT_ECT -> "noecn";
            case ECT1 -> "ect1";
            case ECT0 -> "ect0";
            default -> "ce";
        };
    }

    /** The codepoint of packetdrill's {@code name}, or -1 when it names none. */
    public static int parse(String name) {
        return switch (name) {
            case "noecn" -> NOT_ECT;
            case "ect1" -> ECT1;
            case "ect0" -> ECT0;
            case "ce" -> CE;
            default -> -1;
        };
    }
}
