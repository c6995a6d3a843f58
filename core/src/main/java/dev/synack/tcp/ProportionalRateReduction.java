package dev.synack.tcp;

/**
 * Proportional Rate Reduction (RFC 6937, now RFC 9937) in Linux's form (tcp_init_cwnd_reduction,
 * tcp_cwnd_reduction): during a fast recovery cwnd is not cut to ssthresh at once but set on each
 * ACK to pipe plus what may be sent now, so that the flight comes down to ssthresh in proportion to
 * what the peer delivers and is about ssthresh when the recovery ends (then cwnd = ssthresh, Linux's
 * tcp_end_cwnd_reduction, which the connection does).
 *
 * <p>With prr_delivered the data delivered since the recovery began, prr_out the data sent since,
 * and RecoverFS the cwnd before the reduction (Linux's prior_cwnd; RFC 9937 takes pipe), each ACK
 * that delivered data allows sndcnt more:
 * <ul>
 *   <li>pipe &gt; ssthresh (the proportional part): ceil(prr_delivered * ssthresh / RecoverFS) - prr_out;</li>
 *   <li>else the reduction bound: by default as much as this ACK delivered, or what the proportional
 *       part still owes (max(prr_delivered - prr_out, DeliveredData)), the conservative bound (CRB);
 *       one SMSS more when the ACK advanced SND.UNA and marked no new loss (RFC 9937's "safe ACK"
 *       and current Linux: the slow-start bound, SSRB, only then); never beyond ssthresh - pipe;</li>
 *   <li>at least one segment before anything was sent in the recovery: the fast retransmit.</li>
 * </ul>
 * Linux counts packets; here sizes are bytes and sndcnt is rounded up to whole SMSS, which gives
 * Linux's numbers when segments are full sized. No allocation; one instance per connection, from its
 * first fast recovery on.
 */
final class ProportionalRateReduction {
    private long recoverFs;
    private long delivered;
    private long out;

    /** A recovery begins; {@code priorCwnd}: cwnd before the congestion control lowered it. */
    void start(int priorCwnd) {
        recoverFs = Math.max(priorCwnd, 1);
        delivered = 0;
        out = 0;
    }

    /** {@code bytes} left in the recovery (new data or retransmitted), counted as prr_out. */
    void sent(int bytes) {
        out += bytes;
    }

    /**
     * The cwnd after an ACK in the recovery that delivered {@code deliveredData} bytes (RFC 6937's
     * DeliveredData: the advance of SND.UNA plus the change in SACKed bytes), with {@code pipe}
     * bytes in the network after it; {@code safeAck}: it advanced SND.UNA and marked no new loss.
     * Returns -1 when the ACK delivered nothing: cwnd stays as it is (as Linux).
     */
    long cwndAfterAck(long deliveredData, long pipe, int ssthresh, int smss, boolean safeAck) {
        if (deliveredData <= 0) return -1;
        delivered += deliveredData;
        long sndcnt;
        if (pipe > ssthresh) {
            sndcnt = Math.ceilDiv(delivered * ssthresh, recoverFs) - out;
        } else {
            sndcnt = Math.max(delivered - out, deliveredData) + (safeAck ? smss : 0);
            sndcnt = Math.min(ssthresh - pipe, sndcnt);
        }
        sndcnt = sndcnt <= 0 ? 0 : Math.ceilDiv(sndcnt, smss) * (long) smss;
        if (out == 0) sndcnt = Math.max(sndcnt, smss); // the fast retransmit goes whatever the arithmetic says
        return pipe + sndcnt;
    }

    /** prr_delivered and prr_out, for tests and diagnostics. */
    long delivered() { return delivered; }
    long out() { return out; }
}
