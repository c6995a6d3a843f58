package dev.synack.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synack.link.SimNetwork;
import dev.synack.stack.NetStack;
import dev.synack.tcp.TcpConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** serve's admin port and its report at exit; --pcap-snaplen on serve and demo. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class InspectionTest {

    @Test
    void serveShowsItsStackOnTheAdminPortAndAtExit(@TempDir Path dir) throws Exception {
        int udp = NetCommandsTest.freeUdpPort();
        Path pcap = dir.resolve("serve.pcap");
        Serving server = serve("--udp", Integer.toString(udp), "--echo",
                "--max-connections", "1", "--admin-port", "0", "--pcap", pcap.toString(), "--pcap-snaplen", "40");
        int admin = adminPort(server);

        String page = ask(admin, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(page).startsWith("HTTP/1.0 200 OK\r\n").contains("Content-Type: text/plain")
                .containsPattern("LISTEN +0 +128 +10\\.9\\.0\\.2:7 +0\\.0\\.0\\.0:\\*\n\tsynq:0\n").contains("#synack synack\n");
        assertThat(ask(admin, "ss\n")).startsWith("State").containsPattern("LISTEN +0 +128 +10\\.9\\.0\\.2:7").doesNotContain("synq");
        assertThat(ask(admin, "nstat\n")).isEqualTo("#synack synack\n");

        NetCommandsTest.Connected c = NetCommandsTest.connect("hello\n", "--udp", "127.0.0.1:" + udp, "10.9.0.2", "7");
        assertThat(c.out()).isEqualTo("hello\n");
        DemoRunner.Result r = server.result().get(30, TimeUnit.SECONDS);
        assertThat(r.exitCode()).as(r.toString()).isZero();
        String atExit = r.err().substring(r.err().indexOf("synack serve: the stack at exit:"));
        assertThat(atExit).containsPattern("LISTEN +0 +128 +10\\.9\\.0\\.2:7")
                .containsPattern("TcpPassiveOpens +1 +0\\.0\n").containsPattern("TcpInSegs +\\d+");
        assertThat(refusedWithin(admin, 5)).as("the admin port closed at exit").isTrue();

        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(pcap)).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getInt(16)).as("the header's snaplen").isEqualTo(40);
        assertThat(NetCommandsTest.pcapRecords(pcap)).isGreaterThanOrEqualTo(6);
        for (int p = 24; p < b.limit(); p += 16 + b.getInt(p + 8)) {
            assertThat(b.getInt(p + 8)).as("bytes kept").isEqualTo(40);
            assertThat(b.getInt(p + 12)).as("the packet's length").isGreaterThan(40);
        }
    }

    @Test
    void theAdminPortListensOnLoopbackOnly() throws Exception {
        NetStack stack = new SimNetwork(1).addHost("h", "10.0.0.1", TcpConfig.linux());
        StringWriter err = new StringWriter();
        try (StackInspection inspection = StackInspection.start(stack, 0, new PrintWriter(err))) {
            int port = inspection.adminPort();
            assertThat(err.toString()).contains("http://127.0.0.1:" + port + "/");
            assertThat(ask(port, "ss -i\n")).isEqualTo("State Recv-Q Send-Q Local Address:Port Peer Address:Port\n");
            InetAddress outside = NetworkInterface.networkInterfaces().flatMap(NetworkInterface::inetAddresses)
                    .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress()).findFirst().orElse(null);
            if (outside != null) {
                assertThatThrownBy(() -> ask(outside, port, "ss\n")).as("from " + outside).isInstanceOf(ConnectException.class);
            }
        }
        assertThat(err.toString()).contains("synack serve: the stack at exit:\nState");
    }

    @Test
    void aTakenAdminPortIsReportedAndServeExits() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            DemoRunner.Result r = serve("--udp", Integer.toString(NetCommandsTest.freeUdpPort()), "--admin-port", Integer.toString(port))
                    .result().get(30, TimeUnit.SECONDS);
            assertThat(r.exitCode()).as(r.toString()).isEqualTo(1);
            assertThat(r.err()).contains("synack serve: admin port 127.0.0.1:" + port + ": ").doesNotContain("\tat ");
        }
    }

    @Test
    void demoCutsPacketsToTheSnaplen(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("demo.pcap");
        DemoRunner.Result r = DemoRunner.run("demo", "lifecycle", "--pcap", file.toString(), "--pcap-snaplen", "52");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.getInt(16)).isEqualTo(52);
        boolean cut = false;
        for (int p = 24; p < b.limit(); p += 16 + b.getInt(p + 8)) {
            assertThat(b.getInt(p + 8)).isEqualTo(Math.min(52, b.getInt(p + 12)));
            cut |= b.getInt(p + 12) > 52;
        }
        assertThat(cut).as("some packet longer than the snaplen").isTrue();
    }

    @Test
    void aSnaplenOutOfRangeIsABadArgument() {
        DemoRunner.Result r = DemoRunner.run("demo", "lifecycle", "--pcap-snaplen", "70000");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--pcap-snaplen").contains("0-65535");
    }

    /** serve running in-process: its result to come and its error output so far. */
    private record Serving(CompletableFuture<DemoRunner.Result> result, StringWriter err) {}

    private static Serving serve(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "serve";
        System.arraycopy(args, 0, all, 1, args.length);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CompletableFuture<DemoRunner.Result> result = CompletableFuture.supplyAsync(() -> {
            CommandLine cl = Main.commandLine();
            cl.setOut(new PrintWriter(out, true));
            cl.setErr(new PrintWriter(err, true));
            return new DemoRunner.Result(cl.execute(all), out.toString(), err.toString());
        }, r -> Thread.ofPlatform().daemon().start(r));
        return new Serving(result, err);
    }

    /** The admin port serve prints, once it serves (its listener exists then). */
    private static int adminPort(Serving serving) throws InterruptedException {
        Pattern port = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)/(?s:.*)synack serve: echo on");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline && !serving.result().isDone()) {
            Matcher m = port.matcher(serving.err().toString());
            if (m.find()) return Integer.parseInt(m.group(1));
            Thread.sleep(10);
        }
        throw new AssertionError("serve printed no admin port: " + serving.err());
    }

    /**
     * Whether a connection to the loopback port is refused within {@code seconds}: the listener is
     * gone (asked again while not, since the port may be answered briefly by whatever had it).
     */
    private static boolean refusedWithin(int port, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                Thread.sleep(50);
            } catch (ConnectException refused) {
                return true;
            } catch (SocketException resetWhileConnecting) {
                // The listener went away during the handshake (a reset on a busy machine): closed too.
                return true;
            }
        }
        return false;
    }

    private static String ask(int port, String request) throws IOException {
        return ask(InetAddress.getLoopbackAddress(), port, request);
    }

    private static String ask(InetAddress address, int port, String request) throws IOException {
        try (Socket s = new Socket(address, port)) {
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
