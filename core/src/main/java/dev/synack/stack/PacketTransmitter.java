package dev.synack.stack;

import dev.synack.wire.TcpPacket;
import java.nio.ByteBuffer;

/**
 * Where a {@link NetStack} sends the IP packets it builds: a link (dev.synack.link) implements it.
 * Lives here so that the stack does not depend on the links above it in the layering.
 */
@FunctionalInterface
public interface PacketTransmitter {
    /**
     * Carries the IP packet (IPv4 or IPv6) between {@code packet}'s position and limit, sent by {@code from}.
     * The buffer is the stack's and is reused as soon as this returns: copy what you keep.
     * Called with {@code from}'s lock held; must not block.
     */
    void transmit(NetStack from, ByteBuffer packet);

    /**
     * Zero-copy sending, optional: a buffer of the link's with room for a packet of {@code length}
     * bytes, cleared, into which {@code from} encodes its next packet (from index 0) and then hands
     * it back through {@link #transmitReserved}, with no other packet of {@code from}'s in between.
     * Null (the default) when the link has none: the stack encodes into its own buffer and calls
     * {@link #transmit}, which copies. Called with {@code from}'s lock held.
     */
    default ByteBuffer reserve(NetStack from, int length) { return null; }

    /**
     * Carries the packet {@code from} encoded into the buffer {@link #reserve} returned (between its
     * position and limit); the buffer is the link's again from now on.
     */
    default void transmitReserved(NetStack from, ByteBuffer packet) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " reserves no buffers");
    }

    /**
     * Sending without encoding, optional: carries {@code packet} as it is decoded (header fields,
     * options and payload window) to a stack that processes it through
     * {@link NetStack#deliverDecoded}, as a loopback device hands over its buffer without copying.
     * The packet is the stack's and is reused as soon as this returns: a link keeps a copy of its
     * fields, and of its payload bytes unless the window is
     * {@link dev.synack.wire.TcpSegment#payloadStable() stable}. Returns false (the default) when
     * it does not: the stack then encodes the packet and sends it as bytes. Only offered when the
     * sending stack has no packet taps (they need the bytes). Called with {@code from}'s lock held.
     */
    default boolean transmitDecoded(NetStack from, TcpPacket packet) { return false; }

    /**
     * Sending without encoding and without a copy, optional: the link's own packet for the next
     * packet of {@code from}'s to {@code destinationAddress}, into which {@code from} writes its
     * header fields, options and payload window and then hands it back through
     * {@link #transmitReservedDecoded}, with no other packet of {@code from}'s in between (as
     * {@link #reserve} is to {@link #transmit}). Null (the default) when the link would refuse
     * {@link #transmitDecoded} for it: the stack then goes the way it would have gone. Only asked
     * when the sending stack has no packet taps. Called with {@code from}'s lock held.
     */
    default TcpPacket reserveDecoded(NetStack from, long destinationHi, long destinationLo) { return null; }

    /**
     * Carries the packet {@code from} wrote into the one {@link #reserveDecoded} returned, as
     * {@link #transmitDecoded} would carry it; the packet is the link's again from now on.
     */
    default void transmitReservedDecoded(NetStack from, TcpPacket packet) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " reserves no decoded packets");
    }

    /**
     * The calling thread has just released its outermost hold of {@code from}'s lock (or is about
     * to block in a wait that releases it), holding no hold of it: a link that defers the
     * delivery of what {@code from} transmitted to the sending thread (dev.synack.link.MemoryLink)
     * delivers it now. Must not throw: the caller is a user call that has finished its work.
     * Default: nothing (the link delivered everything in {@link #transmit}).
     */
    default void lockReleased(NetStack from) {}

    /**
     * True when packets wait for a {@link #lockReleased} of {@code from}'s lock to deliver them:
     * those {@code from} transmitted, and those a link left for the holder of {@code from}'s lock
     * (see {@link NetStack#tryLock}). A thread about to block first releases the lock to deliver
     * them, since the packets it is waiting for (or an answer to them) may be among them. Default:
     * false.
     */
    default boolean hasDeferred(NetStack from) { return false; }

    /**
     * True while packets sent by or to {@code stack} are still on their way through the link (sent,
     * not yet delivered). The real-time loop holds back due timers for a moment meanwhile: an ACK
     * that a descheduled thread is still carrying is late, not lost. Default: false.
     */
    default boolean isCarrying(NetStack stack) { return false; }

    /**
     * True when a stack sending through this transmitter may leave the TCP checksum uncomputed
     * (zero): the transmitter carries every byte unaltered to the stacks it delivers to and tells
     * them so ({@link NetStack#deliver(ByteBuffer, boolean)}), as the kernel's loopback device does,
     * or it has the checksum completed further on, as a card with checksum offload does. False (the
     * default) for links that cross a wire or injected faults as they are.
     */
    default boolean offloadsTcpChecksums() {
        return false;
    }

    /**
     * True when the segments {@code from} sends may reach their receiver as windows into the
     * sender's own bytes ({@link #reserveDecoded}), which a receiver may keep referring to: see
     * {@link dev.synack.tcp.TcpOutput#carriesPayloadWindows()}. Default: false.
     */
    default boolean carriesPayloadWindows(NetStack from) {
        return false;
    }
}
