package dev.synack.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** encode then decode gives back every field, the options in their layout, and the payload. */
class PacketCodecRoundTripTest {

    private static TcpPacket packet(int flags, Consumer<TcpOptions> options, int payloadLength) {
        TcpPacket packet = new TcpPacket()
                .sourceAddress(Ipv4Address.parse("192.0.2.10"))
                .destinationAddress(Ipv4Address.parse("198.51.100.7"))
                .ttl(61);
        byte[] payload = new byte[payloadLength];
        new SplittableRandom(payloadLength).nextBytes(payload);
        packet.segment().sourcePort(51_234).destinationPort(443).seq(0xfffffff0).ack(0x7fffffff)
                .flags(flags).window(29_200).urgentPointer(0)
                .payload(ByteBuffer.wrap(payload));
        options.accept(packet.segment().options());
        return packet;
    }

    private static Arguments roundTrip(String name, int flags, Consumer<TcpOptions> options, int payloadLength) {
        return Arguments.of(Named.of(name, packet(flags, options, payloadLength)));
    }

    static Stream<Arguments> packets() {
        int syn = TcpFlags.SYN;
        int synAck = TcpFlags.SYN | TcpFlags.ACK;
        int ack = TcpFlags.ACK;
        int pshAck = TcpFlags.PSH | TcpFlags.ACK;
        return Stream.of(
                roundTrip("Linux active SYN", syn, o -> o.mss(1460).sackPermitted().timestamps(1, 0).nop().windowScale(7), 0),
                roundTrip("Linux SYN-ACK with SACK, no timestamps", synAck,
                        o -> o.mss(1460).nop().nop().sackPermitted().nop().windowScale(7), 0),
                roundTrip("Linux SYN-ACK without SACK", synAck, o -> o.mss(1460).nop().windowScale(7), 0),
                roundTrip("pure ACK with timestamps", ack, o -> o.nop().nop().timestamps(123_456, 654_321), 0),
                roundTrip("data with timestamps, 1 byte", pshAck, o -> o.nop().nop().timestamps(-1, 0x8000_0000), 1),
                roundTrip("data with timestamps, 1460 bytes", pshAck, o -> o.nop().nop().timestamps(77, 66), 1460),
                roundTrip("largest payload, no options", ack, o -> { }, 65_495),
                roundTrip("one SACK block", ack, o -> o.nop().nop().sack().addSackBlock(100, 200), 0),
                roundTrip("three SACK blocks beside timestamps", ack,
                        o -> o.nop().nop().timestamps(5, 6).nop().nop().sack()
                                .addSackBlock(1, 2).addSackBlock(-3, -2).addSackBlock(0x7fff_0000, 0x8000_0010), 0),
                roundTrip("four SACK blocks", ack,
                        o -> o.nop().nop().sack().addSackBlock(10, 20).addSackBlock(30, 40)
                                .addSackBlock(50, 60).addSackBlock(70, 80), 3),
                roundTrip("FIN with PSH", TcpFlags.FIN | pshAck, o -> o.nop().nop().timestamps(9, 8), 17),
                roundTrip("RST without options", TcpFlags.RST, o -> { }, 0),
                roundTrip("every flag", 0xff, o -> o.mss(536), 2),
                roundTrip("window scale above 14 as sent", syn, o -> o.mss(1).nop().windowScale(15), 0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("packets")
    void encodeThenDecodeGivesEveryFieldBack(TcpPacket original) {
        int length = PacketCodec.encodedLength(original);
        ByteBuffer out = ByteBuffer.allocate(length + 8);
        assertThat(PacketCodec.encode(original, out)).isEqualTo(length);
        assertThat(out.position()).isEqualTo(length);
        out.flip();

        TcpPacket decoded = new TcpPacket();
        assertThat(PacketCodec.decode(out, decoded)).isEqualTo(ParseResult.OK);
        assertThat(out.position()).isZero();
        assertSamePacket(decoded, original);
    }

    @Test
    void anUnalignedLayoutComesBackWithTheEolPaddingItWasSentWith() {
        TcpPacket original = packet(TcpFlags.SYN, o -> o.mss(1460).windowScale(7), 0);
        ByteBuffer out = ByteBuffer.allocate(100);
        assertThat(PacketCodec.encode(original, out)).isEqualTo(20 + 28);
        TcpPacket decoded = new TcpPacket();
        assertThat(PacketCodec.decode(out.flip(), decoded)).isEqualTo(ParseResult.OK);
        // The zero padding byte is an EOL on the wire, and the parser records what is on the wire.
        assertThat(decoded.segment().options()).hasToString("mss 1460,wscale 7,eol");
        assertThat(decoded.segment().options().mss()).isEqualTo(1460);
        assertThat(decoded.segment().options().windowScale()).isEqualTo(7);
    }

    /** Random header values, layouts from a pool and payload sizes; the seed names every failure. */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {3, 17, 2026, 0xc0ffee, -123_456_789})
    void randomPacketsRoundTrip(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        ByteBuffer out = ByteBuffer.allocate(Ipv4Header.MAX_TOTAL_LENGTH);
        TcpPacket decoded = new TcpPacket();
        for (int round = 0; round < 300; round++) {
            TcpPacket original = new TcpPacket().sourceAddress(random.nextInt()).destinationAddress(random.nextInt())
                    .ttl(random.nextInt(256));
            byte[] payload = new byte[random.nextInt(2000)];
            random.nextBytes(payload);
            original.segment().sourcePort(random.nextInt(65_536)).destinationPort(random.nextInt(65_536))
                    .seq(random.nextInt()).ack(random.nextInt()).flags(random.nextInt(256))
                    .window(random.nextInt(65_536)).urgentPointer(random.nextInt(65_536))
                    .payload(ByteBuffer.wrap(payload));
            TcpOptions options = original.segment().options();
            switch (random.nextInt(5)) {
                case 0 -> { }
                case 1 -> options.mss(random.nextInt(65_536)).sackPermitted().timestamps(random.nextInt(), random.nextInt())
                        .nop().windowScale(random.nextInt(15));
                case 2 -> options.nop().nop().timestamps(random.nextInt(), random.nextInt());
                case 3 -> {
                    options.nop().nop().sack();
                    int blocks = 1 + random.nextInt(4);
                    for (int k = 0; k < blocks; k++) options.addSackBlock(random.nextInt(), random.nextInt());
                }
                default -> options.mss(random.nextInt(65_536)).nop().windowScale(random.nextInt(256));
            }
            String context = "seed " + seed + " round " + round + ": " + original;
            out.clear();
            PacketCodec.encode(original, out);
            assertThat(PacketCodec.decode(out.flip(), decoded)).as(context).isEqualTo(ParseResult.OK);
            assertThat(decoded).as(context).hasToString(original.toString());
            assertThat(decoded.segment().urgentPointer()).as(context).isEqualTo(original.segment().urgentPointer());
            assertThat(decoded.ttl()).as(context).isEqualTo(original.ttl());
            assertThat(decoded.segment().payload()).as(context).isEqualTo(original.segment().payload());
        }
    }

    private static void assertSamePacket(TcpPacket actual, TcpPacket expected) {
        assertThat(actual.sourceAddress()).isEqualTo(expected.sourceAddress());
        assertThat(actual.destinationAddress()).isEqualTo(expected.destinationAddress());
        assertThat(actual.ttl()).isEqualTo(expected.ttl());
        TcpSegment a = actual.segment();
        TcpSegment e = expected.segment();
        assertThat(a.sourcePort()).isEqualTo(e.sourcePort());
        assertThat(a.destinationPort()).isEqualTo(e.destinationPort());
        assertThat(a.seq()).isEqualTo(e.seq());
        assertThat(a.ack()).isEqualTo(e.ack());
        assertThat(a.flags()).isEqualTo(e.flags());
        assertThat(a.window()).isEqualTo(e.window());
        assertThat(a.urgentPointer()).isEqualTo(e.urgentPointer());
        TcpOptions ao = a.options();
        TcpOptions eo = e.options();
        assertThat(ao).hasToString(eo.toString());
        assertThat(ao.layoutLength()).isEqualTo(eo.layoutLength());
        for (int i = 0; i < eo.layoutLength(); i++) assertThat(ao.kindAt(i)).isEqualTo(eo.kindAt(i));
        assertThat(ao.hasMss()).isEqualTo(eo.hasMss());
        assertThat(ao.mss()).isEqualTo(eo.mss());
        assertThat(ao.windowScale()).isEqualTo(eo.windowScale());
        assertThat(ao.sackPermittedPresent()).isEqualTo(eo.sackPermittedPresent());
        assertThat(ao.hasTimestamps()).isEqualTo(eo.hasTimestamps());
        assertThat(ao.tsVal()).isEqualTo(eo.tsVal());
        assertThat(ao.tsEcr()).isEqualTo(eo.tsEcr());
        assertThat(ao.sackBlockCount()).isEqualTo(eo.sackBlockCount());
        for (int i = 0; i < eo.sackBlockCount(); i++) {
            assertThat(ao.sackLeft(i)).isEqualTo(eo.sackLeft(i));
            assertThat(ao.sackRight(i)).isEqualTo(eo.sackRight(i));
        }
        assertThat(a.payloadLength()).isEqualTo(e.payloadLength());
        assertThat(a.payload()).isEqualTo(e.payload());
        assertThat(actual).hasToString(expected.toString());
    }
}
