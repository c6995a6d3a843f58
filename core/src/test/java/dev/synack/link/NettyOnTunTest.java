package dev.synack.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.synack.nio.NettyHttp;
import dev.synack.nio.SynackSelectorProvider;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Netty's HTTP server on synack (its NIO transport given a SynackSelectorProvider) on a TUN device
 * answering curl, which runs on the kernel's TCP in the bench's namespace. Root only (skipped
 * otherwise), and skipped without curl.
 */
@Timeout(90)
class NettyOnTunTest {

    @Test
    void curlPostsAMebibyteToNettyOnSynackAndGetsItBack() throws Exception {
        assumeTrue(onPath("curl"), "curl is not installed");
        byte[] body = new byte[1 << 20];
        new Random(31).nextBytes(body);
        Path dir = Files.createTempDirectory("synack-netty-tun");
        Path request = Files.write(dir.resolve("request"), body);
        Path response = dir.resolve("response");
        try (KernelInterop bench = KernelInterop.start()) {
            SynackSelectorProvider provider = new SynackSelectorProvider(bench.stack);
            EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory(provider));
            try {
                Channel server = NettyHttp.startServer(group, provider, 8080);
                String url = "http://" + KernelInterop.SYNACK_IP + ":8080/echo";
                String status = bench.ns.exec("curl", "-sS", "--max-time", "30", "-H", "Expect:", "--data-binary",
                        "@" + request, "-o", response.toString(), "-w", "%{http_code}", url);
                assertThat(status.trim()).isEqualTo("200");
                byte[] got = Files.readAllBytes(response);
                assertThat(got).hasSize(NettyHttp.PREFIX.length + body.length);
                assertThat(sha256(got)).isEqualTo(sha256(NettyHttp.concat(NettyHttp.PREFIX, body)));
                String hello = bench.ns.exec("curl", "-sS", "--max-time", "30", "http://" + KernelInterop.SYNACK_IP + ":8080/hi");
                assertThat(hello).isEqualTo("hello from /hi");
                server.close().sync();
            } finally {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            }
        } finally {
            Files.deleteIfExists(request);
            Files.deleteIfExists(response);
            Files.deleteIfExists(dir);
        }
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(d, tool))) return true;
        }
        return false;
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
