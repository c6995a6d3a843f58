package dev.synack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** {@code synack bench}: the subcommand structure and a small goodput table (virtual time, so deterministic). */
@Execution(ExecutionMode.SAME_THREAD)
class BenchCommandTest {
    private static final Pattern CELL = Pattern.compile("([0-9]+\\.[0-9])%");

    @Test
    void benchWithoutAMeasurementIsAUsageError() {
        DemoRunner.Result r = DemoRunner.run("bench");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("Missing measurement: choose one of goodput");
    }

    @Test
    void goodputPrintsOneRowPerLossAndRttWithAColumnPerVariant() {
        DemoRunner.Result r = DemoRunner.run("bench", "goodput", "--bandwidth", "10Mbit", "--rtt", "10ms",
                "--loss", "0,5%", "--warmup", "1s", "--window", "2s");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines.get(0)).contains("10 Mbit/s");
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("NewReno", "NewReno+SACK", "CUBIC", "CUBIC+SACK"));
        double[] clean = cells(lines, "0%");
        double[] lossy = cells(lines, "5%");
        for (int i = 0; i < 4; i++) {
            assertThat(clean[i]).isPositive().isLessThanOrEqualTo(100.0);
            assertThat(lossy[i]).isPositive().isLessThan(clean[i]);
        }
        // The same options and seed give the same table.
        assertThat(DemoRunner.run("bench", "goodput", "--bandwidth", "10Mbit", "--rtt", "10ms", "--loss", "0,5%",
                "--warmup", "1s", "--window", "2s").out()).isEqualTo(r.out());
    }

    @Test
    void badOptionsAreUsageErrors() {
        assertThat(DemoRunner.run("bench", "goodput", "--loss", "x").exitCode()).isEqualTo(2);
        assertThat(DemoRunner.run("bench", "goodput", "--rtt", "0").exitCode()).isEqualTo(2);
        assertThat(DemoRunner.run("bench", "goodput", "--window", "0").exitCode()).isEqualTo(2);
        assertThat(DemoRunner.run("bench", "goodput", "--buffer", "-1").exitCode()).isEqualTo(2);
    }

    private static double[] cells(List<String> lines, String loss) {
        String row = lines.stream().filter(l -> l.startsWith(loss + " ")).findFirst().orElseThrow();
        Matcher m = CELL.matcher(row);
        double[] out = new double[4];
        for (int i = 0; i < 4; i++) {
            assertThat(m.find()).as(row).isTrue();
            out[i] = Double.parseDouble(m.group(1));
        }
        return out;
    }
}
