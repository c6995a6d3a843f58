package dev.synack.wire;

import static dev.synack.wire.WireBytes.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TcpHeaderTest {

    private static ParseResult parse(String optionBytes, TcpOptions into) {
        byte[] bytes = hex(optionBytes);
        return TcpHeader.parseOptions(ByteBuffer.wrap(bytes), 0, bytes.length, into);
    }

    private static TcpOptions parseOk(String optionBytes) {
        TcpOptions options = new TcpOptions();
        assertThat(parse(optionBytes, options)).as(optionBytes).isEqualTo(ParseResult.OK);
        return options;
    }

    // ---- parsing the layouts Linux sends ----

    @Test
    void parsesLinuxActiveSynLayout() {
        TcpOptions options = parseOk("02 04 05 b4  04 02  08 0a 00 00 00 01 00 00 00 00  01  03 03 07");
        assertThat(options).hasToString("mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7");
        assertThat(options.mss()).isEqualTo(1460);
        assertThat(options.sackPermittedPresent()).isTrue();
        assertThat(options.hasTimestamps()).isTrue();
        assertThat(options.tsVal()).isEqualTo(1);
        assertThat(options.tsEcr()).isZero();
        assertThat(options.windowScale()).isEqualTo(7);
        assertThat(options.layoutLength()).isEqualTo(5);
    }

    @Test
    void parsesLinuxSynAckLayouts() {
        assertThat(parseOk("02 04 05 b4 01 01 04 02 01 03 03 07"))
                .hasToString("mss 1460,nop,nop,sackOK,nop,wscale 7");
        TcpOptions noSack = parseOk("02 04 05 b4 01 03 03 07");
        assertThat(noSack).hasToString("mss 1460,nop,wscale 7");
        assertThat(noSack.sackPermittedPresent()).isFalse();
        assertThat(noSack.hasTimestamps()).isFalse();
    }

    @Test
    void parsesDataSegmentTimestampsAsUnsigned() {
        TcpOptions options = parseOk("01 01 08 0a ff ff ff fe 00 00 30 39");
        assertThat(options).hasToString("nop,nop,TS val 4294967294 ecr 12345");
        assertThat(options.tsVal()).isEqualTo(-2);
        assertThat(options.tsEcr()).isEqualTo(12345);
    }

    @ParameterizedTest(name = "{0} blocks")
    @ValueSource(ints = {1, 2, 3, 4})
    void parsesOneToFourSackBlocks(int blocks) {
        StringBuilder bytes = new StringBuilder(String.format("05 %02x", 2 + 8 * blocks));
        for (int k = 0; k < blocks; k++) bytes.append(String.format(" %08x %08x", 1000 * k + 100, 1000 * k + 200));
        TcpOptions options = parseOk(bytes.toString());
        assertThat(options.sackBlockCount()).isEqualTo(blocks);
        for (int k = 0; k < blocks; k++) {
            assertThat(options.sackLeft(k)).isEqualTo(1000 * k + 100);
            assertThat(options.sackRight(k)).isEqualTo(1000 * k + 200);
        }
        assertThat(options.kindAt(0)).isEqualTo(TcpOptions.KIND_SACK);
    }

    @Test
    void unknownKindsAreSkippedByTheirLengthAndRecorded() {
        // kind 30 (MPTCP) of length 6, then a known option after it.
        TcpOptions options = parseOk("1e 06 aa bb cc dd 02 04 05 b4 01 01");
        assertThat(options).hasToString("opt-30,mss 1460,nop,nop");
        assertThat(options.mss()).isEqualTo(1460);
    }

    @Test
    void eolEndsParsingAndIsRecorded() {
        // What follows EOL is not options, even when it would be malformed.
        TcpOptions options = parseOk("02 04 05 b4 00 ff 00 07");
        assertThat(options).hasToString("mss 1460,eol");
        assertThat(options.hasWindowScale()).isFalse();
    }

    @Test
    void windowScaleAboveFourteenIsKeptAsSent() {
        assertThat(parseOk("03 03 0f 01").windowScale()).isEqualTo(15);
        assertThat(parseOk("03 03 ff 01").windowScale()).isEqualTo(255);
    }

    @Test
    void emptyOptionsAreOk() {
        assertThat(parseOk("").isEmpty()).isTrue();
    }

    @Test
    void parsingClearsWhatWasThereBefore() {
        TcpOptions options = new TcpOptions().mss(536).sackPermitted().timestamps(5, 6);
        assertThat(parse("01 03 03 02", options)).isEqualTo(ParseResult.OK);
        assertThat(options).hasToString("nop,wscale 2");
        assertThat(options.hasMss()).isFalse();
        assertThat(options.hasTimestamps()).isFalse();
        assertThat(options.sackPermittedPresent()).isFalse();
    }

    // ---- bad lengths ----

    @ParameterizedTest(name = "{1}")
    @CsvSource({
            "'02 00 05 b4', length byte zero",
            "'1e 01 01 01', length byte one for an unknown kind",
            "'04 01 01 01', length byte one for sackOK",
            "'01 01 01 02', kind with no room for its length byte",
            "'01 1e 08 00', unknown option running past the area",
            "'08 0a 00 00 00 01 00 00', timestamps running past the area",
            "'02 03 05 01', mss of length 3",
            "'02 05 05 b4 00 01 01 01', mss of length 5",
            "'03 02 01 01', window scale of length 2",
            "'03 04 07 00', window scale of length 4",
            "'04 03 00 01', sackOK of length 3",
            "'08 08 00 00 00 01 00 00', timestamps of length 8",
            "'08 0c 00 00 00 01 00 00 00 02 00 00', timestamps of length 12",
            "'05 02 01 01', SACK without blocks",
            "'05 03 00 01', SACK of length 3",
            "'05 0b 00 00 00 01 00 00 00 02 00 01', SACK of length 11 (not 2+8n)",
    })
    void badOptionLengthsAreRejected(String bytes, String why) {
        assertThat(parse(bytes, new TcpOptions())).as(why).isEqualTo(ParseResult.BAD_OPTION_LENGTH);
    }

    @Test
    void sackOfFiveBlocksIsRejected() {
        // 2 + 5*8 = 42 bytes cannot fit in 40, so it always runs past the area.
        StringBuilder bytes = new StringBuilder("05 2a");
        for (int k = 0; k < 4; k++) bytes.append(" 00000001 00000002");
        bytes.append(" 0000"); // pads the area to 36 bytes; the option claims 42
        assertThat(parse(bytes.toString(), new TcpOptions())).isEqualTo(ParseResult.BAD_OPTION_LENGTH);
    }

    @Test
    void rejectsAnOptionsAreaLargerThanFortyBytes() {
        assertThatThrownBy(() -> TcpHeader.parseOptions(ByteBuffer.allocate(60), 0, 41, new TcpOptions()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // ---- the view ----

    @Test
    void viewReadsEveryFixedField() {
        byte[] bytes = hex("9c 40 00 50  80 00 00 01  00 00 07 d1  60 ff ff ff  12 34  00 05  02 04 05 b4");
        ByteBuffer buffer = ByteBuffer.allocate(30);
        buffer.put(3, bytes);
        TcpHeader header = new TcpHeader().wrap(buffer, 3);
        assertThat(header.sourcePort()).isEqualTo(40000);
        assertThat(header.destinationPort()).isEqualTo(80);
        assertThat(header.seq()).isEqualTo(0x8000_0001);
        assertThat(header.ack()).isEqualTo(2001);
        assertThat(header.dataOffset()).isEqualTo(6);
        assertThat(header.headerLength()).isEqualTo(24);
        assertThat(header.flags()).isEqualTo(0xff);
        assertThat(TcpFlags.tcpdump(header.flags())).isEqualTo("SFRPUEW.");
        assertThat(header.window()).isEqualTo(0xffff);
        assertThat(header.checksum()).isEqualTo(0x1234);
        assertThat(header.urgentPointer()).isEqualTo(5);
        assertThat(header.optionsOffset()).isEqualTo(23);
        assertThat(header.optionsLength()).isEqualTo(4);
        TcpOptions options = new TcpOptions();
        assertThat(header.parseOptions(options)).isEqualTo(ParseResult.OK);
        assertThat(options).hasToString("mss 1460");
    }

    // ---- the writer ----

    private static TcpSegment segment() {
        return new TcpSegment().sourcePort(40000).destinationPort(80).seq(1000).ack(0)
                .flags(TcpFlags.SYN).window(64240).urgentPointer(0);
    }

    @Test
    void writesLinuxSynHeaderByteForByte() {
        TcpSegment syn = segment();
        syn.options().mss(1460).sackPermitted().timestamps(1, 0).nop().windowScale(7);
        ByteBuffer out = ByteBuffer.allocate(40);
        assertThat(TcpHeader.headerLength(syn)).isEqualTo(40);
        assertThat(TcpHeader.write(syn, out, 0)).isEqualTo(40);
        // Checksum field left zero: PacketCodec fills it over the pseudo-header.
        assertThat(out.array()).isEqualTo(hex(
                "9c 40 00 50  00 00 03 e8  00 00 00 00  a0 02 fa f0  00 00 00 00"
                        + "02 04 05 b4  04 02  08 0a 00 00 00 01 00 00 00 00  01  03 03 07"));
    }

    @Test
    void writesSackBlocksAndKeepsTheLayoutOrder() {
        TcpSegment ack = segment().flags(TcpFlags.ACK);
        ack.options().nop().nop().timestamps(7, 8).nop().nop().sack().addSackBlock(10, 20).addSackBlock(30, 40);
        ByteBuffer out = ByteBuffer.allocate(60);
        int length = TcpHeader.write(ack, out, 0);
        assertThat(length).isEqualTo(20 + 12 + 20);
        assertThat(WireBytes.toArray(out, 20, length)).isEqualTo(hex(
                "01 01 08 0a 00 00 00 07 00 00 00 08  01 01 05 12 00 00 00 0a 00 00 00 14 00 00 00 1e 00 00 00 28"));
    }

    @Test
    void padsAnUnalignedLayoutWithZerosWithoutChangingTheLayout() {
        TcpSegment syn = segment();
        syn.options().mss(1460).windowScale(7); // 7 bytes
        ByteBuffer out = ByteBuffer.allocate(40);
        java.util.Arrays.fill(out.array(), (byte) 0x55);
        assertThat(TcpHeader.write(syn, out, 0)).isEqualTo(28);
        assertThat(WireBytes.toArray(out, 20, 28)).isEqualTo(hex("02 04 05 b4 03 03 07 00"));
        assertThat(out.get(12)).isEqualTo((byte) 0x70); // data offset 7
        assertThat(syn.options()).hasToString("mss 1460,wscale 7");
    }

    @Test
    void unknownKindsAreNotWritten() {
        TcpSegment syn = segment();
        syn.options().unknown(30).mss(1460);
        ByteBuffer out = ByteBuffer.allocate(40);
        assertThat(TcpHeader.write(syn, out, 0)).isEqualTo(24);
        assertThat(WireBytes.toArray(out, 20, 24)).isEqualTo(hex("02 04 05 b4"));
    }

    @Test
    void refusesOptionsThatCannotBeWritten() {
        TcpSegment tooLong = segment();
        tooLong.options().timestamps(1, 2).sack().addSackBlock(1, 2).addSackBlock(3, 4).addSackBlock(5, 6).addSackBlock(7, 8);
        assertThatThrownBy(() -> TcpHeader.write(tooLong, ByteBuffer.allocate(80), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("44 bytes");

        TcpSegment emptySack = segment();
        emptySack.options().sack();
        assertThatThrownBy(() -> TcpHeader.write(emptySack, ByteBuffer.allocate(80), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SACK");

        assertThatThrownBy(() -> TcpHeader.write(segment(), ByteBuffer.allocate(30), 11))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void writtenChecksumVerifiesAgainstTheReference() {
        TcpSegment syn = segment();
        syn.options().mss(1460).nop().windowScale(7);
        ByteBuffer out = ByteBuffer.allocate(28);
        TcpHeader.write(syn, out, 0);
        int source = Ipv4Address.parse("10.0.0.1");
        int destination = Ipv4Address.parse("10.0.0.2");
        TcpHeader.writeChecksum(out, 0, 28, source, destination);
        assertThat(TcpHeader.checksumValid(out, 0, 28, source, destination)).isTrue();
        assertThat(TcpHeader.checksumValid(out, 0, 28, source, destination + 1)).isFalse();

        byte[] pseudoAndSegment = new byte[12 + 28];
        System.arraycopy(hex("0a 00 00 01 0a 00 00 02 00 06 00 1c"), 0, pseudoAndSegment, 0, 12);
        System.arraycopy(out.array(), 0, pseudoAndSegment, 12, 28);
        assertThat(WireBytes.referenceSum(pseudoAndSegment, 0, pseudoAndSegment.length)).isEqualTo(0xffff);
    }
}
