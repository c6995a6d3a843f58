package dev.synack.pkt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.pkt.Outcome.Status;
import java.util.List;
import java.util.Map;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;

/** The matcher fails wrong scripts at the right line with the right reason: the runner can fail. */
class ScriptRunnerTest {
    private static final String OPEN = """
            0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
            +0 bind(3, ..., ...) = 0
            +0 listen(3, 1) = 0
            +0 < S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>
            +0 > S. 0:0(0) ack 1 <mss 1460,nop,nop,sackOK,nop,wscale 8>
            +.1 < . 1:1(0) ack 1 win 257
            +0 accept(3, ..., ...) = 4
            """;

    /** A passive open whose peer offers only an MSS of 1000: no window scaling, no SACK, no timestamps. */
    private static final String OPEN_MSS_ONLY = """
            0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
            +0 bind(3, ..., ...) = 0
            +0 listen(3, 1) = 0
            +0 < S 0:0(0) win 65535 <mss 1000>
            +0 > S. 0:0(0) ack 1 <mss 1460>
            +.1 < . 1:1(0) ack 1 win 65535
            +0 accept(3, ..., ...) = 4
            """;

    private static Outcome run(String text) {
        return PktRunner.runText("t.pkt", text);
    }

    /** --ip_version=ipv6 runs the packets over IPv6 (MSS 1500 - 60), --mtu=1520 as packetdrill's run_all.py gives them back 1460. */
    @Test
    void ipVersionsAsPacketdrillHasThem() {
        String data = "+0 write(4, ..., 10) = 10\n+0 > P. 1:11(10) ack 1\n";
        assertThat(run("--ip_version=ipv6\n" + OPEN.replace("mss 1460", "mss 1440") + data).status()).isEqualTo(Status.PASS);
        assertThat(run("--ip_version=ipv6\n" + OPEN + data).message()).contains("expected mss 1460");
        assertThat(run("--ip_version=ipv6\n--mtu=1520\n" + OPEN + data).status()).isEqualTo(Status.PASS);
        assertThat(run("--ip_version=ipv4-mapped-ipv6\n" + OPEN + data).status()).isEqualTo(Status.PASS);
        String inet6 = OPEN.replace("socket(..., SOCK_STREAM", "socket(AF_INET6, SOCK_STREAM");
        assertThat(run("--ip_version=ipv6\n" + inet6.replace("mss 1460", "mss 1440") + data).status()).isEqualTo(Status.PASS);
        assertThat(run(inet6 + data).message()).contains("AF_INET (--ip_version)");
        List<String> sources = new ArrayList<>();
        PktRunner.runText("t.pkt", "--ip_version=ipv6\n" + OPEN.replace("mss 1460", "mss 1440") + data, PktRunner.RunOptions.NONE,
                e -> { if (e instanceof dev.synack.trace.TraceEvent.Packet p) sources.add(p.src()); });
        assertThat(sources).isNotEmpty().allMatch(src -> src.startsWith("[fd3d:"));
    }

    @Test
    void aCorrectScriptPasses() {
        assertThat(run(OPEN + "+0 write(4, ..., 10) = 10\n+0 > P. 1:11(10) ack 1\n").status()).isEqualTo(Status.PASS);
    }

    @Test
    void wrongOptionFailsAtItsLine() {
        Outcome o = run(OPEN.replace("wscale 8>", "wscale 7>"));
        assertThat(o.status()).isEqualTo(Status.FAIL);
        assertThat(o.line()).isEqualTo(5);
        assertThat(o.message()).contains("bad option 6 (expected wscale 7)");
    }

