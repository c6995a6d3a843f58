package dev.synack.stack;

import dev.synack.tcp.Connection;
import dev.synack.tcp.MemoryBudget;
import dev.synack.tcp.Listener;
import dev.synack.tcp.TcpState;
import dev.synack.tcp.TimeWaitRecord;
import dev.synack.trace.TraceEvent;
import dev.synack.trace.TraceListener;
import dev.synack.wire.Icmpv4Error;
import dev.synack.wire.IpAddress;
import dev.synack.wire.IpEcn;
import dev.synack.wire.Ipv4Address;
import dev.synack.wire.Ipv6Header;
import dev.synack.wire.TcpFlags;
import dev.synack.wire.TcpPacket;
import dev.synack.wire.TcpSegment;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What a stack tells the world about itself: its TCP-MIB counters, its trace events, its packet
 * taps, and the errors of its threads. Counters and traces change under the stack's lock; the
 * listener and tap lists may change from any thread. Building a trace event is skipped when nobody
 * listens, so that the packet path allocates nothing.
 *
 * <p>Errors: no exception escapes the packet and timer paths: it is caught, counted
 * ({@link Counter#INTERNAL_ERRORS}) and traced as a drop ({@link #internalError}). An exception from
 * a readiness watch is counted as {@link Counter#HANDLER_ERRORS} and handed to the watch's
 * {@link ReadinessWatch#failed}. An error after which the process cannot go on
 * ({@link FatalErrorHandler#isFatal}: out of memory) is let through ({@link #rethrowFatal}) to the
 * top of the thread, which releases the lock on the way (every hold is released in a finally) and
 * hands it to the stack's {@link FatalErrorHandler} ({@link NetStack#threadFailed}); a readiness
 * watch's goes to it at once. The threads of the links do the same, so no thread of a stack dies
 * and no lock outlives its holder.
 */
final class Diagnostics {
    private final NetStack stack;
    private final MemoryBudget memory;
    private final long[] counters = new long[Counter.values().length];
    private final List<TraceListener> traceListeners = new CopyOnWriteArrayList<>();
    private final List<PacketTap> packetTaps = new CopyOnWriteArrayList<>();
    /** What new stacks start with (see {@link NetStack#defaultFatalErrorHandler(FatalErrorHandler)}). */
    static volatile FatalErrorHandler defaultFatalErrorHandler = FatalErrorHandler.PRINT;
    private volatile FatalErrorHandler fatalErrorHandler = defaultFatalErrorHandler;
    /**
     * The inbound packet being processed, null between packets: drops the engine reports and
     * internal errors name its addresses (guarded by the lock).
     */
    TcpPacket processing;

    Diagnostics(NetStack stack, MemoryBudget memory) {
        this.stack = stack;
        this.memory = memory;
    }

    // ---- counters

    void increment(Counter c) {
        counters[c.ordinal()]++;
    }

    /** A counter's value: the stack's own, or the memory budget's. */
    long count(Counter c) {
        return switch (c) {
            case TCP_MEMORY_PRESSURES -> memory.memoryPressures();
            case TCP_RCVQ_DROP -> memory.rcvQDrops();
            case TCP_OFO_DROP -> memory.ofoDrops();
            case PRUNE_CALLED -> memory.pruneCalls();
            case OFO_PRUNED -> memory.ofoPruned();
            case TCP_ABORT_ON_MEMORY -> memory.abortsOnMemory();
            default -> counters[c.ordinal()];
        };
    }

    /** The TCP-MIB counters a state change moves (ActiveOpens, AttemptFails, EstabResets, CurrEstab). */
    void countTransition(TcpState from, TcpState to) {
        if (from == TcpState.CLOSED && to == TcpState.SYN_SENT) increment(Counter.ACTIVE_OPENS);
        if ((from == TcpState.SYN_SENT || from == TcpState.SYN_RECV) && (to == TcpState.CLOSED || to == TcpState.LISTEN)) {
            increment(Counter.ATTEMPT_FAILS);
        }
        boolean wasEstab = from == TcpState.ESTABLISHED || from == TcpState.CLOSE_WAIT;
        boolean isEstab = to == TcpState.ESTABLISHED || to == TcpState.CLOSE_WAIT;
        if (wasEstab && to == TcpState.CLOSED) increment(Counter.ESTAB_RESETS);
        if (!wasEstab && isEstab) increment(Counter.CURR_ESTAB);
        if (wasEstab && !isEstab) counters[Counter.CURR_ESTAB.ordinal()]--;
    }

    // ---- traces

    void addTraceListener(TraceListener listener) { traceListeners.add(Objects.requireNonNull(listener)); }

    boolean isTracing() { return !traceListeners.isEmpty(); }

    /** A state change of {@code who}, a {@link Connection} or a {@link TimeWaitRecord}: counted and traced. */
    void stateChanged(Object who, TcpState from, TcpState to, String cause, long now) {
        countTransition(from, to);
        if (traceListeners.isEmpty()) return;
        emit(new TraceEvent.StateChange(now, stack.name(), tupleOf(who), from.name(), to.name(), cause));
    }

    /** A timer of {@code who}, a {@link Connection} or a {@link TimeWaitRecord}, fired. */
    void timerFired(Object who, String timer, long now) {
        if (traceListeners.isEmpty()) return;
        emit(new TraceEvent.Timer(now, stack.name(), tupleOf(who), timer));
    }

    /** The 4-tuple naming a connection or record in traces (a record builds it anew: only read when tracing). */
    private static String tupleOf(Object who) {
        return (who instanceof Connection c ? c.tuple() : ((TimeWaitRecord) who).tuple()).toString();
    }

    /**
     * A listener has no connection to report its own state changes, so the stack does: the trace
     * names it by its "ip:port".
     */
    void listenerStateChanged(Listener listener, TcpState from, TcpState to, String cause) {
        if (traceListeners.isEmpty()) return;
        String who = listener.localAddress().withPort(listener.localPort());
        emit(new TraceEvent.StateChange(stack.clock().nanos(), stack.name(), who, from.name(), to.name(), cause));
    }

    void call(String connection, String call, String result) {
        if (traceListeners.isEmpty()) return;
        emit(new TraceEvent.Call(stack.clock().nanos(), stack.name(), connection, call, result));
    }

    void packet(long now, TraceEvent.Direction direction, TcpPacket packet, String reason) {
        if (traceListeners.isEmpty()) return;
        TcpSegment s = packet.segment();
        emit(new TraceEvent.Packet(now, stack.name(), direction, packet.source(), packet.destination(), TcpFlags.tcpdump(s.flags()),
                Integer.toUnsignedLong(s.seq()), Integer.toUnsignedLong(s.ack()), s.payloadLength(), s.window(),
                s.options().toString(), reason, s.ecn() == IpEcn.NOT_ECT ? "" : IpEcn.name(s.ecn())));
    }

    /**
     * An ICMP error about a TCP segment this host sent, as a received packet named after that
     * segment (its addresses, ports and sequence number, so that ladders place and number it with
     * its connection's), its flags "icmp TYPE/CODE" and the MTU it names, its reason the sender.
     */
    void icmpError(long now, Icmpv4Error e, boolean withMtu) {
        if (traceListeners.isEmpty()) return;
        String what = "icmp " + e.type() + "/" + e.code() + (withMtu ? " mtu " + e.nextHopMtu() : "");
        emit(new TraceEvent.Packet(now, stack.name(), TraceEvent.Direction.RECV,
                Ipv4Address.format(e.quotedSource()) + ":" + e.quotedSourcePort(),
                Ipv4Address.format(e.quotedDestination()) + ":" + e.quotedDestinationPort(), what,
                Integer.toUnsignedLong(e.quotedSequence()), 0, 0, 0, "", "from " + Ipv4Address.format(e.source())));
    }

    /** A segment the engine dropped: an inbound one, so it came from the packet being processed. */
    void segmentDropped(IpAddress remoteAddress, TcpSegment segment, String reason, long now) {
        if (traceListeners.isEmpty()) return;
        TcpPacket in = processing;
        IpAddress src = in != null ? in.sourceIp() : remoteAddress != null ? remoteAddress : IpAddress.ipv4(0);
        IpAddress dst = in != null ? in.destinationIp() : stack.localAddressFor(src);
        emit(new TraceEvent.Packet(now, stack.name(), TraceEvent.Direction.DROP,
                src.withPort(segment.sourcePort()), (dst == null ? src : dst).withPort(segment.destinationPort()),
                TcpFlags.tcpdump(segment.flags()), Integer.toUnsignedLong(segment.seq()), Integer.toUnsignedLong(segment.ack()),
                segment.payloadLength(), segment.window(), segment.options().toString(), reason));
    }

    /** What can be read from the raw bytes of a packet that did not decode. */
    void undecodable(long now, ByteBuffer packet, String reason) {
        if (traceListeners.isEmpty()) return;
        int p = packet.position();
        int n = packet.remaining();
        String src = "?";
        String dst = "?";
        if (n >= 20 && (packet.get(p) & 0xf0) == 0x40) {
            src = Ipv4Address.format(packet.getInt(p + 12));
            dst = Ipv4Address.format(packet.getInt(p + 16));
            int ihl = (packet.get(p) & 0x0f) * 4;
            if (ihl >= 20 && n >= ihl + 4 && packet.get(p + 9) == TcpPacket.PROTOCOL_TCP) {
                src += ":" + (packet.getShort(p + ihl) & 0xffff);
                dst += ":" + (packet.getShort(p + ihl + 2) & 0xffff);
            }
        } else if (n >= Ipv6Header.LENGTH && (packet.get(p) & 0xf0) == 0x60) {
            src = "[" + IpAddress.of(Ipv6Header.sourceHi(packet, p), Ipv6Header.sourceLo(packet, p)) + "]";
            dst = "[" + IpAddress.of(Ipv6Header.destinationHi(packet, p), Ipv6Header.destinationLo(packet, p)) + "]";
        }
        emit(new TraceEvent.Packet(now, stack.name(), TraceEvent.Direction.DROP, src, dst, "?", 0, 0, n, 0, "", reason));
    }

    private void emit(TraceEvent event) {
        for (TraceListener l : traceListeners) {
            try {
                l.onEvent(event);
            } catch (Throwable ex) {
                rethrowFatal(ex);
                increment(Counter.INTERNAL_ERRORS);
            }
        }
    }

    // ---- packet taps

    void addPacketTap(PacketTap tap) { packetTaps.add(Objects.requireNonNull(tap)); }

    void removePacketTap(PacketTap tap) { packetTaps.remove(tap); }

    boolean hasPacketTaps() { return !packetTaps.isEmpty(); }

    void tap(long now, boolean outbound, ByteBuffer packet) {
        for (PacketTap t : packetTaps) {
            try {
                t.onPacket(stack, now, outbound, packet.asReadOnlyBuffer());
            } catch (Throwable ex) {
                rethrowFatal(ex);
                increment(Counter.INTERNAL_ERRORS);
            }
        }
    }

    // ---- errors

    /** An exception the packet, timer or output path caught: counted and traced as a drop, never thrown on. */
    void internalError(long now, String where, Throwable ex) {
        increment(Counter.INTERNAL_ERRORS);
        if (traceListeners.isEmpty()) return;
        try {
            String what = "internal error in " + where + ": " + ex;
            TcpPacket in = processing;
            if (in != null && in.segment() != null) packet(now, TraceEvent.Direction.DROP, in, what);
            else emit(new TraceEvent.Packet(now, stack.name(), TraceEvent.Direction.DROP, "?", "?", "?", 0, 0, 0, 0, "", what));
        } catch (Throwable tracingFailed) {
            rethrowFatal(tracingFailed);
            // Tracing the error failed too: the counter still says it happened.
        }
    }

    void fatalErrorHandler(FatalErrorHandler handler) {
        fatalErrorHandler = Objects.requireNonNull(handler, "handler");
    }

    FatalErrorHandler fatalErrorHandler() { return fatalErrorHandler; }

    /** Hands a fatal error to the stack's handler; halts the process when the handler fails too. */
    void reportFatal(String where, Throwable error) {
        try {
            fatalErrorHandler.fatalError(stack, where, error);
        } catch (Throwable handlerFailed) {
            // The handler could not do its job (out of memory again, say): the last resort is halting.
            try {
                System.err.println("synack: fatal error in " + where + " of " + stack.name() + " (and its handler failed): " + error);
            } finally {
                Runtime.getRuntime().halt(FatalErrorHandler.EXIT_STATUS);
            }
        }
    }

    /** Lets a fatal error through to the thread's own catch ({@link NetStack#threadFailed}); the caller handles the rest. */
    static void rethrowFatal(Throwable error) {
        if (FatalErrorHandler.isFatal(error)) throw (VirtualMachineError) error;
    }
}
