package dev.synack.stack;

/**
 * The stack's counters, named as in the TCP-MIB (RFC 4022) where one exists. {@link #INTERNAL_ERRORS}
 * is synack's own: exceptions caught on the packet and timer paths (each is also traced as a drop);
 * so is {@link #HANDLER_ERRORS}.
 */
public enum Counter {
    ACTIVE_OPENS("ActiveOpens"),
    PASSIVE_OPENS("PassiveOpens"),
    ATTEMPT_FAILS("AttemptFails"),
    ESTAB_RESETS("EstabResets"),
    CURR_ESTAB("CurrEstab"),
    IN_SEGS("InSegs"),
    OUT_SEGS("OutSegs"),
    RETRANS_SEGS("RetransSegs"),
    IN_ERRS("InErrs"),
    OUT_RSTS("OutRsts"),
    /** IP-MIB ipInUnknownProtos: sound IPv4 packets for a protocol the stack does not handle (e.g. UDP). */
    IN_UNKNOWN_PROTOS("InUnknownProtos"),
    /** ICMP-MIB icmpInEchos: echo requests received. */
    IN_ECHOS("InEchos"),
    /** ICMP-MIB icmpOutEchoReps: echo replies sent. */
    OUT_ECHO_REPS("OutEchoReps"),
    /** synack's own: well-formed ICMP messages other than echo requests, which it ignores. */
    IN_ICMP_IGNORED("InIcmpIgnored"),
    INTERNAL_ERRORS("InternalErrors"),
    /**
     * synack's own: exceptions thrown by readiness handlers of non-blocking sockets
     * ({@link ReadinessWatch}), caught by the stack; the socket whose handler threw is closed.
     */
    HANDLER_ERRORS("HandlerErrors");

    private final String mibName;

    Counter(String mibName) { this.mibName = mibName; }

    public String mibName() { return mibName; }
}
