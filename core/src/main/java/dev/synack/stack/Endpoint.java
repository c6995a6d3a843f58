package dev.synack.stack;

import dev.synack.tcp.Connection;

/** The stack's record of one connection: its demux key, its timer and which port use it holds. */
final class Endpoint {
    final Connection connection;
    final long key;
    final int localPort;
    final TimerWheel.Timer<Object> timer = new TimerWheel.Timer<>(this);
    /** PortTable use released with the connection: a binding (bound before connect) or an ephemeral use. */
    final PortUse portUse;
    /** Highest sequence number sent + 1, to tell retransmissions (RetransSegs). */
    int sentUpTo;
    boolean sentAnything;
    boolean removed;
    /** The non-blocking socket watching this connection ({@link NetStack#watch}), or null. */
    ReadinessWatch watch;
    String label;

    enum PortUse { NONE, BINDING, EPHEMERAL }

    Endpoint(Connection connection, long key, int localPort, PortUse portUse) {
        this.connection = connection;
        this.key = key;
        this.localPort = localPort;
        this.portUse = portUse;
    }

    String label() {
        if (label == null) label = connection.tuple().toString();
        return label;
    }
}
