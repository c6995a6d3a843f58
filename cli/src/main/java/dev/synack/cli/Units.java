package dev.synack.cli;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Human units on the command line: percentages ("10%", "0.5%"), durations ("20ms", "1.5s",
 * "250us") and bandwidths ("10Mbit", "100kbit/s", "1Gbps"). Each converter rejects what it cannot
 * read with a message naming the accepted forms (picocli turns it into exit status 2).
 */
final class Units {
    private static final Pattern NUMBER_UNIT = Pattern.compile("([0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)\\s*([a-zA-Z/%µ]*)");
    private static final Pattern PLAIN_NUMBER = Pattern.compile("[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+");
    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

    private Units() {}

    /** "10%" or "10" (percent; the sign is optional), 0 to 100, as a probability 0..1. */
    static double percent(String text) {
        String t = text.strip();
        if (t.endsWith("%")) t = t.substring(0, t.length() - 1).strip();
        if (!PLAIN_NUMBER.matcher(t).matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a percentage; write e.g. 10% or 0.5%");
        }
        BigDecimal value = new BigDecimal(t);
        if (value.signum() < 0 || value.compareTo(HUNDRED) > 0) {
            throw new IllegalArgumentException("'" + text + "' is out of range: give 0% to 100%");
        }
        return value.movePointLeft(2).doubleValue();
    }

    /** "20ms", "1.5s", "250us", "100ns", "0"; at most nanosecond precision, at most an hour. */
    static Duration duration(String text) {
        Matcher m = NUMBER_UNIT.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration; write e.g. 20ms, 1.5s or 250us");
        }
        BigDecimal value = new BigDecimal(m.group(1));
        String unit = m.group(2).toLowerCase(Locale.ROOT);
        int nanosShift = switch (unit) {
            case "ns" -> 0;
            case "us", "µs" -> 3;
            case "ms" -> 6;
            case "s" -> 9;
            case "" -> {
                if (value.signum() == 0) yield 0;
                throw new IllegalArgumentException("'" + text + "' needs a unit: ns, us, ms or s (e.g. 20ms)");
            }
            default -> throw new IllegalArgumentException("'" + text + "' has an unknown unit '" + m.group(2)
                    + "'; use ns, us, ms or s");
        };
        BigDecimal nanos = value.movePointRight(nanosShift);
        if (nanos.compareTo(BigDecimal.valueOf(Duration.ofHours(1).toNanos())) > 0) {
            throw new IllegalArgumentException("'" + text + "' is too long: at most 1 hour");
        }
        try {
            return Duration.ofNanos(nanos.longValueExact());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is finer than a nanosecond");
        }
    }

    /** "10Mbit", "10Mbit/s", "10Mbps", "100kbit", "1.5Gbit", "64000bit": bits per second, at least 1000. */
    static long bandwidth(String text) {
        Matcher m = NUMBER_UNIT.matcher(text.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a bandwidth; write e.g. 10Mbit, 100kbit or 1Gbit");
        }
        String unit = m.group(2);
        String lower = unit.toLowerCase(Locale.ROOT);
        if (lower.endsWith("/s")) lower = lower.substring(0, lower.length() - 2);
        else if (lower.endsWith("ps")) lower = lower.substring(0, lower.length() - 2) + "it";
        int shift = switch (lower) {
            case "bit" -> 0;
            case "kbit" -> 3;
            case "mbit" -> 6;
            case "gbit" -> 9;
            case "" -> throw new IllegalArgumentException("'" + text + "' needs a unit: bit, kbit, Mbit or Gbit (e.g. 10Mbit)");
            default -> throw new IllegalArgumentException("'" + text + "' has an unknown unit '" + unit
                    + "'; use bit, kbit, Mbit or Gbit (bits per second; bytes are not accepted)");
        };
        BigDecimal bits = new BigDecimal(m.group(1)).movePointRight(shift);
        if (bits.compareTo(BigDecimal.valueOf(1000)) < 0 || bits.compareTo(BigDecimal.valueOf(100_000_000_000L)) > 0) {
            throw new IllegalArgumentException("'" + text + "' is out of range: give 1kbit to 100Gbit");
        }
        return bits.longValue();
    }

    static final class PercentConverter implements CommandLine.ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            try {
                return percent(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return duration(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    static final class BandwidthConverter implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return bandwidth(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
