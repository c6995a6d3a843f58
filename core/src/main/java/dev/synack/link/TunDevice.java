package dev.synack.link;

import dev.synack.link.TunLink.Options;
import dev.synack.wire.Ipv4Address;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Setting a TUN device up for {@link TunLink}: opening its queues (TUNSETIFF), offering offloads
 * (TUNSETOFFLOAD), and the kernel's side of it through the {@code ip} tool (its address, a check
 * that the subnet is not routed elsewhere already).
 */
final class TunDevice {
    private TunDevice() {}

    static final long TUNSETIFF = 0x400454caL;
    static final short IFF_TUN = 0x0001;
    static final short IFF_NO_PI = 0x1000;
    static final short IFF_VNET_HDR = 0x4000;
    static final short IFF_MULTI_QUEUE = 0x0100;
    /** _IOW('T', 208, unsigned int): the offloads the device takes from the kernel. */
    static final long TUNSETOFFLOAD = 0x400454d0L;
    /** struct ifreq: 16 bytes of name, then a 24-byte union whose first member is short ifr_flags. */
    static final int IFREQ_SIZE = 40;
    static final int IFREQ_FLAGS_OFFSET = 16;

    /** Opens one queue of the device (non-blocking: the reader reads until it is empty); its descriptor. */
    static int openQueue(Options options, Path cloneDevice, boolean multiQueue) throws IOException {
        int fd;
        try {
            fd = Libc.open(cloneDevice.toString(), Libc.O_RDWR | Libc.O_CLOEXEC | Libc.O_NONBLOCK);
        } catch (Libc.ErrnoException e) {
            throw new IOException("cannot open " + cloneDevice + ": " + e.getMessage()
                    + (e.errno() == 13 || e.errno() == 1 ? "; run as root or with CAP_NET_ADMIN (sudo)" : ""), e);
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment ifreq = a.allocate(IFREQ_SIZE);
            byte[] name = options.device().getBytes(StandardCharsets.US_ASCII);
            MemorySegment.copy(name, 0, ifreq, ValueLayout.JAVA_BYTE, 0, name.length);
            short flags = (short) (IFF_TUN | IFF_NO_PI | IFF_VNET_HDR | (multiQueue ? IFF_MULTI_QUEUE : 0));
            ifreq.set(ValueLayout.JAVA_SHORT, IFREQ_FLAGS_OFFSET, flags);
            try {
                Libc.ioctl(fd, TUNSETIFF, ifreq, "TUNSETIFF " + options.device(), null);
            } catch (Libc.ErrnoException e) {
                String why = switch (e.errno()) {
                    case 1 -> "creating a TUN device needs CAP_NET_ADMIN: run as root (sudo)";
                    case 25 -> cloneDevice + " is not the TUN clone device";
                    case 16 -> "an interface named " + options.device() + " exists and is busy: choose another name";
                    case 22 -> multiQueue ? "this kernel refuses a multi-queue TUN device (IFF_MULTI_QUEUE)" : null;
                    default -> null;
                };
                throw new IOException(e.getMessage() + (why == null ? "" : "; " + why), e);
            }
        } catch (IOException | RuntimeException e) {
            try {
                Libc.close(fd);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return fd;
    }

    /** Gives the kernel's side of the device its address in the subnet of {@code options}. */
    static void addKernelAddress(Options options) throws IOException {
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
    static int offerOffloads(int fd) {
        int tso = TunLink.TUN_F_CSUM | TunLink.TUN_F_TSO4 | TunLink.TUN_F_TSO6;
        // USO (Linux 6.2 on) only with both families' flags; older kernels refuse the unknown bits.
        for (int flags : new int[] {tso | TunLink.TUN_F_USO4 | TunLink.TUN_F_USO6, tso, TunLink.TUN_F_CSUM | TunLink.TUN_F_TSO4,
                TunLink.TUN_F_CSUM}) {
            try {
                Libc.ioctlValue(fd, TUNSETOFFLOAD, flags, "TUNSETOFFLOAD");
                return flags;
            } catch (IOException refused) {
                // Try fewer.
            }
        }
        return 0;
    }

    /**
     * Fails when the kernel already routes the subnet, or part of it, through another device (a second
     * synack on the same subnet, a VPN): the kernel would keep using the older route, and this device
     * would silently never see a packet. A broader route (10.0.0.0/8 for a /24) is no conflict: the
     * device's own, more specific one wins.
     */
    static void requireSubnetUnrouted(Options options) throws IOException {
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
    static String ip(Options options, String... args) throws IOException {
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

}
