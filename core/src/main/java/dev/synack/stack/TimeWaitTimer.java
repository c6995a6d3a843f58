package dev.synack.stack;

import dev.synack.tcp.TimeWaitRecord;

/**
 * The stack's entry for a detached {@link TimeWaitRecord}: the value the demux table maps the
 * 4-tuple to, and the record's 2MSL timer, carrying the one thing the stack must remember beyond
 * the record, the port use to release with it. So a TIME_WAIT connection costs the stack two small
 * objects: the record and this (the timer node had room for the extra field).
 */
final class TimeWaitTimer extends TimerWheel.Timer<Object> {
    final Endpoint.PortUse portUse;
    /** The local-address part of its demux key ({@link LocalKeys}). */
    final int localKey;

    TimeWaitTimer(TimeWaitRecord record, Endpoint.PortUse portUse, int localKey) {
        super(record);
        this.portUse = portUse;
        this.localKey = localKey;
    }

    TimeWaitRecord record() { return (TimeWaitRecord) owner(); }

    /** The record's demux key's ports part; its remote address is {@code record().remoteAddress()}. */
    int ports() {
        TimeWaitRecord r = record();
        return DemuxTable.ports(r.localPort(), r.remotePort());
    }
}
