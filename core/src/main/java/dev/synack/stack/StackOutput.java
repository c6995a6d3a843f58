package dev.synack.stack;

import dev.synack.tcp.Connection;
import dev.synack.tcp.ListenEvent;
import dev.synack.tcp.Listener;
import dev.synack.tcp.MemoryBudget;
import dev.synack.tcp.RateLimited;
import dev.synack.tcp.TcpOutput;
import dev.synack.tcp.TcpState;
import dev.synack.tcp.TimeWaitRecord;
import dev.synack.trace.TraceEvent;
import dev.synack.wire.Icmpv4;
import dev.synack.wire.Icmpv6;
import dev.synack.wire.IpAddress;
import dev.synack.wire.PacketCodec;
import dev.synack.wire.TcpFlags;
import dev.synack.wire.TcpPacket;
import dev.synack.wire.TcpSegment;
import dev.synack.wire.Icmpv4Error;
import dev.synack.wire.Ipv4Header;
import dev.synack.wire.UdpDatagram;
import java.nio.ByteBuffer;

/**
 * The engine's output: every connection, listener and TIME_WAIT record of the stack emits through
 * it, always on the thread holding the stack's lock. Segments reach the link by one of four paths,
 * the cheapest the link and the observers allow:
 * <ol>
 *   <li>written into a packet the link lends decoded ({@link PacketTransmitter#reserveDecoded}):
 *       one copy of the segment on its way;</li>
 *   <li>handed over decoded ({@link PacketTransmitter#transmitDecoded}): no encoding, the link
 *       copies what it keeps;</li>
 *   <li>encoded into a buffer the link lends ({@link PacketTransmitter#reserve});</li>
 *   <li>encoded into the stack's own buffer and copied by the link ({@link PacketTransmitter#transmit}).</li>
 * </ol>
 * The decoded paths are not taken while packet taps watch (they need bytes); the first not while
 * trace listeners run either (a listener's own sends in between would take the same packet).
 * Nothing is allocated per segment. State changes, retransmissions and retransmission timeouts also
 * go to the JDK Flight Recorder while a recording asks for them ({@link FlightEvents}).
 */
final class StackOutput implements TcpOutput {
    /** The largest packet: an IPv6 header and the largest payload its length field describes. */
    static final int MAX_PACKET = 65_535 + 40;
    /** Whether the runtime has the JDK Flight Recorder (a jlink'ed one may leave it out): {@link FlightEvents} needs it. */
    private static final boolean FLIGHT_RECORDER = ModuleLayer.boot().findModule("jdk.jfr").isPresent();

    private final NetStack stack;
    private final Diagnostics diagnostics;
    private final TcpPacket outbound = new TcpPacket();
    private final ByteBuffer transmitBuffer = ByteBuffer.allocate(MAX_PACKET);
    /** The secret of the IPv6 flow labels (RFC 6437 §3). */
    private final long flowLabelKey;

    StackOutput(NetStack stack, Diagnostics diagnostics, long flowLabelKey) {
        this.stack = stack;
        this.diagnostics = diagnostics;
        this.flowLabelKey = flowLabelKey;
    }

    @Override
    public MemoryBudget memoryBudget() { return stack.memoryBudget(); }

    @Override
    public boolean carriesPayloadWindows() {
        PacketTransmitter link = stack.transmitter();
        return link != null && link.carriesPayloadWindows(stack);
    }

    @Override
    public void send(IpAddress source, IpAddress destination, TcpSegment segment, long now) {
        send(source.hi(), source.lo(), destination.hi(), destination.lo(), segment, now);
    }

    /** Answers {@code in} with {@code reply}: from its destination back to its source. */
    void reply(TcpPacket in, TcpSegment reply, long now) {
        send(in.destinationHi(), in.destinationLo(), in.sourceHi(), in.sourceLo(), reply, now);
    }

