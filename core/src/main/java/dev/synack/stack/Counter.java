package dev.synack.stack;

import dev.synack.tcp.ListenEvent;
import dev.synack.tcp.RateLimited;
import dev.synack.tcp.TcpConfig;
import dev.synack.wire.IpEcn;

/**
 * The stack's counters, named as in the TCP-MIB (RFC 4022) where one exists. {@link #INTERNAL_ERRORS}
 * is synack's own: exceptions caught on the packet and timer paths (each is also traced as a drop);
 * so is {@link #HANDLER_ERRORS}.
 */
public enum Counter {
    ACTIVE_OPENS("ActiveOpens", Mib.TCP),
    PASSIVE_OPENS("PassiveOpens", Mib.TCP),
    ATTEMPT_FAILS("AttemptFails", Mib.TCP),
    ESTAB_RESETS("EstabResets", Mib.TCP),
    CURR_ESTAB("CurrEstab", Mib.TCP),
    IN_SEGS("InSegs", Mib.TCP),
    OUT_SEGS("OutSegs", Mib.TCP),
    RETRANS_SEGS("RetransSegs", Mib.TCP),
    IN_ERRS("InErrs", Mib.TCP),
    OUT_RSTS("OutRsts", Mib.TCP),
    /** IP-MIB ipInUnknownProtos: sound IPv4 packets for a protocol the stack does not handle (e.g. UDP). */
    IN_UNKNOWN_PROTOS("InUnknownProtos", Mib.IP),
    /**
     * IP-MIB ipInHdrErrors: packets dropped for an unsound IPv4 option (length below 2 or past the
     * header), as Linux's ip_options_compile counts them. (Other IPv4 header faults count in InErrs.)
     */
    IN_HDR_ERRORS("InHdrErrors", Mib.IP),
    /**
     * IP-MIB ipInAddrErrors: packets whose destination is not this host's address (broadcast and
     * multicast included: this host is no router).
     */
    IN_ADDR_ERRORS("InAddrErrors", Mib.IP),
    /**
     * Linux's in_martian_src (/proc/net/stat/rt_cache): packets dropped for a source no host may
     * have (broadcast, multicast, class E, 0.0.0.0/8, loopback, this host's own address: see
     * AddressFilter); each is traced with its reason.
     */
    IN_MARTIAN_SRC("InMartianSrc", Mib.SYNACK),
    /** ICMP-MIB icmpInEchos: echo requests received. */
    IN_ECHOS("InEchos", Mib.ICMP),
    /** ICMP-MIB icmpOutEchoReps: echo replies sent. */
    OUT_ECHO_REPS("OutEchoReps", Mib.ICMP),
    /** ICMP-MIB icmpInErrors: ICMP errors that were malformed or quoted a segment no connection sent (Linux's tcp_v4_err without a socket). */
    ICMP_IN_ERRORS("InErrors", Mib.ICMP),
    /** ICMP-MIB counters of the error messages received, well formed, by type. */
    ICMP_IN_DEST_UNREACHS("InDestUnreachs", Mib.ICMP),
    ICMP_IN_TIME_EXCDS("InTimeExcds", Mib.ICMP),
    ICMP_IN_PARM_PROBS("InParmProbs", Mib.ICMP),
    ICMP_IN_SRC_QUENCHS("InSrcQuenchs", Mib.ICMP),
    ICMP_IN_REDIRECTS("InRedirects", Mib.ICMP),
    /** Linux's TcpExt OutOfWindowIcmps: ICMP errors quoting a sequence number outside what is outstanding. */
    OUT_OF_WINDOW_ICMPS("OutOfWindowIcmps", Mib.TCP_EXT),
    /** synack's own: well-formed ICMP messages other than echo requests, which it ignores. */
    IN_ICMP_IGNORED("InIcmpIgnored", Mib.SYNACK),
    /** Linux's TcpExt counters of ACKs held back by the per-connection interval ({@link RateLimited}). */
    TCP_ACK_SKIPPED_SEQ("TCPACKSkippedSeq", Mib.TCP_EXT),
    TCP_ACK_SKIPPED_PAWS("TCPACKSkippedPAWS", Mib.TCP_EXT),
    TCP_ACK_SKIPPED_SYN_RECV("TCPACKSkippedSynRecv", Mib.TCP_EXT),
    TCP_ACK_SKIPPED_TIME_WAIT("TCPACKSkippedTimeWait", Mib.TCP_EXT),
    TCP_ACK_SKIPPED_CHALLENGE("TCPACKSkippedChallenge", Mib.TCP_EXT),
    /** synack's own: RSTs for segments that match nothing, held back by {@link TcpConfig#resetRateLimit()}. */
    OUT_RSTS_RATE_LIMITED("OutRstsRateLimited", Mib.SYNACK),
    /** ICMP-MIB OutRateLimitGlobal, as Linux names it: echo replies held back by {@link TcpConfig#echoReplyRateLimit()}. */
    OUT_RATE_LIMIT_GLOBAL("OutRateLimitGlobal", Mib.ICMP),
    /** Linux's TcpExt SYN-cookie and listen-queue counters ({@link ListenEvent}). */
    SYNCOOKIES_SENT("SyncookiesSent", Mib.TCP_EXT),
    SYNCOOKIES_RECV("SyncookiesRecv", Mib.TCP_EXT),
    SYNCOOKIES_FAILED("SyncookiesFailed", Mib.TCP_EXT),
    LISTEN_OVERFLOWS("ListenOverflows", Mib.TCP_EXT),
    LISTEN_DROPS("ListenDrops", Mib.TCP_EXT),
    /** Linux's TcpExt TCP Fast Open counters (RFC 7413; {@link ListenEvent}). */
    TCP_FASTOPEN_ACTIVE("TCPFastOpenActive", Mib.TCP_EXT),
    TCP_FASTOPEN_ACTIVE_FAIL("TCPFastOpenActiveFail", Mib.TCP_EXT),
    TCP_FASTOPEN_PASSIVE("TCPFastOpenPassive", Mib.TCP_EXT),
    TCP_FASTOPEN_PASSIVE_FAIL("TCPFastOpenPassiveFail", Mib.TCP_EXT),
    TCP_FASTOPEN_LISTEN_OVERFLOW("TCPFastOpenListenOverflow", Mib.TCP_EXT),
    TCP_FASTOPEN_COOKIE_REQD("TCPFastOpenCookieReqd", Mib.TCP_EXT),
    /** Linux's TcpExt counters of the stack's {@link dev.synack.tcp.MemoryBudget}: times it came under pressure. */
    TCP_MEMORY_PRESSURES("TCPMemoryPressures", Mib.TCP_EXT),
    /** In-order segments dropped for want of memory (the peer sends them again). */
    TCP_RCVQ_DROP("TCPRcvQDrop", Mib.TCP_EXT),
    /** Out-of-order segments dropped for want of memory. */
    TCP_OFO_DROP("TCPOFODrop", Mib.TCP_EXT),
    /** Connections that pruned their queues to make room. */
    PRUNE_CALLED("PruneCalled", Mib.TCP_EXT),
    /** Out-of-order queues dropped by pruning. */
    OFO_PRUNED("OfoPruned", Mib.TCP_EXT),
    /** Orphans reset for too many orphans or too little memory (tcp_max_orphans, tcp_mem). */
    TCP_ABORT_ON_MEMORY("TCPAbortOnMemory", Mib.TCP_EXT),
    INTERNAL_ERRORS("InternalErrors", Mib.SYNACK),
    /**
     * synack's own: exceptions thrown by readiness handlers of non-blocking sockets
     * ({@link ReadinessWatch}), caught by the stack; the socket whose handler threw is closed.
     */
    HANDLER_ERRORS("HandlerErrors", Mib.SYNACK),
    /** Linux's Icmp6InEchos and Icmp6OutEchoReplies: ICMPv6 echo requests received, replies sent. */
    IN_ECHOS6("InEchos", Mib.ICMP6),
    OUT_ECHO_REPLIES6("OutEchoReplies", Mib.ICMP6),
    /**
     * synack's own: neighbour discovery and multicast listener messages (RFC 4861, RFC 3810) a
     * kernel sends down a point-to-point link, which needs no answer, and other ICMPv6 it ignores.
     */
    IN_ICMP6_IGNORED("InIcmp6Ignored", Mib.SYNACK),
    /** Linux's Icmp6InErrors: ICMPv6 error messages (destination unreachable, packet too big) about TCP segments. */
    IN_ICMP6_ERRORS("InErrors", Mib.ICMP6),
    /**
     * Linux's IpExt counters of received packets by their ECN field (RFC 3168 §5): Not-ECT, ECT(1),
     * ECT(0), CE; here of the TCP segments that reached the stack, of either IP version.
     */
    IN_NO_ECT_PKTS("InNoECTPkts", Mib.IP_EXT),
    IN_ECT1_PKTS("InECT1Pkts", Mib.IP_EXT),
    IN_ECT0_PKTS("InECT0Pkts", Mib.IP_EXT),
    IN_CE_PKTS("InCEPkts", Mib.IP_EXT),
    /** Linux's Udp counters (RFC 4113's UDP-MIB): datagrams delivered, to no port, malformed, dropped for a full receive buffer, sent. */
    UDP_IN_DATAGRAMS("InDatagrams", Mib.UDP),
    UDP_NO_PORTS("NoPorts", Mib.UDP),
    UDP_IN_ERRORS("InErrors", Mib.UDP),
    UDP_RCVBUF_ERRORS("RcvbufErrors", Mib.UDP),
    UDP_OUT_DATAGRAMS("OutDatagrams", Mib.UDP),
    /** Linux's IcmpOutDestUnreachs: destination unreachable messages sent (UDP's port unreachable). */
    ICMP_OUT_DEST_UNREACHS("OutDestUnreachs", Mib.ICMP),
    /** Linux's Icmp6OutDestUnreachs: ICMPv6 destination unreachable messages sent (UDP's port unreachable). */
    ICMP6_OUT_DEST_UNREACHS("OutDestUnreachs", Mib.ICMP6);

