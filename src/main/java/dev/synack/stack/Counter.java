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
    /**
     * IP-MIB ipInHdrErrors: packets dropped for an unsound IPv4 option (length below 2 or past the
     * header), as Linux's ip_options_compile counts them. (Other IPv4 header faults count in InErrs.)
     */
    IN_HDR_ERRORS("InHdrErrors"),
    /**
     * IP-MIB ipInAddrErrors: packets whose destination is not this host's address (broadcast and
     * multicast included: this host is no router).
     */
    IN_ADDR_ERRORS("InAddrErrors"),
    /**
     * Linux's in_martian_src (/proc/net/stat/rt_cache): packets dropped for a source no host may
     * have (broadcast, multicast, class E, 0.0.0.0/8, loopback, this host's own address: see
     * AddressFilter); each is traced with its reason.
     */
    IN_MARTIAN_SRC("InMartianSrc"),
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
