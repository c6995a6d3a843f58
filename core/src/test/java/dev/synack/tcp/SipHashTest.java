package dev.synack.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synack.wire.Ipv4Address;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** SipHash-2-4 against the published test vectors, and the RFC 6528 ISN generator built on it. */
class SipHashTest {
    /** The key 00 01 .. 0f of the paper's appendix A and of the reference implementation's vectors. */
    private static final long K0 = 0x0706050403020100L;
    private static final long K1 = 0x0f0e0d0c0b0a0908L;

    private static byte[] counting(int length) {
        byte[] m = new byte[length];
        for (int i = 0; i < length; i++) m[i] = (byte) i;
        return m;
    }

    @Test
    void paperAppendixVector() {
        // Message 00 01 .. 0e (15 bytes): one whole word and a last word of seven bytes.
        assertThat(SipHash.hash(K0, K1, counting(15), 15)).isEqualTo(0xa129ca6149be45e5L);
    }

    @Test
    void referenceVectorsForAnEmptyMessageAndOneWholeWord() {
        assertThat(SipHash.hash(K0, K1, counting(0), 0)).isEqualTo(0x726fdb47dd0e0e31L);
        assertThat(SipHash.hash(K0, K1, counting(8), 8)).isEqualTo(0x93f5f5799a932462L);
    }

    @Test
    void onlyTheGivenLengthCounts() {
        byte[] longer = counting(20);
        assertThat(SipHash.hash(K0, K1, longer, 15)).isEqualTo(0xa129ca6149be45e5L);
        assertThatThrownBy(() -> SipHash.hash(K0, K1, longer, 21)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    private static FourTuple tuple(int localPort, int remotePort) {
        return new FourTuple(Ipv4Address.parse("10.0.0.1"), localPort, Ipv4Address.parse("10.0.0.2"), remotePort);
    }

    /** RFC 6528 §3: ISN = M + F(4-tuple, key), M ticking every 4 microseconds. */
    @Test
    void isnAdvancesWithTheClockAndDependsOnTupleAndKey() {
        Rfc6528IsnGenerator isn = new Rfc6528IsnGenerator(counting(16));
        FourTuple t = tuple(40000, 80);
        int at0 = isn.isn(t, 0);
        assertThat(isn.isn(t, 4_000)).isEqualTo(at0 + 1);
        assertThat(isn.isn(t, 4_000_000)).isEqualTo(at0 + 1000);
        assertThat(isn.isn(t, 0)).isEqualTo(at0); // a function of its inputs only
        Set<Integer> offsets = new HashSet<>();
        for (int port = 40000; port < 41000; port++) offsets.add(isn.isn(tuple(port, 80), 0));
        assertThat(offsets).hasSizeGreaterThan(990); // 1000 tuples, 2^32 values: collisions are rare
        byte[] otherKey = counting(16);
        otherKey[0] ^= 1;
        assertThat(new Rfc6528IsnGenerator(otherKey).isn(t, 0)).isNotEqualTo(at0);
        assertThatThrownBy(() -> new Rfc6528IsnGenerator(new byte[17])).isInstanceOf(IllegalArgumentException.class);
    }
}
