package dev.synack.pkt;

import dev.synack.pkt.Script.CodeEvent;
import dev.synack.pkt.Script.Event;
import dev.synack.pkt.Script.Expr;
import dev.synack.pkt.Script.ListExpr;
import dev.synack.pkt.Script.Num;
import dev.synack.pkt.Script.OrExpr;
import dev.synack.pkt.Script.Placement;
import dev.synack.pkt.Script.ShellEvent;
import dev.synack.pkt.Script.StructExpr;
import dev.synack.pkt.Script.Sym;
import dev.synack.pkt.Script.SyscallEvent;
import dev.synack.tcp.TcpConfig;
import dev.synack.tcp.WriteFlags;
import dev.synack.wire.IpAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Why a script cannot run faithfully on synack, found before it runs: options, shell commands,
 * system calls, flags, socket options and code the runner does not have. Such a script is skipped,
 * with the reason.
 */
final class UnsupportedFeatures {
    private UnsupportedFeatures() {}

    /** IPv4 and TCP headers without options: the MSS a given MTU allows is the MTU less these (RFC 9293 §3.7.1). */
    private static final int IPV4_TCP_HEADERS = 40;
    /**
     * packetdrill's options the runner honours. {@code mss} is the size packetdrill cuts inbound
     * packets longer than it into as a GSO aggregate; the kernel receives such an aggregate as one
     * segment, and so does synack (the runner delivers each inbound packet whole). {@code verbose}
     * only changes what packetdrill prints.
     */
    private static final Set<String> KNOWN_OPTIONS = Set.of("ip_version", "tolerance_usecs", "tolerance_percent",
            "tcp_ts_tick_usecs", "tcp_ts_ecr_scaled", "strict_segments", "mtu", "mss", "local_ip", "remote_ip", "bind_port",
            "connect_port", "verbose", "hz", "profile");

    /**
     * Why the script cannot run faithfully, or null; in that case {@code config[0]} receives the
     * configuration its options and shell commands ask for.
     */
    static String unsupported(Script script, Map<String, String> options, TcpConfig[] config) {
        if (script.skipReason() != null) return script.skipReason();
        String why = unsupportedOption(options);
        if (why != null) return why;
        if (options.containsKey("profile") && !options.get("profile").matches("linux|freebsd|rfc")) {
            return "--profile=" + options.get("profile") + " is not linux, freebsd or rfc";
        }
        TcpConfig base = ScriptProfile.base(options.get("profile"));
        if (options.containsKey("mtu")) {
            int mtu;
            try {
                mtu = Integer.parseInt(options.get("mtu"));
            } catch (NumberFormatException e) {
                return "--mtu=" + options.get("mtu") + " is not a number";
            }
            if (mtu < 576 || mtu > 65535) return "--mtu=" + mtu + " is outside what synack's link supports (576..65535)";
            base = base.toBuilder().mss(mtu - IPV4_TCP_HEADERS).build();
        }
        if (options.containsKey("hz")) {
            // synack's own option: the kernel's timer frequency (CONFIG_HZ), whose tick the Linux timers use.
            String hz = options.get("hz");
            if (!hz.matches("100|250|300|1000")) return "--hz=" + hz + " is not one of Linux's timer frequencies (100, 250, 300, 1000)";
            base = base.toBuilder().timerTick(java.time.Duration.ofNanos(1_000_000_000L / Integer.parseInt(hz))).build();
        }
        ShellCommands.Settings settings = new ShellCommands.Settings(base);
        boolean started = false;
        // Sockets (script descriptors) whose SO_SNDBUF the script set: Linux autotunes the others', so
        // reading theirs cannot be answered faithfully.
        Set<Long> sendBufferSet = new java.util.HashSet<>();
        for (Event e : script.events()) {
            if (e instanceof ShellEvent s) {
                // Commands before anything else happened shape the stack's configuration (the init
                // command, and timed ones ahead of the first call or packet); the cleanup command
                // runs after the verdict, so it is only read.
                ShellCommands.Settings target = s.placement() == Placement.CLEANUP ? new ShellCommands.Settings(base) : settings;
                if (started && s.placement() == Placement.TIMED) target.frozen = true;
                String reason = ShellCommands.apply(s.command(), s.placement(), target);
                settings.frozen = false;
                if (reason != null) return "shell command at line " + s.line() + ": " + reason;
                continue;
            }
            started = true;
            if (e instanceof SyscallEvent s) {
                String reason = unsupported(s, "freebsd".equals(options.get("profile")));
                if (reason == null) reason = unsupportedSendBufferRead(s, sendBufferSet);
                if (reason != null) return "line " + s.line() + ": " + reason;
            }
            if (e instanceof CodeEvent c) {
                String reason = TcpInfoCode.unsupported(c);
                if (reason != null) return "line " + c.line() + ": " + reason;
            }
        }
        try {
            config[0] = settings.build();
        } catch (IllegalArgumentException e) {
            return "configuration: " + e.getMessage();
        }
        return null;
    }

