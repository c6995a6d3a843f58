package dev.synack.tcp;

import dev.synack.wire.IpEcn;
import dev.synack.wire.TcpFlags;
import dev.synack.wire.TcpSegment;

/**
 * Explicit Congestion Notification (RFC 3168 §6.1) for one connection, as Linux's tcp_ecn_* helpers
 * do it; the {@link TcpConfig#ecn()} mode says whether our SYN asks for it and whether a peer's is
 * granted.
 *
 * <ul>
 *   <li>Negotiation (§6.1.1): an ECN-setup SYN carries ECE and CWR, an ECN-setup SYN-ACK ECE alone.
 *       A retransmitted SYN goes without them (§6.1.1.1: the first might have been dropped for them;
 *       Linux's tcp_ecn_clear_syn with tcp_ecn_fallback). A SYN that is itself ECT-marked gets no
 *       ECN (Linux's tcp_ecn_create_request: SYNs must not be ECT, §6.1.1). A SYN cookie keeps no
 *       memory of the request, so a connection made from a cookie goes without.</li>
 *   <li>Sending (§6.1.2, §6.1.5): ECT(0) only on data segments never sent before; pure ACKs, SYNs,
 *       FINs without data and retransmissions go Not-ECT (Linux's tcp_ecn_send).</li>
 *   <li>Receiving (§6.1.3): a CE-marked data segment makes every segment we send carry ECE until a
 *       data segment with CWR arrives; the first CE is acknowledged at once (Linux's
 *       __tcp_ecn_check_ce enters quick-ack mode) and so is data with CWR (tcp_ecn_accept_cwr).</li>
 *   <li>Reacting (§6.1.2): an ACK with ECE makes the congestion control reduce once per window of
 *       data, as Linux's CWR state ({@link LossRecovery#enterCwr}); none during a loss recovery,
 *       which reduces already. The next new data segment after any reduction carries CWR (Linux's
 *       tcp_ecn_queue_cwr, also after a fast recovery or a timeout).</li>
 * </ul>
 * One small object per connection; nothing allocated per segment.
 */
final class Ecn {
    /** Both ends agreed to ECN (Linux's TCP_ECN_OK); while our ECN-setup SYN waits for its answer, that we asked. */
    boolean on;
    /** A CE mark arrived and no CWR since: our segments carry ECE (Linux's TCP_ECN_DEMAND_CWR). */
    boolean echoing;
    /** The congestion window was reduced: the next new data segment carries CWR (TCP_ECN_QUEUE_CWR). */
    boolean cwrQueued;
    /** An ECT or CE data segment arrived (TCP_ECN_SEEN, tcpi_options' TCPI_OPT_ECN_SEEN). */
    boolean seen;

    /** Our SYN (not a SYN-ACK): ECE|CWR on the first transmission when the mode asks for ECN. */
    static int synFlags(Connection c, boolean retransmission) {
        if (retransmission) return 0;
        c.ecn.on = c.config.ecn().requests();
        return c.ecn.on ? TcpFlags.ECE | TcpFlags.CWR : 0;
    }

    /** Our SYN-ACK: ECE when the peer's SYN asked and we agreed. */
    static int synAckFlags(Connection c) {
        return c.ecn.on ? TcpFlags.ECE : 0;
    }

    /** A peer's SYN asks for ECN: ECE and CWR both set, and the SYN not ECT-marked (Linux's tcp_ecn_create_request). */
    static boolean synRequests(TcpSegment syn) {
        return syn.has(TcpFlags.ECE) && syn.has(TcpFlags.CWR) && !IpEcn.isCapable(syn.ecn());
    }

    /** A passive open (or a simultaneous one): ECN is on when the peer's SYN asked and the mode accepts. */
    static void synArrived(Connection c, TcpSegment syn) {
        c.ecn.on = c.config.ecn().accepts() && synRequests(syn);
    }

    /** Our SYN is answered by a SYN-ACK: ECN stays on only if it carries ECE without CWR (Linux's tcp_ecn_rcv_synack). */
    static void synAckArrived(Connection c, TcpSegment synAck) {
        c.ecn.on &= synAck.has(TcpFlags.ECE) && !synAck.has(TcpFlags.CWR);
    }

    /**
     * A segment of a synchronized connection is about to leave, header written in {@code out}: ECT(0)
     * and a queued CWR on new data, ECE while echoing a CE mark (Linux's tcp_ecn_send).
     */
    static void marking(Connection c, TcpSegment out, int seq, int length) {
        Ecn e = c.ecn;
        if (!e.on) return;
        if (length > 0 && Seq.ge(seq, c.sndMax)) {
            out.ecn(IpEcn.ECT0);
            if (e.cwrQueued) {
                e.cwrQueued = false;
                out.flags(out.flags() | TcpFlags.CWR);
            }
        }
        if (e.echoing) out.flags(out.flags() | TcpFlags.ECE);
    }

    /**
     * A data segment arrived in a synchronized state: a CWR ends our echo (RFC 3168 §6.1.3), a CE mark
     * starts it. Returns whether the segment is to be acknowledged at once.
     */
    static boolean dataArrived(Connection c, TcpSegment seg) {
        Ecn e = c.ecn;
        if (!e.on) return false;
        boolean ackNow = false;
        if (seg.has(TcpFlags.CWR)) {
            e.echoing = false;
            ackNow = true; // the sender's cwnd may be very small now (Linux's tcp_ecn_accept_cwr)
        }
        int codepoint = seg.ecn();
        if (codepoint == IpEcn.CE) {
            if (!e.echoing) ackNow = true; // quick ACK for the first mark of an episode
            e.echoing = true;
        }
        if (IpEcn.isCapable(codepoint)) e.seen = true;
        return ackNow;
    }

    /**
     * An acceptable ACK arrived after its data was taken in: with ECE (never on a SYN, §6.1.1) it
     * asks for a window reduction, which the recovery makes once per window.
     */
    static void ackArrived(Connection c, TcpSegment seg, long now) {
        if (!c.ecn.on || !seg.has(TcpFlags.ECE) || seg.has(TcpFlags.SYN) || c.congestion == null) return;
        c.recovery.enterCwr(seg.ack(), now);
    }

    /** The congestion window was reduced (an ECE, a fast recovery or a timeout): the next new data carries CWR. */
    static void windowReduced(Connection c) {
        if (c.ecn.on) c.ecn.cwrQueued = true;
    }
}
