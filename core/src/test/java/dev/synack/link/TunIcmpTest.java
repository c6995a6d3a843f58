package dev.synack.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synack.socket.TcpSocket;
import dev.synack.tcp.TcpConfig;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * ICMP errors from the real kernel: in the namespace the kernel forwards, and a route says a
 * destination cannot be reached, so it answers synack's SYN with ICMP destination unreachable
 * (Linux's ip_error), which aborts synack's connect at once.
 */
class TunIcmpTest {
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aKernelRouterSayingHostUnreachableAbortsConnect() throws Exception {
        try (KernelInterop bench = KernelInterop.start(TcpConfig.linux(), 1500)) {
            bench.ns.exec("sysctl", "-q", "-w", "net.ipv4.conf.all.forwarding=1");
            bench.ns.exec("sysctl", "-q", "-w", "net.ipv4.conf.synack0.forwarding=1");
            bench.ns.exec("ip", "route", "add", "unreachable", "198.51.100.1/32");
            long start = System.nanoTime();
            try (TcpSocket s = new TcpSocket(bench.stack)) {
                assertThatThrownBy(() -> s.connect(new InetSocketAddress("198.51.100.1", 80)))
                        .isInstanceOf(NoRouteToHostException.class).hasMessageContaining("No route to host");
            }
            assertThat(System.nanoTime() - start).as("at once, not after the SYN retries").isLessThan(TimeUnit.SECONDS.toNanos(5));
            assertThat(bench.stack.counters().get("InDestUnreachs")).isEqualTo(1);
        }
    }
}
