package dev.synack.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * decode never throws, never moves the buffer and leaves a consistent packet, whatever the input:
 * random bytes, valid packets with random mutations (checksums sometimes repaired so that the later
 * checks are reached), and random option areas inside otherwise valid packets. Each seed is printed
 * with any failure.
 */
class PacketCodecFuzzTest {
    private static final int ROUNDS = 3000;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 1_000_003, 0xdecafbad, -77})
    void randomBytes(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<ParseResult, Integer> seen = new EnumMap<>(ParseResult.class);
        TcpPacket into = new TcpPacket();
        for (int round = 0; round < ROUNDS; round++) {
            byte[] bytes = new byte[random.nextInt(120)];
            random.nextBytes(bytes);
            if (bytes.length > 0 && random.nextBoolean()) bytes[0] = (byte) (0x45 + random.nextInt(3) - 1);
            if (bytes.length >= 4 && random.nextBoolean()) {
                bytes[2] = (byte) (bytes.length >>> 8);
                bytes[3] = (byte) bytes.length;
            }
            if (bytes.length >= 10 && random.nextBoolean()) bytes[9] = 6;
            if (bytes.length >= 8 && random.nextBoolean()) bytes[6] = bytes[7] = 0;
            if (random.nextBoolean()) tryFixChecksums(bytes);
            check(seed, round, bytes, random, into, seen);
        }
        assertThat(seen).as("seed %d: outcomes %s", seed, seen).containsKeys(ParseResult.TRUNCATED, ParseResult.NOT_IP);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {4, 5, 6, 2_000_003, 0xfeedface, -78})
    void mutatedValidPackets(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<ParseResult, Integer> seen = new EnumMap<>(ParseResult.class);
        TcpPacket into = new TcpPacket();
        for (int round = 0; round < ROUNDS; round++) {
            byte[] bytes = validPacket(random);
            int mutations = 1 + random.nextInt(4);
            for (int m = 0; m < mutations; m++) bytes = mutate(bytes, random);
            if (random.nextInt(3) > 0) tryFixChecksums(bytes);
            check(seed, round, bytes, random, into, seen);
        }
        assertThat(seen).as("seed %d: outcomes %s", seed, seen)
                .containsKeys(ParseResult.OK, ParseResult.TRUNCATED, ParseResult.BAD_IP_CHECKSUM, ParseResult.BAD_TCP_CHECKSUM);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {7, 8, 9, 3_000_017, 0xabad1dea, -79})
    void randomOptionAreas(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Map<ParseResult, Integer> seen = new EnumMap<>(ParseResult.class);
        TcpPacket into = new TcpPacket();
        for (int round = 0; round < ROUNDS; round++) {
            int optionWords = random.nextInt(11);
            byte[] bytes = new byte[40 + optionWords * 4 + random.nextInt(8)];
            random.nextBytes(bytes);
            bytes[0] = 0x45;
            bytes[2] = (byte) (bytes.length >>> 8);
            bytes[3] = (byte) bytes.length;
            bytes[6] = bytes[7] = 0;
            bytes[9] = 6;
            bytes[32] = (byte) ((5 + optionWords) << 4);
            // Options biased towards the kinds and lengths the parser knows, so each branch is hit.
            for (int i = 40; i < 40 + optionWords * 4; i++) {
                bytes[i] = (byte) (random.nextInt(4) == 0 ? random.nextInt(256) : random.nextInt(12));
            }
            tryFixChecksums(bytes);
            ParseResult result = check(seed, round, bytes, random, into, seen);
            assertThat(result).as("seed %d round %d", seed, round).isIn(ParseResult.OK, ParseResult.BAD_OPTION_LENGTH);
        }
        assertThat(seen).as("seed %d: outcomes %s", seed, seen).containsKeys(ParseResult.OK, ParseResult.BAD_OPTION_LENGTH);
    }

    /** Decodes {@code bytes} from a random place in a random kind of buffer and checks the invariants. */
    private static ParseResult check(long seed, int round, byte[] bytes, SplittableRandom random, TcpPacket into,
                                     Map<ParseResult, Integer> seen) {
        int before = random.nextInt(8);
        int after = random.nextInt(8);
        ByteBuffer buffer = random.nextBoolean()
                ? ByteBuffer.allocate(before + bytes.length + after)
                : ByteBuffer.allocateDirect(before + bytes.length + after);
        buffer.put(before, bytes).position(before).limit(before + bytes.length);
        if (random.nextBoolean()) buffer.order(ByteOrder.LITTLE_ENDIAN);
        if (random.nextInt(4) == 0) buffer = buffer.asReadOnlyBuffer();
        String context = "seed " + seed + " round " + round + " bytes " + WireBytes.hex(bytes);

        ParseResult result;
        try {
            result = PacketCodec.decode(buffer, into);
        } catch (RuntimeException e) {
            throw new AssertionError(context + ": decode threw " + e, e);
        }
        if (result == null) fail(context + ": null result");
        assertThat(buffer.position()).as(context).isEqualTo(before);
        assertThat(buffer.limit()).as(context).isEqualTo(before + bytes.length);
        TcpSegment segment = into.segment();
        if (result == ParseResult.OK) {
            assertThat(segment.payload().isReadOnly()).as(context).isTrue();
            assertThat(segment.payloadLength()).as(context).isLessThanOrEqualTo(bytes.length - 40);
            assertThat(segment.options().encodedLength()).as(context).isLessThanOrEqualTo(TcpOptions.MAX_LENGTH);
            assertThat(segment.toString()).as(context).isNotEmpty();
        } else {
            assertThat(segment.payloadLength()).as(context).isZero();
        }
        seen.merge(result, 1, Integer::sum);
        return result;
    }

    private static byte[] validPacket(SplittableRandom random) {
        TcpPacket packet = new TcpPacket().sourceAddress(random.nextInt()).destinationAddress(random.nextInt());
        byte[] payload = new byte[random.nextInt(64)];
        random.nextBytes(payload);
        packet.segment().sourcePort(random.nextInt(65_536)).destinationPort(random.nextInt(65_536))
                .seq(random.nextInt()).ack(random.nextInt()).flags(random.nextInt(256)).window(random.nextInt(65_536))
                .payload(ByteBuffer.wrap(payload));
        TcpOptions options = packet.segment().options();
        switch (random.nextInt(4)) {
            case 0 -> options.mss(1460).sackPermitted().timestamps(random.nextInt(), 0).nop().windowScale(7);
            case 1 -> options.nop().nop().timestamps(random.nextInt(), random.nextInt());
            case 2 -> options.nop().nop().sack().addSackBlock(random.nextInt(), random.nextInt());
            default -> { }
        }
        ByteBuffer out = ByteBuffer.allocate(PacketCodec.encodedLength(packet));
        PacketCodec.encode(packet, out);
        return out.array();
    }

    private static byte[] mutate(byte[] bytes, SplittableRandom random) {
        switch (random.nextInt(5)) {
            case 0 -> { // flip a bit
                if (bytes.length > 0) bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
            }
            case 1 -> { // replace a byte, most often in the headers
                if (bytes.length > 0) {
                    int at = random.nextInt(Math.min(bytes.length, random.nextBoolean() ? 60 : bytes.length));
                    bytes[at] = (byte) random.nextInt(256);
                }
            }
            case 2 -> { // truncate
                return java.util.Arrays.copyOf(bytes, random.nextInt(bytes.length + 1));
            }
            case 3 -> { // append junk
                byte[] longer = java.util.Arrays.copyOf(bytes, bytes.length + 1 + random.nextInt(16));
                for (int i = bytes.length; i < longer.length; i++) longer[i] = (byte) random.nextInt(256);
                return longer;
            }
            default -> { // rewrite a length field
                if (bytes.length >= 40) {
                    switch (random.nextInt(3)) {
                        case 0 -> bytes[0] = (byte) (0x40 | random.nextInt(16));
                        case 1 -> bytes[3] = (byte) random.nextInt(256);
                        default -> bytes[32] = (byte) (random.nextInt(16) << 4);
                    }
                }
            }
        }
        return bytes;
    }

    /** Repairs both checksums where the lengths make sense, so that the checks after them are reached. */
    private static void tryFixChecksums(byte[] bytes) {
        if (bytes.length < 20) return;
        int ipHeaderLength = (bytes[0] & 0x0f) * 4;
        int totalLength = ((bytes[2] & 0xff) << 8) | (bytes[3] & 0xff);
        if (ipHeaderLength < 20 || totalLength > bytes.length || ipHeaderLength > bytes.length) return;
        if (totalLength - ipHeaderLength >= 20) WireBytes.fixTcpChecksum(bytes);
        WireBytes.fixIpChecksum(bytes);
    }
}