    @Test
    void wrongLengthSeqAckFlagsAndWindowEachFail() {
        assertThat(run(OPEN + "+0 write(4, ..., 10) = 10\n+0 > P. 1:10(9) ack 1\n").message()).contains("bad payload length");
        assertThat(run(OPEN + "+0 write(4, ..., 10) = 10\n+0 > P. 2:12(10) ack 1\n").message()).contains("bad sequence number");
        assertThat(run(OPEN + "+0 write(4, ..., 10) = 10\n+0 > P. 1:11(10) ack 2\n").message()).contains("bad ack number");
        assertThat(run(OPEN + "+0 write(4, ..., 10) = 10\n+0 > . 1:11(10) ack 1\n").message()).contains("bad flags");
        Outcome w = run(OPEN + "+0 write(4, ..., 10) = 10\n+0 > P. 1:11(10) ack 1 win 1\n");
        assertThat(w.message()).contains("bad window");
        assertThat(w.line()).isEqualTo(9);
    }

    @Test
    void aPacketTooEarlyOrNeverSentFails() {
        Outcome early = run(OPEN + "+0 write(4, ..., 10) = 10\n+1 > P. 1:11(10) ack 1\n");
        assertThat(early.message()).contains("timing error");
        assertThat(early.line()).isEqualTo(9);
        Outcome never = run(OPEN + "+0 > P. 1:11(10) ack 1\n");
        assertThat(never.message()).contains("sent nothing");
    }

    @Test
    void wrongSyscallResultsAndErrnosFail() {
        Outcome o = run(OPEN + "+0 close(9) = 0\n");
        assertThat(o.status()).isEqualTo(Status.FAIL);
        assertThat(o.line()).isEqualTo(8);
        assertThat(o.message()).contains("close() returned -1 EBADF, expected 0");
        Outcome r = run(OPEN + "+0 fcntl(4, F_SETFL, O_RDWR|O_NONBLOCK) = 0\n+0 read(4, ..., 10) = -1 ECONNRESET\n");
        assertThat(r.message()).contains("returned -1 EAGAIN, expected -1 ECONNRESET");
    }

    @Test
    void aBlockingCallMustReturnWhenTheScriptSays() {
        String early = OPEN + "+0...0.5 read(4, ..., 10) = 10\n+.2 < P. 1:11(10) ack 1 win 257\n";
        Outcome o = run(early);
        assertThat(o.status()).isEqualTo(Status.FAIL);
        assertThat(o.line()).isEqualTo(8);
        assertThat(o.message()).contains("expected to return at 0.600000");
        assertThat(run(OPEN + "+0...0.2 read(4, ..., 10) = 10\n+.2 < P. 1:11(10) ack 1 win 257\n").status()).isEqualTo(Status.PASS);
    }

    @Test
    void shellCommandsAndUnknownIpVersionsAreSkippedWithAReason() {
        assertThat(run("`sysctl -q net.ipv4.tcp_fack=1`\n0 close(3) = -1 EBADF\n").describe())
                .isEqualTo("skipped t.pkt: shell command at line 1: sysctl net.ipv4.tcp_fack has no corresponding synack setting: "
                        + "`sysctl -q net.ipv4.tcp_fack=1`");
        assertThat(run("--ip_version=ipv7\n0 close(3) = -1 EBADF\n").describe())
                .contains("--ip_version=ipv7 is not ipv4, ipv6 or ipv4-mapped-ipv6");
        assertThat(run("`../common/defaults.sh`\n0 close(3) = -1 EBADF\n").status()).isEqualTo(Status.PASS);
    }


    @Test
    void sysctlsInAMultiLineInitCommandConfigureTheStack() {
        String init = """
                `../common/defaults.sh
                # no timestamps, no SACK
                sysctl -q net.ipv4.tcp_timestamps=0 \\
                          net.ipv4.tcp_sack=0
                `
                """;
        String open = OPEN.replace("<mss 1000,sackOK,nop,nop,nop,wscale 7>", "<mss 1000,sackOK,TS val 1 ecr 0,nop,wscale 7>");
        assertThat(run(init + open.replace("<mss 1460,nop,nop,sackOK,nop,wscale 8>", "<mss 1460,nop,wscale 8>")).status())
                .isEqualTo(Status.PASS);
        // Without the sysctls the SYN-ACK carries SACK and timestamps: the same expectation fails.
        assertThat(run(open.replace("<mss 1460,nop,nop,sackOK,nop,wscale 8>", "<mss 1460,nop,wscale 8>")).message())
                .contains("bad options");
    }

