package dev.synack.stack;

import dev.synack.tcp.TimeWaitRecord;

/**
 * The stack's handle on a detached {@link TimeWaitRecord} (its {@link TimeWaitRecord#ownerHandle()}):
 * the record's 2MSL timer, carrying the one thing the stack must remember beyond the record, the
 * port use to release with it. One object per record besides the record itself: the timer node
 * has room for the extra field, so it costs nothing.
 */
final class TimeWaitTimer extends TimerWheel.Timer<Object> {
    final Endpoint.PortUse portUse;

    TimeWaitTimer(TimeWaitRecord record, Endpoint.PortUse portUse) {
        super(record);
        this.portUse = portUse;
    }
}
