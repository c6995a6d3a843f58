package dev.synack.pkt;

import dev.synack.pkt.Script.CallExpr;
import dev.synack.pkt.Script.Ellipsis;
import dev.synack.pkt.Script.Expr;
import dev.synack.pkt.Script.ListExpr;
import dev.synack.pkt.Script.Num;
import dev.synack.pkt.Script.OrExpr;
import dev.synack.pkt.Script.StructExpr;
import dev.synack.pkt.Script.Sym;
import dev.synack.pkt.Script.SyscallEvent;
import dev.synack.stack.NetStack;
import dev.synack.tcp.Connection;
import dev.synack.tcp.Listener;
import dev.synack.tcp.ShutdownHow;
import dev.synack.tcp.TcpException;
import dev.synack.tcp.TcpState;
import dev.synack.tcp.WriteFlags;
import java.io.IOException;
import java.net.BindException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The system calls a script may make, mapped onto synack's stack and engine with Linux's
 * semantics (non-blocking mode, errno names). Each call is an {@link Attempt}: it returns a
 * {@link Result}, or null while it would block (the runner re-tries it as virtual time passes).
 */
final class SyscallTable {
    static final int O_RDWR = 2;
    static final int O_NONBLOCK = 0x800;
    // Linux's numbers for the levels, options and commands scripts use.
    static final int AF_INET = 2, SOCK_STREAM = 1;
    static final int SOL_SOCKET = 1, SOL_TCP = 6;
    static final int SO_REUSEADDR = 2, SO_ERROR = 4, SO_SNDBUF = 7, SO_RCVBUF = 8, SO_KEEPALIVE = 9, SO_LINGER = 13,
            SO_REUSEPORT = 15;
    static final int TCP_NODELAY = 1, TCP_MAXSEG = 2, TCP_CORK = 3, TCP_INFO = 11, TCP_USER_TIMEOUT = 18, TCP_NOTSENT_LOWAT = 25,
            TCP_INQ = 36;
    /** The control message type of TCP_INQ's hint (Linux defines it as TCP_INQ). */
    static final int TCP_CM_INQ = TCP_INQ;
    static final int MSG_DONTWAIT = 0x40, MSG_EOR = 0x80, MSG_NOSIGNAL = 0x4000, MSG_MORE = 0x8000;
    static final int SHUT_RD = 0, SHUT_WR = 1, SHUT_RDWR = 2;
    static final int F_GETFL = 3, F_SETFL = 4;
    static final int SIOCINQ = 0x541B;
    static final int EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLL_CTL_MOD = 3;
    static final long EPOLLEXCLUSIVE = 1L << 28, EPOLLONESHOT = 1L << 30, EPOLLET = 1L << 31;
    static final int POLLIN = 0x1, POLLOUT = 0x4, POLLERR = 0x8, POLLHUP = 0x10, POLLNVAL = 0x20, POLLRDNORM = 0x40,
            POLLWRNORM = 0x100, POLLRDHUP = 0x2000;
    /** Linux's net.core.wmem_max default: SO_SNDBUF is clamped to it before being doubled. */
    static final int WMEM_MAX = 212_992;
    /**
     * Half of Linux's smallest send buffer (SOCK_MIN_SNDBUF, twice 2048 bytes plus an sk_buff whose
     * size depends on the kernel build): a value below it is refused rather than guessed.
     */
    static final int MIN_SNDBUF_HALF = 2304;

    /** getsockopt(TCP_MAXSEG) before a connection exists: Linux answers the IPv4 default MSS. */
    private static final int DEFAULT_MSS = 536;

    private static final Map<String, Long> CONSTANTS = Map.ofEntries(
            Map.entry("AF_INET", (long) AF_INET), Map.entry("AF_INET6", 10L), Map.entry("SOCK_STREAM", (long) SOCK_STREAM), Map.entry("IPPROTO_TCP", 6L),
            Map.entry("IPPROTO_IP", 0L), Map.entry("SOL_SOCKET", (long) SOL_SOCKET), Map.entry("SOL_TCP", (long) SOL_TCP),
            Map.entry("SO_REUSEADDR", (long) SO_REUSEADDR), Map.entry("SO_ERROR", (long) SO_ERROR),
            Map.entry("SO_SNDBUF", (long) SO_SNDBUF), Map.entry("SO_RCVBUF", (long) SO_RCVBUF),
            Map.entry("SO_KEEPALIVE", (long) SO_KEEPALIVE), Map.entry("SO_LINGER", (long) SO_LINGER),
            Map.entry("SO_REUSEPORT", (long) SO_REUSEPORT), Map.entry("TCP_NODELAY", (long) TCP_NODELAY),
            Map.entry("TCP_MAXSEG", (long) TCP_MAXSEG), Map.entry("TCP_KEEPIDLE", 4L),
            Map.entry("TCP_KEEPINTVL", 5L), Map.entry("TCP_KEEPCNT", 6L),
            Map.entry("SHUT_RD", (long) SHUT_RD), Map.entry("SHUT_WR", (long) SHUT_WR), Map.entry("SHUT_RDWR", (long) SHUT_RDWR),
            Map.entry("F_GETFL", (long) F_GETFL), Map.entry("F_SETFL", (long) F_SETFL), Map.entry("O_RDWR", (long) O_RDWR),
            Map.entry("O_RDONLY", 0L), Map.entry("O_NONBLOCK", (long) O_NONBLOCK), Map.entry("SIOCINQ", (long) SIOCINQ),
            Map.entry("FIONREAD", (long) SIOCINQ),
            Map.entry("POLLIN", (long) POLLIN), Map.entry("POLLOUT", (long) POLLOUT), Map.entry("POLLERR", (long) POLLERR),
            Map.entry("POLLHUP", (long) POLLHUP), Map.entry("POLLNVAL", (long) POLLNVAL), Map.entry("POLLRDNORM", (long) POLLRDNORM),
            Map.entry("POLLWRNORM", (long) POLLWRNORM), Map.entry("POLLRDHUP", (long) POLLRDHUP),
            Map.entry("MSG_DONTWAIT", (long) MSG_DONTWAIT), Map.entry("MSG_PEEK", 0x2L), Map.entry("MSG_EOR", 0x80L),
            Map.entry("MSG_WAITALL", 0x100L), Map.entry("MSG_NOSIGNAL", (long) MSG_NOSIGNAL), Map.entry("MSG_MORE", 0x8000L),
            Map.entry("MSG_ZEROCOPY", 0x4000000L), Map.entry("MSG_FASTOPEN", 0x20000000L), Map.entry("MSG_ERRQUEUE", 0x2000L),
            Map.entry("MSG_TRUNC", 0x20L), Map.entry("TCP_INFO", (long) TCP_INFO), Map.entry("TCP_CORK", 3L),
            Map.entry("TCP_SYNCNT", 7L), Map.entry("TCP_USER_TIMEOUT", (long) TCP_USER_TIMEOUT), Map.entry("TCP_NOTSENT_LOWAT", (long) TCP_NOTSENT_LOWAT),
            Map.entry("TCP_CONGESTION", 13L), Map.entry("SOL_IP", 0L), Map.entry("IPPROTO_IPV6", 41L),
            Map.entry("EPOLLIN", (long) POLLIN), Map.entry("EPOLLPRI", 0x2L), Map.entry("EPOLLOUT", (long) POLLOUT),
            Map.entry("EPOLLERR", (long) POLLERR), Map.entry("EPOLLHUP", (long) POLLHUP), Map.entry("EPOLLRDNORM", (long) POLLRDNORM),
            Map.entry("EPOLLWRNORM", (long) POLLWRNORM), Map.entry("EPOLLRDHUP", (long) POLLRDHUP),
            Map.entry("EPOLLEXCLUSIVE", EPOLLEXCLUSIVE), Map.entry("EPOLLONESHOT", EPOLLONESHOT), Map.entry("EPOLLET", EPOLLET),
            Map.entry("EPOLL_CTL_ADD", (long) EPOLL_CTL_ADD), Map.entry("EPOLL_CTL_DEL", (long) EPOLL_CTL_DEL),
            Map.entry("EPOLL_CTL_MOD", (long) EPOLL_CTL_MOD), Map.entry("EPOLL_CLOEXEC", 0x80000L),
            Map.entry("TCP_INQ", (long) TCP_INQ), Map.entry("TCP_CM_INQ", (long) TCP_CM_INQ));

