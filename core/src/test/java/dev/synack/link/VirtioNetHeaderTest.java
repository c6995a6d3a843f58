package dev.synack.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** Which packets read from a TUN device synack takes without computing or verifying their transport checksum. */
class VirtioNetHeaderTest {
    private static MemorySegment header(int flags) {
        ByteBuffer h = ByteBuffer.allocate(VirtioNetHeader.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        h.put(0, (byte) flags);
        return MemorySegment.ofArray(h.array());
    }

    /** An IPv4 (version 4) or IPv6 (version 6) packet of 60 bytes whose protocol / next header is {@code protocol}. */
    private static MemorySegment packet(int version, int protocol) {
        byte[] p = new byte[60];
        p[0] = (byte) (version << 4 | (version == 4 ? 5 : 0));
        p[version == 4 ? 9 : 6] = (byte) protocol;
        return MemorySegment.ofArray(p);
    }

    @Test
    void aPartialOrCheckedTcpOrUdpChecksumIsTheKernelsWord() {
        assertThat(VirtioNetHeader.vouchesForTransportChecksum(header(VirtioNetHeader.NEEDS_CSUM), packet(4, 6), 60)).isTrue();
        assertThat(VirtioNetHeader.vouchesForTransportChecksum(header(VirtioNetHeader.NEEDS_CSUM), packet(6, 6), 60)).isTrue();
        assertThat(VirtioNetHeader.vouchesForTransportChecksum(header(VirtioNetHeader.NEEDS_CSUM), packet(4, 17), 60)).isTrue();
        assertThat(VirtioNetHeader.vouchesForTransportChecksum(header(VirtioNetHeader.DATA_VALID), packet(4, 6), 60)).isTrue();
        assertThat(VirtioNetHeader.vouchesForTransportChecksum(header(VirtioNetHeader.DATA_VALID), packet(6, 17), 60)).isTrue();
    }

    @Test
    void otherPacketsAreVerified() {
        // No flag: the checksum is whatever came with the packet.
        assertThat(VirtioNetHeader.vouchesForTransportChecksum(header(0), packet(4, 6), 60)).isFalse();
        // ICMP, and IPv6 with an extension header first (hop-by-hop 0, routing 43): completed and verified.
        assertThat(VirtioNetHeader.vouchesForTransportChecksum(header(VirtioNetHeader.NEEDS_CSUM), packet(4, 1), 60)).isFalse();
        assertThat(VirtioNetHeader.vouchesForTransportChecksum(header(VirtioNetHeader.NEEDS_CSUM), packet(6, 58), 60)).isFalse();
        assertThat(VirtioNetHeader.vouchesForTransportChecksum(header(VirtioNetHeader.NEEDS_CSUM), packet(6, 0), 60)).isFalse();
        assertThat(VirtioNetHeader.vouchesForTransportChecksum(header(VirtioNetHeader.NEEDS_CSUM), packet(6, 43), 60)).isFalse();
        // Too short to hold an IPv4 and a UDP header.
        assertThat(VirtioNetHeader.vouchesForTransportChecksum(header(VirtioNetHeader.NEEDS_CSUM), packet(4, 17), 27)).isFalse();
    }
}
