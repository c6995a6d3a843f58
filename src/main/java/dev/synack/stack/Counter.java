package dev.synack.stack;

import dev.synack.tcp.ListenEvent;
import dev.synack.tcp.RateLimited;
import dev.synack.tcp.TcpConfig;

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
    /** Linux's TcpExt counters of ACKs held back by the per-connection interval ({@link RateLimited}). */
    TCP_ACK_SKIPPED_SEQ("TCPACKSkippedSeq"),
    TCP_ACK_SKIPPED_PAWS("TCPACKSkippedPAWS"),
    TCP_ACK_SKIPPED_SYN_RECV("TCPACKSkippedSynRecv"),
    TCP_ACK_SKIPPED_TIME_WAIT("TCPACKSkippedTimeWait"),
    TCP_ACK_SKIPPED_CHALLENGE("TCPACKSkippedChallenge"),
    /** synack's own: RSTs for segments that match nothing, held back by {@link TcpConfig#resetRateLimit()}. */
    OUT_RSTS_RATE_LIMITED("OutRstsRateLimited"),
    /** ICMP-MIB OutRateLimitGlobal, as Linux names it: echo replies held back by {@link TcpConfig#echoReplyRateLimit()}. */
    OUT_RATE_LIMIT_GLOBAL("OutRateLimitGlobal"),
    /** Linux's TcpExt SYN-cookie and listen-queue counters ({@link ListenEvent}). */
    SYNCOOKIES_SENT("SyncookiesSent"),
    SYNCOOKIES_RECV("SyncookiesRecv"),
    SYNCOOKIES_FAILED("SyncookiesFailed"),
    LISTEN_OVERFLOWS("ListenOverflows"),
    LISTEN_DROPS("ListenDrops"),
    /** Linux's TcpExt counters of the stack's {@link dev.synack.tcp.MemoryBudget}: times it came under pressure. */
    TCP_MEMORY_PRESSURES("TCPMemoryPressures"),
    /** In-order segments dropped for want of memory (the peer sends them again). */
    TCP_RCVQ_DROP("TCPRcvQDrop"),
    /** Out-of-order segments dropped for want of memory. */
    TCP_OFO_DROP("TCPOFODrop"),
    /** Connections that pruned their queues to make room. */
    PRUNE_CALLED("PruneCalled"),
    /** Out-of-order queues dropped by pruning. */
    OFO_PRUNED("OfoPruned"),
    /** Orphans reset for too many orphans or too little memory (tcp_max_orphans, tcp_mem). */
    TCP_ABORT_ON_MEMORY("TCPAbortOnMemory"),
    INTERNAL_ERRORS("InternalErrors"),
    /**
     * synack's own: exceptions thrown by readiness handlers of non-blocking sockets
     * ({@link ReadinessWatch}), caught by the stack; the socket whose handler threw is closed.
     */
    HANDLER_ERRORS("HandlerErrors");

    private final String mibName;

    Counter(String mibName) { this.mibName = mibName; }

    /** The counter of a reply the engine held back. */
    static Counter of(RateLimited what) {
        return switch (what) {
            case OUT_OF_WINDOW_ACK -> TCP_ACK_SKIPPED_SEQ;
            case PAWS_ACK -> TCP_ACK_SKIPPED_PAWS;
            case SYN_RECV_ACK -> TCP_ACK_SKIPPED_SYN_RECV;
            case TIME_WAIT_ACK -> TCP_ACK_SKIPPED_TIME_WAIT;
            case CHALLENGE_ACK -> TCP_ACK_SKIPPED_CHALLENGE;
        };
    }

    /** The counter of a listener's event. */
    static Counter of(ListenEvent what) {
        return switch (what) {
            case SYNCOOKIE_SENT -> SYNCOOKIES_SENT;
            case SYNCOOKIE_RECV -> SYNCOOKIES_RECV;
            case SYNCOOKIE_FAILED -> SYNCOOKIES_FAILED;
            case LISTEN_OVERFLOW -> LISTEN_OVERFLOWS;
            case LISTEN_DROP -> LISTEN_DROPS;
        };
    }

    public String mibName() { return mibName; }
}