    /** A call's outcome: a return value and, for -1, an errno name. */
    record Result(long value, String errno) {
        static Result ok(long value) { return new Result(value, null); }
        static Result error(String errno) { return new Result(-1, errno); }

        @Override
        public String toString() { return errno == null ? Long.toString(value) : value + " " + errno; }
    }

    @FunctionalInterface
    interface Attempt {
        /** The result, or null while the call would block. */
        Result attempt() throws ScriptException;
    }

    /** A socket: what the file descriptor of the script refers to. */
    private static final class Socket {
        int port;
        boolean bound;
        Listener listener;
        Connection connection;
        boolean nonBlocking;
        boolean lingerOn;
        int lingerSeconds;
        boolean reuseAddr;
        boolean keepAlive;
        boolean noDelay;
        boolean cork;
        boolean errorReported;
        /** SO_SNDBUF as Linux keeps it (doubled), or 0 when never set. */
        int sndBuf;
        boolean inputShut;
        boolean outputShut;
        /** TCP_NOTSENT_LOWAT as set (0: the sysctl's); a connection made later takes it. */
        long notsentLowat;
        /** Bytes the script has read: with what is queued, all the data that arrived (for epoll's edges). */
        long bytesRead;
        /**
         * Linux's SOCK_NOSPACE: a write found no room, or a poll found the socket not writable; the
         * next time room appears the socket's waiters are woken (sk_stream_write_space).
         */
        boolean noSpace;
        /** TCP_INQ: recvmsg() returns the bytes left to read in a TCP_CM_INQ control message. */
        boolean inq;
        /** TCP_USER_TIMEOUT in milliseconds; 0: none. */
        long userTimeoutMs;
        /** TCP_MAXSEG as set (Linux's user_mss); 0: none. */
        int userMss;
        /** Non-null when this descriptor is an epoll instance. */
        EpollSet epoll;
    }

    private final ScriptRunner runner;
    private final NetStack stack;
    private final TreeMap<Integer, Socket> fds = new TreeMap<>();
    /**
     * packetdrill's "socket under test", whose TCP_INFO code blocks read: the socket the last
     * socket() or accept() made; null after an inbound SYN reached a listening one (packetdrill then
     * tracks the new child, which has no file descriptor until accept()).
     */
    private Socket underTest;

    SyscallTable(ScriptRunner runner) {
        this.runner = runner;
        this.stack = runner.stack;
    }

    // ------------------------------------------------------------------ dispatch

    Attempt start(SyscallEvent e) throws ScriptException {
        startWakeAt = Long.MAX_VALUE;
        List<Expr> a = e.args();
        int line = e.line();
        return switch (e.name()) {
            case "socket" -> { args(e, 3); yield socket(e); }
            case "bind" -> { args(e, 3); yield bind(e, fd(e, 0)); }
            case "listen" -> { args(e, 2); yield listen(e, fd(e, 0), (int) num(a.get(1), line)); }
            case "accept", "accept4" -> accept(e, fd(e, 0));
            case "connect" -> { args(e, 3); yield connect(e, fd(e, 0)); }
            case "read", "recv", "recvfrom" -> read(e, fd(e, 0), length(e), dontWait(e));
            case "write", "send", "sendto" -> write(e, fd(e, 0), length(e), dontWait(e), sendFlags(e, 3));
            case "readv" -> { args(e, 3); yield read(e, fd(e, 0), iovLength(a.get(1), line), false); }
            case "writev" -> { args(e, 3); yield write(e, fd(e, 0), iovLength(a.get(1), line), false, 0); }
            case "recvmsg" -> { args(e, 3); yield recvmsg(e, fd(e, 0)); }
            case "sendmsg" -> { args(e, 3); yield write(e, fd(e, 0), iovLength(msgIov(e), line), flagSet(a.get(2), line, MSG_DONTWAIT), sendFlags(e, 2)); }
            case "close" -> { args(e, 1); yield close(e, fd(e, 0)); }
            case "shutdown" -> { args(e, 2); yield shutdown(e, fd(e, 0), (int) num(a.get(1), line)); }
            case "setsockopt" -> { args(e, 5); yield setsockopt(e, fd(e, 0)); }
            case "getsockopt" -> { args(e, 5); yield getsockopt(e, fd(e, 0)); }
            case "fcntl" -> fcntl(e, fd(e, 0));
            case "poll" -> { args(e, 3); yield poll(e); }
            case "ioctl" -> { args(e, 3); yield ioctl(e, fd(e, 0)); }
            case "epoll_create", "epoll_create1" -> { args(e, 1); yield epollCreate(e); }
            case "epoll_ctl" -> { args(e, 4); yield epollCtl(e, fd(e, 0)); }
            case "epoll_wait" -> { args(e, 4); yield epollWait(e, fd(e, 0)); }
            default -> throw new ScriptException(line, "system call " + e.name() + "() is not supported");
        };
    }

    private static final java.util.Set<String> SUPPORTED = java.util.Set.of("socket", "bind", "listen", "accept", "accept4",
            "connect", "read", "recv", "recvfrom", "write", "send", "sendto", "close", "shutdown", "setsockopt",
            "getsockopt", "fcntl", "poll", "ioctl", "readv", "writev", "recvmsg", "sendmsg", "epoll_create",
            "epoll_create1", "epoll_ctl", "epoll_wait");

    private static final java.util.Set<String> SETTABLE = java.util.Set.of("SO_REUSEADDR", "SO_REUSEPORT", "SO_KEEPALIVE",
            "SO_LINGER", "TCP_NODELAY", "TCP_CORK", "SO_SNDBUF", "TCP_NOTSENT_LOWAT", "TCP_MAXSEG", "TCP_USER_TIMEOUT", "TCP_INQ");
    private static final java.util.Set<String> GETTABLE = java.util.Set.of("SO_REUSEADDR", "SO_REUSEPORT", "SO_KEEPALIVE",
            "SO_LINGER", "TCP_NODELAY", "TCP_CORK", "SO_ERROR", "TCP_INFO", "TCP_MAXSEG", "SO_SNDBUF", "TCP_NOTSENT_LOWAT",
            "TCP_USER_TIMEOUT", "TCP_INQ");

