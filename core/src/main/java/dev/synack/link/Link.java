package dev.synack.link;

import dev.synack.stack.NetStack;
import dev.synack.stack.PacketTransmitter;
import dev.synack.tcp.TcpConfig;

/**
 * Moves whole IP packets (IPv4 and IPv6) between the stacks attached to it. A link creates its hosts' stacks
 * ({@link #addHost}), receives what they send through {@link PacketTransmitter#transmit} (copying
 * the bytes before returning) and hands each packet to the stack that owns its destination
 * address. Implementations: {@link SimNetwork} (virtual time, faults) and {@link MemoryLink} (real
 * time, in the same JVM, no delay).
 */
public interface Link extends PacketTransmitter {
    /**
     * Creates a stack for host {@code name} attached to this link at {@code addresses}: an IPv4
     * address ("10.0.0.2"), an IPv6 one ("fd00::2"), or one of each separated by a comma
     * ("10.0.0.2,fd00::2").
     */
    NetStack addHost(String name, String addresses, TcpConfig config);
}
