package dev.synack.stack;

import dev.synack.wire.IpAddress;

/**
 * Decides, on the SYN, whether a forwarding stack ({@link Forwarding}) opens a connection to a
 * destination that is not its own: true takes the SYN (the handshake goes on and the connection
 * reaches the forwarding listener's accept queue), false answers it with a reset, as a closed
 * port would. Called under the stack's lock, on the packet path: it must decide at once (a relay
 * that wants to learn first whether the real destination answers accepts and then resets the
 * accepted connection, see {@link Forwarding}).
 */
@FunctionalInterface
public interface ForwardFilter {
    /** Every destination admitted. */
    ForwardFilter ALL = (source, sourcePort, destination, destinationPort) -> true;

    boolean admits(IpAddress source, int sourcePort, IpAddress destination, int destinationPort);
}
