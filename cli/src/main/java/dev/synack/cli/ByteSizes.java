package dev.synack.cli;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Byte counts on the command line: "2GiB", "256MiB", "64KiB", "1GB", "1500" (bytes). The binary
 * units (KiB, MiB, GiB) are powers of 1024, the decimal ones (kB, MB, GB) powers of 1000.
 */
final class ByteSizes {
    private static final Pattern NUMBER_UNIT = Pattern.compile("([0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)\\s*([a-zA-Z]*)");

    private ByteSizes() {}

    static long parse(String text) {
        Matcher m = NUMBER_UNIT.matcher(text.strip());
        if (!m.matches()) throw new IllegalArgumentException("'" + text + "' is not a size; write e.g. 256MiB, 2GiB or 1500");
        BigDecimal multiplier = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "", "b" -> BigDecimal.ONE;
            case "kib", "k" -> BigDecimal.valueOf(1L << 10);
            case "mib", "m" -> BigDecimal.valueOf(1L << 20);
            case "gib", "g" -> BigDecimal.valueOf(1L << 30);
            case "tib", "t" -> BigDecimal.valueOf(1L << 40);
            case "kb" -> BigDecimal.valueOf(1_000L);
            case "mb" -> BigDecimal.valueOf(1_000_000L);
            case "gb" -> BigDecimal.valueOf(1_000_000_000L);
            case "tb" -> BigDecimal.valueOf(1_000_000_000_000L);
            default -> throw new IllegalArgumentException("'" + text + "' has an unknown unit '" + m.group(2)
                    + "'; use B, KiB, MiB, GiB, TiB (or kB, MB, GB, TB)");
        };
        BigDecimal bytes = new BigDecimal(m.group(1)).multiply(multiplier);
        if (bytes.signum() <= 0) throw new IllegalArgumentException("'" + text + "' must be more than 0 bytes");
        if (bytes.compareTo(BigDecimal.valueOf(1L << 50)) > 0) throw new IllegalArgumentException("'" + text + "' is too large");
        if (bytes.stripTrailingZeros().scale() > 0) throw new IllegalArgumentException("'" + text + "' is not a whole number of bytes");
        return bytes.longValueExact();
    }

    /** "2 GiB", "256 MiB", "1500 B": the largest binary unit that divides the count. */
    static String format(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        int u = 0;
        long v = bytes;
        while (u < units.length - 1 && v >= 1024 && v % 1024 == 0) {
            v /= 1024;
            u++;
        }
        return v + " " + units[u];
    }

    static final class Converter implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
