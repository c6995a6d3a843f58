package dev.synack.tcp;

/**
 * What an ICMP error message tells a connection, whatever the IP version it came in: the stack maps
 * each ICMPv4 type and code ({@link #ofIpv4}) or ICMPv6 one onto a kind, and the engine acts on the
 * kind ({@link Connection#icmpError}). Each kind carries the error Linux reports for it
 * (icmp_err_convert, as tcp_v4_err uses it) and whether it drops a passive opening still in
 * SYN_RECV (Linux's tcp_req_err). {@link #FRAGMENTATION_NEEDED} and {@link #PACKET_TOO_BIG} carry
 * a next-hop MTU and the rules of their IP version for it (RFC 1191, RFC 8201).
 */
public enum IcmpError {
    NET_UNREACHABLE(TcpError.NETWORK_UNREACHABLE, true),
    HOST_UNREACHABLE(TcpError.HOST_UNREACHABLE, true),
    PROTOCOL_UNREACHABLE(TcpError.PROTOCOL_NOT_AVAILABLE, false),
    PORT_UNREACHABLE(TcpError.CONNECTION_REFUSED, false),
    /**
     * IPv4 "fragmentation needed and DF set" (RFC 1191 §4): the path MTU is at least 68 bytes (RFC
     * 791), and Linux takes none below 552 (net.ipv4.route.min_pmtu); 20-byte IP header.
     */
    FRAGMENTATION_NEEDED(TcpError.MESSAGE_TOO_LONG, false, 552, 20),
    SOURCE_ROUTE_FAILED(TcpError.OPERATION_NOT_SUPPORTED, false),
    NET_UNKNOWN(TcpError.NETWORK_UNREACHABLE, false),
    HOST_UNKNOWN(TcpError.HOST_DOWN, false),
    HOST_ISOLATED(TcpError.NOT_ON_NETWORK, false),
    NET_PROHIBITED(TcpError.NETWORK_UNREACHABLE, false),
    HOST_PROHIBITED(TcpError.HOST_UNREACHABLE, false),
    NET_UNREACHABLE_FOR_TOS(TcpError.NETWORK_UNREACHABLE, false),
    HOST_UNREACHABLE_FOR_TOS(TcpError.HOST_UNREACHABLE, false),
    /** Communication administratively prohibited (RFC 1812 §5.2.7.1). */
    PACKET_FILTERED(TcpError.HOST_UNREACHABLE, false),
    PRECEDENCE_VIOLATION(TcpError.HOST_UNREACHABLE, false),
    PRECEDENCE_CUTOFF(TcpError.HOST_UNREACHABLE, false),
    TIME_EXCEEDED(TcpError.HOST_UNREACHABLE, true),
    PARAMETER_PROBLEM(TcpError.PROTOCOL_ERROR, true),
    /**
     * ICMPv6 packet too big (RFC 4443 §3.2, RFC 8201): every IPv6 link carries 1280 bytes (RFC 8200
     * §5); 40-byte IP header. The IPv6 side maps its type 2 here.
     */
    PACKET_TOO_BIG(TcpError.MESSAGE_TOO_LONG, false, 1280, 40),
    /*
     * ICMPv6 destination unreachable (RFC 4443 §3.1), with Linux's icmpv6_err_convert errors; the
     * "fatal" ones are those that drop a passive opening (tcp_v6_err's tcp_req_err).
     */
    NO_ROUTE_V6(TcpError.NETWORK_UNREACHABLE, false),
    ADMINISTRATIVELY_PROHIBITED_V6(TcpError.PERMISSION_DENIED, true),
    BEYOND_SCOPE_V6(TcpError.HOST_UNREACHABLE, false),
    ADDRESS_UNREACHABLE_V6(TcpError.HOST_UNREACHABLE, false),
    PORT_UNREACHABLE_V6(TcpError.CONNECTION_REFUSED, true),
    SOURCE_POLICY_FAILED_V6(TcpError.PERMISSION_DENIED, true),
    REJECT_ROUTE_V6(TcpError.PERMISSION_DENIED, true);

    private static final IcmpError[] UNREACHABLE_CODES = {NET_UNREACHABLE, HOST_UNREACHABLE, PROTOCOL_UNREACHABLE,
            PORT_UNREACHABLE, FRAGMENTATION_NEEDED, SOURCE_ROUTE_FAILED, NET_UNKNOWN, HOST_UNKNOWN, HOST_ISOLATED,
            NET_PROHIBITED, HOST_PROHIBITED, NET_UNREACHABLE_FOR_TOS, HOST_UNREACHABLE_FOR_TOS, PACKET_FILTERED,
            PRECEDENCE_VIOLATION, PRECEDENCE_CUTOFF};

    private static final IcmpError[] UNREACHABLE_CODES_V6 = {NO_ROUTE_V6, ADMINISTRATIVELY_PROHIBITED_V6, BEYOND_SCOPE_V6,
            ADDRESS_UNREACHABLE_V6, PORT_UNREACHABLE_V6, SOURCE_POLICY_FAILED_V6, REJECT_ROUTE_V6};

    private final TcpError error;
    private final boolean dropsRequest;
    private final int minimumMtu;
    private final int ipHeaderLength;

    IcmpError(TcpError error, boolean dropsRequest) {
        this(error, dropsRequest, 0, 0);
    }

    IcmpError(TcpError error, boolean dropsRequest, int minimumMtu, int ipHeaderLength) {
        this.error = error;
        this.dropsRequest = dropsRequest;
        this.minimumMtu = minimumMtu;
        this.ipHeaderLength = ipHeaderLength;
    }

    /**
     * The kind of an ICMPv4 message of {@code type} and {@code code} TCP acts on, or null for one it
     * ignores, as Linux's tcp_v4_err: source quench (RFC 6633) and redirects (a host's routing, not
     * TCP's), unreachable codes above 15, other types.
     */
    public static IcmpError ofIpv4(int type, int code) {
        return switch (type) {
            case 3 -> code >= 0 && code < UNREACHABLE_CODES.length ? UNREACHABLE_CODES[code] : null;
            case 11 -> TIME_EXCEEDED;
            case 12 -> PARAMETER_PROBLEM;
            default -> null;
        };
    }

    /**
     * The kind of an ICMPv6 message of {@code type} and {@code code} TCP acts on (RFC 4443: 1
     * destination unreachable, 2 packet too big), or null for one it ignores, as Linux's tcp_v6_err.
     */
    public static IcmpError ofIpv6(int type, int code) {
        return switch (type) {
            case 1 -> code >= 0 && code < UNREACHABLE_CODES_V6.length ? UNREACHABLE_CODES_V6[code] : null;
            case 2 -> PACKET_TOO_BIG;
            default -> null;
        };
    }

    /** The error reported for it (Linux's icmp_err_convert; ECONNREFUSED for a port unreachable). */
    public TcpError error() { return error; }

    /** Lowers the path MTU (it carries a next-hop MTU) rather than reporting an error. */
    public boolean lowersPathMtu() { return minimumMtu > 0; }

    /** Drops a passive opening in SYN_RECV whose SYN-ACK it quotes (Linux's tcp_req_err: net/host unreachable, time exceeded, parameter problem). */
    boolean dropsRequest() { return dropsRequest; }

    /** For {@link #lowersPathMtu()} kinds: the least path MTU taken. */
    int minimumMtu() { return minimumMtu; }

    /** For {@link #lowersPathMtu()} kinds: the IP header the MTU includes. */
    int ipHeaderLength() { return ipHeaderLength; }
}
