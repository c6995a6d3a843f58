package dev.synack.stack;

import dev.synack.tcp.TcpConfig;
import dev.synack.trace.TraceListener;

/**
 * One host's TCP/IP stack: owns its connections and listeners, demultiplexes arriving packets,
 * allocates ephemeral ports, drives the engine's timers, answers unmatched segments with RST.
 *
 * TO BE IMPLEMENTED (stack helper). Public surface other packages may rely on is below; the rest
 * (what sockets call) is the stack helper's to design.
 */
public final class NetStack {
    /** The host's name in traces ("client", "server"). */
    public String name() { throw new UnsupportedOperationException("not yet"); }
    /** The host's IPv4 address. */
    public int address() { throw new UnsupportedOperationException("not yet"); }
    public TcpConfig config() { throw new UnsupportedOperationException("not yet"); }
    public Clock clock() { throw new UnsupportedOperationException("not yet"); }
    /** Every trace event of this stack goes to every listener added here. */
    public void addTraceListener(TraceListener listener) { throw new UnsupportedOperationException("not yet"); }
}