    @Test
    void tcpRmemMaximumChoosesTheSynWindowScaleAsLinuxDoes() {
        String rmem = "`sysctl -q net.ipv4.tcp_rmem=\"4096 131072 $((6*1024*1024))\"`\n";
        assertThat(run(rmem + OPEN.replace("wscale 8>", "wscale 7>")).status()).isEqualTo(Status.PASS);
        // 16 MiB: 65535 << 8 falls one byte short, so the shift is 9.
        String big = "`set_sysctls.py /proc/sys/net/ipv4/tcp_rmem=\"4096 540000 16777216\"`\n";
        assertThat(run(big + OPEN.replace("wscale 8>", "wscale 9>")).status()).isEqualTo(Status.PASS);
    }

    @Test
    void shellCommandsSynackCannotHonourAreSkippedWithTheCommandQuoted() {
        assertThat(run("`tc qdisc replace dev tun0 root fq`\n" + OPEN).message())
                .isEqualTo("shell command at line 1: shell command cannot run in synack: `tc qdisc replace dev tun0 root fq`");
        assertThat(run("`sysctl -q net.ipv4.tcp_ecn=3`\n" + OPEN).message()).contains("Accurate ECN");
        assertThat(run("`sysctl -q net.ipv4.tcp_ecn=1`\n" + OPEN).status()).isEqualTo(Status.PASS);
        assertThat(run("`sysctl -q net.ipv4.tcp_ecn=0`\n" + OPEN).status()).isEqualTo(Status.PASS);
        // A sysctl once the run started would need a reconfigured stack.
        assertThat(run(OPEN + "+0 `sysctl -q net.ipv4.tcp_sack=0`\n").message()).contains("after the run started");
        // No-ops for synack: TSO knobs and offloads, the metrics cache, the restore script as cleanup.
        assertThat(run("`sysctl -q net.ipv4.tcp_tso_win_divisor=100\nethtool -K tun0 tso off gso off\nip tcp_metrics flush all`\n"
                + OPEN + "`/tmp/sysctl_restore_${PPID}.sh`\n").status()).isEqualTo(Status.PASS);
    }

    @Test
    void codeBlocksAssertOverATcpInfoSnapshotOfTheSocketUnderTest() {
        String ok = OPEN + """
                +0 %{
                assert tcpi_state == TCP_ESTABLISHED, tcpi_state
                assert tcpi_ca_state == TCP_CA_Open
                assert tcpi_snd_cwnd == 10 and tcpi_snd_ssthresh == 0x7fffffff
                assert (tcpi_options & TCPI_OPT_SACK) != 0 and not (tcpi_options & TCPI_OPT_TIMESTAMPS)
                assert tcpi_snd_wscale == 7 and tcpi_rcv_wscale == 8; assert tcpi_snd_mss == 1000 == tcpi_snd_mss
                assert 99000 <= tcpi_rtt <= 101000, 'rtt=%d' % tcpi_rtt
                limit = 200 * 1000 + tcpi_rtt // 2
                }%
                +1 %{ assert 990 <= tcpi_last_data_recv <= 1010 and tcpi_rto >= limit }%
                """;
        assertThat(run(ok).describe()).isEqualTo("pass t.pkt");
        Outcome bad = run(OPEN + "+0 %{ assert tcpi_snd_cwnd == 11, 'cwnd=%d' % tcpi_snd_cwnd }%\n");
        assertThat(bad.line()).isEqualTo(8);
        assertThat(bad.message()).isEqualTo("assertion failed in code block: tcpi_snd_cwnd == 11: cwnd=10");
        // After an inbound SYN the socket under test is the child, which has no descriptor until accept().
        assertThat(run(OPEN.replace("+0 accept(3, ..., ...) = 4\n", "") + "+0 %{ assert tcpi_state == 1 }%\n").message())
                .contains("no socket to use for code");
    }

