package dev.synack.link;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import dev.synack.socket.TcpSocketOptions;
import dev.synack.stack.Counter;
import dev.synack.tcp.FastOpen;
import dev.synack.tcp.TcpConfig;
import dev.synack.wire.IpAddress;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * TCP Fast Open (RFC 7413) between synack on a TUN device and the Linux kernel, in a namespace of
 * the test's own whose net.ipv4.tcp_fastopen is 3 (client and server): a kernel client (Python's
 * sendto with MSG_FASTOPEN) against a synack server, and a synack client against a kernel server
 * with TCP_FASTOPEN. Each side's first connection fetches a cookie; the second carries its data in
 * the SYN, and the other side takes it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TunFastOpenInteropTest {
    private static final int BOTH = FastOpen.CLIENT_ENABLE | FastOpen.SERVER_ENABLE;
    private KernelInterop bench;

    @BeforeEach
    void up() throws IOException {
        bench = KernelInterop.start(TcpConfig.linux().toBuilder().fastOpen(BOTH).build(), TunLink.DEFAULT_MTU);
        bench.ns.exec("sysctl", "-q", "-w", "net.ipv4.tcp_fastopen=3");
    }

    @AfterEach
    void down() throws IOException {
        if (bench != null) bench.close();
    }

    @Test
    void aKernelClientSendsItsDataInTheSynToSynack() throws Exception {
        List<String> received = new ArrayList<>();
        List<Boolean> synData = new ArrayList<>();
        try (TcpServerSocket server = bench.synackListen(7301)) {
            server.setOption(TcpSocketOptions.TCP_FASTOPEN, 16);
            Thread acceptor = Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 2; i++) {
                    try (TcpSocket c = server.accept()) {
                        synData.add(c.tcpInfo().synData());
                        received.add(new String(c.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
                    } catch (IOException e) {
                        received.add(e.toString());
                    }
                }
            });
            String client = String.join("\n",
                    "import socket, time",
                    "for word in (b'first', b'again'):",
                    "    s = socket.socket()",
                    "    s.sendto(word, socket.MSG_FASTOPEN, ('" + bench.synackIp + "', 7301))",
                    "    s.close()",
                    "    time.sleep(0.2)");
            bench.ns.exec("python3", "-c", client);
            acceptor.join(20_000);
        }
        assertThat(received).containsExactly("first", "again");
        assertThat(synData).containsExactly(false, true);
        assertThat(bench.stack.counter(Counter.TCP_FASTOPEN_COOKIE_REQD)).isEqualTo(1);
        assertThat(bench.stack.counter(Counter.TCP_FASTOPEN_PASSIVE)).isEqualTo(1);
        assertThat(bench.stack.counter(Counter.TCP_FASTOPEN_PASSIVE_FAIL)).isZero();
    }

    @Test
    void synackSendsItsDataInTheSynToAKernelServer() throws Exception {
        String server = String.join("\n",
                "import socket",
                "l = socket.socket()",
                "l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
                "l.setsockopt(socket.IPPROTO_TCP, socket.TCP_FASTOPEN, 16)",
                "l.bind(('" + bench.kernelIp + "', 7302))",
                "l.listen(16)",
                "print('ready', flush=True)",
                "for i in range(2):",
                "    c, _ = l.accept()",
                "    data = b''",
                "    while not data.endswith(b'.'):",
                "        chunk = c.recv(100)",
                "        if not chunk: break",
                "        data += chunk",
                "    c.sendall(b'got ' + data)",
                "    c.close()");
        Process kernel = new ProcessBuilder("ip", "netns", "exec", bench.ns.name, "python3", "-c", server)
                .redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(kernel.getInputStream(), StandardCharsets.US_ASCII))) {
            assertThat(out.readLine()).isEqualTo("ready");
            List<String> replies = new ArrayList<>();
            List<Boolean> synData = new ArrayList<>();
            for (String word : List.of("first.", "again.")) {
                try (TcpSocket c = new TcpSocket(bench.stack)) {
                    c.connectWithData(new InetSocketAddress(InetAddress.ofLiteral(bench.kernelIp), 7302),
                            ByteBuffer.wrap(word.getBytes(StandardCharsets.US_ASCII)));
                    replies.add(new String(c.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
                    synData.add(c.tcpInfo().synData());
                }
            }
            assertThat(replies).containsExactly("got first.", "got again.");
            assertThat(synData).containsExactly(false, true);
            assertThat(bench.stack.counter(Counter.TCP_FASTOPEN_ACTIVE)).isEqualTo(1);
            assertThat(bench.stack.counter(Counter.TCP_FASTOPEN_ACTIVE_FAIL)).isZero();
            assertThat(bench.stack.fastOpenCache().hasCookie(IpAddress.parse(bench.kernelIp))).isTrue();
            assertThat(kernel.waitFor(10, TimeUnit.SECONDS)).isTrue();
        } finally {
            kernel.destroyForcibly();
        }
    }
}
