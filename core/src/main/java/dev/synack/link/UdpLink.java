package dev.synack.link;

import dev.synack.stack.Clock;
import dev.synack.stack.NetStack;
import dev.synack.tcp.Rfc6528IsnGenerator;
import dev.synack.tcp.TcpConfig;
import dev.synack.wire.Ipv4Address;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * IP packets carried in UDP datagrams, one packet per datagram, so that two synack processes (or two
 * stacks in one JVM) talk TCP to each other without privileges. One host per link: the link binds a
 * local UDP address and sends to its peer's; a link opened without a peer (a server) learns it from
 * the first datagram that arrives and answers the latest sender.
 *
 * <p>The IPv4 addresses inside the packets are the stacks' own (e.g. 10.9.0.1 and 10.9.0.2); the UDP
 * addresses only carry them. A platform reader thread queues each datagram on the stack's event loop;
 * packets are sent on the stack's thread. An error while a datagram is passed on loses that
 * datagram, never the reader (a fatal one goes to the stack's
 * {@link dev.synack.stack.FatalErrorHandler}).
 */
public final class UdpLink implements Link, AutoCloseable {
    /** The largest IPv4 packet a datagram carries. */
    private static final int MAX_PACKET = 65_535;
    public static final int DEFAULT_MTU = 1500;
    /** Requested UDP socket buffer size (the kernel caps it at net.core.rmem_max / wmem_max). */
    private static final int SOCKET_BUFFER = 4 << 20;

    private final DatagramChannel channel;
    private final int mtu;
    private final boolean peerFixed;
    private volatile SocketAddress peer;
    private volatile NetStack stack;
    private volatile boolean open = true;
    private final Thread reader;
    private final AtomicLong packetsIn = new AtomicLong();
    private final AtomicLong packetsOut = new AtomicLong();
    private final AtomicLong packetsDropped = new AtomicLong();
    private volatile IOException readerFailure;
    private volatile Consumer<ByteBuffer> inboundPath = this::deliverInbound;

    private UdpLink(DatagramChannel channel, SocketAddress peer, int mtu) {
        this.channel = channel;
        this.peer = peer;
        this.peerFixed = peer != null;
        this.mtu = mtu;
        this.reader = Thread.ofPlatform().daemon().name("synack-udp-" + Ipv4Address.hostPort(localAddress())).unstarted(this::readLoop);
    }

    /**
     * Binds {@code local} (port 0: any) and carries packets to {@code peer}; null: learn the peer
     * from the first datagram received.
     */
    public static UdpLink open(InetSocketAddress local, InetSocketAddress peer) throws IOException {
        return open(local, peer, DEFAULT_MTU);
    }

    public static UdpLink open(InetSocketAddress local, InetSocketAddress peer, int mtu) throws IOException {
        Objects.requireNonNull(local, "local");
        if (peer != null && peer.isUnresolved()) throw new IOException("cannot resolve UDP peer " + peer.getHostString());
        DatagramChannel ch = DatagramChannel.open();
        try {
            // Room for a full window of datagrams: a burst larger than the socket buffer is lost.
            ch.setOption(java.net.StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER);
            ch.setOption(java.net.StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER);
            ch.bind(local);
        } catch (IOException e) {
            ch.close();
            throw new IOException("cannot bind UDP " + Ipv4Address.hostPort(local) + ": " + e.getMessage(), e);
        }
        UdpLink link = new UdpLink(ch, peer, mtu);
        link.reader.start();
        return link;
    }

    /** The local UDP address the link receives on. */
    public InetSocketAddress localAddress() {
        try {
            return (InetSocketAddress) channel.getLocalAddress();
        } catch (IOException e) {
            return null;
        }
    }

    /** The UDP peer packets go to (null until a server link heard from somebody). */
    public SocketAddress peer() { return peer; }

    public long packetsIn() { return packetsIn.get(); }
    public long packetsOut() { return packetsOut.get(); }
    public long packetsDropped() { return packetsDropped.get(); }
    public IOException readerFailure() { return readerFailure; }

    /** Creates the link's stack (MSS = MTU - 40) and starts its real-time loop. */
    @Override
    public synchronized NetStack addHost(String name, String addresses, TcpConfig config) {
        if (stack != null) throw new IllegalStateException("this UDP link already has a host: " + stack.name());
        HostAddresses address = HostAddresses.parse(addresses);
        TcpConfig onThisLink = config.toBuilder().mss(mtu - TunLink.IP_TCP_HEADERS).build();
        NetStack s = new NetStack(name, address.stackAddress(), onThisLink, Clock.system(), Rfc6528IsnGenerator.withRandomKey(),
                System.nanoTime());
        address.applyTo(s);
        s.attach(this, null);
        stack = s;
        s.start();
        return s;
    }

    public NetStack host() { return stack; }

    @Override
    public void transmit(NetStack from, ByteBuffer packet) {
        SocketAddress to = peer;
        String problem = null;
        if (!open) problem = "the UDP link is closed";
        else if (to == null) problem = "no UDP peer yet (nobody has sent to " + Ipv4Address.hostPort(localAddress()) + ")";
        else if (packet.remaining() > mtu) problem = "larger than the MTU " + mtu;
        if (problem == null) {
            try {
                channel.send(packet.duplicate(), to);
                packetsOut.incrementAndGet();
                return;
            } catch (IOException e) {
                problem = "UDP send to " + to + " failed: " + e.getMessage();
            }
        }
        packetsDropped.incrementAndGet();
        ByteBuffer copy = ByteBuffer.allocate(packet.remaining());
        copy.put(packet.duplicate()).flip();
        from.traceDrop(copy, problem);
    }

    /**
     * Wraps the inbound path, as {@link TunLink#inboundFilter} does: every packet received goes to
     * {@code filter}'s result, which receives the link's own delivery (to the stack's event loop).
     */
    public void inboundFilter(UnaryOperator<Consumer<ByteBuffer>> filter) {
        inboundPath = Objects.requireNonNull(filter.apply(this::deliverInbound));
    }

    private void deliverInbound(ByteBuffer packet) {
        LinkThreads.enqueue(stack, packet, packetsDropped);
    }

    private void readLoop() {
        ByteBuffer buffer = ByteBuffer.allocate(MAX_PACKET);
        while (open) {
            try {
                buffer.clear();
                SocketAddress from = channel.receive(buffer);
                if (from == null) continue;
                buffer.flip();
                packetsIn.incrementAndGet();
                if (!peerFixed) peer = from;
                ByteBuffer copy = ByteBuffer.allocate(buffer.remaining());
                copy.put(buffer).flip();
                inboundPath.accept(copy);
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                // ICMP port unreachable from a peer that went away: keep listening.
                if (!open) return;
                if (e instanceof java.net.PortUnreachableException) continue;
                readerFailure = e;
                return;
            } catch (Throwable e) {
                // A datagram the stack could not take (memory ran out, say): it is lost, the
                // reader is not. Fatal errors go to the stack's handler.
                packetsDropped.incrementAndGet();
                LinkThreads.failed(stack, "UDP reader", e);
            }
        }
    }

    /** Stops the stack's loop and the reader, and closes the UDP socket. */
    @Override
    public void close() throws IOException {
        if (!open) return;
        open = false;
        NetStack s = stack;
        if (s != null) s.close();
        channel.close();
        try {
            reader.join(TimeUnit.SECONDS.toMillis(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return "UdpLink[" + Ipv4Address.hostPort(localAddress()) + " -> "
                + (peer == null ? "(peer not known yet)" : Ipv4Address.hostPort(peer)) + "]";
    }
}
