package dev.synack.nio;

import static java.nio.channels.SelectionKey.OP_ACCEPT;
import static java.nio.channels.SelectionKey.OP_CONNECT;
import static java.nio.channels.SelectionKey.OP_READ;
import static java.nio.channels.SelectionKey.OP_WRITE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synack.link.MemoryLink;
import dev.synack.stack.NetStack;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Selector's contract as java.nio.channels.Selector specifies it, on two stacks over a MemoryLink. */
@Timeout(30)
class NioSelectorTest {
    private static final InetSocketAddress SERVER = new InetSocketAddress("10.0.0.2", 7000);
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

    private ServerSocketChannel listen() throws Exception {
        ServerSocketChannel l = server.openServerSocketChannel();
        l.bind(new InetSocketAddress(SERVER.getPort()), 8);
        return l;
    }

    @Test
    void acceptReadinessSelectsTheListenerOnceAConnectionIsQueued() throws Exception {
        try (ServerSocketChannel l = listen(); Selector sel = server.openSelector(); SocketChannel c = client.openSocketChannel()) {
            l.configureBlocking(false);
            SelectionKey key = l.register(sel, OP_ACCEPT, "listener");
            assertThat(sel.selectNow()).isZero();
            assertThat(l.accept()).isNull();
            assertThat(c.connect(SERVER)).isTrue(); // blocking connect
            assertThat(sel.select(5000)).isEqualTo(1);
            assertThat(sel.selectedKeys()).containsExactly(key);
            assertThat(key.isAcceptable()).isTrue();
            assertThat(key.attachment()).isEqualTo("listener");
            SocketChannel accepted = l.accept();
            assertThat(accepted).isNotNull();
            assertThat(accepted.isBlocking()).isTrue();
            assertThat(accepted.getRemoteAddress()).isEqualTo(c.getLocalAddress());
            assertThat(l.accept()).isNull();
            accepted.close();
        }
    }

    @Test
    void connectReadinessThenFinishConnect() throws Exception {
        try (ServerSocketChannel l = listen(); Selector sel = client.openSelector(); SocketChannel c = client.openSocketChannel()) {
            c.configureBlocking(false);
            SelectionKey key = c.register(sel, OP_CONNECT);
            boolean now = c.connect(SERVER);
            if (!now) {
                assertThat(c.isConnectionPending()).isTrue();
                assertThat(sel.select(5000)).isEqualTo(1);
                assertThat(key.readyOps()).isEqualTo(OP_CONNECT);
                assertThat(c.finishConnect()).isTrue();
            }
            assertThat(c.isConnected()).isTrue();
            assertThat(c.isConnectionPending()).isFalse();
            assertThat(c.finishConnect()).isTrue();
            assertThat(c.getRemoteAddress()).isEqualTo(SERVER);
            // Connected: CONNECT is no longer ready; WRITE is.
            sel.selectedKeys().clear();
            key.interestOps(OP_CONNECT | OP_WRITE);
            assertThat(sel.selectNow()).isEqualTo(1);
            assertThat(key.readyOps()).isEqualTo(OP_WRITE);
        }
    }

    @Test
    void refusedConnectIsReadyForConnectAndFinishConnectThrowsAndCloses() throws Exception {
        try (Selector sel = client.openSelector(); SocketChannel c = client.openSocketChannel()) {
            c.configureBlocking(false);
            SelectionKey key = c.register(sel, OP_CONNECT);
            if (c.connect(SERVER)) throw new AssertionError("connected to a closed port");
            assertThat(sel.select(5000)).isEqualTo(1);
            assertThat(key.isConnectable()).isTrue();
            assertThatThrownBy(c::finishConnect).isInstanceOf(ConnectException.class).hasMessage("Connection refused");
            assertThat(c.isOpen()).isFalse();
            assertThat(key.isValid()).isFalse();
        }
    }

    @Test
    void readReadinessAndEndOfFileAfterThePeersFin() throws Exception {
        try (ServerSocketChannel l = listen(); Selector sel = client.openSelector(); SocketChannel c = client.openSocketChannel()) {
            c.connect(SERVER);
            SocketChannel peer = l.accept();
            c.configureBlocking(false);
            SelectionKey key = c.register(sel, OP_READ);
            assertThat(sel.selectNow()).isZero();
            peer.write(ByteBuffer.wrap("abc".getBytes(StandardCharsets.US_ASCII)));
            assertThat(sel.select(5000)).isEqualTo(1);
            assertThat(key.isReadable()).isTrue();
            ByteBuffer b = ByteBuffer.allocate(16);
            assertThat(c.read(b)).isEqualTo(3);
            assertThat(c.read(b)).isZero();
            // Still in the selected set (a selection never removes), but not ready: select finds nothing new.
            sel.selectedKeys().clear();
            assertThat(sel.selectNow()).isZero();
            peer.shutdownOutput();
            assertThat(sel.select(5000)).isEqualTo(1);
            assertThat(c.read(b)).isEqualTo(-1);
            assertThat(c.read(b)).isEqualTo(-1);
            // Our half still writes; the peer reads it, then our FIN.
            c.write(ByteBuffer.wrap("z".getBytes(StandardCharsets.US_ASCII)));
            c.shutdownOutput();
            assertThatThrownBy(() -> c.write(ByteBuffer.allocate(1))).isInstanceOf(ClosedChannelException.class);
            ByteBuffer got = ByteBuffer.allocate(4);
            assertThat(peer.read(got)).isEqualTo(1);
            assertThat(peer.read(got)).isEqualTo(-1);
            peer.close();
        }
    }

