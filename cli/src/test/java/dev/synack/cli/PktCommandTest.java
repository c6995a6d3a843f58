package dev.synack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code synack pkt}: one line per script, the summary last, exit status 1 when any failed. */
class PktCommandTest {
    private static final String PASSING = "// closes a descriptor that does not exist\n0 close(3) = -1 EBADF\n";
    private static final String FAILING = "// expects the wrong result\n0 close(3) = 0\n";
    private static final String SKIPPED = "// uses a shell command\n`sysctl -w x=1`\n0 close(3) = -1 EBADF\n";

    @Test
    void reportsEachScriptAndASummary(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.pkt"), PASSING);
        Files.writeString(dir.resolve("b.pkt"), FAILING);
        Files.writeString(dir.resolve("c.pkt"), SKIPPED);
        DemoRunner.Result r = DemoRunner.run("pkt", dir.toString());
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
        assertThat(r.out().lines().toList()).containsExactly(
                "pass " + dir.resolve("a.pkt"),
                "fail " + dir.resolve("b.pkt") + ":2: close() returned -1 EBADF, expected 0",
                "skipped " + dir.resolve("c.pkt") + ": shell command at line 2: sysctl x has no corresponding synack setting: `sysctl -w x=1`",
                "1 passed, 1 failed, 1 skipped");
    }

    @Test
    void exitsZeroWhenNothingFailed(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a.pkt"), PASSING);
        Files.writeString(dir.resolve("c.pkt"), SKIPPED);
        DemoRunner.Result r = DemoRunner.run("pkt", dir.resolve("a.pkt").toString(), dir.resolve("c.pkt").toString());
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).endsWith("1 passed, 0 failed, 1 skipped" + System.lineSeparator());
    }

    @Test
    void packetdrillOptionsAndDefinesApplyToEveryScript(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("d.pkt"), "// closes a descriptor given by -D\n0 close(FD) = -1 EBADF\n");
        DemoRunner.Result r = DemoRunner.run("pkt", "-D", "FD=9", "--tolerance_usecs=10000", "--strict_segments",
                dir.resolve("d.pkt").toString());
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).startsWith("pass ");
        DemoRunner.Result unknown = DemoRunner.run("pkt", "-D", "FD=9", "--speed=10", dir.resolve("d.pkt").toString());
        assertThat(unknown.out()).contains("skipped " + dir.resolve("d.pkt") + ": option --speed is not supported");
        assertThat(DemoRunner.run("pkt", "-x", dir.resolve("d.pkt").toString()).exitCode()).isEqualTo(2);
    }

    @Test
    void aMissingFileFailsAndNoFileIsAUsageError(@TempDir Path dir) {
        DemoRunner.Result r = DemoRunner.run("pkt", dir.resolve("nope.pkt").toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.out()).contains("fail " + dir.resolve("nope.pkt") + ": cannot read");
        assertThat(DemoRunner.run("pkt").exitCode()).isEqualTo(2);
    }

    @Test
    void traceDrawsTheRunAsALadder(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("open.pkt"), """
                // a passive open
                0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
                +0 bind(3, ..., ...) = 0
                +0 listen(3, 1) = 0
                +0 < S 0:0(0) win 65535 <mss 1000>
                +0 > S. 0:0(0) ack 1 <mss 1460>
                +.1 < . 1:1(0) ack 1 win 65535
                """);
        DemoRunner.Result r = DemoRunner.run("pkt", "--trace", dir.resolve("open.pkt").toString());
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("Ladder: local 192.168.0.1").contains("state SYN_RECV -> ESTABLISHED")
                .contains("0.100000");
    }
}
