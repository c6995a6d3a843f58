package dev.synack.wire;

/** What the packet parser concluded: {@link #OK}, or why the packet was rejected. */
public enum ParseResult {
    OK("ok"),
    TRUNCATED("truncated packet"),
    NOT_IPV4("IP version is not 4"),
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
