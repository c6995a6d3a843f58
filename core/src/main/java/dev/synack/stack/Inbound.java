package dev.synack.stack;

import dev.synack.tcp.IcmpError;
import dev.synack.tcp.Resets;
import dev.synack.tcp.TcpConfig;
import dev.synack.trace.TraceEvent;
import dev.synack.wire.Icmpv4;
import dev.synack.wire.Icmpv4Error;
import dev.synack.wire.Icmpv6;
import dev.synack.wire.IpAddress;
import dev.synack.wire.Ipv4Header;
import dev.synack.wire.PacketCodec;
import dev.synack.wire.ParseResult;
import dev.synack.wire.TcpPacket;
import dev.synack.wire.TcpSegment;
import dev.synack.wire.UdpDatagram;
import java.nio.ByteBuffer;

/**
 * Arriving packets, on the thread holding the stack's lock: decoded into a reused {@link TcpPacket}
 * (nothing allocated per packet unless a trace listener is attached), filtered by address, handed
 * to their connection or listener ({@link Connections#segmentArrived}), or answered with a reset;
 * ICMP echo requests are answered, ICMP errors go to the connection whose segment they quote. No exception escapes: it is caught, counted
 * ({@link Counter#INTERNAL_ERRORS}) and traced as a drop, unless it is fatal.
 *
 * <p>Hostile input: a packet from a martian source or for an address other than the host's is
 * dropped before TCP or ICMP sees it, without an answer ({@link AddressFilter}); an unsound IPv4
 * option drops its packet ({@link Counter#IN_HDR_ERRORS}). The engine limits the ACKs it sends to
 * segments it does not accept (dev.synack.tcp.AckLimiter); RSTs for segments that match nothing
 * and echo replies pass host-wide {@link TokenBucket}s when {@link TcpConfig#resetRateLimit()} and
 * {@link TcpConfig#echoReplyRateLimit()} set them (Linux limits neither).
 */
final class Inbound {
    private final NetStack stack;
    private final Diagnostics diagnostics;
    private final Connections connections;
    private final TcpPacket inbound = new TcpPacket();
    /** Where a packet delivered decoded is encoded for the packet taps (allocated on first use). */
    private ByteBuffer tapScratch;
    private final TcpSegment resetReply = new TcpSegment();
    /** The ICMP error being read (reused: nothing allocated per message). */
    private final Icmpv4Error icmpError = new Icmpv4Error();
    private final Icmpv6Input icmpv6;
    /** RSTs for segments that match nothing, and echo replies: null when not limited. */
    private final TokenBucket resetLimit;
    private final TokenBucket echoReplyLimit;
    /** Which sources and destinations arriving packets may have (replaced when the prefix is set). */
    private volatile AddressFilter addressFilter;

    Inbound(NetStack stack, Diagnostics diagnostics, Connections connections, long startNanos) {
        this.stack = stack;
        this.diagnostics = diagnostics;
        this.connections = connections;
        TcpConfig config = stack.config();
        this.resetLimit = config.resetRateLimit() == 0 ? null : new TokenBucket(config.resetRateLimit(), config.resetRateLimit(), startNanos);
        this.echoReplyLimit = config.echoReplyRateLimit() == 0 ? null
                : new TokenBucket(config.echoReplyRateLimit(), config.echoReplyBurst(), startNanos);
        this.addressFilter = new AddressFilter(stack.address(), 0);
        this.icmpv6 = new Icmpv6Input(stack, diagnostics, this, connections);
    }

    /** See {@link NetStack#prefixLength(int)}. */
    void prefixLength(int bits) {
        addressFilter = new AddressFilter(stack.address(), bits);
    }

    /** An IPv4 packet's bytes (position to limit, left unchanged). */
    void packet(ByteBuffer packet, boolean tcpChecksumTrusted, long now) {
        arrived(packet, tcpChecksumTrusted, null, now);
    }

    /**
     * A packet another stack in memory handed over decoded: read in place rather than copied (the
     * engine only reads an arriving segment, and the caller keeps it unchanged for the call), held
     * on to by nothing afterwards. Packet taps see it encoded, its TCP checksum left zero as on a
     * checksum-offloading link.
     */
    void decoded(TcpPacket packet, long now) {
        arrived(null, false, packet, now);
    }

