package dev.synack.tcp;

/**
 * Closing (RFC 9293 §3.6, §3.10.4 CLOSE, §3.10.7.4 eighth): the FIN sent and received, FIN_WAIT2's
 * orphan timeout, the entry to TIME_WAIT ({@link TimeWaitRecord}), and the ends a connection comes to
 * (CLOSED, reset, back to LISTEN).
 *
 * <p>Choices, as Linux: shutdown(READ) sends nothing; what it does to received data is {@link
 * TcpConfig#readShutdownData()}: by default Linux's rule, where read() returns -1 only while nothing
 * is queued and data arriving later is acknowledged, queued and readable (until our FIN is out too:
 * then it resets the connection); or the BSD rule, where what was buffered is discarded at once and
 * later data is acknowledged and dropped (the window stays open). shutdown() in CLOSED throws
 * NOT_CONNECTED (ENOTCONN); in SYN_SENT it silently drops the attempt (CLOSED, released), as Linux's
 * tcp_disconnect. A passive-open child reset in SYN_RECV reports SYN_RECV -> LISTEN and is then
 * released; its listener carries on.
 */
final class Closing {
    private Closing() {}

    /** RFC 9293 §3.10.7.4 eighth: the FIN is in order. */
    static void finArrived(Connection c, long now) {
        c.rcvNxt += 1;
        c.finReceived = true;
        c.ackNow = true; // a FIN is acknowledged at once
        switch (c.state) {
            case ESTABLISHED -> c.setState(TcpState.CLOSE_WAIT, "rcvd FIN", now);
            case FIN_WAIT1 -> {
                if (c.finAcked()) enterTimeWait(c, "rcvd FIN+ACK of our FIN", now);
                else c.setState(TcpState.CLOSING, "rcvd FIN (simultaneous close)", now);
            }
            case FIN_WAIT2 -> enterTimeWait(c, "rcvd FIN", now);
            default -> { }
        }
    }

    /** After a segment: FIN_WAIT1 whose FIN is acknowledged (and no FIN came with it) is FIN_WAIT2; send what is due. */
    static void afterSegment(Connection c, long now) {
        if (c.state == TcpState.FIN_WAIT1 && c.finAcked()) {
            c.setState(TcpState.FIN_WAIT2, "rcvd ACK of FIN", now);
            if (c.userClosed) armFinWait2Timer(c, now);
        }
        c.sender.transmitPending(now);
    }

