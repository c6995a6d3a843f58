package dev.synack.socket;

import static dev.synack.socket.SimSockets.server;
import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.link.SimNetwork;
import dev.synack.stack.NetStack;
import dev.synack.tcp.MemoryBudget;
import dev.synack.tcp.TcpConfig;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A blocking writer on a stack whose memory budget is smaller than one send buffer. */
@Timeout(30)
class MemoryBudgetSocketTest {
    private static final long HIGH = 16 * 1024;

    @Test
    void aWriteBlocksForMemoryRatherThanTakeIt() {
        SimNetwork net = new SimNetwork(5);
        NetStack client = net.addHost("client", SimSockets.CLIENT_IP, TcpConfig.linux().toBuilder().memoryHigh(HIGH).build());
        NetStack serverStack = net.addHost("server", SimSockets.SERVER_IP, TcpConfig.linux());
        byte[] data = new byte[1 << 20];
        new Random(5).nextBytes(data);
        AtomicReference<String> received = new AtomicReference<>();
        AtomicLong peak = new AtomicLong();
        AtomicReference<Boolean> done = new AtomicReference<>(false);
        net.spawn("server", () -> {
            try (TcpServerSocket ss = new TcpServerSocket(serverStack, 80, 4); TcpSocket c = ss.accept()) {
                received.set(SimSockets.sha256(SimSockets.readAll(c)));
            }
        });
        net.spawn("client", () -> {
            try (TcpSocket c = new TcpSocket(client)) {
                c.connect(server(80));
                SimSockets.writeAll(c, data); // blocks while the budget is spent, never fails
            }
            done.set(true);
        });
        net.spawn("sampler", () -> {
            while (!done.get()) {
                peak.accumulateAndGet(client.memoryAllocated(), Math::max);
                net.sleep(Duration.ofMillis(1));
            }
        });
        net.run();
        assertThat(received.get()).isEqualTo(SimSockets.sha256(data));
        assertThat(peak.get()).isPositive().isLessThanOrEqualTo(HIGH + MemoryBudget.MIN_SEND);
        assertThat(client.memoryAllocated()).isZero();
    }
}
