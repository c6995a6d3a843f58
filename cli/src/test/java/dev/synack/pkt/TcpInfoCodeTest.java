package dev.synack.pkt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synack.pkt.Script.CodeEvent;
import dev.synack.pkt.Script.Time;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Python subset of code blocks evaluates as Python does. */
class TcpInfoCodeTest {
    private static CodeEvent block(String code) {
        return new CodeEvent(7, new Time(Time.Kind.RELATIVE, 0, 0, false), code);
    }

    private static Map<String, Object> run(String code) throws ScriptException {
        Map<String, Object> globals = new HashMap<>(TcpInfoCode.symbols());
        globals.put("tcpi_snd_cwnd", 10L);
        TcpInfoCode.run(block(code), globals);
        return globals;
    }

    @Test
    void arithmeticFollowsPython() throws Exception {
        Map<String, Object> g = run("""
                a = -7 // 2; b = -7 % 3; c = 7 / 2
                d = 1 << 4 | 3 & 1 ^ 2
                e = (tcpi_snd_cwnd + 2) * 3 - 1
                f = 0 or 5; h = 3 and 0
                """);
        assertThat(g).containsEntry("a", -4L).containsEntry("b", 2L).containsEntry("c", 3.5).containsEntry("d", 19L)
                .containsEntry("e", 35L).containsEntry("f", 5L).containsEntry("h", 0L);
    }

    @Test
    void chainedComparisonsAndAssertMessages() {
        assertThatThrownBy(() -> run("assert 1 < tcpi_snd_cwnd <= 9, 'cwnd=%d %s' % (tcpi_snd_cwnd, 'x')"))
                .hasMessage("assertion failed in code block: 1 < tcpi_snd_cwnd <= 9: cwnd=10 x");
        assertThatThrownBy(() -> run("assert TCP_CA_Loss == 3")).hasMessageContaining("TCP_CA_Loss == 3");
        assertThatThrownBy(() -> run("assert undefined_name == 1")).hasMessageContaining("name 'undefined_name' is not defined");
    }

    /** A packet count the snapshot lacks (no per-segment records) is unsupported, not the script's error. */
    @Test
    void aMissingPacketCountIsUnsupported() {
        assertThatThrownBy(() -> run("assert tcpi_lost == 0"))
                .isInstanceOfSatisfying(ScriptException.class, e -> assertThat(e.unsupported()).isTrue())
                .hasMessageContaining("tcpi_lost is counted only on connections with SACK and RACK");
    }

    @Test
    void variablesPersistFromBlockToBlock() throws Exception {
        Map<String, Object> globals = new HashMap<>();
        TcpInfoCode.run(block("TCP_INFINITE_SSTHRESH = 0x7fffffff"), globals);
        TcpInfoCode.run(block("assert TCP_INFINITE_SSTHRESH == 2147483647"), globals);
    }

    @Test
    void pythonBeyondTheSubsetIsUnsupported() {
        assertThat(TcpInfoCode.unsupported(block("import os"))).contains("not supported");
        assertThat(TcpInfoCode.unsupported(block("for i in x: pass"))).contains("not supported");
        assertThat(TcpInfoCode.unsupported(block("print(tcpi_rtt)"))).contains("not supported");
        assertThat(TcpInfoCode.unsupported(block("assert tcpi_sndbuf_limited == 0"))).contains("tcpi_sndbuf_limited");
        assertThat(TcpInfoCode.unsupported(block("assert tcpi_busy_time == 0"))).isNull();
        assertThat(TcpInfoCode.unsupported(block("assert tcpi_sacked == 0"))).isNull();
        assertThat(TcpInfoCode.unsupported(block("assert tcpi_snd_cwnd == 10  # comment\\\n"))).isNull();
    }
}
