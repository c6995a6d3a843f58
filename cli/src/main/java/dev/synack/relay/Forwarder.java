package dev.synack.relay;

import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import dev.synack.socket.UdpSocket;
import dev.synack.stack.NetStack;
import dev.synack.stack.StackShards;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A transparent forwarder on every shard of a host (as tun2socks over a multi-queue TUN device):
 * each shard terminates the TCP connections to the forwarded prefixes that hash to it
 * ({@link dev.synack.stack.Forwarding}, {@link dev.synack.stack.FlowShard}) and an accepting thread
 * of its own hands each one to a relay; shard 0, which every UDP datagram goes to, hands each new
 * UDP flow to a relay too. A shard's backlog is its own, as each of Linux's SO_REUSEPORT listeners
 * has one.
 */
public final class Forwarder implements AutoCloseable {
    private final StackShards host;
    private final List<TcpServerSocket> listeners = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private boolean udp;

    private Forwarder(StackShards host) {
        this.host = host;
    }

    /**
     * Starts forwarding {@code prefixes} on every shard of {@code host}: each TCP connection goes to
     * the relay {@code tcpRelay} makes of it, each UDP flow to {@code udpRelay}'s (UDP is not
     * forwarded when null), all started by {@code relays}.
     *
     * @throws IllegalArgumentException for a prefix that is not a CIDR
     */
    public static Forwarder start(StackShards host, List<String> prefixes, int backlog, Relays relays,
                                  Function<TcpSocket, Relay> tcpRelay, Function<UdpSocket, Relay> udpRelay) throws IOException {
        Forwarder f = new Forwarder(host);
        try {
            for (NetStack shard : host.all()) {
                for (String p : prefixes) shard.forwarding().addPrefix(p);
            }
            for (NetStack shard : host.all()) {
                TcpServerSocket listener = new TcpServerSocket(shard);
                f.listeners.add(listener);
                listener.listenForwarded(backlog);
                f.threads.add(Thread.ofPlatform().daemon().name("forward-accept-" + shard.name())
                        .start(() -> acceptAll(listener, relays, tcpRelay)));
            }
            if (udpRelay != null) {
                NetStack udpShard = host.shard(0);
                udpShard.udp().listenFlows(backlog);
                f.udp = true;
                f.threads.add(Thread.ofPlatform().daemon().name("forward-udp-flows")
                        .start(() -> acceptFlows(udpShard, relays, udpRelay)));
            }
            return f;
        } catch (IOException | RuntimeException e) {
            f.close();
            throw e;
        }
    }

    /**
     * Hands each forwarded connection to a relay of its own, until the listener closes. A
     * connection whose relay cannot be made or started is reset; the thread goes on accepting.
     */
    private static void acceptAll(TcpServerSocket listener, Relays relays, Function<TcpSocket, Relay> tcpRelay) {
        try {
            while (true) {
                TcpSocket s = listener.accept();
                try {
                    relays.start(tcpRelay.apply(s));
                } catch (RuntimeException e) {
                    TcpRelay.reset(s);
                }
            }
        } catch (IOException closed) {
            // close(): the listener is closed.
        }
    }

    /** Hands each new UDP flow to a relay of its own, until the shard stops taking flows (one that cannot be relayed is closed). */
    private static void acceptFlows(NetStack shard, Relays relays, Function<UdpSocket, Relay> udpRelay) {
        try {
            while (true) {
                UdpSocket flow = UdpSocket.of(shard.udp().acceptFlow(null));
                try {
                    relays.start(udpRelay.apply(flow));
                } catch (RuntimeException e) {
                    flow.close();
                }
            }
        } catch (IOException stopped) {
            // close(): stopFlows() ended the wait.
        }
    }

    /** The prefixes forwarded (every shard has the same). */
    public List<String> prefixes() { return host.shard(0).forwarding().prefixes(); }

    /** Waits until the forwarder is closed (its accepting threads have ended). */
    public void awaitClosed() throws InterruptedException {
        for (Thread t : threads) t.join();
    }

    /**
     * Stops taking connections and flows (those being relayed go on until the relays end or are
     * aborted) and waits a moment for the accepting threads to end.
     */
    @Override
    public void close() {
        for (TcpServerSocket l : listeners) {
            try {
                l.close();
            } catch (IOException | RuntimeException e) {
                // Closing anyway: the others still close.
            }
        }
        if (udp) host.shard(0).udp().stopFlows();
        for (Thread t : threads) {
            try {
                t.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
