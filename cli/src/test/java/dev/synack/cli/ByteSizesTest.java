package dev.synack.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ByteSizesTest {
    @Test
    void binaryAndDecimalUnits() {
        assertThat(ByteSizes.parse("2GiB")).isEqualTo(2L << 30);
        assertThat(ByteSizes.parse("256MiB")).isEqualTo(256L << 20);
        assertThat(ByteSizes.parse("64 KiB")).isEqualTo(64L << 10);
        assertThat(ByteSizes.parse("1.5KiB")).isEqualTo(1536);
        assertThat(ByteSizes.parse("1GB")).isEqualTo(1_000_000_000L);
        assertThat(ByteSizes.parse("1500")).isEqualTo(1500);
        assertThat(ByteSizes.parse("4m")).isEqualTo(4L << 20);
    }

    @Test
    void nonsenseZeroAndFractionsOfBytesAreRejected() {
        assertThatThrownBy(() -> ByteSizes.parse("lots")).hasMessageContaining("not a size");
        assertThatThrownBy(() -> ByteSizes.parse("0")).hasMessageContaining("more than 0");
        assertThatThrownBy(() -> ByteSizes.parse("3 parsecs")).hasMessageContaining("unknown unit");
        assertThatThrownBy(() -> ByteSizes.parse("0.5")).hasMessageContaining("whole number");
        assertThatThrownBy(() -> ByteSizes.parse("9999TiB")).hasMessageContaining("too large");
    }

    @Test
    void formatUsesTheLargestExactBinaryUnit() {
        assertThat(ByteSizes.format(2L << 30)).isEqualTo("2 GiB");
        assertThat(ByteSizes.format(256L << 20)).isEqualTo("256 MiB");
        assertThat(ByteSizes.format(1500)).isEqualTo("1500 B");
        assertThat(ByteSizes.format(1536)).isEqualTo("1536 B");
    }
}
