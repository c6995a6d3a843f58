package dev.synack.pkt;

import dev.synack.pkt.Script.IcmpEvent;
import dev.synack.pkt.Script.Time;
import dev.synack.wire.Icmpv4Error;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * packetdrill's ICMP packets, inbound and IPv4: {@code < icmp TYPE [CODE] [mtu N] [[SEQ]]}, such as
 * {@code < icmp unreachable frag_needed mtu 1200 [1:1461(1460)]}. TYPE and CODE are packetdrill's
 * names (or {@code type_N} and {@code code_N}); the bracket names the TCP segment the message
 * quotes by its sequence range relative to our ISN, as outbound packets write it (0 when absent).
 * The message quotes, as packetdrill builds it, a 20-byte IPv4 header from us to the peer (total
 * length: the whole segment's) and the segment's first 8 bytes: our port, the peer's, the sequence
 * number. ICMP about UDP or raw packets, and types TCP never sees, make the script skipped.
 */
final class IcmpSyntax {
    private IcmpSyntax() {}

    /** packetdrill's ICMPv4 type names, by type number (null: a number with no name). */
    private static final List<String> TYPES = java.util.Arrays.asList("echo_reply", null, null, "unreachable",
            "source_quench", "redirect", null, null, "echo_request", null, null, "time_exceeded", "parameter_problem",
            "timestamp_request", "timestamp_reply", "information_request", "information_reply", "address_mask_request",
            "address_mask_reply");

    /** packetdrill's names of the destination-unreachable codes, by code. */
    private static final List<String> UNREACHABLE_CODES = List.of("net_unreachable", "host_unreachable",
            "protocol_unreachable", "port_unreachable", "frag_needed", "source_route_failed", "net_unknown", "host_unknown",
            "source_host_isolated", "net_prohibited", "host_prohibited", "net_unreachable_for_tos",
            "host_unreachable_for_tos", "packet_filtered", "precedence_violation", "precedence_cutoff");

    /** Parses the rest of {@code < icmp ...} from the cursor, which stands on "icmp". */
    static IcmpEvent parse(ScriptCursor c, Time time, int flow, boolean inbound) throws ScriptException {
        c.expectWord("icmp");
        if (!inbound) throw new ScriptException(c.line, "outbound ICMP packet (synack sends no ICMP errors)", true);
        String typeName = c.word();
        int type = number(typeName, "type_", TYPES);
        if (type < 0) throw c.error("bad ICMP type " + typeName);
        int code = 0;
        c.skipSpaces();
        if (!c.atEnd() && c.current() != '[' && !c.peek("mtu") && !c.peek("id ")) {
            String codeName = c.word();
            code = number(codeName, "code_", type == Icmpv4Error.TYPE_DESTINATION_UNREACHABLE ? UNREACHABLE_CODES : List.of());
            if (code < 0) throw c.error("bad ICMP code " + codeName);
        }
        int mtu = -1;
        c.skipSpaces();
        if (c.peek("mtu")) {
            c.expectWord("mtu");
            mtu = (int) c.readInt();
            if (type != Icmpv4Error.TYPE_DESTINATION_UNREACHABLE || code != Icmpv4Error.CODE_FRAGMENTATION_NEEDED) {
                throw c.error("ICMPv4 MTU is only valid for unreachable frag_needed");
            }
            if (mtu < 0 || mtu > 0xffff) throw c.error("ICMPv4 MTU out of 16-bit range");
        }
        c.skipSpaces();
        if (c.peek("id")) throw new ScriptException(c.line, "ICMP echo id (synack's scripts send no echo messages)", true);
        long start = 0;
        long length = 0;
        c.skipSpaces();
        if (!c.atEnd() && c.current() == '[') {
            c.pos++;
            c.skipSpaces();
            if (c.peek("udp") || c.peek("raw")) throw new ScriptException(c.line, "ICMP about a UDP or raw packet (synack has no UDP)", true);
            start = c.readInt();
            c.expect(':');
            long end = c.readInt();
            c.expect('(');
            length = c.readInt();
            c.expect(')');
            c.expect(']');
            if (end - start != length) throw c.error("sequence range " + start + ":" + end + " does not match the length " + length);
        }
        c.skipSpaces();
        if (!c.atEnd()) throw c.error("unexpected text after the ICMP packet: " + c.rest());
        if (!Icmpv4Error.isErrorType(type)) {
            throw new ScriptException(c.line, "ICMP " + typeName + " (synack's TCP acts only on ICMP errors)", true);
        }
        return new IcmpEvent(c.line, time, flow, type, code, mtu, start, (int) length);
    }

    /** {@code name}'s index in {@code names}, or the number after {@code prefix}; -1 when neither. */
    private static int number(String name, String prefix, List<String> names) {
        int i = names.indexOf(name);
        if (i >= 0) return i;
        if (!name.startsWith(prefix)) return -1;
        try {
            int n = Integer.parseInt(name.substring(prefix.length()));
            return n >= 0 && n <= 255 ? n : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * The message {@code e} describes, from the peer {@code remote} to us ({@code local}), quoting
     * a segment from {@code localPort} to {@code remotePort} whose sequence number is the script's,
     * {@code e.seqStart()}, plus our ISN {@code localIsn}.
     */
    static ByteBuffer encode(IcmpEvent e, int remote, int local, int localPort, int remotePort, long localIsn) {
        ByteBuffer b = ByteBuffer.allocate(Icmpv4Error.HEADER_LENGTH + 2 * 20 + Icmpv4Error.QUOTED_DATA);
        int secondWord = e.mtu() >= 0 ? Icmpv4Error.fragmentationNeededWord(e.mtu()) : 0;
        int n = Icmpv4Error.writeQuotingTcp(b, remote, local, e.type(), e.code(), secondWord, local, remote,
                20 + 20 + e.length(), localPort, remotePort, (int) (localIsn + e.seqStart()));
        return b.limit(n);
    }
}
