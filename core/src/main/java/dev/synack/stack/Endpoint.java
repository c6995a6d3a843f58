package dev.synack.stack;

import dev.synack.tcp.Connection;
import dev.synack.tcp.FourTuple;
import dev.synack.wire.IpAddress;

/** The stack's record of one connection: its demux key, its timer and which port use it holds. */
final class Endpoint {
    final Connection connection;
    /** The demux key: the remote address, {@link DemuxTable#ports} and the local address's {@link LocalKeys key}. */
    final IpAddress remote;
    final int ports;
    final int localKey;
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

    Endpoint(Connection connection, PortUse portUse, int localKey) {
        FourTuple t = connection.tuple();
        this.connection = connection;
        this.remote = t.remoteAddress();
        this.ports = DemuxTable.ports(t.localPort(), t.remotePort());
        this.localPort = t.localPort();
        this.localKey = localKey;
        this.portUse = portUse;
    }

    String label() {
        if (label == null) label = connection.tuple().toString();
        return label;
    }
}
