package dev.synack.nio;


import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
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
import java.util.concurrent.LinkedBlockingQueue;

/** A Netty HTTP server and client on synack channels, for the tests that prove Netty runs unchanged. */
public final class NettyHttp {
    private NettyHttp() {}

    /** The server's reply to POST /echo: "echo:" then the request's body. */
    public static final byte[] PREFIX = "echo:".getBytes(StandardCharsets.US_ASCII);

    /** A Netty HTTP server: POST echoes the body after "echo:", anything else says hello. */
    public static Channel startServer(EventLoopGroup group, SynackSelectorProvider provider, int port) throws InterruptedException {
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

    public static Channel connectClient(EventLoopGroup group, SynackSelectorProvider provider, InetSocketAddress server,
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

    public static FullHttpRequest request(HttpMethod method, String uri, byte[] body) {
        FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri, Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.HOST, "10.0.0.2");
        HttpUtil.setContentLength(r, body.length);
        return r;
    }

    public static byte[] concat(byte[] a, byte[] b) {
        byte[] c = new byte[a.length + b.length];
        System.arraycopy(a, 0, c, 0, a.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    /** The server's handler. */
    public static final class HttpAnswer extends SimpleChannelInboundHandler<FullHttpRequest> {
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