    @Test
    void codeSynackCannotRunIsSkipped() {
        assertThat(run(OPEN + "+0 %{ print(tcpi_snd_cwnd) }%\n").message()).contains("not supported");
        assertThat(run(OPEN + "+0 %{ assert tcpi_sndbuf_limited == 0 }%\n").message())
                .isEqualTo("line 8: tcp_info field tcpi_sndbuf_limited is not reported by synack");
        assertThat(run(OPEN + "+0 %{ cwnd += 1 }%\n").message()).contains("augmented assignment");
    }

    /** The packet counts need RACK's per-segment records: without SACK the script is skipped where it reads one. */
    @Test
    void packetCountsWithoutSackAreSkippedAtTheirLine() {
        Outcome o = run(OPEN.replace("<mss 1460,nop,nop,sackOK,nop,wscale 8>", "<mss 1460,nop,wscale 8>").replace("sackOK,", "")
                + "+0 %{ assert tcpi_unacked == 0 }%\n");
        assertThat(o.describe()).isEqualTo("skipped t.pkt: line 8: tcp_info field tcpi_unacked is counted only on connections "
                + "with SACK and RACK (synack keeps no record of each segment otherwise)");
        assertThat(run(OPEN + "+0 %{ assert tcpi_unacked == 0 and tcpi_lost == 0 }%\n").status()).isEqualTo(Status.PASS);
    }

    @Test
    void hzPicksTheTimerTick() {
        assertThat(run("--hz=99\n0 close(3) = -1 EBADF\n").describe())
                .isEqualTo("skipped t.pkt: --hz=99 is not one of Linux's timer frequencies (100, 250, 300, 1000)");
        // Two segments out, RTT 100 ms: the loss probe waits 2 SRTT plus two ticks.
        String probe = OPEN + "+0 write(4, ..., 2000) = 2000\n+0 > P. 1:2001(2000) ack 1\n+.208 > P. 1001:2001(1000) ack 1\n";
        assertThat(run("--tolerance_usecs=1000\n--tolerance_percent=0\n" + probe).status()).isEqualTo(Status.PASS);
        assertThat(run("--hz=1000\n--tolerance_usecs=1000\n--tolerance_percent=0\n" + probe).status()).isEqualTo(Status.FAIL);
        assertThat(run("--hz=1000\n--tolerance_usecs=1000\n--tolerance_percent=0\n" + probe.replace("+.208", "+.202")).status()).isEqualTo(Status.PASS);
    }

    @Test
    void commandLineOptionsOverrideTheScriptsAndUnknownOnesSkip() {
        String late = OPEN + "+0 write(4, ..., 10) = 10\n+.05 > P. 1:11(10) ack 1\n";
        assertThat(PktRunner.runText("t.pkt", late, PktRunner.RunOptions.NONE, null).status()).isEqualTo(Status.FAIL);
        PktRunner.RunOptions wide = new PktRunner.RunOptions(Map.of("tolerance_usecs", "60000"), Map.of());
        assertThat(PktRunner.runText("t.pkt", "--tolerance_usecs=1000\n" + late, wide, null).status()).isEqualTo(Status.PASS);
        PktRunner.RunOptions unknown = new PktRunner.RunOptions(Map.of("speed", "10"), Map.of());
        assertThat(PktRunner.runText("t.pkt", OPEN, unknown, null).message()).isEqualTo("option --speed is not supported");
        PktRunner.RunOptions define = new PktRunner.RunOptions(Map.of(), Map.of("LEN", "10"));
        assertThat(PktRunner.runText("t.pkt", OPEN + "+0 write(4, ..., LEN) = LEN\n+0 > P. 1:11(10) ack 1\n", define, null).status())
                .isEqualTo(Status.PASS);
    }

