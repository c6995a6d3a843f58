package dev.synack.cli;

import dev.synack.link.NetworkNamespace;
import dev.synack.link.PcapWriter;
import dev.synack.link.TunLink;
import dev.synack.relay.DatagramPath;
import dev.synack.relay.Forwarder;
import dev.synack.relay.KernelSockets;
import dev.synack.relay.Relays;
import dev.synack.relay.Socks5;
import dev.synack.relay.TcpRelay;
import dev.synack.relay.UdpRelay;
import dev.synack.relay.Upstream;
import dev.synack.stack.StackShards;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code synack forward}: a transparent proxy on a TUN device, as tun2socks is. The kernel routes
 * traffic into the device; synack's stack, in forwarding mode ({@link dev.synack.stack.Forwarding}),
 * terminates every TCP connection whatever its destination, and each is relayed to its original
 * destination through the kernel's sockets, directly or through a SOCKS5 server.
 */
@Command(name = "forward", mixinStandardHelpOptions = true,
        description = {"Relays every TCP connection and UDP flow that enters the TUN device to its original destination, through the "
                + "kernel's sockets or a SOCKS5 server (a transparent proxy, as tun2socks). Runs until interrupted; "
                + "prints each flow's bytes and duration when it ends, and the totals at exit.",
                "Exit status: 0 after an interrupt, 1 when the device cannot be set up, 2 on bad arguments."},
        footer = {"%nExamples:",
                "  sudo synack forward --tun synack0 --address 10.7.0.2/24 --route 198.18.0.0/15",
                "  sudo synack forward --tun synack0 --route 0.0.0.0/1 --route 128.0.0.0/1 --socks5 127.0.0.1:1080"})
