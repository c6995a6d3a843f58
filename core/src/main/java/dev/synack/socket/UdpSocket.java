package dev.synack.socket;

import dev.synack.stack.NetStack;
import dev.synack.stack.UdpEndpoint;
import dev.synack.wire.IpAddress;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * A UDP socket on a synack {@link NetStack}, as java.net's DatagramSocket: {@link #bind} a port (0:
 * ephemeral), optionally {@link #connect} a peer, {@link #send} and {@link #receive} datagrams;
 * receive blocks up to the timeout ({@link #setSoTimeout}) or, non-blocking, returns null at once.
 * A connected socket reports an ICMP port unreachable about what it sent as a
 * {@link java.net.PortUnreachableException} from its next call, as java.net does on Linux.
 * A forwarded flow ({@link dev.synack.stack.Udp#acceptFlow}) is wrapped with {@link #of}.
 */
public final class UdpSocket implements Closeable {
    private final UdpEndpoint endpoint;
    private volatile Duration timeout;
    private volatile boolean blocking = true;

    private UdpSocket(UdpEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    /**
     * A socket bound to {@code port} (0: an ephemeral one) on the stack's addresses.
     *
     * @throws java.net.BindException when the port is taken
     */
    public static UdpSocket bind(NetStack stack, int port) throws IOException {
        return new UdpSocket(stack.udp().bind(port));
    }

    /** A socket over an endpoint the stack made: a forwarded flow, connected to its sender. */
    public static UdpSocket of(UdpEndpoint endpoint) {
        return new UdpSocket(endpoint);
    }

    /** Takes datagrams from {@code remote} only and sends to it when {@link #send} names no destination. */
    public void connect(InetSocketAddress remote) throws IOException {
        endpoint.connect(IpAddress.of(remote.getAddress()), remote.getPort());
    }

    /** Sends {@code data} (position to limit; consumed) to {@code destination} (null: the connected peer). */
    public void send(ByteBuffer data, InetSocketAddress destination) throws IOException {
        endpoint.send(data, destination == null ? null : IpAddress.of(destination.getAddress()), destination == null ? 0 : destination.getPort());
    }

    /**
     * Copies the next datagram into {@code into} (what does not fit is discarded, as java.net
     * does) and returns its sender; null in non-blocking mode when none is queued.
     *
     * @throws java.net.SocketTimeoutException when the timeout passed
     */
    public InetSocketAddress receive(ByteBuffer into) throws IOException {
        UdpEndpoint.Datagram d = endpoint.receive(blocking ? timeout : Duration.ofNanos(-1));
        if (d == null) return null;
        into.put(d.data(), 0, Math.min(d.data().length, into.remaining()));
        return new InetSocketAddress(d.source().toInetAddress(), d.sourcePort());
    }

    /** How long a blocking {@link #receive} waits (null or zero: for ever). */
    public void setSoTimeout(Duration timeout) {
        this.timeout = timeout;
    }

    public void configureBlocking(boolean block) {
        this.blocking = block;
    }

    public int getLocalPort() { return endpoint.localPort(); }

    /** The local address of a forwarded flow (its original destination); null for a socket on the stack's own addresses. */
    public InetSocketAddress getLocalAddress() {
        IpAddress a = endpoint.localAddress();
        return a == null ? null : new InetSocketAddress(a.toInetAddress(), endpoint.localPort());
    }

    /** The connected peer, or null. */
    public InetSocketAddress getRemoteAddress() {
        IpAddress a = endpoint.remoteAddress();
        return a == null ? null : new InetSocketAddress(a.toInetAddress(), endpoint.remotePort());
    }

    /** The stack clock's time of the last datagram sent or received (a relay's idle timeout reads it). */
    public long lastActive() { return endpoint.lastActive(); }

    public boolean isClosed() { return endpoint.isClosed(); }

    @Override
    public void close() {
        endpoint.close();
    }
}
