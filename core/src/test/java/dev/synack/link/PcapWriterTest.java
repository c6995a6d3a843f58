package dev.synack.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import dev.synack.stack.NetStack;
import dev.synack.tcp.TcpConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class PcapWriterTest {
    @Test
    void writesTheClassicHeaderAndOneRecordPerPacket() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PcapWriter w = new PcapWriter(bytes, 0)) {
            w.write(1_500_002_000L, ByteBuffer.wrap(new byte[] {0x45, 1, 2, 3, 4}));
            ByteBuffer withPosition = ByteBuffer.wrap(new byte[] {9, 9, 0x45, 7});
            withPosition.position(2);
            w.write(3_000L, withPosition);
            assertThat(withPosition.position()).isEqualTo(2);
            assertThat(w.packets()).isEqualTo(2);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.remaining()).isEqualTo(24 + 16 + 5 + 16 + 2);
        assertThat(b.getInt()).isEqualTo(0xa1b2c3d4);
        assertThat(b.getShort()).isEqualTo((short) 2);
        assertThat(b.getShort()).isEqualTo((short) 4);
        assertThat(b.getInt()).isZero();
        assertThat(b.getInt()).isZero();
        assertThat(b.getInt()).isEqualTo(65_535);
        assertThat(b.getInt()).isEqualTo(101);
        // 1.500002 s -> 1 s and 500002 µs
        assertThat(b.getInt()).isEqualTo(1);
        assertThat(b.getInt()).isEqualTo(500_002);
        assertThat(b.getInt()).isEqualTo(5);
        assertThat(b.getInt()).isEqualTo(5);
        byte[] first = new byte[5];
        b.get(first);
        assertThat(first).containsExactly(0x45, 1, 2, 3, 4);
        assertThat(b.getInt()).isZero();
        assertThat(b.getInt()).isEqualTo(3);
        assertThat(b.getInt()).isEqualTo(2);
        assertThat(b.getInt()).isEqualTo(2);
        assertThat(b.get()).isEqualTo((byte) 0x45);
        assertThat(b.get()).isEqualTo((byte) 7);
    }

    @Test
    void outboundOnlyTapSkipsReceivedPackets() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PcapWriter w = new PcapWriter(bytes, 0)) {
            w.outboundOnly().onPacket(null, 0, false, ByteBuffer.wrap(new byte[] {1}));
            w.outboundOnly().onPacket(null, 0, true, ByteBuffer.wrap(new byte[] {2}));
            assertThat(w.packets()).isEqualTo(1);
        }
    }

    /**
     * A real conversation between two stacks, captured, then read back by tshark: every TCP checksum
     * verifies and the SYN options decode as Linux's (mss, sackOK, timestamps, wscale).
     */
    @ParameterizedTest(name = "{0} to {1}")
    @CsvSource({"10.0.0.1, 10.0.0.2, 1460, ip.src", "fd00::1, fd00::2, 1440, ipv6.src"})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void tsharkReadsTheCaptureAndEveryChecksumVerifies(String clientIp, String serverIp, String mss, String sourceField,
                                                       @TempDir Path dir) throws Exception {
        assumeTrue(Tshark.available(), () -> Tshark.skip("tshark is not installed (apt-get install tshark)"));
        Path file = dir.resolve("conversation.pcap");
        try (MemoryLink link = new MemoryLink(); PcapWriter pcap = PcapWriter.realTime(file);
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            NetStack client = link.addHost("client", clientIp, TcpConfig.linux());
            NetStack server = link.addHost("server", serverIp, TcpConfig.linux());
            client.addPacketTap(pcap.outboundOnly());
            server.addPacketTap(pcap.outboundOnly());
            TcpServerSocket listening = new TcpServerSocket(server, 80, 10);
            Future<byte[]> got = pool.submit(() -> {
                try (TcpSocket s = listening.accept()) {
                    byte[] all = s.getInputStream().readAllBytes();
                    s.getOutputStream().write("bye".getBytes(StandardCharsets.US_ASCII));
                    return all;
                }
            });
            byte[] data = new byte[100_000];
            Arrays.fill(data, (byte) 'x');
            try (TcpSocket s = new TcpSocket(client)) {
                s.connect(new InetSocketAddress(InetAddress.ofLiteral(serverIp), 80));
                s.getOutputStream().write(data);
                s.shutdownOutput();
                assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("bye");
            }
            assertThat(got.get(30, TimeUnit.SECONDS)).hasSize(data.length);
            listening.close();
            pcap.flush();
        }
        List<String> rows = Tshark.fields(file, "tcp.checksum.status", "tcp.flags.str", "tcp.options.mss_val",
                "tcp.options.wscale.shift", "tcp.option_kind", "tcp.options.timestamp.tsval", sourceField);
        assertThat(rows).hasSizeGreaterThan(10);
        List<String> syns = new ArrayList<>();
        for (String row : rows) {
            String[] f = row.split("\t", -1);
            // 1 = Good (0 = Bad, 2 = Unverified): every segment's checksum was computed and verified.
            assertThat(f[0]).as("checksum status of %s", row).isEqualTo("1");
            assertThat(f[6]).as("source of %s", row).isIn(clientIp, serverIp);
            if (f[1].contains("S")) syns.add(row);
        }
        assertThat(syns).hasSize(2);
        for (String syn : syns) {
            String[] f = syn.split("\t", -1);
            assertThat(f[2]).isEqualTo(mss);
            assertThat(f[3]).isEqualTo("7");
            // Option kinds: 2 mss, 4 sackOK, 8 timestamps, 3 wscale (1 nop)
            assertThat(Arrays.asList(f[4].split(","))).contains("2", "4", "8", "3");
            assertThat(f[5]).isNotEmpty();
        }
    }

    /** Runs tshark, the capture reader of Wireshark. */
    static final class Tshark {
        static boolean available() {
            try {
                Process p = new ProcessBuilder("tshark", "--version").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        static String skip(String reason) {
            System.out.println("SKIPPED pcap check: " + reason);
            return reason;
        }

        /** One tab-separated line per packet with the given fields, checksum verification on. */
        static List<String> fields(Path file, String... fields) throws IOException, InterruptedException {
            List<String> cmd = new ArrayList<>(List.of("tshark", "-n", "-r", file.toString(),
                    "-o", "tcp.check_checksum:TRUE", "-T", "fields"));
            for (String f : fields) {
                cmd.add("-e");
                cmd.add(f);
            }
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as("tshark exit status; output: %s", out).isZero();
            return out.lines().filter(l -> !l.isBlank()).toList();
        }
    }
}
