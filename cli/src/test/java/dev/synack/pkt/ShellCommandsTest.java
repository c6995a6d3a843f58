package dev.synack.pkt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.pkt.Script.Placement;
import dev.synack.tcp.CongestionAlgorithm;
import dev.synack.tcp.TcpConfig;
import org.junit.jupiter.api.Test;

/** Shell commands map onto TcpConfig, or name why not. */
class ShellCommandsTest {
    private static ShellCommands.Settings settings() {
        return new ShellCommands.Settings(ScriptRunner.packetdrillLinux());
    }

    @Test
    void commandsAreSplitJoinedAndStrippedOfComments() {
        assertThat(ShellCommands.commands("a b \\\n  c # note\nd; e\n# only a comment\n")).containsExactly("a b c", "d", "e");
        assertThat(ShellCommands.expand("4096 $((15*1024*1024)) $((256*1024))")).isEqualTo("4096 15728640 262144");
    }

    @Test
    void sysctlsSetTheConfiguration() {
        ShellCommands.Settings s = settings();
        assertThat(ShellCommands.apply("sysctl -q net.ipv4.tcp_congestion_control=reno net.ipv4.tcp_syn_retries=2\n"
                + "../common/set_sysctls.py /proc/sys/net/ipv4/tcp_window_scaling=0 /proc/sys/net/ipv4/tcp_wmem=\"4096 50000 4194304\"",
                Placement.INIT, s)).isNull();
        TcpConfig c = s.build();
        assertThat(c.congestionAlgorithm()).isEqualTo(CongestionAlgorithm.NEW_RENO);
        assertThat(c.synRetries()).isEqualTo(2);
        assertThat(c.windowScaling()).isFalse();
        assertThat(c.sendBufferSize()).isEqualTo(50000);
    }

    private static TcpConfig configFrom(String command) {
        ShellCommands.Settings s = settings();
        assertThat(ShellCommands.apply(command, Placement.INIT, s)).isNull();
        return s.build();
    }

    @Test
    void fastOpenSysctlsSetItsBitsAndKey() {
        TcpConfig c = configFrom("sysctl -q net.ipv4.tcp_fastopen=0x402 net.ipv4.tcp_fastopen_key=00000001-00000002-00000003-00000004");
        assertThat(c.fastOpen()).isEqualTo(0x402);
        assertThat(c.fastOpenKey0()).isEqualTo(0x0000000200000001L);
        assertThat(c.fastOpenKey1()).isEqualTo(0x0000000400000003L);
    }

    @Test
    void lossDetectionSysctlsChooseRackAndTailLossProbes() {
        TcpConfig off = configFrom("sysctl -q net.ipv4.tcp_recovery=0 net.ipv4.tcp_early_retrans=0");
        assertThat(off.rack()).isFalse();
        assertThat(off.tailLossProbes()).isFalse();

        TcpConfig all = configFrom("sysctl -q net.ipv4.tcp_recovery=7 net.ipv4.tcp_early_retrans=3");
        assertThat(all.rack()).isTrue();
        assertThat(all.rackStaticReorderingWindow()).isTrue();
        assertThat(all.rackDupThresh()).isFalse();
        assertThat(all.tailLossProbes()).isTrue();

        TcpConfig rack = configFrom("sysctl -q net.ipv4.tcp_recovery=1");
        assertThat(rack.rack()).isTrue();
        assertThat(rack.rackStaticReorderingWindow()).isFalse();
        assertThat(rack.rackDupThresh()).isTrue();
    }

    @Test
    void whatHasNoSettingIsRefusedWithTheCommand() {
        assertThat(ShellCommands.apply("sysctl -q net.ipv4.tcp_dsack=0", Placement.INIT, settings()))
                .isEqualTo("tcp_dsack=0 cannot be honoured (synack always sends D-SACK): `sysctl -q net.ipv4.tcp_dsack=0`");
        assertThat(ShellCommands.apply("sysctl -q net.ipv4.tcp_early_retrans=5", Placement.INIT, settings())).contains("not a documented value");
        assertThat(ShellCommands.apply("sysctl -q net.ipv4.tcp_recovery=0x9", Placement.INIT, settings()))
                .isEqualTo("tcp_recovery=0x9 (synack has settings for bits 0x1, 0x2 and 0x4 only): `sysctl -q net.ipv4.tcp_recovery=0x9`");
        assertThat(ShellCommands.apply("sysctl -q net.ipv4.tcp_fastopen_key=1-2-3", Placement.INIT, settings())).contains("Fast Open key");
        assertThat(ShellCommands.apply("sysctl -q net.ipv4.tcp_fastopen_blackhole_timeout_sec=3600", Placement.INIT, settings()))
                .contains("blackhole");
        assertThat(ShellCommands.apply("echo 3 > /sys/module/tcp_cubic/parameters/hystart_detect", Placement.INIT, settings()))
                .contains("cannot run");
        assertThat(ShellCommands.apply("/tmp/sysctl_restore_${PPID}.sh", Placement.TIMED, settings())).contains("during the run");
        assertThat(ShellCommands.apply("/tmp/sysctl_restore_${PPID}.sh", Placement.CLEANUP, settings())).isNull();
        assertThat(ShellCommands.apply("ip tcp_metrics flush all > /dev/null 2>&1", Placement.INIT, settings())).isNull();
    }
}
