package dev.synack.wire;

/** What the packet parser concluded: {@link #OK}, or why the packet was rejected. */
public enum ParseResult {
    OK("ok"),
    TRUNCATED("truncated packet"),
    /** Neither 4 nor 6 in the version field. */
    NOT_IP("IP version is neither 4 nor 6"),
    BAD_PAYLOAD_LENGTH("IPv6 payload length disagrees with the packet"),
    /** An IPv6 Fragment header: TCP never sends fragments, and no reassembly is done (RFC 8200 §4.5). */
    IPV6_FRAGMENT("IPv6 fragment (reassembly not supported)"),
    /** A Routing header with segments left: this host would have to forward the packet (RFC 8200 §4.4). */
    ROUTING_SEGMENTS_LEFT("IPv6 routing header with segments left"),
    NO_NEXT_HEADER("IPv6 no next header"),
    UNKNOWN_NEXT_HEADER("unknown IPv6 extension header"),
    BAD_EXTENSION_HEADER("malformed IPv6 extension header"),
    /** An option whose type says to discard the packet when not recognised (RFC 8200 §4.2). */
    UNKNOWN_IPV6_OPTION("unrecognised IPv6 option"),
    /** An IPv4-mapped, multicast or unspecified source, or an IPv4-mapped destination, on the IPv6 wire. */
    BAD_IPV6_ADDRESS("IPv6 address not allowed on the wire"),
    BAD_IP_HEADER_LENGTH("bad IPv4 header length"),
    BAD_TOTAL_LENGTH("IPv4 total length disagrees with the packet"),
    BAD_IP_CHECKSUM("bad IPv4 header checksum"),
    /** An IPv4 option whose length is below 2 or runs past the header (see {@link Ipv4Header#optionsValid}). */
    BAD_IP_OPTION("bad IPv4 option length"),
    FRAGMENT("IPv4 fragment (reassembly not supported)"),
    NOT_TCP("not a TCP packet"),
    BAD_DATA_OFFSET("bad TCP data offset"),
    BAD_OPTION_LENGTH("bad TCP option length"),
    BAD_TCP_CHECKSUM("bad TCP checksum");

    private final String reason;

    ParseResult(String reason) { this.reason = reason; }

    /** A short human reason, used in drop traces and counters. */
    public String reason() { return reason; }
}
