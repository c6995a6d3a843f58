package dev.synack.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class UnitsTest {
    @ParameterizedTest
    @CsvSource({"10%, 0.1", "10, 0.1", "0.5%, 0.005", "0, 0", "100%, 1", "' 3 % ', 0.03"})
    void percentages(String text, double expected) {
        assertThat(Units.percent(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "%", "abc", "-1%", "101%", "1e2"})
    void badPercentagesSayWhatIsAccepted(String text) {
        assertThatThrownBy(() -> Units.percent(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'");
    }

    @ParameterizedTest
    @CsvSource({"20ms, 20000000", "1.5s, 1500000000", "250us, 250000", "100ns, 100", "0, 0", "0.5ms, 500000",
            "1h, -1"})
    void durations(String text, long nanos) {
        if (nanos < 0) {
            assertThatThrownBy(() -> Units.duration(text)).hasMessageContaining("unknown unit");
        } else {
            assertThat(Units.duration(text)).isEqualTo(Duration.ofNanos(nanos));
        }
    }

    @Test
    void durationsNeedAUnitAndAFiniteSize() {
        assertThatThrownBy(() -> Units.duration("20")).hasMessageContaining("needs a unit");
        assertThatThrownBy(() -> Units.duration("-5ms")).hasMessageContaining("not a duration");
        assertThatThrownBy(() -> Units.duration("2ms5")).hasMessageContaining("not a duration");
        assertThatThrownBy(() -> Units.duration("3601s")).hasMessageContaining("too long");
        assertThatThrownBy(() -> Units.duration("0.5ns")).hasMessageContaining("finer than a nanosecond");
    }

    @ParameterizedTest
    @CsvSource({"10Mbit, 10000000", "10mbit/s, 10000000", "10Mbps, 10000000", "100kbit, 100000",
            "1.5Gbit, 1500000000", "64000bit, 64000", "1kbps, 1000"})
    void bandwidths(String text, long bitsPerSecond) {
        assertThat(Units.bandwidth(text)).isEqualTo(bitsPerSecond);
    }

    @Test
    void badBandwidthsAreRejected() {
        assertThatThrownBy(() -> Units.bandwidth("10")).hasMessageContaining("needs a unit");
        assertThatThrownBy(() -> Units.bandwidth("10MB")).hasMessageContaining("bytes are not accepted");
        assertThatThrownBy(() -> Units.bandwidth("999bit")).hasMessageContaining("out of range");
        assertThatThrownBy(() -> Units.bandwidth("fast")).hasMessageContaining("not a bandwidth");
    }
}
