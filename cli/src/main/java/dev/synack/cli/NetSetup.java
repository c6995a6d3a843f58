package dev.synack.cli;

import dev.synack.link.PcapWriter;
import dev.synack.link.TunLink;
import dev.synack.link.UdpLink;
import dev.synack.stack.NetStack;
import dev.synack.tcp.TcpConfig;
import dev.synack.wire.Ipv4Address;
import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * A real network for {@code serve} and {@code connect}: synack's stack on a TUN device (against the
 * kernel) or on a UDP link (against another synack process), optionally captured to a pcap file.
 * Closing it closes the capture, the stack's loop and the device or socket.
 */
final class NetSetup implements Closeable {
    /** Default addresses of the UDP mode: the server and the client stack. */
    static final String UDP_SERVER_ADDRESS = "10.9.0.2";
    static final String UDP_CLIENT_ADDRESS = "10.9.0.1";
    static final String DEFAULT_TUN_ADDRESS = "10.7.0.2/24";

    final NetStack stack;
    final String description;
    private final AutoCloseable link;
    private final PcapWriter pcap;

    private NetSetup(NetStack stack, AutoCloseable link, PcapWriter pcap, String description) {
        this.stack = stack;
        this.link = link;
        this.pcap = pcap;
        this.description = description;
    }

    /** synack at {@code cidr} on a new TUN device {@code device}. */
    static NetSetup tun(String device, String cidr, int mtu, Capture pcapFile, TcpConfig config) throws IOException {
        TunLink.Options options = TunLink.Options.of(device, cidr).mtu(mtu);
        TunLink link = TunLink.open(options);
        try {
            NetStack stack = link.addHost("synack", options.hostAddresses(), config);
            PcapWriter pcap = capture(stack, pcapFile);
            return new NetSetup(stack, link, pcap, "TUN device " + device + ": " + tunDescription(options)
                    + ", MTU " + mtu + " (MSS " + stack.config().mss() + " over IPv4, " + (stack.config().mss() - 20) + " over IPv6)");
        } catch (IOException | RuntimeException e) {
            link.close();
            throw e;
        }
    }

    /** "synack 10.7.0.2, kernel 10.7.0.1/24", and the other family's addresses after " and " when there are. */
    private static String tunDescription(TunLink.Options options) {
        TunLink.Options other = options.other();
        return "synack " + options.address() + (other == null ? "" : " and " + other.address()) + ", kernel "
                + options.kernelAddress() + "/" + options.prefixLength()
                + (other == null ? "" : " and " + other.kernelAddress() + "/" + other.prefixLength());
    }

    /** synack at {@code address} on a UDP link bound to {@code local}, sending to {@code peer} (null: learn it). */
    static NetSetup udp(String address, InetSocketAddress local, InetSocketAddress peer, Capture pcapFile, TcpConfig config) throws IOException {
        UdpLink link = UdpLink.open(local, peer);
        try {
            NetStack stack = link.addHost("synack", address, config);
            PcapWriter pcap = capture(stack, pcapFile);
            return new NetSetup(stack, link, pcap, "UDP link " + Ipv4Address.hostPort(link.localAddress())
                    + (peer == null ? " (answering whoever sends)" : " -> " + Ipv4Address.hostPort(peer)) + ": synack " + address);
        } catch (IOException | RuntimeException e) {
            link.close();
            throw e;
        }
    }

    /** Refuses a --queues option outside [0, {@link TunLink#MAX_QUEUES}] (0: one per core). */
    static void checkQueues(CommandSpec spec, int queues) {
        if (queues < 0 || queues > TunLink.MAX_QUEUES) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--queues must be in [0, " + TunLink.MAX_QUEUES + "]");
        }
    }

    /** The queues a --queues option asks for: as given, or one per core for 0. */
    static int queueCount(int queues) {
        return queues == 0 ? Runtime.getRuntime().availableProcessors() : queues;
    }

    /** A pcap file to write and the bytes it keeps of each packet (see {@link PcapWriter#checkSnaplen}). */
    record Capture(Path file, int snaplen) {}

    static PcapWriter capture(NetStack stack, Capture capture) throws IOException {
        return capture(List.of(stack), capture);
    }

    /** One capture of every packet of {@code stacks} (a host's shards), or null without {@code capture}. */
    static PcapWriter capture(List<NetStack> stacks, Capture capture) throws IOException {
        if (capture == null) return null;
        PcapWriter w = PcapWriter.realTime(capture.file(), capture.snaplen());
        for (NetStack s : stacks) s.addPacketTap(w);
        return w;
    }

    /** Ends {@link #capture(List, Capture)}'s capture (nothing when {@code pcap} is null): untapped, then closed. */
    static void closeCapture(List<NetStack> stacks, PcapWriter pcap) throws IOException {
        if (pcap == null) return;
        for (NetStack s : stacks) s.removePacketTap(pcap);
        pcap.close();
    }

    /** "HOST:PORT" to a socket address (HOST: a name or literal; resolved now). */
    static InetSocketAddress hostPort(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) throw new IllegalArgumentException("expected HOST:PORT, got '" + text + "'");
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        int port = port(text.substring(colon + 1));
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("unknown host '" + host + "'");
        }
    }

    static int port(String text) {
        int port;
        try {
            port = Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a port number");
        }
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port " + port + " is out of range 0-65535");
        return port;
    }

    @Override
    public void close() throws IOException {
        IOException failure = null;
        try {
            closeCapture(List.of(stack), pcap);
        } catch (IOException e) {
            failure = e;
        }
        try {
            link.close();
        } catch (Exception e) {
            if (failure == null) failure = e instanceof IOException io ? io : new IOException(e);
        }
        if (failure != null) throw failure;
    }
}
