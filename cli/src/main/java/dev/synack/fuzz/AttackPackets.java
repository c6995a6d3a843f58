package dev.synack.fuzz;

import static dev.synack.fuzz.StackFuzzer.CLIENT;
import static dev.synack.fuzz.StackFuzzer.SERVER;
import static dev.synack.fuzz.StackFuzzer.SERVER_PORT;

import dev.synack.wire.Icmpv4;
import dev.synack.wire.Ipv4Address;
import dev.synack.wire.Ipv4Header;
import dev.synack.wire.PacketCodec;
import dev.synack.wire.ParseResult;
import dev.synack.wire.TcpFlags;
import dev.synack.wire.TcpPacket;
import java.nio.ByteBuffer;
import java.util.Random;

/**
 * The attacker's packets that need no connection's state: random bytes, IPv4 options, a template
 * with its TCP options changed, segments for strangers' ports, echo requests; and the encoding and
 * decoding the crafted segments share. Everything is drawn from the round's generator.
 */
final class AttackPackets {
    /** Far enough from any window (at most 2^30 bytes) to be outside it, near enough to stay ahead in sequence space. */
    static final int FAR = 1 << 30;
    static final int[] MARTIANS = {0xffffffff, Ipv4Address.parse("224.0.0.1"), Ipv4Address.parse("240.0.0.7"),
            0, Ipv4Address.parse("127.0.0.1"), SERVER, CLIENT};

    private final Random random;

    AttackPackets(Random random) {
        this.random = random;
    }

    ByteBuffer junk() {
        byte[] b = new byte[random.nextInt(120)];
        random.nextBytes(b);
        if (b.length > 0 && random.nextBoolean()) b[0] = 0x45; // looks like IPv4 at first sight
        return ByteBuffer.wrap(b);
    }

    byte[] randomIpOptions() {
        byte[] b = new byte[1 + random.nextInt(40)];
        if (random.nextBoolean()) {
            random.nextBytes(b); // mostly unsound
        } else {
            // Sound: NOPs and a record-route-like option of a length that fits.
            for (int i = 0; i < b.length; i++) b[i] = 1;
            if (b.length >= 3) {
                int len = 3 + random.nextInt(b.length - 2);
                b[0] = 7;
                b[1] = (byte) len;
                b[2] = 4;
            }
        }
        return b;
    }

    /** A template with bytes of its TCP options changed: checksums fixed only when moved far out of every window. */
    ByteBuffer mutatedOptions(ByteBuffer template) {
        ByteBuffer p = PacketEdits.copy(template);
        int ihl = Ipv4Header.ihl(p, 0) * 4;
        if (p.limit() < ihl + 20 || Ipv4Header.protocol(p, 0) != TcpPacket.PROTOCOL_TCP) return p;
        int dataOffset = (p.get(ihl + 12) >>> 4 & 0x0f) * 4;
        for (int i = 20; i < dataOffset && ihl + i < p.limit(); i++) {
            if (random.nextInt(3) == 0) p.put(ihl + i, (byte) random.nextInt(256));
        }
        if (random.nextBoolean()) {
            // Valid again, but harmless: far out of every window, and no SYN (a SYN-ACK is taken in
            // SYN_SENT whatever its sequence number) or RST (one is taken in SYN_SENT by its ACK alone).
            p.putInt(ihl + 4, p.getInt(ihl + 4) + FAR + random.nextInt(FAR / 2));
            p.put(ihl + 13, (byte) (p.get(ihl + 13) & ~(TcpFlags.SYN | TcpFlags.RST)));
            PacketEdits.fixChecksums(p);
        }
        return p;
    }

    /** A valid segment for a port nobody or the listener uses, from some host of the subnet. */
    ByteBuffer strangerSegment() {
        // From the client too, but from ports below its ephemeral range: never a live connection's.
        int src = random.nextInt(3) == 0 ? CLIENT : Ipv4Address.parse("10.0.0." + (3 + random.nextInt(250)));
        int dstPort = random.nextBoolean() ? SERVER_PORT : 1 + random.nextInt(65535);
        int flags = random.nextInt(10) == 0 ? TcpFlags.SYN : random.nextInt(64);
        return encode(src, SERVER, 1024 + random.nextInt(30000), dstPort, random.nextInt(), random.nextInt(), flags,
                random.nextInt(65536), null, 0, null);
    }

    ByteBuffer echo() {
        ByteBuffer b = ByteBuffer.allocate(128);
        byte[] data = new byte[random.nextInt(64)];
        random.nextBytes(data);
        int src = random.nextInt(4) == 0 ? MARTIANS[random.nextInt(MARTIANS.length)] : CLIENT;
        b.limit(Icmpv4.writeEchoRequest(b, src, SERVER, 64, random.nextInt(65536), random.nextInt(65536), data));
        if (random.nextInt(3) == 0) b.put(20, (byte) random.nextInt(256)); // another ICMP type (checksum now wrong, mostly)
        return b;
    }

    static TcpPacket decoded(ByteBuffer packet) {
        TcpPacket p = new TcpPacket();
        return PacketCodec.decode(packet.duplicate(), p) == ParseResult.OK ? p : null;
    }

    static ByteBuffer encode(int src, int dst, int srcPort, int dstPort, int seq, int ack, int flags, int window,
                                     int[] timestamps, int urgent, byte[] payload) {
        TcpPacket p = new TcpPacket().sourceAddress(src).destinationAddress(dst);
        p.segment().sourcePort(srcPort).destinationPort(dstPort).seq(seq).ack(ack).flags(flags).window(window).urgentPointer(urgent)
                .payload(payload == null ? null : ByteBuffer.wrap(payload));
        if (timestamps != null) p.segment().options().nop().nop().timestamps(timestamps[0], timestamps[1]);
        ByteBuffer out = ByteBuffer.allocate(PacketCodec.encodedLength(p));
        PacketCodec.encode(p, out);
        return out.flip();
    }
}
