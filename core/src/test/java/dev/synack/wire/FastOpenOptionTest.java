package dev.synack.wire;

import static dev.synack.wire.WireBytes.hex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The TCP Fast Open option (RFC 7413 §4.1.1), kind 34 and the experimental kind 254 with magic 0xF989. */
class FastOpenOptionTest {

    private static TcpOptions parse(String optionBytes) {
        byte[] bytes = hex(optionBytes);
        TcpOptions options = new TcpOptions();
        assertThat(TcpHeader.parseOptions(ByteBuffer.wrap(bytes), 0, bytes.length, options)).isEqualTo(ParseResult.OK);
        return options;
    }

    private static byte[] written(TcpOptions options) {
        TcpSegment segment = new TcpSegment();
        segment.options().copyFrom(options);
        ByteBuffer out = ByteBuffer.allocate(TcpHeader.headerLength(segment));
        int length = TcpHeader.write(segment, out, 0);
        byte[] bytes = new byte[length - 20];
        out.get(20, bytes);
        return bytes;
    }

    @Test
    void aCookieRequestIsAnEmptyOption() {
        TcpOptions o = parse("22 02 01 01");
        assertThat(o.hasFastOpen()).isTrue();
        assertThat(o.cookieLength()).isZero();
        assertThat(o).hasToString("FO,nop,nop");
        assertThat(written(o)).containsExactly(hex("22 02 01 01"));
    }

    @Test
    void aCookieIsReadAndWrittenAsSent() {
        TcpOptions o = parse("22 0a 30 21 b9 d8 89 01 7e eb 01 01");
        assertThat(o.cookieLength()).isEqualTo(8);
        assertThat(o.fastOpenExperimental()).isFalse();
        assertThat(o).hasToString("FO 3021b9d889017eeb,nop,nop");
        assertThat(written(o)).containsExactly(hex("22 0a 30 21 b9 d8 89 01 7e eb 01 01"));
    }

    @Test
    void theExperimentalKindCarriesTheMagic() {
        TcpOptions o = parse("fe 0c f9 89 00 ab aa ab e8 e9 54 c2");
        assertThat(o.fastOpenExperimental()).isTrue();
        assertThat(o).hasToString("FOEXP 00abaaabe8e954c2");
        assertThat(written(o)).containsExactly(hex("fe 0c f9 89 00 ab aa ab e8 e9 54 c2"));
    }

    @Test
    void anotherExperimentIsNotFastOpen() {
        TcpOptions o = parse("fe 06 12 34 00 00 01 01");
        assertThat(o.hasFastOpen()).isFalse();
        assertThat(o).hasToString("opt-254,nop,nop");
    }

    @Test
    void cookiesOfOddOrOutOfRangeLengthAreIgnoredAsLinuxIgnoresThem() {
        assertThat(parse("22 05 11 22 33 01 01 01").hasFastOpen()).isFalse(); // 3 bytes: odd
        assertThat(parse("22 04 11 22").hasFastOpen()).isFalse(); // 2 bytes: below 4
        assertThat(parse("22 14 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00").hasFastOpen()).isFalse(); // 18 bytes
    }

    @Test
    void theBuilderRefusesBadCookiesAndASecondOption() {
        TcpOptions o = new TcpOptions();
        assertThatThrownBy(() -> o.fastOpen(false, new byte[3], 0, 3)).isInstanceOf(IllegalArgumentException.class);
        o.fastOpen(false, new byte[4], 0, 4);
        assertThat(o.encodedLength()).isEqualTo(6);
        assertThatThrownBy(() -> o.fastOpen(true, new byte[0], 0, 0)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void copiesKeepTheCookie() {
        TcpOptions o = parse("22 06 de ad be ef");
        TcpOptions copy = new TcpOptions().copyFrom(o);
        assertThat(copy).hasToString("FO deadbeef");
        assertThat(new TcpOptions().copyFrom(o).clear().hasFastOpen()).isFalse();
    }
}
