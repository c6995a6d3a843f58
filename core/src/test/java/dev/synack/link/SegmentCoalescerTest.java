package dev.synack.link;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.wire.Checksum;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Segments joined for a TUN device: what is written, cut again as the kernel's segmentation cuts a
 * super-segment (its header copied, sequence numbers advanced, PSH and FIN on the last piece),
 * gives back the segments that were added, byte for byte but for IP ID and checksums.
 */
class SegmentCoalescerTest {
    private static final int MSS = 1448;
    private static final int ACK = 0x10;
    private static final int PSH = 0x08;
    private static final int FIN = 0x01;

    private final ByteBuffer frame = ByteBuffer.allocate(VirtioNetHeader.SIZE + 65_535);
    private final List<byte[]> written = new ArrayList<>();
    private final SegmentCoalescer coalescer =
            new SegmentCoalescer(frame, length -> written.add(Arrays.copyOf(frame.array(), length)));
    private final Random random = new Random(5);

    /** An IPv4 TCP segment from 10.7.0.2:5000 to 10.7.0.1:80 with timestamps, checksums valid. */
    private byte[] segment(int seq, int flags, int payload, int tsval, int window) {
        byte[] p = new byte[20 + 32 + payload];
        ByteBuffer b = ByteBuffer.wrap(p);
        b.put(0, (byte) 0x45).putShort(2, (short) p.length).putShort(4, (short) random.nextInt()).putShort(6, (short) 0x4000);
        b.put(8, (byte) 64).put(9, (byte) 6).putInt(12, 0x0a070002).putInt(16, 0x0a070001);
        b.putShort(10, (short) Checksum.compute(b, 0, 20));
        b.putShort(20, (short) 5000).putShort(22, (short) 80).putInt(24, seq).putInt(28, 777);
        b.put(32, (byte) (8 << 4)).put(33, (byte) flags).putShort(34, (short) window);
        b.put(40, (byte) 1).put(41, (byte) 1).put(42, (byte) 8).put(43, (byte) 10).putInt(44, tsval).putInt(48, 99);
        for (int i = 0; i < payload; i++) p[52 + i] = (byte) (seq + i);
        long sum = Checksum.pseudoHeader(0x0a070002, 0x0a070001, 6, p.length - 20);
        b.putShort(36, (short) Checksum.finish(Checksum.add(sum, b, 20, p.length - 20)));
        return p;
    }

    /** The same segment over IPv6, from fd07::2 to fd07::1 with a flow label, no extension headers. */
    private byte[] segment6(int seq, int flags, int payload, int tsval, int window) {
        byte[] v4 = segment(seq, flags, payload, tsval, window);
        byte[] p = new byte[40 + v4.length - 20];
        System.arraycopy(v4, 20, p, 40, v4.length - 20);
        ByteBuffer b = ByteBuffer.wrap(p);
        b.putInt(0, 0x6001_2345).putShort(4, (short) (p.length - 40)).put(6, (byte) 6).put(7, (byte) 64);
        b.putLong(8, 0xfd07_0000_0000_0000L).putLong(16, 2).putLong(24, 0xfd07_0000_0000_0000L).putLong(32, 1);
        b.putShort(56, (short) 0);
        long sum = Checksum.pseudoHeader6(b.getLong(8), b.getLong(16), b.getLong(24), b.getLong(32), 6, p.length - 40);
        b.putShort(56, (short) Checksum.finish(Checksum.add(sum, b, 40, p.length - 40)));
        return p;
    }

    /** The IP header length of a test packet: 20 (IPv4) or 40 (IPv6). */
    private static int ip(byte[] packet) {
        return (packet[0] & 0xf0) == 0x60 ? 40 : 20;
    }

    private void add(byte[]... packets) {
        for (byte[] p : packets) coalescer.add(ByteBuffer.wrap(p), true);
    }

