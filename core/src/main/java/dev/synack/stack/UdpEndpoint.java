package dev.synack.stack;

import dev.synack.wire.IpAddress;
import dev.synack.wire.UdpDatagram;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;

/**
 * One UDP endpoint of a stack (RFC 768): a bound port of this host (made by {@link Udp#bind}), or
 * a forwarded flow (made by {@link Udp#acceptFlow}: its local address and port are the original
 * destination, its remote the sender, as if connected). It queues arriving datagrams up to a
 * receive buffer's bytes (Linux's default SO_RCVBUF, 212,992; beyond, datagrams are dropped and
 * counted as RcvbufErrors, as UDP does) and sends datagrams from its local address. Connected
 * ({@link #connect}), it takes datagrams from its remote only, and an ICMP error about what it sent
 * (port unreachable) is reported by its next call as Linux's connected UDP sockets report
 * ECONNREFUSED ({@link PortUnreachableException}, as java.net does).
 *
 * <p>Thread-safe: each method takes the stack's lock; {@link #receive} waits without it.
 */
public final class UdpEndpoint {
    /** Linux's default receive buffer (net.core.rmem_default). */
    public static final int RECEIVE_BUFFER = 212_992;

    /** A datagram received: its sender and its bytes. */
    public record Datagram(IpAddress source, int sourcePort, byte[] data) {}

    private final NetStack stack;
    private final Udp udp;
    /** This host's own addresses (null), or the original destination of a forwarded flow. */
    final IpAddress localAddress;
    final int localPort;
    IpAddress remote;
    int remotePort;
    final int localKey;
    private final ArrayDeque<Datagram> queue = new ArrayDeque<>();
    private int queuedBytes;
    /** An ICMP error not yet reported (null: none). */
    String pendingError;
    boolean closed;
    /** When it last sent or received (the stack's clock), for a relay's idle timeout. */
    private volatile long lastActive;

    UdpEndpoint(NetStack stack, Udp udp, IpAddress localAddress, int localPort, int localKey) {
        this.stack = stack;
        this.udp = udp;
        this.localAddress = localAddress;
        this.localPort = localPort;
        this.localKey = localKey;
        this.lastActive = stack.clock().nanos();
    }

    public int localPort() { return localPort; }

    /** The local address: a forwarded flow's original destination; null for a port of this host (any of its addresses). */
    public IpAddress localAddress() { return localAddress; }

    /** The connected (or, for a flow, sending) peer; null when not connected. */
    public IpAddress remoteAddress() {
        stack.lock();
        try {
            return remote;
        } finally {
            stack.unlock();
        }
    }

    public int remotePort() { return remotePort; }

    /** The stack clock's time of the last datagram sent or received. */
    public long lastActive() { return lastActive; }

    /** Takes datagrams from {@code address}:{@code port} only and sends to it by default. */
    public void connect(IpAddress address, int port) throws IOException {
        checkPort(port);
        stack.lock();
        try {
            ensureOpen();
            if (localKey != 0) throw new SocketException("A forwarded flow's peer is fixed");
            remote = address;
            remotePort = port;
            // Datagrams queued from others before connect are dropped, as Linux does not (it keeps
            // them); java.net's DatagramSocket.connect drops them too: the stricter choice.
            queue.removeIf(d -> !d.source().equals(address) || d.sourcePort() != port);
            recount();
        } finally {
            stack.unlock();
        }
    }

    private void recount() {
        int bytes = 0;
        for (Datagram d : queue) bytes += d.data().length;
        queuedBytes = bytes;
    }

