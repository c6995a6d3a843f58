package dev.synack.wire;

import java.nio.ByteBuffer;
import java.util.HexFormat;

/**
 * Test helpers: hex literals, and a deliberately plain Internet checksum (one byte pair at a time,
 * carries folded in a loop) that the tests use as an independent reference for {@link Checksum}.
 */
final class WireBytes {
    private WireBytes() {}

    /** Bytes from hex text; spaces are ignored. */
    static byte[] hex(String text) {
        return HexFormat.of().parseHex(text.replace(" ", ""));
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    /** The 16-bit one's complement sum of {@code length} bytes, summed word by word. */
    static int referenceSum(byte[] data, int offset, int length) {
        long sum = 0;
        for (int i = 0; i < length; i += 2) {
            int high = data[offset + i] & 0xff;
            int low = i + 1 < length ? data[offset + i + 1] & 0xff : 0;
            sum += (high << 8) | low;
        }
        while ((sum >>> 16) != 0) sum = (sum & 0xffff) + (sum >>> 16);
        return (int) sum;
    }

    static int referenceChecksum(byte[] data, int offset, int length) {
        return ~referenceSum(data, offset, length) & 0xffff;
    }

    /** Recomputes the IPv4 header checksum of the packet starting at index 0 (IHL taken from byte 0). */
    static void fixIpChecksum(byte[] packet) {
        int headerLength = (packet[0] & 0x0f) * 4;
        packet[10] = 0;
        packet[11] = 0;
        int c = referenceChecksum(packet, 0, headerLength);
        packet[10] = (byte) (c >>> 8);
        packet[11] = (byte) c;
    }

    /** Recomputes the TCP checksum (pseudo-header included) of the packet at index 0. */
    static void fixTcpChecksum(byte[] packet) {
        int ipHeaderLength = (packet[0] & 0x0f) * 4;
        int totalLength = ((packet[2] & 0xff) << 8) | (packet[3] & 0xff);
        int tcpLength = totalLength - ipHeaderLength;
        packet[ipHeaderLength + 16] = 0;
        packet[ipHeaderLength + 17] = 0;
        byte[] pseudo = new byte[12 + tcpLength];
        System.arraycopy(packet, 12, pseudo, 0, 8);
        pseudo[9] = 6;
        pseudo[10] = (byte) (tcpLength >>> 8);
        pseudo[11] = (byte) tcpLength;
        System.arraycopy(packet, ipHeaderLength, pseudo, 12, tcpLength);
        int c = referenceChecksum(pseudo, 0, pseudo.length);
        packet[ipHeaderLength + 16] = (byte) (c >>> 8);
        packet[ipHeaderLength + 17] = (byte) c;
    }

    /** Both checksums, the IP header's last (it does not cover the TCP checksum field). */
    static void fixChecksums(byte[] packet) {
        fixTcpChecksum(packet);
        fixIpChecksum(packet);
    }

    static byte[] toArray(ByteBuffer buffer, int from, int to) {
        byte[] out = new byte[to - from];
        buffer.get(from, out);
        return out;
    }
}
