package dev.synack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** serve and connect over UDP on 127.0.0.1, in-process and across two processes; demo --pcap. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NetCommandsTest {
    record Connected(int exitCode, String out, String err) {}

    /** Runs {@code connect} in-process with {@code input} as its stdin. */
    static Connected connect(String input, String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        cl.setOut(new PrintWriter(new StringWriter()));
        ConnectCommand command = cl.getSubcommands().get("connect").getCommand();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        command.stdin = new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8));
        command.stdout = out;
        String[] all = new String[args.length + 1];
        all[0] = "connect";
        System.arraycopy(args, 0, all, 1, args.length);
        int code = cl.execute(all);
        return new Connected(code, out.toString(StandardCharsets.UTF_8), err.toString());
    }

    static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * Starts {@code serve} in-process on another thread and returns once it says it serves (its
     * listener exists then: a SYN sent earlier would be refused); the future gives its result.
     */
    static CompletableFuture<DemoRunner.Result> serve(String... args) throws InterruptedException {
        String[] all = new String[args.length + 1];
        all[0] = "serve";
        System.arraycopy(args, 0, all, 1, args.length);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CompletableFuture<DemoRunner.Result> result = CompletableFuture.supplyAsync(() -> {
            CommandLine cl = Main.commandLine();
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(err, true));
            int code = cl.execute(all);
            return new DemoRunner.Result(code, out.toString(), err.toString());
        }, r -> Thread.ofPlatform().daemon().start(r));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!err.toString().contains("synack serve: ") && !result.isDone() && System.nanoTime() < deadline) Thread.sleep(10);
        return result;
    }

    @Test
    void connectTalksToServeOverUdpEcho() throws Exception {
        int udp = freeUdpPort();
        CompletableFuture<DemoRunner.Result> server = serve("--udp", Integer.toString(udp), "--echo", "--max-connections", "1");
        Connected c = connect("hello over synack\n", "--udp", "127.0.0.1:" + udp, "10.9.0.2", "7");
        assertThat(c.exitCode()).as(c.err()).isZero();
        assertThat(c.out()).isEqualTo("hello over synack\n");
        DemoRunner.Result r = server.get(30, TimeUnit.SECONDS);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.err()).contains("echo on 10.9.0.2:7 over UDP link 127.0.0.1:" + udp + " (answering whoever sends)")
                .doesNotContain("/127.0.0.1");
    }

    @Test
    void connectTalksToServeOverIpv6CarriedInUdp() throws Exception {
        int udp = freeUdpPort();
        CompletableFuture<DemoRunner.Result> server = serve("--udp", Integer.toString(udp), "--address", "fd09::2", "--echo",
                "--max-connections", "1");
        Connected c = connect("hello over IPv6\n", "--udp", "127.0.0.1:" + udp, "--address", "fd09::1", "fd09::2", "7");
        assertThat(c.exitCode()).as(c.err()).isZero();
        assertThat(c.out()).isEqualTo("hello over IPv6\n");
        DemoRunner.Result r = server.get(30, TimeUnit.SECONDS);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.err()).contains("echo on [fd09::2]:7 over UDP link");
    }

    @Test
    void httpModeAnswersWithTheConnectionsLadder(@TempDir Path dir) throws Exception {
        int udp = freeUdpPort();
        Path pcap = dir.resolve("http.pcap");
        CompletableFuture<DemoRunner.Result> server = serve("--udp", Integer.toString(udp), "--http", "--port", "8080",
                "--max-connections", "1", "--pcap", pcap.toString());
        Connected c = connect("GET / HTTP/1.0\r\nHost: synack\r\n\r\n", "--udp", "127.0.0.1:" + udp, "10.9.0.2", "8080");
        assertThat(c.exitCode()).as(c.err()).isZero();
        assertThat(c.out()).startsWith("HTTP/1.1 200 OK\r\n").contains("synack answered \"GET / HTTP/1.0\"")
                .contains("SYN_RECV").contains("ESTABLISHED").contains("mss 1460");
        assertThat(server.get(30, TimeUnit.SECONDS).exitCode()).isZero();
        assertThat(pcapRecords(pcap)).isGreaterThanOrEqualTo(6);
    }

    /** Two pipelined requests on one connection: both answered, the second closes the connection. */
    @Test
    void httpModeKeepsTheConnectionAlive() throws Exception {
        int udp = freeUdpPort();
        CompletableFuture<DemoRunner.Result> server = serve("--udp", Integer.toString(udp), "--http", "--port", "8080",
                "--max-connections", "1");
        Connected c = connect("GET /one HTTP/1.1\r\nHost: synack\r\n\r\nGET /two HTTP/1.1\r\nHost: synack\r\n"
                + "Connection: close\r\n\r\n", "--udp", "127.0.0.1:" + udp, "10.9.0.2", "8080");
        assertThat(c.exitCode()).as(c.err()).isZero();
        assertThat(c.out().split("HTTP/1.1 200 OK\r\n", -1)).hasSize(3);
        assertThat(c.out()).contains("Connection: keep-alive").contains("synack answered \"GET /one HTTP/1.1\" from 10.9.0.1:")
                .contains("synack answered \"GET /two HTTP/1.1\"").contains("Times in real seconds")
                .doesNotContain("virtual");
        assertThat(server.get(30, TimeUnit.SECONDS).exitCode()).isZero();
    }

    @Test
    void connectToAPortNobodyServesFailsWithRefused() throws Exception {
        int udp = freeUdpPort();
        CompletableFuture<DemoRunner.Result> server = serve("--udp", Integer.toString(udp), "--max-connections", "1");
        Connected c = connect("", "--udp", "127.0.0.1:" + udp, "10.9.0.2", "9999");
        assertThat(c.exitCode()).isEqualTo(1);
        assertThat(c.err()).contains("10.9.0.2:9999").containsIgnoringCase("refused");
        // Let the server end: one connection to its echo port.
        assertThat(connect("x", "--udp", "127.0.0.1:" + udp, "10.9.0.2", "7").out()).isEqualTo("x");
        assertThat(server.get(30, TimeUnit.SECONDS).exitCode()).isZero();
    }

    /**
     * Two processes: serve exits after one connection, so it must deliver what its send buffer still
     * holds before its stack stops (600 kB echoed back through a window the client reads slowly).
     */
    @Test
    void serveAcrossProcesses(@TempDir Path dir) throws Exception {
        int udp = freeUdpPort();
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        Path log = dir.resolve("serve.log");
        Process child = new ProcessBuilder(javaBin.toString(), "-cp", System.getProperty("java.class.path"),
                "--enable-native-access=ALL-UNNAMED", Main.class.getName(),
                "serve", "--udp", Integer.toString(udp), "--echo", "--max-connections", "1")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.readString(log).contains("synack serve: echo") && child.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(Files.readString(log)).contains("synack serve: echo");
            byte[] data = new byte[300_000];
            new java.util.Random(5).nextBytes(data);
            String text = java.util.HexFormat.of().formatHex(data);
            Connected c = connect(text, "--udp", "127.0.0.1:" + udp, "10.9.0.2", "7");
            assertThat(c.exitCode()).as(c.err()).isZero();
            assertThat(c.out()).isEqualTo(text);
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).as(Files.readString(log)).isZero();
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void usageErrors() {
        assertThat(DemoRunner.run("serve", "--echo").exitCode()).isEqualTo(2);
        assertThat(DemoRunner.run("serve", "--udp", "9", "--echo", "--http").err()).contains("choose one of --echo, --discard, --http");
        assertThat(DemoRunner.run("serve", "--tun", "x", "--udp", "9").err()).contains("choose the network");
        assertThat(connect("", "--udp", "127.0.0.1:9", "not-an-ip", "7").exitCode()).isEqualTo(2);
        assertThat(connect("", "10.0.0.1", "7").err()).contains("choose the network");
        DemoRunner.Result badName = DemoRunner.run("serve", "--tun", "this-name-is-too-long", "--echo");
        assertThat(badName.exitCode()).isEqualTo(1);
        assertThat(badName.err()).contains("bad interface name");
    }

    @Test
    void demoWritesAPcapOfTheWire(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("demo.pcap");
        DemoRunner.Result r = DemoRunner.run("demo", "lifecycle", "--pcap", file.toString());
        assertThat(r.exitCode()).as(r.toString()).isZero();
        long sends = r.out().lines().filter(l -> l.contains("-->") || l.contains("<--")).count();
        assertThat(pcapRecords(file)).isPositive();
        // Virtual timestamps: the simulation starts at time zero, so the capture starts at the epoch.
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getInt(24)).isLessThan(60);
        assertThat(sends).isPositive();
    }

    /** The number of records in a pcap file (walking the record headers). */
    static int pcapRecords(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getInt(0)).isEqualTo(0xa1b2c3d4);
        assertThat(b.getInt(20)).isEqualTo(101);
        int records = 0;
        int p = 24;
        while (p + 16 <= b.limit()) {
            int incl = b.getInt(p + 8);
            assertThat(b.get(p + 16) & 0xf0).as("IPv4 packet").isEqualTo(0x40);
            p += 16 + incl;
            records++;
        }
        assertThat(p).isEqualTo(b.limit());
        return records;
    }
}
