package dev.synack.wire;

import static dev.synack.wire.WireBytes.hex;
import static dev.synack.wire.WireBytes.referenceChecksum;
import static dev.synack.wire.WireBytes.referenceSum;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChecksumTest {

    @Test
    void rfc1071NumericalExample() {
        // RFC 1071 §3: the words 0001 f203 f4f5 f6f7 sum to 2ddf0, folded ddf2.
        byte[] data = hex("00 01 f2 03 f4 f5 f6 f7");
        assertThat(Checksum.fold(Checksum.add(0, data, 0, data.length))).isEqualTo(0xddf2);
        assertThat(Checksum.compute(data, 0, data.length)).isEqualTo(0x220d);
        assertThat(Checksum.compute(ByteBuffer.wrap(data), 0, data.length)).isEqualTo(0x220d);
    }

    @Test
    void classicIpv4HeaderExample() {
        // The well-known example header whose checksum is b861.
        byte[] header = hex("45 00 00 73 00 00 40 00 40 11 00 00 c0 a8 00 01 c0 a8 00 c7");
        assertThat(Checksum.compute(ByteBuffer.wrap(header), 0, header.length)).isEqualTo(0xb861);
        header[10] = (byte) 0xb8;
        header[11] = 0x61;
        assertThat(Checksum.fold(Checksum.add(0, ByteBuffer.wrap(header), 0, header.length))).isEqualTo(0xffff);
    }

    @Test
    void oddLengthPadsTheLastByteAsTheHighHalfOfAWord() {
        byte[] data = hex("ab");
        assertThat(Checksum.fold(Checksum.add(0, data, 0, 1))).isEqualTo(0xab00);
        assertThat(Checksum.fold(Checksum.add(0, ByteBuffer.wrap(data), 0, 1))).isEqualTo(0xab00);
        byte[] three = hex("12 34 56");
        assertThat(Checksum.fold(Checksum.add(0, three, 0, 3))).isEqualTo(0x1234 + 0x5600);
    }

    @Test
    void emptyRangeSumsToZero() {
        assertThat(Checksum.add(0, new byte[4], 2, 0)).isZero();
        assertThat(Checksum.compute(ByteBuffer.allocate(0), 0, 0)).isEqualTo(0xffff);
    }

    @Test
    void carriesAreFoldedBackOverLongRuns() {
        // All-ones words: their one's complement sum stays ffff however many there are.
        byte[] ones = new byte[65_536 * 4];
        Arrays.fill(ones, (byte) 0xff);
        assertThat(Checksum.fold(Checksum.add(0, ones, 0, ones.length))).isEqualTo(0xffff);
        assertThat(Checksum.compute(ByteBuffer.wrap(ones), 0, ones.length)).isZero();
        // 8000 + 8000 = 1 0000, which folds to 0001.
        byte[] halves = hex("80 00 80 00");
        assertThat(Checksum.fold(Checksum.add(0, halves, 0, 4))).isEqualTo(0x0001);
    }

    @Test
    void pseudoHeaderSumsLikeTheTwelveBytesItStandsFor() {
        int source = Ipv4Address.parse("192.168.1.10");
        int destination = Ipv4Address.parse("10.250.3.4");
        // RFC 9293 §3.1: source, destination, zero, PTCL=6, TCP length.
        byte[] pseudo = hex("c0 a8 01 0a 0a fa 03 04 00 06 05 dc");
        assertThat(Checksum.fold(Checksum.pseudoHeader(source, destination, 6, 1500)))
                .isEqualTo(referenceSum(pseudo, 0, pseudo.length));
    }

    @Test
    void evenRangesAccumulateToTheSumOfTheWhole() {
        byte[] data = new byte[101];
        new SplittableRandom(7).nextBytes(data);
        long sum = Checksum.add(0, data, 0, 40);
        sum = Checksum.add(sum, ByteBuffer.wrap(data), 40, 20);
        sum = Checksum.add(sum, ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN), 60, 41);
        assertThat(Checksum.finish(sum)).isEqualTo(referenceChecksum(data, 0, data.length));
    }

    @Test
    void addWordAndAddIntAddSixteenBitWords() {
        assertThat(Checksum.fold(Checksum.addWord(0, 0x1_2345))).isEqualTo(0x2345);
        assertThat(Checksum.fold(Checksum.addInt(0, 0xffff_0001))).isEqualTo(0x0001);
    }

    @Test
    void leavesPositionAndLimitAlone() {
        ByteBuffer buffer = ByteBuffer.allocate(64);
        buffer.position(3).limit(50);
        Checksum.add(0, buffer, 5, 40);
        assertThat(buffer.position()).isEqualTo(3);
        assertThat(buffer.limit()).isEqualTo(50);
    }

    @Test
    void rejectsRangesOutsideTheData() {
        assertThatThrownBy(() -> Checksum.add(0, new byte[10], 4, 7)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> Checksum.add(0, new byte[10], -1, 2)).isInstanceOf(IndexOutOfBoundsException.class);
        ByteBuffer limited = ByteBuffer.allocate(20).limit(10);
        assertThatThrownBy(() -> Checksum.add(0, limited, 8, 4)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    /** The wide-word paths against the word-by-word reference, over every length, offset and buffer kind. */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 42, 0x5eed, 20261121, -9})
    void matchesTheReferenceForRandomData(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int round = 0; round < 200; round++) {
            int offset = random.nextInt(9);
            int length = random.nextInt(round % 10 == 0 ? 70_000 : 300);
            byte[] data = new byte[offset + length + random.nextInt(4)];
            random.nextBytes(data);
            int expected = referenceChecksum(data, offset, length);
            String context = "seed " + seed + " round " + round + " offset " + offset + " length " + length;

            assertThat(Checksum.compute(data, offset, length)).as(context + " byte[]").isEqualTo(expected);
            assertThat(Checksum.compute(ByteBuffer.wrap(data), offset, length)).as(context + " heap").isEqualTo(expected);
            assertThat(Checksum.compute(ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN), offset, length))
                    .as(context + " little-endian").isEqualTo(expected);
            ByteBuffer direct = ByteBuffer.allocateDirect(data.length);
            direct.put(0, data);
            assertThat(Checksum.compute(direct, offset, length)).as(context + " direct").isEqualTo(expected);
            ByteBuffer readOnly = ByteBuffer.wrap(data).asReadOnlyBuffer();
            assertThat(Checksum.compute(readOnly, offset, length)).as(context + " read-only").isEqualTo(expected);
            // A heap slice: its index 0 is not its array's index 0.
            ByteBuffer slice = ByteBuffer.wrap(data).slice(offset, data.length - offset);
            assertThat(Checksum.compute(slice, 0, length)).as(context + " heap slice").isEqualTo(expected);
            assertThat(Checksum.compute(direct.duplicate().order(ByteOrder.LITTLE_ENDIAN), offset, length))
                    .as(context + " direct little-endian").isEqualTo(expected);
        }
    }
}
