package dev.synack.link;

import dev.synack.wire.TcpPacket;

/**
 * Decides whether the simulated network loses a packet. Issue 2 uses it for scripted losses (the
 * demo's lost final ACK); fault injection (loss rates, reordering, ...) builds on it later.
 */
@FunctionalInterface
public interface PacketFault {
    /** The reason to drop {@code packet} sent by host {@code fromHost}, or null to let it pass. */
    String drop(String fromHost, TcpPacket packet);
}