    /** A frame cut as the kernel cuts it: each piece with its IP and TCP checksums, ID and length fields zeroed. */
    private static List<byte[]> cut(byte[] frame) {
        ByteBuffer header = ByteBuffer.wrap(frame, 0, VirtioNetHeader.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        byte[] packet = Arrays.copyOfRange(frame, VirtioNetHeader.SIZE, frame.length);
        int ip = ip(packet);
        int gsoType = header.get(1);
        assertThat(header.get(0)).as("the kernel is asked to complete the TCP checksum").isEqualTo((byte) VirtioNetHeader.NEEDS_CSUM);
        assertThat(header.getShort(6)).isEqualTo((short) ip);
        assertThat(header.getShort(8)).isEqualTo((short) 16);
        // The kernel completes the checksum the header asks for: the whole is then valid.
        MemorySegment whole = MemorySegment.ofArray(packet.clone());
        assertThat(VirtioNetHeader.completeChecksum(MemorySegment.ofArray(Arrays.copyOf(frame, VirtioNetHeader.SIZE)),
                whole, packet.length)).isTrue();
        assertThat(validChecksums(whole.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE))).isTrue();
        if (gsoType == VirtioNetHeader.GSO_NONE) return List.of(normalized(packet));

        assertThat(gsoType).isEqualTo(ip == 20 ? VirtioNetHeader.GSO_TCPV4 : VirtioNetHeader.GSO_TCPV6);
        int headers = header.getShort(2);
        int gsoSize = header.getShort(4);
        if (ip == 20) {
            assertThat(ByteBuffer.wrap(packet).getShort(2) & 0xffff).as("IPv4 total length").isEqualTo(packet.length);
            assertThat(Checksum.compute(packet, 0, 20)).as("IPv4 header checksum").isZero();
        } else {
            assertThat(ByteBuffer.wrap(packet).getShort(4) & 0xffff).as("IPv6 payload length").isEqualTo(packet.length - 40);
        }

        List<byte[]> pieces = new ArrayList<>();
        int flags = packet[ip + 13] & 0xff;
        int seq = ByteBuffer.wrap(packet).getInt(ip + 4);
        for (int at = headers; at < packet.length; at += gsoSize) {
            int n = Math.min(gsoSize, packet.length - at);
            byte[] piece = new byte[headers + n];
            System.arraycopy(packet, 0, piece, 0, headers);
            System.arraycopy(packet, at, piece, headers, n);
            ByteBuffer p = ByteBuffer.wrap(piece);
            p.putInt(ip + 4, seq + (at - headers));
            boolean last = at + n == packet.length;
            p.put(ip + 13, (byte) (last ? flags : flags & ~(PSH | FIN)));
            pieces.add(normalized(piece));
        }
        return pieces;
    }

    private static boolean validChecksums(byte[] p) {
        ByteBuffer b = ByteBuffer.wrap(p);
        int ip = ip(p);
        if (ip == 40) {
            long sum = Checksum.pseudoHeader6(b.getLong(8), b.getLong(16), b.getLong(24), b.getLong(32), 6, p.length - 40);
            return Checksum.finish(Checksum.add(sum, b, 40, p.length - 40)) == 0;
        }
        long sum = Checksum.pseudoHeader(b.getInt(12), b.getInt(16), 6, p.length - 20);
        return Checksum.compute(p, 0, 20) == 0 && Checksum.finish(Checksum.add(sum, b, 20, p.length - 20)) == 0;
    }

    private static byte[] normalized(byte[] packet) {
        byte[] p = packet.clone();
        ByteBuffer b = ByteBuffer.wrap(p);
        if (ip(p) == 40) {
            b.putShort(4, (short) 0).putShort(56, (short) 0);
        } else {
            b.putShort(2, (short) 0).putShort(4, (short) 0).putShort(10, (short) 0).putShort(36, (short) 0);
        }
        return p;
    }

    private List<byte[]> cutAll() {
        List<byte[]> pieces = new ArrayList<>();
        for (byte[] f : written) pieces.addAll(cut(f));
        return pieces;
    }