    /** A packet as {@code bytes}, or {@code decoded} when bytes is null. */
    private void arrived(ByteBuffer bytes, boolean tcpChecksumTrusted, TcpPacket decoded, long now) {
        assert stack.stackLock().isHeldByCurrentThread() : "packets are processed under the stack's lock";
        diagnostics.processing = decoded != null ? decoded : inbound;
        try {
            TcpPacket in = decoded != null ? tapped(decoded, now) : decode(bytes, tcpChecksumTrusted, now);
            if (in != null) segmentArrived(in, now);
        } catch (Throwable ex) {
            Diagnostics.rethrowFatal(ex);
            diagnostics.internalError(now, "inbound packet", ex);
        } finally {
            diagnostics.processing = null;
        }
    }

    /** Decodes {@code packet} into the reused packet; null when it was ICMP or did not decode (answered or counted). */
    private TcpPacket decode(ByteBuffer packet, boolean tcpChecksumTrusted, long now) {
        if (diagnostics.hasPacketTaps()) diagnostics.tap(now, false, packet);
        if (Icmpv4.isIcmp(packet)) {
            icmpArrived(packet, now);
            return null;
        }
        if (stack.ipv6Address() == null && packet.hasRemaining() && (packet.get(packet.position()) & 0xf0) == 0x60) {
            // A host without IPv6 takes an IPv6 packet as one of an IP version it does not speak,
            // a segment received in error, as it always did.
            diagnostics.increment(Counter.IN_ERRS);
            diagnostics.undecodable(now, packet, AddressFilter.NO_IPV6);
            return null;
        }
        ParseResult result = PacketCodec.decode(packet, inbound, !tcpChecksumTrusted);
        if (result == ParseResult.OK) return inbound;
        if (result == ParseResult.NOT_TCP && Icmpv6.isIcmpv6(packet)) {
            icmpv6.arrived(packet, now);
        } else if (result == ParseResult.NOT_TCP && UdpDatagram.isUdp(packet)) {
            stack.udp().arrived(packet, tcpChecksumTrusted, now);
            return null;
        } else if (result == ParseResult.NOT_TCP) {
            // A sound IP header for a protocol synack does not handle, such as UDP: counted and
            // dropped, never an error.
            diagnostics.increment(Counter.IN_UNKNOWN_PROTOS);
        } else {
            // An unsound IP option is an IP header error (Linux's ip_options_compile); the rest
            // are counted as segments received in error, whatever layer they failed at.
            diagnostics.increment(result == ParseResult.BAD_IP_OPTION ? Counter.IN_HDR_ERRORS : Counter.IN_ERRS);
        }
        diagnostics.undecodable(now, packet, result.reason());
        return null;
    }

    /** Shows a packet handed over decoded to the packet taps, encoded. */
    private TcpPacket tapped(TcpPacket packet, long now) {
        if (diagnostics.hasPacketTaps()) {
            if (tapScratch == null) tapScratch = ByteBuffer.allocate(StackOutput.MAX_PACKET);
            tapScratch.clear();
            PacketCodec.encode(packet, tapScratch, false);
            diagnostics.tap(now, false, tapScratch.flip());
        }
        return packet;
    }

    /** A decoded packet: to its connection or listener, else a reset (RFC 9293 §3.10.7.1). */
    private void segmentArrived(TcpPacket in, long now) {
        String addressProblem = in.isIpv6()
                ? addressProblem6(in.sourceHi(), in.sourceLo(), in.destinationHi(), in.destinationLo())
                : addressProblem(in.sourceAddress(), in.destinationAddress());
        if (addressProblem != null) {
            diagnostics.packet(now, TraceEvent.Direction.DROP, in, addressProblem);
            return;
        }
        diagnostics.increment(Counter.IN_SEGS);
        diagnostics.increment(Counter.ofEcn(in.segment().ecn()));
        diagnostics.packet(now, TraceEvent.Direction.RECV, in, null);
        TcpSegment seg = in.segment();
        if (connections.segmentArrived(in.sourceHi(), in.sourceLo(), in.destinationHi(), in.destinationLo(), seg, now)) return;
        // RFC 9293 §3.10.7.1: a segment for no connection and no listener is answered with a
        // reset (its form depends on the ACK bit), unless it is itself a reset.
        if (!Resets.replyTo(seg, resetReply)) {
            diagnostics.packet(now, TraceEvent.Direction.DROP, in, "no connection (a reset is never answered)");
        } else if (resetLimit == null || resetLimit.tryTake(now)) {
            stack.output().reply(in, resetReply, now);
        } else {
            diagnostics.increment(Counter.OUT_RSTS_RATE_LIMITED);
            diagnostics.packet(now, TraceEvent.Direction.DROP, in, "no connection: RST rate limited");
        }
    }

