package dev.synack.bench;

import dev.synack.link.TunLink;
import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import dev.synack.stack.NetStack;
import dev.synack.tcp.TcpConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The kernel's TCP against synack over a TUN device, both directions: a java.net socket sends
 * {@code bytes} to a synack server socket, and a synack socket sends them to a java.net server.
 * Must run inside a network namespace of its own (the command re-executes itself there), so that
 * the device and the kernel's sockets never touch the machine's real network.
 */
public final class TunThroughput {
    public static final String DEVICE = "synack0";
    public static final String SYNACK_CIDR = "10.7.0.2/24";
    static final int PORT = 5003;

    private TunThroughput() {}

    /** Both directions over one device; returns {kernel to synack, synack to kernel}. */
    public static Throughput.Result[] run(int mtu, int buffer, long bytes, int writeSize, Progress progress) throws Exception {
        TunLink.Options options = TunLink.Options.of(DEVICE, SYNACK_CIDR).mtu(mtu);
        TcpConfig config = Throughput.config(mtu, buffer);
        try (TunLink link = TunLink.open(options)) {
            NetStack stack = link.addHost("synack", options.address(), config);
            try {
                progress.phase("tun: kernel -> synack, MTU " + mtu);
                Throughput.Result in = kernelToSynack(stack, options, bytes, writeSize, buffer, progress);
                progress.phase("tun: synack -> kernel, MTU " + mtu);
                Throughput.Result out = synackToKernel(stack, options, bytes, writeSize, buffer, progress);
                progress.done();
                return new Throughput.Result[] {in, out};
            } finally {
                stack.close();
            }
        }
    }

    private static Throughput.Result kernelToSynack(NetStack stack, TunLink.Options options, long bytes, int writeSize,
                                                    int buffer, Progress progress) throws Exception {
        try (TcpServerSocket listener = new TcpServerSocket(stack, PORT, 1)) {
            return stream("bench-tun-synack-reader", "kernel sends, synack receives", bytes, writeSize, progress,
                    received -> {
                        try (TcpSocket s = listener.accept()) {
                            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(writeSize);
                            int n;
                            while ((n = s.read(b.clear())) >= 0) received.addAndGet(n);
                        }
                    },
                    kernelSender(new InetSocketAddress(InetAddress.ofLiteral(options.address()), PORT), buffer));
        }
    }

    private static Throughput.Result synackToKernel(NetStack stack, TunLink.Options options, long bytes, int writeSize,
                                                    int buffer, Progress progress) throws Exception {
        try (ServerSocket listener = new ServerSocket()) {
            listener.setReceiveBufferSize(buffer);
            listener.bind(new InetSocketAddress(InetAddress.ofLiteral(options.kernelAddress()), PORT), 1);
            return stream("bench-tun-kernel-reader", "synack sends, the kernel receives", bytes, writeSize, progress,
                    kernelReceiver(listener, writeSize),
                    sender -> {
                        try (TcpSocket s = new TcpSocket(stack)) {
                            s.connect(new InetSocketAddress(InetAddress.ofLiteral(options.kernelAddress()), PORT));
                            sender.send(s.getOutputStream());
                        }
                    });
        }
    }

    /** The kernel's end that receives: accepts one connection on {@code listener} and reads it to its end. */
    static Receiver kernelReceiver(ServerSocket listener, int readSize) {
        return received -> {
            try (Socket s = listener.accept(); InputStream in = s.getInputStream()) {
                byte[] b = new byte[readSize];
                int n;
                while ((n = in.read(b)) >= 0) received.addAndGet(n);
            }
        };
    }

    /** The kernel's end that sends: a java.net socket with a {@code buffer}-byte send buffer, connected to {@code to}. */
    static Connector kernelSender(InetSocketAddress to, int buffer) {
        return sender -> {
            try (Socket s = new Socket()) {
                s.setSendBufferSize(buffer);
                s.connect(to, 10_000);
                sender.send(s.getOutputStream());
            }
        };
    }

    /** Reads the whole stream from the accepted connection, adding each read's bytes to {@code received}. */
    @FunctionalInterface
    interface Receiver {
        void receiveAll(AtomicLong received) throws Exception;
    }

    /** Opens the sending end and hands its output to {@code sender}, then closes it. */
    @FunctionalInterface
    interface Connector {
        void connect(Sender sender) throws Exception;
    }

    @FunctionalInterface
    interface Sender {
        void send(OutputStream out) throws IOException;
    }

    /**
     * One measured stream of {@code bytes}: {@code receiver} reads it on a platform thread, the
     * calling thread writes it through what {@code connector} opens; timed from the connection's
     * first write to the receiver's end of stream.
     */
    static Throughput.Result stream(String readerName, String detail, long bytes, int writeSize, Progress progress,
                                            Receiver receiver, Connector connector) throws Exception {
        AtomicLong received = new AtomicLong();
        AtomicLong end = new AtomicLong();
        AtomicLong endCpu = new AtomicLong(-1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread reader = Thread.ofPlatform().name(readerName).start(() -> {
            try {
                receiver.receiveAll(received);
                end.set(System.nanoTime());
                endCpu.set(ProcessCpu.nanos());
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        long[] start = new long[2]; // wall, CPU
        connector.connect(out -> {
            start[1] = ProcessCpu.nanos();
            start[0] = System.nanoTime();
            writeStream(out, bytes, writeSize, received, progress);
        });
        finish(reader, received, bytes, progress, failure);
        return new Throughput.Result(received.get(), end.get() - start[0], detail, ProcessCpu.between(start[1], endCpu.get()));
    }

    private static void writeStream(OutputStream out, long bytes, int writeSize, AtomicLong received, Progress progress)
            throws IOException {
        byte[] chunk = new byte[writeSize];
        long left = bytes;
        while (left > 0) {
            int n = (int) Math.min(left, chunk.length);
            out.write(chunk, 0, n);
            left -= n;
            progress.update((double) received.get(), (double) bytes);
        }
        out.flush();
    }

    private static void finish(Thread reader, AtomicLong received, long bytes, Progress progress,
                               AtomicReference<Throwable> failure) throws Exception {
        while (!reader.join(java.time.Duration.ofMillis(200))) progress.update((double) received.get(), (double) bytes);
        if (failure.get() != null) throw new IOException("the receiver failed: " + failure.get(), failure.get());
        if (received.get() != bytes) throw new IOException("the receiver got " + received.get() + " bytes of " + bytes);
    }
}