    private static List<String> normalizedAll(byte[]... packets) {
        return Arrays.stream(packets).map(p -> Arrays.toString(normalized(p))).toList();
    }

    @Test
    void aBurstEndingInAPushIsOneSuperSegment() {
        byte[][] burst = {segment(1000, ACK, MSS, 5, 500), segment(1000 + MSS, ACK, MSS, 5, 500),
                segment(1000 + 2 * MSS, ACK, MSS, 5, 500), segment(1000 + 3 * MSS, ACK | PSH, 300, 5, 500)};
        add(burst);
        assertThat(written).hasSize(1);
        assertThat(written.getFirst()).hasSize(VirtioNetHeader.SIZE + 52 + 3 * MSS + 300);
        assertThat(cutAll().stream().map(Arrays::toString).toList()).isEqualTo(normalizedAll(burst));
    }

    @Test
    void whatIsHeldIsWrittenAtTheFlushAlone() {
        byte[] one = segment(1, ACK, MSS, 5, 500);
        add(one);
        assertThat(written).isEmpty();
        assertThat(coalescer.holdsPacket()).isTrue();
        coalescer.flush();
        assertThat(coalescer.holdsPacket()).isFalse();
        assertThat(written).hasSize(1);
        assertThat(cutAll().stream().map(Arrays::toString).toList()).isEqualTo(normalizedAll(one));
        coalescer.flush();
        assertThat(written).hasSize(1);
    }

    @Test
    void aChecksumTheStackLeftAsZeroIsCompletedByTheKernelAloneOrJoined() {
        byte[][] packets = {segment(1000, ACK, MSS, 5, 500), segment(1000 + MSS, ACK | PSH, 10, 5, 500),
                segment(9, ACK, 0, 6, 600), segment6(70, ACK, 0, 6, 600), segment6(5, ACK | PSH, 20, 6, 600)};
        for (byte[] p : packets) {
            ByteBuffer.wrap(p).putShort(ip(p) + 16, (short) 0); // as the stack encodes for a checksum-offloading link
            coalescer.add(ByteBuffer.wrap(p), true);
        }
        coalescer.flush();
        assertThat(written).hasSize(4);
        assertThat(cutAll().stream().map(Arrays::toString).toList()).isEqualTo(normalizedAll(packets)); // cut() checks the completed sums
    }

    @Test
    void aPacketWhoseChecksumIsNotLeftGoesOutAsItCameNeverJoined() {
        byte[] first = segment(1000, ACK, MSS, 5, 500);
        byte[] damaged = segment(1000 + MSS, ACK, MSS, 5, 500);
        damaged[100] ^= 0x40; // as a fault injector in front of the device damages it
        add(first);
        coalescer.add(ByteBuffer.wrap(damaged), false);
        coalescer.add(ByteBuffer.wrap(segment(1000 + 2 * MSS, ACK, MSS, 5, 500)), false);
        assertThat(written).hasSize(3);
        assertThat(coalescer.holdsPacket()).isFalse();
        byte[] frameOfDamaged = written.get(1);
        assertThat(Arrays.copyOf(frameOfDamaged, VirtioNetHeader.SIZE)).as("a header asking nothing").containsOnly(0);
        assertThat(Arrays.copyOfRange(frameOfDamaged, VirtioNetHeader.SIZE, frameOfDamaged.length)).isEqualTo(damaged);
        assertThat(validChecksums(damaged)).isFalse();
    }

    @Test
    void segmentsThatDoNotContinueTheSuperSegmentStartAnotherInOrder() {
        byte[][] packets = {
            segment(1000, ACK, MSS, 5, 500),
            segment(1000 + MSS, ACK, MSS, 5, 500),
            segment(1000 + 2 * MSS, ACK, MSS, 6, 500), // another timestamp
            segment(1000 + 3 * MSS, ACK, MSS, 6, 600), // another window
            segment(1000 + 5 * MSS, ACK, MSS, 6, 600), // a hole before it
            segment(9, ACK, 0, 6, 600),                // a pure ACK goes alone
            segment(1000 + 6 * MSS, ACK, MSS, 6, 600),
            segment(1000 + 7 * MSS, ACK, MSS + 1, 6, 600), // longer than the first: cannot be a piece
            segment(1000 + 8 * MSS + 1, ACK | FIN, 10, 6, 600),
        };
        add(packets);
        coalescer.flush();
        assertThat(written).hasSize(7);
        assertThat(cutAll().stream().map(Arrays::toString).toList()).isEqualTo(normalizedAll(packets));
    }

