package dev.synack.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.LongStream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A bounded run of the whole-input-path fuzzer in every build: explicit seeds, each a round of two
 * stacks with live connections under attack (see {@link StackFuzzer}). A failure names its seed;
 * rerun it with {@code ./synack fuzz --seed N --rounds 1}. Longer runs: {@code ./synack fuzz --seconds N}.
 */
@Timeout(120)
class StackFuzzTest {
    static LongStream seeds() {
        return LongStream.rangeClosed(1, 120);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void connectionsSurviveTheAttack(long seed) {
        StackFuzzer.Report r = StackFuzzer.run(seed);
        assertThat(r.attackPackets()).isPositive();
        assertThat(r.legitimatePackets()).isPositive();
    }
}
