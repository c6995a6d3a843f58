package dev.synack.tcp;

/**
 * Sequence-number arithmetic modulo 2^32 (RFC 9293 §3.4). Sequence numbers are {@code int}s; no code
 * compares them with {@code <} directly, only through these helpers.
 */
public final class Seq {
    private Seq() {}

    public static boolean lt(int a, int b) { return a - b < 0; }
    public static boolean le(int a, int b) { return a - b <= 0; }
    public static boolean gt(int a, int b) { return a - b > 0; }
    public static boolean ge(int a, int b) { return a - b >= 0; }

    /** The later of two sequence numbers. */
    public static int max(int a, int b) { return gt(a, b) ? a : b; }
    /** The earlier of two sequence numbers. */
    public static int min(int a, int b) { return lt(a, b) ? a : b; }

    /** {@code lo <= x < hi}, modulo 2^32. */
    public static boolean inWindow(int x, int lo, int hi) { return le(lo, x) && lt(x, hi); }

    /** Bytes from {@code from} up to {@code to} (non-negative when {@code from <= to}). */
    public static int distance(int from, int to) { return to - from; }
}
