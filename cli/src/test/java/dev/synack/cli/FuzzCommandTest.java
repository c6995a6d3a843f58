package dev.synack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code synack fuzz}: rounds from a seed, a summary line, exit status 2 on bad arguments. */
class FuzzCommandTest {
    @Test
    void runsTheRoundsAskedForAndSummarisesThem() {
        DemoRunner.Result r = DemoRunner.run("fuzz", "--seed", "5", "--rounds", "3", "--seconds", "60");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).startsWith("3 rounds (seeds 5..7): ").contains("every invariant held")
                .contains("counters (both stacks, all rounds):").contains("InMartianSrc=");
    }

    @Test
    void traceDrawsTheRound() {
        DemoRunner.Result r = DemoRunner.run("fuzz", "--seed", "2", "--rounds", "1", "--trace");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("client").contains("server").contains("martian source");
    }

    @Test
    void badArgumentsAreUsageErrors() {
        assertThat(DemoRunner.run("fuzz", "--seconds", "0").exitCode()).isEqualTo(2);
        assertThat(DemoRunner.run("fuzz", "--rounds", "0").exitCode()).isEqualTo(2);
        assertThat(DemoRunner.run("fuzz", "--seed", "x").exitCode()).isEqualTo(2);
    }
}
