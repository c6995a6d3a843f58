package dev.synack.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.link.MemoryLink;
import dev.synack.stack.NetStack;
import dev.synack.tcp.TcpConfig;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** java.net's rules that need real threads: interrupts, and sockets used from several threads. MemoryLink. */
@Timeout(30)
class JavaNetRealTimeTest {

    @Test
    void interruptingAVirtualThreadBlockedInReadClosesTheSocketAsJavaNetDoes() throws Exception {
        try (MemoryLink link = new MemoryLink();
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            NetStack client = link.addHost("client", "10.0.0.1", TcpConfig.linux());
            NetStack server = link.addHost("server", "10.0.0.2", TcpConfig.linux());
            try (ServerSocket ss = new SynackServerSocket(server, 80);
                 Socket s = new SynackSocket(client, "10.0.0.2", 80);
                 Socket accepted = ss.accept()) {
                AtomicReference<Thread> reader = new AtomicReference<>();
                Future<Throwable> read = threads.submit(() -> {
                    reader.set(Thread.currentThread());
                    try {
                        s.getInputStream().read();
                        return null;
                    } catch (SocketException e) {
                        return e;
                    }
                });
                while (reader.get() == null) Thread.sleep(5);
                Thread.sleep(100); // the read is waiting
                reader.get().interrupt();
                assertThat(read.get(10, TimeUnit.SECONDS)).isInstanceOf(SocketException.class).hasMessage("Closed by interrupt");
                assertThat(s.isClosed()).isTrue();
                // the peer sees the close: end of stream
                assertThat(accepted.getInputStream().read()).isEqualTo(-1);
            }
        }
    }

    @Test
    void acceptedSocketsStartWithTheServerSocketsOptionsAndBindPicksTheLocalPort() throws Exception {
        try (MemoryLink link = new MemoryLink()) {
            NetStack client = link.addHost("client", "10.0.0.1", TcpConfig.linux());
            NetStack server = link.addHost("server", "10.0.0.2", TcpConfig.linux());
            try (ServerSocket ss = new SynackServerSocket(server)) {
                ss.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 100_000);
                ss.setReuseAddress(true);
                ss.bind(new InetSocketAddress("10.0.0.2", 0), 8);
                assertThat(ss.getInetAddress().getHostAddress()).isEqualTo("10.0.0.2");
                assertThat(ss.getReceiveBufferSize()).isEqualTo(100_000);
                assertThat(ss.getReuseAddress()).isTrue();
                try (Socket s = new SynackSocket(client)) {
                    s.bind(new InetSocketAddress(40_000));
                    assertThat(s.isBound()).isTrue();
                    assertThat(s.getLocalPort()).isEqualTo(40_000);
                    s.connect(new InetSocketAddress("10.0.0.2", ss.getLocalPort()), 5000);
                    try (Socket a = ss.accept()) {
                        assertThat(a.getPort()).isEqualTo(40_000);
                        assertThat(a.getReuseAddress()).isTrue(); // inherited, as Linux's accepted sockets do
                        assertThat(a.getSoTimeout()).isZero();
                    }
                }
            }
        }
    }
}
