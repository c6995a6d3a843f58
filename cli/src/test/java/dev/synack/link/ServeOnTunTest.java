package dev.synack.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code synack serve --tun} command end to end, as a person would run it, but inside a
 * namespace of the test's own ({@code ip netns exec}): the kernel pings it and talks to its echo
 * port, and tshark reads its capture with every TCP checksum (the kernel's and synack's) correct.
 */
class ServeOnTunTest {
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void serveEchoOnATunDeviceAnswersTheKernel(@TempDir Path dir) throws Exception {
        NetNamespace.assumeAvailable();
        Path pcap = dir.resolve("serve.pcap");
        try (NetNamespace ns = NetNamespace.create()) {
            Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
            Process child = new ProcessBuilder("ip", "netns", "exec", ns.name, javaBin.toString(),
                    "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                    "dev.synack.cli.Main", "serve", "--tun", "synack0", "--address", "10.7.0.2/24", "--echo",
                    "--max-connections", "1", "--pcap", pcap.toString())
                    .redirectErrorStream(true).start();
            try {
                BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
                List<String> seen = new ArrayList<>();
                String line;
                while ((line = lines.readLine()) != null && !line.startsWith("synack serve: echo")) seen.add(line);
                assertThat(line).as("serve's output: %s", seen).isNotNull()
                        .contains("10.7.0.2:7").contains("TUN device synack0").contains("kernel 10.7.0.1/24");
                boolean reachable = ns.call(() -> InetAddress.ofLiteral("10.7.0.2").isReachable(3000));
                assertThat(reachable).as("ping 10.7.0.2").isTrue();
                String echoed = ns.call(() -> {
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress(InetAddress.ofLiteral("10.7.0.2"), 7), 10_000);
                        s.getOutputStream().write("echo me\n".getBytes(StandardCharsets.US_ASCII));
                        s.shutdownOutput();
                        return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                    }
                });
                assertThat(echoed).isEqualTo("echo me\n");
                assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("serve exits after one connection").isTrue();
                assertThat(child.exitValue()).isZero();
            } finally {
                child.destroyForcibly();
            }
        }
        if (!PcapWriterTest.Tshark.available()) {
            PcapWriterTest.Tshark.skip("tshark is not installed: the capture is not checked");
            return;
        }
        List<String> rows = PcapWriterTest.Tshark.fields(pcap, "ip.src", "icmp.type", "tcp.checksum.status", "tcp.flags.str");
        List<String> tcp = rows.stream().filter(r -> !r.split("\t", -1)[2].isEmpty()).toList();
        assertThat(tcp).hasSizeGreaterThanOrEqualTo(7);
        assertThat(tcp).allSatisfy(r -> assertThat(r.split("\t", -1)[2]).as(r).isEqualTo("1"));
        assertThat(rows).anySatisfy(r -> assertThat(r).startsWith("10.7.0.2\t0\t")); // an echo reply
        assertThat(tcp).anySatisfy(r -> assertThat(r).startsWith("10.7.0.1\t")).anySatisfy(r -> assertThat(r).startsWith("10.7.0.2\t"));
    }

    /** {@code serve --tun --address fd07::2/64}: the kernel at fd07::1 pings synack over IPv6 and gets its line echoed. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void serveEchoOverIpv6AnswersTheKernel() throws Exception {
        NetNamespace.assumeAvailable();
        try (NetNamespace ns = NetNamespace.create()) {
            Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
            Process child = new ProcessBuilder("ip", "netns", "exec", ns.name, javaBin.toString(),
                    "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                    "dev.synack.cli.Main", "serve", "--tun", "synack0", "--address", "fd07::2/64", "--echo",
                    "--max-connections", "1").redirectErrorStream(true).start();
            try {
                BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
                String line;
                while ((line = lines.readLine()) != null && !line.startsWith("synack serve: echo")) { }
                assertThat(line).isNotNull().contains("[fd07::2]:7").contains("kernel fd07::1/64").contains("1440 over IPv6");
                assertThat(ns.exec("ping", "-6", "-c", "1", "-W", "3", "fd07::2")).contains("1 received");
                String echoed = ns.call(() -> {
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress(InetAddress.ofLiteral("fd07::2"), 7), 10_000);
                        s.getOutputStream().write("echo me\n".getBytes(StandardCharsets.US_ASCII));
                        s.shutdownOutput();
                        return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                    }
                });
                assertThat(echoed).isEqualTo("echo me\n");
                assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("serve exits after one connection").isTrue();
                assertThat(child.exitValue()).isZero();
            } finally {
                child.destroyForcibly();
            }
        }
    }
}