    /**
     * ICMP (RFC 792): a host answers echo requests addressed to it (RFC 1122 §3.2.2.6: "Every host
     * MUST implement an ICMP Echo server"); other ICMP messages are counted and dropped.
     */
    private void icmpArrived(ByteBuffer packet, long now) {
        if (isIcmpError(packet)) {
            icmpErrorArrived(packet, now);
            return;
        }
        String problem = Icmpv4.echoRequestProblem(packet);
        if (problem != null) {
            boolean echoOfAnotherType = problem.startsWith("ICMP type") || problem.startsWith("echo request with code");
            Counter c = echoOfAnotherType ? Counter.IN_ICMP_IGNORED
                    : problem.equals(ParseResult.BAD_IP_OPTION.reason()) ? Counter.IN_HDR_ERRORS : Counter.IN_ERRS;
            diagnostics.increment(c);
            diagnostics.undecodable(now, packet, problem);
            return;
        }
        int p = packet.position();
        answerEcho(packet, addressProblem(Ipv4Header.sourceAddress(packet, p), Ipv4Header.destinationAddress(packet, p)), false, now);
    }

    /**
     * A sound echo request of either family, whose addresses were found wanting ({@code addressProblem})
     * or not: answered unless refused or held back by the echo reply limit, counted either way.
     */
    void answerEcho(ByteBuffer packet, String addressProblem, boolean ipv6, long now) {
        if (addressProblem != null) {
            diagnostics.undecodable(now, packet, (ipv6 ? "ICMPv6" : "ICMP") + " echo request: " + addressProblem);
            return;
        }
        diagnostics.increment(ipv6 ? Counter.IN_ECHOS6 : Counter.IN_ECHOS);
        if (echoReplyLimit != null && !echoReplyLimit.tryTake(now)) {
            diagnostics.increment(Counter.OUT_RATE_LIMIT_GLOBAL);
            diagnostics.undecodable(now, packet, "echo reply rate limited");
            return;
        }
        if (stack.output().sendEchoReply(packet, ipv6, now)) diagnostics.increment(ipv6 ? Counter.OUT_ECHO_REPLIES6 : Counter.OUT_ECHO_REPS);
    }

    /** Why a packet between these addresses (either family, as {@link IpAddress} holds them) is dropped, counted; null when taken. */
    String addressProblem(long sourceHi, long sourceLo, long destinationHi, long destinationLo) {
        return IpAddress.isIpv4(sourceHi, sourceLo) ? addressProblem((int) sourceLo, (int) destinationLo)
                : addressProblem6(sourceHi, sourceLo, destinationHi, destinationLo);
    }

    /** As {@link #addressProblem(int, int)} for IPv6 (the two longs of each address). */
    String addressProblem6(long sourceHi, long sourceLo, long destinationHi, long destinationLo) {
        IpAddress own = stack.ipv6Address();
        if (own == null) {
            diagnostics.increment(Counter.IN_ADDR_ERRORS);
            return AddressFilter.NO_IPV6;
        }
        String problem = AddressFilter.sourceProblem6(sourceHi, sourceLo, own);
        if (problem != null) {
            diagnostics.increment(Counter.IN_MARTIAN_SRC);
            return problem;
        }
        problem = AddressFilter.destinationProblem6(destinationHi, destinationLo, own);
        return counted(forwarded(problem, destinationHi, destinationLo));
    }

    /** The packet (ICMP, its IPv4 header checked for length only) carries an error message type. */
    private static boolean isIcmpError(ByteBuffer packet) {
        int p = packet.position();
        int icmp = Ipv4Header.ihl(packet, p) * 4;
        return icmp >= Ipv4Header.MIN_LENGTH && packet.remaining() > icmp
                && Icmpv4Error.isErrorType(packet.get(p + icmp) & 0xff);
    }

