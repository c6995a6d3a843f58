package dev.synack.wire;

/**
 * IPv6 address text and classes (RFC 4291), over the two longs {@link IpAddress} holds. Text is read
 * as RFC 4291 §2.2 allows (a "::" run of zeros, a trailing dotted quad) and written as RFC 5952 §4
 * recommends: lower case, leading zeros dropped, the longest run of two or more zero groups (the
 * first of equals) as "::", IPv4-mapped addresses with their dotted quad (§5).
 */
public final class Ipv6Address {
    private Ipv6Address() {}

    /** IPv6 text to an address; throws IllegalArgumentException for anything else. */
    public static IpAddress parse(String text) {
        int[] groups = new int[8];
        String t = text.trim();
        int gap = t.indexOf("::");
        if (gap >= 0 && t.indexOf("::", gap + 1) >= 0) throw bad(text);
        String head = gap >= 0 ? t.substring(0, gap) : t;
        String tail = gap >= 0 ? t.substring(gap + 2) : "";
        int headCount = readGroups(head, groups, text, gap < 0);
        int[] tailGroups = new int[8];
        int tailCount = readGroups(tail, tailGroups, text, true);
        if (gap < 0 ? headCount != 8 : headCount + tailCount > 7) throw bad(text);
        System.arraycopy(tailGroups, 0, groups, 8 - tailCount, tailCount);
        long hi = 0, lo = 0;
        for (int i = 0; i < 4; i++) hi = (hi << 16) | groups[i];
        for (int i = 4; i < 8; i++) lo = (lo << 16) | groups[i];
        return IpAddress.of(hi, lo);
    }

    /** Reads colon-separated groups into {@code into}; a dotted quad may end the part when {@code last}. */
    private static int readGroups(String part, int[] into, String text, boolean last) {
        if (part.isEmpty()) return 0;
        String[] pieces = part.split(":", -1);
        int n = 0;
        for (int i = 0; i < pieces.length; i++) {
            String piece = pieces[i];
            if (last && i == pieces.length - 1 && piece.indexOf('.') >= 0) {
                int v4 = Ipv4Address.parse(piece);
                if (n > 6) throw bad(text);
                into[n++] = v4 >>> 16;
                into[n++] = v4 & 0xffff;
                continue;
            }
            if (piece.isEmpty() || piece.length() > 4 || n >= 8) throw bad(text);
            int value = 0;
            for (int c = 0; c < piece.length(); c++) {
                int digit = Character.digit(piece.charAt(c), 16);
                if (digit < 0) throw bad(text);
                value = (value << 4) | digit;
            }
            into[n++] = value;
        }
        return n;
    }

    private static IllegalArgumentException bad(String text) {
        return new IllegalArgumentException("not an IPv6 address: " + text);
    }

    /** RFC 5952 text of the address {@code hi}, {@code lo}. */
    public static String format(long hi, long lo) {
        if (IpAddress.isIpv4(hi, lo)) return "::ffff:" + Ipv4Address.format((int) lo);
        int[] g = new int[8];
        for (int i = 0; i < 4; i++) {
            g[i] = (int) (hi >>> (48 - 16 * i)) & 0xffff;
            g[4 + i] = (int) (lo >>> (48 - 16 * i)) & 0xffff;
        }
        int bestStart = -1, bestLength = 1; // RFC 5952 §4.2.2: a single zero group is not shortened
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) { i++; continue; }
            int j = i;
            while (j < 8 && g[j] == 0) j++;
            if (j - i > bestLength) { bestStart = i; bestLength = j - i; }
            i = j;
        }
        StringBuilder out = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') out.append(':');
            out.append(Integer.toHexString(g[i]));
        }
        return out.toString();
    }

    /** fe80::/10, link-local unicast (RFC 4291 §2.5.6): the high long alone decides. */
    public static boolean isLinkLocal(long hi) { return (hi >>> 54) == (0xfe80L >>> 6); }

    /** ff00::/8, multicast (RFC 4291 §2.7). */
    public static boolean isMulticast(long hi) { return (hi >>> 56) == 0xff; }

    /** ::1 (RFC 4291 §2.5.3). */
    public static boolean isLoopback(long hi, long lo) { return hi == 0 && lo == 1; }

    /** Whether the first {@code bits} bits of {@code hi}, {@code lo} equal those of {@code prefix}. */
    public static boolean inPrefix(long hi, long lo, IpAddress prefix, int bits) {
        if (bits <= 0) return true;
        if (bits <= 64) return ((hi ^ prefix.hi()) & mask(bits)) == 0;
        return hi == prefix.hi() && ((lo ^ prefix.lo()) & mask(bits - 64)) == 0;
    }

    /** The top {@code bits} (1..64) bits of a long set. */
    private static long mask(int bits) { return bits >= 64 ? -1L : ~(-1L >>> bits); }
}
