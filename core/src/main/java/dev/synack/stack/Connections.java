package dev.synack.stack;

import dev.synack.tcp.Connection;
import dev.synack.tcp.FourTuple;
import dev.synack.tcp.IcmpError;
import dev.synack.tcp.Listener;
import dev.synack.tcp.Seq;
import dev.synack.tcp.TcpState;
import dev.synack.tcp.TimeWaitRecord;
import dev.synack.wire.IpAddress;
import dev.synack.wire.TcpFlags;
import dev.synack.wire.TcpSegment;
import java.io.IOException;
import java.net.BindException;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Demultiplexing and ports: the demux table (4-tuple to an {@link Endpoint}, a connection, or a
 * {@link TimeWaitTimer}, a detached TIME_WAIT record), the listeners by port, the port table, and
 * the life of each endpoint: registered on connect or when a listener makes a child, rescheduled
 * after every engine call on its connection ({@link #callReturned}), compacted to its TIME_WAIT
 * record, forgotten once released. Lookups are O(1) and allocate nothing. Guarded by the stack's
 * lock.
 */
final class Connections {
    private final NetStack stack;
    private final DemuxTable<Object> table = new DemuxTable<>(64);
    private final Listener[] listeners = new Listener[PortTable.PORT_COUNT];
    /** Which families each port's listener takes: {@link #IPV4} and {@link #IPV6} bits. */
    private final byte[] listenerFamilies = new byte[PortTable.PORT_COUNT];
    static final byte IPV4 = 1;
    static final byte IPV6 = 2;
    private final PortTable ports;
    private final Random random;
    private final Timers timers;
    private final Readiness readiness;
    private final TimeWaitRecords timeWait;
    /**
     * The endpoint last looked up or created (null: none), tried before the demux table: the
     * lookups by connection of one event (a segment's arrival, the wakeup it causes, the segments
     * it makes the connection send, the user call after it) mostly name the same one. An endpoint
     * is in the table exactly while it is not {@link Endpoint#removed}, so a hit is what the table
     * would have answered.
     */
    private Endpoint recent;
    /** The last segment sent for a 4-tuple not (yet) in the demux table, for RetransSegs (none: ports -1). */
    private long unregisteredHi;
    private long unregisteredLo;
    private int unregisteredPorts = -1;
    private int unregisteredLocalKey;
    private int unregisteredSentUpTo;
    /** The timer wheel's callback: one for every expiry, none allocated per call. */
    private final Consumer<Object> fireTimer = this::fire;

    Connections(NetStack stack, Random random, Timers timers, Readiness readiness) {
        this.stack = stack;
        this.random = random;
        this.ports = new PortTable(random);
        this.timers = timers;
        this.readiness = readiness;
        this.timeWait = new TimeWaitRecords(stack, table, timers, ports);
    }

    int size() { return table.size(); }

    int timeWaitRecordCount() { return timeWait.count(); }

    /** For {@link StackSnapshot}: the demux table's entries, {@link Endpoint}s and {@link TimeWaitTimer}s (a new list). */
    List<Object> entries() { return table.values(); }

    /** For {@link StackSnapshot}: the open listeners, by port (a new list). */
    List<Listener> openListeners() {
        List<Listener> open = new ArrayList<>();
        for (Listener l : listeners) if (l != null && !l.isClosed()) open.add(l);
        return open;
    }

    // ---- ports and user operations

    /** See {@link NetStack#bind(int)}. */
    int bind(int port) throws BindException {
        if (port < 0 || port >= PortTable.PORT_COUNT) throw new IllegalArgumentException("port out of range: " + port);
        int low = stack.config().ephemeralPortLow();
        int high = stack.config().ephemeralPortHigh();
        if (port == 0) {
            int p = ports.allocate(random, low, high, true, q -> listeners[q] == null);
            if (p < 0) throw new BindException("No ephemeral port free in " + low + "-" + high);
            return p;
        }
        if (!ports.bind(port)) throw new BindException("Address already in use: port " + port);
        return port;
    }

    void unbind(int port) {
        ports.unbind(port);
    }

    /** See {@link NetStack#connect(int, IpAddress, int, Consumer)}. */
    Connection connect(int boundPort, IpAddress remoteAddress, int remotePort, Consumer<Connection> beforeSyn, long now)
            throws IOException {
        IpAddress address = stack.localAddressFor(remoteAddress);
        if (address == null) {
            throw new SocketException("Network is unreachable: " + stack.name() + " has no IPv" + remoteAddress.version()
                    + " address to reach " + remoteAddress);
        }
        int localPort;
        Endpoint.PortUse use;
        if (boundPort > 0) {
            if (!ports.isBound(boundPort)) throw new IllegalStateException("connect from port " + boundPort + " that is not bound");
            if (table.containsKey(remoteAddress, DemuxTable.ports(boundPort, remotePort))) {
                throw new BindException("Address already in use: " + address.withPort(boundPort)
                        + " is already connected to " + remoteAddress.withPort(remotePort));
            }
            if (!stack.ownsFlow(address, boundPort, remoteAddress, remotePort)) {
                throw new SocketException("connect from bound port " + boundPort + " on shard " + stack.shardIndex() + " of "
                        + stack.shardCount() + ": the flow to " + remoteAddress.withPort(remotePort) + " belongs to shard "
                        + FlowShard.of(address, boundPort, remoteAddress, remotePort, stack.shardCount())
                        + " (StackShards.forFlow names it)");
            }
            localPort = boundPort;
            use = Endpoint.PortUse.BINDING;
        } else {
            localPort = ports.allocateForConnect(portHash(address), portHash(remoteAddress), remotePort,
                    stack.config().ephemeralPortLow(), stack.config().ephemeralPortHigh(),
                    p -> listeners[p] == null && !table.containsKey(remoteAddress, DemuxTable.ports(p, remotePort))
                            && stack.ownsFlow(address, p, remoteAddress, remotePort));
            if (localPort < 0) {
                throw new SocketException("Cannot assign requested address: no ephemeral port free for "
                        + remoteAddress.withPort(remotePort));
            }
            use = Endpoint.PortUse.EPHEMERAL;
        }
        FourTuple tuple = new FourTuple(address, localPort, remoteAddress, remotePort);
        Connection c = Connection.active(stack.config(), tuple, stack.isn(), stack.output());
        Endpoint e = new Endpoint(c, use, 0);
        table.put(e.remote, e.ports, e);
        recent = e;
        try {
            if (beforeSyn != null) beforeSyn.accept(c);
            c.connect(now);
        } catch (RuntimeException ex) {
            remove(e);
            throw ex;
        }
        return c;
    }

    /**
     * An address as {@link PortTable}'s port choice hashes it: an IPv4 address itself (as it always
     * was), an IPv6 one folded to 32 bits.
     */
    private static int portHash(IpAddress a) {
        return a.isIpv4() ? a.ipv4() : Long.hashCode(a.hi()) ^ Long.hashCode(a.lo());
    }

    /** See {@link NetStack#listen(int, int, IpAddress, boolean)}. */
    Listener listen(int port, int backlog, IpAddress shownAs, byte families) throws SocketException {
        if (!ports.isBound(port)) throw new IllegalStateException("listen on port " + port + " that is not bound");
        if (listeners[port] != null) throw new SocketException("Already listening on port " + port);
        Listener l = new Listener(stack.config(), shownAs, port, backlog, stack.isn(), stack.synCookies(), stack.output());
        listeners[port] = l;
        listenerFamilies[port] = families;
        stack.diagnostics().listenerStateChanged(l, TcpState.CLOSED, TcpState.LISTEN, "listen(" + l.backlog() + ")");
        return l;
    }

    /**
     * Closes {@code listener} (its queued children are reset or dropped, each forgotten by its own
     * {@link #callReturned}) and releases its port.
     */
    void closeListener(Listener listener, long now) {
        int port = listener.localPort();
        try {
            listener.close(now);
            stack.diagnostics().listenerStateChanged(listener, TcpState.LISTEN, TcpState.CLOSED, "close()");
        } finally {
            if (listener == forwardListener) {
                forwardListener = null;
            } else if (listeners[port] == listener) {
                listeners[port] = null;
                ports.unbind(port);
            }
            stack.waiter().wakeup(stack, listener);
            readiness.forget(listener);
        }
    }

    // ---- demultiplexing

    /** The endpoint the demux table holds for {@code connection}, or null (released, or only its TIME_WAIT record is left). */
    Endpoint endpointOf(Connection connection) {
        Endpoint r = recent;
        if (r != null && r.connection == connection && !r.removed) return r;
        FourTuple t = connection.tuple();
        if (table.get(t.remoteAddress(), DemuxTable.ports(t.localPort(), t.remotePort()), LocalKeys.of(stack, t.localAddress()))
                instanceof Endpoint e && e.connection == connection) {
            recent = e;
            return e;
        }
        return null;
    }

    /**
     * Hands an arriving segment from {@code remote} to {@code local} to what it is for, as RFC 9293
     * §3.10.7 orders: a fully specified connection (or its TIME_WAIT record) first, then a listener:
     * the one on the port for this stack's own address, the forwarding listener
     * ({@link Forwarding}) for any other destination the stack took in. Returns false when nothing
     * takes it (the caller answers with a reset). Addresses are the 128 bits {@link IpAddress} holds.
     */
    boolean segmentArrived(long remoteHi, long remoteLo, long localHi, long localLo, TcpSegment seg, long now) {
        int localPort = seg.destinationPort();
        int localKey = LocalKeys.of(stack, localHi, localLo);
        Object entry = table.get(remoteHi, remoteLo, DemuxTable.ports(localPort, seg.sourcePort()), localKey);
        if (entry != null && !LocalKeys.isExact(localKey, localHi, localLo) && !isFor(entry, localHi, localLo)) {
            // Another forwarded IPv6 destination whose key folds alike holds this key: refused.
            return false;
        }
        Listener l = localKey == 0 ? listeners[localPort] : forwardListener;
        boolean listening = l != null && !l.isClosed();
        if (entry instanceof Endpoint e && !takesNewIncarnation(e, seg, listening, now)) {
            recent = e;
            e.connection.segmentArrived(seg, now);
            return true;
        }
        if (entry instanceof TimeWaitTimer t && !(isBareSyn(seg) && listening && timeWait.takesNewIncarnation(t, seg, now))) {
            timeWait.segmentArrived(t, seg, now);
            return true;
        }
        IpAddress remote = IpAddress.of(remoteHi, remoteLo);
        IpAddress local;
        if (localKey == 0) {
            boolean ipv4 = IpAddress.isIpv4(remoteHi, remoteLo);
            if (!listening || (listenerFamilies[localPort] & (ipv4 ? IPV4 : IPV6)) == 0) return false;
            local = stack.localAddressFor(remote);
        } else {
            local = IpAddress.of(localHi, localLo);
            if (!listening || (isBareSyn(seg) && !stack.forwarding().admits(remote, seg.sourcePort(), local, localPort))) return false;
        }
        Connection child = l.segmentArrived(local, remote, seg, now);
        if (child != null) adoptChild(child);
        return true;
    }

    /** Whether the demux entry {@code entry} is for the local address {@code hi}, {@code lo}. */
    private static boolean isFor(Object entry, long hi, long lo) {
        IpAddress local = entry instanceof Endpoint e ? e.connection.tuple().localAddress()
                : ((TimeWaitTimer) entry).record().localAddress();
        return local.hi() == hi && local.lo() == lo;
    }

    // ---- forwarding

    /** The listener that takes SYNs to forwarded destinations (see {@link Forwarding}); null: none. */
    private Listener forwardListener;

    /** See {@link NetStack#listenForwarded(int)}. */
    Listener listenForwarded(int backlog) throws SocketException {
        if (forwardListener != null && !forwardListener.isClosed()) throw new SocketException("Already listening for forwarded connections");
        Listener l = new Listener(stack.config(), IpAddress.IPV6_UNSPECIFIED, Listener.ANY_PORT, backlog, stack.isn(),
                stack.synCookies(), stack.output());
        forwardListener = l;
        stack.diagnostics().listenerStateChanged(l, TcpState.CLOSED, TcpState.LISTEN, "listen forwarded(" + l.backlog() + ")");
        return l;
    }

    /**
     * Hands an ICMP error about a TCP segment this host sent from {@code localPort} to the remote
     * address (its 128 bits, as {@link IpAddress} holds them) and {@code remotePort} to its
     * connection ({@link Connection#icmpError}). Returns null when it was taken, else why not: no
     * connection (counted as {@code noConnection}, Linux's IcmpInErrors; null: the caller counted
     * the message already), TIME_WAIT (ignored, as Linux), or a sequence number outside the window
     * (OutOfWindowIcmps, counted here).
     */
    String icmpErrorArrived(long remoteHi, long remoteLo, int localPort, int remotePort, IcmpError kind, int nextHopMtu,
                            int seq, Counter noConnection, long now) {
        Object entry = table.get(remoteHi, remoteLo, DemuxTable.ports(localPort, remotePort));
        if (entry instanceof TimeWaitTimer) return "ICMP error for a connection in TIME_WAIT";
        if (!(entry instanceof Endpoint e)) {
            if (noConnection != null) stack.diagnostics().increment(noConnection);
            return "ICMP error for no connection";
        }
        recent = e;
        if (e.connection.icmpError(kind, nextHopMtu, seq, now)) return null;
        stack.diagnostics().increment(Counter.OUT_OF_WINDOW_ICMPS);
        return "ICMP error quoting a sequence number outside the window";
    }

    /**
     * The families a listener bound to {@code bound} takes, as Linux's: a wildcard IPv6 binding
     * both, IPv4 as IPv4-mapped (RFC 3493 §3.7), unless IPV6_V6ONLY; an IPv4 binding or a specific
     * IPv6 address only its own family; null (bound to a port alone) both.
     */
    static byte families(IpAddress bound, boolean ipv6Only) {
        if (bound == null) return IPV4 | IPV6;
        if (bound.isIpv4()) return IPV4;
        return bound.isUnspecified() && !ipv6Only ? (byte) (IPV4 | IPV6) : IPV6;
    }

    /**
     * A SYN for a 4-tuple in TIME_WAIT may open a new incarnation (RFC 9293 §3.10.7.4, RFC 6191):
     * the engine decides; when it accepts, the old connection is forgotten (by its
     * {@link #callReturned}) and the SYN goes to the listener.
     */
    private boolean takesNewIncarnation(Endpoint e, TcpSegment seg, boolean listening, long now) {
        if (e.connection.state() != TcpState.TIME_WAIT || !listening || !isBareSyn(seg)) return false;
        return e.connection.acceptsNewSyn(seg, now);
    }

    /** A bare SYN (which a listener could take as a new incarnation). */
    private static boolean isBareSyn(TcpSegment seg) {
        return seg.has(TcpFlags.SYN) && !seg.has(TcpFlags.ACK) && !seg.has(TcpFlags.RST);
    }

    private void adoptChild(Connection child) {
        stack.diagnostics().increment(Counter.PASSIVE_OPENS);
        Endpoint e = new Endpoint(child, Endpoint.PortUse.NONE, LocalKeys.of(stack, child.tuple().localAddress()));
        if (unregisteredPorts == e.ports && e.remote.hi() == unregisteredHi && e.remote.lo() == unregisteredLo
                && unregisteredLocalKey == e.localKey) {
            e.sentUpTo = unregisteredSentUpTo;
            e.sentAnything = true;
            unregisteredPorts = -1;
        }
        Object old = table.put(e.remote, e.ports, e.localKey, e);
        recent = e;
        if (old != null && old != e) {
            // Cannot happen when the demux worked; keep the table consistent anyway.
            if (old instanceof Endpoint o) {
                o.removed = true;
                readiness.forget(o);
                timers.cancel(o.timer);
            } else if (old instanceof TimeWaitTimer tw) {
                timeWait.replaced(tw);
            }
        }
        touch(e);
    }

    // ---- after engine calls

    /**
     * An engine call on {@code connection} returned ({@link dev.synack.tcp.TcpOutput#callReturned}):
     * reschedule its timer, forget it once released, keep only its TIME_WAIT record once it lets it
     * go. The engine calls this last in every entry point, so no caller has to remember to.
     */
    void callReturned(Connection connection) {
        assert stack.stackLock().isHeldByCurrentThread() : "an engine call without the stack's lock";
        Endpoint found = endpointOf(connection);
        if (found != null) {
            touch(found);
            return;
        }
        FourTuple t = connection.tuple();
        timeWait.connectionReturned(connection, table.get(t.remoteAddress(), DemuxTable.ports(t.localPort(), t.remotePort()),
                LocalKeys.of(stack, t.localAddress())));
    }

    /**
     * Brings the stack in step with {@code e}'s connection: forgotten once released; in TIME_WAIT,
     * replaced by its record once it lets the record go; else its timer at its next deadline.
     */
    private void touch(Endpoint e) {
        if (e.removed) return;
        Connection c = e.connection;
        if (c.isReleased()) {
            remove(e);
            return;
        }
        if (c.state() == TcpState.TIME_WAIT) {
            TimeWaitRecord r = c.detachTimeWait();
            if (r != null) {
                unlink(e);
                timeWait.compact(e, r);
                return;
            }
        }
        long deadline = c.nextDeadline();
        if (deadline == Long.MAX_VALUE) timers.cancel(e.timer);
        else timers.schedule(e.timer, deadline);
    }

    /** Forgets {@code e}: its timer, its demux entry and its port use (once). */
    private void remove(Endpoint e) {
        if (e.removed) return;
        unlink(e);
        timers.cancel(e.timer);
        if (table.get(e.remote, e.ports, e.localKey) == e) table.remove(e.remote, e.ports, e.localKey);
        ports.release(e.portUse, e.localPort);
    }

    /** Marks {@code e} removed: the stack holds on to no connection it let go, nor to its watch. */
    private void unlink(Endpoint e) {
        e.removed = true;
        if (recent == e) recent = null;
        readiness.forget(e);
    }

    /** Fires the timers due at {@code now}; returns how many connections and records were due. */
    int fireTimers(long now) {
        return timers.expire(now, fireTimer);
    }

    /** The timer wheel's callback: the connection's timers (its callReturned reschedules it), or a record's 2MSL. */
    private void fire(Object owner) {
        long now = timers.firingAt();
        if (!(owner instanceof Endpoint e)) {
            timeWait.fire((TimeWaitRecord) owner, now);
            return;
        }
        try {
            e.connection.deadlineReached(now);
        } catch (Throwable ex) {
            Diagnostics.rethrowFatal(ex);
            stack.diagnostics().internalError(now, "timer of " + e.label(), ex);
            if (!e.removed) timers.retryLater(e.timer, now);
        }
    }

    // ---- output accounting

    /**
     * RetransSegs: counts a segment sent to {@code destinationAddress} carrying sequence space below
     * the highest already sent; returns whether it did.
     */
    boolean noteSent(TcpSegment s, long sourceHi, long sourceLo, long destinationHi, long destinationLo) {
        int length = s.sequenceLength();
        if (length == 0 || s.has(TcpFlags.RST)) return false;
        int ports = DemuxTable.ports(s.sourcePort(), s.destinationPort());
        int localKey = LocalKeys.of(stack, sourceHi, sourceLo);
        // A TIME_WAIT record sends only bare ACKs (no sequence space): never found here.
        Endpoint r = recent;
        Endpoint e = r != null && r.ports == ports && r.localKey == localKey && r.remote.hi() == destinationHi
                && r.remote.lo() == destinationLo && !r.removed
                ? r : table.get(destinationHi, destinationLo, ports, localKey) instanceof Endpoint found ? found : null;
        int end = s.seq() + length;
        if (e == null) {
            // A listener's SYN-ACK goes out before its child is registered: remember it for adoptChild.
            unregisteredHi = destinationHi;
            unregisteredLo = destinationLo;
            unregisteredLocalKey = localKey;
            unregisteredPorts = ports;
            unregisteredSentUpTo = end;
            return false;
        }
        boolean retransmission = e.sentAnything && Seq.lt(s.seq(), e.sentUpTo);
        if (retransmission) stack.diagnostics().increment(Counter.RETRANS_SEGS);
        if (!e.sentAnything || Seq.gt(end, e.sentUpTo)) {
            e.sentUpTo = end;
            e.sentAnything = true;
        }
        return retransmission;
    }
}
