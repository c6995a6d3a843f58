package dev.synack.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** How {@code bench flood} asks hping3 for a rate and a count, and reads back what it sent. */
class SynFloodInjectorTest {
    @Test
    void injectorsShareTheRateAndTheCountIsExact() {
        List<List<String>> one = SynFlood.injectorCommands("10.7.0.2", 7, 1000, 2);
        assertThat(one).containsExactly(List.of("hping3", "-q", "-S", "-p", "7", "--rand-source", "-i", "u940", "-c", "2000",
                "10.7.0.2"));
        List<List<String>> seven = SynFlood.injectorCommands("10.7.0.2", 7, 100_000, 10);
        assertThat(seven).hasSize(7);
        assertThat(seven.stream().mapToLong(c -> Long.parseLong(c.get(9))).sum()).isEqualTo(1_000_000);
        assertThat(seven).allSatisfy(c -> assertThat(c.get(7)).isEqualTo("u10"));
        assertThat(SynFlood.transmitted("--- 10.7.0.2 hping statistic ---\n40000 packets transmitted, 0 packets received"))
                .isEqualTo(40_000);
        assertThat(SynFlood.transmitted("hping3: socket: Operation not permitted")).isZero();
    }
}