    private static String unsupportedOption(Map<String, String> options) {
        for (Map.Entry<String, String> o : options.entrySet()) {
            String name = o.getKey();
            String value = o.getValue();
            if (!KNOWN_OPTIONS.contains(name)) return "option --" + name + " is not supported";
            switch (name) {
                case "ip_version" -> {
                    if (!value.matches("ipv4|ipv6|ipv4-mapped-ipv6")) return "--ip_version=" + value + " is not ipv4, ipv6 or ipv4-mapped-ipv6";
                }
                case "local_ip", "remote_ip" -> {
                    try {
                        IpAddress.parse(value);
                    } catch (IllegalArgumentException e) {
                        return "--" + name + "=" + value + " is not an IP address";
                    }
                }
                default -> { }
            }
        }
        return null;
    }

    private static final java.util.Set<String> SUPPORTED = java.util.Set.of("socket", "bind", "listen", "accept", "accept4",
            "connect", "read", "recv", "recvfrom", "write", "send", "sendto", "close", "shutdown", "setsockopt",
            "getsockopt", "fcntl", "poll", "ioctl", "readv", "writev", "recvmsg", "sendmsg", "epoll_create",
            "epoll_create1", "epoll_ctl", "epoll_wait");

    private static final java.util.Set<String> SETTABLE = java.util.Set.of("SO_REUSEADDR", "SO_REUSEPORT", "SO_KEEPALIVE",
            "SO_LINGER", "TCP_NODELAY", "TCP_CORK", "SO_SNDBUF", "TCP_NOTSENT_LOWAT", "TCP_MAXSEG", "TCP_USER_TIMEOUT", "TCP_INQ",
            "TCP_FASTOPEN", "TCP_FASTOPEN_CONNECT");
    private static final java.util.Set<String> GETTABLE = java.util.Set.of("SO_REUSEADDR", "SO_REUSEPORT", "SO_KEEPALIVE",
            "SO_LINGER", "TCP_NODELAY", "TCP_CORK", "SO_ERROR", "TCP_INFO", "TCP_MAXSEG", "SO_SNDBUF", "TCP_NOTSENT_LOWAT",
            "TCP_USER_TIMEOUT", "TCP_INQ");

    /**
     * Why a call cannot be run faithfully (the script is then skipped), or null: calls, flags,
     * msghdr fields, socket options and tcp_info fields synack does not have.
     */
    private static String unsupported(SyscallEvent e, boolean freebsd) {
        if (!SUPPORTED.contains(e.name())) return "system call " + e.name() + "() is not supported";
        List<Expr> a = e.args();
        Expr flags = switch (e.name()) {
            case "recv", "recvfrom", "send", "sendto" -> a.size() > 3 ? a.get(3) : null;
            case "recvmsg", "sendmsg" -> a.size() > 2 ? a.get(2) : null;
            default -> null;
        };
        if (flags != null) {
            String why = unsupportedFlags(e.name(), flags);
            if (why != null) return why;
        }
        if ((e.name().equals("sendmsg") || e.name().equals("recvmsg")) && a.size() > 1 && a.get(1) instanceof StructExpr msg) {
            for (String field : msg.fields().keySet()) {
                boolean inqControl = field.equals("msg_control") && e.name().equals("recvmsg") && isInqControl(msg.fields().get(field));
                if (!inqControl && !java.util.Set.of("msg_name", "msg_iov", "msg_flags").contains(field)) {
                    return e.name() + "() with " + field + " is not supported";
                }
            }
        }
        if ((e.name().equals("setsockopt") || e.name().equals("getsockopt")) && a.size() == 5 && a.get(2) instanceof Sym opt) {
            // FreeBSD's SO_RCVBUF is the connection's buffer (sb_hiwat), which synack reports.
            boolean freebsdRcvbuf = freebsd && e.name().equals("getsockopt") && opt.name().equals("SO_RCVBUF");
            String why = freebsdRcvbuf ? null : UNSUPPORTED_OPTIONS.get(opt.name());
            if (why != null) return e.name() + "(" + opt.name() + "): " + why;
            java.util.Set<String> known = e.name().equals("setsockopt") ? SETTABLE : GETTABLE;
            if (!known.contains(opt.name()) && !freebsdRcvbuf) return e.name() + "(" + opt.name() + ") is not supported";
            if (opt.name().equals("SO_SNDBUF") && e.name().equals("setsockopt") && a.get(3) instanceof ListExpr l
                    && l.items().size() == 1 && l.items().get(0) instanceof Num n && n.value() < SyscallConstants.MIN_SNDBUF_HALF) {
                return "setsockopt(SO_SNDBUF) below Linux's minimum send buffer, whose size depends on the kernel build";
            }
            if (opt.name().equals("TCP_INFO") && a.get(3) instanceof StructExpr st) {
                for (String field : st.fields().keySet()) {
                    if (!TcpInfoCode.FIELDS.contains(field)) return "tcp_info field " + field + " is not reported by synack";
                }
            }
        }
        return null;
    }

