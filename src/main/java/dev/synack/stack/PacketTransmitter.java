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
}
