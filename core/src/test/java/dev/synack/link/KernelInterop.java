package dev.synack.link;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import dev.synack.stack.NetStack;
import dev.synack.tcp.TcpConfig;
import dev.synack.tcp.TcpState;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.List;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;

/**
 * One interop bench: a namespace of its own, a TUN device in it with synack at 10.7.0.2 and the
 * kernel at 10.7.0.1, and helpers to make kernel sockets inside the namespace.
 */
final class KernelInterop implements AutoCloseable {
    static final String SYNACK_IP = "10.7.0.2";
    static final String KERNEL_IP = "10.7.0.1";
    static final String SYNACK_IP6 = "fd07::2";
    static final String KERNEL_IP6 = "fd07::1";

    final NetNamespace ns;
    /** synack's and the kernel's addresses on the device (IPv4, or IPv6 for {@link #start6()}). */
    final String synackIp;
    final String kernelIp;
    final TunLink link;
    final NetStack stack;
    /** The fault injectors on the way out of synack and on the way in (null without faults). */
    final FaultyLink outbound;
    final FaultyLink inbound;

    private KernelInterop(NetNamespace ns, TunLink link, NetStack stack, FaultyLink outbound, FaultyLink inbound) {
        this.ns = ns;
        this.synackIp = link.options().address();
        this.kernelIp = link.options().kernelAddress();
        this.link = link;
        this.stack = stack;
        this.outbound = outbound;
        this.inbound = inbound;
    }

    /** Skips unless the machine allows it, then builds the bench. */
    static KernelInterop start(TcpConfig config, int mtu) throws IOException {
        return start(config, mtu, SYNACK_IP + "/24");
    }

    /** The bench over IPv6: synack at fd07::2/64, the kernel at fd07::1. */
    static KernelInterop start6() throws IOException {
        return start(TcpConfig.linux(), TunLink.DEFAULT_MTU, SYNACK_IP6 + "/64");
    }

    /** The bench with synack at both 10.7.0.2/24 and fd07::2/64 (the kernel at 10.7.0.1 and fd07::1). */
    static KernelInterop startDualStack() throws IOException {
        return start(TcpConfig.linux(), TunLink.DEFAULT_MTU, SYNACK_IP + "/24," + SYNACK_IP6 + "/64");
    }

    private static KernelInterop start(TcpConfig config, int mtu, String cidr) throws IOException {
        NetNamespace.assumeAvailable();
        NetNamespace ns = NetNamespace.create();
        try {
            TunLink link = ns.call(() -> TunLink.open(TunLink.Options.of("synack0", cidr).mtu(mtu).namespace(ns.name)));
            NetStack stack = link.addHost("synack", link.options().hostAddresses(), config);
            return new KernelInterop(ns, link, stack, null, null);
        } catch (IOException | RuntimeException e) {
            ns.close();
            throw e;
        }
    }

    /**
     * The bench with {@code conditions} applied in both directions: synack's packets pass a
     * {@link FaultyLink} before the device, the kernel's pass another one before synack's loop.
     */
    static KernelInterop startLossy(PathConditions conditions, long seed) throws IOException {
        NetNamespace.assumeAvailable();
        NetNamespace ns = NetNamespace.create();
        try {
            TunLink link = ns.call(() -> TunLink.open(TunLink.Options.of("synack0", SYNACK_IP + "/24").namespace(ns.name)));
            FaultyLink out = FaultyLink.realTime(link, conditions, seed);
            NetStack stack = out.addHost("synack", SYNACK_IP, TcpConfig.linux());
            FaultyLink in = FaultyLink.realTime((from, packet) -> {
                ByteBuffer copy = ByteBuffer.allocate(packet.remaining());
                copy.put(packet.duplicate()).flip();
                stack.enqueue(copy);
            }, conditions, seed + 1);
            link.inboundFilter(deliver -> packet -> in.transmit(stack, packet));
            return new KernelInterop(ns, link, stack, out, in);
        } catch (IOException | RuntimeException e) {
            ns.close();
            throw e;
        }
    }

    static KernelInterop start() throws IOException {
        return start(TcpConfig.linux(), TunLink.DEFAULT_MTU);
    }

