package dev.synack.nio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.link.MemoryLink;
import dev.synack.stack.NetStack;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Netty's NIO transport, unmodified, on synack: an HTTP server on one stack and an HTTP client on
 * another, over a MemoryLink, each given a {@link SynackSelectorProvider} (its event loop's
 * selector and its channels come from it). The bodies are compared byte for byte.
 */
@Timeout(60)
class NettyOnSynackTest {
    @Test
    void nettyHttpServerAnswersNettyHttpClient() throws Exception {
        byte[] body = new byte[3 << 20];
        new Random(4).nextBytes(body);
        try (MemoryLink link = new MemoryLink()) {
            NetStack clientStack = link.addHost("client", "10.0.0.1", NioEchoTest.CONFIG);
            NetStack serverStack = link.addHost("server", "10.0.0.2", NioEchoTest.CONFIG);
            SynackSelectorProvider serverProvider = new SynackSelectorProvider(serverStack);
            SynackSelectorProvider clientProvider = new SynackSelectorProvider(clientStack);
            EventLoopGroup serverGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory(serverProvider));
            EventLoopGroup clientGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory(clientProvider));
            try {
                Channel server = NettyHttp.startServer(serverGroup, serverProvider, 8080);
                assertThat(server.localAddress()).isEqualTo(new InetSocketAddress("10.0.0.2", 8080));

                LinkedBlockingQueue<FullHttpResponse> responses = new LinkedBlockingQueue<>();
                Channel client = NettyHttp.connectClient(clientGroup, clientProvider, new InetSocketAddress("10.0.0.2", 8080), responses);
                assertThat(client.remoteAddress()).isEqualTo(new InetSocketAddress("10.0.0.2", 8080));

                // Two requests on one keep-alive connection: a large POST echoed, then a small GET.
                client.writeAndFlush(NettyHttp.request(HttpMethod.POST, "/echo", body)).sync();
                FullHttpResponse echoed = responses.poll(30, TimeUnit.SECONDS);
                assertThat(echoed).isNotNull();
                try {
                    assertThat(echoed.status()).isEqualTo(HttpResponseStatus.OK);
                    byte[] got = ByteBufUtil.getBytes(echoed.content());
                    assertThat(got).hasSize(NettyHttp.PREFIX.length + body.length);
                    assertThat(NioEchoTest.sha256(got)).isEqualTo(NioEchoTest.sha256(NettyHttp.concat(NettyHttp.PREFIX, body)));
                } finally {
                    echoed.release();
                }
                client.writeAndFlush(NettyHttp.request(HttpMethod.GET, "/hello", new byte[0])).sync();
                FullHttpResponse hello = responses.poll(30, TimeUnit.SECONDS);
                assertThat(hello).isNotNull();
                try {
                    assertThat(hello.content().toString(StandardCharsets.US_ASCII)).isEqualTo("hello from /hello");
                } finally {
                    hello.release();
                }
                client.close().sync();
                server.close().sync();
            } finally {
                clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
                serverGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            }
        }
    }
}
