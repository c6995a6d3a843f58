package dev.synack.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synack.wire.IpAddress;
import dev.synack.wire.TcpOptions;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The server's Fast Open cookies: SipHash-2-4 of the client's then the server's address under
 * tcp_fastopen_key, as Linux computes them; the expected values are those Linux gives in the
 * upstream packetdrill scripts (fastopen/server/simple1.pkt, and run_all.py's TFO_COOKIE).
 */
class FastOpenCookiesTest {

    private static String cookie(String key, String client, String server) {
        long[] k = FastOpenCookies.parseKey(key);
        FourTuple tuple = new FourTuple(IpAddress.parse(server), 8080, IpAddress.parse(client), 40000);
        return HexFormat.of().formatHex(new FastOpenCookies(k[0], k[1]).cookieFor(tuple));
    }

    @Test
    void cookiesAreTheKernels() {
        assertThat(cookie("a1a1a1a1-b2b2b2b2-c3c3c3c3-d4d4d4d4", "192.0.2.1", "192.168.0.1")).isEqualTo("3021b9d889017eeb");
        assertThat(cookie("a0bf63f7-ed803d81-cd641d30-cebc4a90", "10.248.0.2", "192.168.0.2")).isEqualTo("00abaaabe8e954c2");
    }

    @Test
    void theCookieDependsOnTheClientAndTheKey() {
        String key = "a1a1a1a1-b2b2b2b2-c3c3c3c3-d4d4d4d4";
        assertThat(cookie(key, "192.0.2.2", "192.168.0.1")).isNotEqualTo(cookie(key, "192.0.2.1", "192.168.0.1"));
        assertThat(cookie("a1a1a1a1-b2b2b2b2-c3c3c3c3-d4d4d4d5", "192.0.2.1", "192.168.0.1"))
                .isNotEqualTo(cookie(key, "192.0.2.1", "192.168.0.1"));
        assertThat(cookie(key, "fd00::1", "fd00::2")).hasSize(16);
    }

    @Test
    void onlyTheExactCookieIsValid() {
        long[] k = FastOpenCookies.parseKey("a1a1a1a1-b2b2b2b2-c3c3c3c3-d4d4d4d4");
        FastOpenCookies cookies = new FastOpenCookies(k[0], k[1]);
        FourTuple tuple = new FourTuple(IpAddress.parse("192.168.0.1"), 8080, IpAddress.parse("192.0.2.1"), 40000);
        byte[] good = HexFormat.of().parseHex("3021b9d889017eeb");
        assertThat(cookies.valid(tuple, new TcpOptions().fastOpen(false, good, 0, 8))).isTrue();
        good[7] ^= 1;
        assertThat(cookies.valid(tuple, new TcpOptions().fastOpen(false, good, 0, 8))).isFalse();
        assertThat(cookies.valid(tuple, new TcpOptions().fastOpen(false, good, 0, 4))).isFalse();
        assertThat(cookies.valid(tuple, new TcpOptions().fastOpen(false, good, 0, 0))).isFalse();
    }

    @Test
    void keysAreFourHexWords() {
        assertThat(FastOpenCookies.parseKey("00000001-00000002-00000003-00000004,ffffffff-0-0-0"))
                .containsExactly(0x0000000200000001L, 0x0000000400000003L);
        assertThatThrownBy(() -> FastOpenCookies.parseKey("1-2-3")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FastOpenCookies.parseKey("1-2-3-123456789")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FastOpenCookies.parseKey("1-2-3-xyz")).isInstanceOf(NumberFormatException.class);
    }
}
