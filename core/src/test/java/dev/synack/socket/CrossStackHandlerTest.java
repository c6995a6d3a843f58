package dev.synack.socket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.link.MemoryLink;
import dev.synack.stack.Counter;
import dev.synack.stack.NetStack;
import dev.synack.tcp.TcpConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Readiness handlers run with no lock held, so that a handler of one stack may use the sockets of
 * another: a relay made of two stacks (one facing the clients, one facing the server), each
 * direction copied by the handler of the socket it reads, writing into a socket of the other stack.
 * With handlers run under their stack's lock the two directions would take the two locks in
 * opposite orders.
 */
@Timeout(60)
class CrossStackHandlerTest {
    private static final TcpConfig CONFIG = TcpConfig.linux().toBuilder().msl(Duration.ofMillis(50)).build();

    /** One direction of a relayed connection: what was read from {@code from} and not yet written to {@code to}. */
    private static final class Pipe {
        final TcpSocket from;
        final TcpSocket to;
        final ByteBuffer pending = ByteBuffer.allocate(8192).flip();
        boolean ended;

        Pipe(TcpSocket from, TcpSocket to) {
            this.from = from;
            this.to = to;
        }

        /** Copies until {@code from} has nothing or {@code to} takes no more; passes the end of file on. */
        void pump() throws IOException {
            while (true) {
                if (pending.hasRemaining()) {
                    to.write(pending);
                    if (pending.hasRemaining()) return; // to's writable call goes on
                }
                if (ended) return;
                pending.clear();
                int n = from.read(pending);
                pending.flip();
                if (n < 0) {
                    ended = true;
                    to.shutdownOutput();
                    return;
                }
                if (n == 0) return;
            }
        }
    }

    /** Both directions of one relayed connection; each socket's handler runs the two pipes it touches. */
    private static final class Relay {
        final Pipe up;
        final Pipe down;

        Relay(TcpSocket outer, TcpSocket inner) {
            up = new Pipe(outer, inner);
            down = new Pipe(inner, outer);
        }

        boolean closed;

        TcpSocket inner() { return up.to; }

        /** Both sockets' handlers call it, possibly at once on two threads: one at a time. */
        synchronized void pumpBoth() throws IOException {
            if (closed || inner().isConnectionPending() && !inner().finishConnect()) return;
            up.pump();
            down.pump();
            if (up.ended && down.ended && !up.pending.hasRemaining() && !down.pending.hasRemaining()) {
                closed = true;
                up.from.close();
                down.from.close();
            }
        }
    }

    @Test
    void aRelayBetweenTwoStacksCopiesBothWaysFromHandlersAlone() throws Exception {
        try (MemoryLink link = new MemoryLink()) {
            NetStack client = link.addHost("client", "10.0.0.1", CONFIG);
            NetStack outer = link.addHost("outer", "10.0.0.2", CONFIG);
            NetStack inner = link.addHost("inner", "10.0.0.3", CONFIG);
            NetStack server = link.addHost("server", "10.0.0.4", CONFIG);
            NonBlockingSocketTest.EchoServer echo = new NonBlockingSocketTest.EchoServer(server, 7);
            AtomicInteger lockedHandlers = new AtomicInteger();
            List<String> handlerFailures = java.util.Collections.synchronizedList(new ArrayList<>());

            TcpServerSocket front = new TcpServerSocket(outer, 80, 256);
            front.configureBlocking(false);
            front.onAcceptable(l -> {
                TcpSocket accepted;
                while ((accepted = l.accept()) != null) {
                    if (outer.lockHoldCount() != 0) lockedHandlers.incrementAndGet();
                    TcpSocket onward = new TcpSocket(inner); // a socket of the other stack, from this stack's handler
                    onward.configureBlocking(false);
                    onward.connect(new InetSocketAddress("10.0.0.4", 7));
                    accepted.configureBlocking(false);
                    Relay relay = new Relay(accepted, onward);
                    ReadyHandler<TcpSocket> both = s -> {
                        if (outer.lockHoldCount() != 0 || inner.lockHoldCount() != 0) lockedHandlers.incrementAndGet();
                        try {
                            relay.pumpBoth();
                        } catch (IOException | RuntimeException e) {
                            handlerFailures.add(s + ": " + e);
                            throw e;
                        }
                    };
                    accepted.onReady(both);
                    onward.onReady(both);
                }
            });

            int clients = 16;
            int rounds = 10;
            List<String> failures = EchoClients.run(client, new InetSocketAddress("10.0.0.2", 80), clients, rounds);
            assertThat(handlerFailures).isEmpty();
            assertThat(failures).isEmpty();
            assertThat(echo.accepted).hasValue(clients * rounds);
            assertThat(lockedHandlers).as("handlers called with a stack's lock held").hasValue(0);
            for (NetStack s : List.of(outer, inner, server)) {
                assertThat(s.counter(Counter.HANDLER_ERRORS)).as(s.name()).isZero();
                assertThat(s.counter(Counter.INTERNAL_ERRORS)).as(s.name()).isZero();
            }
            front.close();
            echo.listener.close();
        }
    }
}