    @Test
    void sendmsgRecvmsgWritevAndReadvMoveTheirIovecs() {
        String script = OPEN + """
                +0 sendmsg(4, {msg_name(...)=..., msg_iov(2)=[{..., 30}, {..., 12}], msg_flags=0}, 0) = 42
                +0 > P. 1:43(42) ack 1
                +0 < . 1:1(0) ack 43 win 257
                +0 writev(4, [{..., 8}], 1) = 8
                +0 > P. 43:51(8) ack 1
                +0 < P. 1:101(100) ack 51 win 257
                +0 recvmsg(4, {msg_name(...)=..., msg_iov(1)=[{..., 60}], msg_flags=0}, MSG_DONTWAIT) = 60
                +0 readv(4, [{..., 30}, {..., 30}], 2) = 40
                """;
        assertThat(run(script).describe()).isEqualTo("pass t.pkt");
        assertThat(run(OPEN + "+0 send(4, ..., 10, MSG_EOR) = 10\n+0 > P. 1:11(10) ack 1\n").describe()).isEqualTo("pass t.pkt");
        assertThat(run(OPEN + "+0 recv(4, ..., 10, MSG_TRUNC) = 10\n").message()).contains("MSG_TRUNC");
    }

    @Test
    void soSndbufIsDoubledAndLimitsWhatAWriteTakes() {
        String script = OPEN + """
                +0 setsockopt(4, SOL_SOCKET, SO_SNDBUF, [3000], 4) = 0
                +0 getsockopt(4, SOL_SOCKET, SO_SNDBUF, [6000], [4]) = 0
                +0 fcntl(4, F_SETFL, O_RDWR|O_NONBLOCK) = 0
                +0 write(4, ..., 10000) = 6000
                """;
        assertThat(run(script).describe()).isEqualTo("pass t.pkt");
        // Linux autotunes a buffer nobody set: reading it cannot be answered faithfully.
        assertThat(run(OPEN + "+0 getsockopt(4, SOL_SOCKET, SO_SNDBUF, [262144], [4]) = 0\n").status()).isEqualTo(Status.SKIP);
    }

    @Test
    void descriptorsAreTheScriptsLabelsAndNullBuffersFault() {
        String script = """
                0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 5
                +0 bind(5, ..., ...) = 0
                +0 listen(5, 1) = 0
                +0 < S 0:0(0) win 32792 <mss 1000,sackOK,nop,nop,nop,wscale 7>
                +0 > S. 0:0(0) ack 1 <...>
                +.1 < . 1:1(0) ack 1 win 257
                +0 accept(5, ..., ...) = 9
                +0 write(9, NULL, 100) = -1 EFAULT (Bad address)
                """;
        assertThat(run(script).describe()).isEqualTo("pass t.pkt");
    }

    @Test
    void anExceptionCaughtByTheStackFailsTheScript() {
        Script script;
        try {
            script = ScriptParser.parse("t.pkt", OPEN);
        } catch (ScriptException e) {
            throw new AssertionError(e);
        }
        // The stack catches what a trace listener throws and counts it as an internal error.
        Outcome o = ScriptRunner.run(script, Map.of(), e -> {
            throw new IllegalStateException("boom");
        });
        assertThat(o.status()).isEqualTo(Status.FAIL);
        assertThat(o.message()).contains("the stack caught an exception");
    }

    @Test
    void summaryCountsEachStatus() {
        List<Outcome> all = List.of(Outcome.pass("a"), Outcome.fail("b", 1, "x"), Outcome.skip("c", "y"), Outcome.pass("d"));
        assertThat(PktRunner.summary(all)).isEqualTo("2 passed, 1 failed, 1 skipped");
    }