    /** A kernel socket connected to synack's {@code port} (created inside the namespace). */
    Socket kernelConnect(int port) throws IOException {
        return ns.call(() -> {
            Socket s = new Socket();
            s.connect(new InetSocketAddress(InetAddress.ofLiteral(synackIp), port), 10_000);
            return s;
        });
    }

    /** A kernel listening socket at the kernel's address and {@code port} (created inside the namespace). */
    ServerSocket kernelListen(int port) throws IOException {
        return ns.call(() -> new ServerSocket(port, 2048, InetAddress.ofLiteral(kernelIp)));
    }

    /** A synack socket connected to the kernel's {@code port}. */
    TcpSocket synackConnect(int port) throws IOException {
        TcpSocket s = new TcpSocket(stack);
        s.connect(new InetSocketAddress(InetAddress.ofLiteral(kernelIp), port));
        return s;
    }

    TcpServerSocket synackListen(int port) throws IOException {
        TcpServerSocket s = new TcpServerSocket(stack, port, 2048);
        return s;
    }

    /**
     * {@code ss -tan} lines whose addresses mention {@code ip:port} (java.net's dual-stack sockets
     * show IPv4 addresses as {@code [::ffff:a.b.c.d]}: printed here as plain IPv4).
     */
    String ssLines(String ipPort) throws IOException {
        StringBuilder b = new StringBuilder();
        for (String line : ns.ss().replace("[::ffff:", "").replace("[", "").replace("]", "").split("\n")) {
            if (java.util.Arrays.asList(line.trim().split("\\s+")).contains(ipPort)) b.append(line).append('\n');
        }
        return b.toString();
    }

    /** The lines of {@code ss -tan} naming {@code ipPort}, once one shows {@code state} (or after 10 s, as they are). */
    String awaitSs(String ipPort, String state) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String lines;
        do {
            lines = ssLines(ipPort);
            if (lines.contains(state)) return lines;
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        return lines;
    }

    /**
     * The kernel sends {@code bytes} to synack, which receives them whole (digests compared); the
     * kernel used the device's segmentation offload, handing over segments larger than the MTU.
     */
    void bulkFromKernelToSynack(int port, long bytes, long seed) throws Exception {
        try (TcpServerSocket server = synackListen(port);
             Socket kernel = kernelConnect(port);
             TcpSocket accepted = server.accept();
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            long superSegments = link.superSegmentsIn();
            Future<String> received = pool.submit(() -> receiveAll(accepted.getInputStream()));
            String sent = sendRandom(kernel.getOutputStream(), bytes, seed);
            kernel.shutdownOutput();
            assertThat(received.get(60, TimeUnit.SECONDS)).isEqualTo(sent + "/" + bytes);
            assertThat(link.superSegmentsIn()).isGreaterThan(superSegments);
        }
    }

    /** synack sends {@code bytes} to the kernel, which receives them whole; synack's bursts went out joined. */
    void bulkFromSynackToKernel(int port, long bytes, long seed) throws Exception {
        try (ServerSocket server = kernelListen(port);
             TcpSocket client = synackConnect(port);
             Socket accepted = server.accept();
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            long superSegments = link.superSegmentsOut();
            Future<String> received = pool.submit(() -> receiveAll(accepted.getInputStream()));
            String sent = sendRandom(client.getOutputStream(), bytes, seed);
            client.shutdownOutput();
            assertThat(received.get(60, TimeUnit.SECONDS)).isEqualTo(sent + "/" + bytes);
            assertThat(link.superSegmentsOut()).isGreaterThan(superSegments);
        }
    }

