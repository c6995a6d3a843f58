package dev.synack.cli;

import dev.synack.link.FaultStats;
import dev.synack.link.PathConditions;
import dev.synack.link.SimNetwork;
import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import dev.synack.stack.NetStack;
import dev.synack.tcp.TcpConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One goodput measurement in virtual time: a client streams data to a server over a simulated path
 * of a given bandwidth, RTT and loss; the application bytes the server reads between the end of the
 * warm-up and the end of the window, divided by the window, are the goodput. The data direction has
 * the loss, a drop-tail queue in front of the bandwidth limit (a step-marking AQM from {@code
 * aqmMarkBytes} of backlog when that is above 0), and half the RTT as its delay; the ACK direction
 * has the same bandwidth and delay but no loss.
 */
final class Goodput {
    static final String CLIENT_IP = "10.0.0.1";
    static final String SERVER_IP = "10.0.0.2";
    static final int PORT = 5001;
    /** Bytes the sender hands to write() at a time. */
    private static final int CHUNK = 64 * 1024;
    /** A queue never holds fewer than this many full-sized packets, however short the RTT. */
    static final int MIN_QUEUE_PACKETS = 16;
    private static final int PACKET_BYTES = 1500;

    /** What one run measured. */
    record Result(long bytes, Duration window, long bandwidthBitsPerSecond, long retransmittedSegments,
                  FaultStats faults) {
        double bitsPerSecond() { return bytes * 8.0 * 1e9 / window.toNanos(); }

        /** Goodput as a fraction of the link's bandwidth. */
        double fraction() { return bitsPerSecond() / bandwidthBitsPerSecond; }
    }

    private Goodput() {}

    /** The drop-tail queue: one bandwidth-delay product, at least {@link #MIN_QUEUE_PACKETS} packets. */
    static int queueBytes(long bandwidthBitsPerSecond, Duration rtt) {
        long bdp = (long) (bandwidthBitsPerSecond / 8.0 * rtt.toNanos() / 1e9);
        return (int) Math.min(Integer.MAX_VALUE, Math.max(bdp, (long) MIN_QUEUE_PACKETS * PACKET_BYTES));
    }

    static Result measure(long seed, TcpConfig config, long bandwidthBitsPerSecond, Duration rtt, double loss,
                          int aqmMarkBytes, Duration warmup, Duration window) {
        Duration oneWay = rtt.dividedBy(2);
        int queue = queueBytes(bandwidthBitsPerSecond, rtt);
        SimNetwork net = new SimNetwork(seed);
        NetStack client = net.addHost("client", CLIENT_IP, config);
        NetStack server = net.addHost("server", SERVER_IP, config);
        PathConditions ackPath = PathConditions.builder().delay(oneWay).bandwidth(bandwidthBitsPerSecond, queue).build();
        net.conditions(ackPath);
        net.conditions("client", "server", ackPath.toBuilder().loss(loss).ecnMarking(aqmMarkBytes).build());
        AtomicLong received = new AtomicLong();
        AtomicLong stopped = new AtomicLong(); // 1: the sender stops writing and closes
        net.spawn("server", () -> {
            try (TcpServerSocket listener = new TcpServerSocket(server, PORT, 1)) {
                try (TcpSocket s = listener.accept()) {
                    ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
                    int n;
                    while ((n = s.read(buffer.clear())) >= 0) received.addAndGet(n);
                }
            }
        });
        net.spawn("client", () -> {
            try (TcpSocket s = new TcpSocket(client)) {
                s.connect(new InetSocketAddress(InetAddress.ofLiteral(SERVER_IP), PORT));
                ByteBuffer chunk = ByteBuffer.allocate(CHUNK);
                while (stopped.get() == 0) {
                    chunk.clear();
                    while (chunk.hasRemaining()) s.write(chunk);
                }
            }
        });
        net.runFor(warmup);
        long before = received.get();
        net.runFor(window);
        long bytes = received.get() - before;
        long retransmitted = client.counters().get("RetransSegs");
        FaultStats faults = net.faultStats();
        stopped.set(1);
        net.run(); // the sender closes; both ends finish
        return new Result(bytes, window, bandwidthBitsPerSecond, retransmitted, faults);
    }
}
