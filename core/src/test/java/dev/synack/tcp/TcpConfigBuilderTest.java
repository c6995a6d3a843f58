package dev.synack.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The builder's duration settings: each value reaches the built config, and a bad one is refused by name. */
class TcpConfigBuilderTest {
    @Test
    void durationSettingsReachTheConfig() {
        TcpConfig c = TcpConfig.linux().toBuilder()
                .timestampTick(Duration.ofMillis(4))
                .pawsIdleLimit(Duration.ofDays(1))
                .finWait2Timeout(Duration.ofSeconds(5))
                .keepaliveInterval(Duration.ofSeconds(3))
                .build();
        assertThat(c.timestampTickNanos()).isEqualTo(4_000_000L);
        assertThat(c.pawsIdleLimitNanos()).isEqualTo(Duration.ofDays(1).toNanos());
        assertThat(c.finWait2TimeoutNanos()).isEqualTo(5_000_000_000L);
        assertThat(c.keepaliveIntervalNanos()).isEqualTo(3_000_000_000L);
        // toBuilder starts from the config's values and leaves the config as it was.
        TcpConfig d = c.toBuilder().finWait2Timeout(Duration.ofSeconds(9)).build();
        assertThat(d.finWait2TimeoutNanos()).isEqualTo(9_000_000_000L);
        assertThat(c.finWait2TimeoutNanos()).isEqualTo(5_000_000_000L);
        assertThat(d.keepaliveIntervalNanos()).isEqualTo(3_000_000_000L);
    }

    @Test
    void nonPositiveDurationsAreRefusedByName() {
        TcpConfig.Builder b = TcpConfig.linux().toBuilder();
        assertThatThrownBy(() -> b.timestampTick(Duration.ZERO)).hasMessageContaining("timestampTick must be positive");
        assertThatThrownBy(() -> b.pawsIdleLimit(Duration.ofSeconds(-1))).hasMessageContaining("pawsIdleLimit must be positive");
        assertThatThrownBy(() -> b.finWait2Timeout(Duration.ZERO)).hasMessageContaining("finWait2Timeout must be positive");
        assertThatThrownBy(() -> b.keepaliveInterval(Duration.ZERO)).hasMessageContaining("keepaliveInterval must be positive");
    }

    @Test
    void theReceiveBufferCeilingIsNeverBelowTheStartingSize() {
        TcpConfig c = TcpConfig.linux().toBuilder().receiveBufferSize(8 << 20).maxReceiveBufferSize(1 << 20).build();
        assertThat(c.maxReceiveBufferSize()).isEqualTo(8 << 20);
    }
}
