package dev.synack.pkt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synack.pkt.Script.CodeEvent;
import dev.synack.pkt.Script.Ellipsis;
import dev.synack.pkt.Script.IcmpEvent;
import dev.synack.pkt.Script.ListExpr;
import dev.synack.pkt.Script.Num;
import dev.synack.pkt.Script.PacketEvent;
import dev.synack.pkt.Script.Placement;
import dev.synack.pkt.Script.ShellEvent;
import dev.synack.pkt.Script.StructExpr;
import dev.synack.pkt.Script.SyscallEvent;
import dev.synack.pkt.Script.Time;
import dev.synack.wire.IpEcn;
import dev.synack.wire.TcpFlags;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScriptParserTest {
    private static Script parse(String text) throws ScriptException {
        return ScriptParser.parse("t.pkt", text);
    }

    @Test
    void timesAbsoluteRelativeAnyRangesAndBlocking() throws Exception {
        Script s = parse("""
                0.100 close(3) = 0
                +.25 close(3) = 0
                * > . 1:1(0) ack 1
                +0~+0.2 > . 1:1(0) ack 1
                1~2 > . 1:1(0) ack 1
                +0...0.300 read(4, ..., 1000) = 1000
                """);
        assertThat(s.events()).extracting(Script.Event::time).containsExactly(
                Time.absolute(100_000), Time.relative(250_000), Time.any(),
                new Time(Time.Kind.RANGE_RELATIVE, 0, 200_000, true),
                new Time(Time.Kind.RANGE_ABSOLUTE, 1_000_000, 2_000_000, false),
                Time.relative(0));
        assertThat(((SyscallEvent) s.events().get(5)).end()).isEqualTo(Time.absolute(300_000));
    }

    @Test
    void packetsWithFlagsSequenceAckWindowAndOptionsInOrder() throws Exception {
        Script s = parse("+0 < S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>\n"
                + "+0 > S. 0:0(0) ack 1 <...>\n+0 > P. 1:1001(1000) ack 1\n+0 < . 1:1(0) ack 1 win 257 <nop,nop,TS val 5 ecr 7,nop,nop,sack 1:2 3:4>");
        PacketEvent syn = (PacketEvent) s.events().get(0);
        assertThat(syn.inbound()).isTrue();
        assertThat(syn.flags()).isEqualTo(TcpFlags.SYN);
        assertThat(syn.window()).isEqualTo(32792L);
        assertThat(syn.options()).extracting(Script.Option::toString)
                .containsExactly("mss 1000", "sackOK", "nop", "nop", "nop", "wscale 7");
        PacketEvent synAck = (PacketEvent) s.events().get(1);
        assertThat(synAck.flags()).isEqualTo(TcpFlags.SYN | TcpFlags.ACK);
        assertThat(synAck.options()).isNull();
        PacketEvent data = (PacketEvent) s.events().get(2);
        assertThat(data.seqStart()).isEqualTo(1);
        assertThat(data.length()).isEqualTo(1000);
        assertThat(data.options()).isEmpty();
        assertThat(data.window()).isNull();
        PacketEvent ts = (PacketEvent) s.events().get(3);
        assertThat(ts.options()).extracting(Script.Option::toString).contains("TS val 5 ecr 7", "sack 1:2 3:4");
    }

    @Test
    void syscallsWithEllipsisPointersStructsFlagsAndErrno() throws Exception {
        Script s = parse("""
                +0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)
                +0 setsockopt(3, SOL_SOCKET, SO_LINGER, {onoff=1, linger=0}, 8) = 0
                +0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
                +0 poll([{fd=4, events=POLLIN, revents=POLLIN}], 1, 0) = 1
                """);
        SyscallEvent connect = (SyscallEvent) s.events().get(0);
        assertThat(connect.name()).isEqualTo("connect");
        assertThat(connect.args().get(1)).isInstanceOf(Ellipsis.class);
        assertThat(connect.errno()).isEqualTo("EINPROGRESS");
        assertThat(((SyscallEvent) s.events().get(1)).args().get(3)).isInstanceOf(StructExpr.class);
        assertThat(SyscallConstants.num(((SyscallEvent) s.events().get(2)).args().get(2), 3)).isEqualTo(0x802);
        assertThat(((SyscallEvent) s.events().get(3)).args().get(0)).isInstanceOf(ListExpr.class);
    }

    @Test
    void commentsOptionsShellLinesAndContinuationLines() throws Exception {
        Script s = parse("""
                // a comment
                --tolerance_usecs=10000
                /* a block
                   comment */
                `../common/defaults.sh`
                0 setsockopt(3, SOL_SOCKET, SO_LINGER,
                             {onoff=1, linger=0}, 8) = 0
                +0 close(3) = 0 // trailing comment
                """);
        assertThat(s.options()).containsEntry("tolerance_usecs", "10000");
        assertThat(s.events().get(0)).isInstanceOf(ShellEvent.class);
        assertThat(s.events().get(1).line()).isEqualTo(6);
        assertThat(s.events().get(2).line()).isEqualTo(8);
        assertThat(s.skipReason()).isNull();
    }

    @Test
    void codeBlocksAreTimedEventsKeptVerbatim() throws Exception {
        Script s = parse("0 close(3) = 0\n+.5 %{\nassert tcpi_rto // 2 > 0 # half\n}%\n+0 %{ assert 1 }%\n");
        assertThat(s.events()).hasSize(3);
        CodeEvent c = (CodeEvent) s.events().get(1);
        assertThat(c.line()).isEqualTo(2);
        assertThat(c.time().micros()).isEqualTo(500_000);
        assertThat(c.code()).contains("tcpi_rto // 2 > 0 # half"); // '//' is Python's floor division, not a comment
        assertThat(((CodeEvent) s.events().get(2)).code().strip()).isEqualTo("assert 1");
    }

    @Test
    void multiLineShellCommandsAreOneEventPlacedAsInitOrCleanup() throws Exception {
        Script s = parse("""
                `../common/defaults.sh
                sysctl -q net.ipv4.tcp_sack=0 // not a comment in shell
                `
                0 close(3) = 0
                +1 `sysctl -q net.ipv4.tcp_ecn=0`
                +0 close(4) = 0
                `/tmp/sysctl_restore_${PPID}.sh`
                """);
        ShellEvent init = (ShellEvent) s.events().get(0);
        assertThat(init.placement()).isEqualTo(Placement.INIT);
        assertThat(init.command()).isEqualTo("../common/defaults.sh\nsysctl -q net.ipv4.tcp_sack=0 // not a comment in shell");
        assertThat(s.events().get(1).line()).isEqualTo(4);
        assertThat(((ShellEvent) s.events().get(2)).placement()).isEqualTo(Placement.TIMED);
        assertThat(((ShellEvent) s.events().get(4)).placement()).isEqualTo(Placement.CLEANUP);
        assertThatThrownBy(() -> parse("0 close(3) = 0\n`true`\n+0 close(4) = 0\n")).hasMessageContaining("without a time");
    }

    @Test
    void definesReplaceWordsOutsideStringsShellAndCode() throws Exception {
        Script s = ScriptParser.parse("t", "0 close(FD) = 0\n+0 %{ assert FD == 1 }%\n+0 `echo FD`\n", Map.of("FD", "7"));
        assertThat(((SyscallEvent) s.events().get(0)).args()).containsExactly(new Num(7));
        assertThat(((CodeEvent) s.events().get(1)).code()).contains("FD == 1");
        assertThat(((ShellEvent) s.events().get(2)).command()).isEqualTo("echo FD");
    }

    @Test
    void ackWithoutTheAckFlagIsARawHeaderValueAndAMissingAckIsZero() throws Exception {
        PacketEvent syn = (PacketEvent) parse("+0 < S 0:0(0) ack 77 win 1000\n").events().get(0);
        assertThat(syn.ack()).isEqualTo(77);
        PacketEvent gro = (PacketEvent) parse("+0 < . 1:10001(10000) win 320\n").events().get(0);
        assertThat(gro.ack()).isZero();
    }

    @Test
    void linuxOnlyOptionsAndEcnAnnotationsAreUnsupportedNotSyntaxErrors() throws Exception {
        assertThat(((PacketEvent) parse("+0 < S 0:0(0) win 1000 <mss 1460,FOEXP,FO 0123abcd>\n").events().get(0)).options())
                .hasToString("[mss 1460, FOEXP, FO 0123abcd]");
        assertThat(unsupported("+0 < S 0:0(0) win 1000 <md5 0xab>\n")).contains("MD5");
        assertThat(unsupported("+0 < [flowlabel 7] . 1:1(0) ack 1 win 1000\n")).contains("flow label");
        assertThat(unsupported("+0 > icmp unreachable port_unreachable\n")).contains("outbound ICMP");
        assertThat(unsupported("+0 < icmp echo_request\n")).contains("echo_request");
        assertThat(unsupported("+0 < icmp unreachable port_unreachable [udp (10)]\n")).contains("UDP");
        PacketEvent plain = (PacketEvent) parse("+0 > [noecn] . 1:1(0) ack 1\n").events().get(0);
        assertThat(plain.ttl()).isNull();
        assertThat(((PacketEvent) parse("+0 < (ttl 3) . 1:1(0) ack 1 win 9\n").events().get(0)).ttl()).isEqualTo(3);
    }

    @Test
    void ecnAnnotationsAndFlagsAreParsed() throws Exception {
        assertThat(((PacketEvent) parse("+0 > [noecn] . 1:1(0) ack 1\n").events().get(0)).ecn()).isEqualTo(IpEcn.NOT_ECT);
        assertThat(((PacketEvent) parse("+0 > . 1:1(0) ack 1\n").events().get(0)).ecn()).isNull();
        assertThat(((PacketEvent) parse("+0 < [ect0] . 1:1(0) ack 1 win 9\n").events().get(0)).ecn()).isEqualTo(IpEcn.ECT0);
        assertThat(((PacketEvent) parse("+0 < [ect1] . 1:1(0) ack 1 win 9\n").events().get(0)).ecn()).isEqualTo(IpEcn.ECT1);
        assertThat(((PacketEvent) parse("+0 < [ce] . 1:1(0) ack 1 win 9\n").events().get(0)).ecn()).isEqualTo(IpEcn.CE);
        assertThat(((PacketEvent) parse("+0 > [ect01] . 1:1(0) ack 1\n").events().get(0)).ecn()).isEqualTo(PacketEvent.ECN_ECT01);
        PacketEvent syn = (PacketEvent) parse("+0 < SEW 0:0(0) win 9\n").events().get(0);
        assertThat(syn.flags()).isEqualTo(TcpFlags.SYN | TcpFlags.ECE | TcpFlags.CWR);
    }

    @Test
    void inboundIcmpErrorsParseAsPacketdrillWritesThem() throws Exception {
        IcmpEvent frag = (IcmpEvent) parse("+0 < icmp unreachable frag_needed mtu 1200 [1:1461(1460)]\n").events().get(0);
        assertThat(frag).isEqualTo(new IcmpEvent(1, Script.Time.relative(0), 0, 3, 4, 1200, 1, 1460));
        IcmpEvent bare = (IcmpEvent) parse("+0 < icmp unreachable port_unreachable\n").events().get(0);
        assertThat(bare.code()).isEqualTo(3);
        assertThat(bare.mtu()).isEqualTo(-1);
        assertThat(bare.seqStart()).isZero();
        IcmpEvent numbered = (IcmpEvent) parse("+0 < icmp type_11 code_1 [7:7(0)]\n").events().get(0);
        assertThat(numbered.type()).isEqualTo(11);
        assertThat(numbered.code()).isEqualTo(1);
        assertThatThrownBy(() -> parse("+0 < icmp unreachable port_unreachable mtu 1200\n"))
                .hasMessageContaining("only valid for unreachable frag_needed");
        assertThatThrownBy(() -> parse("+0 < icmp unreachable no_such_code\n")).hasMessageContaining("bad ICMP code");
        assertThatThrownBy(() -> parse("+0 < icmp unreachable frag_needed [1:5(3)]\n")).hasMessageContaining("does not match");
    }

    private static String unsupported(String text) {
        ScriptException e = org.junit.jupiter.api.Assertions.assertThrows(ScriptException.class, () -> parse(text));
        assertThat(e.unsupported()).as(e.getMessage()).isTrue();
        return e.getMessage();
    }

    @Test
    void msghdrWithCountsAndPositionalIovecs() throws Exception {
        SyscallEvent e = (SyscallEvent) parse("""
                +0 sendmsg(4, {msg_name(...)=...,
                               msg_iov(2)=[{..., 40}, {..., 2}], msg_flags=0}, 0) = 42
                """).events().get(0);
        StructExpr msg = (StructExpr) e.args().get(1);
        assertThat(msg.fields()).containsKeys("msg_name", "msg_iov", "msg_flags");
        StructExpr iov = (StructExpr) ((ListExpr) msg.fields().get("msg_iov")).items().get(0);
        assertThat(iov.fields()).containsEntry("#1", new Num(40));
        assertThatThrownBy(() -> parse("+0 sendmsg(4, {msg_iov(3)=[{..., 1}], msg_flags=0}, 0) = 1\n")).hasMessageContaining("has 1 elements");
    }

    @Test
    void errorsNameTheirLine() {
        assertThatThrownBy(() -> parse("0 close(3) = 0\n+0 < S 0:0(0) <mss 1460>\n"))
                .isInstanceOf(ScriptException.class).hasMessageContaining("win").extracting(e -> ((ScriptException) e).line()).isEqualTo(2);
        assertThatThrownBy(() -> parse("\n\n+0 > Q 0:0(0)\n")).hasMessageContaining("unknown TCP flag 'Q'")
                .extracting(e -> ((ScriptException) e).line()).isEqualTo(3);
        assertThatThrownBy(() -> parse("+0 > . 1:5(3) ack 1\n")).hasMessageContaining("does not match the length");
        assertThatThrownBy(() -> parse("* close(3) = 0\n")).hasMessageContaining("outbound packets only");
        assertThatThrownBy(() -> parse("+0 < * 1:1(0)\n")).isInstanceOf(ScriptException.class);
        assertThatThrownBy(() -> parse("+0 > . 1:1(0) ack 1 <fancy 3>\n")).hasMessageContaining("unknown TCP option 'fancy'");
        assertThatThrownBy(() -> parse("+0 close(3)\n")).hasMessageContaining("expected '='");
        assertThatThrownBy(() -> parse("+0 < . 1:1(0) ack 1 win 9 <...>\n")).hasMessageContaining("only be used with outbound");
    }
}