    /**
     * Why a call cannot be run faithfully (the script is then skipped), or null: calls, flags,
     * msghdr fields, socket options and tcp_info fields synack does not have.
     */
    static String unsupported(SyscallEvent e) {
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
            String why = UNSUPPORTED_OPTIONS.get(opt.name());
            if (why != null) return e.name() + "(" + opt.name() + "): " + why;
            java.util.Set<String> known = e.name().equals("setsockopt") ? SETTABLE : GETTABLE;
            if (!known.contains(opt.name())) return e.name() + "(" + opt.name() + ") is not supported";
            if (opt.name().equals("SO_SNDBUF") && e.name().equals("setsockopt") && a.get(3) instanceof ListExpr l
                    && l.items().size() == 1 && l.items().get(0) instanceof Num n && n.value() < MIN_SNDBUF_HALF) {
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
    static String unsupportedSendBufferRead(SyscallEvent e, Set<Long> set) {
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
            Map.entry("TCP_FASTOPEN", "TCP Fast Open not supported"),
            Map.entry("TCP_FASTOPEN_CONNECT", "TCP Fast Open not supported"),
            Map.entry("TCP_FASTOPEN_KEY", "TCP Fast Open not supported"),
            Map.entry("SO_ZEROCOPY", "zerocopy not supported"),
            Map.entry("SO_TIMESTAMPING", "socket timestamping not supported"),
            Map.entry("TCP_CONGESTION", "synack takes the congestion control from the stack's configuration, not per socket"),
            Map.entry("IP_TOS", "synack's packets carry no TOS"),
            Map.entry("IP_MTU_DISCOVER", "synack does no path MTU discovery"),
            Map.entry("IP_FREEBIND", "synack binds only its own address"),
            Map.entry("SO_MARK", "synack has no packet marks"));

    /**
     * The send/recv flags synack honours: MSG_DONTWAIT (this call does not block), MSG_NOSIGNAL
     * (no SIGPIPE: the runner raises no signals, EPIPE is returned either way), and on sends MSG_EOR
     * (the data ends a record) and MSG_MORE (this call is corked), as {@link WriteFlags}; MSG_PEEK
     * needs a peeking read synack does not have.
     */
    private static String unsupportedFlags(String call, Expr flags) {
        List<Expr> terms = flags instanceof OrExpr o ? o.terms() : List.of(flags);
        for (Expr t : terms) {
            if (t instanceof Num n && n.value() == 0) continue;
            if (t instanceof Sym sym && (sym.name().equals("MSG_DONTWAIT") || sym.name().equals("MSG_NOSIGNAL"))) continue;
            if (t instanceof Sym sym && call.startsWith("send") && (sym.name().equals("MSG_EOR") || sym.name().equals("MSG_MORE"))) continue;
            String name = t.toString();
            String why = switch (name) {
                case "MSG_PEEK" -> "synack's read cannot peek";
                case "MSG_ZEROCOPY", "MSG_ERRQUEUE" -> "zerocopy not supported";
                case "MSG_FASTOPEN" -> "TCP Fast Open not supported";
                default -> "not supported";
            };
            return call + "() flag " + name + ": " + why;
        }
        return null;
    }

    /** True when {@code flags} (a number, a name or A|B) has {@code bit}. */
    private static boolean flagSet(Expr flags, int line, int bit) throws ScriptException {
        return (num(flags, line) & bit) != 0;
    }

    /** The msg_iov of a sendmsg/recvmsg msghdr. */
    private static Expr msgIov(SyscallEvent e) throws ScriptException {
        if (!(e.args().get(1) instanceof StructExpr msg) || !msg.fields().containsKey("msg_iov")) {
            throw new ScriptException(e.line(), e.name() + "() needs a msghdr {msg_name(...)=..., msg_iov(N)=[...], msg_flags=0}");
        }
        return msg.fields().get("msg_iov");
    }

    /** The total length of an iovec array [{..., len}, ...] (or {iov_base=..., iov_len=len}). */
    private static int iovLength(Expr iov, int line) throws ScriptException {
        if (!(iov instanceof ListExpr list)) throw new ScriptException(line, "an iovec array is [{..., LEN}, ...], got " + iov);
        long total = 0;
        for (Expr item : list.items()) {
            if (!(item instanceof StructExpr st)) throw new ScriptException(line, "an iovec is {..., LEN}, got " + item);
            Expr len = st.fields().containsKey("iov_len") ? st.fields().get("iov_len") : st.fields().get("#1");
            if (len == null) throw new ScriptException(line, "an iovec is {..., LEN}, got " + item);
            total += num(len, line);
        }
        if (total > Integer.MAX_VALUE) throw new ScriptException(line, "iovec lengths add up to more than 2 GiB");
        return (int) total;
    }

    /** Compares a call's result with the script's "= ret [ERRNO]". */
    void verify(SyscallEvent e, Result r) throws ScriptException {
        long want = num(e.result(), e.line());
        if (r.value() != want || (e.errno() != null && !e.errno().equals(r.errno())) || (e.errno() == null && r.errno() != null)) {
            throw new ScriptException(e.line(), e.name() + "() returned " + r + ", expected " + want + (e.errno() == null ? "" : " " + e.errno()));
        }
    }

    private static void args(SyscallEvent e, int n) throws ScriptException {
        if (e.args().size() != n) throw new ScriptException(e.line(), e.name() + "() takes " + n + " arguments, got " + e.args().size());
    }

    private Socket fd(SyscallEvent e, int index) throws ScriptException {
        if (e.args().isEmpty()) throw new ScriptException(e.line(), e.name() + "() needs a file descriptor");
        return fds.get((int) num(e.args().get(index), e.line()));
    }

    private int fdNumber(SyscallEvent e) throws ScriptException {
        return (int) num(e.args().get(0), e.line());
    }

    /** MSG_MORE and MSG_EOR of a send's flags (argument {@code index}) as {@link WriteFlags}. */
    private static int sendFlags(SyscallEvent e, int index) throws ScriptException {
        if (e.args().size() <= index) return 0;
        Expr flags = e.args().get(index);
        return (flagSet(flags, e.line(), MSG_MORE) ? WriteFlags.MORE : 0) | (flagSet(flags, e.line(), MSG_EOR) ? WriteFlags.END_OF_RECORD : 0);
    }

    /** MSG_DONTWAIT in a recv/send flags argument: this call alone does not block. */
    private static boolean dontWait(SyscallEvent e) throws ScriptException {
        return e.args().size() > 3 && flagSet(e.args().get(3), e.line(), MSG_DONTWAIT);
    }

    private static int length(SyscallEvent e) throws ScriptException {
        if (e.args().size() < 3) throw new ScriptException(e.line(), e.name() + "() needs (fd, buffer, length, ...)");
        return (int) num(e.args().get(2), e.line());
    }

    /** The integer an expression stands for: numbers, constants, errno names, A|B, [x]. */
    static long num(Expr x, int line) throws ScriptException {
        return switch (x) {
            case Num n -> n.value();
            case Sym s -> {
                Long c = CONSTANTS.get(s.name());
                if (c != null) yield c;
                Integer errno = Errno.NUMBERS.get(s.name());
                if (errno != null) yield errno;
                throw new ScriptException(line, "unknown symbol " + s.name());
            }
            case OrExpr o -> {
                long v = 0;
                for (Expr t : o.terms()) v |= num(t, line);
                yield v;
            }
            case ListExpr l when l.items().size() == 1 -> num(l.items().get(0), line);
            case CallExpr c when c.function().equals("htons") && c.args().size() == 1 -> num(c.args().get(0), line);
            default -> throw new ScriptException(line, "expected a number, got " + x);
        };
    }

    private static Result fail(TcpException e) {
        return Result.error(Errno.of(e.error()));
    }

    // ------------------------------------------------------------------ sockets

    private Attempt socket(SyscallEvent e) throws ScriptException {
        Expr family = e.args().get(0);
        if (!(family instanceof Ellipsis) && num(family, e.line()) != AF_INET) {
            throw new ScriptException(e.line(), "only AF_INET sockets are supported");
        }
        if (num(e.args().get(1), e.line()) != SOCK_STREAM) throw new ScriptException(e.line(), "only SOCK_STREAM sockets are supported");
        return () -> {
            int fd = newFd(e);
            Socket s = new Socket();
            fds.put(fd, s);
            underTest = s;
            return Result.ok(fd);
        };
    }

    /**
     * The descriptor a new socket gets. packetdrill maps the script's descriptor numbers onto the
     * live ones: the number the script expects socket() or accept() to return names the new socket
     * (when it is free); otherwise the lowest free number from 3, as a process's first.
     */
    private int newFd(SyscallEvent e) {
        if (e.result() instanceof Num n && n.value() >= 0 && n.value() < Integer.MAX_VALUE && !fds.containsKey((int) n.value())) {
            return (int) n.value();
        }
        int fd = 3;
        while (fds.containsKey(fd)) fd++;
        return fd;
    }

    private Attempt bind(SyscallEvent e, Socket s) throws ScriptException {
        int port = address(e.args().get(1), e.line(), runner.bindPort);
        return () -> {
            if (s == null) return Result.error("EBADF");
            if (s.bound || s.connection != null || port < 0 || port > 0xffff) return Result.error("EINVAL");
            try {
                s.port = stack.bind(port);
            } catch (BindException ex) {
                return Result.error("EADDRINUSE");
            } catch (IOException ex) {
                return Result.error("EADDRNOTAVAIL");
            }
            s.bound = true;
            return Result.ok(0);
        };
    }

    /** The port of a sockaddr argument: "..." means the script's default port (8080 unless --bind_port/--connect_port). */
    private static int address(Expr x, int line, int defaultPort) throws ScriptException {
        if (x instanceof Ellipsis) return defaultPort;
        if (x instanceof StructExpr st && st.fields().containsKey("sin_port")) return (int) num(st.fields().get("sin_port"), line);
        throw new ScriptException(line, "unsupported address " + x + " (write ... or {sin_port=htons(N), ...})");
    }

    private Attempt listen(SyscallEvent e, Socket s, int backlog) {
        return () -> {
            if (s == null) return Result.error("EBADF");
            if (s.connection != null) return Result.error("EINVAL");
            if (s.listener != null) return Result.ok(0);
            try {
                if (!s.bound) {
                    s.port = stack.bind(0);
                    s.bound = true;
                }
                // Linux queues up to backlog + 1 established connections (sk_ack_backlog > backlog is full).
                s.listener = stack.listen(s.port, Math.max(0, backlog) + 1);
                s.listener.setUserMss(s.userMss);
            } catch (IOException ex) {
                return Result.error("EADDRINUSE");
            }
            runner.listenPort = s.port;
            return Result.ok(0);
        };
    }

    private Attempt accept(SyscallEvent e, Socket s) {
        return () -> {
            if (s == null) return Result.error("EBADF");
            if (s.listener == null) return Result.error("EINVAL");
            Connection c;
            stack.lock();
            try {
                c = s.listener.accept();
            } finally {
                stack.unlock();
            }
            if (c == null) return s.nonBlocking ? Result.error("EAGAIN") : null;
            int fd = newFd(e);
            Socket child = new Socket();
            child.connection = c;
            child.port = c.tuple().localPort();
            child.noDelay = s.noDelay;
            child.cork = s.cork;
            child.keepAlive = s.keepAlive;
            child.lingerOn = s.lingerOn;
            child.lingerSeconds = s.lingerSeconds;
            child.sndBuf = s.sndBuf; // Linux's child inherits the listener's buffer size
            child.notsentLowat = s.notsentLowat; // and the rest of its tcp_sock (sk_clone)
            child.userMss = s.userMss;
            child.userTimeoutMs = s.userTimeoutMs;
            stack.lock();
            try {
                if (child.noDelay) c.setNoDelay(true, runner.now);
                if (child.cork) c.setCork(true, runner.now);
                if (child.keepAlive) c.setKeepAlive(true, runner.now);
                if (child.sndBuf > 0) c.setSendBufferSize(child.sndBuf, runner.now);
                if (child.notsentLowat != 0) c.setNotsentLowat(child.notsentLowat, runner.now);
                if (child.userTimeoutMs != 0) c.setUserTimeout(child.userTimeoutMs * 1_000_000L);
            } finally {
                stack.unlock();
            }
            fds.put(fd, child);
            underTest = child;
            return Result.ok(fd);
        };
    }

    private Attempt connect(SyscallEvent e, Socket s) throws ScriptException {
        int port = address(e.args().get(1), e.line(), runner.connectPort);
        boolean[] started = new boolean[1];
        return () -> {
            if (s == null) return Result.error("EBADF");
            if (s.listener != null) return Result.error("EISCONN");
            if (port <= 0 || port > 0xffff) return Result.error(port == 0 ? "ECONNREFUSED" : "EINVAL");
            Connection c = s.connection;
            if (!started[0]) {
                if (c != null) {
                    if (c.error() != null && !s.errorReported) {
                        s.errorReported = true;
                        return Result.error(Errno.of(c.error()));
                    }
                    if (c.state() == TcpState.SYN_SENT || c.state() == TcpState.SYN_RECV) return Result.error("EALREADY");
                    return Result.error("EISCONN");
                }
                started[0] = true;
                try {
                    c = stack.connect(s.bound ? s.port : 0, ScriptRunner.REMOTE_ADDRESS, port, conn -> conn.setUserMss(s.userMss));
                } catch (IOException ex) {
                    return Result.error("EADDRNOTAVAIL");
                } catch (TcpException ex) {
                    return fail(ex);
                }
                s.bound = false;
                s.connection = c;
                s.port = c.tuple().localPort();
                stack.lock();
                try {
                    if (s.noDelay) c.setNoDelay(true, runner.now);
                    if (s.cork) c.setCork(true, runner.now);
                    if (s.keepAlive) c.setKeepAlive(true, runner.now);
                    if (s.sndBuf > 0) c.setSendBufferSize(s.sndBuf, runner.now);
                    if (s.notsentLowat != 0) c.setNotsentLowat(s.notsentLowat, runner.now);
                    if (s.userTimeoutMs != 0) c.setUserTimeout(s.userTimeoutMs * 1_000_000L);
                } finally {
                    stack.unlock();
                }
                if (s.nonBlocking) return Result.error("EINPROGRESS");
            }
            if (!c.isConnectDone()) return null;
            if (c.error() != null) {
                s.errorReported = true;
                return Result.error(Errno.of(c.error()));
            }
            return Result.ok(0);
        };
    }

    /** read/write/send/recv with NULL as the buffer (packetdrill's bad-address tests). */
    private static boolean nullBuffer(SyscallEvent e) {
        return e.args().size() > 1 && e.args().get(1) instanceof Script.Null;
    }

    private Attempt read(SyscallEvent e, Socket s, int length, boolean dontWait) {
        return () -> {
            if (s == null) return Result.error("EBADF");
            Connection c = s.connection;
            if (c == null) return Result.error("ENOTCONN");
            // A NULL buffer: Linux fails the copy of the first byte with EFAULT, consuming nothing.
            if (nullBuffer(e) && length > 0 && c.available() > 0) return Result.error("EFAULT");
            ByteBuffer dst = ByteBuffer.allocate(Math.max(0, length));
            int n;
            stack.lock();
            try {
                n = c.read(dst, runner.now);
            } catch (TcpException ex) {
                s.errorReported = true;
                return fail(ex);
            } finally {
                stack.unlock();
            }
            if (n < 0) return Result.ok(0);
            s.bytesRead += n;
            if (n > 0 || length == 0) return Result.ok(n);
            return s.nonBlocking || dontWait ? Result.error("EAGAIN") : null;
        };
    }

    private Attempt write(SyscallEvent e, Socket s, int length, boolean dontWait, int flags) {
        int[] written = new int[1];
        boolean[] blocked = new boolean[1];
        return () -> {
            if (s == null) return Result.error("EBADF");
            Connection c = s.connection;
            if (c == null) return Result.error(s.listener != null ? "ENOTCONN" : "EPIPE");
            if ((c.state() == TcpState.SYN_SENT || c.state() == TcpState.SYN_RECV) && c.error() == null) {
                // Linux waits for the connection before queueing data (sk_stream_wait_connect): EAGAIN if non-blocking.
                return (s.nonBlocking || dontWait) ? Result.error("EAGAIN") : null;
            }
            if (nullBuffer(e) && length > 0 && c.error() == null && c.isWritable()) return Result.error("EFAULT");
            // A blocked writer is woken only when the socket is writable as poll reports it
            // (sk_stream_write_space), which the unsent-data low-water mark can delay.
            if (blocked[0] && !c.isWritable()) return null;
            ByteBuffer src = ByteBuffer.allocate(length - written[0]);
            int n;
            stack.lock();
            try {
                n = c.write(src, flags, runner.now);
            } catch (TcpException ex) {
                if (written[0] > 0) return Result.ok(written[0]);
                s.errorReported = true;
                return fail(ex);
            } finally {
                stack.unlock();
            }
            written[0] += n;
            if (written[0] == length) return Result.ok(length);
            s.noSpace = true; // sk_stream_wait_memory: the writer wants to hear of room
            if ((s.nonBlocking || dontWait)) return written[0] > 0 ? Result.ok(written[0]) : Result.error("EAGAIN");
            blocked[0] = true;
            return null;
        };
    }

    private Attempt close(SyscallEvent e, Socket s) throws ScriptException {
        int fd = fdNumber(e);
        boolean[] started = new boolean[1];
        return () -> {
            if (s == null) return Result.error("EBADF");
            Connection c = s.connection;
            if (!started[0]) {
                started[0] = true;
                fds.remove(fd);
                if (s.listener != null) {
                    stack.closeListener(s.listener);
                } else if (c == null) {
                    if (s.bound) stack.unbind(s.port);
                } else if (!c.isReleased()) {
                    stack.lock();
                    try {
                        if (s.lingerOn && s.lingerSeconds == 0) c.abort(runner.now);
                        else c.close(runner.now);
                    } catch (TcpException ex) {
                        // An error already ended the connection: nothing to send.
                    } finally {
                        stack.unlock();
                    }
                }
                if (c == null || !s.lingerOn || s.lingerSeconds == 0 || s.nonBlocking) return Result.ok(0);
                lingerUntil = runner.now + s.lingerSeconds * 1_000_000_000L;
                startWakeAt = lingerUntil;
            }
            // SO_LINGER with a time: close() waits until the data is acknowledged or the time is up.
            if (c.isSendBufferEmpty() || c.error() != null || c.isReleased() || runner.now >= lingerUntil) return Result.ok(0);
            return null;
        };
    }

    private long lingerUntil;
    /** When the blocked call times out by itself (poll's timeout, SO_LINGER's time); MAX_VALUE: never. */
    long wakeAt = Long.MAX_VALUE;
    /** The wake time of the call just started, taken by the runner if it blocks. */
    long startWakeAt = Long.MAX_VALUE;

    private Attempt shutdown(SyscallEvent e, Socket s, int how) {
        return () -> {
            if (s == null) return Result.error("EBADF");
            if (how < SHUT_RD || how > SHUT_RDWR) return Result.error("EINVAL");
            if (s.connection == null) return Result.error("ENOTCONN");
            Connection c = s.connection;
            stack.lock();
            try {
                c.shutdown(how == SHUT_RD ? ShutdownHow.READ : how == SHUT_WR ? ShutdownHow.WRITE : ShutdownHow.BOTH, runner.now);
            } catch (TcpException ex) {
                return fail(ex);
            } finally {
                stack.unlock();
            }
            s.inputShut |= how != SHUT_WR;
            s.outputShut |= how != SHUT_RD;
            return Result.ok(0);
        };
    }

    // ------------------------------------------------------------------ options

    private Attempt setsockopt(SyscallEvent e, Socket s) throws ScriptException {
        int line = e.line();
        long level = num(e.args().get(1), line);
        long name = num(e.args().get(2), line);
        Expr value = e.args().get(3);
        return () -> {
            if (s == null) return Result.error("EBADF");
            Connection c = s.connection;
            if (level == SOL_SOCKET && name == SO_LINGER) {
                if (!(value instanceof StructExpr st)) throw new ScriptException(line, "SO_LINGER takes {onoff=N, linger=N}");
                s.lingerOn = num(field(st, line, "onoff", "l_onoff"), line) != 0;
                s.lingerSeconds = (int) num(field(st, line, "linger", "l_linger"), line);
                return Result.ok(0);
            }
            long v = num(value, line);
            if (level == SOL_SOCKET) {
                switch ((int) name) {
                    case SO_REUSEADDR, SO_REUSEPORT -> s.reuseAddr = v != 0;
                    case SO_SNDBUF -> {
                        s.sndBuf = linuxSendBuffer(v);
                        if (c != null) {
                            stack.lock();
                            try {
                                c.setSendBufferSize(s.sndBuf, runner.now);
                            } finally {
                                stack.unlock();
                            }
                        }
                    }
                    case SO_KEEPALIVE -> {
                        s.keepAlive = v != 0;
                        if (c != null) {
                            stack.lock();
                            try {
                                c.setKeepAlive(s.keepAlive, runner.now);
                            } finally {
                                stack.unlock();
                            }
                        }
                    }
                    default -> { return Result.error("ENOPROTOOPT"); }
                }
                return Result.ok(0);
            }
            if (level == SOL_TCP) {
                switch ((int) name) {
                    case TCP_NODELAY -> {
                        s.noDelay = v != 0;
                        if (c != null) {
                            stack.lock();
                            try {
                                c.setNoDelay(s.noDelay, runner.now);
                            } finally {
                                stack.unlock();
                            }
                        }
                    }
                    case TCP_NOTSENT_LOWAT -> applyNotsentLowat(s, v);
                    case TCP_INQ -> {
                        if (v < 0 || v > 1) return Result.error("EINVAL"); // Linux: only 0 or 1
                        s.inq = v == 1;
                    }
                    case TCP_USER_TIMEOUT -> {
                        // Linux's do_tcp_setsockopt: a negative int is EINVAL.
                        if ((int) v < 0) return Result.error("EINVAL");
                        s.userTimeoutMs = (int) v;
                        applyToConnection(s, conn -> conn.setUserTimeout(s.userTimeoutMs * 1_000_000L));
                    }
                    case TCP_MAXSEG -> {
                        // Linux's do_tcp_setsockopt: 0 or TCP_MIN_MSS..MAX_TCP_WINDOW, kept as user_mss.
                        if (v != 0 && (v < Connection.MIN_USER_MSS || v > Connection.MAX_USER_MSS)) return Result.error("EINVAL");
                        s.userMss = (int) v;
                        if (s.listener != null) s.listener.setUserMss(s.userMss);
                        applyToConnection(s, conn -> conn.setUserMss(s.userMss));
                    }
                    case TCP_CORK -> {
                        s.cork = v != 0;
                        if (c != null) {
                            stack.lock();
                            try {
                                c.setCork(s.cork, runner.now);
                            } finally {
                                stack.unlock();
                            }
                        }
                    }
                    default -> { return Result.error("ENOPROTOOPT"); }
                }
                return Result.ok(0);
            }
            return Result.error("ENOPROTOOPT");
        };
    }

    /** TCP_NOTSENT_LOWAT: Linux stores the int as an unsigned mark (0: the sysctl's). */
    private void applyNotsentLowat(Socket s, long value) {
        s.notsentLowat = value & 0xffff_ffffL;
        applyToConnection(s, c -> c.setNotsentLowat(s.notsentLowat, runner.now));
    }

    /** Runs {@code change} on the socket's connection, if it has one, under the stack's lock. */
    private void applyToConnection(Socket s, java.util.function.Consumer<Connection> change) {
        Connection c = s.connection;
        if (c == null) return;
        stack.lock();
        try {
            change.accept(c);
        } finally {
            stack.unlock();
        }
    }

    private static Expr field(StructExpr st, int line, String... names) throws ScriptException {
        for (String n : names) if (st.fields().containsKey(n)) return st.fields().get(n);
        throw new ScriptException(line, "missing field " + names[0] + " in " + st);
    }

    private Attempt getsockopt(SyscallEvent e, Socket s) throws ScriptException {
        int line = e.line();
        long level = num(e.args().get(1), line);
        long name = num(e.args().get(2), line);
        Expr want = e.args().get(3);
        return () -> {
            if (s == null) return Result.error("EBADF");
            Connection c = s.connection;
            if (level == SOL_SOCKET && name == SO_LINGER) {
                if (want instanceof StructExpr st) {
                    long on = num(field(st, line, "onoff", "l_onoff"), line);
                    long secs = num(field(st, line, "linger", "l_linger"), line);
                    if ((on != 0) != s.lingerOn || secs != s.lingerSeconds) {
                        throw new ScriptException(line, "getsockopt(SO_LINGER) is {onoff=" + (s.lingerOn ? 1 : 0) + ", linger="
                                + s.lingerSeconds + "}, expected " + st);
                    }
                }
                return Result.ok(0);
            }
            long actual;
            if (level == SOL_SOCKET) {
                switch ((int) name) {
                    case SO_REUSEADDR, SO_REUSEPORT -> actual = s.reuseAddr ? 1 : 0;
                    case SO_ERROR -> {
                        actual = 0;
                        if (c != null && c.error() != null && !s.errorReported) {
                            actual = Errno.NUMBERS.get(Errno.of(c.error()));
                            s.errorReported = true;
                        }
                    }
                    case SO_KEEPALIVE -> actual = s.keepAlive ? 1 : 0;
                    case SO_SNDBUF -> actual = s.sndBuf; // set before (ScriptRunner skips a script reading an unset one)
                    default -> { return Result.error("ENOPROTOOPT"); }
                }
            } else if (level == SOL_TCP) {
                switch ((int) name) {
                    case TCP_NODELAY -> actual = s.noDelay ? 1 : 0;
                    case TCP_NOTSENT_LOWAT -> actual = s.notsentLowat;
                    case TCP_USER_TIMEOUT -> actual = s.userTimeoutMs;
                    case TCP_INQ -> actual = s.inq ? 1 : 0;
                    case TCP_CORK -> actual = s.cork ? 1 : 0;
                    // Linux's do_tcp_getsockopt: the MSS in use (mss_cache), but user_mss when set on a
                    // closed or listening socket.
                    case TCP_MAXSEG -> actual = c != null && c.state().isSynchronized() ? c.effectiveMss()
                            : s.userMss != 0 ? s.userMss : DEFAULT_MSS;
                    case TCP_INFO -> {
                        if (!(want instanceof StructExpr st)) throw new ScriptException(line, "getsockopt(TCP_INFO) takes {tcpi_NAME=VALUE, ...}");
                        compareTcpInfo(st, s, line);
                        return Result.ok(0);
                    }
                    default -> { return Result.error("ENOPROTOOPT"); }
                }
            } else {
                return Result.error("ENOPROTOOPT");
            }
            if (!(want instanceof Ellipsis) && num(want, line) != actual) {
                throw new ScriptException(line, "getsockopt() gave " + actual + ", expected " + want);
            }
            return Result.ok(0);
        };
    }

    private Attempt fcntl(SyscallEvent e, Socket s) throws ScriptException {
        int line = e.line();
        if (e.args().size() < 2) throw new ScriptException(line, "fcntl() needs (fd, cmd[, arg])");
        long cmd = num(e.args().get(1), line);
        long arg = e.args().size() > 2 ? num(e.args().get(2), line) : 0;
        return () -> {
            if (s == null) return Result.error("EBADF");
            if (cmd == F_GETFL) return Result.ok(O_RDWR | (s.nonBlocking ? O_NONBLOCK : 0));
            if (cmd == F_SETFL) {
                s.nonBlocking = (arg & O_NONBLOCK) != 0;
                return Result.ok(0);
            }
            return Result.error("EINVAL");
        };
    }

    private Attempt ioctl(SyscallEvent e, Socket s) throws ScriptException {
        int line = e.line();
        long request = num(e.args().get(1), line);
        Expr want = e.args().get(2);
        return () -> {
            if (s == null) return Result.error("EBADF");
            if (request != SIOCINQ) return Result.error("EINVAL");
            if (s.connection == null) return Result.error("EINVAL");
            long n = s.connection.available();
            if (!(want instanceof Ellipsis) && num(want, line) != n) {
                throw new ScriptException(line, "ioctl(SIOCINQ) gave " + n + ", expected " + want);
            }
            return Result.ok(0);
        };
    }

    /**
     * Linux's SO_SNDBUF (sock_setsockopt): the value is clamped to net.core.wmem_max and doubled (the
     * kernel counts its bookkeeping in the buffer). synack's send buffer then holds that many bytes
     * of data; Linux's holds less, since it counts each buffer's overhead too, so a script that
     * fills the buffer sees the difference.
     */
    private static int linuxSendBuffer(long value) {
        return (int) (2 * Math.min(Math.max(value, 0), WMEM_MAX));
    }

    // ------------------------------------------------------------------ TCP_INFO

    /** An inbound SYN reached the listening socket under test: packetdrill now tracks the child it makes. */
    void synArrived() {
        if (underTest == null || underTest.listener != null) underTest = null;
    }

    /** The tcpi_* variables of the socket under test now, for a code block at {@code line}. */
    Map<String, Object> tcpInfoOfSocketUnderTest(int line) throws ScriptException {
        if (underTest == null) {
            throw new ScriptException(line, "no socket to use for code: the socket under test is a connection not yet accepted");
        }
        if (!fds.containsValue(underTest)) throw new ScriptException(line, "no socket to use for code: the socket under test was closed");
        return tcpInfo(underTest);
    }

    private Map<String, Object> tcpInfo(Socket s) {
        if (s.connection != null) return TcpInfoCode.variables(s.connection.tcpInfo(runner.now));
        // A socket without a connection: Linux reports its state (LISTEN or CLOSE) and the defaults of
        // an unconnected socket, which synack does not model; only the state is given.
        Map<String, Object> v = new java.util.HashMap<>();
        v.put("tcpi_state", TcpInfoCode.linuxState(s.listener != null ? TcpState.LISTEN : TcpState.CLOSED));
        return v;
    }

    private void compareTcpInfo(StructExpr want, Socket s, int line) throws ScriptException {
        Map<String, Object> actual = tcpInfo(s);
        for (Map.Entry<String, Expr> f : want.fields().entrySet()) {
            if (f.getValue() instanceof Ellipsis) continue;
            Object got = actual.get(f.getKey());
            if (got == null && TcpInfoCode.PACKET_FIELDS.contains(f.getKey())) throw TcpInfoCode.undefined(f.getKey(), line);
            if (got == null) throw new ScriptException(line, "getsockopt(TCP_INFO): " + f.getKey() + " is not available for this socket");
            if (!got.equals(num(f.getValue(), line))) {
                throw new ScriptException(line, "getsockopt(TCP_INFO): " + f.getKey() + " is " + got + ", expected " + f.getValue());
            }
        }
    }

    // ------------------------------------------------------------------ recvmsg

    /** recvmsg(fd, {msg_name(...)=..., msg_iov(N)=[...], msg_flags=F}, flags): a read into the iovecs; TCP returns msg_flags 0. */
    private Attempt recvmsg(SyscallEvent e, Socket s) throws ScriptException {
        int line = e.line();
        int length = iovLength(msgIov(e), line);
        Expr wantFlags = ((StructExpr) e.args().get(1)).fields().get("msg_flags");
        Expr wantControl = ((StructExpr) e.args().get(1)).fields().get("msg_control");
        Attempt read = read(e, s, length, flagSet(e.args().get(2), line, MSG_DONTWAIT));
        return () -> {
            Result r = read.attempt();
            if (r != null && r.errno() == null && wantFlags != null && !(wantFlags instanceof Ellipsis) && num(wantFlags, line) != 0) {
                throw new ScriptException(line, "recvmsg() msg_flags is 0, expected " + wantFlags);
            }
            if (r != null && wantControl != null) compareInqControl(wantControl, s, r, line);
            return r;
        };
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

    /**
     * The control messages of a recvmsg() that returned {@code r}: with TCP_INQ on, a successful one
     * carries TCP_CM_INQ, Linux's tcp_inq_hint after the copy: the bytes up to RCV.NXT not yet read,
     * which counts a received FIN as one (and is at least 1 once the FIN came, so that the reader
     * goes on to read the end of file).
     */
    private void compareInqControl(Expr want, Socket s, Result r, int line) throws ScriptException {
        List<Expr> wanted = ((ListExpr) want).items();
        Connection c = s.connection;
        boolean sent = s.inq && r.errno() == null && c != null;
        if (wanted.size() != (sent ? 1 : 0)) {
            throw new ScriptException(line, "recvmsg() returned " + (sent ? "a TCP_CM_INQ control message" : "no control message")
                    + ", expected " + want);
        }
        if (!sent) return;
        long inq = c.available() + (peerFinReceived(c) ? 1 : 0);
        Expr data = ((StructExpr) wanted.get(0)).fields().get("cmsg_data");
        if (!(data instanceof Ellipsis) && num(data, line) != inq) {
            throw new ScriptException(line, "recvmsg() TCP_CM_INQ is " + inq + ", expected " + data);
        }
    }

    /** The peer's FIN has arrived (RCV.NXT counts it). */
    private static boolean peerFinReceived(Connection c) {
        return switch (c.state()) {
            case CLOSE_WAIT, LAST_ACK, CLOSING, TIME_WAIT -> true;
            default -> false;
        };
    }

    // ------------------------------------------------------------------ poll

    private Attempt poll(SyscallEvent e) throws ScriptException {
        int line = e.line();
        if (!(e.args().get(0) instanceof ListExpr list)) throw new ScriptException(line, "poll() takes [{fd=N, events=..., revents=...}, ...]");
        long timeoutMs = num(e.args().get(2), line);
        long deadline = timeoutMs < 0 ? Long.MAX_VALUE : runner.now + timeoutMs * 1_000_000L;
        startWakeAt = deadline;
        return () -> {
            int ready = 0;
            StringBuilder got = new StringBuilder();
            boolean match = true;
            for (Expr item : list.items()) {
                if (!(item instanceof StructExpr st)) throw new ScriptException(line, "poll() entries are {fd=N, events=..., revents=...}");
                int fd = (int) num(field(st, line, "fd"), line);
                long events = num(field(st, line, "events"), line);
                long revents = revents(fds.get(fd)) & (events | POLLERR | POLLHUP | POLLNVAL);
                if (revents != 0) ready++;
                long want = st.fields().containsKey("revents") ? num(st.fields().get("revents"), line) : 0;
                if (want != revents) match = false;
                got.append(" fd ").append(fd).append(" revents=0x").append(Long.toHexString(revents));
            }
            if (ready == 0 && runner.now < deadline) return null;
            if (!match) throw new ScriptException(line, "poll() revents differ:" + got);
            return Result.ok(ready);
        };
    }

    /**
     * Linux's tcp_poll(), from what the engine exposes: HUP when both directions are shut (or the
     * connection is closed), IN|RDHUP once the receive side is shut (peer FIN, SHUT_RD), IN for
     * queued data, OUT when there is send room or sending is over (a write would not block), ERR
     * for a pending error. Nothing but HUP/ERR during the handshake.
     */
    private long revents(Socket s) {
        if (s == null) return POLLNVAL;
        if (s.listener != null) return s.listener.acceptQueueLength() > 0 ? POLLIN | POLLRDNORM : 0;
        Connection c = s.connection;
        if (c == null) return POLLOUT | POLLWRNORM | POLLHUP;
        TcpState st = c.state();
        long r = 0;
        if (c.error() != null && !s.errorReported) r |= POLLERR;
        boolean peerFin = switch (st) {
            case CLOSE_WAIT, LAST_ACK, CLOSING, TIME_WAIT, CLOSED -> true;
            default -> false;
        };
        boolean receiveShut = peerFin || s.inputShut;
        boolean sendShut = s.outputShut || switch (st) {
            case FIN_WAIT1, FIN_WAIT2, CLOSING, TIME_WAIT, LAST_ACK, CLOSED -> true;
            default -> false;
        };
        if (st == TcpState.CLOSED || (receiveShut && sendShut)) r |= POLLHUP;
        if (receiveShut) r |= POLLIN | POLLRDNORM | POLLRDHUP;
        if (st == TcpState.SYN_SENT || st == TcpState.SYN_RECV) return r;
        if (c.available() > 0) r |= POLLIN | POLLRDNORM;
        if (sendShut || c.isWritable()) r |= POLLOUT | POLLWRNORM; // send room, unsent data below the low-water mark
        else s.noSpace = true; // tcp_poll asks to be woken when room appears
        return r;
    }

    // ------------------------------------------------------------------ epoll

    /** An epoll instance: the sockets it watches, by descriptor. */
    private static final class EpollSet {
        final TreeMap<Integer, EpollItem> items = new TreeMap<>();
    }

    /**
     * One watched socket (Linux's epitem): the events asked for, the data returned with them, and
     * whether it is on the ready list. A wake-up of the socket's wait queue puts it there; what
     * counts as one is told by {@link #wokenUp}.
     */
    private static final class EpollItem {
        final Socket socket;
        long events;
        long data;
        boolean ready;
        boolean disabled;
        /** What the socket looked like when last checked for wake-ups. */
        long received = -1;
        TcpState state;
        boolean errored;

        EpollItem(Socket socket) { this.socket = socket; }
    }

    private Attempt epollCreate(SyscallEvent e) throws ScriptException {
        long arg = num(e.args().get(0), e.line());
        boolean create1 = e.name().equals("epoll_create1");
        return () -> {
            // epoll_create's size is only checked to be positive; epoll_create1 knows EPOLL_CLOEXEC alone.
            if (create1 ? (arg & ~0x80000L) != 0 : arg <= 0) return Result.error("EINVAL");
            int fd = newFd(e);
            Socket s = new Socket();
            s.epoll = new EpollSet();
            fds.put(fd, s);
            return Result.ok(fd);
        };
    }

    /** epoll_ctl(epfd, op, fd, {events=..., fd=N | ptr=P | u32=N | u64=N}) as Linux's ep_insert/ep_modify/ep_remove. */
    private Attempt epollCtl(SyscallEvent e, Socket ep) throws ScriptException {
        int line = e.line();
        long op = num(e.args().get(1), line);
        int fd = (int) num(e.args().get(2), line);
        Expr ev = e.args().get(3);
        long events = ev instanceof StructExpr st ? num(field(st, line, "events"), line) : 0;
        long data = ev instanceof StructExpr st ? epollData(st, line) : 0;
        return () -> {
            Socket target = fds.get(fd);
            if (ep == null || target == null) return Result.error("EBADF");
            if (ep.epoll == null || target == ep) return Result.error("EINVAL");
            EpollItem item = ep.epoll.items.get(fd);
            if (item != null && item.socket != target) {
                ep.epoll.items.remove(fd); // the descriptor was closed and reused: Linux dropped the old item
                item = null;
            }
            switch ((int) op) {
                case EPOLL_CTL_ADD -> {
                    if (item != null) return Result.error("EEXIST");
                    item = new EpollItem(target);
                    ep.epoll.items.put(fd, item);
                }
                case EPOLL_CTL_MOD -> { if (item == null) return Result.error("ENOENT"); }
                case EPOLL_CTL_DEL -> {
                    if (item == null) return Result.error("ENOENT");
                    ep.epoll.items.remove(fd);
                    return Result.ok(0);
                }
                default -> { return Result.error("EINVAL"); }
            }
            if (op == EPOLL_CTL_MOD && (events & EPOLLEXCLUSIVE) != 0) return Result.error("EINVAL");
            item.events = events;
            item.data = data;
            item.disabled = false;
            // ep_insert and ep_modify poll the socket and queue the item if it is ready now.
            wokenUp(item);
            item.ready = true;
            return Result.ok(0);
        };
    }

    private static long epollData(StructExpr st, int line) throws ScriptException {
        for (String name : List.of("fd", "ptr", "u32", "u64")) {
            if (st.fields().containsKey(name)) return num(st.fields().get(name), line);
        }
        return 0;
    }

    /**
     * epoll_wait(epfd, {events=E, fd=N}, maxevents, timeout): the first ready item, compared with
     * the script's. Linux's ep_send_events polls each item on the ready list: one with no asked-for
     * event ready leaves the list; one reported stays on it only when level-triggered (an
     * edge-triggered item returns at the next wake-up), and EPOLLONESHOT disables it until EPOLL_CTL_MOD.
     */
    private Attempt epollWait(SyscallEvent e, Socket ep) throws ScriptException {
        int line = e.line();
        Expr want = e.args().get(1);
        long max = num(e.args().get(2), line);
        long timeoutMs = num(e.args().get(3), line);
        long deadline = timeoutMs < 0 ? Long.MAX_VALUE : runner.now + timeoutMs * 1_000_000L;
        startWakeAt = deadline;
        return () -> {
            if (ep == null) return Result.error("EBADF");
            if (ep.epoll == null || max <= 0) return Result.error("EINVAL");
            EpollItem hit = null;
            long hitEvents = 0;
            for (var it = ep.epoll.items.entrySet().iterator(); it.hasNext(); ) {
                var entry = it.next();
                EpollItem item = entry.getValue();
                if (fds.get(entry.getKey()) != item.socket) { // closed: the file left every epoll set
                    it.remove();
                    continue;
                }
                if (wokenUp(item)) item.ready = true;
                if (!item.ready || item.disabled || hit != null) continue;
                long revents = revents(item.socket) & (item.events | POLLERR | POLLHUP);
                if (revents == 0) {
                    item.ready = false;
                    continue;
                }
                hit = item;
                hitEvents = revents;
            }
            if (hit == null) {
                if (runner.now < deadline) return null;
                compareEpollEvent(want, 0, 0, line, false);
                return Result.ok(0);
            }
            if ((hit.events & EPOLLET) != 0) hit.ready = false;
            if ((hit.events & EPOLLONESHOT) != 0) hit.disabled = true;
            compareEpollEvent(want, hitEvents, hit.data, line, true);
            return Result.ok(1);
        };
    }

    private static void compareEpollEvent(Expr want, long events, long data, int line, boolean reported) throws ScriptException {
        if (!(want instanceof StructExpr st)) return;
        Expr wantEvents = st.fields().get("events");
        if (wantEvents != null && !(wantEvents instanceof Ellipsis) && num(wantEvents, line) != events) {
            throw new ScriptException(line, "epoll_wait() events 0x" + Long.toHexString(events) + ", expected " + wantEvents);
        }
        if (reported && epollData(st, line) != data) {
            throw new ScriptException(line, "epoll_wait() data " + data + ", expected " + epollData(st, line));
        }
    }

    /**
     * Whether the socket's wait queue was woken since the item last looked, as Linux wakes it: data
     * or a FIN arrived (sk_data_ready: reading does not wake), the state changed (sk_state_change),
     * an error came (sk_error_report), or room appeared after a writer or poll found none
     * (sk_stream_write_space, which clears SOCK_NOSPACE).
     */
    private boolean wokenUp(EpollItem item) {
        Socket s = item.socket;
        Connection c = s.connection;
        boolean woken = false;
        if (c != null) {
            long received = s.bytesRead + c.available();
            TcpState st = c.state();
            boolean errored = c.error() != null;
            woken = item.received >= 0 && (received != item.received || st != item.state || errored != item.errored);
            item.received = received;
            item.state = st;
            item.errored = errored;
            if (s.noSpace && c.isWritable()) {
                s.noSpace = false;
                woken = true;
            }
        } else if (s.listener != null) {
            long queued = s.listener.acceptQueueLength();
            woken = queued > item.received && item.received >= 0;
            item.received = queued;
        }
        return woken;
    }
}
