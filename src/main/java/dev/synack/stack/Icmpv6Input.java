package dev.synack.stack;

import dev.synack.wire.Icmpv6;
import dev.synack.wire.Ipv6Header;
import java.nio.ByteBuffer;

/**
 * Arriving ICMPv6 (RFC 4443), under the stack's lock: echo requests to this host's IPv6 address are
 * answered (§4.1: "Every node MUST implement an ICMPv6 Echo responder function"), through the
 * same rate limit as ICMP's; neighbour discovery and multicast listener messages, which a kernel
 * sends down a point-to-point TUN device on bringing it up, are counted and dropped without an
 * answer (a link without link-layer addresses has nothing to resolve, RFC 4861 §3.2); errors and
 * anything else are counted and dropped.
 */
final class Icmpv6Input {
    private final Diagnostics diagnostics;
    private final Inbound inbound;

    Icmpv6Input(Diagnostics diagnostics, Inbound inbound) {
        this.diagnostics = diagnostics;
        this.inbound = inbound;
    }

    /**
     * An ICMPv6 destination-unreachable or packet-too-big about a TCP segment this host sent: the
     * seam where the stack hands such a report to the engine's ICMP error handling (RFC 5927's
     * checks against the connection, then path MTU discovery, RFC 8201). Here it is counted and
     * traced; no connection changes on it.
     */
    void errorForConnection(Icmpv6.ErrorReport error, ByteBuffer packet, long now) {
        diagnostics.increment(Counter.IN_ICMP6_ERRORS);
        diagnostics.undecodable(now, packet, (error.isPacketTooBig() ? "ICMPv6 packet too big, MTU " + error.mtu()
                : "ICMPv6 destination unreachable, code " + error.code()) + ", for " + error.source().withPort(error.sourcePort())
                + " > " + error.destination().withPort(error.destinationPort()) + " seq " + Integer.toUnsignedString(error.seq()));
    }

    /** An IPv6 packet carrying ICMPv6 ({@link Icmpv6#isIcmpv6}), at {@code packet}'s position. */
    void arrived(ByteBuffer packet, long now) {
        int type = Icmpv6.type(packet);
        Icmpv6.ErrorReport error = Icmpv6.errorReport(packet);
        if (error != null) {
            errorForConnection(error, packet, now);
            return;
        }
        if (type != Icmpv6.TYPE_ECHO_REQUEST) {
            diagnostics.increment(Counter.IN_ICMP6_IGNORED);
            diagnostics.undecodable(now, packet, Icmpv6.isLinkHousekeeping(type)
                    ? "ICMPv6 type " + type + ": neighbour discovery or listener report, not needed on this link"
                    : "ICMPv6 type " + type + " ignored");
            return;
        }
        String problem = Icmpv6.echoRequestProblem(packet);
        if (problem != null) {
            diagnostics.increment(Counter.IN_ERRS);
            diagnostics.undecodable(now, packet, problem);
            return;
        }
        int p = packet.position();
        inbound.answerEcho(packet, inbound.addressProblem6(Ipv6Header.sourceHi(packet, p), Ipv6Header.sourceLo(packet, p),
                Ipv6Header.destinationHi(packet, p), Ipv6Header.destinationLo(packet, p)), true, now);
    }
}
