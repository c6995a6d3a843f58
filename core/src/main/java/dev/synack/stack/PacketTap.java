package dev.synack.stack;

import java.nio.ByteBuffer;

/**
 * Sees every IP packet a {@link NetStack} receives from its link (before any check) and every one
 * it hands to its link, as raw bytes: for captures (dev.synack.link.PcapWriter) and tools. Called on
 * the thread that holds the stack's lock, so it must not block for long and must not call back into
 * the stack.
 */
@FunctionalInterface
public interface PacketTap {
    /**
     * Called with each packet the stack receives or sends.
     *
     * @param stack the stack that received or sent the packet
     * @param timeNanos the stack's clock at that moment (virtual in simulations)
     * @param outbound true for a packet the stack sent, false for one it received
     * @param packet the packet between position and limit; read-only for the tap, reused after the call
     */
    void onPacket(NetStack stack, long timeNanos, boolean outbound, ByteBuffer packet);
}