    /** Sends {@code segment} between the addresses {@link IpAddress} holds as two longs each. */
    private void send(long sourceHi, long sourceLo, long destinationHi, long destinationLo, TcpSegment segment, long now) {
        assert stack.stackLock().isHeldByCurrentThread() : "the engine sends only under the stack's lock";
        PacketTransmitter link = stack.transmitter();
        TcpPacket reserved = link != null && !diagnostics.isTracing() && !diagnostics.hasPacketTaps()
                ? link.reserveDecoded(stack, destinationHi, destinationLo) : null;
        TcpPacket out = reserved != null ? reserved : outbound;
        boolean handedOver = false;
        try {
            out.source(sourceHi, sourceLo).destination(destinationHi, destinationLo).ttl(stack.config().ttl());
            TcpSegment s = out.segment();
            // PacketCodec.encode reads the payload with absolute gets: the window can be shared.
            s.copyFrom(segment);
            if (out.isIpv6()) out.flowLabel(flowLabel(out, s));
            diagnostics.increment(Counter.OUT_SEGS);
            if (s.has(TcpFlags.RST)) diagnostics.increment(Counter.OUT_RSTS);
            if (stack.connections().noteSent(s, sourceHi, sourceLo, destinationHi, destinationLo) && FLIGHT_RECORDER) FlightEvents.retransmitted(stack, out);
            diagnostics.packet(now, TraceEvent.Direction.SEND, out, null);
            if (link == null) {
                diagnostics.packet(now, TraceEvent.Direction.DROP, out, "no link attached");
                return;
            }
            int length = PacketCodec.encodedLength(out); // also refuses what could not be encoded
            if (reserved != null) {
                handedOver = true;
                link.transmitReservedDecoded(stack, reserved);
                return;
            }
            if (!diagnostics.hasPacketTaps() && link.transmitDecoded(stack, outbound)) return;
            sendEncoded(link, length, now);
        } catch (Throwable ex) {
            Diagnostics.rethrowFatal(ex);
            diagnostics.internalError(now, "sending " + segment, ex);
        } finally {
            // It may lend a connection's send buffer: hold on to none (a packet handed over is
            // the link's, which lets go of it once delivered).
            if (!handedOver) out.segment().payload(null);
        }
    }

    /** Encodes {@link #outbound} into the link's own buffer when it lends one (no copy in transmit), else into ours. */
    private void sendEncoded(PacketTransmitter link, int length, long now) {
        ByteBuffer buffer = link.reserve(stack, length);
        ByteBuffer packet = buffer != null ? buffer : transmitBuffer;
        packet.clear();
        // Checksum offload (a link that never alters bytes): the receiver is told not to verify.
        // A packet tap on this stack still sees a complete checksum, so that captures verify.
        PacketCodec.encode(outbound, packet, !link.offloadsTcpChecksums() || diagnostics.hasPacketTaps());
        packet.flip();
        if (buffer == null) {
            transmitRaw(now);
        } else {
            if (diagnostics.hasPacketTaps()) diagnostics.tap(now, true, buffer);
            link.transmitReserved(stack, buffer);
        }
    }

    /**
     * RFC 6437 §3: the flow label of an IPv6 connection's packets, a keyed hash of its addresses and
     * ports, so the same for all of them, different across connections and unguessable without the
     * stack's secret (as Linux's ip6_make_flowlabel hashes the flow); never 0, which means unlabelled.
     */
    private int flowLabel(TcpPacket p, TcpSegment s) {
        long h = flowLabelKey;
        h = mix(h ^ p.sourceHi());
        h = mix(h ^ p.sourceLo());
        h = mix(h ^ p.destinationHi());
        h = mix(h ^ p.destinationLo());
        h = mix(h ^ DemuxTable.ports(s.sourcePort(), s.destinationPort()));
        int label = (int) (h ^ (h >>> 32)) & 0xfffff;
        return label == 0 ? 1 : label;
    }

    /** A 64-bit finaliser (MurmurHash3's fmix64): every input bit moves every output bit. */
    private static long mix(long h) {
        h = (h ^ (h >>> 33)) * 0xff51afd7ed558ccdL;
        h = (h ^ (h >>> 33)) * 0xc4ceb9fe1a85ec53L;
        return h ^ (h >>> 33);
    }

