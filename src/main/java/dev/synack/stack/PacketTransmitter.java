package dev.synack.stack;

import java.nio.ByteBuffer;

/**
 * Where a {@link NetStack} sends the IP packets it builds: a link (dev.synack.link) implements it.
 * Lives here so that the stack does not depend on the links above it in the layering.
 */
@FunctionalInterface
public interface PacketTransmitter {
    /**
     * Carries the IPv4 packet between {@code packet}'s position and limit, sent by {@code from}.
     * The buffer is the stack's and is reused as soon as this returns: copy what you keep.
     * Called with {@code from}'s lock held; must not block.
     */
    void transmit(NetStack from, ByteBuffer packet);

    /**
     * True when this transmitter carries every byte unaltered to the stacks it delivers to and tells
     * them so ({@link NetStack#deliver(ByteBuffer, boolean)}): a stack sending through it then leaves
     * the TCP checksum uncomputed (zero), as the kernel does on its loopback device, where a packet
     * never leaves memory. False (the default) for links that cross a wire, a device or injected faults.
     */
    default boolean offloadsTcpChecksums() {
        return false;
    }
}
