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

    /** See {@link Connection#diagTimer()}: Linux's icsk timer kinds, by its order of precedence. */
    String diagName() {
        if (Math.min(retransmitAt, Math.min(probeAt, reorderAt)) != NONE) return "on";
        if (persistAt != NONE) return "persist";
        if (Math.min(keepaliveAt, finWait2At) != NONE) return "keepalive";
        return "off";
    }

    /** The deadline of {@link #diagName()}'s timer ({@link Connection#NONE} when "off"). */
    long diagDeadline() {
        return switch (diagName()) {
            case "on" -> Math.min(retransmitAt, Math.min(probeAt, reorderAt));
            case "persist" -> persistAt;
            case "keepalive" -> Math.min(keepaliveAt, finWait2At);
            default -> NONE;
        };
    }

    /** Disarms every timer. */
    void cancel() {
        probeAt = reorderAt = keepaliveAt = retransmitAt = persistAt = delayedAckAt = finWait2At = NONE;
    }
}