    @Test
    void whatCannotBeRunFaithfullyIsSkippedNotIgnored() {
        assertThat(run("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 sendfile(4, 3, NULL, 10) = 10\n").describe())
                .isEqualTo("skipped t.pkt: line 2: system call sendfile() is not supported");
        assertThat(run("0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 setsockopt(3, SOL_SOCKET, SO_RCVBUF, [4096], 4) = 0\n")
                .message()).contains("SO_RCVBUF");
        assertThat(run(OPEN + "+0 < (tos 0x10) . 1:1(0) ack 1 win 257\n").status()).isEqualTo(Status.SKIP);
        assertThat(run(OPEN + "+0 < . 1:1(0) ack 1 win 257 <md5>\n").status()).isEqualTo(Status.SKIP);
        assertThat(run("--mtu=100\n0 close(3) = -1 EBADF\n").message()).contains("--mtu=100");
        assertThat(run("--mtu=1500\n0 close(3) = -1 EBADF\n").status()).isEqualTo(Status.PASS);
        assertThat(run("--gateway_ip=192.168.0.9\n0 close(3) = -1 EBADF\n").describe())
                .isEqualTo("skipped t.pkt: option --gateway_ip is not supported");
    }

    @Test
    void bindPortOptionMovesTheDefaultPort() {
        String script = "--bind_port=9000\n" + OPEN;
        assertThat(run(script).status()).isEqualTo(Status.PASS);
        // A SYN to 8080 now finds no listener: the reply is a RST, not a SYN-ACK.
        Outcome o = run("--bind_port=9000\n0 < S 0:0(0) win 100\n+0 > R. 0:0(0) ack 1\n");
        assertThat(o.status()).isEqualTo(Status.PASS);
    }

    @Test
    void tsValIsCheckedOnlyWithATick() {
        String active = """
                0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
                +0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0
                +0 connect(3, ..., ...) = -1 EINPROGRESS
                +0 > S 0:0(0) <mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 8>
                +.1 < S. 0:0(0) ack 1 win 65535 <mss 1460,sackOK,TS val 700 ecr 100,nop,wscale 7>
                +0 > . 1:1(0) ack 1 <nop,nop,TS val 999 ecr 700>
                """;
        assertThat(run(active).status()).isEqualTo(Status.PASS);
        Outcome o = run("--tcp_ts_tick_usecs=1000\n" + active);
        assertThat(o.status()).isEqualTo(Status.FAIL);
        assertThat(o.line()).isEqualTo(7);
        assertThat(o.message()).contains("bad TS val (expected 999, got 200");
    }

    @Test
    void aTrainOfSegmentsMatchesOneLineUnlessStrict() {
        String train = OPEN_MSS_ONLY + """
                +0 write(4, ..., 3000) = 3000
                +0 > P. 1:3001(3000) ack 1
                """;
        assertThat(run(train).status()).isEqualTo(Status.PASS);
        Outcome strict = run("--strict_segments\n" + train);
        assertThat(strict.status()).isEqualTo(Status.FAIL);
        assertThat(strict.message()).contains("bad flags");
    }

    @Test
    void aTrainMayHoldPushedSegmentsAsPacketdrillAggregatesPushedFragments() {
        // The first write's end goes out pushed; packetdrill compares PSH on the train's last segment only.
        String train = OPEN_MSS_ONLY + """
                +0 write(4, ..., 1000) = 1000
                +0 write(4, ..., 2000) = 2000
                +0 > P. 1:3001(3000) ack 1
                """;
        assertThat(run(train).status()).isEqualTo(Status.PASS);
        Outcome unpushedEnd = run(train.replace("> P. 1:3001", "> . 1:3001"));
        assertThat(unpushedEnd.status()).isEqualTo(Status.FAIL);
        assertThat(unpushedEnd.message()).contains("bad flags");
    }

