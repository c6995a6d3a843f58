package dev.synack.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ComparisonTest {
    @Test
    void ratioIsSynackOverKernel() {
        assertThat(new Comparison("x", 30, 10, "u").ratio()).isEqualTo(3.0);
        assertThat(Comparison.ratio(1, 4)).isEqualTo(0.25);
    }

    @Test
    void noKernelFigureGivesNoRatio() {
        assertThat(Comparison.ratio(5, 0)).isNaN();
        assertThat(Comparison.ratio(Double.NaN, 3)).isNaN();
        assertThat(Comparison.ratioLine(Comparison.ratio(5, 0))).isEqualTo("ratio: n/a");
    }

    @Test
    void ratiosKeepThreeSignificantDigits() {
        assertThat(Comparison.formatRatio(123.456)).isEqualTo("123");
        assertThat(Comparison.formatRatio(12.345)).isEqualTo("12.3");
        assertThat(Comparison.formatRatio(1.2345)).isEqualTo("1.23");
        assertThat(Comparison.formatRatio(0.012345)).isEqualTo("0.012");
        assertThat(Comparison.ratioLine(0.5)).isEqualTo("ratio: 0.500");
    }

    @Test
    void aLineNamesBothFiguresTheUnitAndTheRatio() {
        assertThat(new Comparison("throughput, MTU 1500", 2.5, 10, "Gbit/s").line())
                .isEqualTo("throughput, MTU 1500: synack 2.50 Gbit/s, kernel 10.0 Gbit/s, ratio 0.250");
    }

    @Test
    void aSilentProgressHasNoWriterYetAcceptsEveryCall() {
        Progress p = Progress.silent();
        org.assertj.core.api.Assertions.assertThatCode(() -> {
            p.phase("x");
            p.update(5, 10);
            p.update(5, 0); // a zero total must not divide by zero either
            p.done();
        }).doesNotThrowAnyException();
    }

    @Test
    void progressRewritesOneLineAndErasesIt() {
        java.io.StringWriter text = new java.io.StringWriter();
        Progress p = new Progress(new java.io.PrintWriter(text));
        p.phase("copying");
        p.done();
        assertThat(text.toString()).startsWith("\rcopying ...").doesNotContain("\n").endsWith("\r");
    }
}
