package dev.synack.pkt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synack.tcp.TcpConfig;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What the runner does for FreeBSD's scripts: net.inet.tcp sysctls, #ifdef blocks, the profile option. */
class FreeBsdScriptsTest {
    private static TcpConfig afterSysctls(String command) {
        ShellCommands.Settings s = new ShellCommands.Settings(TcpConfig.freebsd());
        assertThat(ShellCommands.apply(command, Script.Placement.INIT, s)).isNull();
        return s.build();
    }

    @Test
    void freebsdSysctlsMapOntoTheProfile() {
        TcpConfig c = afterSysctls("sysctl -w net.inet.tcp.insecure_rst=1; sysctl -w net.inet.tcp.insecure_syn=1;"
                + " sysctl -w net.inet.tcp.delacktime=40; sysctl -w net.inet.tcp.rexmit_slop=100;"
                + " sysctl -w net.inet.tcp.recvspace=32768; sysctl -w net.inet.tcp.sendspace=16384;"
                + " sysctl -w kern.ipc.maxsockbuf=8388608; sysctl -w net.inet.tcp.rfc1323=0; sysctl -w net.inet.tcp.sack.enable=0;"
                + " sysctl -w net.inet.tcp.keepcnt=3; sysctl -w net.inet.tcp.msl=1000; sysctl -w net.inet.tcp.cc.algorithm=newreno");
        assertThat(c.rstChallenge()).isFalse();
        assertThat(c.synChallenge()).isFalse();
        assertThat(c.delayedAckMaxNanos()).isEqualTo(Duration.ofMillis(40).toNanos());
        assertThat(c.rtoSlopNanos()).isEqualTo(Duration.ofMillis(100).toNanos());
        assertThat(c.receiveBufferSize()).isEqualTo(32768);
        assertThat(c.sendBufferSize()).isEqualTo(16384);
        assertThat(c.windowScale()).isEqualTo(8); // 65535 << 8 covers 8 MiB
        assertThat(c.timestamps()).isFalse();
        assertThat(c.windowScaling()).isFalse();
        assertThat(c.sack()).isFalse();
        assertThat(c.keepaliveProbes()).isEqualTo(3);
        assertThat(c.mslNanos()).isEqualTo(Duration.ofSeconds(1).toNanos());
        assertThat(c.congestionAlgorithm()).isEqualTo(dev.synack.tcp.CongestionAlgorithm.NEW_RENO);
        assertThat(FreeBsdSysctls.scaleFor(2097152)).isEqualTo(6);
    }

    @Test
    void aFreebsdSysctlWithoutASettingIsNamed() {
        ShellCommands.Settings s = new ShellCommands.Settings(TcpConfig.freebsd());
        assertThat(ShellCommands.apply("sysctl -w net.inet.tcp.keepinit=75000", Script.Placement.INIT, s))
                .contains("net.inet.tcp.keepinit");
        assertThat(ShellCommands.apply("sysctl -w net.inet.tcp.blackhole=2", Script.Placement.INIT, s)).contains("blackhole");
    }

    @Test
    void ifdefBlocksFollowThePlatformAndKeepLineNumbers() throws ScriptException {
        String text = "a\n#ifdef FreeBSD\nb\n#else\nc\n#endif\n#ifndef FreeBSD\nd\n#endif\ne";
        assertThat(ScriptConditionals.apply(text, Set.of("FreeBSD"))).isEqualTo("a\n\nb\n\n\n\n\n\n\ne");
        assertThat(ScriptConditionals.apply(text, Set.of("Linux"))).isEqualTo("a\n\n\n\nc\n\n\nd\n\ne");
        String nested = "#ifdef A\n#ifdef B\nx\n#else\ny\n#endif\n#endif";
        assertThat(ScriptConditionals.apply(nested, Set.of("A"))).isEqualTo("\n\n\n\ny\n\n");
        assertThat(ScriptConditionals.apply(nested, Set.of("B"))).isEqualTo("\n\n\n\n\n\n");
    }

    @Test
    void unbalancedConditionalsAreSyntaxErrors() {
        assertThatThrownBy(() -> ScriptConditionals.apply("#ifdef A\nx", Set.of())).hasMessageContaining("#endif");
        assertThatThrownBy(() -> ScriptConditionals.apply("#endif", Set.of())).hasMessageContaining("#endif without");
        assertThatThrownBy(() -> ScriptConditionals.apply("#ifdef A\n#else\n#else\n#endif", Set.of())).hasMessageContaining("#else");
    }

    @Test
    void tcpOverUdpIsSkippedNotFailed() {
        String script = "// TCP in UDP\n0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
                + "+0 < S 0:0(0) win 65535 <mss 1460>/udp(1 > 9811)\n";
        assertThat(PktRunner.runText("udp", script).describe()).startsWith("skipped").contains("UDP");
    }

    @Test
    void theCommandLineProfileWinsOverTheScripts() {
        String script = "// a FreeBSD SYN\n--profile=freebsd\n0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n"
                + "+0 fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0\n"
                + "+0 connect(3, ..., ...) = -1 EINPROGRESS (Operation now in progress)\n"
                + "+0 > S 0:0(0) win 65535 <mss 1460,nop,wscale 6,sackOK,TS val 100 ecr 0>\n";
        assertThat(PktRunner.runText("syn", script).status()).isEqualTo(Outcome.Status.PASS);
        PktRunner.RunOptions linux = new PktRunner.RunOptions(Map.of("profile", "linux"), Map.of());
        assertThat(PktRunner.runText("syn", script, linux, null).status()).isEqualTo(Outcome.Status.FAIL);
        PktRunner.RunOptions solaris = new PktRunner.RunOptions(Map.of("profile", "solaris"), Map.of());
        assertThat(PktRunner.runText("syn", script, solaris, null).describe()).contains("not linux, freebsd or rfc");
    }
}
