package dev.synack.link;

import dev.synack.wire.TcpPacket;

/**
 * Decides whether the simulated network loses a packet: scripted losses (the demo's lost final ACK)
 * use it directly; the fault pipeline's loss rates, reordering and the rest build on it.
 */
@FunctionalInterface
public interface PacketFault {
    /** The reason to drop {@code packet} sent by host {@code fromHost}, or null to let it pass. */
    String drop(String fromHost, TcpPacket packet);
}