    /**
     * Where Linux keeps a counter, which names its line in /proc/net/snmp or netstat and prefixes
     * its name in nstat ("TcpActiveOpens", "TcpExtListenDrops"); {@link #SYNACK} for synack's own.
     */
    public enum Mib {
        IP("Ip"), IP_EXT("IpExt"), ICMP("Icmp"), ICMP6("Icmp6"), TCP("Tcp"), TCP_EXT("TcpExt"), UDP("Udp"), SYNACK("Synack");

        private final String prefix;

        Mib(String prefix) { this.prefix = prefix; }

        public String prefix() { return prefix; }
    }

    private final String mibName;
    private final Mib mib;

    Counter(String mibName, Mib mib) {
        this.mibName = mibName;
        this.mib = mib;
    }

    /** The IpExt counter of a packet whose ECN field is {@code codepoint}. */
    static Counter ofEcn(int codepoint) {
        return switch (codepoint & IpEcn.MASK) {
            case IpEcn.NOT_ECT -> IN_NO_ECT_PKTS;
            case IpEcn.ECT1 -> IN_ECT1_PKTS;
            case IpEcn.ECT0 -> IN_ECT0_PKTS;
            default -> IN_CE_PKTS;
        };
    }

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
            case FASTOPEN_ACTIVE -> TCP_FASTOPEN_ACTIVE;
            case FASTOPEN_ACTIVE_FAIL -> TCP_FASTOPEN_ACTIVE_FAIL;
            case FASTOPEN_PASSIVE -> TCP_FASTOPEN_PASSIVE;
            case FASTOPEN_PASSIVE_FAIL -> TCP_FASTOPEN_PASSIVE_FAIL;
            case FASTOPEN_LISTEN_OVERFLOW -> TCP_FASTOPEN_LISTEN_OVERFLOW;
            case FASTOPEN_COOKIE_REQD -> TCP_FASTOPEN_COOKIE_REQD;
        };
    }

    public String mibName() { return mibName; }

    public Mib mib() { return mib; }

    /** The name nstat prints: the MIB's prefix and the counter's name ("TcpActiveOpens"). */
    public String nstatName() { return mib.prefix() + mibName; }
}
