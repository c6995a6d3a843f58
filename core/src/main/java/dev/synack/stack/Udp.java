package dev.synack.stack;

import dev.synack.wire.IpAddress;
import dev.synack.wire.UdpDatagram;
import java.io.IOException;
import java.net.BindException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;

/**
 * A stack's UDP (RFC 768, RFC 1122 §4.1): ports bound by {@link UdpEndpoint}s, and the flows of a
 * forwarding stack ({@link Forwarding}). An arriving datagram is checked ({@link UdpDatagram#read}:
 * lengths, checksum), filtered by address as TCP is, then demultiplexed: to the endpoint bound to
 * its port on this host's address (a connected one only from its peer), else, for a forwarded
 * destination, to the flow of its source and destination (a new flow for the application to
 * {@link #acceptFlow} when none exists and flows are taken). Datagrams for no endpoint are answered
 * with ICMP or ICMPv6 port unreachable (RFC 1122 §4.1.3.1, RFC 4443 §3.1), at most 1,000 a second with a
 * burst of 50, Linux's icmp_msgs_per_sec and icmp_msgs_burst. Flows live until the application
 * closes them (a relay closes idle ones: see the forward command); at most
 * {@link #listenFlows the limit it sets} wait to be accepted, beyond which new flows are dropped.
 * Demultiplexing is O(1): an array by port, the demux table for flows.
 */
public final class Udp {
    static final int ICMP_RATE = 1000;
    static final int ICMP_BURST = 50;
    /** RFC 1812 §4.3.2.3: an ICMP error quotes as much of the datagram as fits in 576 bytes. */
    private static final int ICMP_QUOTE = 576 - 20 - 8;

    private final NetStack stack;
    private final UdpEndpoint[] bound = new UdpEndpoint[65536];
    private final DemuxTable<UdpEndpoint> flows = new DemuxTable<>(16);
    private final ArrayDeque<UdpEndpoint> newFlows = new ArrayDeque<>();
    private int maxNewFlows;
    private final UdpDatagram datagram = new UdpDatagram();
    private TokenBucket icmpLimit;
    private int nextEphemeral = -1;

    Udp(NetStack stack) {
        this.stack = stack;
    }

    /**
     * Binds {@code port} on this host's addresses (0: an ephemeral port from the stack's range).
     *
     * @throws BindException when the port is taken or none is free
     */
    public UdpEndpoint bind(int port) throws IOException {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
        stack.lock();
        try {
            int p = port != 0 ? port : ephemeral();
            if (bound[p] != null) throw new BindException("Address already in use: UDP port " + p);
            UdpEndpoint e = new UdpEndpoint(stack, this, null, p, 0);
            bound[p] = e;
            return e;
        } finally {
            stack.unlock();
        }
    }

    private int ephemeral() throws BindException {
        int low = stack.config().ephemeralPortLow();
        int high = stack.config().ephemeralPortHigh();
        int range = high - low + 1;
        if (nextEphemeral < 0) nextEphemeral = new java.util.Random(stack.name().hashCode()).nextInt(range);
        for (int i = 0; i < range; i++) {
            int p = low + (nextEphemeral++ % range);
            if (bound[p] == null) return p;
        }
        throw new BindException("No ephemeral UDP port free in " + low + "-" + high);
    }

    /**
     * Takes flows to forwarded destinations ({@link Forwarding}), at most {@code maxWaiting} of them
     * waiting for {@link #acceptFlow} at once (0 stops taking new ones).
     */
    public void listenFlows(int maxWaiting) {
        stack.lock();
        try {
            maxNewFlows = Math.max(0, maxWaiting);
        } finally {
            stack.unlock();
        }
    }

    /**
     * The next new flow: its local address and port are the original destination, its remote the
     * sender, and its first datagram is queued. Waits up to {@code timeout} (null or zero: for ever).
     *
     * @throws SocketTimeoutException when none came in time
     * @throws SocketException when flows are not taken
     */
    public UdpEndpoint acceptFlow(Duration timeout) throws IOException {
        stack.lock();
        try {
            long deadline = stack.deadlineAfter(timeout);
            while (true) {
                if (maxNewFlows == 0) throw new SocketException("UDP flows are not taken (listenFlows)");
                UdpEndpoint e = newFlows.poll();
                if (e != null) return e;
                if (!stack.awaitUntil(newFlows, () -> !newFlows.isEmpty() || maxNewFlows == 0, deadline)) {
                    throw new SocketTimeoutException("No new UDP flow in time");
                }
            }
        } finally {
            stack.unlock();
        }
    }

    /** Stops taking flows and wakes a waiting {@link #acceptFlow}; flows accepted already live on. */
    public void stopFlows() {
        stack.lock();
        try {
            maxNewFlows = 0;
            UdpEndpoint e;
            while ((e = newFlows.poll()) != null) {
                e.closed = true;
                closed(e);
            }
            stack.waiter().wakeup(stack, newFlows);
        } finally {
            stack.unlock();
        }
    }

