package dev.synack.fuzz;

/** One direction of a fuzzed connection: what its sender writes and its receiver must read. */
final class FuzzStream {
    final long key;
    final int length;
    int written;
    boolean shutdown;
    int read;
    boolean eof;
    /** The sender's ISN, once its SYN was seen on the wire. */
    Integer isn;
    /** How far into the stream its sender has sent (seen on the wire), and whether its FIN went. */
    int sentUpTo;
    boolean finSent;

    FuzzStream(long key, int length) {
        this.key = key;
        this.length = length;
    }

    byte at(int offset) {
        return streamByte(key, offset);
    }

    /** The byte at {@code offset} of the stream {@code key}: a hash, so that anyone can know any byte. */
    private static byte streamByte(long key, int offset) {
        long z = key * 0x9E3779B97F4A7C15L + offset;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (byte) (z ^ (z >>> 31));
    }
}
