package dev.synack.bench;

import dev.synack.link.NetworkNamespace;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The kernel's TCP on both ends of a veth pair: the yardstick for synack over TUN. One end is in
 * this process's namespace, the other in a namespace made for the run (a thread of this process
 * enters it to open that end's sockets), the pair at the TUN run's MTU with the offloads veth
 * ships with (TSO/GSO on). The same java.net sockets, buffers and write sizes as
 * {@link TunThroughput}'s kernel end, both directions. Must run inside a namespace of its own,
 * as TunThroughput.
 */
public final class VethThroughput {
    static final String NEAR_DEVICE = "vsynack0";
    static final String FAR_DEVICE = "vsynack1";
    static final String NEAR = "10.8.0.1";
    static final String FAR = "10.8.0.2";

    private VethThroughput() {}

    /** Both directions over one veth pair; returns {near to far, far to near}. */
    public static Throughput.Result[] run(int mtu, int buffer, long bytes, int writeSize, Progress progress) throws Exception {
        try (NetworkNamespace far = NetworkNamespace.create("synack-veth")) {
            connect(far, mtu);
            try {
                return measure(far, buffer, bytes, writeSize, progress);
            } finally {
                // Deleting the pair here, not with the namespace: a namespace's devices go in the background.
                NetworkNamespace.ipHere("link", "del", NEAR_DEVICE);
            }
        }
    }

    private static Throughput.Result[] measure(NetworkNamespace far, int buffer, long bytes, int writeSize, Progress progress)
            throws Exception {
        InetSocketAddress farAddress = new InetSocketAddress(InetAddress.ofLiteral(FAR), TunThroughput.PORT);
        InetSocketAddress nearAddress = new InetSocketAddress(InetAddress.ofLiteral(NEAR), TunThroughput.PORT);

        progress.phase("veth: kernel -> kernel");
        Throughput.Result out;
        try (ServerSocket listener = inside(far, () -> listener(farAddress, buffer))) {
            out = TunThroughput.stream("bench-veth-far-reader", "near end sends, far end receives", bytes,
                    writeSize, progress, TunThroughput.kernelReceiver(listener, writeSize),
                    TunThroughput.kernelSender(farAddress, buffer));
        }
        progress.phase("veth: kernel <- kernel");
        Throughput.Result in;
        try (ServerSocket listener = listener(nearAddress, buffer)) {
            // The sending end opens its socket in the far namespace; the receiver accepts in this one.
            in = inside(far, () -> TunThroughput.stream("bench-veth-near-reader",
                    "far end sends, near end receives", bytes, writeSize, progress,
                    TunThroughput.kernelReceiver(listener, writeSize), TunThroughput.kernelSender(nearAddress, buffer)));
        }
        progress.done();
        return new Throughput.Result[] {out, in};
    }

    /** The veth pair between this namespace and {@code far}, addressed and up. */
    private static void connect(NetworkNamespace far, int mtu) throws Exception {
        String m = Integer.toString(mtu);
        NetworkNamespace.ipHere("link", "add", NEAR_DEVICE, "mtu", m, "type", "veth", "peer", "name", FAR_DEVICE, "mtu", m,
                "netns", far.name());
        NetworkNamespace.ipHere("addr", "add", NEAR + "/24", "dev", NEAR_DEVICE);
        NetworkNamespace.ipHere("link", "set", NEAR_DEVICE, "up");
        far.ip("addr", "add", FAR + "/24", "dev", FAR_DEVICE);
        far.ip("link", "set", FAR_DEVICE, "up");
    }

    private static ServerSocket listener(InetSocketAddress at, int buffer) throws Exception {
        ServerSocket listener = new ServerSocket();
        listener.setReceiveBufferSize(buffer);
        listener.bind(at, 1);
        return listener;
    }

    /** Runs {@code task} on a platform thread inside {@code ns} (threads it starts are there too) and returns its result. */
    private static <T> T inside(NetworkNamespace ns, Callable<T> task) throws Exception {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Exception> failure = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name("bench-in-" + ns.name()).start(() -> {
            try {
                ns.enterCurrentThread();
                result.set(task.call());
            } catch (Exception e) {
                failure.set(e);
            }
        });
        t.join();
        if (failure.get() != null) throw failure.get();
        return result.get();
    }
}
