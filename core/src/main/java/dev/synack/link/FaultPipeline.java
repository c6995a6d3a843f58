package dev.synack.link;

import dev.synack.wire.IpEcn;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * One direction of one path: applies its {@link PathConditions} to each packet in the order the
 * conditions' javadoc gives, and keeps the state that spans packets (the Gilbert-Elliott state,
 * when the bandwidth limiter is next free, when the last in-order packet arrives). It is used by
 * {@link SimNetwork} and {@link FaultyLink}; it reads no clock and draws only from the random
 * source it is given, so the same packets at the same times with the same source give the same
 * outcome. Not thread-safe: its owner serialises calls.
 */
final class FaultPipeline {
    static final String LOST_RANDOM = "lost (random)";
    static final String LOST_BURST = "lost (burst)";
    static final String QUEUE_FULL = "queue full";
    static final String AQM_DROP = "AQM drop";
    static final String PARTITION = "partition";
    static final String TOO_BIG = "exceeds the path MTU";
    private static final double NANOS_PER_SECOND = 1e9;

    /** Where the pipeline puts its decisions. */
    interface Sink {
        /** {@code packet} (the pipeline's to keep, possibly corrupted or a duplicate) arrives at {@code atNanos}. */
        void arrive(long atNanos, ByteBuffer packet);

        /** The packet is dropped for {@code reason}. */
        void drop(String reason);

        /**
         * {@code packet} (still the caller's; dropped right after) is longer than the path's narrowest
         * hop, of {@code mtu} bytes, whose router, {@code router}, tells its sender: the simulator
         * sends the ICMP error; a link without that notion ignores it.
         */
        default void tooBig(ByteBuffer packet, int mtu, int router) { }
    }

    private PathConditions conditions;
    private boolean inBurst;
    private long serializerFreeAt;
    private long lastInOrderArrival;
    private long lostRandom;
    private long lostBurst;
    private long queueFull;
    private long ceMarked;
    private long aqmDropped;
    private long partitioned;
    private long corrupted;
    private long duplicated;
    private long reordered;

    /**
     * The random source of the direction from {@code fromAddress} to {@code toAddress} under
     * {@code seed}: a SplittableRandom, whose outputs are well mixed even for neighbouring seeds.
     * (One java.util.Random shared by both directions, drawn at a fixed stride per round trip,
     * correlates the draws: a loss burst's exit draw can fail 25 times in a row at 36 % per draw.)
     */
    static RandomGenerator randomFor(long seed, int fromAddress, int toAddress) {
        long direction = ((long) fromAddress << 32) | (toAddress & 0xffffffffL);
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ direction);
    }

    FaultPipeline(PathConditions conditions) {
        this.conditions = Objects.requireNonNull(conditions, "conditions");
    }

    PathConditions conditions() { return conditions; }

    /** New conditions from now on; the queue, burst state and arrival order carry over. */
    void conditions(PathConditions c) { conditions = Objects.requireNonNull(c, "conditions"); }

    FaultStats stats() {
        return new FaultStats(lostRandom, lostBurst, queueFull, partitioned, corrupted, duplicated, reordered, ceMarked, aqmDropped);
    }

    /**
     * Carries {@code packet} (the caller's copy, now the pipeline's) sent at {@code now}: either
     * {@link Sink#drop} once, or {@link Sink#arrive} once or twice (duplication).
     */
    void carry(ByteBuffer packet, long now, RandomGenerator random, Sink sink) {
        PathConditions c = conditions;
        if (c.mtu() > 0 && packet.remaining() > c.mtu()) {
            sink.tooBig(packet, c.mtu(), c.mtuRouter());
            sink.drop(TOO_BIG);
            return;
        }
        for (PathConditions.Window w : c.partitions()) {
            if (w.contains(now)) {
                partitioned++;
                sink.drop(PARTITION);
                return;
            }
        }
        // Gilbert-Elliott: advance the two-state chain, then lose by the state's own rate.
        if (c.burstEnter() > 0) {
            if (inBurst) {
                if (random.nextDouble() < c.burstExit()) inBurst = false;
            } else if (random.nextDouble() < c.burstEnter()) {
                inBurst = true;
            }
        } else {
            inBurst = false;
        }
        if (inBurst) {
            if (c.burstLossRate() >= 1 || (c.burstLossRate() > 0 && random.nextDouble() < c.burstLossRate())) {
                lostBurst++;
                sink.drop(LOST_BURST);
                return;
            }
        } else if (c.lossRate() > 0 && random.nextDouble() < c.lossRate()) {
            lostRandom++;
            sink.drop(LOST_RANDOM);
            return;
        }
        int size = packet.remaining();
        long departure = now;
        long bandwidth = c.bandwidthBitsPerSecond();
        if (bandwidth > 0) {
            long start = Math.max(now, serializerFreeAt);
            // The bytes still waiting in front of this packet: the backlog the serializer has not sent yet.
            double backlogBytes = (start - now) * (bandwidth / 8.0) / NANOS_PER_SECOND;
            if (backlogBytes + size > c.queueLimitBytes()) {
                queueFull++;
                sink.drop(QUEUE_FULL);
                return;
            }
            if (c.ecnMarkBytes() > 0 && backlogBytes >= c.ecnMarkBytes()) {
                // Step marking (RFC 3168 §5): congestion is signalled with CE where the sender can hear it, by a drop where not.
                if (IpEcn.markCongestion(packet)) {
                    ceMarked++;
                } else {
                    aqmDropped++;
                    sink.drop(AQM_DROP);
                    return;
                }
            }
            long serialization = (long) Math.ceil(size * 8.0 * NANOS_PER_SECOND / bandwidth);
            departure = start + serialization;
            serializerFreeAt = departure;
        }
        ByteBuffer copy = null;
        if (c.duplicateRate() > 0 && random.nextDouble() < c.duplicateRate()) {
            duplicated++;
            copy = copyOf(packet);
        }
        deliver(packet, departure, c, random, sink);
        if (copy != null) deliver(copy, departure, c, random, sink);
    }

    private void deliver(ByteBuffer packet, long departure, PathConditions c, RandomGenerator random, Sink sink) {
        if (c.corruptRate() > 0 && random.nextDouble() < c.corruptRate() && packet.hasRemaining()) {
            corrupted++;
            int bit = random.nextInt(packet.remaining() * 8);
            int at = packet.position() + bit / 8;
            packet.put(at, (byte) (packet.get(at) ^ (1 << (bit % 8))));
        }
        long arrival = departure + c.delayNanos();
        long jitter = c.jitterNanos();
        if (jitter > 0) arrival = Math.max(departure, arrival + random.nextLong(-jitter, jitter + 1));
        if (c.reorderRate() > 0 && random.nextDouble() < c.reorderRate()) {
            // Held back: later packets may overtake it, and it does not hold them up.
            reordered++;
            sink.arrive(Math.max(arrival, lastInOrderArrival) + c.reorderDelayNanos(), packet);
            return;
        }
        arrival = Math.max(arrival, lastInOrderArrival);
        lastInOrderArrival = arrival;
        sink.arrive(arrival, packet);
    }

    private static ByteBuffer copyOf(ByteBuffer packet) {
        ByteBuffer copy = ByteBuffer.allocate(packet.remaining());
        copy.put(packet.duplicate()).flip();
        return copy;
    }
}