    /**
     * getsockopt(SO_SNDBUF) reads a value Linux autotunes unless SO_SNDBUF was set on that socket
     * (or on the listener it was accepted from): such a read makes the script skipped. {@code set}
     * collects, in script order, the descriptors whose buffer was set.
     */
    private static String unsupportedSendBufferRead(SyscallEvent e, Set<Long> set) {
        List<Expr> a = e.args();
        boolean sndbuf = a.size() == 5 && a.get(2) instanceof Sym opt && opt.name().equals("SO_SNDBUF") && a.get(0) instanceof Num;
        long fd = a.isEmpty() || !(a.get(0) instanceof Num n) ? -1 : n.value();
        if (sndbuf && e.name().equals("setsockopt")) set.add(fd);
        if (sndbuf && e.name().equals("getsockopt") && !set.contains(fd)) {
            return "getsockopt(SO_SNDBUF) of a socket whose send buffer Linux sizes by itself (autotuning)";
        }
        if ((e.name().equals("accept") || e.name().equals("accept4")) && set.contains(fd) && e.result() instanceof Num r) set.add(r.value());
        return null;
    }

    /**
     * Socket options synack cannot honour faithfully, and why. SO_RCVBUF sizes the window Linux
     * advertises; synack sizes its receive buffer per stack (TcpConfig), and keeps the per-socket TCP
     * settings below per stack too.
     */
    private static final Map<String, String> UNSUPPORTED_OPTIONS = Map.ofEntries(
            Map.entry("SO_RCVBUF", "synack sizes buffers per stack, not per socket"),
            Map.entry("TCP_SYNCNT", "synack takes the SYN retry count from the stack's configuration, not per socket"),
            Map.entry("TCP_KEEPIDLE", "synack takes keepalive times from the stack's configuration, not per socket"),
            Map.entry("TCP_KEEPINTVL", "synack takes keepalive times from the stack's configuration, not per socket"),
            Map.entry("TCP_KEEPCNT", "synack takes the keepalive probe count from the stack's configuration, not per socket"),
            Map.entry("TCP_FASTOPEN_KEY", "synack keys Fast Open cookies per stack (net.ipv4.tcp_fastopen_key), not per listener"),
            Map.entry("SO_ZEROCOPY", "zerocopy not supported"),
            Map.entry("SO_TIMESTAMPING", "socket timestamping not supported"),
            Map.entry("TCP_CONGESTION", "synack takes the congestion control from the stack's configuration, not per socket"),
            Map.entry("IP_TOS", "synack's packets carry no TOS"),
            Map.entry("IP_MTU_DISCOVER", "synack always does path MTU discovery (DF set), it has no such option"),
            Map.entry("IP_FREEBIND", "synack binds only its own address"),
            Map.entry("SO_MARK", "synack has no packet marks"));

    /**
     * The send/recv flags synack honours: MSG_DONTWAIT (this call does not block), MSG_NOSIGNAL
     * (no SIGPIPE: the runner raises no signals, EPIPE is returned either way), and on sends MSG_EOR
     * (the data ends a record) and MSG_MORE (this call is corked), as {@link WriteFlags}, and on
     * receives MSG_PEEK (the bytes stay queued), as {@link dev.synack.tcp.ReadFlags}.
     */
    private static String unsupportedFlags(String call, Expr flags) {
        List<Expr> terms = flags instanceof OrExpr o ? o.terms() : List.of(flags);
        for (Expr t : terms) {
            if (t instanceof Num n && n.value() == 0) continue;
            if (t instanceof Sym sym && (sym.name().equals("MSG_DONTWAIT") || sym.name().equals("MSG_NOSIGNAL"))) continue;
            if (t instanceof Sym sym && call.startsWith("send") && (sym.name().equals("MSG_EOR") || sym.name().equals("MSG_MORE"))) continue;
            if (t instanceof Sym sym && call.equals("sendto") && sym.name().equals("MSG_FASTOPEN")) continue;
            if (t instanceof Sym sym && call.startsWith("recv") && sym.name().equals("MSG_PEEK")) continue;
            String name = t.toString();
            String why = switch (name) {
                case "MSG_ZEROCOPY", "MSG_ERRQUEUE" -> "zerocopy not supported";
                case "MSG_FASTOPEN" -> "TCP Fast Open only with sendto()";
                default -> "not supported";
            };
            return call + "() flag " + name + ": " + why;
        }
        return null;
    }

    /** A recvmsg msg_control the runner can check: [] or TCP_CM_INQ messages. */
    private static boolean isInqControl(Expr control) {
        if (!(control instanceof ListExpr l)) return false;
        for (Expr item : l.items()) {
            if (!(item instanceof StructExpr st) || !(st.fields().get("cmsg_level") instanceof Sym level)
                    || !(st.fields().get("cmsg_type") instanceof Sym type) || !st.fields().containsKey("cmsg_data")
                    || !(level.name().equals("SOL_TCP") || level.name().equals("IPPROTO_TCP")) || !type.name().equals("TCP_CM_INQ")) {
                return false;
            }
        }
        return true;
    }
}
