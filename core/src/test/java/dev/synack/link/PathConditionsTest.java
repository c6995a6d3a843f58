package dev.synack.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PathConditionsTest {
    @Test
    void noneIsAPerfectWire() {
        assertThat(PathConditions.NONE.hasFaults()).isFalse();
        assertThat(PathConditions.NONE.delayNanos()).isZero();
        assertThat(PathConditions.NONE.toString()).isEqualTo("delay 0ms");
    }

    @Test
    void builderRoundTripsAndDescribesEveryCondition() {
        PathConditions c = PathConditions.builder().delay(Duration.ofMillis(20)).jitter(Duration.ofMillis(5)).loss(0.1)
                .burst(0.01, 0.5).reorder(0.05, Duration.ofMillis(3)).duplicate(0.01).corrupt(0.02)
                .bandwidth(10_000_000, 64_000).partition(Duration.ofSeconds(1), Duration.ofSeconds(2)).build();
        assertThat(c.toBuilder().build()).isEqualTo(c).hasSameHashCodeAs(c);
        assertThat(c.withDelay(Duration.ofMillis(1))).isNotEqualTo(c);
        assertThat(c.withDelay(Duration.ofMillis(1)).lossRate()).isEqualTo(0.1);
        assertThat(c.hasFaults()).isTrue();
        assertThat(c.toString()).isEqualTo("delay 20ms, jitter 5ms, loss 10%, burst (enter 1%, exit 50%, loss 100%), "
                + "reorder 5% by 3ms, duplicate 1%, corrupt 2%, bandwidth 10Mbit/s, queue 64000 B, partition [1000ms, 2000ms)");
    }

    @Test
    void badValuesAreRejectedWithTheirName() {
        assertThatThrownBy(() -> PathConditions.builder().loss(1.5)).hasMessageContaining("loss");
        assertThatThrownBy(() -> PathConditions.builder().loss(Double.NaN)).hasMessageContaining("loss");
        assertThatThrownBy(() -> PathConditions.builder().delay(Duration.ofMillis(-1))).hasMessageContaining("delay");
        assertThatThrownBy(() -> PathConditions.builder().burst(0.1, 0)).hasMessageContaining("burst exit");
        assertThatThrownBy(() -> PathConditions.builder().bandwidth(-1)).hasMessageContaining("bandwidth");
        assertThatThrownBy(() -> PathConditions.builder().bandwidth(1000, 0)).hasMessageContaining("queue");
        assertThatThrownBy(() -> PathConditions.builder().partition(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .hasMessageContaining("partition");
    }
}
