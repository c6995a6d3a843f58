package dev.synack.tcp;

import static dev.synack.tcp.Connection.NONE;

/**
 * ICMP errors about segments this connection sent (RFC 1122 §4.2.3.9, RFC 5927), as Linux's
 * tcp_v4_err and tcp_v6_err act on them, whatever the IP version ({@link IcmpError}):
 *
 * <ul>
 * <li>Validation (RFC 5927 §4.1, as Linux): the quoted sequence number must lie in [SND.UNA,
 * SND.MAX], what is outstanding, else the message is dropped (Linux's OutOfWindowIcmps); for a
 * passive opening in SYN_RECV it must be the ISS. So a blind attacker must guess a sequence number
 * in the flight to have any effect, and even then cannot end a synchronized connection.
 * <li>Fragmentation needed / packet too big (RFC 1191, RFC 8201; Linux's tcp_v4_mtu_reduced): the
 * path MTU goes down to the next-hop MTU (never up; never below the IP version's floor, Linux's
 * min_pmtu of 552 for IPv4, 1280 for IPv6; a smaller one is raised to it and noted as soft error
 * EMSGSIZE), the MSS follows (less the headers and the timestamps option, at least
 * {@link TcpConfig#minSendMss()}), cwnd and ssthresh keep their size in segments, and what was sent
 * too big is sent again at once ({@link #simpleRetransmit}).
 * <li>Other errors in SYN_SENT, or in SYN_RECV of a simultaneous open, abort the opening with the
 * kind's error (ECONNREFUSED for port unreachable, EHOSTUNREACH for host unreachable ...): Linux
 * aborts on every one of them there. A passive opening in SYN_RECV is dropped silently for the
 * kinds Linux's tcp_req_err drops it (net/host unreachable, time exceeded, parameter problem), as
 * a listen drop; the others leave it alone.
 * <li>In every other state the error is soft (RFC 1122 §4.2.3.9: "MUST NOT abort ... for these";
 * Linux treats port and protocol unreachable alike once connected): it becomes the connection's
 * soft error (Linux's sk_err_soft), reported by SO_ERROR and as the error of a later timeout in
 * place of ETIMEDOUT. A net or host unreachable about SND.UNA while its retransmissions back off
 * undoes one backoff (RFC 6069, as Linux's tcp_ld_RTO_revert): the path was broken, not congested.
 * </ul>
 */
final class IcmpErrors {
    private IcmpErrors() {}

    /** Returns false when the message is dropped for its sequence number (the owner counts OutOfWindowIcmps). */
    static boolean arrived(Connection c, IcmpError kind, int nextHopMtu, int quotedSeq, long now) {
        if (c.released || c.state == TcpState.CLOSED || c.state == TcpState.TIME_WAIT) {
            return true; // Linux ignores ICMP for TIME_WAIT; a closed connection has nothing to act on
        }
        if (c.state == TcpState.SYN_RECV && c.passiveOpen) return requestError(c, kind, quotedSeq, now);
        if (!(Seq.le(c.sndUna, quotedSeq) && Seq.le(quotedSeq, c.sndMax))) return false;
        if (kind.lowersPathMtu()) {
            pathMtuReduced(c, kind, nextHopMtu, now);
        } else if (c.state == TcpState.SYN_SENT || c.state == TcpState.SYN_RECV) {
            Closing.fail(c, kind.error(), "ICMP " + kind.name().toLowerCase() + " during the handshake", now);
        } else {
            c.softError = kind.error();
            if (kind == IcmpError.NET_UNREACHABLE || kind == IcmpError.HOST_UNREACHABLE) revertBackOff(c, quotedSeq, now);
        }
        return true;
    }

    /**
     * RFC 6069 §4 as Linux's tcp_ld_RTO_revert: when the message quotes SND.UNA and its
     * retransmission timer has backed off, one backoff is undone and the timer runs from the
     * segment's last transmission with the shorter timeout, expiring now if that time has passed.
     */
    private static void revertBackOff(Connection c, int quotedSeq, long now) {
        if (quotedSeq != c.sndUna || c.retries == 0 || c.rtt.backoffCount() == 0 || c.timers.retransmitAt == NONE) return;
        long lastSent = c.timers.retransmitAt - c.rtt.rto(); // the timer was armed for one RTO when it went
        c.rtt.revertBackOff();
        long due = lastSent + c.rtt.rto();
        if (due > now) {
            c.timers.retransmitAt = due;
        } else {
            c.timers.retransmitAt = NONE;
            c.output.timerFired(c, "retransmit", now);
            RetransmissionTimer.retransmissionTimeout(c, now);
        }
    }

    /** Linux's tcp_req_err: a passive opening in SYN_RECV, whose SYN-ACK carried the ISS. */
    private static boolean requestError(Connection c, IcmpError kind, int quotedSeq, long now) {
        if (quotedSeq != c.iss) return false;
        if (kind.dropsRequest()) {
            c.output.listenEvent(ListenEvent.LISTEN_DROP, now);
            Closing.enterClosed(c, "ICMP " + kind.name().toLowerCase() + ": opening dropped", now);
        }
        return true;
    }

    /** Linux's tcp_v4_mtu_reduced and tcp_sync_mss. */
    private static void pathMtuReduced(Connection c, IcmpError kind, int nextHopMtu, long now) {
        int mtu = nextHopMtu;
        if (mtu < kind.minimumMtu()) {
            // Linux's __ip_rt_update_pmtu takes the floor, and tcp_v4_mtu_reduced remembers that the
            // path cannot carry what was asked (the error a later timeout reports).
            mtu = kind.minimumMtu();
            c.softError = TcpError.MESSAGE_TOO_LONG;
        }
        int current = c.pathMtu != 0 ? c.pathMtu : c.config.mss() + kind.ipHeaderLength() + TCP_HEADER;
        if (mtu >= current) return; // RFC 1191 §6.3: a message never raises the estimate
        c.pathMtu = mtu;
        c.pathMss = mtu - kind.ipHeaderLength() - TCP_HEADER;
        if (c.congestion == null) return; // still opening: the handshake's MSS will respect it
        int mss = Handshake.sendMss(c, c.peerMss);
        if (mss >= c.effectiveMss) return;
        c.effectiveMss = mss;
        c.congestion.mssChanged(mss);
        simpleRetransmit(c, now);
    }

    private static final int TCP_HEADER = 20;

    /**
     * Linux's tcp_simple_retransmit: segments in flight longer than the new MSS were dropped on the
     * way, so they are sent again now, cut to the new size, without a congestion response beyond
     * Linux's (ssthresh at least 3/4 of cwnd, cwnd unchanged: "we do not increase amount of data in
     * network, but units changed"), and no fast recovery starts before what was outstanding is
     * acknowledged (Linux's CA_Loss up to high_seq). synack goes back to SND.UNA as after a timeout,
     * without its backoff: every outstanding byte leaves again, as cwnd allows.
     */
    private static void simpleRetransmit(Connection c, long now) {
        if (c.sndUna == c.sndMax || c.longestInFlight <= c.effectiveMss) return;
        c.congestion.restartAfterIdle(c.congestion.cwnd()); // ssthresh >= 3/4 cwnd, cwnd kept
        c.recovery.timedOut();
        c.timers.reorderAt = NONE;
        c.probe.close();
        c.timers.probeAt = NONE;
        c.sndNxt = c.sndUna;
        c.sender.transmitPending(now);
    }

    /** See {@link Connection#takeSoftError()}. */
    static TcpError takeSoftError(Connection c) {
        TcpError soft = c.softError;
        c.softError = null;
        return soft;
    }
}