    @Test
    void selectedKeySetKeepsKeysAndAddsReadyOperations() throws Exception {
        try (ServerSocketChannel l = listen(); Selector sel = client.openSelector(); SocketChannel c = client.openSocketChannel()) {
            c.connect(SERVER);
            SocketChannel peer = l.accept();
            c.configureBlocking(false);
            SelectionKey key = c.register(sel, OP_READ);
            peer.write(ByteBuffer.wrap(new byte[] {1}));
            awaitReadable(c);
            assertThat(sel.selectNow()).isEqualTo(1);
            assertThat(key.readyOps()).isEqualTo(OP_READ);
            // The byte is read: READ is no longer ready, but a selection does not take it from the
            // ready set of a key still selected. Interest changes take effect at the next selection,
            // which adds WRITE.
            assertThat(c.read(ByteBuffer.allocate(4))).isEqualTo(1);
            key.interestOps(OP_READ | OP_WRITE);
            assertThat(sel.selectNow()).isEqualTo(1); // the key's ready set was updated
            assertThat(key.readyOps()).isEqualTo(OP_READ | OP_WRITE);
            peer.write(ByteBuffer.wrap(new byte[] {2}));
            awaitReadable(c);
            assertThat(sel.selectNow()).isZero(); // nothing new: the count is of updated keys
            assertThat(sel.selectedKeys()).containsExactly(key);
            assertThatThrownBy(() -> sel.selectedKeys().add(key)).isInstanceOf(UnsupportedOperationException.class);
            assertThatThrownBy(() -> sel.keys().remove(key)).isInstanceOf(UnsupportedOperationException.class);
            // A key not in the selected set gets exactly what is ready now.
            key.interestOps(OP_WRITE);
            sel.selectedKeys().remove(key);
            assertThat(sel.selectNow()).isEqualTo(1);
            assertThat(key.readyOps()).isEqualTo(OP_WRITE);
            // select(Consumer): the action sees each ready key with exactly its readiness; the set is left alone.
            sel.selectedKeys().clear();
            key.interestOps(OP_READ);
            List<Integer> seen = new ArrayList<>();
            assertThat(sel.selectNow(k -> seen.add(k.readyOps()))).isEqualTo(1);
            assertThat(seen).containsExactly(OP_READ);
            assertThat(sel.selectedKeys()).isEmpty();
            peer.close();
        }
    }

