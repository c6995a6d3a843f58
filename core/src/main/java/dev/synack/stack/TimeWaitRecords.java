package dev.synack.stack;

import dev.synack.tcp.Connection;
import dev.synack.tcp.TimeWaitRecord;
import dev.synack.wire.IpAddress;
import dev.synack.wire.TcpSegment;

/**
 * TIME_WAIT compaction. When a connection in TIME_WAIT lets its {@link TimeWaitRecord} go
 * ({@link Connection#detachTimeWait()}: as soon as nothing the user could still do changes its
 * ACKs), the demux table maps the 4-tuple to the record's {@link TimeWaitTimer} instead of the
 * connection's {@link Endpoint}: two small objects of primitive fields (about 110 bytes) instead of
 * the whole engine object. The record answers segments, accepts a new SYN for the listener, expires
 * and reports exactly as the connection did; the port stays in use until it is forgotten. A user
 * still holding the connection sees its state follow the record. Guarded by the stack's lock.
 */
final class TimeWaitRecords {
    private final NetStack stack;
    private final DemuxTable<Object> table;
    private final Timers timers;
    private final PortTable ports;
    /** Where a record builds its ACK. */
    private final TcpSegment reply = new TcpSegment();
    /** How many records the demux table holds. */
    private int count;

    TimeWaitRecords(NetStack stack, DemuxTable<Object> table, Timers timers, PortTable ports) {
        this.stack = stack;
        this.table = table;
        this.timers = timers;
        this.ports = ports;
    }

    int count() { return count; }

    /**
     * Replaces {@code e} (already marked removed) in the demux table by its detached record: from
     * now on the stack holds the record and its timer (which keeps the port use to release at the
     * end), not the connection. The record's timer takes the connection timer's place, so ties
     * fire in the same order as before.
     */
    void compact(Endpoint e, TimeWaitRecord r) {
        TimeWaitTimer timer = new TimeWaitTimer(r, e.portUse, e.localKey);
        table.put(e.remote, e.ports, e.localKey, timer);
        count++;
        timers.replace(e.timer, timer, r.nextDeadline());
    }

    /** A segment for the record's 4-tuple that no listener takes as a new incarnation. */
    void segmentArrived(TimeWaitTimer t, TcpSegment seg, long now) {
        t.record().segmentArrived(seg, now, stack.output(), reply);
        settle(t);
    }

    /**
     * A SYN for a 4-tuple in TIME_WAIT may open a new incarnation (RFC 9293 §3.10.7.4, RFC 6191):
     * the record decides; when it accepts, it is forgotten and the SYN goes to the listener.
     */
    boolean takesNewIncarnation(TimeWaitTimer t, TcpSegment seg, long now) {
        TimeWaitRecord r = t.record();
        if (r.isReleased() || !r.acceptsNewSyn(seg, now, stack.output())) return false;
        remove(t);
        return true;
    }

    /** The 2MSL timer of {@code r}: it goes CLOSED and is forgotten, its port released. */
    void fire(TimeWaitRecord r, long now) {
        int localKey = LocalKeys.of(stack, r.localAddress());
        if (!(table.get(r.remoteAddress(), DemuxTable.ports(r.localPort(), r.remotePort()), localKey) instanceof TimeWaitTimer t)
                || t.record() != r) {
            return;
        }
        try {
            r.deadlineReached(now, stack.output());
            settle(t);
        } catch (Throwable ex) {
            Diagnostics.rethrowFatal(ex);
            stack.diagnostics().internalError(now, "timer of " + r.tuple(), ex);
            if (table.get(r.remoteAddress(), t.ports(), t.localKey) == t) timers.retryLater(t, now);
        }
    }

    /**
     * An engine call returned on a connection the stack no longer holds: when it ended the TIME_WAIT
     * record the stack held for it (abort() in TIME_WAIT), the record is forgotten.
     */
    void connectionReturned(Connection connection, Object entry) {
        if (entry instanceof TimeWaitTimer t && t.record() == connection.timeWaitRecord() && t.record().isReleased()) remove(t);
    }

    /** Forgets a record whose entry another one replaced (see {@link Connections#adoptChild}): its port use stays. */
    void replaced(TimeWaitTimer t) {
        timers.cancel(t);
        count--;
    }

    /** After the record handled something: forget it once released, else follow its (re)started 2MSL timer. */
    private void settle(TimeWaitTimer t) {
        if (t.record().isReleased()) remove(t);
        else timers.schedule(t, t.record().nextDeadline());
    }

    /** Forgets a record: its timer, its demux entry and its port use (once). */
    private void remove(TimeWaitTimer t) {
        IpAddress remote = t.record().remoteAddress();
        if (table.get(remote, t.ports(), t.localKey) != t) return; // already forgotten
        table.remove(remote, t.ports(), t.localKey);
        timers.cancel(t);
        count--;
        ports.release(t.portUse, t.record().localPort());
    }
}
