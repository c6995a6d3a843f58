package dev.synack.link;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import dev.synack.stack.Counter;
import dev.synack.tcp.TcpConfig;
import dev.synack.wire.PacketCodec;
import dev.synack.wire.ParseResult;
import dev.synack.wire.TcpPacket;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The kernel's TCP leaves its checksums to the TUN device (TUN_F_CSUM): synack takes its packets
 * without computing them, yet a packet tap on synack's host sees them complete. The other way,
 * synack leaves its own to the kernel, except for packets that reach the device through a fault
 * injector: those arrive as damaged as they were made.
 */
class TunChecksumOffloadTest {
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void theKernelsPacketsArriveIntactAndATapSeesTheirChecksumsComplete() throws Exception {
        try (KernelInterop bench = KernelInterop.start(TcpConfig.linux(), 1500)) {
            assertThat(bench.link.offloads() & TunLink.TUN_F_CSUM).as("the kernel took checksum offload").isNotZero();
            // Without a tap: 4 MiB from the kernel arrive byte for byte, none counted as a checksum error.
            try (TcpServerSocket server = bench.synackListen(7200);
                 Socket kernel = bench.kernelConnect(7200);
                 TcpSocket accepted = server.accept()) {
                OutputStream out = kernel.getOutputStream();
                Thread writer = Thread.ofVirtual().start(() -> {
                    try {
                        KernelInterop.sendRandom(out, 4 << 20, 7200);
                        kernel.shutdownOutput();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                String received = KernelInterop.receiveAll(accepted.getInputStream());
                writer.join();
                assertThat(received).endsWith("/" + (4 << 20));
            }
            assertThat(bench.link.superSegmentsIn()).as("the kernel sent super-segments").isPositive();
            assertThat(bench.stack.counter(Counter.IN_ERRS)).isZero();

            // With a tap: every inbound TCP packet of a connection made after it was added verifies
            // (the first connection's last packets may have been read before the tap came).
            AtomicInteger seen = new AtomicInteger();
            AtomicInteger bad = new AtomicInteger();
            bench.stack.addPacketTap((stack, t, outbound, packet) -> {
                int tcp = packet.position() + (packet.get(packet.position()) & 0x0f) * 4;
                if (outbound || packet.limit() < tcp + 4 || (packet.getShort(tcp + 2) & 0xffff) != 7201) return;
                ParseResult r = PacketCodec.decode(packet.duplicate(), new TcpPacket(), true);
                if (r == ParseResult.OK) seen.incrementAndGet();
                else if (r != ParseResult.NOT_TCP) bad.incrementAndGet();
            });
            try (TcpServerSocket server = bench.synackListen(7201);
                 Socket kernel = bench.kernelConnect(7201);
                 TcpSocket accepted = server.accept()) {
                kernel.getOutputStream().write(new byte[200_000]);
                kernel.shutdownOutput();
                assertThat(KernelInterop.receiveAll(accepted.getInputStream())).endsWith("/200000");
            }
            assertThat(seen.get()).isPositive();
            assertThat(bad.get()).as("inbound packets whose checksum did not verify").isZero();
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void packetsDamagedInFrontOfTheDeviceReachTheKernelDamaged() throws Exception {
        // Every packet synack sends gets one bit flipped between the stack and the device.
        try (KernelInterop bench = KernelInterop.startLossy(PathConditions.builder().corrupt(1.0).build(), 11);
             ServerSocket listener = bench.kernelListen(7202)) {
            long before = kernelTcpChecksumErrors(bench);
            InetSocketAddress kernel = new InetSocketAddress(InetAddress.ofLiteral(bench.kernelIp), 7202);
            for (int i = 0; i < 20; i++) { // 20 SYNs of 60 bytes, two thirds of each TCP header and options
                try (TcpSocket s = new TcpSocket(bench.stack)) {
                    s.connect(kernel, Duration.ofMillis(50));
                } catch (IOException expected) {
                    // Nothing answers a damaged SYN.
                }
            }
            assertThat(kernelTcpChecksumErrors(bench) - before)
                    .as("SYNs the kernel found damaged: the device passed them on as they came, not repaired")
                    .isPositive();
            assertThat(bench.ssLines(bench.kernelIp + ":7202")).as("no connection came of them")
                    .contains("LISTEN").doesNotContain("ESTAB").doesNotContain("SYN-RECV");
        }
    }

    /** Tcp InCsumErrors of the kernel in the test's namespace (/proc/net/snmp). */
    private static long kernelTcpChecksumErrors(KernelInterop bench) throws IOException {
        List<String> tcp = Arrays.stream(bench.ns.exec("cat", "/proc/net/snmp").split("\n"))
                .filter(l -> l.startsWith("Tcp:")).toList();
        List<String> names = List.of(tcp.get(0).split("\\s+"));
        return Long.parseLong(tcp.get(1).split("\\s+")[names.indexOf("InCsumErrors")]);
    }
}
