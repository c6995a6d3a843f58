package dev.synack.wire;

import static dev.synack.wire.WireBytes.fixChecksums;
import static dev.synack.wire.WireBytes.fixIpChecksum;
import static dev.synack.wire.WireBytes.fixTcpChecksum;
import static dev.synack.wire.WireBytes.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PacketCodecTest {
    private static final int CLIENT = Ipv4Address.parse("10.0.0.1");
    private static final int SERVER = Ipv4Address.parse("10.0.0.2");

    /**
     * A SYN from 10.0.0.1:40000 to 10.0.0.2:80, seq 1000, window 64240, with Linux's SYN options,
     * written out by hand. Its checksums (IP 26ba, TCP 9893) were computed outside this code base
     * and are re-verified below with the test's own word-by-word sum.
     */
    private static final String SYN =
            "45 00 00 3c 00 00 40 00 40 06 26 ba 0a 00 00 01 0a 00 00 02"
                    + "9c 40 00 50 00 00 03 e8 00 00 00 00 a0 02 fa f0 98 93 00 00"
                    + "02 04 05 b4 04 02 08 0a 00 00 00 01 00 00 00 00 01 03 03 07";

    /**
     * PSH+ACK seq 1001 ack 2001 window 502 with {@code nop,nop,TS val 300 ecr 200} and the odd-length
     * payload "hello" (57 bytes; IP checksum 26bd, TCP checksum 72a7).
     */
    private static final String DATA =
            "45 00 00 39 00 00 40 00 40 06 26 bd 0a 00 00 01 0a 00 00 02"
                    + "9c 40 00 50 00 00 03 e9 00 00 07 d1 80 18 01 f6 72 a7 00 00"
                    + "01 01 08 0a 00 00 01 2c 00 00 00 c8"
                    + "68 65 6c 6c 6f";

    private static TcpPacket decodeOk(ByteBuffer buffer) {
        TcpPacket packet = new TcpPacket();
        assertThat(PacketCodec.decode(buffer, packet)).isEqualTo(ParseResult.OK);
        return packet;
    }

    private static ParseResult decode(byte[] bytes) {
        return PacketCodec.decode(ByteBuffer.wrap(bytes), new TcpPacket());
    }

    private static String text(ByteBuffer payload) {
        byte[] bytes = new byte[payload.remaining()];
        payload.duplicate().get(bytes);
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    // ---- known vectors ----

    @Test
    void handWrittenVectorsCarryCorrectChecksums() {
        for (String vector : new String[] {SYN, DATA}) {
            byte[] bytes = hex(vector);
            assertThat(WireBytes.referenceSum(bytes, 0, 20)).as("IP header sum").isEqualTo(0xffff);
            byte[] fixed = bytes.clone();
            fixChecksums(fixed);
            assertThat(fixed).as("the reference recomputes the same checksums").isEqualTo(bytes);
        }
    }

    @Test
    void decodesAHandWrittenSyn() {
        TcpPacket packet = decodeOk(ByteBuffer.wrap(hex(SYN)));
        assertThat(packet.sourceAddress()).isEqualTo(CLIENT);
        assertThat(packet.destinationAddress()).isEqualTo(SERVER);
        assertThat(packet.ttl()).isEqualTo(64);
        TcpSegment segment = packet.segment();
        assertThat(segment.sourcePort()).isEqualTo(40000);
        assertThat(segment.destinationPort()).isEqualTo(80);
        assertThat(segment.seq()).isEqualTo(1000);
        assertThat(segment.ack()).isZero();
        assertThat(segment.flags()).isEqualTo(TcpFlags.SYN);
        assertThat(segment.window()).isEqualTo(64240);
        assertThat(segment.urgentPointer()).isZero();
        assertThat(segment.payloadLength()).isZero();
        assertThat(packet).hasToString(
                "10.0.0.1.40000 > 10.0.0.2.80: S seq 1000 win 64240 len 0 <mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7>");
    }

    @Test
    void decodesAHandWrittenDataSegmentWithAnOddPayload() {
        TcpPacket packet = decodeOk(ByteBuffer.wrap(hex(DATA)));
        assertThat(packet).hasToString(
                "10.0.0.1.40000 > 10.0.0.2.80: P. seq 1001 ack 2001 win 502 len 5 <nop,nop,TS val 300 ecr 200>");
        assertThat(text(packet.segment().payload())).isEqualTo("hello");
    }

    @Test
    void encodesTheHandWrittenVectorsByteForByte() {
        TcpPacket syn = new TcpPacket().sourceAddress(CLIENT).destinationAddress(SERVER).ttl(64);
        syn.segment().sourcePort(40000).destinationPort(80).seq(1000).flags(TcpFlags.SYN).window(64240)
                .options().mss(1460).sackPermitted().timestamps(1, 0).nop().windowScale(7);
        ByteBuffer out = ByteBuffer.allocate(100);
        assertThat(PacketCodec.encode(syn, out)).isEqualTo(60);
        assertThat(WireBytes.toArray(out, 0, 60)).isEqualTo(hex(SYN));

        TcpPacket data = new TcpPacket().sourceAddress(CLIENT).destinationAddress(SERVER);
        data.segment().sourcePort(40000).destinationPort(80).seq(1001).ack(2001)
                .flags(TcpFlags.PSH | TcpFlags.ACK).window(502)
                .payload(ByteBuffer.wrap("hello".getBytes(StandardCharsets.US_ASCII)))
                .options().nop().nop().timestamps(300, 200);
        out.clear();
        assertThat(PacketCodec.encode(data, out)).isEqualTo(57);
        assertThat(WireBytes.toArray(out, 0, 57)).isEqualTo(hex(DATA));
    }

    // ---- decode: buffers, views, reuse ----

    @Test
    void payloadIsAReadOnlyViewOfTheInputNotACopy() {
        byte[] bytes = hex(DATA);
        TcpPacket packet = decodeOk(ByteBuffer.wrap(bytes));
        ByteBuffer payload = packet.segment().payload();
        assertThat(payload.isReadOnly()).isTrue();
        assertThat(payload.position()).isZero();
        assertThat(payload.remaining()).isEqualTo(5);
        bytes[52] = 'j';
        assertThat(text(payload)).isEqualTo("jello");
        assertThatThrownBy(() -> payload.put(0, (byte) 1)).isInstanceOf(ReadOnlyBufferException.class);
    }

    @Test
    void decodesAtTheBufferPositionWithoutMovingIt() {
        byte[] packet = hex(DATA);
        ByteBuffer buffer = ByteBuffer.allocate(100);
        buffer.put(11, packet).position(11).limit(11 + packet.length);
        TcpPacket decoded = decodeOk(buffer);
        assertThat(buffer.position()).isEqualTo(11);
        assertThat(buffer.limit()).isEqualTo(11 + packet.length);
        assertThat(text(decoded.segment().payload())).isEqualTo("hello");
    }

    @Test
    void bytesAfterTheTotalLengthAreIgnored() {
        byte[] padded = Arrays.copyOf(hex(DATA), 64); // e.g. Ethernet's minimum frame padding
        Arrays.fill(padded, 57, 64, (byte) 0xee);
        TcpPacket packet = decodeOk(ByteBuffer.wrap(padded));
        assertThat(text(packet.segment().payload())).isEqualTo("hello");
    }

    @Test
    void decodesLittleEndianDirectAndReadOnlyBuffers() {
        byte[] bytes = hex(DATA);
        ByteBuffer direct = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
        for (ByteBuffer buffer : new ByteBuffer[] {
                ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN), direct, ByteBuffer.wrap(bytes).asReadOnlyBuffer()}) {
            TcpPacket packet = decodeOk(buffer);
            assertThat(packet.segment().seq()).isEqualTo(1001);
            assertThat(packet.segment().options().tsVal()).isEqualTo(300);
            assertThat(text(packet.segment().payload())).isEqualTo("hello");
        }
    }

    @Test
    void skipsIpOptions() {
        byte[] plain = hex(DATA);
        byte[] withOptions = new byte[plain.length + 4];
        System.arraycopy(plain, 0, withOptions, 0, 20);
        Arrays.fill(withOptions, 20, 24, (byte) 1); // four NOP IP options (RFC 791 §3.1)
        System.arraycopy(plain, 20, withOptions, 24, plain.length - 20);
        withOptions[0] = 0x46;
        withOptions[3] = (byte) (plain.length + 4);
        fixChecksums(withOptions);
        TcpPacket packet = decodeOk(ByteBuffer.wrap(withOptions));
        assertThat(packet.segment().ack()).isEqualTo(2001);
        assertThat(text(packet.segment().payload())).isEqualTo("hello");
    }

    @Test
    void aReusedPacketHoldsOnlyTheLatestSegment() {
        TcpPacket packet = decodeOk(ByteBuffer.wrap(hex(SYN)));
        assertThat(PacketCodec.decode(ByteBuffer.wrap(hex(DATA)), packet)).isEqualTo(ParseResult.OK);
        assertThat(packet.segment().options()).hasToString("nop,nop,TS val 300 ecr 200");
        assertThat(packet.segment().options().hasMss()).isFalse();
        assertThat(PacketCodec.decode(ByteBuffer.wrap(hex(SYN)), packet)).isEqualTo(ParseResult.OK);
        assertThat(packet.segment().payloadLength()).isZero();
    }

    @Test
    void copyPayloadReadsTheDecodedWindowIntoArraysAndBuffers() {
        ByteBuffer buffer = ByteBuffer.allocate(100);
        byte[] packet = hex(DATA);
        buffer.put(11, packet).position(11).limit(11 + packet.length);
        TcpSegment segment = decodeOk(buffer).segment();

        byte[] array = {'*', '*', '*', '*'};
        segment.copyPayload(1, array, 1, 3); // "ell"
        assertThat(new String(array, StandardCharsets.US_ASCII)).isEqualTo("*ell");
        ByteBuffer out = ByteBuffer.allocate(8).position(6);
        segment.copyPayload(3, out, 2, 2); // "lo" at absolute index 2
        assertThat(out.position()).isEqualTo(6);
        assertThat(new String(out.array(), 2, 2, StandardCharsets.US_ASCII)).isEqualTo("lo");
        assertThat(buffer.position()).isEqualTo(11);
        assertThat(Arrays.copyOfRange(buffer.array(), 11, 11 + packet.length)).as("the packet is unchanged").isEqualTo(packet);
    }

    @Test
    void copyPayloadRefusesRangesOutsideThePayload() {
        TcpSegment segment = decodeOk(ByteBuffer.wrap(hex(DATA))).segment();
        byte[] out = new byte[10];
        assertThatThrownBy(() -> segment.copyPayload(0, out, 0, 6)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> segment.copyPayload(4, out, 0, 2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> segment.copyPayload(-1, out, 0, 1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> segment.copyPayload(0, ByteBuffer.allocate(3), 0, 5))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> segment.copyPayload(0, ByteBuffer.allocate(5).asReadOnlyBuffer(), 0, 5))
                .isInstanceOf(ReadOnlyBufferException.class);
        segment.copyPayload(5, out, 0, 0); // an empty range at the end is fine
    }

    @Test
    void thePayloadViewFollowsEachDecodeOfAReusedPacket() {
        TcpPacket packet = decodeOk(ByteBuffer.wrap(hex(DATA)));
        ByteBuffer first = packet.segment().payload();
        assertThat(packet.segment().payload()).as("the view is made once per decode").isSameAs(first);
        byte[] other = hex(DATA);
        other[52] = 'j';
        fixTcpChecksum(other);
        assertThat(PacketCodec.decode(ByteBuffer.wrap(other), packet)).isEqualTo(ParseResult.OK);
        assertThat(text(packet.segment().payload())).isEqualTo("jello");
        assertThat(text(first)).as("an earlier view still shows its own packet").isEqualTo("hello");
    }

    @Test
    void aPayloadSetFromABufferIsTakenAsItStandsAndReturnedAsGiven() {
        ByteBuffer given = ByteBuffer.wrap("xhello".getBytes(StandardCharsets.US_ASCII)).position(1);
        TcpSegment segment = new TcpSegment().payload(given);
        given.position(3); // later moves are not seen
        assertThat(segment.payload()).isSameAs(given);
        assertThat(segment.payloadLength()).isEqualTo(5);
        assertThat(segment.sequenceLength()).isEqualTo(5);
        byte[] out = new byte[5];
        segment.copyPayload(0, out, 0, 5);
        assertThat(new String(out, StandardCharsets.US_ASCII)).isEqualTo("hello");
        assertThat(segment.payload(null).payloadLength()).isZero();
    }

    @Test
    void payloadOfSharesTheWindowAndCopyOwnsItsBytes() {
        byte[] bytes = hex(DATA);
        TcpSegment decoded = decodeOk(ByteBuffer.wrap(bytes)).segment();
        TcpSegment shared = new TcpSegment().payloadOf(decoded);
        TcpSegment copy = decoded.copy();
        bytes[52] = 'j';
        assertThat(shared.payloadLength()).isEqualTo(5);
        assertThat(text(shared.payload())).isEqualTo("jello");
        assertThat(text(copy.payload())).isEqualTo("hello");
        assertThat(copy.payload().isReadOnly()).isFalse();
    }

    @Test
    void aFailedDecodeClearsTheSegment() {
        TcpPacket packet = decodeOk(ByteBuffer.wrap(hex(DATA)));
        byte[] bad = hex(DATA);
        bad[56] ^= 1;
        assertThat(PacketCodec.decode(ByteBuffer.wrap(bad), packet)).isEqualTo(ParseResult.BAD_TCP_CHECKSUM);
        assertThat(packet.segment().payloadLength()).isZero();
        assertThat(packet.segment().options().isEmpty()).isTrue();
        assertThat(packet.segment().seq()).isZero();
    }

    // ---- decode: each malformed case ----

    @Test
    void fewerThanTwentyBytesIsTruncated() {
        assertThat(decode(Arrays.copyOf(hex(DATA), 19))).isEqualTo(ParseResult.TRUNCATED);
        assertThat(decode(new byte[0])).isEqualTo(ParseResult.TRUNCATED);
    }

    @Test
    void fewerBytesThanTheTotalLengthIsTruncated() {
        assertThat(decode(Arrays.copyOf(hex(DATA), 56))).isEqualTo(ParseResult.TRUNCATED);
    }

    @Test
    void fewerBytesThanTheIpHeaderLengthIsTruncated() {
        byte[] bytes = Arrays.copyOf(hex(DATA), 23);
        bytes[0] = 0x46; // 24-byte header
        bytes[3] = 23;
        assertThat(decode(bytes)).isEqualTo(ParseResult.TRUNCATED);
    }

    @Test
    void fewerThanTwentyBytesOfTcpIsTruncated() {
        byte[] bytes = Arrays.copyOf(hex(DATA), 39);
        bytes[3] = 39;
        fixIpChecksum(bytes);
        assertThat(decode(bytes)).isEqualTo(ParseResult.TRUNCATED);
    }

    @Test
    void anIpVersionOtherThanFourOrSixIsNotIp() {
        byte[] bytes = hex(DATA);
        bytes[0] = 0x55;
        assertThat(decode(bytes)).isEqualTo(ParseResult.NOT_IP);
        // An IPv6 header whose flow label would read as a huge IPv4 "total length" is read as IPv6.
        byte[] ipv6 = new byte[40];
        ipv6[0] = 0x60;
        ipv6[2] = (byte) 0xff;
        ipv6[3] = (byte) 0xff;
        ipv6[6] = 59;
        assertThat(decode(ipv6)).isEqualTo(ParseResult.NO_NEXT_HEADER);
    }

    @Test
    void ipHeaderLengthBelowFiveWordsIsRejected() {
        byte[] bytes = hex(DATA);
        bytes[0] = 0x44;
        fixIpChecksum(bytes);
        assertThat(decode(bytes)).isEqualTo(ParseResult.BAD_IP_HEADER_LENGTH);
    }

    @Test
    void totalLengthBelowTheHeaderLengthIsRejected() {
        byte[] bytes = hex(DATA);
        bytes[3] = 19;
        fixIpChecksum(bytes);
        assertThat(decode(bytes)).isEqualTo(ParseResult.BAD_TOTAL_LENGTH);
    }

    @Test
    void aChangedIpHeaderByteFailsTheIpChecksum() {
        byte[] bytes = hex(DATA);
        bytes[8] = 63; // TTL
        assertThat(decode(bytes)).isEqualTo(ParseResult.BAD_IP_CHECKSUM);
    }

    @Test
    void moreFragmentsIsAFragment() {
        byte[] bytes = hex(DATA);
        bytes[6] = 0x20;
        fixIpChecksum(bytes);
        assertThat(decode(bytes)).isEqualTo(ParseResult.FRAGMENT);
    }

    @Test
    void aNonZeroFragmentOffsetIsAFragment() {
        byte[] bytes = hex(DATA);
        bytes[6] = 0x40;
        bytes[7] = 0x01;
        fixIpChecksum(bytes);
        assertThat(decode(bytes)).isEqualTo(ParseResult.FRAGMENT);
    }

    @Test
    void anotherProtocolIsNotTcp() {
        byte[] bytes = hex(DATA);
        bytes[9] = 17;
        fixIpChecksum(bytes);
        assertThat(decode(bytes)).isEqualTo(ParseResult.NOT_TCP);
    }

    @Test
    void dataOffsetBelowFiveIsRejected() {
        byte[] bytes = hex(DATA);
        bytes[32] = 0x40;
        fixTcpChecksum(bytes);
        assertThat(decode(bytes)).isEqualTo(ParseResult.BAD_DATA_OFFSET);
    }

    @Test
    void dataOffsetPastTheSegmentIsRejected() {
        byte[] bytes = hex(DATA); // a 37-byte segment
        bytes[32] = (byte) 0xa0; // 40-byte header
        fixTcpChecksum(bytes);
        assertThat(decode(bytes)).isEqualTo(ParseResult.BAD_DATA_OFFSET);
    }

    @Test
    void aChangedPayloadByteFailsTheTcpChecksum() {
        byte[] bytes = hex(DATA);
        bytes[54] ^= 0x40;
        assertThat(decode(bytes)).isEqualTo(ParseResult.BAD_TCP_CHECKSUM);
    }

    @Test
    void theTcpChecksumCoversThePseudoHeader() {
        byte[] bytes = hex(DATA);
        bytes[15] = 9; // source 10.0.0.9: the IP header is made valid again, the TCP checksum is not
        fixIpChecksum(bytes);
        assertThat(decode(bytes)).isEqualTo(ParseResult.BAD_TCP_CHECKSUM);
    }

    @Test
    void aBadOptionLengthIsRejected() {
        byte[] bytes = hex(DATA);
        bytes[43] = 9; // timestamps option of length 9
        fixTcpChecksum(bytes);
        assertThat(decode(bytes)).isEqualTo(ParseResult.BAD_OPTION_LENGTH);
    }

    @Test
    void theFirstProblemInTheDocumentedOrderIsReported() {
        byte[] fragmentOfUdp = hex(DATA);
        fragmentOfUdp[6] = 0x20;
        fragmentOfUdp[9] = 17;
        fixIpChecksum(fragmentOfUdp);
        assertThat(decode(fragmentOfUdp)).isEqualTo(ParseResult.FRAGMENT);

        byte[] badChecksumAndOption = hex(DATA);
        badChecksumAndOption[43] = 9;
        assertThat(decode(badChecksumAndOption)).isEqualTo(ParseResult.BAD_TCP_CHECKSUM);

        byte[] badIpChecksumAndNotTcp = hex(DATA);
        badIpChecksumAndNotTcp[9] = 17;
        assertThat(decode(badIpChecksumAndNotTcp)).isEqualTo(ParseResult.BAD_IP_CHECKSUM);
    }

    // ---- encode ----

    @Test
    void encodeWritesAtThePositionAdvancesItAndLeavesThePayloadAlone() {
        TcpPacket data = new TcpPacket().sourceAddress(CLIENT).destinationAddress(SERVER);
        ByteBuffer payload = ByteBuffer.wrap("xxhelloyy".getBytes(StandardCharsets.US_ASCII)).position(2).limit(7);
        data.segment().sourcePort(40000).destinationPort(80).seq(1001).ack(2001)
                .flags(TcpFlags.PSH | TcpFlags.ACK).window(502).payload(payload)
                .options().nop().nop().timestamps(300, 200);
        ByteBuffer out = ByteBuffer.allocate(80).order(ByteOrder.LITTLE_ENDIAN).position(9);
        assertThat(PacketCodec.encodedLength(data)).isEqualTo(57);
        assertThat(PacketCodec.encode(data, out)).isEqualTo(57);
        assertThat(out.position()).isEqualTo(66);
        assertThat(WireBytes.toArray(out, 9, 66)).isEqualTo(hex(DATA));
        assertThat(payload.position()).isEqualTo(2);
        assertThat(payload.limit()).isEqualTo(7);
    }

    @Test
    void encodeRefusesAPacketLargerThanIpv4Allows() {
        TcpPacket packet = new TcpPacket();
        packet.segment().payload(ByteBuffer.allocate(65_496));
        assertThatThrownBy(() -> PacketCodec.encodedLength(packet))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("65536");
        assertThatThrownBy(() -> PacketCodec.encode(packet, ByteBuffer.allocate(70_000)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void encodeIntoTooSmallABufferWritesNothing() {
        TcpPacket packet = new TcpPacket();
        packet.segment().payload(ByteBuffer.allocate(10));
        ByteBuffer out = ByteBuffer.allocate(49);
        assertThatThrownBy(() -> PacketCodec.encode(packet, out))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("50").hasMessageContaining("49");
        assertThat(out.position()).isZero();
        assertThat(out.array()).containsOnly(0);
    }
}
