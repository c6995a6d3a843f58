package dev.synack.link;

/**
 * What the faults of a link did so far, summed over its paths. Drops are also traced (a
 * {@code DROP} packet event on the sending host, with the reason); duplication, corruption and
 * reordering are not drops and show only here: a duplicate appears in the trace as a second
 * {@code RECV}, a corrupted packet as the receiver's own {@code DROP} with a checksum reason (and in
 * its InErrs counter).
 *
 * @param lostRandom  packets lost by independent loss ("lost (random)")
 * @param lostBurst   packets lost inside a loss burst ("lost (burst)")
 * @param queueFull   packets dropped by a full drop-tail queue ("queue full")
 * @param partitioned packets dropped during a partition ("partition")
 * @param corrupted   packets that had one bit flipped
 * @param duplicated  packets sent twice
 * @param reordered   packets held back so that later ones could overtake them
 * @param ceMarked    ECN-capable packets the queue's AQM marked CE instead of dropping them
 * @param aqmDropped  Not-ECT packets the queue's AQM dropped where it would have marked ("AQM drop")
 */
public record FaultStats(long lostRandom, long lostBurst, long queueFull, long partitioned,
                         long corrupted, long duplicated, long reordered, long ceMarked, long aqmDropped) {
    public static final FaultStats ZERO = new FaultStats(0, 0, 0, 0, 0, 0, 0, 0, 0);

    /** Every packet these faults dropped. */
    public long dropped() { return lostRandom + lostBurst + queueFull + partitioned + aqmDropped; }

    public FaultStats plus(FaultStats o) {
        return new FaultStats(lostRandom + o.lostRandom, lostBurst + o.lostBurst, queueFull + o.queueFull,
                partitioned + o.partitioned, corrupted + o.corrupted, duplicated + o.duplicated,
                reordered + o.reordered, ceMarked + o.ceMarked, aqmDropped + o.aqmDropped);
    }
}
