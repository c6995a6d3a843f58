package dev.synack.stack;

import dev.synack.tcp.Connection;
import dev.synack.tcp.FourTuple;
import dev.synack.tcp.TcpState;
import dev.synack.tcp.TimeWaitRecord;
import dev.synack.wire.TcpFlags;
import dev.synack.wire.TcpPacket;
import dev.synack.wire.TcpSegment;
import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * JDK Flight Recorder events of a stack's life, so that {@code jfr print --events dev.synack.*} and
 * JDK Mission Control show it beside the JVM's own: state changes, retransmitted segments and
 * retransmission timeouts. An event is built only while a recording enables its type: each kind
 * is asked through one instance made once ({@link Event#isEnabled()} reads only its type's
 * settings), so that with JFR off the packet path allocates nothing. Emitted on the thread
 * holding the stack's lock, from {@link StackOutput}.
 */
final class FlightEvents {
    private FlightEvents() {}

    private static final StateChange STATE_CHANGE = new StateChange();
    private static final Retransmission RETRANSMISSION = new Retransmission();
    private static final RtoExpiry RTO_EXPIRY = new RtoExpiry();

    @Name("dev.synack.StateChange")
    @Label("TCP State Change")
    @Category({"synack", "TCP"})
    @Description("A connection of a synack stack changed state")
    @StackTrace(false)
    static final class StateChange extends Event {
        @Label("Host") String host;
        @Label("Local") String local;
        @Label("Remote") String remote;
        @Label("From") String from;
        @Label("To") String to;
        @Label("Cause") String cause;
    }

    @Name("dev.synack.Retransmission")
    @Label("TCP Retransmission")
    @Category({"synack", "TCP"})
    @Description("A synack stack sent a segment carrying sequence space it had sent before")
    @StackTrace(false)
    static final class Retransmission extends Event {
        @Label("Host") String host;
        @Label("Local") String local;
        @Label("Remote") String remote;
        @Label("Sequence Number") long seq;
        @Label("Length") int length;
        @Label("Flags") String flags;
    }

    @Name("dev.synack.RtoExpiry")
    @Label("TCP Retransmission Timeout")
    @Category({"synack", "TCP"})
    @Description("A connection's retransmission timer expired")
    @StackTrace(false)
    static final class RtoExpiry extends Event {
        @Label("Host") String host;
        @Label("Local") String local;
        @Label("Remote") String remote;
        @Label("State") String state;
        @Label("RTO") @Timespan(Timespan.NANOSECONDS) long rto;
        @Label("Retries") int retries;
    }

    /** A connection or TIME_WAIT record ({@code who}) went from {@code from} to {@code to}. */
    static void stateChanged(NetStack stack, Object who, TcpState from, TcpState to, String cause) {
        if (!STATE_CHANGE.isEnabled()) return;
        StateChange e = new StateChange();
        FourTuple t = who instanceof Connection c ? c.tuple() : ((TimeWaitRecord) who).tuple();
        e.host = stack.name();
        e.local = t.local();
        e.remote = t.remote();
        e.from = from.name();
        e.to = to.name();
        e.cause = cause;
        e.commit();
    }

    /** {@code packet} went out carrying sequence space sent before. */
    static void retransmitted(NetStack stack, TcpPacket packet) {
        if (!RETRANSMISSION.isEnabled()) return;
        Retransmission e = new Retransmission();
        TcpSegment s = packet.segment();
        e.host = stack.name();
        e.local = packet.source();
        e.remote = packet.destination();
        e.seq = Integer.toUnsignedLong(s.seq());
        e.length = s.payloadLength();
        e.flags = TcpFlags.tcpdump(s.flags());
        e.commit();
    }

    /** The retransmission timer of {@code connection} fired ({@code timer}: the engine's name for it). */
    static void timerFired(NetStack stack, Connection connection, String timer) {
        if (!"retransmit".equals(timer) || !RTO_EXPIRY.isEnabled()) return;
        RtoExpiry e = new RtoExpiry();
        FourTuple t = connection.tuple();
        e.host = stack.name();
        e.local = t.local();
        e.remote = t.remote();
        e.state = connection.state().name();
        e.rto = connection.retransmissionTimeoutNanos();
        e.retries = connection.tcpInfo(stack.now()).retransmits();
        e.commit();
    }
}
