package dev.synack.link;

import dev.synack.wire.PacketCodec;
import dev.synack.wire.TcpPacket;
import dev.synack.wire.TcpSegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;

/**
 * A FIFO of packets whose slots keep their buffers (and decoded packets) for reuse: a ring with
 * one producer, the sending stack's lock holder (the lock orders successive ones), and one
 * consumer, the drainer (the drainer flag orders successive ones). They share only two counters,
 * each written by one side: {@code produced} (packets committed so far) and {@code consumed}
 * (packets removed so far), so no operation takes a lock or an atomic read-modify-write (a monitor
 * per operation cost about a tenth of the CPU of a short connection). The head packet stays in its
 * slot while it is delivered, so its buffer is not reused before {@link #removeFirst()}. A slot
 * holds either bytes (its buffer, position to limit) or a decoded packet (its {@link TcpPacket},
 * whose payload window is the sender's stable one or lies in the slot's buffer).
 *
 * <p>Growth: the producer keeps one slot free; when only that one is left it marks it
 * {@link Slot#continuedIn continued in} a ring twice as large and goes on there at the same
 * position; the consumer follows the mark when it reaches that position. The old ring is dropped
 * once the consumer has left it (the new one makes its slots and buffers afresh: growth is rare,
 * the outbox never shrinks).
 */
