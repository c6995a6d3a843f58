package dev.synack.link;

import dev.synack.stack.Clock;
import dev.synack.stack.NetStack;
import dev.synack.stack.PacketTransmitter;
import dev.synack.tcp.Rfc6528IsnGenerator;
import dev.synack.tcp.TcpConfig;
import dev.synack.wire.IpAddress;
import dev.synack.wire.Ipv4Address;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
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
 * device to complete ({@link #offloads()}); synack takes a large segment as one. Where the kernel
 * refuses them, the device runs without (still with the header).
 *
 * <p>Addresses: {@code --address 10.7.0.2/24} names synack's address; the kernel's side of the device
 * gets the subnet's first host address (10.7.0.1), or its second when synack took the first. The
 * kernel routes the subnet through the device, so {@code ping 10.7.0.2} and {@code nc 10.7.0.2 7}
 * reach synack.
 *
 * <p>Threads: a platform reader thread polls the device and queues each packet on the stack's
 * real-time event loop ({@link NetStack#enqueue}); packets the stack sends are written to the device
 * on the stack's thread (a TUN write does not block). {@link #close()} stops the reader, the stack's
 * loop and closes the device, which removes the interface. An error while a packet is passed on
 * loses that packet, never the reader (a fatal one goes to the stack's
 * {@link dev.synack.stack.FatalErrorHandler}); only a failing device stops it ({@link #readerFailure()}).
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
    private static final long TUNSETIFF = 0x400454caL;
    private static final short IFF_TUN = 0x0001;
    private static final short IFF_NO_PI = 0x1000;
    private static final short IFF_VNET_HDR = 0x4000;
    /** _IOW('T', 208, unsigned int): the offloads the device takes from the kernel. */
    private static final long TUNSETOFFLOAD = 0x400454d0L;
    /** TUNSETOFFLOAD's flags (linux/if_tun.h): checksums, TCP segmentation over IPv4 and IPv6. */
    static final int TUN_F_CSUM = 0x01;
    static final int TUN_F_TSO4 = 0x02;
    static final int TUN_F_TSO6 = 0x04;
    /** struct ifreq: 16 bytes of name, then a 24-byte union whose first member is short ifr_flags. */
    private static final int IFREQ_SIZE = 40;
    private static final int IFREQ_FLAGS_OFFSET = 16;
    /** How long the reader waits in poll(2) before checking whether it should stop. */
    private static final int POLL_MILLIS = 100;
    private static final int MAX_PACKET = 65_535;
    /** A read or write: the virtio-net header, then an IP packet of up to 64 KiB. */
    private static final int MAX_FRAME = VirtioNetHeader.SIZE + MAX_PACKET;

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
    private final int fd;
    private final HostAddresses synackAddresses;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment writeBuffer;
    private final MemorySegment writeState;
    /** Joins the stack's segments into super-segments in {@link #writeBuffer} (guarded by it). */
    private final SegmentCoalescer coalescer;
    private final AtomicLong packetsIn = new AtomicLong();
    private final AtomicLong packetsOut = new AtomicLong();
    private final AtomicLong packetsDropped = new AtomicLong();
    private final AtomicLong packetsNotIpv4 = new AtomicLong();
    private final AtomicLong superSegmentsIn = new AtomicLong();
    /** The TUNSETOFFLOAD flags the kernel took (0: none). */
    private final int offloads;
    private volatile NetStack stack;
    private volatile PacketTransmitter outboundPath = this::writePacket;
    private volatile java.util.function.Consumer<ByteBuffer> inboundPath;
    private volatile boolean open = true;
    private volatile IOException readerFailure;
    private final Thread reader;
    /** Built up front: reporting a failure that came from running out of memory must not need memory. */
    private final String readerName;

    private TunLink(Options options, int fd, int offloads) {
        this.options = options;
        this.fd = fd;
        this.offloads = offloads;
        this.synackAddresses = HostAddresses.parse(options.hostAddresses());
        this.writeBuffer = arena.allocate(MAX_FRAME);
        this.writeState = Libc.allocateCallState(arena);
        this.coalescer = new SegmentCoalescer(writeBuffer.asByteBuffer(), this::writeFrame);
        this.inboundPath = this::deliverInbound;
        this.reader = Thread.ofPlatform().daemon().name("synack-tun-" + options.device()).unstarted(this::readLoop);
        this.readerName = "TUN reader of " + options.device();
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

    /** {@link #open(Options)} through another clone device path (tests of the error paths). */
    static TunLink open(Options options, Path cloneDevice) throws IOException {
        if (!Files.exists(cloneDevice)) {
            throw new IOException("no " + cloneDevice + ": the TUN driver is missing (load it with 'modprobe tun', "
                    + "or in a container pass --device /dev/net/tun)");
        }
        int fd;
        try {
            fd = Libc.open(cloneDevice.toString(), Libc.O_RDWR | Libc.O_CLOEXEC);
        } catch (Libc.ErrnoException e) {
            throw new IOException("cannot open " + cloneDevice + ": " + e.getMessage()
                    + (e.errno() == 13 || e.errno() == 1 ? "; run as root or with CAP_NET_ADMIN (sudo)" : ""), e);
        }
        try {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment ifreq = a.allocate(IFREQ_SIZE);
                byte[] name = options.device().getBytes(StandardCharsets.US_ASCII);
                MemorySegment.copy(name, 0, ifreq, ValueLayout.JAVA_BYTE, 0, name.length);
                ifreq.set(ValueLayout.JAVA_SHORT, IFREQ_FLAGS_OFFSET, (short) (IFF_TUN | IFF_NO_PI | IFF_VNET_HDR));
                try {
                    Libc.ioctl(fd, TUNSETIFF, ifreq, "TUNSETIFF " + options.device(), null);
                } catch (Libc.ErrnoException e) {
                    String why = switch (e.errno()) {
                        case 1 -> "creating a TUN device needs CAP_NET_ADMIN: run as root (sudo)";
                        case 25 -> cloneDevice + " is not the TUN clone device";
                        case 16 -> "an interface named " + options.device() + " exists and is busy: choose another name";
                        default -> null;
                    };
                    throw new IOException(e.getMessage() + (why == null ? "" : "; " + why), e);
                }
            }
            addKernelAddress(options);
            if (options.other() != null) addKernelAddress(options.other());
            ip(options, "link", "set", "dev", options.device(), "mtu", Integer.toString(options.mtu()), "up");
        } catch (IOException | RuntimeException e) {
            try {
                Libc.close(fd);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        TunLink link = new TunLink(options, fd, offerOffloads(fd));
        link.reader.start();
        return link;
    }

    /** Gives the kernel's side of the device its address in the subnet of {@code options}. */
    private static void addKernelAddress(Options options) throws IOException {
        String kernelSide = options.kernelAddress() + "/" + options.prefixLength();
        if (options.isIpv6()) {
            // No duplicate address detection: the kernel would hold the address back ("tentative")
            // for a second, and nothing else can be on a point-to-point device.
            ip(options, "-6", "addr", "add", kernelSide, "dev", options.device(), "nodad");
        } else {
            requireSubnetUnrouted(options);
            ip(options, "addr", "add", kernelSide, "dev", options.device());
        }
    }

    /**
     * Offers the kernel checksum and segmentation offload, then checksum offload alone, then
     * nothing, and returns the flags it took: a kernel may refuse some (TSO6 on an old one).
     */
    private static int offerOffloads(int fd) {
        for (int flags : new int[] {TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6, TUN_F_CSUM | TUN_F_TSO4, TUN_F_CSUM}) {
            try {
                Libc.ioctlValue(fd, TUNSETOFFLOAD, flags, "TUNSETOFFLOAD");
                return flags;
            } catch (IOException refused) {
                // Try fewer.
            }
        }
        return 0;
    }

    /** The offloads the kernel took: TUN_F_CSUM, TUN_F_TSO4, TUN_F_TSO6 bits (0 when it took none). */
    public int offloads() { return offloads; }

    /** Packets the kernel handed over as TCP super-segments (larger than the MTU, cut by nobody). */
    public long superSegmentsIn() { return superSegmentsIn.get(); }

    /** Super-segments written to the kernel: segments of one burst joined (see {@link SegmentCoalescer}). */
    public long superSegmentsOut() {
        synchronized (writeBuffer) {
            return coalescer.superSegments();
        }
    }

    /**
     * Fails when the kernel already routes the subnet, or part of it, through another device (a second
     * synack on the same subnet, a VPN): the kernel would keep using the older route, and this device
     * would silently never see a packet. A broader route (10.0.0.0/8 for a /24) is no conflict: the
     * device's own, more specific one wins.
     */
    private static void requireSubnetUnrouted(Options options) throws IOException {
        int mask = -1 << (32 - options.prefixLength());
        int subnet = Ipv4Address.parse(options.address()) & mask;
        String subnetText = Ipv4Address.format(subnet) + "/" + options.prefixLength();
        for (String route : ip(options, "-4", "route", "show", "table", "main").lines().toList()) {
            String taken = routeOverlapping(route, subnet, options.prefixLength());
            if (taken != null) {
                throw new IOException("the kernel already routes " + taken + ", which overlaps " + subnetText + " ('" + route.strip()
                        + "'): another TUN device (a second synack?) or a VPN uses it; give " + options.device()
                        + " another subnet");
            }
        }
    }

    /**
     * The destination of {@code route} (a line of {@code ip route show}) when it lies inside
     * {@code subnet/prefix} (at least as specific, so it would take packets meant for it), else null.
     */
    static String routeOverlapping(String route, int subnet, int prefix) {
        String[] words = route.strip().split("\\s+");
        // A route type may come first: "unreachable 10.7.0.0/24", "blackhole ...".
        String destination = words.length > 1 && !words[0].isEmpty() && Character.isLetter(words[0].charAt(0))
                && !words[0].equals("default") ? words[1] : words[0];
        if (destination.equals("default") || destination.isEmpty()) return null;
        int slash = destination.indexOf('/');
        int length;
        int address;
        try {
            length = slash < 0 ? 32 : Integer.parseInt(destination.substring(slash + 1));
            address = Ipv4Address.parse(slash < 0 ? destination : destination.substring(0, slash));
        } catch (IllegalArgumentException e) {
            return null;
        }
        int mask = -1 << (32 - prefix);
        return length >= prefix && (address & mask) == subnet ? destination : null;
    }

    /** Runs {@code ip [-n NS] ARGS...}, failing with its output when it fails; returns its output. */
    private static String ip(Options options, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add("ip");
        if (options.namespace() != null) {
            command.add("-n");
            command.add(options.namespace());
        }
        command.addAll(List.of(args));
        return runTool(command);
    }

    /** Runs a system tool, failing with its output when it exits non-zero. */
    static String runTool(List<String> command) throws IOException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("cannot run '" + String.join(" ", command) + "' (is iproute2's 'ip' installed?): " + e.getMessage(), e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("'" + String.join(" ", command) + "' did not finish in 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted while running '" + String.join(" ", command) + "'");
        }
        if (p.exitValue() != 0) {
            throw new IOException("'" + String.join(" ", command) + "' failed (exit " + p.exitValue() + "): " + out);
        }
        return out;
    }

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
        if (stack != null) throw new IllegalStateException("TUN device " + options.device() + " already has a host: " + stack.name());
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
        PacketTransmitter writer = this;
        if (outbound != null) outboundPath = Objects.requireNonNull(outbound.apply(this::writePacket), "outbound wrapper");
        s.attach(writer, null);
        Options ipv4 = options.isIpv6() ? options.other() : options;
        if (ipv4 != null) s.prefixLength(ipv4.prefixLength()); // its subnet's broadcast address is a martian source
        stack = s;
        s.start();
        return s;
    }

    /** The host on this device, once {@link #addHost} made it. */
    public NetStack host() { return stack; }

    /**
     * Wraps the inbound path: every packet read from the device goes to {@code filter}'s result,
     * which receives the link's own delivery (to the stack's event loop). For fault injection.
     */
    public void inboundFilter(java.util.function.UnaryOperator<java.util.function.Consumer<ByteBuffer>> filter) {
        inboundPath = Objects.requireNonNull(filter.apply(this::deliverInbound));
    }

    @Override
    public void transmit(NetStack from, ByteBuffer packet) {
        outboundPath.transmit(from, packet);
    }

    /**
     * Takes one packet for the device (the end of the outbound path): joined to the super-segment
     * being built, or written after it. What is held is written when the stack's lock is released
     * ({@link #lockReleased}), or before a call waits ({@link #hasDeferred}), so nothing waits longer
     * than the burst that sent it.
     */
    private void writePacket(NetStack from, ByteBuffer packet) {
        int n = packet.remaining();
        if (n > options.mtu()) {
            packetsDropped.incrementAndGet();
            traceDrop(from, packet, "larger than the MTU " + options.mtu());
            return;
        }
        synchronized (writeBuffer) {
            if (!open) {
                packetsDropped.incrementAndGet();
                return;
            }
            coalescer.add(packet);
        }
    }

    /** Writes the first {@code length} bytes of the write buffer (a header and a packet) to the device; holds its lock. */
    private void writeFrame(int length) {
        long written = Libc.write(writeState, fd, writeBuffer, length);
        if (written == length) {
            packetsOut.incrementAndGet();
        } else {
            packetsDropped.incrementAndGet();
            traceDrop(stack, writeBuffer.asSlice(VirtioNetHeader.SIZE, length - VirtioNetHeader.SIZE).asByteBuffer(),
                    written < 0 ? "TUN write failed: " + Libc.describe((int) -written) : "TUN write was short");
        }
    }

    @Override
    public void lockReleased(NetStack from) {
        synchronized (writeBuffer) {
            if (open) coalescer.flush();
        }
    }

    @Override
    public boolean hasDeferred(NetStack from) {
        synchronized (writeBuffer) {
            return coalescer.holdsPacket();
        }
    }

    private static void traceDrop(NetStack from, ByteBuffer packet, String reason) {
        if (from == null) return;
        ByteBuffer copy = ByteBuffer.allocate(packet.remaining());
        copy.put(packet.duplicate()).flip();
        from.traceDrop(copy, reason);
    }

    private void deliverInbound(ByteBuffer packet) {
        LinkThreads.enqueue(stack, packet, packetsDropped);
    }

    private void readLoop() {
        try (Arena local = Arena.ofConfined()) {
            MemorySegment buffer = local.allocate(MAX_FRAME);
            MemorySegment state = Libc.allocateCallState(local);
            MemorySegment pollfd = Libc.allocatePollFd(local);
            while (open) {
                try {
                    if (!readOne(buffer, state, pollfd)) break;
                } catch (IOException e) {
                    throw e;
                } catch (Throwable e) {
                    // A packet the path after the device could not take (a filter's bug, or memory
                    // ran out): the packet is lost, the reader is not. Fatal errors go to the stack's handler.
                    packetsDropped.incrementAndGet();
                    LinkThreads.failed(stack, readerName, e);
                }
            }
        } catch (IOException e) {
            readerFailure = e;
        } catch (RuntimeException e) {
            readerFailure = new IOException("TUN reader failed", e);
        }
    }

    /** Waits for one packet (at most {@link #POLL_MILLIS}) and passes it on; false when the device is closing. */
    private boolean readOne(MemorySegment buffer, MemorySegment state, MemorySegment pollfd) throws IOException {
        if (!Libc.pollReadable(state, pollfd, fd, POLL_MILLIS)) return true;
        if (!open) return false;
        long read = Libc.read(state, fd, buffer, MAX_FRAME);
        if (read < 0) {
            int errno = (int) -read;
            if (errno == Libc.EINTR || errno == Libc.EAGAIN) return true;
            if (open) throw new Libc.ErrnoException("read(" + CLONE_DEVICE + ")", errno, null);
            return false;
        }
        if (read <= VirtioNetHeader.SIZE) return true;
        packetsIn.incrementAndGet();
        MemorySegment header = buffer.asSlice(0, VirtioNetHeader.SIZE);
        MemorySegment ip = buffer.asSlice(VirtioNetHeader.SIZE);
        int n = (int) read - VirtioNetHeader.SIZE;
        int gso = VirtioNetHeader.gsoType(header);
        if (gso != VirtioNetHeader.GSO_NONE && gso != VirtioNetHeader.GSO_TCPV4 && gso != VirtioNetHeader.GSO_TCPV6) {
            packetsDropped.incrementAndGet(); // UDP or other segmentation: never offered to the kernel
            return true;
        }
        int version = (ip.get(ValueLayout.JAVA_BYTE, 0) & 0xf0) >>> 4;
        if (version == 4 ? synackAddresses.ipv4() == 0 : version != 6 || synackAddresses.ipv6() == null) {
            packetsNotIpv4.incrementAndGet();
            return true;
        }
        if (!VirtioNetHeader.completeChecksum(header, ip, n)) {
            packetsDropped.incrementAndGet();
            return true;
        }
        if (gso != VirtioNetHeader.GSO_NONE) superSegmentsIn.incrementAndGet();
        ByteBuffer packet = ByteBuffer.allocate(n);
        MemorySegment.copy(ip, ValueLayout.JAVA_BYTE, 0, packet.array(), 0, n);
        inboundPath.accept(packet);
        return true;
    }

    /** The error that stopped the reader thread, if one did (null while it runs or after a clean close). */
    public IOException readerFailure() { return readerFailure; }

    /** Stops the reader and the stack's loop and closes the device (the interface disappears). */
    @Override
    public void close() throws IOException {
        synchronized (this) {
            if (!open) return;
            synchronized (writeBuffer) {
                coalescer.flush();
                open = false;
            }
        }
        try {
            reader.join(POLL_MILLIS * 20L);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        NetStack s = stack;
        if (s != null) s.close();
        Libc.close(fd);
        arena.close();
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
