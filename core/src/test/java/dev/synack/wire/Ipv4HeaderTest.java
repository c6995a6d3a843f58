package dev.synack.wire;

import static dev.synack.wire.WireBytes.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class Ipv4HeaderTest {
    /** The classic example header (UDP, 115 bytes, 192.168.0.1 to 192.168.0.199), checksum b861. */
    private static final String CLASSIC = "45 00 00 73 00 00 40 00 40 11 b8 61 c0 a8 00 01 c0 a8 00 c7";

    @Test
    void viewReadsEveryFieldInPlaceAtAnOffset() {
        ByteBuffer buffer = ByteBuffer.allocate(40);
        buffer.put(7, hex(CLASSIC));
        Ipv4Header header = new Ipv4Header().wrap(buffer, 7);

        assertThat(header.version()).isEqualTo(4);
        assertThat(header.ihl()).isEqualTo(5);
        assertThat(header.headerLength()).isEqualTo(20);
        assertThat(header.typeOfService()).isZero();
        assertThat(header.totalLength()).isEqualTo(0x73);
        assertThat(header.identification()).isZero();
        assertThat(header.dontFragment()).isTrue();
        assertThat(header.moreFragments()).isFalse();
        assertThat(header.flags()).isEqualTo(0b010);
        assertThat(header.fragmentOffset()).isZero();
        assertThat(header.isFragment()).isFalse();
        assertThat(header.ttl()).isEqualTo(64);
        assertThat(header.protocol()).isEqualTo(17);
        assertThat(header.headerChecksum()).isEqualTo(0xb861);
        assertThat(header.sourceAddress()).isEqualTo(Ipv4Address.parse("192.168.0.1"));
        assertThat(header.destinationAddress()).isEqualTo(Ipv4Address.parse("192.168.0.199"));
        assertThat(header.checksumValid()).isTrue();
        assertThat(buffer.position()).isZero();
    }

    @Test
    void viewReadsNetworkOrderWhateverTheBufferOrder() {
        ByteBuffer buffer = ByteBuffer.wrap(hex(CLASSIC)).order(ByteOrder.LITTLE_ENDIAN);
        Ipv4Header header = new Ipv4Header().wrap(buffer, 0);
        assertThat(header.totalLength()).isEqualTo(0x73);
        assertThat(header.sourceAddress()).isEqualTo(0xc0a8_0001);
        assertThat(header.checksumValid()).isTrue();
    }

    @Test
    void checksumValidIsFalseWhenAnyHeaderByteChanges() {
        byte[] bytes = hex(CLASSIC);
        bytes[8] = 63; // TTL
        assertThat(Ipv4Header.checksumValid(ByteBuffer.wrap(bytes), 0)).isFalse();
    }

    @Test
    void fragmentsAreRecognisedByMoreFragmentsOrOffset() {
        byte[] moreFragments = hex(CLASSIC);
        moreFragments[6] = 0x20;
        assertThat(new Ipv4Header().wrap(ByteBuffer.wrap(moreFragments), 0).moreFragments()).isTrue();
        assertThat(Ipv4Header.isFragment(ByteBuffer.wrap(moreFragments), 0)).isTrue();

        byte[] offset = hex(CLASSIC);
        offset[6] = 0x40;
        offset[7] = 0x01;
        Ipv4Header view = new Ipv4Header().wrap(ByteBuffer.wrap(offset), 0);
        assertThat(view.fragmentOffset()).isEqualTo(1);
        assertThat(view.isFragment()).isTrue();
    }

    @Test
    void writerProducesTheClassicHeaderByteForByte() {
        ByteBuffer out = ByteBuffer.allocate(30);
        int written = Ipv4Header.write(out, 5, 0x73, 64, 17,
                Ipv4Address.parse("192.168.0.1"), Ipv4Address.parse("192.168.0.199"));
        assertThat(written).isEqualTo(20);
        assertThat(WireBytes.toArray(out, 5, 25)).isEqualTo(hex(CLASSIC));
        assertThat(out.position()).isZero();
    }

    @Test
    void writerIgnoresTheBufferByteOrder() {
        ByteBuffer out = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
        Ipv4Header.write(out, 0, 0x73, 64, 17, 0xc0a8_0001, 0xc0a8_00c7);
        assertThat(out.array()).isEqualTo(hex(CLASSIC));
    }

    @Test
    void writerSetsDontFragmentTtlAndAValidChecksum() {
        ByteBuffer out = ByteBuffer.allocateDirect(20);
        Ipv4Header.write(out, 0, 1500, 3, 6, Ipv4Address.parse("10.0.0.1"), Ipv4Address.parse("10.0.0.2"));
        Ipv4Header header = new Ipv4Header().wrap(out, 0);
        assertThat(header.dontFragment()).isTrue();
        assertThat(header.ttl()).isEqualTo(3);
        assertThat(header.protocol()).isEqualTo(6);
        assertThat(header.totalLength()).isEqualTo(1500);
        byte[] bytes = WireBytes.toArray(out, 0, 20);
        assertThat(WireBytes.referenceSum(bytes, 0, 20)).isEqualTo(0xffff);
    }

    @Test
    void writerRejectsImpossibleLengthsAndMissingRoom() {
        ByteBuffer out = ByteBuffer.allocate(40);
        assertThatThrownBy(() -> Ipv4Header.write(out, 0, 19, 64, 6, 1, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("19");
        assertThatThrownBy(() -> Ipv4Header.write(out, 0, 65_536, 64, 6, 1, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("65536");
        assertThatThrownBy(() -> Ipv4Header.write(out, 21, 40, 64, 6, 1, 2))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }
}
