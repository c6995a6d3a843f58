package dev.synack.bench;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * The kernel's TCP on both ends of a {@link VethPair}: the yardstick for synack over TUN. The same
 * java.net sockets, buffers and write sizes as {@link TunThroughput}'s kernel end, both directions.
 * Must run inside a namespace of its own, as TunThroughput.
 */
public final class VethThroughput {
    private VethThroughput() {}

    /** Both directions over one veth pair; returns {near to far, far to near}. */
    public static Throughput.Result[] run(int mtu, int buffer, long bytes, int writeSize, Progress progress) throws Exception {
        try (VethPair pair = VethPair.open(mtu)) {
            InetSocketAddress far = new InetSocketAddress(InetAddress.ofLiteral(VethPair.FAR), TunThroughput.PORT);
            InetSocketAddress near = new InetSocketAddress(InetAddress.ofLiteral(VethPair.NEAR), TunThroughput.PORT);

            progress.phase("veth: kernel -> kernel");
            Throughput.Result out;
            try (ServerSocket listener = pair.insideFar(() -> listener(far, buffer))) {
                out = TunThroughput.stream("bench-veth-far-reader", "near end sends, far end receives", bytes,
                        writeSize, progress, TunThroughput.kernelReceiver(listener, writeSize),
                        TunThroughput.kernelSender(far, buffer));
            }
            progress.phase("veth: kernel <- kernel");
            Throughput.Result in;
            try (ServerSocket listener = listener(near, buffer)) {
                // The sending end opens its socket in the far namespace; the receiver accepts in this one.
                in = pair.insideFar(() -> TunThroughput.stream("bench-veth-near-reader",
                        "far end sends, near end receives", bytes, writeSize, progress,
                        TunThroughput.kernelReceiver(listener, writeSize), TunThroughput.kernelSender(near, buffer)));
            }
            progress.done();
            return new Throughput.Result[] {out, in};
        }
    }

    private static ServerSocket listener(InetSocketAddress at, int buffer) throws Exception {
        ServerSocket listener = new ServerSocket();
        listener.setReceiveBufferSize(buffer);
        listener.bind(at, 1);
        return listener;
    }
}
