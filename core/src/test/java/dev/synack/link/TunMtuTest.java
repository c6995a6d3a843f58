package dev.synack.link;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import dev.synack.tcp.TcpConfig;
import dev.synack.wire.PacketCodec;
import dev.synack.wire.ParseResult;
import dev.synack.wire.TcpFlags;
import dev.synack.wire.TcpPacket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A TUN device with MTU 1400: synack advertises MSS 1360 and never sends a larger packet. */
class TunMtuTest {
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aStackOnAnMtu1400DeviceAdvertisesMss1360() throws Exception {
        try (KernelInterop bench = KernelInterop.start(TcpConfig.linux(), 1400);
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            assertThat(bench.stack.config().mss()).isEqualTo(1360);
            List<Integer> synAckMss = new CopyOnWriteArrayList<>();
            List<Integer> sizes = new CopyOnWriteArrayList<>();
            bench.stack.addPacketTap((stack, t, outbound, packet) -> {
                if (!outbound) return;
                sizes.add(packet.remaining());
                TcpPacket p = new TcpPacket();
                if (PacketCodec.decode(packet, p) == ParseResult.OK && p.segment().has(TcpFlags.SYN)) {
                    synAckMss.add(p.segment().options().mss());
                }
            });
            try (TcpServerSocket server = bench.synackListen(7100);
                 Socket kernel = bench.kernelConnect(7100);
                 TcpSocket accepted = server.accept()) {
                Future<String> received = pool.submit(() -> KernelInterop.receiveAll(kernel.getInputStream()));
                String sent = KernelInterop.sendRandom(accepted.getOutputStream(), 2 << 20, 1400);
                accepted.shutdownOutput();
                assertThat(received.get(30, TimeUnit.SECONDS)).isEqualTo(sent + "/" + (2 << 20));
                // The kernel's view: path MTU 1400 and a sending MSS of synack's 1360 less the 12 bytes
                // of the timestamp option every segment carries.
                assertThat(bench.ns.exec("ss", "-tin")).contains("pmtu:1400").contains(" mss:1348 ");
            }
            assertThat(synAckMss).containsExactly(1360);
            assertThat(sizes).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(1400));
            assertThat(sizes).contains(1400);
        }
    }
}
