package dev.synack.link;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What one direction of a network path does to the packets it carries: an immutable value built
 * with {@link #builder()}. {@link #NONE} is a perfect wire (no delay, no faults). The stages, in
 * the order a packet meets them ({@link FaultPipeline} applies them):
 *
 * <ol>
 *   <li><b>path MTU</b>: with an {@link #mtu() MTU}, a hop in the middle of the path carries no
 *       packet longer than it: a longer one is dropped ("exceeds the path MTU") and, as a router
 *       does (RFC 1191 §4, RFC 1812 §5.2.7.1), the hop ({@link #mtuRouter()}) answers its sender
 *       with an ICMP "fragmentation needed" carrying the MTU (IPv4 packets with DF set, which
 *       every synack segment has), or an ICMPv6 "packet too big" (IPv6 packets, from the sender's
 *       /64 with interface identifier ::fe; see {@link FaultPipeline.Sink#tooBig}). In front of a real link
 *       ({@link FaultyLink}) the packet is only dropped: a black hole.</li>
 *   <li><b>partition</b>: inside any of the {@link #partitions() time windows} every packet is
 *       dropped ("partition"). Times are on the link's clock (virtual nanoseconds since a
 *       {@link SimNetwork} started; since a {@link FaultyLink} was created).</li>
 *   <li><b>loss</b>: a Gilbert-Elliott two-state chain advanced once per packet. In the good state
 *       a packet is lost with {@link #lossRate()} ("lost (random)"); the chain moves to the bad
 *       state with {@link #burstEnter()} and back with {@link #burstExit()}; in the bad state a
 *       packet is lost with {@link #burstLossRate()} ("lost (burst)"). With burstEnter 0 this is
 *       plain independent loss.</li>
 *   <li><b>bandwidth</b>: with a {@link #bandwidthBitsPerSecond() bandwidth}, a packet waits its
 *       turn and takes size/bandwidth to serialise; a drop-tail queue of {@link #queueLimitBytes()}
 *       bytes holds the bytes not yet sent (the packet being serialised included), and a packet that
 *       does not fit is dropped ("queue full"). With an {@link #ecnMarkBytes() ECN marking
 *       threshold} the queue is also a step-marking AQM (RFC 3168 §5, RFC 7567): a packet that finds
 *       that many bytes or more waiting is marked CE when it is ECN-capable and dropped otherwise
 *       ("AQM drop").</li>
 *   <li><b>corruption</b>: with {@link #corruptRate()} exactly one bit, anywhere in the packet, is
 *       flipped. One flipped bit always changes the one's-complement sum of the IPv4 header or of
 *       the TCP segment, so the receiving stack drops it (bad checksum; IP header fields such as
 *       the version or total length may be rejected first). Two flips could cancel out in that
 *       sum, which is why real links add a CRC; this model does not produce them.</li>
 *   <li><b>duplication</b>: with {@link #duplicateRate()} a second copy follows the first.</li>
 *   <li><b>delay</b>: {@link #delay()} plus a jitter drawn uniformly from
 *       [-{@link #jitter()}, +jitter] (never below zero). Jitter alone never reorders: a packet
 *       never arrives before one sent earlier on the same path. With {@link #reorderRate()} a
 *       packet is instead held back by an extra {@link #reorderDelay()} and later packets may
 *       overtake it.</li>
 * </ol>
 * Every random draw comes from the link's one seeded source, and only stages that are switched on
 * draw, so a run is reproducible from its seed and a path without faults draws nothing.
 */
public final class PathConditions {
    /** Drop-tail queue when a bandwidth is given without one: 100 full-sized (1500-byte) packets. */
    public static final int DEFAULT_QUEUE_BYTES = 100 * 1500;
    /** Extra delay of a reordered packet when none is given. */
    public static final Duration DEFAULT_REORDER_DELAY = Duration.ofMillis(10);
    /** A perfect wire: no delay, no loss, no limit. */
    public static final PathConditions NONE = builder().build();

    /** A time window [start, end) in nanoseconds on the link's clock. */
    public record Window(long startNanos, long endNanos) {
        public Window {
            if (startNanos < 0 || endNanos < startNanos) {
                throw new IllegalArgumentException("a partition window needs 0 <= start <= end, got ["
                        + startNanos + ", " + endNanos + ") ns");
            }
        }

        public boolean contains(long nanos) { return nanos >= startNanos && nanos < endNanos; }
    }

    private final long delayNanos;
    private final long jitterNanos;
    private final double lossRate;
    private final double burstEnter;
    private final double burstExit;
    private final double burstLossRate;
    private final double reorderRate;
    private final long reorderDelayNanos;
    private final double duplicateRate;
    private final double corruptRate;
    private final long bandwidthBitsPerSecond;
    private final int queueLimitBytes;
    private final int ecnMarkBytes;
    private final List<Window> partitions;
    private final int mtu;
    private final int mtuRouter;

    /** The address the narrow hop answers from when none is given: 10.255.255.254. */
    public static final int DEFAULT_MTU_ROUTER = 0x0afffffe;

    private PathConditions(Builder b) {
        mtu = b.mtu;
        mtuRouter = b.mtuRouter;
        delayNanos = b.delayNanos;
        jitterNanos = b.jitterNanos;
        lossRate = b.lossRate;
        burstEnter = b.burstEnter;
        burstExit = b.burstExit;
        burstLossRate = b.burstLossRate;
        reorderRate = b.reorderRate;
        reorderDelayNanos = b.reorderDelayNanos;
        duplicateRate = b.duplicateRate;
        corruptRate = b.corruptRate;
        bandwidthBitsPerSecond = b.bandwidthBitsPerSecond;
        queueLimitBytes = b.queueLimitBytes;
        ecnMarkBytes = b.ecnMarkBytes;
        partitions = List.copyOf(b.partitions);
    }

    public static Builder builder() { return new Builder(); }

    public Builder toBuilder() { return new Builder(this); }

    /** The same conditions with another one-way delay. */
    public PathConditions withDelay(Duration oneWay) { return toBuilder().delay(oneWay).build(); }

    public Duration delay() { return Duration.ofNanos(delayNanos); }
    public long delayNanos() { return delayNanos; }
    public Duration jitter() { return Duration.ofNanos(jitterNanos); }
    public long jitterNanos() { return jitterNanos; }
    /** Loss probability of a packet in the good state (independent loss). */
    public double lossRate() { return lossRate; }
    /** Probability, per packet, of moving from the good state to the bad (burst) state. */
    public double burstEnter() { return burstEnter; }
    /** Probability, per packet, of leaving the bad state; a burst lasts 1/burstExit packets on average. */
    public double burstExit() { return burstExit; }
    /** Loss probability of a packet in the bad state. */
    public double burstLossRate() { return burstLossRate; }
    public double reorderRate() { return reorderRate; }
    public Duration reorderDelay() { return Duration.ofNanos(reorderDelayNanos); }
    public long reorderDelayNanos() { return reorderDelayNanos; }
    public double duplicateRate() { return duplicateRate; }
    public double corruptRate() { return corruptRate; }
    /** Bits per second, or 0 for no limit (packets then take no time to serialise). */
    public long bandwidthBitsPerSecond() { return bandwidthBitsPerSecond; }
    /** Bytes the drop-tail queue holds in front of a bandwidth limit. */
    public int queueLimitBytes() { return queueLimitBytes; }
    /** The queue backlog in bytes from which the bandwidth limiter marks CE (or drops Not-ECT packets); 0: never. */
    public int ecnMarkBytes() { return ecnMarkBytes; }
    public List<Window> partitions() { return partitions; }
    /** The MTU of the path's narrowest hop in bytes, or 0 for none (every packet fits). */
    public int mtu() { return mtu; }
    /** The address of that hop, the source of its ICMP errors. */
    public int mtuRouter() { return mtuRouter; }

    /** True when the path may drop, reorder, duplicate, corrupt or limit packets (delay alone is not a fault). */
    public boolean hasFaults() {
        return lossRate > 0 || burstEnter > 0 || reorderRate > 0 || duplicateRate > 0 || corruptRate > 0
                || bandwidthBitsPerSecond > 0 || !partitions.isEmpty() || jitterNanos > 0 || mtu > 0;
    }

    /** A short human description, e.g. "delay 20ms, loss 1%, bandwidth 10Mbit/s". */
    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        parts.add("delay " + ms(delayNanos));
        if (mtu > 0) parts.add("mtu " + mtu);
        if (jitterNanos > 0) parts.add("jitter " + ms(jitterNanos));
        if (lossRate > 0) parts.add("loss " + percent(lossRate));
        if (burstEnter > 0) {
            parts.add("burst (enter " + percent(burstEnter) + ", exit " + percent(burstExit) + ", loss "
                    + percent(burstLossRate) + ")");
        }
        if (reorderRate > 0) parts.add("reorder " + percent(reorderRate) + " by " + ms(reorderDelayNanos));
        if (duplicateRate > 0) parts.add("duplicate " + percent(duplicateRate));
        if (corruptRate > 0) parts.add("corrupt " + percent(corruptRate));
        if (bandwidthBitsPerSecond > 0) {
            parts.add("bandwidth " + bits(bandwidthBitsPerSecond) + ", queue " + queueLimitBytes + " B"
                    + (ecnMarkBytes > 0 ? ", ECN marks from " + ecnMarkBytes + " B" : ""));
        }
        for (Window w : partitions) parts.add("partition [" + ms(w.startNanos) + ", " + ms(w.endNanos) + ")");
        return String.join(", ", parts);
    }

    private static String ms(long nanos) {
        return new java.math.BigDecimal(nanos).movePointLeft(6).stripTrailingZeros().toPlainString() + "ms";
    }

    private static String bits(long perSecond) {
        String[] units = {"bit/s", "kbit/s", "Mbit/s", "Gbit/s"};
        int u = 0;
        long v = perSecond;
        while (u < units.length - 1 && v % 1000 == 0 && v >= 1000) {
            v /= 1000;
            u++;
        }
        return v + units[u];
    }

    private static String percent(double p) {
        return String.format(Locale.ROOT, "%.4g%%", p * 100).replaceAll("\\.?0+%$", "%");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PathConditions c && c.delayNanos == delayNanos && c.jitterNanos == jitterNanos
                && c.lossRate == lossRate && c.burstEnter == burstEnter && c.burstExit == burstExit
                && c.burstLossRate == burstLossRate && c.reorderRate == reorderRate
                && c.reorderDelayNanos == reorderDelayNanos && c.duplicateRate == duplicateRate
                && c.corruptRate == corruptRate && c.bandwidthBitsPerSecond == bandwidthBitsPerSecond
                && c.queueLimitBytes == queueLimitBytes && c.ecnMarkBytes == ecnMarkBytes && c.partitions.equals(partitions) && c.mtu == mtu
                && c.mtuRouter == mtuRouter;
    }

    @Override
    public int hashCode() {
        return Objects.hash(delayNanos, jitterNanos, lossRate, burstEnter, burstExit, burstLossRate, reorderRate,
                reorderDelayNanos, duplicateRate, corruptRate, bandwidthBitsPerSecond, queueLimitBytes, ecnMarkBytes, partitions, mtu,
                mtuRouter);
    }

    /** Builds {@link PathConditions}; every setter checks its argument and says what is wrong. */
    public static final class Builder {
        private long delayNanos;
        private long jitterNanos;
        private double lossRate;
        private double burstEnter;
        private double burstExit = 1;
        private double burstLossRate = 1;
        private double reorderRate;
        private long reorderDelayNanos = DEFAULT_REORDER_DELAY.toNanos();
        private double duplicateRate;
        private double corruptRate;
        private long bandwidthBitsPerSecond;
        private int queueLimitBytes = DEFAULT_QUEUE_BYTES;
        private int ecnMarkBytes;
        private final List<Window> partitions = new ArrayList<>();
        private int mtu;
        private int mtuRouter = DEFAULT_MTU_ROUTER;

        private Builder() { }

        private Builder(PathConditions c) {
            delayNanos = c.delayNanos;
            jitterNanos = c.jitterNanos;
            lossRate = c.lossRate;
            burstEnter = c.burstEnter;
            burstExit = c.burstExit;
            burstLossRate = c.burstLossRate;
            reorderRate = c.reorderRate;
            reorderDelayNanos = c.reorderDelayNanos;
            duplicateRate = c.duplicateRate;
            corruptRate = c.corruptRate;
            bandwidthBitsPerSecond = c.bandwidthBitsPerSecond;
            queueLimitBytes = c.queueLimitBytes;
            ecnMarkBytes = c.ecnMarkBytes;
            partitions.addAll(c.partitions);
            mtu = c.mtu;
            mtuRouter = c.mtuRouter;
        }

        /** One-way propagation delay. */
        public Builder delay(Duration oneWay) { delayNanos = nanos(oneWay, "delay"); return this; }

        /** Each packet's delay varies uniformly within delay ± jitter (never below zero, never reordering). */
        public Builder jitter(Duration jitter) { jitterNanos = nanos(jitter, "jitter"); return this; }

        /** Independent loss: each packet lost with {@code probability} (0 to 1). */
        public Builder loss(double probability) { lossRate = probability(probability, "loss"); return this; }

        /**
         * Burst loss (Gilbert-Elliott): from the good state the path enters a burst with {@code enter}
         * per packet, leaves it with {@code exit} per packet, and loses every packet inside it.
         */
        public Builder burst(double enter, double exit) { return burst(enter, exit, 1); }

        /** Burst loss where a packet inside a burst is lost with {@code lossInBurst}. */
        public Builder burst(double enter, double exit, double lossInBurst) {
            burstEnter = probability(enter, "burst enter");
            burstExit = probability(exit, "burst exit");
            burstLossRate = probability(lossInBurst, "loss in burst");
            if (burstEnter > 0 && burstExit == 0) {
                throw new IllegalArgumentException("a burst that can be entered must be left: burst exit must be > 0");
            }
            return this;
        }

        /** Holds a packet back by {@link #DEFAULT_REORDER_DELAY} with {@code probability}. */
        public Builder reorder(double probability) { return reorder(probability, Duration.ofNanos(reorderDelayNanos)); }

        /** Holds a packet back by {@code extraDelay} with {@code probability}, letting later packets overtake it. */
        public Builder reorder(double probability, Duration extraDelay) {
            reorderRate = probability(probability, "reorder");
            reorderDelayNanos = nanos(extraDelay, "reorder delay");
            return this;
        }

        public Builder duplicate(double probability) { duplicateRate = probability(probability, "duplicate"); return this; }

        /** Flips one bit of a packet with {@code probability}; the receiver's checksums must catch it. */
        public Builder corrupt(double probability) { corruptRate = probability(probability, "corrupt"); return this; }

        /** A bandwidth limit (bits per second, 0 for none) in front of a drop-tail queue of {@link #DEFAULT_QUEUE_BYTES}. */
        public Builder bandwidth(long bitsPerSecond) { return bandwidth(bitsPerSecond, queueLimitBytes); }

        /** A bandwidth limit (bits per second, 0 for none) with a drop-tail queue of {@code queueBytes}. */
        public Builder bandwidth(long bitsPerSecond, int queueBytes) {
            if (bitsPerSecond < 0) throw new IllegalArgumentException("bandwidth must not be negative, was " + bitsPerSecond);
            if (queueBytes < 1) throw new IllegalArgumentException("the queue must hold at least one byte, was " + queueBytes);
            bandwidthBitsPerSecond = bitsPerSecond;
            queueLimitBytes = queueBytes;
            return this;
        }

        /**
         * Makes the bandwidth limiter's queue a step-marking AQM: from {@code thresholdBytes} of backlog
         * on, an ECN-capable packet is marked CE and any other dropped (0: drop-tail only).
         */
        public Builder ecnMarking(int thresholdBytes) {
            if (thresholdBytes < 0) throw new IllegalArgumentException("the ECN marking threshold must not be negative, was " + thresholdBytes);
            ecnMarkBytes = thresholdBytes;
            return this;
        }

        /** Drops every packet sent from {@code start} until (not including) {@code end} on the link's clock. */
        public Builder partition(Duration start, Duration end) {
            partitions.add(new Window(nanos(start, "partition start"), nanos(end, "partition end")));
            return this;
        }

        /** A hop of {@code bytes} MTU (at least 68, RFC 791; 0 for none) answering from {@link #DEFAULT_MTU_ROUTER}. */
        public Builder mtu(int bytes) { return mtu(bytes, mtuRouter); }

        /** A hop of {@code bytes} MTU answering too-big packets from {@code routerAddress}. */
        public Builder mtu(int bytes, int routerAddress) {
            if (bytes != 0 && (bytes < 68 || bytes > 65535)) {
                throw new IllegalArgumentException("a path MTU must be 0 (none) or 68..65535 bytes, was " + bytes);
            }
            mtu = bytes;
            mtuRouter = routerAddress;
            return this;
        }

        public PathConditions build() { return new PathConditions(this); }

        private static double probability(double p, String what) {
            if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException(what + " probability must be between 0 and 1, was " + p);
            return p;
        }

        private static long nanos(Duration d, String what) {
            Objects.requireNonNull(d, what);
            if (d.isNegative()) throw new IllegalArgumentException(what + " must not be negative, was " + d);
            try {
                return d.toNanos();
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException(what + " is too long: " + d, e);
            }
        }
    }
}
