package dev.synack.stack;

import dev.synack.tcp.Connection;
import dev.synack.wire.TcpSegment;

/** Questions the stack asks the engine that are not (yet) part of the Connection contract. */
final class EngineHooks {
    private EngineHooks() {}

    /**
     * Whether a SYN arriving for a TIME_WAIT connection may open a new incarnation (RFC 9293
     * §3.10.7.4, RFC 6191). Until the engine answers it, the stack says no: the SYN then goes to
     * the TIME_WAIT connection, which acknowledges it, and the peer's retry follows 2MSL.
     */
    static boolean acceptsNewSyn(Connection timeWait, TcpSegment syn) {
        return false;
    }
}
