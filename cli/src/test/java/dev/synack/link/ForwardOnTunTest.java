package dev.synack.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Future;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code synack forward} end to end (as root with /dev/net/tun; skipped otherwise): programs in a
 * client namespace whose routes send 198.18.0.0/15 into synack's TUN device reach servers in
 * another namespace through synack's relay, directly and through a SOCKS5 server (microsocks; a DNS lookup
 * over TCP through it too);
 * every byte is compared. See {@link ForwardRig} for the namespaces.
 */
class ForwardOnTunTest {
    private static final String URL = "http://" + ForwardRig.SERVER + ":" + ForwardRig.HTTP_PORT + "/file";

    /**
     * With two queues the device's steering puts each flow on the queue of its shard (a hash of its
     * 4-tuple): the thousand connections land on both, and a shard that did not forward would reset
     * about half of them.
     */
    @ParameterizedTest(name = "{0} queue(s)")
    @ValueSource(ints = {1, 2})
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void curlWgetAndAThousandConnectionsGoThroughTheRelay(int queues, @TempDir Path dir) throws Exception {
        ForwardRig.assumeTool("curl", "--version");
        ForwardRig.assumeTool("wget", "--version");
        try (ForwardRig rig = ForwardRig.open()) {
            String banner = rig.startForwarder("--queues", Integer.toString(queues));
            assertThat(banner).contains(queues == 1 ? "(1 queue)" : "(" + queues + " queues)");
            fetchWithCurlAndWget(rig, dir);
            thousandConcurrentEchoes(rig);
            List<String> out = rig.stopForwarder();
            // Each HTTP flow's line: the file and the response's headers came down, the flow closed cleanly.
            assertThat(out.stream().filter(l -> l.startsWith("tcp 10.7.0.1:") && l.contains("-> " + URL.substring(7, URL.indexOf("/file"))))
                    .filter(l -> l.endsWith(", closed")).map(ForwardOnTunTest::bytesDown))
                    .as("%s", out).hasSize(2).allSatisfy(down -> assertThat(down).isBetween((long) rig.file.length, rig.file.length + 1000L));
            assertThat(out.getLast()).as("%s", out).startsWith("1002 flows ended (0 refused)");
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void theSameThroughASocks5Server(@TempDir Path dir) throws Exception {
        ForwardRig.assumeTool("curl", "--version");
        ForwardRig.assumeTool("wget", "--version");
        ForwardRig.assumeTool("microsocks", "-h");
        boolean dns = ForwardRig.hasTool("dig", "-v") && ForwardRig.hasTool("dnsmasq", "--version");
        try (ForwardRig rig = ForwardRig.open()) {
            rig.startInRelay("microsocks", "-i", "127.0.0.1", "-p", "1080");
            if (dns) rig.startDnsmasq("synack.test", "198.18.7.7");
            Thread.sleep(300);
            rig.startForwarder("--socks5", "127.0.0.1:1080");
            fetchWithCurlAndWget(rig, dir);
            if (dns) {
                // A DNS lookup over TCP: microsocks has CONNECT only (no UDP ASSOCIATE), so the query goes as a TCP flow.
                String answer = rig.client.exec("dig", "@" + ForwardRig.SERVER, "www.synack.test", "A", "+short", "+time=5",
                        "+tries=2", "+tcp");
                assertThat(answer).isEqualTo("198.18.7.7");
            }
            List<String> out = rig.stopForwarder();
            assertThat(out.getLast()).as("%s", out).startsWith((dns ? 3 : 2) + " flows ended (0 refused)");
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void dnsLookupsGoThroughTheUdpRelayAndTheirFlowsEndWhenIdle() throws Exception {
        ForwardRig.assumeTool("dig", "-v");
        ForwardRig.assumeTool("dnsmasq", "--version");
        try (ForwardRig rig = ForwardRig.open()) {
            rig.startDnsmasq("synack.test", "198.18.7.7");
            rig.startForwarder("--udp-timeout", "1s");
            for (String transport : new String[] {"+notcp", "+tcp"}) {
                String answer = rig.client.exec("dig", "@" + ForwardRig.SERVER, "www.synack.test", "A", "+short", "+time=5",
                        "+tries=2", transport);
                assertThat(answer).as("dig " + transport).isEqualTo("198.18.7.7");
            }
            Thread.sleep(2500); // past the UDP flow's idle timeout
            List<String> out = rig.stopForwarder();
            assertThat(out).as("%s", out)
                    .anySatisfy(l -> assertThat(l).startsWith("udp 10.7.0.1:").contains("-> " + ForwardRig.SERVER + ":53: up ").endsWith(", idle"))
                    .anySatisfy(l -> assertThat(l).startsWith("tcp 10.7.0.1:").contains("-> " + ForwardRig.SERVER + ":53: up ").endsWith(", closed"));
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aDestinationThatRefusesIsReset() throws Exception {
        ForwardRig.assumeTool("curl", "--version");
        try (ForwardRig rig = ForwardRig.open()) {
            rig.startForwarder();
            String result = curlFails(rig, "http://" + ForwardRig.SERVER + ":9/");
            assertThat(result).contains("Connection reset by peer");
            List<String> out = rig.stopForwarder();
            assertThat(out).as("%s", out).anySatisfy(l -> assertThat(l).contains(":9: ").contains("refused: Connection refused"));
            assertThat(out.getLast()).as("%s", out).startsWith("1 flows ended (1 refused)");
        }
    }

    /** The "down N B" of a flow's line. */
    private static long bytesDown(String line) {
        int at = line.indexOf("down ") + 5;
        return Long.parseLong(line.substring(at, line.indexOf(' ', at)));
    }

    private static String curlFails(ForwardRig rig, String url) throws IOException {
        try {
            rig.client.exec("curl", "-sS", "--max-time", "20", url);
            return "curl succeeded";
        } catch (IOException e) {
            return e.getMessage();
        }
    }

    private static void fetchWithCurlAndWget(ForwardRig rig, Path dir) throws IOException {
        Path byCurl = dir.resolve("curl.bin");
        Path byWget = dir.resolve("wget.bin");
        rig.client.exec("curl", "-sS", "--max-time", "60", "-o", byCurl.toString(), URL);
        assertThat(Files.readAllBytes(byCurl)).as("curl's copy").isEqualTo(rig.file);
        rig.client.exec("wget", "-q", "-T", "60", "-O", byWget.toString(), URL);
        assertThat(Files.readAllBytes(byWget)).as("wget's copy").isEqualTo(rig.file);
    }

    /** 1,000 kernel connections from the client's namespace, all open at once, each echoing 16 KB of its own. */
    private static void thousandConcurrentEchoes(ForwardRig rig) throws Exception {
        int n = 1000;
        List<SocketChannel> sockets = new ArrayList<>();
        for (int i = 0; i < n; i++) sockets.add(rig.clientSocket());
        InetSocketAddress echo = new InetSocketAddress(InetAddress.ofLiteral(ForwardRig.SERVER), ForwardRig.ECHO_PORT);
        java.util.concurrent.CountDownLatch allConnected = new java.util.concurrent.CountDownLatch(n);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                SocketChannel s = sockets.get(i);
                long seed = 1000L + i;
                results.add(pool.submit(() -> {
                    try (s) {
                        s.connect(echo);
                        allConnected.countDown();
                        // Every connection is open before any sends: 1,000 relays at once.
                        if (!allConnected.await(60, TimeUnit.SECONDS)) return false;
                        byte[] data = new byte[16 * 1024];
                        new Random(seed).nextBytes(data);
                        s.write(ByteBuffer.wrap(data));
                        s.shutdownOutput();
                        ByteBuffer back = ByteBuffer.allocate(data.length + 1);
                        while (s.read(back) >= 0 && back.hasRemaining()) { }
                        back.flip();
                        return back.equals(ByteBuffer.wrap(data));
                    }
                }));
            }
            int ok = 0;
            for (Future<Boolean> f : results) if (f.get(120, TimeUnit.SECONDS)) ok++;
            assertThat(ok).as("connections whose bytes came back intact (seeds 1000..1999)").isEqualTo(n);
        }
    }
}