    private static void queueFin(Connection c, String cause, long now) {
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

    private static void armFinWait2Timer(Connection c, long now) {
        // Linux's orphan timeout: after close() nobody will read, so FIN_WAIT2 must not last forever.
        c.timers.finWait2At = now + c.config.finWait2TimeoutNanos();
    }

    static void enterTimeWait(Connection c, String cause, long now) {
        c.timers.cancel();
        c.timeWait = new TimeWaitRecord(c.config, c.tuple, c.sndMax, c.rcvNxt, c.timestampsOn, c.tsRecent,
                now + c.config.timeWaitNanos(), c.receiver.ackLimiter);
        c.setState(TcpState.TIME_WAIT, cause, now);
        releaseMemory(c);
    }

    static void resetAndClose(Connection c, String cause, long now) {
        SegmentWriter.sendActiveReset(c, now);
        enterClosed(c, cause, now);
    }

    static void fail(Connection c, TcpError err, String cause, long now) {
        if (c.error == null) c.error = err;
        c.sendBuffer.clear();
        enterClosed(c, cause, now);
    }

    static void enterClosed(Connection c, String cause, long now) {
        c.timers.cancel();
        c.released = true;
        c.ackNow = false;
        releaseMemory(c);
        if (c.state != TcpState.CLOSED) c.setState(TcpState.CLOSED, cause, now);
        if (c.listener != null) c.listener.childReleased(c);
    }

    static void returnToListen(Connection c, String cause, long now) {
        c.timers.cancel();
        c.released = true;
        c.ackNow = false;
        c.setState(TcpState.LISTEN, cause, now);
        if (c.listener != null) c.listener.childReleased(c);
    }

    /** TIME_WAIT and CLOSED send no more data: give the buffers back (the receive one once it is read). */
    static void releaseMemory(Connection c) {
        c.sendBuffer.releaseIfEmpty();
        c.recovery.releaseMemory();
        c.receiveBuffer.releaseIfEmpty();
        c.payloadScratch = null;
    }

    /** shutdown(2) as Linux does it (see the class comment). */
    static void shutdown(Connection c, ShutdownHow how, long now) {
        switch (c.state) {
            case CLOSED, LISTEN -> throw new TcpException(TcpError.NOT_CONNECTED);
            case SYN_SENT -> {
                // Linux (inet_shutdown -> tcp_disconnect): the attempt is dropped without a segment; a
                // late SYN-ACK then meets no connection and is answered with RST by the stack.
                c.readShutdown = true;
                c.writeShutdown = true;
                enterClosed(c, "shutdown() in SYN_SENT", now);
                return;
            }
            default -> { }
        }
        if ((how == ShutdownHow.READ || how == ShutdownHow.BOTH) && !c.readShutdown) {
            c.readShutdown = true;
            if (c.receiver.discardsInput()) c.receiveBuffer.clear();
        }
        if ((how == ShutdownHow.WRITE || how == ShutdownHow.BOTH) && !c.writeShutdown) {
            c.writeShutdown = true;
            queueFin(c, "shutdown(WRITE)", now);
        }
    }

    /**
     * CLOSE (RFC 9293 §3.10.4), the first time it is called: graceful (FIN after queued data) or,
     * with unread received data, RST (RFC 2525 §2.17); in SYN_SENT silently CLOSED.
     */
    static void close(Connection c, long now) {
        c.userClosed = true;
        c.writeShutdown = true;
        switch (c.state) {
            case CLOSED, LISTEN -> {
                c.released = true;
                c.receiveBuffer.clear(); // what a reset left unread: nobody will read it now
            }
            case SYN_SENT -> enterClosed(c, "close()", now);
            case TIME_WAIT, CLOSING, LAST_ACK -> { }
            default -> {
                if (!c.receiveBuffer.isEmpty()) {
                    // RFC 2525 §2.17: data the application will never read is lost; say so with RST.
                    c.receiveBuffer.clear();
                    resetAndClose(c, "close() with unread data", now);
                } else if (c.state == TcpState.FIN_WAIT2) {
                    armFinWait2Timer(c, now);
                } else {
                    queueFin(c, "close()", now);
                }
            }
        }
        if (ConnectionMemory.isOrphan(c) && c.memory.orphanOutOfResources(1, 0, c.sendBuffer.size())) ConnectionMemory.abortOnMemory(c, now);
    }

    /** ABORT (RFC 9293 §3.10.5): RST in SYN_RECV and the synchronized states, CLOSED, all buffers dropped. */
    static void abort(Connection c, String cause, long now) {
        c.userClosed = true;
        c.writeShutdown = true;
        c.sendBuffer.clear();
        c.receiveBuffer.clear();
        switch (c.state) {
            case CLOSED, LISTEN -> c.released = true;
            case SYN_RECV, ESTABLISHED, FIN_WAIT1, FIN_WAIT2, CLOSE_WAIT -> resetAndClose(c, cause, now);
            case TIME_WAIT -> {
                c.timeWait.close(cause, now, c.output, c); // nothing to tell the peer
                c.settle();
            }
            default -> enterClosed(c, cause, now); // SYN_SENT, CLOSING, LAST_ACK: nothing to tell
        }
    }

    /** {@link Connection#detachTimeWait}'s rule: the record, detached, or null while the connection must keep it. */
    static TimeWaitRecord detachTimeWait(Connection c) {
        if (c.state != TcpState.TIME_WAIT || c.released || c.timeWait.isDetached()) return null;
        if (!c.receiveBuffer.isEmpty() || c.listener != null) return null;
        if (c.sackOn && (c.receiver.dsackPending || c.receiver.reassembly.recentCount() > 0)) return null;
        c.timeWait.detach(c.rcvWindow.advertiseWindow());
        return c.timeWait;
    }
}