    /** synack closes a connection with unread data: RFC 2525 §2.17's RST, which the kernel reports as a reset. */
    void synackClosingWithUnreadDataResetsTheKernel(int port) throws Exception {
        try (TcpServerSocket server = synackListen(port);
             Socket kernel = kernelConnect(port);
             TcpSocket accepted = server.accept()) {
            kernel.getOutputStream().write("never read".getBytes(StandardCharsets.US_ASCII));
            InputStream in = accepted.getInputStream();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (in.available() == 0 && System.nanoTime() < deadline) Thread.sleep(5);
            assertThat(in.available()).isPositive();
            accepted.close();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> kernel.getInputStream().read())
                    .isInstanceOf(java.net.SocketException.class).hasMessageContaining("Connection reset");
        }
    }

    /** The kernel closes first: synack sees CLOSE_WAIT, and the kernel's socket ends in TIME-WAIT (ss). */
    void kernelClosingFirstEndsInTimeWaitOnTheKernel(int port) throws Exception {
        try (TcpServerSocket server = synackListen(port);
             Socket kernel = kernelConnect(port);
             TcpSocket accepted = server.accept()) {
            String local = kernelIp + ":" + kernel.getLocalPort();
            kernel.close();
            assertThat(accepted.getInputStream().read()).isEqualTo(-1);
            assertThat(accepted.state()).isEqualTo(TcpState.CLOSE_WAIT);
            accepted.close();
            assertThat(awaitSs(local, "TIME-WAIT")).contains("TIME-WAIT");
        }
    }

    /** synack closes first: the kernel's socket sits in CLOSE-WAIT (ss), synack in FIN_WAIT2, then TIME_WAIT. */
    void synackClosingFirstLeavesTheKernelInCloseWait(int port) throws Exception {
        try (ServerSocket server = kernelListen(port);
             TcpSocket client = synackConnect(port);
             Socket accepted = server.accept()) {
            String local = kernelIp + ":" + accepted.getLocalPort();
            String peer = synackIp + ":" + accepted.getPort();
            client.close();
            assertThat(accepted.getInputStream().read()).isEqualTo(-1);
            assertThat(awaitSs(peer, "CLOSE-WAIT")).contains("CLOSE-WAIT").contains(local);
            // The kernel's ACK of synack's FIN may still be on its way through the device.
            assertThat(awaitState(client, TcpState.FIN_WAIT2)).isEqualTo(TcpState.FIN_WAIT2);
            accepted.close();
            assertThat(awaitState(client, TcpState.TIME_WAIT)).isEqualTo(TcpState.TIME_WAIT);
        }
    }

    /** {@code count} synack clients at once, each echoed whole by a kernel server. */
    void concurrentSynackClientsOnAKernelServer(int port, int count) throws Exception {
        try (ServerSocket server = kernelListen(port);
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            AtomicReference<Throwable> serverFailure = new AtomicReference<>();
            var _ = pool.submit(() -> {
                for (int i = 0; i < count; i++) {
                    Socket s = server.accept();
                    var _ = pool.submit(() -> {
                        try (s) {
                            byte[] request = s.getInputStream().readAllBytes();
                            s.getOutputStream().write(request);
                        } catch (IOException e) {
                            serverFailure.compareAndSet(null, e);
                        }
                    });
                }
                return null;
            });
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String message = "client " + i;
                answers.add(pool.submit(() -> {
                    try (TcpSocket s = synackConnect(port)) {
                        s.getOutputStream().write(message.getBytes(StandardCharsets.US_ASCII));
                        s.shutdownOutput();
                        return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                    }
                }));
            }
            for (int i = 0; i < count; i++) assertThat(answers.get(i).get(60, TimeUnit.SECONDS)).isEqualTo("client " + i);
            assertThat(serverFailure.get()).isNull();
        }
    }

    @Override
    public void close() throws IOException {
        try {
            link.close();
            if (outbound != null) outbound.close();
            if (inbound != null) inbound.close();
        } finally {
            ns.close();
        }
    }

    // ---------------------------------------------------------------- shared scenarios

    /** Bytes the open half carries after a half-close in the scenarios below. */
    static final int AFTER_HALF_CLOSE = 1 << 20;

    /**
     * The kernel connects to synack on {@code port}, sends a request and shuts down its sending half;
     * synack reads the request to its end (and is in CLOSE_WAIT) and keeps sending on its open half,
     * which the kernel reads whole.
     */
    void kernelHalfClosesAndSynackKeepsSending(int port, long seed) throws Exception {
        try (TcpServerSocket server = synackListen(port);
             Socket kernel = kernelConnect(port);
             TcpSocket accepted = server.accept();
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            kernel.getOutputStream().write("request".getBytes(StandardCharsets.US_ASCII));
            kernel.shutdownOutput();
            assertThat(new String(accepted.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("request");
            assertThat(accepted.state()).isEqualTo(TcpState.CLOSE_WAIT);
            Future<String> received = pool.submit(() -> receiveAll(kernel.getInputStream()));
            String sent = sendRandom(accepted.getOutputStream(), AFTER_HALF_CLOSE, seed);
            accepted.close();
            assertThat(received.get(30, TimeUnit.SECONDS)).isEqualTo(sent + "/" + AFTER_HALF_CLOSE);
        }
    }

    /**
     * synack connects to the kernel on {@code port}, sends a request and shuts down its sending half
     * (reaching FIN_WAIT2 once the kernel acknowledges the FIN); the kernel keeps sending on its open
     * half, which synack reads whole.
     */
    void synackHalfClosesAndKernelKeepsSending(int port, long seed) throws Exception {
        try (ServerSocket server = kernelListen(port);
             TcpSocket client = synackConnect(port);
             Socket accepted = server.accept();
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            client.getOutputStream().write("request".getBytes(StandardCharsets.US_ASCII));
            client.shutdownOutput();
            assertThat(new String(accepted.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("request");
            Future<String> received = pool.submit(() -> receiveAll(client.getInputStream()));
            String sent = sendRandom(accepted.getOutputStream(), AFTER_HALF_CLOSE, seed);
            assertThat(awaitState(client, TcpState.FIN_WAIT2)).isEqualTo(TcpState.FIN_WAIT2);
            accepted.close();
            assertThat(received.get(30, TimeUnit.SECONDS)).isEqualTo(sent + "/" + AFTER_HALF_CLOSE);
        }
    }

    /**
     * {@code count} kernel clients connect to a synack server on {@code port} all at once, then each
     * sends a line and reads it echoed back.
     */
    void concurrentKernelClientsOnASynackServer(int port, int count) throws Exception {
        try (TcpServerSocket server = synackListen(port);
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            AtomicReference<Throwable> serverFailure = new AtomicReference<>();
            var _ = pool.submit(() -> {
                for (int i = 0; i < count; i++) {
                    TcpSocket s = server.accept();
                    var _ = pool.submit(() -> echoOnce(s, serverFailure));
                }
                return null;
            });
            List<Socket> clients = ns.call(() -> {
                List<Socket> list = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    Socket s = new Socket();
                    s.connect(new InetSocketAddress(InetAddress.ofLiteral(synackIp), port), 10_000);
                    list.add(s);
                }
                return list;
            });
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                Socket s = clients.get(i);
                String message = "client " + i;
                answers.add(pool.submit(() -> {
                    try (s) {
                        s.getOutputStream().write(message.getBytes(StandardCharsets.US_ASCII));
                        s.shutdownOutput();
                        return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                    }
                }));
            }
            for (int i = 0; i < count; i++) assertThat(answers.get(i).get(60, TimeUnit.SECONDS)).isEqualTo("client " + i);
            assertThat(serverFailure.get()).isNull();
        }
    }

    /** Reads the request to its end, writes it back, closes. */
    private static void echoOnce(TcpSocket s, AtomicReference<Throwable> failure) {
        try (s) {
            byte[] request = s.getInputStream().readAllBytes();
            s.getOutputStream().write(request);
        } catch (IOException | RuntimeException e) {
            failure.compareAndSet(null, e);
        }
    }

    /** Polls {@code socket}'s state until it is {@code wanted} or 10 s pass; returns the last state seen. */
    static TcpState awaitState(TcpSocket socket, TcpState wanted) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (socket.state() != wanted && System.nanoTime() < deadline) Thread.sleep(5);
        return socket.state();
    }

    // ---------------------------------------------------------------- data helpers

    /** Writes {@code total} pseudo-random bytes from {@code seed}; returns their SHA-256. */
    static String sendRandom(OutputStream out, long total, long seed) throws IOException {
        MessageDigest sha = sha256();
        Random r = new Random(seed);
        byte[] chunk = new byte[64 * 1024];
        long left = total;
        while (left > 0) {
            int n = (int) Math.min(chunk.length, left);
            r.nextBytes(chunk);
            out.write(chunk, 0, n);
            sha.update(chunk, 0, n);
            left -= n;
        }
        out.flush();
        return HexFormat.of().formatHex(sha.digest());
    }

    /** Reads to end of stream; returns the SHA-256 and the count as "hex/count". */
    static String receiveAll(InputStream in) throws IOException {
        MessageDigest sha = sha256();
        byte[] buf = new byte[64 * 1024];
        long count = 0;
        int n;
        while ((n = in.read(buf)) >= 0) {
            sha.update(buf, 0, n);
            count += n;
        }
        return HexFormat.of().formatHex(sha.digest()) + "/" + count;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
