/**
 * One host's TCP/IP stack around the sans-IO engine: {@link dev.synack.stack.NetStack} demultiplexes
 * arriving IPv4 and IPv6 packets to connections ({@link dev.synack.stack.DemuxTable}, keyed by the
 * remote address's 128 bits, the ports and a key of the local address, no allocation per lookup) and listeners (by
 * port), answers segments that match nothing with RST, carries UDP ({@link dev.synack.stack.Udp}), takes in
 * connections and flows to other destinations when it forwards ({@link dev.synack.stack.Forwarding}), allocates ports ({@link dev.synack.stack.PortTable}), drives the engine's
 * timers through a hashed timing wheel ({@link dev.synack.stack.TimerWheel}), emits trace events and
 * keeps TCP-MIB counters ({@link dev.synack.stack.Counter}). The engine tells the stack when each of
 * its calls returns ({@link dev.synack.tcp.TcpOutput#callReturned}), and the stack reschedules or
 * forgets the connection then.
 *
 * <p>Threads: one lock per stack, short critical sections; blocking socket calls wait through a
 * {@link dev.synack.stack.Waiter} (a Condition in real time, the simulator's baton in virtual time);
 * non-blocking sockets register a {@link dev.synack.stack.ReadinessWatch} instead, which the stack
 * runs on the thread holding its lock once the engine is done, before the lock is released.
 * Packets leave through a {@link dev.synack.stack.PacketTransmitter} that a link implements, so this
 * package does not depend on the links.
 *
 * <p>Depends on dev.synack.tcp, dev.synack.wire and dev.synack.trace.
 */
package dev.synack.stack;