    @Test
    void wakeupFromAnotherThreadEndsABlockedSelect() throws Exception {
        try (Selector sel = client.openSelector()) {
            CompletableFuture<Integer> selected = CompletableFuture.supplyAsync(() -> {
                try {
                    return sel.select();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(100);
            assertThat(selected).isNotDone();
            sel.wakeup();
            assertThat(selected.get(5, TimeUnit.SECONDS)).isZero();
            // A wakeup with no selection in progress makes the next one return at once...
            sel.wakeup();
            long t0 = System.nanoTime();
            assertThat(sel.select(10_000)).isZero();
            assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(5));
            // ... unless selectNow comes first, which clears it.
            sel.wakeup();
            sel.selectNow();
            t0 = System.nanoTime();
            sel.select(150);
            assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(140));
        }
    }

    @Test
    void blockedSelectWakesWhenTheStackMakesAChannelReady() throws Exception {
        try (ServerSocketChannel l = listen(); Selector sel = server.openSelector(); SocketChannel c = client.openSocketChannel()) {
            l.configureBlocking(false);
            l.register(sel, OP_ACCEPT);
            CompletableFuture<Integer> selected = CompletableFuture.supplyAsync(() -> {
                try {
                    return sel.select();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(100);
            assertThat(selected).isNotDone();
            c.connect(SERVER);
            assertThat(selected.get(5, TimeUnit.SECONDS)).isEqualTo(1);
        }
    }

    @Test
    void selectTimesOutWithNothingReady() throws Exception {
        try (ServerSocketChannel l = listen(); Selector sel = server.openSelector()) {
            l.configureBlocking(false);
            l.register(sel, OP_ACCEPT);
            long t0 = System.nanoTime();
            assertThat(sel.select(200)).isZero();
            long took = System.nanoTime() - t0;
            assertThat(took).isBetween(TimeUnit.MILLISECONDS.toNanos(190), TimeUnit.SECONDS.toNanos(5));
            assertThatThrownBy(() -> sel.select(-1)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void cancelledKeysLeaveAtTheNextSelectionAndClosedSelectorsRefuse() throws Exception {
        ServerSocketChannel l = listen();
        Selector sel = server.openSelector();
        l.configureBlocking(false);
        SelectionKey key = l.register(sel, OP_ACCEPT);
        assertThatThrownBy(() -> l.configureBlocking(true)).isInstanceOf(IllegalBlockingModeException.class);
        key.cancel();
        assertThat(key.isValid()).isFalse();
        assertThatThrownBy(key::interestOps).isInstanceOf(CancelledKeyException.class);
        assertThatThrownBy(() -> l.register(sel, OP_ACCEPT)).isInstanceOf(CancelledKeyException.class);
        assertThat(sel.keys()).containsExactly(key); // until the next selection
        sel.selectNow();
        assertThat(sel.keys()).isEmpty();
        assertThat(l.isRegistered()).isFalse();
        SelectionKey again = l.register(sel, OP_ACCEPT);
        assertThat(again).isNotSameAs(key);
        // Closing the channel cancels its key.
        l.close();
        assertThat(again.isValid()).isFalse();
        sel.selectNow();
        assertThat(sel.keys()).isEmpty();
        // Registering a blocking channel, or one of another provider, is refused.
        try (SocketChannel blocking = server.openSocketChannel(); SocketChannel jdk = SocketChannel.open()) {
            assertThatThrownBy(() -> blocking.register(sel, OP_READ)).isInstanceOf(IllegalBlockingModeException.class);
            jdk.configureBlocking(false);
            assertThatThrownBy(() -> jdk.register(sel, OP_READ)).isInstanceOf(java.nio.channels.IllegalSelectorException.class);
        }
        // Closing the selector invalidates its keys; it then refuses to select.
        ServerSocketChannel l2 = server.openServerSocketChannel();
        l2.configureBlocking(false);
        SelectionKey k2 = l2.register(sel, OP_ACCEPT);
        sel.close();
        assertThat(k2.isValid()).isFalse();
        assertThatThrownBy(sel::selectNow).isInstanceOf(ClosedSelectorException.class);
        assertThatThrownBy(sel::keys).isInstanceOf(ClosedSelectorException.class);
        l2.close();
    }

    @Test
    void closingTheSelectorWakesABlockedSelect() throws Exception {
        Selector sel = client.openSelector();
        CompletableFuture<Integer> selected = CompletableFuture.supplyAsync(() -> {
            try {
                return sel.select();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(100);
        sel.close();
        assertThat(selected.get(5, TimeUnit.SECONDS)).isZero();
        assertThat(sel.isOpen()).isFalse();
    }

    @Test
    void aSelectionAsksOnlyTheChannelsThatMayBeReadyNotEveryRegisteredOne() throws Exception {
        int idle = 200;
        List<SocketChannel> opened = new ArrayList<>();
        try (ServerSocketChannel l = listen(); Selector sel = client.openSelector()) {
            SynackSelector selector = (SynackSelector) sel;
            for (int i = 0; i <= idle; i++) {
                SocketChannel c = client.openSocketChannel();
                opened.add(c);
                c.connect(SERVER);
                opened.add(l.accept());
                c.configureBlocking(false);
                c.register(sel, OP_READ);
            }
            // The first selection asks every new registration; none is readable.
            assertThat(sel.selectNow()).isZero();
            long asked = selector.channelsAsked;
            assertThat(asked).isEqualTo(idle + 1);
            assertThat(sel.selectNow()).isZero();
            assertThat(selector.channelsAsked).as("nothing changed: nothing asked").isEqualTo(asked);

            SocketChannel busy = opened.get(2 * idle);
            SocketChannel busyPeer = opened.get(2 * idle + 1);
            busyPeer.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            assertThat(sel.select(5000)).isEqualTo(1);
            assertThat(sel.selectedKeys()).extracting(SelectionKey::channel).containsExactly(busy);
            // Level-triggered: still unread, so still ready at the next selection.
            sel.selectedKeys().clear();
            assertThat(sel.selectNow()).isEqualTo(1);
            assertThat(busy.read(ByteBuffer.allocate(8))).isEqualTo(3);
            sel.selectedKeys().clear();
            assertThat(sel.selectNow()).isZero();
            assertThat(selector.channelsAsked - asked).as("channels asked after the first selection")
                    .isLessThanOrEqualTo(6);
        } finally {
            for (SocketChannel c : opened) c.close();
        }
    }

    /** Waits until the channel has bytes to read (the link delivers them on another thread). */
    private static void awaitReadable(SocketChannel c) throws Exception {
        SynackSocketChannel sc = (SynackSocketChannel) c;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!sc.tcpSocket().isReadable()) {
            if (System.nanoTime() > deadline) throw new AssertionError("no data arrived");
            Thread.sleep(5);
        }
    }
}