    /**
     * Sends the bytes of {@code data} (position to limit; consumed) to {@code address}:{@code port}
     * (null: the connected peer) from this endpoint's address and port.
     *
     * @throws PortUnreachableException when an earlier datagram met a closed port (connected only)
     */
    public void send(ByteBuffer data, IpAddress address, int port) throws IOException {
        stack.lock();
        try {
            ensureOpen();
            reportError();
            IpAddress to = address != null ? address : remote;
            int toPort = address != null ? port : remotePort;
            if (to == null) throw new SocketException("Destination address required: the socket is not connected");
            checkPort(toPort);
            if (remote != null && address != null && (!address.equals(remote) || port != remotePort)) {
                throw new SocketException("A connected socket sends only to " + remote.withPort(remotePort));
            }
            IpAddress from = localAddress != null ? localAddress : stack.localAddressFor(to);
            if (from == null) throw new SocketException("Network is unreachable: no IPv" + to.version() + " address");
            if (data.remaining() > UdpDatagram.maxPayload(to.isIpv6())) {
                throw new SocketException("Message too long: " + data.remaining() + " bytes (at most " + UdpDatagram.maxPayload(to.isIpv6()) + ")");
            }
            lastActive = stack.clock().nanos();
            udp.send(from, localPort, to, toPort, data);
            data.position(data.limit());
        } finally {
            stack.unlock();
        }
    }

    /**
     * The next datagram, waiting up to {@code timeout} (null or zero: for ever; negative: not at
     * all, returning null when none is queued).
     *
     * @throws SocketTimeoutException when none came in time
     * @throws PortUnreachableException when a datagram this connected endpoint sent met a closed port
     * @throws SocketException when the endpoint is or gets closed
     */
    public Datagram receive(Duration timeout) throws IOException {
        stack.lock();
        try {
            ensureOpen();
            if (queue.isEmpty() && timeout != null && timeout.isNegative()) {
                reportError();
                return null;
            }
            long deadline = stack.deadlineAfter(timeout);
            boolean ready = stack.awaitUntil(this, () -> closed || !queue.isEmpty() || pendingError != null, deadline);
            ensureOpen();
            Datagram d = queue.poll();
            if (d == null) {
                reportError();
                if (!ready) throw new SocketTimeoutException("Receive timed out");
                throw new InterruptedIOException("receive woken without a datagram");
            }
            queuedBytes -= d.data().length;
            return d;
        } finally {
            stack.unlock();
        }
    }

    /** Datagrams queued now. */
    public int queued() {
        stack.lock();
        try {
            return queue.size();
        } finally {
            stack.unlock();
        }
    }

    /** Releases the port (or forgets the flow); a waiting {@link #receive} fails with "Socket is closed". */
    public void close() {
        stack.lock();
        try {
            if (closed) return;
            closed = true;
            queue.clear();
            udp.closed(this);
            stack.waiter().wakeup(stack, this);
        } finally {
            stack.unlock();
        }
    }

    public boolean isClosed() { return closed; }

    // ---- from the stack (lock held)

    /** A datagram arrived for this endpoint: queued, unless the receive buffer is full (false). */
    boolean deliver(IpAddress source, int sourcePort, ByteBuffer packet, int offset, int length) {
        if (queuedBytes + length > RECEIVE_BUFFER && !queue.isEmpty()) return false;
        byte[] data = new byte[length];
        packet.get(offset, data);
        queue.add(new Datagram(source, sourcePort, data));
        queuedBytes += length;
        lastActive = stack.clock().nanos();
        stack.waiter().wakeup(stack, this);
        return true;
    }

    /** An ICMP error about a datagram this connected endpoint sent: reported by the next call. */
    void icmpError(String error) {
        pendingError = error;
        stack.waiter().wakeup(stack, this);
    }

    /** Whether a datagram from {@code source}:{@code sourcePort} is for this endpoint (a connected one takes its peer's only). */
    boolean takes(long sourceHi, long sourceLo, int sourcePort) {
        return remote == null || (remote.hi() == sourceHi && remote.lo() == sourceLo && remotePort == sourcePort);
    }

    private void reportError() throws PortUnreachableException {
        String e = pendingError;
        if (e == null) return;
        pendingError = null;
        throw new PortUnreachableException(e);
    }

    private void ensureOpen() throws SocketException {
        if (closed) throw new SocketException("Socket is closed");
    }

    private static void checkPort(int port) {
        if (port < 1 || port > 65535) throw new IllegalArgumentException("port out of range 1-65535: " + port);
    }

    @Override
    public String toString() {
        String local = (localAddress == null ? "*" : localAddress.toString()) + ":" + localPort;
        return "udp " + local + (remote == null ? "" : " <-> " + remote.withPort(remotePort));
    }
}
