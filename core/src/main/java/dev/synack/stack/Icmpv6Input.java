package dev.synack.stack;

import dev.synack.tcp.IcmpError;
import dev.synack.wire.Icmpv6;
import dev.synack.wire.Ipv6Header;
import java.nio.ByteBuffer;

/**
 * Arriving ICMPv6 (RFC 4443), under the stack's lock: echo requests to this host's IPv6 address are
 * answered (§4.1: "Every node MUST implement an ICMPv6 Echo responder function"), through the
 * same rate limit as ICMP's; neighbour discovery and multicast listener messages, which a kernel
 * sends down a point-to-point TUN device on bringing it up, are counted and dropped without an
 * answer (a link without link-layer addresses has nothing to resolve, RFC 4861 §3.2); destination
 * unreachable and packet too big go to the TCP connection they quote; anything else is counted
 * and dropped.
 */
final class Icmpv6Input {
    private final NetStack stack;
    private final Diagnostics diagnostics;
    private final Inbound inbound;
    private final Connections connections;

    Icmpv6Input(NetStack stack, Diagnostics diagnostics, Inbound inbound, Connections connections) {
        this.stack = stack;
        this.diagnostics = diagnostics;
        this.inbound = inbound;
        this.connections = connections;
    }

    /**
     * An ICMPv6 destination-unreachable or packet-too-big about a TCP segment this host sent: handed
     * to the connection it quotes, which checks it against its sequence space (RFC 5927) and lowers
     * its path MTU (RFC 8201) or records the error, as for ICMPv4 ({@link Connections#icmpErrorArrived}).
     */
    void errorForConnection(Icmpv6.ErrorReport error, ByteBuffer packet, long now) {
        diagnostics.increment(Counter.IN_ICMP6_ERRORS);
        IcmpError kind = IcmpError.ofIpv6(error.type(), error.code());
        String refused = kind == null ? "not for TCP"
                : !error.source().equals(stack.ipv6Address()) ? "about a packet this host did not send"
                : connections.icmpErrorArrived(error.destination().hi(), error.destination().lo(), error.sourcePort(),
                        error.destinationPort(), kind, (int) Math.min(error.mtu(), Integer.MAX_VALUE), error.seq(), null, now);
        if (refused != null) diagnostics.undecodable(now, packet, describe(error) + ": " + refused);
    }

    private static String describe(Icmpv6.ErrorReport error) {
        return (error.isPacketTooBig() ? "ICMPv6 packet too big, MTU " + error.mtu()
                : "ICMPv6 destination unreachable, code " + error.code()) + ", for " + error.source().withPort(error.sourcePort())
                + " > " + error.destination().withPort(error.destinationPort()) + " seq " + Integer.toUnsignedString(error.seq());
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