    /**
     * Answers the ICMP (RFC 792) or ICMPv6 (RFC 4443 §4.2) echo request {@code request}; false when
     * no link could take the reply.
     */
    boolean sendEchoReply(ByteBuffer request, boolean ipv6, long now) {
        transmitBuffer.clear();
        int ttl = stack.config().ttl();
        int length = ipv6 ? Icmpv6.writeEchoReply(request, transmitBuffer, ttl) : Icmpv4.writeEchoReply(request, transmitBuffer, ttl);
        transmitBuffer.limit(length);
        return transmitRaw(now);
    }

    /** Sends a UDP datagram (see {@link UdpDatagram#write}); false when no link is attached. */
    boolean sendUdp(IpAddress from, int fromPort, IpAddress to, int toPort, ByteBuffer data, long now) {
        transmitBuffer.clear();
        transmitBuffer.limit(UdpDatagram.write(transmitBuffer, from, fromPort, to, toPort, data, stack.config().ttl()));
        return transmitRaw(now);
    }

    /**
     * Sends a port unreachable about {@code original} (its position to limit) from its destination
     * {@code source} back to its sender: ICMP quoting up to {@code quote} bytes, or ICMPv6 as much
     * as 1280 bytes hold.
     */
    boolean sendPortUnreachable(ByteBuffer original, IpAddress source, int quote, long now) {
        transmitBuffer.clear();
        int length = source.isIpv6() ? Icmpv6.writePortUnreachable(transmitBuffer, source, original, stack.config().ttl())
                : Icmpv4Error.write(transmitBuffer, source.ipv4(), Ipv4Header.sourceAddress(original, original.position()),
                        Icmpv4Error.TYPE_DESTINATION_UNREACHABLE, Icmpv4Error.CODE_PORT_UNREACHABLE, 0, original, quote);
        transmitBuffer.limit(length);
        return transmitRaw(now);
    }

    /** Hands the packet in {@link #transmitBuffer} (position to limit) to the taps and the link. */
    private boolean transmitRaw(long now) {
        PacketTransmitter link = stack.transmitter();
        if (link == null) {
            diagnostics.undecodable(now, transmitBuffer, "no link attached");
            return false;
        }
        if (diagnostics.hasPacketTaps()) diagnostics.tap(now, true, transmitBuffer);
        link.transmit(stack, transmitBuffer);
        return true;
    }

    @Override
    public void stateChanged(Connection connection, TcpState from, TcpState to, String cause, long now) {
        diagnostics.stateChanged(connection, from, to, cause, now);
        if (FLIGHT_RECORDER) FlightEvents.stateChanged(stack, connection, from, to, cause);
    }

    /**
     * No waiter needs waking: a socket still holding the connection waits on nothing that
     * TIME_WAIT -> CLOSED changes (end-of-file, write errors and an empty send buffer were all
     * settled on entering TIME_WAIT); state() follows the record.
     */
    @Override
    public void timeWaitStateChanged(TimeWaitRecord record, TcpState from, TcpState to, String cause, long now) {
        diagnostics.stateChanged(record, from, to, cause, now);
        if (FLIGHT_RECORDER) FlightEvents.stateChanged(stack, record, from, to, cause);
    }

    @Override
    public void timerFired(Connection connection, String timer, long now) {
        diagnostics.timerFired(connection, timer, now);
        if (FLIGHT_RECORDER) FlightEvents.timerFired(stack, connection, timer);
    }

    @Override
    public void timeWaitTimerFired(TimeWaitRecord record, String timer, long now) {
        diagnostics.timerFired(record, timer, now);
    }

    @Override
    public void segmentDropped(Connection connection, TcpSegment segment, String reason, long now) {
        diagnostics.segmentDropped(connection == null ? null : connection.tuple().remoteAddress(), segment, reason, now);
    }

    @Override
    public void rateLimited(RateLimited what, long now) {
        diagnostics.increment(Counter.of(what));
    }

    @Override
    public void listenEvent(ListenEvent what, long now) {
        diagnostics.increment(Counter.of(what));
    }

    @Override
    public void wakeup(Connection connection) {
        stack.waiter().wakeup(stack, connection);
        // A child entering or leaving the accept queue names its listener: wake accept() too.
        Listener parent = connection.listener();
        if (parent != null) stack.waiter().wakeup(stack, parent);
        stack.readiness().changed(connection, stack.connections());
    }

    @Override
    public void callReturned(Connection connection) {
        stack.connections().callReturned(connection);
    }
}
