package dev.synack.relay;

import java.util.function.Consumer;

/** One relayed flow, TCP ({@link TcpRelay}) or UDP ({@link UdpRelay}). */
public interface Relay {
    /** Relays until the flow ends; {@code done} then receives its statistics. */
    void run(Consumer<FlowStats> done);

    /** Ends the flow from outside (shutdown). */
    void abort();

    FlowStats stats();
}