    /**
     * An ICMP error (RFC 792, RFC 1122 §4.2.3.9, RFC 5927): counted by type, and when it quotes a
     * TCP segment this host sent, handed to that connection (the quoted source is this host and
     * its port the local one: the quoted packet went out from here) as a family-free
     * {@link IcmpError}; the engine validates it against its sequence space. Types TCP does not
     * act on (source quench, redirect) are counted and dropped, as Linux's tcp_v4_err does.
     */
    private void icmpErrorArrived(ByteBuffer packet, long now) {
        String problem = icmpError.parse(packet);
        if (problem != null) {
            diagnostics.increment(problem.equals(ParseResult.BAD_IP_OPTION.reason()) ? Counter.IN_HDR_ERRORS : Counter.ICMP_IN_ERRORS);
            diagnostics.undecodable(now, packet, problem);
            return;
        }
        problem = addressProblem(icmpError.source(), icmpError.destination());
        if (problem == null) problem = icmpErrorProblem(now);
        if (problem != null) diagnostics.undecodable(now, packet, problem);
    }

    /** Counts and demultiplexes the ICMP error {@link #icmpError} holds; why it was dropped, or null. */
    private String icmpErrorProblem(long now) {
        Icmpv4Error e = icmpError;
        diagnostics.increment(switch (e.type()) {
            case Icmpv4Error.TYPE_DESTINATION_UNREACHABLE -> Counter.ICMP_IN_DEST_UNREACHS;
            case Icmpv4Error.TYPE_TIME_EXCEEDED -> Counter.ICMP_IN_TIME_EXCDS;
            case Icmpv4Error.TYPE_PARAMETER_PROBLEM -> Counter.ICMP_IN_PARM_PROBS;
            case Icmpv4Error.TYPE_SOURCE_QUENCH -> Counter.ICMP_IN_SRC_QUENCHS;
            default -> Counter.ICMP_IN_REDIRECTS;
        });
        IcmpError kind = IcmpError.ofIpv4(e.type(), e.code());
        if (kind == null) return "ICMP message TCP does not act on";
        if (e.quotedProtocol() == UdpDatagram.PROTOCOL && e.quotedSource() == stack.address()) {
            // RFC 1122 §4.1.3.3: UDP passes ICMP errors up; a connected socket reports port unreachable as refused.
            String what = e.type() == Icmpv4Error.TYPE_DESTINATION_UNREACHABLE && e.code() == Icmpv4Error.CODE_PORT_UNREACHABLE
                    ? "ICMP port unreachable from " : "ICMP destination unreachable (code " + e.code() + ") from ";
            return stack.udp().icmpError(e.quotedSourcePort(), IpAddress.ipv4(e.quotedDestination()), e.quotedDestinationPort(),
                    what + IpAddress.ipv4(e.quotedDestination()).withPort(e.quotedDestinationPort()));
        }
        if (e.quotedProtocol() != TcpPacket.PROTOCOL_TCP) return "ICMP error about a protocol other than TCP";
        if (e.quotedSource() != stack.address()) {
            diagnostics.increment(Counter.ICMP_IN_ERRORS);
            return "ICMP error about a packet this host did not send";
        }
        if (diagnostics.isTracing()) diagnostics.icmpError(now, e, kind.lowersPathMtu());
        return connections.icmpErrorArrived(0, IpAddress.ipv4Lo(e.quotedDestination()), e.quotedSourcePort(),
                e.quotedDestinationPort(), kind, e.nextHopMtu(), e.quotedSequence(), Counter.ICMP_IN_ERRORS, now);
    }

    /**
     * Why this host drops a packet from {@code source} to {@code destination} without a word
     * ({@link AddressFilter}), counted; null when it takes it.
     */
    private String addressProblem(int source, int destination) {
        AddressFilter filter = addressFilter;
        String problem = filter.sourceProblem(source);
        if (problem != null) {
            diagnostics.increment(Counter.IN_MARTIAN_SRC);
            return problem;
        }
        problem = filter.destinationProblem(destination);
        return counted(forwarded(problem, 0, IpAddress.ipv4Lo(destination)));
    }

    /** A destination other than the host's own is taken in when the stack forwards it ({@link Forwarding}). */
    private String forwarded(String problem, long destinationHi, long destinationLo) {
        boolean taken = problem == AddressFilter.OTHER_DESTINATION && stack.forwarding().covers(destinationHi, destinationLo);
        return taken ? null : problem;
    }

    private String counted(String destinationProblem) {
        if (destinationProblem != null) diagnostics.increment(Counter.IN_ADDR_ERRORS);
        return destinationProblem;
    }
}
