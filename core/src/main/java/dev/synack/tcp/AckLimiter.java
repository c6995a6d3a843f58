package dev.synack.tcp;

import dev.synack.wire.TcpFlags;
import dev.synack.wire.TcpSegment;

/**
 * How often a connection answers segments it does not accept, the ACKs an attacker (or a broken
 * peer, or two connections that disagree about their sequence numbers) can make it send:
 * <ul>
 *   <li>ACKs to unacceptable segments (out of the window, PAWS-rejected, a retransmitted SYN in
 *       SYN_RECV, an old duplicate in TIME_WAIT) and challenge ACKs: at most one per
 *       {@link TcpConfig#invalidRateLimitNanos()}, as Linux's tcp_oow_rate_limited with
 *       tcp_invalid_ratelimit (500 ms). Without it, two ends that each find the other's segments out
 *       of the window (a LAND SYN reflected back, a desynchronised connection) answer each other's
 *       ACKs for ever, as fast as the path carries them. Only segments that may be part of such a
 *       loop are limited, as Linux does: those without payload or FIN, and SYNs.</li>
 *   <li>challenge ACKs (RFC 5961 §7): besides, at most {@link TcpConfig#challengeAckLimit()} in any
 *       one-second window, counted per connection (Linux counts them host-wide, and no longer
 *       limits them by default).</li>
 * </ul>
 * A connection creates its limiter with the first ACK it limits, so that most connections never
 * carry one; a connection entering TIME_WAIT hands its limiter to its {@link TimeWaitRecord}, so the
 * limits span the transition.
 */
final class AckLimiter {
    /** The RFC 5961 §7 window is one second long. */
    private static final long WINDOW_NANOS = 1_000_000_000L;

    private long windowStart;
    private int challengesSent;
    /** When the last ACK to an unacceptable segment (or challenge ACK) went out; valid once {@link #answered}. */
    private long lastAnswer;
    private boolean answered;

    AckLimiter(long now) {
        this.windowStart = now;
    }

    /**
     * Whether the per-connection limit applies to the ACK answering {@code seg} at all: it is on,
     * and the segment may be part of an ACK loop (Linux: "Data packets without SYNs are not likely
     * part of an ACK loop").
     */
    static boolean applies(TcpSegment seg, TcpConfig config) {
        return config.invalidRateLimitNanos() > 0 && (seg.sequenceLength() == 0 || seg.has(TcpFlags.SYN));
    }

    /**
     * True when an ACK to an unacceptable segment may go out at {@code now} (and counts it); false
     * when one went out less than the interval ago: then {@code output} is told why it was skipped.
     */
    boolean allowAnswer(TcpConfig config, RateLimited what, TcpOutput output, long now) {
        long interval = config.invalidRateLimitNanos();
        if (interval > 0 && answered && now - lastAnswer >= 0 && now - lastAnswer < interval) {
            output.rateLimited(what, now);
            return false;
        }
        lastAnswer = now;
        answered = true;
        return true;
    }

    /**
     * True when a challenge ACK may go out at {@code now}: first the per-connection interval (as
     * Linux's tcp_send_challenge_ack checks it first), then the RFC 5961 §7 budget.
     */
    boolean allowChallenge(TcpConfig config, TcpOutput output, long now) {
        if (!allowAnswer(config, RateLimited.CHALLENGE_ACK, output, now)) return false;
        if (now - windowStart >= WINDOW_NANOS) {
            windowStart = now;
            challengesSent = 0;
        }
        if (challengesSent >= config.challengeAckLimit()) return false;
        challengesSent++;
        return true;
    }
}
