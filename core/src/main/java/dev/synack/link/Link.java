package dev.synack.link;

import dev.synack.stack.NetStack;
import dev.synack.stack.PacketTransmitter;
import dev.synack.tcp.TcpConfig;

/**
 * Moves whole IPv4 packets between the stacks attached to it. A link creates its hosts' stacks
 * ({@link #addHost}), receives what they send through {@link PacketTransmitter#transmit} (copying
 * the bytes before returning) and hands each packet to the stack that owns its destination
 * address. Implementations: {@link SimNetwork} (virtual time, faults) and {@link MemoryLink} (real
 * time, in the same JVM, no delay).
 */
public interface Link extends PacketTransmitter {
    /** Creates a stack for host {@code name} at {@code ipv4} attached to this link. */
    NetStack addHost(String name, String ipv4, TcpConfig config);
}