    @Test
    void anExtraPacketFailsTheNextExpectation() {
        // The data segment is sent first; a script expecting a FIN first fails there.
        Outcome o = run(OPEN + "+0 write(4, ..., 10) = 10\n+0 close(4) = 0\n+0 > F. 11:11(0) ack 1\n");
        assertThat(o.status()).isEqualTo(Status.FAIL);
        assertThat(o.line()).isEqualTo(10);
        assertThat(o.message()).contains("got > P. 1:11(10)");
    }

    @Test
    void sequenceNumbersAreRelativeToTheInboundSynsIsn() {
        String script = """
                0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
                +0 bind(3, ..., ...) = 0
                +0 listen(3, 1) = 0
                +0 < S 5000:5000(0) win 65535 <mss 1000>
                +0 > S. 0:0(0) ack 5001 <mss 1460>
                +.1 < . 1:1(0) ack 1 win 65535
                +0 accept(3, ..., ...) = 4
                +0 < P. 1:11(10) ack 1 win 65535
                +0 > . 1:1(0) ack 11
                """;
        assertThat(run(script).status()).isEqualTo(Status.PASS);
        // Written as absolute numbers, the same ACK no longer matches; a SYN-ACK's ack is absolute
        // (as tcpdump prints it, and Linux's fastopen/server/simple1.pkt writes it).
        Outcome o = run(script.replace("+0 > . 1:1(0) ack 11", "+0 > . 1:1(0) ack 5011"));
        assertThat(o.message()).contains("bad ack number");
        assertThat(run(script.replace("ack 5001 <mss 1460>", "ack 1 <mss 1460>")).message()).contains("bad ack number");
    }

    @Test
    void flowsAreSeparateConnectionsWithTheirOwnIsns() {
        String script = """
                0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
                +0 bind(3, ..., ...) = 0
                +0 listen(3, 5) = 0
                +0 < S 0:0(0) win 65535 <mss 1000>
                +0 > S. 0:0(0) ack 1 <mss 1460>
                +0 <@1 S 700:700(0) win 65535 <mss 1000>
                +0 >@1 S. 0:0(0) ack 701 <mss 1460>
                +.1 <@1 . 1:1(0) ack 1 win 65535
                +0 accept(3, ..., ...) = 4
                +0 write(4, ..., 10) = 10
                +0 >@1 P. 1:11(10) ack 1
                """;
        assertThat(run(script).status()).isEqualTo(Status.PASS);
        Outcome o = run(script.replace("+0 >@1 P. 1:11(10) ack 1", "+0 > P. 1:11(10) ack 1"));
        assertThat(o.status()).isEqualTo(Status.FAIL);
        assertThat(o.message()).contains("a packet of another connection");
    }

    @Test
    void toleranceOptionsWidenTheTimingCheck() {
        String late = OPEN + "+0 write(4, ..., 10) = 10\n+.5 > P. 1:11(10) ack 1\n";
        assertThat(run(late).message()).contains("timing error").contains("tolerance 62500 us");
        assertThat(run("--tolerance_usecs=500000\n" + late).status()).isEqualTo(Status.PASS);
        assertThat(run("--tolerance_percent=100\n" + late).status()).isEqualTo(Status.PASS);
        assertThat(run("--tolerance_percent=0\n" + late).message()).contains("tolerance 4000 us");
    }

    @Test
    void rangesAndAnyTimeOnOutboundLines() {
        String base = OPEN + "+0 write(4, ..., 10) = 10\n";
        assertThat(run(base + "+0~+.1 > P. 1:11(10) ack 1\n").status()).isEqualTo(Status.PASS);
        assertThat(run(base + "+.2~+.3 > P. 1:11(10) ack 1\n").message()).contains("between");
        assertThat(run(base + "* > P. 1:11(10) ack 1\n").status()).isEqualTo(Status.PASS);
    }
}
