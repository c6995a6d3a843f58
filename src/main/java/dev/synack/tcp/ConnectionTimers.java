package dev.synack.tcp;

import static dev.synack.tcp.Connection.NONE;

/**
 * The connection's timers, one deadline each ({@link Connection#NONE} when not armed), and the
 * order they fire in when due together: delayed ACK (RFC 1122 §4.2.3.2), RACK's reordering timer
 * (RFC 8985 §6.3), the tail loss probe (§7), retransmission (RFC 6298, {@link RetransmissionTimer}),
 * persist and keepalive ({@link PersistAndKeepalive}), FIN_WAIT2's orphan timeout ({@link Closing}).
 * TIME_WAIT's timer is its record's ({@link TimeWaitRecord}).
 */
final class ConnectionTimers {
    private final Connection c;
    long retransmitAt = NONE;
    long persistAt = NONE;
    long delayedAckAt = NONE;
    long finWait2At = NONE;
    long keepaliveAt = NONE;
    /** RACK's reordering timer (RFC 8985 §6.3). */
    long reorderAt = NONE;
    /** The tail loss probe's timer (RFC 8985 §7.2). */
    long probeAt = NONE;

    ConnectionTimers(Connection c) {
        this.c = c;
    }

    /** Fires, in their order, the timers due at {@code now}. */
    void fire(long now) {
        TcpOutput output = c.output;
        if (delayedAckAt <= now) {
            delayedAckAt = NONE;
            output.timerFired(c, "delayed-ack", now);
            SegmentWriter.sendAck(c, now);
        }
        if (reorderAt <= now) {
            reorderAt = NONE;
            output.timerFired(c, "reorder", now);
            c.recovery.reorderTimeout(now);
        }
        if (probeAt <= now) {
            probeAt = NONE;
            output.timerFired(c, "loss-probe", now);
            TailLossProbe.lossProbe(c, now);
        }
        if (retransmitAt <= now) {
            retransmitAt = NONE;
            output.timerFired(c, "retransmit", now);
            RetransmissionTimer.retransmissionTimeout(c, now);
        }
        if (persistAt <= now) {
            persistAt = NONE;
            output.timerFired(c, "persist", now);
            c.idleTimers.persistTimeout(now);
        }
        if (finWait2At <= now) {
            finWait2At = NONE;
            output.timerFired(c, "fin-wait2", now);
            if (c.state == TcpState.FIN_WAIT2) Closing.enterClosed(c, "FIN_WAIT2 timeout", now);
        }
        if (keepaliveAt <= now) {
            keepaliveAt = NONE;
            output.timerFired(c, "keepalive", now);
            c.idleTimers.keepaliveTimeout(now);
        }
    }

    /** The earliest deadline, or {@link Connection#NONE}. */
    long next() {
        return Math.min(Math.min(Math.min(retransmitAt, persistAt), Math.min(delayedAckAt, keepaliveAt)),
                Math.min(finWait2At, Math.min(probeAt, reorderAt)));
    }

    /** Disarms every timer. */
    void cancel() {
        probeAt = reorderAt = keepaliveAt = retransmitAt = persistAt = delayedAckAt = finWait2At = NONE;
    }
}
