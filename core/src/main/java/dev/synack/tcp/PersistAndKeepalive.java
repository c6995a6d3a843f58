package dev.synack.tcp;

import static dev.synack.tcp.Connection.NONE;

import dev.synack.wire.TcpFlags;

/**
 * The timers of a connection with nothing in flight: the persist timer and zero-window probes
 * (RFC 9293 §3.8.6.1, RFC 1122 §4.2.2.17) and keepalive (RFC 1122 §4.2.3.6), as Linux runs them.
 *
 * <p>Zero-window probes are Linux's: a bare ACK with {@code seq = SND.UNA - 1}, which the peer must
 * answer with an ACK carrying its window (RFC 9293 §3.10.7.4, "first"); it carries no data, so it
 * can neither lose nor duplicate a byte. When the persist timer fires and the window is open but too
 * small for the sender's silly-window rule, the data that fits is sent instead.
 */
final class PersistAndKeepalive {
    private final Connection c;

    /** SO_KEEPALIVE is on. */
    boolean keepAlive;
    /** Keepalive probes sent since a segment last arrived. */
    int keepaliveProbesSent;
    /** When a segment last arrived: keepalive measures idleness from here. */
    long lastReceivedAt;
    /** Zero-window probes sent since the persist timer was armed: each doubles the interval. */
    int persistBackoff;
    /** When the persist timer first probed the current zero window (Linux's icsk_probes_tstamp); NONE before. */
    long zeroWindowProbingSince = NONE;

    PersistAndKeepalive(Connection c) {
        this.c = c;
    }

    /** The persist timer (RFC 9293 §3.8.6.1, RFC 1122 §4.2.2.17), Linux's probe; see the class comment. */
    void persistTimeout(long now) {
        int unsent = Seq.distance(c.sndNxt, c.dataEnd());
        if (!c.canSendData() || c.sndUna != c.sndMax || unsent <= 0) return;
        if (c.sndWnd > 0) {
            int len = Math.min(Math.min(c.sndWnd, c.effectiveMss), unsent);
            c.sender.sendData(c.sndNxt, len, c.finQueued && len == unsent, true, now); // pushed, as Linux's tcp_write_wakeup
            return;
        }
        if (ConnectionMemory.orphanOutOfResources(c, persistBackoff, now)) return;
        if (zeroWindowProbesTimedOut(now)) {
            Closing.fail(c, c.timeoutError(), "user timeout: the window stayed closed", now); // tcp_probe_timer's abort: no RST
            return;
        }
        SegmentWriter.sendSegment(c, c.sndUna - 1, TcpFlags.ACK, 0, now);
        persistBackoff++;
        c.timers.persistAt = now + persistInterval();
    }

    /**
     * Keepalive (RFC 1122 §4.2.3.6) as Linux does it: after keepaliveIdle without receiving anything,
     * probe (the zero-window probe's form, {@code seq = SND.UNA - 1}) every keepaliveInterval; after
     * keepaliveProbes unanswered probes, reset and fail with CONNECTION_TIMED_OUT. Not while data is
     * outstanding: the retransmission or persist timer watches the peer then.
     */
    void keepaliveTimeout(long now) {
        if (!keepAliveApplies()) return;
        long idle = c.config.keepaliveIdleNanos();
        if (c.sndUna != c.sndMax || Seq.distance(c.sndNxt, c.dataEnd()) > 0) {
            c.timers.keepaliveAt = now + idle;
            return;
        }
        long elapsed = now - lastReceivedAt;
        if (elapsed < idle) {
            c.timers.keepaliveAt = lastReceivedAt + idle;
            return;
        }
        if (keepaliveProbesSent >= c.config.keepaliveProbes()) {
            SegmentWriter.sendActiveReset(c, now);
            Closing.fail(c, c.timeoutError(), "keepalive: no answer to " + keepaliveProbesSent + " probes", now);
            return;
        }
        SegmentWriter.sendSegment(c, c.sndUna - 1, TcpFlags.ACK, 0, now);
        keepaliveProbesSent++;
        c.timers.keepaliveAt = now + c.config.keepaliveIntervalNanos();
    }

    private boolean keepAliveApplies() {
        return keepAlive && !c.released && c.state.isSynchronized() && c.state != TcpState.TIME_WAIT;
    }

    long persistInterval() {
        long t = c.rtt.rto();
        long max = c.config.persistMaxNanos();
        for (int i = 0; i < persistBackoff && t < max; i++) t *= 2;
        return Math.min(Math.max(t, c.config.persistMinNanos()), max);
    }

    /** tcp_probe_timer: the first probe of a closed window starts the clock, a later one past the user timeout aborts. */
    private boolean zeroWindowProbesTimedOut(long now) {
        if (zeroWindowProbingSince == NONE) {
            zeroWindowProbingSince = now;
            return false;
        }
        return c.userTimeoutNanos > 0 && now - zeroWindowProbingSince >= c.userTimeoutNanos;
    }

    /**
     * SO_KEEPALIVE: turning it on in a synchronized state arms the timer one idle period from now
     * (as Linux, from the setsockopt); it is re-armed whenever the connection becomes ESTABLISHED.
     */
    void setKeepAlive(boolean on, long now) {
        keepAlive = on;
        if (!on) {
            c.timers.keepaliveAt = NONE;
        } else if (keepAliveApplies() && c.timers.keepaliveAt == NONE) {
            c.timers.keepaliveAt = now + c.config.keepaliveIdleNanos();
        }
    }
}
