package dev.synack.link;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.wire.Checksum;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Cutting a UDP super-datagram: headers per datagram as the kernel's segmentation writes them. */
class UdpSuperDatagramTest {
    /** An IPv4 UDP super-datagram from 10.7.0.1:4000 to 10.7.0.2:7400, identification 0x1234, payload bytes 0, 1, 2, ... */
    private static byte[] ipv4(int payload) {
        byte[] p = new byte[28 + payload];
        ByteBuffer b = ByteBuffer.wrap(p);
        b.put(0, (byte) 0x45).putShort(2, (short) p.length).putShort(4, (short) 0x1234).put(8, (byte) 64).put(9, (byte) 17);
        b.putInt(12, 0x0a070001).putInt(16, 0x0a070002);
        b.putShort(20, (short) 4000).putShort(22, (short) 7400).putShort(24, (short) (8 + payload)).putShort(26, (short) 0x5555);
        for (int i = 0; i < payload; i++) p[28 + i] = (byte) i;
        return p;
    }

    @Test
    void cutsIntoDatagramsWithTheirOwnLengthsIdsAndChecksums() {
        byte[] packet = ipv4(2500);
        List<ByteBuffer> out = new ArrayList<>();
        assertThat(UdpSuperDatagram.cut(MemorySegment.ofArray(packet), packet.length, 1000, false, out::add)).isEqualTo(3);
        assertThat(out).extracting(ByteBuffer::remaining).containsExactly(1028, 1028, 528);
        for (int i = 0; i < 3; i++) {
            ByteBuffer d = out.get(i);
            int n = d.remaining() - 28;
            assertThat(d.getShort(2) & 0xffff).isEqualTo(28 + n);
            assertThat(d.getShort(4) & 0xffff).as("IPv4 identification").isEqualTo(0x1234 + i);
            assertThat(Checksum.compute(d, 0, 20)).as("IPv4 header checksum").isZero();
            assertThat(d.getShort(24) & 0xffff).as("UDP length").isEqualTo(8 + n);
            long pseudo = Checksum.pseudoHeader(d.getInt(12), d.getInt(16), 17, 8 + n);
            assertThat(Checksum.finish(Checksum.add(pseudo, d, 20, 8 + n))).as("UDP checksum verifies").isZero();
            assertThat(d.get(28)).as("first payload byte").isEqualTo((byte) (i * 1000));
        }
    }

    @Test
    void aTrustedChecksumIsLeftAsItIs() {
        byte[] packet = ipv4(2000);
        List<ByteBuffer> out = new ArrayList<>();
        assertThat(UdpSuperDatagram.cut(MemorySegment.ofArray(packet), packet.length, 1000, true, out::add)).isEqualTo(2);
        assertThat(out).allSatisfy(d -> assertThat(d.getShort(26) & 0xffff).isEqualTo(0x5555));
    }

    @Test
    void malformedSuperDatagramsAreRefused() {
        byte[] packet = ipv4(2000);
        List<ByteBuffer> out = new ArrayList<>();
        assertThat(UdpSuperDatagram.cut(MemorySegment.ofArray(packet), packet.length, 0, true, out::add)).isEqualTo(-1);
        assertThat(UdpSuperDatagram.cut(MemorySegment.ofArray(packet), 28, 1000, true, out::add)).as("no payload").isEqualTo(-1);
        packet[9] = 6; // TCP
        assertThat(UdpSuperDatagram.cut(MemorySegment.ofArray(packet), packet.length, 1000, true, out::add)).isEqualTo(-1);
        assertThat(out).isEmpty();
    }
}
