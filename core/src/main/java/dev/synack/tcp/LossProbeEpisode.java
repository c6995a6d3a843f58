package dev.synack.tcp;

import dev.synack.wire.TcpOptions;

/**
 * A tail loss probe episode (RFC 8985 §7.4): from the probe until the ACKs tell whether it repaired
 * a loss. Holds TLP.end_seq ({@link #end}) and TLP.is_retrans ({@link #retransmission}), the range
 * the probe retransmitted (a D-SACK of it shows the probe was a needless duplicate), and the flight
 * when it went out, which a congestion response takes as its FlightSize. No new probe is sent while
 * an episode is open.
 */
final class LossProbeEpisode {
    private boolean open;
    private int start;
    private int end;
    private boolean retransmission;
    private int flight;

    boolean isOpen() { return open; }
    /** The bytes outstanding when the probe went out. */
    int flight() { return flight; }

    /** A probe of [start, end) went out, new data or ({@code retransmission}) data sent before, with {@code flight} bytes outstanding. */
    void begin(int start, int end, boolean retransmission, int flight) {
        this.open = true;
        this.start = start;
        this.end = end;
        this.retransmission = retransmission;
        this.flight = flight;
    }

    /** A recovery or a timeout took over: its own response covers whatever the probe was probing. */
    void close() {
        open = false;
    }

    /**
     * RFC 8985 §7.4.2 (TLP_process_ack) for an ACK of {@code ack} ({@code duplicateAck}: a duplicate
     * ACK in RFC 5681's sense). Once the ACK covers TLP.end_seq the episode ends: without a response
     * when the probe carried new data, when a D-SACK reports the probe as a duplicate, or when a
     * duplicate ACK without SACK blocks shows the original arrived too; with one when the ACK goes
     * beyond TLP.end_seq, since no such sign came: the probe repaired a loss. An ACK of exactly
     * TLP.end_seq leaves the episode open, for the D-SACK that may still come. Returns true when
     * the congestion control must respond to the loss the probe repaired.
     */
    boolean processAck(int ack, TcpOptions options, boolean duplicateAck) {
        if (!open || Seq.lt(ack, end)) return false;
        boolean repaired = false;
        if (retransmission && !dsackOfProbe(options, ack)) {
            if (Seq.gt(ack, end)) {
                repaired = true;
            } else if (!duplicateAck || options.sackBlockCount() > 0) {
                return false;
            }
        }
        open = false;
        return repaired;
    }

    private boolean dsackOfProbe(TcpOptions options, int ack) {
        return SackScoreboard.isDsack(options, ack)
                && Seq.le(options.sackLeft(0), start) && Seq.ge(options.sackRight(0), end);
    }
}