final class ForwardCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    NetOptions net;

    @Option(names = "--route", paramLabel = "CIDR",
            description = "Add a kernel route for CIDR into the device (repeatable), e.g. 198.18.0.0/15.")
    List<String> routes = new ArrayList<>();

    @Option(names = "--forward", paramLabel = "CIDR",
            description = "Destinations synack terminates and relays (repeatable). Default: the --route prefixes, "
                    + "or everything (0.0.0.0/0 and ::/0) without routes.")
    List<String> forward = new ArrayList<>();

    @Option(names = "--netns", paramLabel = "NAME",
            description = "Create the device inside the network namespace NAME (ip netns), with its address and routes; "
                    + "the relayed sockets stay in this process's namespace.")
    String netns;

    @Option(names = "--socks5", paramLabel = "HOST:PORT",
            description = "Relay through this SOCKS5 server (RFC 1928, no authentication: CONNECT for TCP, UDP ASSOCIATE for UDP) instead of directly.")
    String socks5;

    @Option(names = "--connect-timeout", paramLabel = "DURATION", defaultValue = "10s", converter = Units.DurationConverter.class,
            description = "How long to try reaching a destination before resetting the connection. Default: ${DEFAULT-VALUE}.")
    Duration connectTimeout;

    @Option(names = "--backlog", paramLabel = "N", defaultValue = "1024",
            description = "Connections being opened or waiting for their relay (as a listener's backlog). Default: ${DEFAULT-VALUE}.")
    int backlog;

    @Option(names = "--udp-timeout", paramLabel = "DURATION", defaultValue = "30s", converter = Units.DurationConverter.class,
            description = "A UDP flow ends after this long without a datagram either way (as conntrack's). Default: ${DEFAULT-VALUE}.")
    Duration udpTimeout;

    @Option(names = "--queues", paramLabel = "N", defaultValue = "0",
            description = "Queues of the TUN device (IFF_MULTI_QUEUE when more than one): a reader thread, a stack shard with "
                    + "its own lock and event loop, and an accepting thread each; the kernel puts every packet of a TCP flow "
                    + "on its shard's queue (UDP goes to the first). Default: one per core (0).")
    int queues;

    @Option(names = "--quiet", description = "Print only the totals, not a line per flow.")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        if (net.tun == null) throw new CommandLine.ParameterException(spec.commandLine(), "--tun NAME is required");
        NetSetup.checkQueues(spec, queues);
        PrintWriter err = spec.commandLine().getErr();
        // Made first, on this thread: the relays' kernel sockets live in this process's namespace.
        KernelSockets sockets = new KernelSockets();
        Socks5 socks;
        try {
            socks = socks5 == null ? null : new Socks5(NetSetup.hostPort(socks5), sockets);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--socks5: " + e.getMessage());
        }
        Upstream upstream = socks == null ? Upstream.direct(sockets) : socks;
        DatagramPath.Opener datagrams = socks == null ? destination -> DatagramPath.direct(destination, sockets)
                : destination -> socks.associate(destination, connectTimeout);
        TunLink link;
        StackShards host;
        PcapWriter pcap;
        try {
            link = openDevice();
        } catch (IOException | IllegalArgumentException e) {
            err.println("synack forward: " + e.getMessage());
            err.flush();
            return CommandLine.ExitCode.SOFTWARE;
        }
        Relays relays = new Relays(err, quiet);
        Forwarder forwarder;
        try {
            host = link.addShardedHost("synack", link.options().hostAddresses(), net.profile.config());
            pcap = NetSetup.capture(host.all(), net.capture());
            for (String r : routes) route(link.options(), r);
            List<String> prefixes = !forward.isEmpty() ? forward : !routes.isEmpty() ? routes : List.of("0.0.0.0/0", "::/0");
            forwarder = Forwarder.start(host, prefixes, backlog, relays, s -> new TcpRelay(s, upstream, connectTimeout),
                    flow -> new UdpRelay(flow, datagrams, udpTimeout));
        } catch (IOException | IllegalArgumentException e) {
            err.println("synack forward: " + e.getMessage());
            err.flush();
            closeQuietly(link);
            return CommandLine.ExitCode.SOFTWARE;
        }
        int queueCount = host.count();
        err.println("synack forward: relaying TCP and UDP to " + String.join(", ", forwarder.prefixes()) + " from TUN device "
                + net.tun + (netns == null ? "" : " in namespace " + netns) + " (" + queueCount + (queueCount == 1 ? " queue" : " queues")
                + ")" + (socks5 == null ? " directly" : " through SOCKS5 " + socks5));
        err.flush();
        Thread hook = Thread.ofPlatform().unstarted(() -> shutdown(forwarder, relays, link, pcap, host));
        Runtime.getRuntime().addShutdownHook(hook);
        forwarder.awaitClosed();
        return CommandLine.ExitCode.OK;
    }

    /** The TUN device, created in --netns when given (on a thread that enters it; the device keeps that namespace). */
    private TunLink openDevice() throws IOException {
        TunLink.Options options = TunLink.Options.of(net.tun, net.address == null ? NetSetup.DEFAULT_TUN_ADDRESS : net.address)
                .mtu(net.mtu);
        int queueCount = NetSetup.queueCount(queues);
        if (netns == null) return TunLink.open(options, queueCount);
        TunLink.Options inNamespace = options.namespace(netns);
        AtomicReference<Object> result = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name("tun-in-" + netns).start(() -> {
            try {
                NetworkNamespace.enterCurrentThread(netns);
                result.set(TunLink.open(inNamespace, queueCount));
            } catch (IOException | RuntimeException e) {
                result.set(e);
            }
        });
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while creating the device");
        }
        if (result.get() instanceof IOException e) throw e;
        if (result.get() instanceof RuntimeException e) throw e;
        return (TunLink) result.get();
    }

    /** {@code ip [-n NS] route add CIDR dev DEVICE}. */
    private static void route(TunLink.Options options, String cidr) throws IOException {
        List<String> args = new ArrayList<>();
        if (options.namespace() != null) args.addAll(List.of("-n", options.namespace()));
        if (cidr.indexOf(':') >= 0) args.add("-6");
        args.addAll(List.of("route", "add", cidr, "dev", options.device()));
        NetworkNamespace.ipHere(args.toArray(String[]::new));
    }

    /** Closes everything in order: the forwarder stops taking flows, relays reset, the capture, the shards' loops and the device. */
    private static void shutdown(Forwarder forwarder, Relays relays, TunLink link, PcapWriter pcap, StackShards host) {
        forwarder.close();
        relays.shutdown();
        try {
            NetSetup.closeCapture(host.all(), pcap);
        } catch (IOException e) {
            // Exiting anyway.
        }
        closeQuietly(link);
    }

    private static void closeQuietly(TunLink link) {
        try {
            link.close();
        } catch (IOException | RuntimeException e) {
            // Exiting anyway.
        }
    }
}
