package dev.synack.socket;

import static dev.synack.socket.SimSockets.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.link.PacketFault;
import dev.synack.wire.TcpPacket;
import java.util.Random;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Transfers over a network that loses packets: every byte still arrives, once and in order. */
@Timeout(60)
class SimSocketLossTest {

    /** Drops each packet with probability 1/{@code oneIn}, drawn from the network's seeded random source. */
    private record RandomLoss(Random random, int oneIn) implements PacketFault {
        @Override
        public String drop(String fromHost, TcpPacket packet) {
            return random.nextInt(oneIn) == 0 ? "random loss 1/" + oneIn : null;
        }
    }

    @ParameterizedTest(name = "seed {0}, loss 1/{1}, {2} bytes")
    @CsvSource({"31, 50, 300000", "32, 20, 200000", "33, 10, 100000"})
    void everyByteArrivesDespiteLoss(long seed, int oneIn, int size) {
        SimSockets s = new SimSockets(seed);
        s.net.addFault(new RandomLoss(s.net.random(), oneIn));
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        SimSockets.Echo echo = s.spawnEcho(data);
        s.net.run();
        assertThat(sha256(echo.received().get())).as("seed %d", seed).isEqualTo(sha256(data));
        assertThat(sha256(echo.echoed().get())).as("seed %d", seed).isEqualTo(sha256(data));
        assertThat(s.net.packetsDropped()).as("seed %d", seed).isPositive();
        assertThat(s.client.counters().get("RetransSegs") + s.server.counters().get("RetransSegs"))
                .as("seed %d", seed).isPositive();
        // Nothing is left behind: every connection reached CLOSED and was forgotten.
        assertThat(s.client.connectionCount()).as("seed %d", seed).isZero();
        assertThat(s.server.connectionCount()).as("seed %d", seed).isZero();
    }
}
