package dev.synack.nio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synack.link.MemoryLink;
import dev.synack.stack.NetStack;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.NoConnectionPendingException;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** SocketChannel and ServerSocketChannel in blocking mode, their errors, options and socket adaptors. */
@Timeout(30)
class NioChannelsTest {
    private static final InetSocketAddress SERVER = new InetSocketAddress("10.0.0.2", 7100);
    private MemoryLink link;
    private SynackSelectorProvider client;
    private SynackSelectorProvider server;

    @BeforeEach
    void stacks() {
        link = new MemoryLink();
        NetStack c = link.addHost("client", "10.0.0.1", NioEchoTest.CONFIG);
        NetStack s = link.addHost("server", "10.0.0.2", NioEchoTest.CONFIG);
        client = new SynackSelectorProvider(c);
        server = new SynackSelectorProvider(s);
    }

    @AfterEach
    void close() {
        link.close();
    }

    @Test
    void blockingConnectAcceptAndScatteringGatheringTransfer() throws Exception {
        try (ServerSocketChannel l = server.openServerSocketChannel().bind(new InetSocketAddress(SERVER.getPort()));
             SocketChannel c = client.openSocketChannel()) {
            assertThat(l.getLocalAddress()).isEqualTo(SERVER);
            assertThat(c.connect(SERVER)).isTrue();
            assertThat(c.isConnected()).isTrue();
            assertThat(((InetSocketAddress) c.getLocalAddress()).getAddress().getHostAddress()).isEqualTo("10.0.0.1");
            try (SocketChannel a = l.accept()) {
                assertThat(a.getRemoteAddress()).isEqualTo(c.getLocalAddress());
                ByteBuffer[] out = {ascii("head-"), ByteBuffer.allocate(0), ascii("body-"), ascii("tail")};
                assertThat(c.write(out)).isEqualTo(14);
                c.shutdownOutput();
                ByteBuffer[] in = {ByteBuffer.allocate(5), ByteBuffer.allocate(5), ByteBuffer.allocate(10)};
                long total = 0;
                while (total < 14) total += a.read(in);
                assertThat(text(in[0])).isEqualTo("head-");
                assertThat(text(in[1])).isEqualTo("body-");
                assertThat(text(in[2])).isEqualTo("tail");
                assertThat(a.read(new ByteBuffer[] {ByteBuffer.allocate(0), ByteBuffer.allocate(4)})).isEqualTo(-1);
                // Writes after shutdownOutput, reads after shutdownInput.
                assertThatThrownBy(() -> c.write(ascii("x"))).isInstanceOf(ClosedChannelException.class);
                a.shutdownInput();
                assertThat(a.read(ByteBuffer.allocate(1))).isEqualTo(-1);
            }
        }
    }

    @Test
    void callsOutOfOrderThrowJavaNiosExceptions() throws Exception {
        try (ServerSocketChannel l = server.openServerSocketChannel(); SocketChannel c = client.openSocketChannel()) {
            assertThatThrownBy(l::accept).isInstanceOf(NotYetBoundException.class);
            assertThatThrownBy(() -> c.read(ByteBuffer.allocate(1))).isInstanceOf(NotYetConnectedException.class);
            assertThatThrownBy(() -> c.write(ByteBuffer.allocate(1))).isInstanceOf(NotYetConnectedException.class);
            assertThatThrownBy(c::finishConnect).isInstanceOf(NoConnectionPendingException.class);
            assertThatThrownBy(() -> c.connect(UnixDomainSocketAddress.of("/tmp/x"))).isInstanceOf(UnsupportedAddressTypeException.class);
            assertThatThrownBy(() -> c.connect(InetSocketAddress.createUnresolved("example", 80))).isInstanceOf(UnresolvedAddressException.class);
            assertThatThrownBy(() -> c.bind(new InetSocketAddress("10.9.9.9", 0))).isInstanceOf(BindException.class);
            assertThat(c.getLocalAddress()).isNull();
            assertThat(l.getLocalAddress()).isNull();
            l.bind(new InetSocketAddress("10.0.0.2", SERVER.getPort()), 0);
            assertThatThrownBy(() -> l.bind(null)).isInstanceOf(AlreadyBoundException.class);
            c.bind(null);
            assertThatThrownBy(() -> c.bind(null)).isInstanceOf(AlreadyBoundException.class);
            c.configureBlocking(false);
            c.connect(SERVER);
            assertThatThrownBy(() -> c.connect(SERVER)).isInstanceOf(ConnectionPendingException.class);
            c.configureBlocking(true);
            assertThat(c.finishConnect()).isTrue(); // blocking: waits for the handshake
            assertThatThrownBy(() -> c.connect(SERVER)).isInstanceOf(AlreadyConnectedException.class);
            c.close();
            assertThatThrownBy(() -> c.read(ByteBuffer.allocate(1))).isInstanceOf(ClosedChannelException.class);
            assertThatThrownBy(() -> c.getOption(StandardSocketOptions.TCP_NODELAY)).isInstanceOf(ClosedChannelException.class);
            assertThat(c.isConnected()).isFalse();
        }
    }

