package dev.synack.link;

import dev.synack.stack.NetStack;
import dev.synack.tcp.TcpConfig;
import dev.synack.trace.TraceListener;
import java.time.Duration;

/**
 * A deterministic simulated IP network in virtual time. TO BE IMPLEMENTED (stack helper); the
 * signatures are the contract the CLI and tests code against.
 */
public final class SimNetwork {
    /** Everything random in the run (ISN keys, later faults) is drawn from {@code seed}. */
    public SimNetwork(long seed) { throw new UnsupportedOperationException("not yet"); }

    /** One-way delay of every path (default 10 ms). */
    public SimNetwork delay(Duration oneWay) { throw new UnsupportedOperationException("not yet"); }

    public NetStack addHost(String name, String ipv4, TcpConfig config) { throw new UnsupportedOperationException("not yet"); }

    /** Trace events of every host, in the order they happen. */
    public void addTraceListener(TraceListener listener) { throw new UnsupportedOperationException("not yet"); }

    public void addFault(PacketFault fault) { throw new UnsupportedOperationException("not yet"); }

    /** An application thread run under the simulator: only one actor runs at a time, virtual time advances only when all are blocked. */
    public void spawn(String name, Actor body) { throw new UnsupportedOperationException("not yet"); }

    /**
     * Runs until every actor has finished and nothing is scheduled (packets in flight, timers), then
     * returns. Rethrows the first actor failure. Throws IllegalStateException naming the actors that
     * are still blocked when nothing is left that could wake them.
     */
    public void run() { throw new UnsupportedOperationException("not yet"); }

    /** Virtual nanoseconds since the simulation started. */
    public long nowNanos() { throw new UnsupportedOperationException("not yet"); }

    /** An actor's body: may throw anything, which fails {@link #run()}. */
    @FunctionalInterface
    public interface Actor {
        void run() throws Exception;
    }
}
