package dev.synack.link;

import dev.synack.stack.Clock;
import dev.synack.stack.FlowShard;
import dev.synack.stack.NetStack;
import dev.synack.stack.PacketTransmitter;
import dev.synack.stack.StackShards;
import dev.synack.tcp.Rfc6528IsnGenerator;
import dev.synack.tcp.TcpConfig;
import dev.synack.wire.IpAddress;
import dev.synack.wire.Ipv4Address;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Linux TUN device: synack on one side, the kernel's own IP stack on the other. The device is
 * opened through java.lang.foreign ({@code open("/dev/net/tun")}, {@code ioctl(TUNSETIFF)} with
 * {@code IFF_TUN | IFF_NO_PI | IFF_VNET_HDR}, so every read and write is exactly one IP packet behind
 * a {@link VirtioNetHeader}), given the kernel's address in the subnet and brought up with the
 * {@code ip} tool.
 *
 * <p>Offloads: the device offers the kernel checksum and TCP segmentation offload
 * ({@code TUNSETOFFLOAD} with TUN_F_CSUM, TUN_F_TSO4 and TUN_F_TSO6, as a virtio-net card does), so
 * the kernel's TCP hands synack segments of up to 64 KiB in one read, their checksum left for the
 * device to complete ({@link #offloads()}); synack takes a large segment as one, and neither
 * computes nor verifies a TCP or UDP checksum the kernel answers for (left partial, or checked
 * already), as a virtio-net driver does: a packet tap on the host, or an {@link #inboundFilter},
 * gets them completed. Where the kernel has UDP segmentation offload (TUN_F_USO4 and TUN_F_USO6,
 * Linux 6.2 on), the device offers it too: a UDP_SEGMENT sender's super-datagram arrives in one
 * read and is cut into its datagrams here ({@link UdpSuperDatagram}). Where the kernel refuses
 * offloads, the device runs with fewer, or without (still with the header).
 *
 * <p>Addresses: {@code --address 10.7.0.2/24} names synack's address; the kernel's side of the device
 * gets the subnet's first host address (10.7.0.1), or its second when synack took the first. The
 * kernel routes the subnet through the device, so {@code ping 10.7.0.2} and {@code nc 10.7.0.2 7}
 * reach synack.
 *
 * <p>Queues: a device of several queues steers each packet to the queue of its flow's shard with
 * an eBPF program computing the shard's hash ({@link TunSteering}, TUNSETSTEERINGEBPF; where the
 * kernel refuses it, the tun driver's own flow table, which learns a flow's queue from its writes).
 *
 * <p>Threads: a platform reader thread per queue polls the device and reads what it holds in a
 * batch. It processes the packets itself when their stack's (their flow's shard's) lock is free
 * ({@link NetStack#processIfFree}; a batch's packets under one hold of it, {@link InboundBatch}),
 * and so also runs the readiness handlers they made due, as a caller-runs {@link MemoryLink} does;
 * otherwise it queues them on that stack's real-time event loop ({@link NetStack#enqueue}) rather
 * than wait. Packets a stack sends are
 * written to the device on the thread that sent them (a TUN write does not block).
 * {@link #close()} stops the readers, the stacks' loops and closes the device, which removes the
 * interface. An error while a packet is passed on loses that packet, never the reader (a fatal one
 * goes to the stack's {@link dev.synack.stack.FatalErrorHandler}); only a failing device stops it
 * ({@link #readerFailure()}).
 *
 * <p>Wrapping: the stack's outbound packets go through the {@link PacketTransmitter} given to
 * {@link #addHost(String, String, TcpConfig, java.util.function.UnaryOperator)}'s decorator, and
 * inbound packets through {@link #inboundFilter}, so a fault-injecting wrapper can sit on either path.
 */
public final class TunLink implements Link, AutoCloseable {
    /** The path of the TUN clone device. */
    public static final Path CLONE_DEVICE = Path.of("/dev/net/tun");
    public static final int DEFAULT_MTU = 1500;
    /** IPv4 header (20) plus TCP header (20) without options: MSS = MTU - 40 (RFC 9293 §3.7.1). */
    public static final int IP_TCP_HEADERS = 40;
    /** Linux: IFNAMSIZ is 16 including the terminating NUL. */
    private static final int MAX_NAME_LENGTH = 15;
    /** _IOW('T', 202, int) from linux/if_tun.h. */
    /** TUNSETOFFLOAD's flags (linux/if_tun.h): checksums, TCP segmentation over IPv4 and IPv6. */
    static final int TUN_F_CSUM = 0x01;
    /** The tun driver's limit on queues per device (MAX_TAP_QUEUES). */
    public static final int MAX_QUEUES = 256;
    static final int TUN_F_TSO4 = 0x02;
    static final int TUN_F_TSO6 = 0x04;
    /** TUNSETOFFLOAD's UDP segmentation offload flags (Linux 6.2 on): the kernel hands over UDP super-datagrams. */
    static final int TUN_F_USO4 = 0x20;
    static final int TUN_F_USO6 = 0x40;
    private static final int MAX_PACKET = 65_535;

    /** How to set the device up. */
    public record Options(String device, String address, int prefixLength, int mtu, String namespace, String otherFamily) {
        /** Options with one address. */
        public Options(String device, String address, int prefixLength, int mtu, String namespace) {
            this(device, address, prefixLength, mtu, namespace, null);
        }

        public Options {
            Objects.requireNonNull(device, "device");
            if (device.isEmpty() || device.length() > MAX_NAME_LENGTH || !device.matches("[A-Za-z0-9_.-]+")) {
                throw new IllegalArgumentException("bad interface name \"" + device + "\": 1 to " + MAX_NAME_LENGTH
                        + " letters, digits, '_', '.', '-'");
            }
            int maxPrefix = IpAddress.parse(address).isIpv4() ? 30 : 126;
            if (prefixLength < 1 || prefixLength > maxPrefix) {
                throw new IllegalArgumentException("prefix length /" + prefixLength + " must be 1.." + maxPrefix + " (room for two hosts)");
            }
            if (mtu < 68 + IP_TCP_HEADERS || mtu > MAX_PACKET) throw new IllegalArgumentException("MTU " + mtu + " outside 108.." + MAX_PACKET);
        }

        /**
         * {@code device} with synack at {@code cidr} ("10.7.0.2/24", "fd00::2/64", or one of each
         * separated by a comma), MTU 1500, in the current namespace.
         */
        public static Options of(String device, String cidr) {
            int comma = cidr.indexOf(',');
            if (comma >= 0) return of(device, cidr.substring(0, comma)).withOtherFamily(cidr.substring(comma + 1));
            int slash = cidr.indexOf('/');
            if (slash < 0) throw new IllegalArgumentException("address \"" + cidr + "\" needs a prefix length, e.g. 10.7.0.2/24");
            int prefix;
            try {
                prefix = Integer.parseInt(cidr.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad prefix length in \"" + cidr + "\"");
            }
            return new Options(device, cidr.substring(0, slash), prefix, DEFAULT_MTU, null);
        }

        public Options mtu(int newMtu) { return new Options(device, address, prefixLength, newMtu, namespace, otherFamily); }

        /**
         * These options with synack also at {@code cidr} of the other family ("fd00::2/64" beside
         * "10.7.0.2/24"): a dual-stack host on the device, the kernel at the first address of each subnet.
         */
        public Options withOtherFamily(String cidr) {
            Options other = of(device, cidr);
            if (IpAddress.parse(other.address()).isIpv4() == IpAddress.parse(address).isIpv4()) {
                throw new IllegalArgumentException(cidr + " is of the same family as " + address);
            }
            return new Options(device, address, prefixLength, mtu, namespace, cidr);
        }

        /** The other family's address as options of their own (null: none). */
        public Options other() {
            return otherFamily == null ? null : of(device, otherFamily).mtu(mtu).namespace(namespace);
        }

        /** synack's addresses as {@link Link#addHost} takes them: "10.7.0.2" or "10.7.0.2,fd00::2". */
        public String hostAddresses() { return otherFamily == null ? address : address + "," + other().address(); }

        /**
         * The {@code ip netns} namespace the device lives in, for the {@code ip} commands; the device
         * itself is created in the namespace of the thread that calls {@link TunLink#open}.
         */
        public Options namespace(String ns) { return new Options(device, address, prefixLength, mtu, ns, otherFamily); }

        /** The kernel's address on the device: the subnet's first host, or its second when synack has the first. */
        public String kernelAddress() {
            IpAddress mine = IpAddress.parse(address);
            if (mine.isIpv6()) {
                // The prefix is at most /126, so the subnet's ::1 and ::2 differ from it only in the low long.
                long low = prefixLength <= 64 ? 0 : mine.lo() & (-1L << (128 - prefixLength));
                long hi = prefixLength >= 64 ? mine.hi() : mine.hi() & (-1L << (64 - prefixLength));
                long first = low + 1;
                return IpAddress.of(hi, hi == mine.hi() && first == mine.lo() ? first + 1 : first).toString();
            }
            int mask = -1 << (32 - prefixLength);
            int first = (mine.ipv4() & mask) + 1;
            return Ipv4Address.format(first == mine.ipv4() ? first + 1 : first);
        }

        boolean isIpv6() { return IpAddress.parse(address).isIpv6(); }
    }

    private final Options options;
    private final HostAddresses synackAddresses;
    private final Arena arena = Arena.ofShared();
    /** The device's queues: one, or one per shard with IFF_MULTI_QUEUE. */
    private final TunQueue[] queues;
    private final AtomicLong packetsIn = new AtomicLong();
    private final AtomicLong packetsOut = new AtomicLong();
    private final AtomicLong packetsDropped = new AtomicLong();
    private final AtomicLong packetsNotIpv4 = new AtomicLong();
    private final AtomicLong superSegmentsIn = new AtomicLong();
    /** The TUNSETOFFLOAD flags the kernel took (0: none). */
    private final int offloads;
    /** Whether the device steers packets to their flow's queue with {@link TunSteering}'s program. */
    private final boolean steered;
    private final AtomicLong packetsOffQueue = new AtomicLong();
    /** The host: one stack, or the shards of one ({@link #addShardedHost}); indexed by shard. */
    private volatile NetStack[] stacks;
    /** The device's own writer, which the outbound path is unless a wrapper was put in front of it. */
    private final PacketTransmitter writer = this::writePacket;
    private volatile PacketTransmitter outboundPath = writer;
    private volatile java.util.function.Consumer<ByteBuffer> inboundPath;
    private volatile boolean open = true;
    /** Whether {@link #inboundFilter} wrapped the inbound path: its packets' checksums are then always verified. */
    private volatile boolean filtered;
    private volatile IOException readerFailure;

    private TunLink(Options options, int[] fds, int offloads, boolean steered) {
        this.options = options;
        this.offloads = offloads;
        this.steered = steered;
        this.synackAddresses = HostAddresses.parse(options.hostAddresses());
        this.queues = new TunQueue[fds.length];
        for (int i = 0; i < fds.length; i++) queues[i] = new TunQueue(this, i, fds[i], arena, options.device());
        this.inboundPath = p -> deliverInbound(p, false);
    }

    /**
     * Creates the TUN device, configures the kernel's side ({@code ip addr add}, {@code ip link set
     * mtu M up}) and starts reading. The device belongs to the network namespace of the calling
     * thread.
     *
     * @throws IOException with a message naming what is missing: /dev/net/tun, root or
     *     CAP_NET_ADMIN, the {@code ip} tool, or a free interface name
     */
    public static TunLink open(Options options) throws IOException {
        return open(options, CLONE_DEVICE);
    }

    /**
     * {@link #open(Options)} with {@code queueCount} queues (IFF_MULTI_QUEUE when more than one): one
     * reader thread each, and a host made with {@link #addShardedHost} gets one shard per queue.
     */
    public static TunLink open(Options options, int queueCount) throws IOException {
        return open(options, CLONE_DEVICE, queueCount);
    }

    /** {@link #open(Options)} through another clone device path (tests of the error paths). */
    static TunLink open(Options options, Path cloneDevice) throws IOException {
        return open(options, cloneDevice, 1);
    }

    private static TunLink open(Options options, Path cloneDevice, int queueCount) throws IOException {
        if (queueCount < 1 || queueCount > MAX_QUEUES) {
            throw new IllegalArgumentException("a TUN device has 1 to " + MAX_QUEUES + " queues, not " + queueCount);
        }
        if (!Files.exists(cloneDevice)) {
            throw new IOException("no " + cloneDevice + ": the TUN driver is missing (load it with 'modprobe tun', "
                    + "or in a container pass --device /dev/net/tun)");
        }
        int[] fds = new int[queueCount];
        int opened = 0;
        try {
            for (; opened < queueCount; opened++) fds[opened] = TunDevice.openQueue(options, cloneDevice, queueCount > 1);
            TunDevice.addKernelAddress(options);
            if (options.other() != null) TunDevice.addKernelAddress(options.other());
            TunDevice.ip(options, "link", "set", "dev", options.device(), "mtu", Integer.toString(options.mtu()), "up");
        } catch (IOException | RuntimeException e) {
            for (int i = 0; i < opened; i++) {
                try {
                    Libc.close(fds[i]);
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
        int offloads = TunDevice.offerOffloads(fds[0]);
        for (int i = 1; i < queueCount; i++) TunDevice.offerOffloads(fds[i]);
        boolean steered = false;
        if (queueCount > 1) {
            try {
                TunSteering.attach(fds[0], queueCount);
                steered = true;
            } catch (IOException | RuntimeException refused) {
                // The tun driver's own steering: a flow's packets reach its shard's queue once it has written.
            }
        }
        TunLink link = new TunLink(options, fds, offloads, steered);
        for (TunQueue q : link.queues) q.reader.start();
        return link;
    }

    /** The offloads the kernel took: TUN_F_CSUM, TUN_F_TSO4, TUN_F_TSO6, TUN_F_USO4, TUN_F_USO6 bits (0 when it took none). */
    public int offloads() { return offloads; }

    /** Packets the kernel handed over larger than the MTU: TCP super-segments (taken whole) and UDP super-datagrams (cut here). */
    public long superSegmentsIn() { return superSegmentsIn.get(); }

    /** Super-segments written to the kernel: segments of one burst joined (see {@link SegmentCoalescer}). */
    public long superSegmentsOut() {
        long n = 0;
        for (TunQueue q : queues) {
            synchronized (q.writeBuffer) {
                n += q.coalescer.superSegments();
            }
        }
        return n;
    }

    /**
     * Whether the kernel steers each packet to the queue of its flow's shard ({@link TunSteering}:
     * a device of several queues, where the kernel takes the eBPF program).
     */
    public boolean steered() { return steered; }

    /** TCP packets read on a queue other than their flow's shard's (and handed to that shard). */
    public long packetsOffQueue() { return packetsOffQueue.get(); }

    /** How many queues the device was opened with. */
    public int queueCount() { return queues.length; }

    public Options options() { return options; }
    public int mtu() { return options.mtu(); }
    /** Packets read from the device. */
    public long packetsIn() { return packetsIn.get(); }
    /** Packets written to the device. */
    public long packetsOut() { return packetsOut.get(); }
    /** Packets dropped by this link: arrived before a stack was attached, or a failed write. */
    public long packetsDropped() { return packetsDropped.get(); }
    /**
     * Packets read from the device of an IP version synack's host here has no address of (the kernel
     * sends IPv6 router and multicast listener solicitations on a new device, which an IPv4-only host
     * does not want): counted and dropped here. A host with an IPv6 address gets them, and its stack
     * counts and drops the neighbour discovery it does not need.
     */
    public long packetsNotIpv4() { return packetsNotIpv4.get(); }

    /**
     * Creates synack's stack on this device: its address must be the one the device was opened for,
     * and its MSS is the device's MTU minus 40, so it never advertises segments the link cannot carry.
     * The stack's real-time loop is started.
     */
    @Override
    public NetStack addHost(String name, String ipv4, TcpConfig config) {
        return addHost(name, ipv4, config, null);
    }

    /**
     * {@link #addHost(String, String, TcpConfig)}, with the stack's outbound path wrapped by
     * {@code outbound} (e.g. a fault injector): it receives the link's own writer and returns the
     * transmitter the stack sends through.
     */
    public synchronized NetStack addHost(String name, String address, TcpConfig config,
                                         java.util.function.UnaryOperator<PacketTransmitter> outbound) {
        if (queues.length != 1) {
            throw new IllegalStateException("TUN device " + options.device() + " has " + queues.length
                    + " queues: its host is made with addShardedHost, a shard per queue");
        }
        NetStack s = newStack(name, address, config);
        if (outbound != null) outboundPath = Objects.requireNonNull(outbound.apply(writer), "outbound wrapper");
        stacks = new NetStack[] {s};
        s.start();
        return s;
    }

    /**
     * The host on a device with several queues: one shard per queue ({@link StackShards}), each with
     * its own lock and event loop, shard i writing to queue i. A packet read on any queue goes to
     * the shard of its flow ({@link FlowShard}; other than TCP, to shard 0).
     */
    public synchronized StackShards addShardedHost(String name, String address, TcpConfig config) {
        List<NetStack> shards = new ArrayList<>();
        for (int i = 0; i < queues.length; i++) shards.add(newStack(queues.length == 1 ? name : name + "#" + i, address, config));
        StackShards host = new StackShards(shards);
        stacks = shards.toArray(new NetStack[0]);
        for (NetStack s : shards) s.start();
        return host;
    }

    /** A stack at {@code address} (the device's own) for this device: MSS from its MTU, attached, not started. */
    private NetStack newStack(String name, String address, TcpConfig config) {
        if (stacks != null) {
            throw new IllegalStateException("TUN device " + options.device() + " already has a host: " + stacks[0].name());
        }
        HostAddresses addr = HostAddresses.parse(address);
        if (!addr.equals(synackAddresses)) {
            throw new IllegalArgumentException("the TUN device " + options.device() + " was opened for " + synackAddresses
                    + ", not " + address);
        }
        // An IPv4 MSS, as TcpConfig's: an IPv6 connection takes 20 bytes less (MTU - 60).
        TcpConfig onThisLink = config.toBuilder().mss(options.mtu() - IP_TCP_HEADERS).build();
        NetStack s = new NetStack(name, addr.stackAddress(), onThisLink, Clock.system(),
                Rfc6528IsnGenerator.withRandomKey(), System.nanoTime());
        addr.applyTo(s);
        s.attach(this, null);
        Options ipv4 = options.isIpv6() ? options.other() : options;
        if (ipv4 != null) s.prefixLength(ipv4.prefixLength()); // its subnet's broadcast address is a martian source
        return s;
    }

    /** The host on this device, once {@link #addHost} made it (with shards: shard 0). */
    public NetStack host() {
        NetStack[] s = stacks;
        return s == null ? null : s[0];
    }

    /**
     * Wraps the inbound path: every packet read from the device goes to {@code filter}'s result,
     * which receives the link's own delivery (to the stack). For fault injection.
     */
    public void inboundFilter(java.util.function.UnaryOperator<java.util.function.Consumer<ByteBuffer>> filter) {
        filtered = true;
        inboundPath = Objects.requireNonNull(filter.apply(p -> deliverInbound(p, false)));
    }

    @Override
    public void transmit(NetStack from, ByteBuffer packet) {
        outboundPath.transmit(from, packet);
    }

    /**
     * True unless a wrapper sits in front of the device's writer: a stack sending straight to the
     * device leaves its TCP checksums to it, which leaves them to the kernel (NEEDS_CSUM, see
     * {@link SegmentCoalescer}), as a card with checksum offload does.
     */
    @Override
    public boolean offloadsTcpChecksums() {
        return outboundPath == writer;
    }

    /** The queue {@code from} writes to: its shard's. */
    private TunQueue queueOf(NetStack from) {
        return queues.length == 1 || from == null ? queues[0] : queues[from.shardIndex() % queues.length];
    }

    /**
     * Takes one packet for the device (the end of the outbound path): joined to the super-segment
     * being built on the sender's queue, or written after it. What is held is written when the
     * stack's lock is released ({@link #lockReleased}), or before a call waits ({@link #hasDeferred}),
     * so nothing waits longer than the burst that sent it.
     */
    private void writePacket(NetStack from, ByteBuffer packet) {
        int n = packet.remaining();
        if (n > options.mtu()) {
            packetsDropped.incrementAndGet();
            traceDrop(from, packet, "larger than the MTU " + options.mtu());
            return;
        }
        TunQueue q = queueOf(from);
        synchronized (q.writeBuffer) {
            if (!open) {
                packetsDropped.incrementAndGet();
                return;
            }
            // Left undone only by a stack that asked this link (not a wrapper, which may have damaged the bytes on purpose).
            q.coalescer.add(packet, from != null && from.isAttachedTo(this) && offloadsTcpChecksums());
        }
    }

    /** {@code q} wrote a frame of {@code length} bytes (a header and a packet): {@code written} is write(2)'s result. */
    void frameWritten(TunQueue q, long written, int length) {
        if (written == length) {
            packetsOut.incrementAndGet();
        } else {
            packetsDropped.incrementAndGet();
            traceDrop(stackOf(q), q.writeBuffer.asSlice(VirtioNetHeader.SIZE, length - VirtioNetHeader.SIZE).asByteBuffer(),
                    written < 0 ? "TUN write failed: " + Libc.describe((int) -written) : "TUN write was short");
        }
    }

    private NetStack stackOf(TunQueue q) {
        NetStack[] s = stacks;
        return s == null ? null : s[q.index % s.length];
    }

    @Override
    public void lockReleased(NetStack from) {
        TunQueue q = queueOf(from);
        synchronized (q.writeBuffer) {
            if (open) q.coalescer.flush();
        }
    }

    @Override
    public boolean hasDeferred(NetStack from) {
        TunQueue q = queueOf(from);
        synchronized (q.writeBuffer) {
            return q.coalescer.holdsPacket();
        }
    }

    private static void traceDrop(NetStack from, ByteBuffer packet, String reason) {
        if (from == null) return;
        ByteBuffer copy = ByteBuffer.allocate(packet.remaining());
        copy.put(packet.duplicate()).flip();
        from.traceDrop(copy, reason);
    }

    /**
     * To the packet's host, or its flow's shard: processed on this thread when the stack's lock is
     * free (no handoff to the loop's thread and back: about a quarter less CPU per short connection
     * from kernel clients, see docs/performance.md), else queued on its event loop.
     * {@code checksumTrusted}: the kernel answers for its TCP or UDP checksum.
     */
    private void deliverInbound(ByteBuffer packet, boolean checksumTrusted) {
        NetStack[] s = stacks;
        if (s == null) {
            packetsDropped.incrementAndGet();
            return;
        }
        NetStack to = s[s.length == 1 ? 0 : FlowShard.of(packet, s.length)];
        if (!to.processIfFree(packet, checksumTrusted)) to.enqueue(packet, checksumTrusted);
    }

    /** Passes on the packets staged in {@code q}'s batch ({@link InboundBatch#deliver}). */
    void deliverBatch(TunQueue q) {
        int lost = q.batch.deliver(stacks, q.index, packetsOffQueue);
        if (lost > 0) packetsDropped.addAndGet(lost);
    }

    boolean isOpen() { return open; }

    /** A queue's reader caught {@code e} passing a packet on: the packet is lost, the reader goes on. */
    void readerCaught(TunQueue q, Throwable e) {
        packetsDropped.incrementAndGet();
        LinkThreads.failed(stackOf(q), q.readerName, e);
    }

    void readerFailed(IOException e) {
        readerFailure = e;
    }

    /**
     * One frame read from queue {@code q} ({@code read} bytes at {@code buffer}: a virtio-net header,
     * then an IP packet): checked, and passed on in the queue's reusable buffer when the kernel
     * answers for its checksum, else completed and passed on as a packet of its own.
     */
    void frameRead(TunQueue q, MemorySegment buffer, int read) {
        packetsIn.incrementAndGet();
        MemorySegment header = buffer.asSlice(0, VirtioNetHeader.SIZE);
        MemorySegment ip = buffer.asSlice(VirtioNetHeader.SIZE);
        int n = read - VirtioNetHeader.SIZE;
        int gso = VirtioNetHeader.gsoType(header);
        if (gso != VirtioNetHeader.GSO_NONE && gso != VirtioNetHeader.GSO_TCPV4 && gso != VirtioNetHeader.GSO_TCPV6
                && gso != VirtioNetHeader.GSO_UDP_L4) {
            packetsDropped.incrementAndGet(); // other segmentation: never offered to the kernel
            return;
        }
        int version = (ip.get(ValueLayout.JAVA_BYTE, 0) & 0xf0) >>> 4;
        if (version == 4 ? synackAddresses.ipv4() == 0 : version != 6 || synackAddresses.ipv6() == null) {
            packetsNotIpv4.incrementAndGet();
            return;
        }
        if (gso != VirtioNetHeader.GSO_NONE) superSegmentsIn.incrementAndGet();
        // The kernel's own checksums are neither computed nor verified (a checksum pass over every
        // byte of a 64 KiB super-segment otherwise), unless a filter may alter the packet on its way
        // or a packet tap would show the partial checksum.
        boolean trusted = !filtered && VirtioNetHeader.vouchesForTransportChecksum(header, ip, n) && !anyPacketTaps();
        if (gso == VirtioNetHeader.GSO_UDP_L4) {
            boolean direct = !filtered;
            deliverBatch(q);
            int datagrams = UdpSuperDatagram.cut(ip, n, VirtioNetHeader.gsoSize(header), trusted,
                    d -> { if (direct) deliverInbound(d, trusted); else inboundPath.accept(d); });
            if (datagrams < 0) packetsDropped.incrementAndGet();
            return;
        }
        if (trusted) {
            if (!q.batch.fits(n)) deliverBatch(q);
            q.batch.add(ip, n);
            return;
        }
        deliverBatch(q);
        if (!VirtioNetHeader.completeChecksum(header, ip, n)) {
            packetsDropped.incrementAndGet();
            return;
        }
        inboundPath.accept(TunQueue.copy(ip, n));
    }

    private boolean anyPacketTaps() {
        NetStack[] s = stacks;
        if (s != null) for (NetStack stack : s) if (stack.hasPacketTaps()) return true;
        return false;
    }

    /** The error that stopped a reader thread, if one did (null while they run or after a clean close). */
    public IOException readerFailure() { return readerFailure; }

    /** Stops the readers and the host's loops and closes the device (the interface disappears). */
    @Override
    public void close() throws IOException {
        synchronized (this) {
            if (!open) return;
            for (TunQueue q : queues) {
                synchronized (q.writeBuffer) {
                    q.coalescer.flush();
                }
            }
            open = false;
        }
        for (TunQueue q : queues) {
            try {
                q.reader.join(TunQueue.POLL_MILLIS * 20L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        NetStack[] s = stacks;
        if (s != null) for (NetStack stack : s) stack.close();
        IOException failure = null;
        for (TunQueue q : queues) {
            try {
                Libc.close(q.fd);
            } catch (IOException e) {
                if (failure == null) failure = e;
                else failure.addSuppressed(e);
            }
        }
        arena.close();
        if (failure != null) throw failure;
    }

    @Override
    public String toString() {
        Options other = options.other();
        return "TunLink[" + options.device() + " synack " + options.address() + "/" + options.prefixLength()
                + (other == null ? "" : " and " + other.address() + "/" + other.prefixLength())
                + ", kernel " + options.kernelAddress() + (other == null ? "" : " and " + other.kernelAddress())
                + ", mtu " + options.mtu() + "]";
    }
}