final class Outbox {
    /** The smallest buffer of an outbox slot: a full segment of a 1500-byte MTU fits. */
    private static final int MIN_SLOT_BUFFER = 2048;
    private static final VarHandle PRODUCED;
    private static final VarHandle CONSUMED;
    private static final VarHandle DECODED_DELIVERIES;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            PRODUCED = lookup.findVarHandle(Outbox.class, "produced", long.class);
            CONSUMED = lookup.findVarHandle(Outbox.class, "consumed", long.class);
            DECODED_DELIVERIES = lookup.findVarHandle(Outbox.class, "decodedDeliveries", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** One packet's place, reused with its buffer and decoded packet once its packet is delivered. */
    static final class Slot {
        /** The packet's bytes (position to limit), or a decoded packet's copied payload. */
        ByteBuffer buffer;
        /** Its reusable decoded packet, made on first use. */
        TcpPacket packet;
        /** It holds {@link #packet} rather than bytes. */
        boolean decoded;
        /** The TCP checksum may go unverified (see the class comment on offload). */
        boolean trusted;
        /** The destination found when the packet was queued (null: none was, look again). */
        MemoryLink.Host to;
        /** Set on the slot where the ring continues in a larger one, at the same position. */
        Slot[] continuedIn;
    }

    // Producer side (the sending stack's lock holder).
    private Slot[] producerRing = new Slot[16];
    /** The position the next packet takes: equal to {@link #produced}, which only the producer writes. */
    private long producerIndex;
    /** The largest packet so far: a new slot buffer gets this capacity, so it fits later ones. */
    private int largest = MIN_SLOT_BUFFER;

    // Consumer side (the drainer).
    private Slot[] consumerRing = producerRing;
    /** The head's position: equal to {@link #consumed}, which only the consumer writes. */
    private long consumerIndex;

    /** Packets committed so far (written by the producer, with release semantics). */
    private volatile long produced;
    /** Packets removed so far (written by the consumer, with release semantics). */
    private volatile long consumed;
    /** Decoded packets delivered from here (written by the consumer only). */
    private volatile long decodedDeliveries;

    boolean isEmpty() {
        return produced == consumed;
    }

    int size() {
        return (int) (produced - consumed);
    }

    /** Copies the packet between {@code packet}'s position and limit (neither moves). */
    void add(ByteBuffer packet) {
        add(packet, false, null);
    }

    /**
     * As {@link #add(ByteBuffer)}, remembering whether its TCP checksum can be trusted unverified
     * and where it goes.
     */
    void add(ByteBuffer packet, boolean tcpChecksumTrusted, MemoryLink.Host to) {
        int n = packet.remaining();
        ByteBuffer b = reserve(n);
        b.put(0, packet, packet.position(), n).limit(n);
        commitReserved(b, tcpChecksumTrusted, to);
    }

    /**
     * The ring index of the next position, in a larger ring when the current one has only its
     * last free slot left (see the class comment). The producer's slot there may hold a packet
     * delivered long ago: nothing reads it any more.
     */
    private int nextIndex() {
        Slot[] ring = producerRing;
        long p = producerIndex;
        int i = (int) p & (ring.length - 1);
        if (p - consumed >= ring.length - 1) {
            Slot[] larger = new Slot[ring.length * 2];
            Slot mark = ring[i];
            if (mark == null) ring[i] = mark = new Slot();
            mark.continuedIn = larger;
            producerRing = ring = larger;
            i = (int) p & (ring.length - 1);
        }
        if (ring[i] == null) ring[i] = new Slot();
        return i;
    }

    /**
     * The next slot's decoded packet, for the sender to write into and then hand to
     * {@link #commitDecoded}. Not counted until then, so a reservation abandoned costs nothing;
     * only the stack that owns this outbox reserves, under its lock, so no other packet is
     * added in between. {@code to}: where it is going (null: unknown).
     */
    TcpPacket reserveDecoded(MemoryLink.Host to) {
        int i = nextIndex(); // first: it may move on to a larger ring
        Slot s = producerRing[i];
        s.to = to;
        TcpPacket p = s.packet;
        if (p == null) s.packet = p = new TcpPacket();
        return p;
    }

    TcpPacket reserveDecoded() {
        return reserveDecoded(null);
    }

    /** The destination {@link #reserveDecoded} was given for the packet it returned (null: none). */
    MemoryLink.Host reservedDestination() {
        Slot[] ring = producerRing;
        Slot s = ring[(int) producerIndex & (ring.length - 1)];
        return s == null ? null : s.to;
    }

    /**
     * Counts the packet written into the one {@link #reserveDecoded} returned; its payload
     * window is kept when {@link TcpSegment#payloadStable() stable}, else its bytes are copied
     * into the slot's buffer. Returns whether it copied payload bytes. {@code to}: where it goes.
     */
    boolean commitDecoded(TcpPacket p, MemoryLink.Host to) {
        Slot[] ring = producerRing;
        int i = (int) producerIndex & (ring.length - 1);
        Slot slot = ring[i];
        if (slot == null || slot.packet != p || slot.continuedIn != null) {
            throw new IllegalStateException("the packet is not the outbox's reserved one");
        }
        TcpSegment seg = p.segment();
        int n = seg.payloadLength();
        boolean copied = n > 0 && !seg.payloadStable();
        if (copied) {
            // A scratch copy the sender reuses for its next segment: the slot needs its own bytes.
            ByteBuffer b = slotBuffer(i, n).clear();
            seg.copyPayload(0, b, 0, n);
            seg.payload(b, 0, n);
        }
        slot.decoded = true;
        slot.trusted = true;
        slot.to = to;
        publish();
        return copied;
    }

    boolean commitDecoded(TcpPacket p) {
        return commitDecoded(p, null);
    }

    /**
     * The buffer of the next slot, cleared, with room for {@code length} bytes: the sender
     * encodes into it and then calls {@link #commitReserved}. Not counted until then, so a
     * reservation abandoned (an encoding error) costs nothing; only the stack that owns this
     * outbox reserves, under its lock, so no other packet is added in between.
     */
    ByteBuffer reserve(int length) {
        return slotBuffer(nextIndex(), length).clear();
    }

    /** Slot {@code i}'s buffer (producer's ring), replaced by a larger one when it holds fewer than {@code length} bytes. */
    private ByteBuffer slotBuffer(int i, int length) {
        Slot s = producerRing[i];
        ByteBuffer b = s.buffer;
        if (b == null || b.capacity() < length) {
            if (length > largest) largest = length;
            s.buffer = b = ByteBuffer.allocate(largest);
        }
        return b;
    }

    /** Counts the packet encoded into the buffer {@link #reserve} returned. */
    void commitReserved(ByteBuffer packet, boolean tcpChecksumTrusted) {
        commitReserved(packet, tcpChecksumTrusted, null);
    }

    @SuppressWarnings("ReferenceEquality") // ByteBuffer.equals compares contents: the reserved buffer itself is meant
    void commitReserved(ByteBuffer packet, boolean tcpChecksumTrusted, MemoryLink.Host to) {
        Slot[] ring = producerRing;
        Slot slot = ring[(int) producerIndex & (ring.length - 1)];
        if (slot == null || slot.buffer != packet || slot.continuedIn != null) {
            throw new IllegalStateException("the packet is not the outbox's reserved buffer");
        }
        slot.trusted = tcpChecksumTrusted;
        slot.decoded = false;
        slot.to = to;
        publish();
    }

    /** Makes the slot just written the consumer's: everything written into it happens-before its reading. */
    private void publish() {
        producerIndex++;
        PRODUCED.setRelease(this, producerIndex);
    }

    /** The oldest packet's slot, left in place (the consumer's); null when empty. */
    Slot head() {
        long c = consumerIndex;
        if (c == produced) return null;
        Slot[] ring = consumerRing;
        Slot s = ring[(int) c & (ring.length - 1)];
        if (s.continuedIn != null) {
            consumerRing = ring = s.continuedIn;
            s = ring[(int) c & (ring.length - 1)];
        }
        return s;
    }

    /** The oldest packet's bytes, left in place; null when empty or when it is held decoded. */
    ByteBuffer first() {
        Slot s = head();
        return s == null || s.decoded ? null : s.buffer;
    }

    /** The oldest packet when it is held decoded, left in place; null otherwise. */
    TcpPacket firstDecoded() {
        Slot s = head();
        return s != null && s.decoded ? s.packet : null;
    }

    /**
     * The oldest packet as bytes, for a trace of its drop (rare): its buffer, or a decoded one
     * encoded into a new buffer as it would have been sent (TCP checksum left to the offload).
     */
    ByteBuffer firstAsBytes() {
        Slot s = head();
        if (s == null) throw new IllegalStateException("outbox is empty");
        if (!s.decoded) return s.buffer;
        TcpPacket p = s.packet;
        ByteBuffer b = ByteBuffer.allocate(PacketCodec.encodedLength(p));
        PacketCodec.encode(p, b, false);
        return b.flip();
    }

    /** Whether the oldest packet's TCP checksum can be trusted unverified. */
    boolean firstTrusted() {
        Slot s = head();
        return s != null && s.trusted;
    }

    void removeFirst() {
        Slot s = head();
        if (s == null) throw new IllegalStateException("outbox is empty");
        // A decoded packet may lend a sender's buffer: keep no array alive once it is delivered.
        if (s.decoded) s.packet.segment().payload(null);
        consumerIndex++;
        CONSUMED.setRelease(this, consumerIndex);
    }

    /** Counts a decoded delivery (consumer only). */
    void countDecodedDelivery() {
        DECODED_DELIVERIES.setRelease(this, decodedDeliveries + 1);
    }

    long decodedDeliveries() {
        return decodedDeliveries;
    }
}
