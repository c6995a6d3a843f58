package dev.synack.tcp;

import static dev.synack.tcp.Connection.NONE;

/**
 * The retransmission timer's expiry (RFC 6298 §5.4-5.7, go-back-N, RFC 6675 §5.1, RFC 6582 §3.2),
 * the retry limits (RFC 1122 §4.2.3.5, as Linux) and TCP_USER_TIMEOUT (RFC 5482).
 *
 * <p>The retry limits count retransmissions: the SYN is given up after synRetries of them (1, 2, 4,
 * ... s apart), a passive child after synAckRetries (dropped silently), data after dataRetries
 * (CONNECTION_TIMED_OUT, or the soft error an ICMP message left, as Linux's tcp_write_err; no RST).
 */
final class RetransmissionTimer {
    private RetransmissionTimer() {}

    /** {@code nanos} rounded up to whole timer ticks, as Linux's usecs_to_jiffies; unchanged without ticks. */
    static long inTicks(Connection c, long nanos) {
        long tick = c.config.timerTickNanos();
        return tick == 0 ? nanos : Math.ceilDiv(nanos, tick) * tick;
    }

    /** Linux's TCP_TIMEOUT_MIN, the least a TCP timer is armed for: two ticks (none without ticks). */
    static long timeoutMin(Connection c) {
        return 2 * c.config.timerTickNanos();
    }

    /** RFC 6298 §5.4-5.7 and the retry limits of RFC 1122 §4.2.3.5 / Linux. */
    static void retransmissionTimeout(Connection c, long now) {
        if (!c.synAcked()) {
            int limit = c.state == TcpState.SYN_SENT || !c.passiveOpen ? c.config.synRetries() : c.config.synAckRetries();
            if (c.retries >= limit) {
                if (c.passiveOpen) {
                    Closing.enterClosed(c, "SYN-ACK retries exhausted", now); // Linux drops the embryo silently
                } else {
                    Closing.fail(c, c.timeoutError(), "SYN retries exhausted", now);
                }
                return;
            }
            c.retries++;
            c.rtt.backOff();
            Handshake.sendSyn(c, now);
            return;
        }
        if (c.userTimeoutNanos > 0 ? userTimeoutExpired(c, now) : c.retries >= c.config.dataRetries()) {
            // Linux sends no RST
            Closing.fail(c, c.timeoutError(), c.userTimeoutNanos > 0 ? "user timeout" : "retransmission retries exhausted", now);
            return;
        }
        if (ConnectionMemory.orphanOutOfResources(c, c.retries, now)) return;
        if (c.retries == 0) c.firstRetransmitAt = now;
        c.retries++;
        if ((c.recovery.inRecovery || c.recovery.inCwr) && c.recovery.reducesRate()) {
            // As Linux's tcp_enter_loss: a timeout in a fast recovery keeps the recovery's ssthresh
            // (PRR kept the flight near it), where FlightSize / 2 would count the new data PRR sent.
            c.congestion.setCwnd(c.effectiveMss);
        } else {
            c.congestion.onRetransmissionTimeout(Seq.distance(c.sndUna, c.sndMax), now);
        }
        c.rtt.backOff();
        // RFC 6582 §3.2 / RFC 6675 §5.1: the timeout ends any recovery, and none starts again before
        // what was sent is acknowledged; RFC 2018 §8: the receiver may have discarded SACKed data, so
        // the scoreboard starts afresh (SACK blocks in later ACKs fill it again).
        c.recovery.timedOut();
        c.timers.reorderAt = NONE;
        c.probe.close();
        c.timers.probeAt = NONE;
        c.sndNxt = c.sndUna; // go-back-N: everything after SND.UNA is sent again as the window allows
        c.sender.retransmitFirst(now);
        if (c.timers.retransmitAt == NONE && c.sndUna != c.sndMax) c.timers.retransmitAt = now + c.rtt.rto();
        clampRetransmitToUserTimeout(c, now);
    }

    /** Linux's retransmits_timed_out with a user timeout: only after a retransmission, measured from the first. */
    private static boolean userTimeoutExpired(Connection c, long now) {
        return c.retries > 0 && c.firstRetransmitAt != NONE && now - c.firstRetransmitAt >= c.userTimeoutNanos;
    }

    /** tcp_clamp_rto_to_user_timeout: the timer fires no later than the user timeout, at least a tick (1 ms) ahead. */
    private static void clampRetransmitToUserTimeout(Connection c, long now) {
        if (c.userTimeoutNanos == 0 || c.timers.retransmitAt == NONE || c.firstRetransmitAt == NONE) return;
        long remaining = c.firstRetransmitAt + c.userTimeoutNanos - now;
        c.timers.retransmitAt = Math.min(c.timers.retransmitAt, now + Math.max(remaining, 1_000_000L));
    }
}
