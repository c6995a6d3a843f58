package dev.synack.link;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import dev.synack.tcp.EcnMode;
import dev.synack.tcp.TcpConfig;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * ECN with the real kernel over TUN, its net.ipv4.tcp_ecn set to 1 in the test's namespace: each
 * side asks, the other agrees, and data flows ECT(0) both ways. synack's side is read from its
 * TCP_INFO and its IpExt counters; the kernel's from its IpExt counters in the namespace
 * (InECT0Pkts: it sends ECT(0) only on a connection that agreed, and synack does the same).
 */
class TunEcnInteropTest {
    private static final int BYTES = 200_000;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void kernelClientAsksAndSynackServerAgrees() throws Exception {
        try (KernelInterop bench = KernelInterop.start()) {
            bench.ns.exec("sysctl", "-q", "-w", "net.ipv4.tcp_ecn=1");
            try (TcpServerSocket listener = new TcpServerSocket(bench.stack, 7001, 1);
                 Socket kernel = bench.kernelConnect(7001);
                 TcpSocket accepted = listener.accept()) {
                assertThat(accepted.tcpInfo().ecn()).as("synack agreed to the kernel's ECN-setup SYN").isTrue();
                exchange(kernel, accepted);
                assertThat(accepted.tcpInfo().ecnSeen()).isTrue();
                assertThat(bench.stack.counters().get("InECT0Pkts")).as("the kernel's data arrived ECT(0)").isPositive();
                assertThat(kernelIpExt(bench, "InECT0Pkts")).as("synack's data arrived ECT(0) at the kernel").isPositive();
            }
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void synackClientAsksAndKernelServerAgrees() throws Exception {
        try (KernelInterop bench = KernelInterop.start(TcpConfig.linux().toBuilder().ecn(EcnMode.ON).build(), TunLink.DEFAULT_MTU)) {
            bench.ns.exec("sysctl", "-q", "-w", "net.ipv4.tcp_ecn=1");
            try (ServerSocket listener = bench.kernelListen(7002); TcpSocket client = new TcpSocket(bench.stack)) {
                client.connect(new InetSocketAddress(InetAddress.ofLiteral(bench.kernelIp), 7002));
                try (Socket kernel = listener.accept()) {
                    assertThat(client.tcpInfo().ecn()).as("the kernel's SYN-ACK agreed (ECE without CWR)").isTrue();
                    exchange(kernel, client);
                    assertThat(client.tcpInfo().ecnSeen()).isTrue();
                    assertThat(bench.stack.counters().get("InECT0Pkts")).isPositive();
                    assertThat(kernelIpExt(bench, "InECT0Pkts")).as("synack's data arrived ECT(0) at the kernel").isPositive();
                }
            }
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void withoutTheKernelAskingSynackSendsNotEct() throws Exception {
        try (KernelInterop bench = KernelInterop.start()) {
            bench.ns.exec("sysctl", "-q", "-w", "net.ipv4.tcp_ecn=2");
            try (TcpServerSocket listener = new TcpServerSocket(bench.stack, 7003, 1);
                 Socket kernel = bench.kernelConnect(7003);
                 TcpSocket accepted = listener.accept()) {
                exchange(kernel, accepted);
                assertThat(accepted.tcpInfo().ecn()).isFalse();
                assertThat(bench.stack.counters().get("InECT0Pkts")).isZero();
                assertThat(kernelIpExt(bench, "InECT0Pkts")).isZero();
            }
        }
    }

    /** {@link #BYTES} from the kernel to synack and back. */
    private static void exchange(Socket kernel, TcpSocket synack) throws Exception {
        OutputStream out = kernel.getOutputStream();
        InputStream in = kernel.getInputStream();
        out.write(new byte[BYTES]);
        out.flush();
        ByteBuffer buffer = ByteBuffer.allocate(65536);
        long got = 0;
        while (got < BYTES) {
            int n = synack.read(buffer.clear());
            assertThat(n).isPositive();
            got += n;
            buffer.flip();
            while (buffer.hasRemaining()) synack.write(buffer);
        }
        long back = 0;
        byte[] b = new byte[65536];
        while (back < BYTES) {
            int n = in.read(b);
            assertThat(n).isPositive();
            back += n;
        }
    }

    /** The kernel's IpExt counter {@code name} in the test's namespace (/proc/net/netstat: a line of names, a line of values). */
    private static long kernelIpExt(KernelInterop bench, String name) throws Exception {
        String[] lines = bench.ns.exec("cat", "/proc/net/netstat").split("\n");
        for (int i = 0; i + 1 < lines.length; i++) {
            if (!lines[i].startsWith("IpExt:") || !lines[i + 1].startsWith("IpExt:")) continue;
            List<String> names = List.of(lines[i].trim().split("\\s+"));
            String[] values = lines[i + 1].trim().split("\\s+");
            int at = names.indexOf(name);
            if (at > 0) return Long.parseLong(values[at]);
        }
        throw new AssertionError("no IpExt " + name + " in /proc/net/netstat");
    }
}
