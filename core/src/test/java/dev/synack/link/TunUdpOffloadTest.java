package dev.synack.link;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.socket.UdpSocket;
import dev.synack.stack.Counter;
import dev.synack.tcp.TcpConfig;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * UDP segmentation offload: a kernel socket using UDP_SEGMENT sends one super-datagram into the TUN
 * device, which synack cuts into the datagrams it stands for, each delivered whole and in order.
 */
class TunUdpOffloadTest {
    private static final int GSO_SIZE = 1000;
    private static final int DATAGRAMS = 10;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aUdpSegmentSendArrivesAsItsDatagramsOverIpv4() throws Exception {
        try (KernelInterop bench = KernelInterop.start(TcpConfig.linux(), TunLink.DEFAULT_MTU)) {
            exchange(bench, "AF_INET");
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aUdpSegmentSendArrivesAsItsDatagramsOverIpv6() throws Exception {
        try (KernelInterop bench = KernelInterop.start6()) {
            exchange(bench, "AF_INET6");
        }
    }

    private static void exchange(KernelInterop bench, String family) throws Exception {
        assertThat(bench.link.offloads() & (TunLink.TUN_F_USO4 | TunLink.TUN_F_USO6))
                .as("the kernel took UDP segmentation offload (Linux 6.2 on)")
                .isEqualTo(TunLink.TUN_F_USO4 | TunLink.TUN_F_USO6);
        long superBefore = bench.link.superSegmentsIn();
        try (UdpSocket socket = UdpSocket.bind(bench.stack, 7400)) {
            socket.setSoTimeout(Duration.ofSeconds(10));
            // Datagram i holds GSO_SIZE bytes of the value i (the last one half as many), sent in one call.
            String sender = String.join("\n",
                    "import socket",
                    "s = socket.socket(socket." + family + ", socket.SOCK_DGRAM)",
                    "s.setsockopt(socket.SOL_UDP, 103, " + GSO_SIZE + ")  # UDP_SEGMENT",
                    "data = b''.join(bytes([i]) * " + GSO_SIZE + " for i in range(" + (DATAGRAMS - 1) + ")) + bytes([" + (DATAGRAMS - 1) + "]) * " + GSO_SIZE / 2,
                    "s.sendto(data, ('" + bench.synackIp + "', 7400))");
            bench.ns.exec("python3", "-c", sender);
            List<byte[]> received = new ArrayList<>();
            for (int i = 0; i < DATAGRAMS; i++) received.add(receive(socket));
            for (int i = 0; i < DATAGRAMS; i++) {
                byte[] expected = new byte[i == DATAGRAMS - 1 ? GSO_SIZE / 2 : GSO_SIZE];
                java.util.Arrays.fill(expected, (byte) i);
                assertThat(received.get(i)).as("datagram " + i).isEqualTo(expected);
            }
        }
        assertThat(bench.link.superSegmentsIn() - superBefore).as("one super-datagram from the kernel").isEqualTo(1);
        assertThat(bench.stack.counter(Counter.UDP_IN_DATAGRAMS)).isEqualTo(DATAGRAMS);
        assertThat(bench.stack.counter(Counter.UDP_IN_ERRORS)).isZero();
    }

    private static byte[] receive(UdpSocket socket) throws IOException {
        ByteBuffer into = ByteBuffer.allocate(65_535);
        socket.receive(into);
        byte[] data = new byte[into.position()];
        into.flip().get(data);
        return data;
    }
}
