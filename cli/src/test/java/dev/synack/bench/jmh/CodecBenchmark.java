package dev.synack.bench.jmh;

import dev.synack.wire.PacketCodec;
import dev.synack.wire.ParseResult;
import dev.synack.wire.TcpFlags;
import dev.synack.wire.TcpPacket;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * IPv4 + TCP header decode (with both checksums verified) and encode (with both computed) of a
 * data segment carrying timestamps, as on a bulk transfer; the payload length is a parameter (0: a
 * pure ACK).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark {
    @Param({"0", "1448"})
    int payload;

    final TcpPacket outbound = new TcpPacket();
    final TcpPacket inbound = new TcpPacket();
    ByteBuffer wire;
    ByteBuffer scratch;

    @Setup
    public void build() {
        outbound.sourceAddress(0x0a000001).destinationAddress(0x0a000002);
        outbound.segment().clear().sourcePort(40000).destinationPort(80).seq(123_456).ack(654_321)
                .flags(TcpFlags.ACK | TcpFlags.PSH).window(4096)
                .payload(ByteBuffer.allocate(payload));
        outbound.segment().options().nop().nop().timestamps(1000, 2000);
        wire = ByteBuffer.allocate(PacketCodec.encodedLength(outbound));
        PacketCodec.encode(outbound, wire);
        wire.flip();
        scratch = ByteBuffer.allocate(wire.capacity());
        if (PacketCodec.decode(wire, inbound) != ParseResult.OK) throw new IllegalStateException("the sample does not decode");
    }

    @Benchmark
    public ParseResult decode() {
        return PacketCodec.decode(wire, inbound);
    }

    @Benchmark
    public int encode() {
        scratch.clear();
        return PacketCodec.encode(outbound, scratch);
    }
}