    @Test
    void closeFromAnotherThreadEndsABlockedReadWithAsynchronousCloseException() throws Exception {
        try (ServerSocketChannel l = server.openServerSocketChannel().bind(new InetSocketAddress(SERVER.getPort()));
             SocketChannel c = client.openSocketChannel()) {
            c.connect(SERVER);
            CompletableFuture<Throwable> failure = CompletableFuture.supplyAsync(() -> {
                try {
                    c.read(ByteBuffer.allocate(1));
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            });
            Thread.sleep(100);
            assertThat(failure).isNotDone();
            c.close();
            assertThat(failure.get(5, TimeUnit.SECONDS)).isInstanceOf(AsynchronousCloseException.class);
        }
    }

    @Test
    void interruptingABlockedReadClosesTheChannel() throws Exception {
        try (ServerSocketChannel l = server.openServerSocketChannel().bind(new InetSocketAddress(SERVER.getPort()));
             SocketChannel c = client.openSocketChannel()) {
            c.connect(SERVER);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread reader = Thread.ofPlatform().start(() -> {
                try {
                    c.read(ByteBuffer.allocate(1));
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            Thread.sleep(100);
            reader.interrupt();
            reader.join(5000);
            assertThat(failure.get()).isInstanceOf(ClosedByInterruptException.class);
            assertThat(c.isOpen()).isFalse();
        }
    }

    @Test
    void optionsAndSocketAdaptors() throws Exception {
        try (ServerSocketChannel l = server.openServerSocketChannel(); SocketChannel c = client.openSocketChannel()) {
            assertThat(l.socket().isBound()).isFalse();
            l.socket().bind(new InetSocketAddress(SERVER.getPort()));
            assertThat(l.socket().getLocalPort()).isEqualTo(SERVER.getPort());
            assertThat(l.socket().getLocalSocketAddress()).isEqualTo(SERVER);
            assertThat(l.socket().getChannel()).isSameAs(l);

            c.setOption(StandardSocketOptions.TCP_NODELAY, true);
            assertThat(c.getOption(StandardSocketOptions.TCP_NODELAY)).isTrue();
            assertThatThrownBy(() -> c.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, true))
                    .isInstanceOf(UnsupportedOperationException.class);
            Socket s = c.socket();
            assertThat(s.isConnected()).isFalse();
            assertThat(s.getLocalPort()).isEqualTo(-1);
            s.connect(SERVER, 5000);
            assertThat(s.isConnected()).isTrue();
            assertThat(s.getTcpNoDelay()).isTrue();
            s.setKeepAlive(true);
            assertThat(c.getOption(StandardSocketOptions.SO_KEEPALIVE)).isTrue();
            assertThat(s.getSendBufferSize()).isPositive();
            assertThat(s.getRemoteSocketAddress()).isEqualTo(SERVER);
            assertThat(s.getChannel()).isSameAs(c);

            Socket accepted = l.socket().accept();
            accepted.getOutputStream().write("hi".getBytes(StandardCharsets.US_ASCII));
            accepted.shutdownOutput();
            assertThat(accepted.isOutputShutdown()).isTrue();
            assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("hi");
            accepted.close();
            assertThat(accepted.isClosed()).isTrue();
            assertThat(accepted.getChannel().isOpen()).isFalse();
        }
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    private static String text(ByteBuffer b) {
        b.flip();
        return StandardCharsets.US_ASCII.decode(b).toString();
    }
}
