package dev.synack.bench;

import java.util.Locale;

/**
 * One synack figure beside the kernel's, measured in the same run, with their ratio (synack over
 * kernel: above 1 means synack did more per second).
 *
 * @param what what was measured, e.g. "throughput, MTU 65535"
 * @param unit the unit of both figures, e.g. "Gbit/s"
 */
public record Comparison(String what, double synack, double kernel, String unit) {
    /** synack / kernel; NaN when the kernel's figure is 0 or either is not a number. */
    public double ratio() {
        return ratio(synack, kernel);
    }

    public static double ratio(double synack, double kernel) {
        if (!(kernel > 0) || Double.isNaN(synack)) return Double.NaN;
        return synack / kernel;
    }

    /** A ratio for people and scripts: three significant digits, "n/a" when there is none. */
    public static String formatRatio(double ratio) {
        if (Double.isNaN(ratio) || Double.isInfinite(ratio)) return "n/a";
        if (ratio >= 100) return String.format(Locale.ROOT, "%.0f", ratio);
        if (ratio >= 10) return String.format(Locale.ROOT, "%.1f", ratio);
        if (ratio >= 1) return String.format(Locale.ROOT, "%.2f", ratio);
        return String.format(Locale.ROOT, "%.3f", ratio);
    }

    /** A figure with three significant digits (at least the integer part). */
    public static String formatFigure(double value) {
        if (Double.isNaN(value)) return "n/a";
        double abs = Math.abs(value);
        if (abs >= 100) return String.format(Locale.ROOT, "%.0f", value);
        if (abs >= 10) return String.format(Locale.ROOT, "%.1f", value);
        return String.format(Locale.ROOT, "%.2f", value);
    }

    /** "what: synack 12.3 Gbit/s, kernel 10.1 Gbit/s, ratio 1.22". */
    public String line() {
        return String.format(Locale.ROOT, "%s: synack %s %s, kernel %s %s, ratio %s", what, formatFigure(synack), unit,
                formatFigure(kernel), unit, formatRatio(ratio()));
    }

    /**
     * "  CPU, whole process: synack 6.32 us per connection on 1.01 of 2 cores, kernel 95.5 us on 1.22":
     * the CPU each stack's process took per unit of work ({@code amountUnit} per {@code per}), beside
     * how many cores it kept busy doing it (see {@link ProcessCpu}).
     */
    public static String cpuLine(String amountUnit, String per, double synackCpu, double synackCores, double kernelCpu,
                                 double kernelCores) {
        return String.format(Locale.ROOT, "  CPU, whole process: synack %s %s per %s on %s of %d cores, kernel %s %s on %s",
                formatFigure(synackCpu), amountUnit, per, formatFigure(synackCores), Runtime.getRuntime().availableProcessors(),
                formatFigure(kernelCpu), amountUnit, formatFigure(kernelCores));
    }

    /** The machine-readable last line of a bench command: "ratio: 1.22". */
    public static String ratioLine(double ratio) {
        return "ratio: " + formatRatio(ratio);
    }
}
