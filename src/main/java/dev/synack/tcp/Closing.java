package dev.synack.tcp;

import static dev.synack.tcp.Connection.NONE;

/**
 * Closing (RFC 9293 §3.6, §3.10.4 CLOSE, §3.10.7.4 eighth): the FIN sent and received, FIN_WAIT2's
 * orphan timeout, the entry to TIME_WAIT ({@link TimeWaitRecord}), and the ends a connection comes to
 * (CLOSED, reset, back to LISTEN).
 */
final class Closing {
    private final Connection c;

    Closing(Connection c) {
        this.c = c;
    }

    /** RFC 9293 §3.10.7.4 eighth: the FIN is in order. */
    void finArrived(long now) {
        c.rcvNxt += 1;
        c.finReceived = true;
        c.ackNow = true; // a FIN is acknowledged at once
        switch (c.state) {
            case ESTABLISHED -> c.setState(TcpState.CLOSE_WAIT, "rcvd FIN", now);
            case FIN_WAIT1 -> {
                if (c.finAcked()) enterTimeWait("rcvd FIN+ACK of our FIN", now);
                else c.setState(TcpState.CLOSING, "rcvd FIN (simultaneous close)", now);
            }
            case FIN_WAIT2 -> enterTimeWait("rcvd FIN", now);
            default -> { }
        }
    }

    /** After a segment: FIN_WAIT1 whose FIN is acknowledged (and no FIN came with it) is FIN_WAIT2; send what is due. */
    void afterSegment(long now) {
        if (c.state == TcpState.FIN_WAIT1 && c.finAcked()) {
            c.setState(TcpState.FIN_WAIT2, "rcvd ACK of FIN", now);
            if (c.userClosed) armFinWait2Timer(now);
        }
        c.sender.transmitPending(now);
    }

    void queueFin(String cause, long now) {
        switch (c.state) {
            case SYN_RECV, ESTABLISHED, CLOSE_WAIT -> {
                c.finQueued = true;
                c.finSeq = c.dataEnd();
                TcpState from = c.state;
                c.setState(from == TcpState.CLOSE_WAIT ? TcpState.LAST_ACK : TcpState.FIN_WAIT1, cause, now);
                if (from == TcpState.SYN_RECV) {
                    // RFC 9293 §3.10.4: with nothing queued, the FIN goes now, even before our SYN is ACKed.
                    if (c.sendBuffer.isEmpty()) c.sender.sendData(c.sndNxt, 0, true, false, now);
                } else {
                    c.sender.transmitPending(now);
                }
            }
            default -> { } // already closing
        }
    }

    void armFinWait2Timer(long now) {
        // Linux's orphan timeout: after close() nobody will read, so FIN_WAIT2 must not last forever.
        c.finWait2At = now + c.config.finWait2TimeoutNanos();
    }

    void enterTimeWait(String cause, long now) {
        c.retransmitAt = NONE;
        c.probeAt = NONE;
        c.reorderAt = NONE;
        c.persistAt = NONE;
        c.finWait2At = NONE;
        c.delayedAckAt = NONE;
        c.keepaliveAt = NONE;
        c.timeWait = new TimeWaitRecord(c.config, c.tuple, c.sndMax, c.rcvNxt, c.timestampsOn, c.tsRecent,
                now + c.config.timeWaitNanos(), c.receiver.ackLimiter);
        c.setState(TcpState.TIME_WAIT, cause, now);
        releaseMemory();
    }

    void resetAndClose(String cause, long now) {
        c.writer.sendActiveReset(now);
        enterClosed(cause, now);
    }

    void fail(TcpError err, String cause, long now) {
        if (c.error == null) c.error = err;
        c.sendBuffer.clear();
        enterClosed(cause, now);
    }

    void enterClosed(String cause, long now) {
        cancelTimers();
        c.released = true;
        c.ackNow = false;
        releaseMemory();
        if (c.state != TcpState.CLOSED) c.setState(TcpState.CLOSED, cause, now);
        if (c.listener != null) c.listener.childReleased(c);
    }

    void returnToListen(String cause, long now) {
        cancelTimers();
        c.released = true;
        c.ackNow = false;
        c.setState(TcpState.LISTEN, cause, now);
        if (c.listener != null) c.listener.childReleased(c);
    }

    /** TIME_WAIT and CLOSED send no more data: give the buffers back (the receive one once it is read). */
    void releaseMemory() {
        c.sendBuffer.releaseIfEmpty();
        c.recovery.releaseMemory();
        c.receiveBuffer.releaseIfEmpty();
        c.writer.payloadScratch = null;
    }

    void cancelTimers() {
        c.probeAt = NONE;
        c.reorderAt = NONE;
        c.keepaliveAt = NONE;
        c.retransmitAt = NONE;
        c.persistAt = NONE;
        c.delayedAckAt = NONE;
        c.finWait2At = NONE;
    }
}
