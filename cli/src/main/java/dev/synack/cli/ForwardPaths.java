package dev.synack.cli;

import dev.synack.link.NetworkNamespace;
import dev.synack.link.TunLink;
import dev.synack.relay.Forwarder;
import dev.synack.relay.KernelSockets;
import dev.synack.relay.Relays;
import dev.synack.relay.TcpRelay;
import dev.synack.relay.Upstream;
import dev.synack.stack.StackShards;
import dev.synack.tcp.TcpConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * The two paths {@code bench forward} compares, set up in the namespace the benchmark runs in (the
 * router's) and three of its own: a server namespace at 198.18.0.2 behind a veth pair; a client
 * namespace whose route for 198.18.0.0/15 goes into synack's TUN device, whose forwarder relays
 * each connection through a kernel socket of the router's namespace; and a client namespace
 * behind a second veth pair, whose packets the kernel routes (ip_forward) to the server. The
 * server answers each connection's 8-byte request N with N bytes, then closes.
 */
final class ForwardPaths implements AutoCloseable {
    static final String SERVER = "198.18.0.2";
    static final int PORT = 5201;
    private static final int CHUNK = 256 * 1024;

    private final List<NetworkNamespace> namespaces = new ArrayList<>();
    private final List<AutoCloseable> open = new ArrayList<>();
    NetworkNamespace synackClient;
    NetworkNamespace kernelClient;

    /** The paths at {@code mtu}, synack's TUN device with {@code queues} queues (its host a shard per queue). */
    static ForwardPaths open(int mtu, int queues) throws Exception {
        ForwardPaths p = new ForwardPaths();
        try {
            p.setUp(mtu, queues);
            return p;
        } catch (Exception e) {
            p.close();
            throw e;
        }
    }

    private void setUp(int mtu, int queues) throws Exception {
        String m = Integer.toString(mtu);
        NetworkNamespace servers = namespace("synack-fwds");
        synackClient = namespace("synack-fwdc");
        kernelClient = namespace("synack-fwdk");
        NetworkNamespace.ipHere("link", "add", "vfwds0", "mtu", m, "type", "veth", "peer", "name", "vfwds1", "mtu", m, "netns", servers.name());
        NetworkNamespace.ipHere("addr", "add", "198.18.0.1/24", "dev", "vfwds0");
        NetworkNamespace.ipHere("link", "set", "vfwds0", "up");
        servers.ip("addr", "add", SERVER + "/24", "dev", "vfwds1");
        servers.ip("link", "set", "vfwds1", "up");
        servers.ip("route", "add", "10.9.0.0/24", "via", "198.18.0.1");
        NetworkNamespace.ipHere("link", "add", "vfwdk0", "mtu", m, "type", "veth", "peer", "name", "vfwdk1", "mtu", m, "netns", kernelClient.name());
        NetworkNamespace.ipHere("addr", "add", "10.9.0.1/24", "dev", "vfwdk0");
        NetworkNamespace.ipHere("link", "set", "vfwdk0", "up");
        kernelClient.ip("addr", "add", "10.9.0.2/24", "dev", "vfwdk1");
        kernelClient.ip("link", "set", "vfwdk1", "up");
        kernelClient.ip("route", "add", "default", "via", "10.9.0.1");
        NamespaceExec.tool(List.of("sysctl", "-q", "-w", "net.ipv4.ip_forward=1"), new PrintWriter(Writer.nullWriter()));
        startServer(servers);
        startForwarder(mtu, queues);
    }

    private NetworkNamespace namespace(String prefix) throws IOException {
        NetworkNamespace ns = NetworkNamespace.create(prefix);
        namespaces.add(ns);
        return ns;
    }

    private void startServer(NetworkNamespace servers) throws Exception {
        ServerSocketChannel listener = inside(servers, () -> {
            ServerSocketChannel ch = ServerSocketChannel.open();
            ch.bind(new InetSocketAddress(InetAddress.ofLiteral(SERVER), PORT), 4096);
            return ch;
        });
        open.add(listener);
        Thread.ofPlatform().daemon().name("forward-bench-server").start(() -> {
            try {
                while (true) {
                    SocketChannel s = listener.accept();
                    Thread.ofPlatform().daemon().start(() -> serve(s));
                }
            } catch (IOException closed) {
                // The benchmark ended.
            }
        });
    }

    /** Reads the 8-byte request N, sends N bytes, closes. */
    private static void serve(SocketChannel s) {
        try (s) {
            ByteBuffer request = ByteBuffer.allocate(8);
            while (request.hasRemaining()) if (s.read(request) < 0) return;
            long left = request.flip().getLong();
            ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK);
            while (left > 0) {
                chunk.clear().limit((int) Math.min(CHUNK, left));
                left -= s.write(chunk);
            }
        } catch (IOException e) {
            // The client went away.
        }
    }

    private void startForwarder(int mtu, int queues) throws Exception {
        KernelSockets sockets = new KernelSockets();
        open.add(sockets);
        TunLink.Options options = TunLink.Options.of("synackfwd0", "10.7.0.2/24").mtu(mtu).namespace(synackClient.name());
        TunLink link = inside(synackClient, () -> TunLink.open(options, queues));
        open.add(link);
        synackClient.ip("route", "add", "198.18.0.0/15", "dev", "synackfwd0");
        StackShards host = link.addShardedHost("synack", options.hostAddresses(), TcpConfig.linux());
        Relays relays = new Relays(new PrintWriter(Writer.nullWriter()), true);
        Upstream upstream = Upstream.direct(sockets);
        open.add(0, Forwarder.start(host, List.of("198.18.0.0/15"), 4096, relays,
                s -> new TcpRelay(s, upstream, Duration.ofSeconds(10)), null));
    }

    /** Runs {@code task} on a platform thread inside {@code ns} and returns its result. */
    static <T> T inside(NetworkNamespace ns, Callable<T> task) throws Exception {
        return ns.call(task);
    }

    /** One connection from a thread already inside a client namespace: asks for {@code bytes}, reads them all; returns how many came. */
    static long fetch(long bytes) throws IOException {
        try (SocketChannel s = SocketChannel.open(new InetSocketAddress(InetAddress.ofLiteral(SERVER), PORT))) {
            s.write(ByteBuffer.allocate(8).putLong(0, bytes));
            ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK);
            long got = 0;
            int n;
            while ((n = s.read(buffer.clear())) >= 0) got += n;
            return got;
        }
    }

    @Override
    public void close() {
        for (AutoCloseable c : open) {
            try {
                c.close();
            } catch (Exception e) {
                // Tearing down: the namespaces go next.
            }
        }
        try {
            NetworkNamespace.ipHere("link", "del", "vfwds0");
            NetworkNamespace.ipHere("link", "del", "vfwdk0");
        } catch (IOException e) {
            // Deleted with the namespaces' ends anyway.
        }
        for (NetworkNamespace ns : namespaces) {
            try {
                ns.close();
            } catch (IOException e) {
                // Best effort.
            }
        }
    }
}
