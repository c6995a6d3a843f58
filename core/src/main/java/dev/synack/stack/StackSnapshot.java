package dev.synack.stack;

import dev.synack.tcp.Connection;
import dev.synack.tcp.FourTuple;
import dev.synack.wire.IpAddress;
import dev.synack.tcp.Listener;
import dev.synack.tcp.TcpInfo;
import dev.synack.tcp.TcpState;
import dev.synack.tcp.TimeWaitRecord;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A look inside a stack at one moment ({@link NetStack#snapshot()}): what {@code ss -tanoi} shows of
 * a Linux host's TCP sockets, and its counters as {@code nstat} names them. Taken under the stack's
 * lock, so every part describes the same instant; immutable afterwards. Nothing of it is kept or
 * updated on the packet path: it is built only when asked for.
 *
 * @param host the stack's name
 * @param address its IPv4 address
 * @param takenAtNanos the stack's clock when it was taken
 * @param listeners the open listeners, by port
 * @param connections every connection the stack holds that is not in TIME_WAIT, by 4-tuple
 * @param timeWait the connections in TIME_WAIT, whole or reduced to their record, by 4-tuple
 * @param counters every counter, in {@link Counter}'s order
 */
public record StackSnapshot(String host, int address, long takenAtNanos, List<Listening> listeners,
                            List<Open> connections, List<TimeWait> timeWait, Map<Counter, Long> counters) {

    public StackSnapshot {
        listeners = List.copyOf(listeners);
        connections = List.copyOf(connections);
        timeWait = List.copyOf(timeWait);
        counters = Collections.unmodifiableMap(new EnumMap<>(counters));
    }

    /**
     * A listener. As in ss, its Recv-Q is the accept queue and its Send-Q the backlog.
     *
     * @param acceptQueue connections established and waiting for accept()
     * @param synQueue connections still in SYN_RECV
     * @param backlog the most the accept queue holds
     * @param droppedSyns SYNs it dropped for a full queue
     */
    public record Listening(IpAddress localAddress, int localPort, int acceptQueue, int synQueue, int backlog, long droppedSyns) {}

    /**
     * A connection outside TIME_WAIT.
     *
     * @param recvQ ss's Recv-Q: bytes received in order and not read by the user
     * @param sendQ ss's Send-Q: bytes written and not acknowledged, an unacknowledged SYN or FIN
     *        counting one ({@link Connection#sendQueueBytes()}); 0 for a child in SYN_RECV, as
     *        Linux reports its request sockets
     * @param receiveWindow RCV.WND in bytes
     * @param receiveBuffer the receive buffer's size (autotuning included)
     * @param sendBuffer the send buffer's capacity
     * @param timer the timer ss -o shows ({@link Connection#diagTimer()})
     * @param timerLeftNanos how long until it fires (0 when "off" or overdue)
     * @param info the rest, as getsockopt(TCP_INFO) gives it: RTT, RTTVAR, RTO, cwnd, ssthresh,
     *        MSS, retransmissions, the peer's window
     */
    public record Open(FourTuple tuple, TcpState state, int recvQ, int sendQ, int receiveWindow, int receiveBuffer,
                       int sendBuffer, String timer, long timerLeftNanos, TcpInfo info) {}

    /**
     * A connection in TIME_WAIT.
     *
     * @param leftNanos how long until its 2MSL timer lets it go
     * @param compacted whether the stack keeps only its record ({@link TimeWaitRecords}) rather than the whole connection
     */
    public record TimeWait(FourTuple tuple, long leftNanos, boolean compacted) {}

    /** This snapshot as {@code ss -tan} prints sockets: one line each, listeners first. */
    public String ss() { return SnapshotText.ss(this, false); }

    /** As {@code ss -tanoi}: each line with its timer, and a second line of TCP_INFO details. */
    public String ssDetailed() { return SnapshotText.ss(this, true); }

    /** The counters as {@code nstat -a} prints them (zero ones left out unless {@code withZeros}, as -z). */
    public String nstat(boolean withZeros) { return SnapshotText.nstat(this, withZeros); }

    /** Takes the snapshot; the caller holds the stack's lock. */
    static StackSnapshot take(NetStack stack, Connections connections, Diagnostics diagnostics, long now) {
        List<Listening> listening = new ArrayList<>();
        for (Listener l : connections.openListeners()) {
            listening.add(new Listening(l.localAddress(), l.localPort(), l.acceptQueueLength(), l.synQueueLength(), l.backlog(),
                    l.droppedSyns()));
        }
        List<Open> open = new ArrayList<>();
        List<TimeWait> timeWait = new ArrayList<>();
        for (Object entry : connections.entries()) {
            if (entry instanceof TimeWaitTimer t) {
                TimeWaitRecord r = t.record();
                timeWait.add(new TimeWait(r.tuple(), left(r.nextDeadline(), now), true));
            } else if (entry instanceof Endpoint e && !e.removed) {
                Connection c = e.connection;
                if (c.state() == TcpState.TIME_WAIT) timeWait.add(new TimeWait(c.tuple(), left(c.diagTimerDeadline(), now), false));
                else open.add(open(c, now));
            }
        }
        Comparator<FourTuple> byTuple = Comparator.comparingInt(FourTuple::localPort)
                .thenComparingLong(t -> t.remoteAddress().hi()).thenComparingInt(t -> (int) t.remoteAddress().lo())
                .thenComparingLong(t -> t.remoteAddress().lo()).thenComparingInt(FourTuple::remotePort);
        open.sort(Comparator.comparing(Open::tuple, byTuple));
        timeWait.sort(Comparator.comparing(TimeWait::tuple, byTuple));
        Map<Counter, Long> counters = new EnumMap<>(Counter.class);
        for (Counter c : Counter.values()) counters.put(c, diagnostics.count(c));
        return new StackSnapshot(stack.name(), stack.address(), now, listening, open, timeWait, counters);
    }

    private static Open open(Connection c, long now) {
        TcpInfo info = c.tcpInfo(now);
        boolean request = c.state() == TcpState.SYN_RECV && c.listener() != null;
        return new Open(c.tuple(), c.state(), c.available(), request ? 0 : c.sendQueueBytes(), c.receiveWindow(),
                c.receiveBufferSize(), c.sendBufferSize(), c.diagTimer(), left(c.diagTimerDeadline(), now), info);
    }

    private static long left(long deadline, long now) {
        return deadline == Long.MAX_VALUE ? 0 : Math.max(0, deadline - now);
    }
}