    @Test
    void aSuperSegmentStopsShortOf64KiB() {
        List<byte[]> packets = new ArrayList<>();
        for (int i = 0; i < 100; i++) packets.add(segment(i * MSS, ACK, MSS, 5, 500));
        add(packets.toArray(byte[][]::new));
        coalescer.flush();
        assertThat(written).allSatisfy(f -> assertThat(f.length - VirtioNetHeader.SIZE).isLessThanOrEqualTo(65_535));
        assertThat(written).hasSize(3); // 44 + 44 + 12 pieces
        assertThat(cutAll().stream().map(Arrays::toString).toList())
                .isEqualTo(normalizedAll(packets.toArray(byte[][]::new)));
    }

    @Test
    void randomBurstsComeBackAsTheyWentIn() {
        randomBurstsComeBack(20261207L, this::segment);
    }

    @Test
    void anIpv6BurstIsOneSuperSegmentAndAFamilyChangeStartsAnother() {
        byte[][] packets = {segment6(1000, ACK, MSS, 5, 500), segment6(1000 + MSS, ACK, MSS, 5, 500),
                segment6(1000 + 2 * MSS, ACK | PSH, 100, 5, 500),
                segment(1000 + 2 * MSS + 100, ACK, MSS, 5, 500), segment(1000 + 3 * MSS + 100, ACK, MSS, 5, 500)};
        add(packets);
        coalescer.flush();
        assertThat(written).hasSize(2);
        assertThat(ByteBuffer.wrap(written.getFirst(), 0, VirtioNetHeader.SIZE).get(1)).isEqualTo((byte) VirtioNetHeader.GSO_TCPV6);
        assertThat(cutAll().stream().map(Arrays::toString).toList()).isEqualTo(normalizedAll(packets));
    }

    @Test
    void randomIpv6BurstsComeBackAsTheyWentIn() {
        randomBurstsComeBack(20261208L, this::segment6);
    }

    /** Builds a test segment: {@link #segment} or {@link #segment6}. */
    @FunctionalInterface
    private interface SegmentBuilder {
        byte[] build(int seq, int flags, int payload, int tsval, int window);
    }

    /**
     * 2,000 segments drawn from {@code seed} (full, short, pure ACKs, PSH, FIN, holes, changing
     * timestamps and windows) with flushes between bursts: cut again, the frames give them all back.
     */
    private void randomBurstsComeBack(long seed, SegmentBuilder segments) {
        Random r = new Random(seed);
        List<byte[]> all = new ArrayList<>();
        int seq = r.nextInt();
        for (int i = 0; i < 2_000; i++) {
            int kind = r.nextInt(10);
            int flags = kind == 0 ? ACK | PSH : kind == 1 ? ACK | FIN : ACK;
            int payload = kind == 2 ? 0 : kind == 3 ? 1 + r.nextInt(MSS) : MSS;
            byte[] p = segments.build(seq, flags, payload, r.nextInt(3), 500 + r.nextInt(2));
            all.add(p);
            coalescer.add(ByteBuffer.wrap(p), true);
            seq += payload + (r.nextInt(20) == 0 ? 7 : 0);
            if (r.nextInt(15) == 0) coalescer.flush();
        }
        coalescer.flush();
        assertThat(written.size()).as("seed %d: fewer writes than packets", seed).isLessThan(all.size());
        assertThat(cutAll().stream().map(Arrays::toString).toList()).as("seed %d", seed)
                .isEqualTo(normalizedAll(all.toArray(byte[][]::new)));
    }
}
