package dev.synack.nio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.link.MemoryLink;
import dev.synack.stack.NetStack;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
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
    /** The server's reply to POST /echo: "echo:" then the request's body. */
    static final byte[] PREFIX = "echo:".getBytes(StandardCharsets.US_ASCII);

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
                Channel server = startServer(serverGroup, serverProvider, 8080);
                assertThat(server.localAddress()).isEqualTo(new InetSocketAddress("10.0.0.2", 8080));

                LinkedBlockingQueue<FullHttpResponse> responses = new LinkedBlockingQueue<>();
                Channel client = connectClient(clientGroup, clientProvider, new InetSocketAddress("10.0.0.2", 8080), responses);
                assertThat(client.remoteAddress()).isEqualTo(new InetSocketAddress("10.0.0.2", 8080));

                // Two requests on one keep-alive connection: a large POST echoed, then a small GET.
                client.writeAndFlush(request(HttpMethod.POST, "/echo", body)).sync();
                FullHttpResponse echoed = responses.poll(30, TimeUnit.SECONDS);
                assertThat(echoed).isNotNull();
                try {
                    assertThat(echoed.status()).isEqualTo(HttpResponseStatus.OK);
                    byte[] got = ByteBufUtil.getBytes(echoed.content());
                    assertThat(got).hasSize(PREFIX.length + body.length);
                    assertThat(NioEchoTest.sha256(got)).isEqualTo(NioEchoTest.sha256(concat(PREFIX, body)));
                } finally {
                    echoed.release();
                }
                client.writeAndFlush(request(HttpMethod.GET, "/hello", new byte[0])).sync();
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

    /** A Netty HTTP server: POST echoes the body after "echo:", anything else says hello. */
    static Channel startServer(EventLoopGroup group, SynackSelectorProvider provider, int port) throws InterruptedException {
        ChannelFactory<NioServerSocketChannel> channels = () -> new NioServerSocketChannel(provider);
        return new ServerBootstrap().group(group).channelFactory(channels)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(16 << 20), new HttpAnswer());
                    }
                })
                .bind(new InetSocketAddress(port)).sync().channel();
    }

    static Channel connectClient(EventLoopGroup group, SynackSelectorProvider provider, InetSocketAddress server,
                                 LinkedBlockingQueue<FullHttpResponse> responses) throws InterruptedException {
        ChannelFactory<NioSocketChannel> channels = () -> new NioSocketChannel(provider);
        return new Bootstrap().group(group).channelFactory(channels)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(16 << 20),
                                new SimpleChannelInboundHandler<FullHttpResponse>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse r) {
                                        responses.add(r.retain());
                                    }
                                });
                    }
                })
                .connect(server).sync().channel();
    }

    static FullHttpRequest request(HttpMethod method, String uri, byte[] body) {
        FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri, Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.HOST, "10.0.0.2");
        HttpUtil.setContentLength(r, body.length);
        return r;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] c = new byte[a.length + b.length];
        System.arraycopy(a, 0, c, 0, a.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    /** The server's handler. */
    static final class HttpAnswer extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            byte[] content = req.method().equals(HttpMethod.POST)
                    ? concat(PREFIX, ByteBufUtil.getBytes(req.content()))
                    : ("hello from " + req.uri()).getBytes(StandardCharsets.US_ASCII);
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                    Unpooled.wrappedBuffer(content));
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/octet-stream");
            HttpUtil.setContentLength(res, content.length);
            HttpUtil.setKeepAlive(res, HttpUtil.isKeepAlive(req));
            var _ = ctx.writeAndFlush(res); // failures close the connection; the client then times out
        }
    }
}