    // ---- from the stack (lock held)

    /** A packet carrying UDP ({@link UdpDatagram#isUdp}), its IP header sound. */
    void arrived(ByteBuffer packet, boolean checksumTrusted, long now) {
        Diagnostics d = stack.diagnostics();
        String problem = datagram.read(packet, !checksumTrusted);
        if (problem == null) {
            problem = stack.inbound().addressProblem(datagram.sourceHi(), datagram.sourceLo(), datagram.destinationHi(), datagram.destinationLo());
            if (problem != null) {
                d.undecodable(now, packet, problem);
                return;
            }
        } else {
            d.increment(Counter.UDP_IN_ERRORS);
            d.undecodable(now, packet, problem);
            return;
        }
        UdpEndpoint e = endpointFor(now);
        if (e == null) {
            d.increment(Counter.UDP_NO_PORTS);
            portUnreachable(packet, now);
            return;
        }
        if (!e.deliver(datagram.source(), datagram.sourcePort(), packet, datagram.payloadOffset(), datagram.payloadLength())) {
            d.increment(Counter.UDP_RCVBUF_ERRORS);
            d.undecodable(now, packet, "UDP: receive buffer full");
            return;
        }
        d.increment(Counter.UDP_IN_DATAGRAMS);
    }

    /** The endpoint the datagram just read is for: a bound port, a flow, or a new flow; null when none. */
    private UdpEndpoint endpointFor(long now) {
        UdpDatagram g = datagram;
        int localKey = LocalKeys.of(stack, g.destinationHi(), g.destinationLo());
        if (localKey == 0) {
            UdpEndpoint e = bound[g.destinationPort()];
            return e != null && e.takes(g.sourceHi(), g.sourceLo(), g.sourcePort()) ? e : null;
        }
        int ports = DemuxTable.ports(g.destinationPort(), g.sourcePort());
        UdpEndpoint flow = flows.get(g.sourceHi(), g.sourceLo(), ports, localKey);
        IpAddress destination = g.destination();
        if (flow != null) return destination.equals(flow.localAddress) ? flow : null;
        if (newFlows.size() >= maxNewFlows) return null;
        IpAddress source = g.source();
        if (!stack.forwarding().admits(source, g.sourcePort(), destination, g.destinationPort())) return null;
        flow = new UdpEndpoint(stack, this, destination, g.destinationPort(), localKey);
        flow.remote = source;
        flow.remotePort = g.sourcePort();
        flows.put(g.sourceHi(), g.sourceLo(), ports, localKey, flow);
        newFlows.add(flow);
        stack.waiter().wakeup(stack, newFlows);
        return flow;
    }

    /** RFC 1122 §4.1.3.1, RFC 4443 §3.1: a port unreachable for a datagram no endpoint takes (rate limited). */
    private void portUnreachable(ByteBuffer packet, long now) {
        if (icmpLimit == null) icmpLimit = new TokenBucket(ICMP_RATE, ICMP_BURST, now);
        if (!icmpLimit.tryTake(now)) {
            stack.diagnostics().increment(Counter.OUT_RATE_LIMIT_GLOBAL);
            return;
        }
        if (stack.output().sendPortUnreachable(packet, datagram.destination(), ICMP_QUOTE, now)) {
            stack.diagnostics().increment(datagram.isIpv6() ? Counter.ICMP6_OUT_DEST_UNREACHS : Counter.ICMP_OUT_DEST_UNREACHS);
        }
    }

    /**
     * An ICMP error about a UDP datagram this host sent from {@code localPort} to {@code remote}:
     * reported to the connected endpoint that sent it; null when taken, else why not.
     */
    String icmpError(int localPort, IpAddress remote, int remotePort, String error) {
        UdpEndpoint e = bound[localPort];
        if (e == null || e.remote == null || !e.remote.equals(remote) || e.remotePort != remotePort) {
            return "ICMP error about a UDP datagram of no connected socket";
        }
        e.icmpError(error);
        return null;
    }

    void send(IpAddress from, int fromPort, IpAddress to, int toPort, ByteBuffer data) {
        if (stack.output().sendUdp(from, fromPort, to, toPort, data, stack.now())) stack.diagnostics().increment(Counter.UDP_OUT_DATAGRAMS);
    }

    /** An endpoint closed: its port released, or its flow forgotten. */
    void closed(UdpEndpoint e) {
        if (e.localKey == 0) {
            if (bound[e.localPort] == e) bound[e.localPort] = null;
            return;
        }
        int ports = DemuxTable.ports(e.localPort, e.remotePort);
        if (flows.get(e.remote, ports, e.localKey) == e) flows.remove(e.remote, ports, e.localKey);
        newFlows.remove(e);
    }

    /** Flows open now (accepted or waiting). */
    public int flowCount() {
        stack.lock();
        try {
            return flows.size();
        } finally {
            stack.unlock();
        }
    }
}
