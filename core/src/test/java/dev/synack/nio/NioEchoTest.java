package dev.synack.nio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.link.MemoryLink;
import dev.synack.stack.NetStack;
import dev.synack.tcp.TcpConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A non-blocking echo server and client written as java.nio programs are, each on a Selector of
 * its own stack, over a MemoryLink: the bytes come back whole (SHA-256), the client sees the
 * server's FIN as read() == -1.
 */
@Timeout(60)
class NioEchoTest {
    static final TcpConfig CONFIG = TcpConfig.linux().toBuilder().msl(java.time.Duration.ofMillis(50)).build();
    private static final int SIZE = 4 << 20;

    @Test
    void echoesFourMebibytesThroughTwoSelectors() throws Exception {
        byte[] data = new byte[SIZE];
        new Random(17).nextBytes(data);
        try (MemoryLink link = new MemoryLink();
             ExecutorService threads = Executors.newFixedThreadPool(2)) {
            NetStack clientStack = link.addHost("client", "10.0.0.1", CONFIG);
            NetStack serverStack = link.addHost("server", "10.0.0.2", CONFIG);
            SynackSelectorProvider serverProvider = new SynackSelectorProvider(serverStack);
            ServerSocketChannel listener = serverProvider.openServerSocketChannel();
            listener.bind(new InetSocketAddress(7007));
            Future<Long> echoed = threads.submit(() -> echoServer(serverProvider, listener));
            Future<byte[]> back = threads.submit(() -> echoClient(new SynackSelectorProvider(clientStack),
                    new InetSocketAddress("10.0.0.2", 7007), data));
            byte[] received = back.get(50, TimeUnit.SECONDS);
            assertThat(echoed.get(10, TimeUnit.SECONDS)).isEqualTo(SIZE);
            assertThat(received).hasSize(SIZE);
            assertThat(sha256(received)).isEqualTo(sha256(data));
        }
    }

    /** Accepts one connection, echoes it until its FIN, then half-closes and returns the bytes echoed. */
    private static long echoServer(SynackSelectorProvider provider, ServerSocketChannel listener) throws IOException {
        try (Selector selector = provider.openSelector(); listener) {
            listener.configureBlocking(false);
            listener.register(selector, SelectionKey.OP_ACCEPT);
            ByteBuffer buf = ByteBuffer.allocateDirect(64 * 1024);
            long echoed = 0;
            boolean inputDone = false;
            SocketChannel conn = null;
            while (true) {
                selector.select(1000);
                for (Iterator<SelectionKey> it = selector.selectedKeys().iterator(); it.hasNext(); ) {
                    SelectionKey key = it.next();
                    it.remove();
                    if (key.isAcceptable()) {
                        conn = listener.accept();
                        conn.configureBlocking(false);
                        conn.register(selector, SelectionKey.OP_READ);
                        key.cancel();
                        continue;
                    }
                    // Read while there is room; write what was read; wait for WRITE while some is left.
                    if (!inputDone && buf.hasRemaining()) {
                        int n = conn.read(buf);
                        if (n < 0) inputDone = true;
                    }
                    buf.flip();
                    echoed += conn.write(buf);
                    buf.compact();
                    boolean pending = buf.position() > 0;
                    if (inputDone && !pending) {
                        conn.shutdownOutput();
                        conn.close();
                        return echoed;
                    }
                    key.interestOps((inputDone || !buf.hasRemaining() ? 0 : SelectionKey.OP_READ)
                            | (pending ? SelectionKey.OP_WRITE : 0));
                }
            }
        }
    }

    /** Connects without blocking, sends {@code data} then FIN, and returns what came back up to the server's FIN. */
    private static byte[] echoClient(SynackSelectorProvider provider, InetSocketAddress server, byte[] data) throws IOException {
        try (Selector selector = provider.openSelector(); SocketChannel ch = provider.openSocketChannel()) {
            ch.configureBlocking(false);
            boolean connected = ch.connect(server);
            SelectionKey key = ch.register(selector, connected ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_CONNECT);
            ByteBuffer out = ByteBuffer.wrap(data);
            ByteBuffer in = ByteBuffer.allocate(data.length + 1);
            boolean outputShut = false;
            while (true) {
                selector.select();
                if (!selector.selectedKeys().remove(key)) continue;
                if (key.isConnectable()) {
                    assertThat(ch.finishConnect()).isTrue();
                    key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                    continue;
                }
                if (key.isWritable() && out.hasRemaining()) ch.write(out);
                if (!out.hasRemaining() && !outputShut) {
                    ch.shutdownOutput();
                    outputShut = true;
                    key.interestOps(SelectionKey.OP_READ);
                }
                if (key.isReadable() && ch.read(in) < 0) {
                    in.flip();
                    byte[] got = new byte[in.remaining()];
                    in.get(got);
                    return got;
                }
            }
        }
    }

    static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
