package dev.synack.pkt;

import static dev.synack.pkt.SyscallConstants.AF_INET;
import static dev.synack.pkt.SyscallConstants.AF_INET6;
import static dev.synack.pkt.SyscallConstants.F_GETFL;
import static dev.synack.pkt.SyscallConstants.F_SETFL;
import static dev.synack.pkt.SyscallConstants.MSG_DONTWAIT;
import static dev.synack.pkt.SyscallConstants.MSG_EOR;
import static dev.synack.pkt.SyscallConstants.MSG_FASTOPEN;
import static dev.synack.pkt.SyscallConstants.MSG_MORE;
import static dev.synack.pkt.SyscallConstants.MSG_PEEK;
import static dev.synack.pkt.SyscallConstants.O_NONBLOCK;
import static dev.synack.pkt.SyscallConstants.O_RDWR;
import static dev.synack.pkt.SyscallConstants.SHUT_RD;
import static dev.synack.pkt.SyscallConstants.SHUT_RDWR;
import static dev.synack.pkt.SyscallConstants.SHUT_WR;
import static dev.synack.pkt.SyscallConstants.SIOCINQ;
import static dev.synack.pkt.SyscallConstants.SOCK_STREAM;
import static dev.synack.pkt.SyscallConstants.flagSet;
import static dev.synack.pkt.SyscallConstants.num;

import dev.synack.pkt.Script.Ellipsis;
import dev.synack.pkt.Script.Expr;
import dev.synack.pkt.Script.ListExpr;
import dev.synack.pkt.Script.Num;
import dev.synack.pkt.Script.StructExpr;
import dev.synack.pkt.Script.SyscallEvent;
import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import dev.synack.stack.NetStack;
import dev.synack.tcp.ShutdownHow;
import dev.synack.tcp.TcpError;
import dev.synack.tcp.TcpState;
import dev.synack.tcp.ReadFlags;
import dev.synack.tcp.WriteFlags;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The system calls a script may make, with Linux's semantics (errno names, blocking unless
 * O_NONBLOCK), made on synack's socket API: each descriptor holds a non-blocking {@link TcpSocket}
 * or {@link TcpServerSocket}, and a call that would block is retried as virtual time passes. Each
 * call is an {@link Attempt}: it returns a {@link Result}, or null while it would block.
 */
final class SyscallTable {
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

    final ScriptRunner runner;
    private final NetStack stack;
    final TreeMap<Integer, Descriptor> fds = new TreeMap<>();
    private final SocketOptionCalls options;
    private final PollCalls polls;
    /** When the blocked call times out by itself (poll's timeout, SO_LINGER's time); MAX_VALUE: never. */
    long wakeAt = Long.MAX_VALUE;
    /** The wake time of the call just started, taken by the runner if it blocks. */
    long startWakeAt = Long.MAX_VALUE;
    private long lingerUntil;

    SyscallTable(ScriptRunner runner) {
        this.runner = runner;
        this.stack = runner.stack;
        this.options = new SocketOptionCalls();
        this.polls = new PollCalls(this);
    }

    // ------------------------------------------------------------------ dispatch

    Attempt start(SyscallEvent e) throws ScriptException {
        startWakeAt = Long.MAX_VALUE;
        List<Expr> a = e.args();
        int line = e.line();
        return switch (e.name()) {
            case "socket" -> { args(e, 3); yield socket(e); }
            case "bind" -> { args(e, 3); yield bind(e, fd(e, 0)); }
            case "listen" -> { args(e, 2); yield listen(fd(e, 0), (int) num(a.get(1), line)); }
            case "accept", "accept4" -> accept(e, fd(e, 0));
            case "connect" -> { args(e, 3); yield connect(e, fd(e, 0)); }
            case "read" -> read(e, fd(e, 0), length(e), false, 0);
            case "recv", "recvfrom" -> read(e, fd(e, 0), length(e), dontWait(e), recvFlags(e, 3));
            case "write", "send" -> deferredConnect(fd(e, 0)) ? sendto(e, fd(e, 0), length(e))
                    : write(e, fd(e, 0), length(e), dontWait(e), sendFlags(e, 3));
            case "sendto" -> sendto(e, fd(e, 0), length(e));
            case "readv" -> { args(e, 3); yield read(e, fd(e, 0), iovLength(a.get(1), line), false, 0); }
            case "writev" -> { args(e, 3); yield write(e, fd(e, 0), iovLength(a.get(1), line), false, 0); }
            case "recvmsg" -> { args(e, 3); yield recvmsg(e, fd(e, 0)); }
            case "sendmsg" -> { args(e, 3); yield write(e, fd(e, 0), iovLength(msgIov(e), line), flagSet(a.get(2), line, MSG_DONTWAIT), sendFlags(e, 2)); }
            case "close" -> { args(e, 1); yield close(e, fd(e, 0)); }
            case "shutdown" -> { args(e, 2); yield shutdown(fd(e, 0), (int) num(a.get(1), line)); }
            case "setsockopt" -> { args(e, 5); yield options.setsockopt(e, fd(e, 0)); }
            case "getsockopt" -> { args(e, 5); yield options.getsockopt(e, fd(e, 0)); }
            case "fcntl" -> fcntl(e, fd(e, 0));
            case "poll" -> { args(e, 3); yield polls.poll(e); }
            case "ioctl" -> { args(e, 3); yield ioctl(e, fd(e, 0)); }
            case "epoll_create", "epoll_create1" -> { args(e, 1); yield polls.epollCreate(e); }
            case "epoll_ctl" -> { args(e, 4); yield polls.epollCtl(e, fd(e, 0)); }
            case "epoll_wait" -> { args(e, 4); yield polls.epollWait(e, fd(e, 0)); }
            default -> throw new ScriptException(line, "system call " + e.name() + "() is not supported");
        };
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

    /** Two errno names of one number, as EWOULDBLOCK is EAGAIN on Linux and on FreeBSD. */
    private static boolean sameErrno(String want, String got) {
        if (want.equals(got)) return true;
        Integer w = Errno.NUMBERS.get(want);
        return w != null && w.equals(Errno.NUMBERS.get(got));
    }

    /** Compares a call's result with the script's "= ret [ERRNO]"; "= -1" without an errno accepts any errno, as packetdrill does. */
    void verify(SyscallEvent e, Result r) throws ScriptException {
        long want = num(e.result(), e.line());
        boolean anyErrno = e.errno() == null && want == -1;
        if (r.value() != want || (e.errno() != null && !sameErrno(e.errno(), r.errno())) || (e.errno() == null && r.errno() != null && !anyErrno)) {
            throw new ScriptException(e.line(), e.name() + "() returned " + r + ", expected " + want + (e.errno() == null ? "" : " " + e.errno()));
        }
    }

    private static void args(SyscallEvent e, int n) throws ScriptException {
        if (e.args().size() != n) throw new ScriptException(e.line(), e.name() + "() takes " + n + " arguments, got " + e.args().size());
    }

    private Descriptor fd(SyscallEvent e, int index) throws ScriptException {
        if (e.args().isEmpty()) throw new ScriptException(e.line(), e.name() + "() needs a file descriptor");
        return fds.get((int) num(e.args().get(index), e.line()));
    }

    /** MSG_MORE and MSG_EOR of a send's flags (argument {@code index}) as {@link WriteFlags}. */
    private static int sendFlags(SyscallEvent e, int index) throws ScriptException {
        if (e.args().size() <= index) return 0;
        Expr flags = e.args().get(index);
        return (flagSet(flags, e.line(), MSG_MORE) ? WriteFlags.MORE : 0) | (flagSet(flags, e.line(), MSG_EOR) ? WriteFlags.END_OF_RECORD : 0);
    }

    /** MSG_PEEK of a recv's flags (argument {@code index}) as {@link ReadFlags}. */
    private static int recvFlags(SyscallEvent e, int index) throws ScriptException {
        return e.args().size() > index && flagSet(e.args().get(index), e.line(), MSG_PEEK) ? ReadFlags.PEEK : 0;
    }

    /** MSG_DONTWAIT in a recv/send flags argument: this call alone does not block. */
    private static boolean dontWait(SyscallEvent e) throws ScriptException {
        return e.args().size() > 3 && flagSet(e.args().get(3), e.line(), MSG_DONTWAIT);
    }

    private static int length(SyscallEvent e) throws ScriptException {
        if (e.args().size() < 3) throw new ScriptException(e.line(), e.name() + "() needs (fd, buffer, length, ...)");
        return (int) num(e.args().get(2), e.line());
    }

    /** A call the socket layer refused: the errno of the engine's error it carries, else {@code otherwise}. */
    static Result failure(Exception e, String otherwise) {
        return Result.error(Errno.of(e, otherwise));
    }

    // ------------------------------------------------------------------ sockets

    private Attempt socket(SyscallEvent e) throws ScriptException {
        Expr family = e.args().get(0);
        int wanted = runner.ipv6Sockets ? AF_INET6 : AF_INET;
        if (!(family instanceof Ellipsis) && num(family, e.line()) != wanted) {
            throw new ScriptException(e.line(), "this run's sockets are " + (runner.ipv6Sockets ? "AF_INET6" : "AF_INET")
                    + " (--ip_version)");
        }
        if (num(e.args().get(1), e.line()) != SOCK_STREAM) throw new ScriptException(e.line(), "only SOCK_STREAM sockets are supported");
        return () -> {
            TcpSocket socket = new TcpSocket(stack);
            nonBlocking(socket);
            return Result.ok(open(e, Descriptor.of(socket)));
        };
    }

    /** Puts a new socket in non-blocking mode: the runner blocks a call by retrying it. */
    private static void nonBlocking(TcpSocket socket) {
        try {
            socket.configureBlocking(false);
        } catch (IOException ex) {
            throw new IllegalStateException("a new socket refused non-blocking mode", ex);
        }
    }

    /** Gives {@code d} a descriptor number (see {@link #newFd}); a socket becomes the one under test. */
    int open(SyscallEvent e, Descriptor d) {
        int fd = newFd(e);
        fds.put(fd, d);
        if (d.epoll == null) options.underTest = d;
        return fd;
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

    private Attempt bind(SyscallEvent e, Descriptor d) throws ScriptException {
        int port = address(e.args().get(1), e.line(), runner.bindPort);
        return () -> {
            if (d == null) return Result.error("EBADF");
            if (d.socket == null) return Result.error("EINVAL");
            try {
                d.socket.bind(port);
            } catch (BindException ex) {
                return Result.error("EADDRINUSE");
            } catch (IOException | IllegalArgumentException ex) {
                return failure(ex, "EINVAL");
            }
            return Result.ok(0);
        };
    }

    /** The port of a sockaddr argument: "..." means the script's default port (8080 unless --bind_port/--connect_port). */
    private static int address(Expr x, int line, int defaultPort) throws ScriptException {
        if (x instanceof Ellipsis) return defaultPort;
        if (x instanceof StructExpr st && st.fields().containsKey("sin_port")) return (int) num(st.fields().get("sin_port"), line);
        throw new ScriptException(line, "unsupported address " + x + " (write ... or {sin_port=htons(N), ...})");
    }

    private Attempt listen(Descriptor d, int backlog) {
        return () -> {
            if (d == null) return Result.error("EBADF");
            if (d.server != null) return Result.ok(0);
            if (d.socket == null || d.hasConnection()) return Result.error("EINVAL");
            try {
                // Linux queues up to backlog + 1 established connections (sk_ack_backlog > backlog is full).
                d.server = d.socket.listen(Math.max(0, backlog) + 1);
            } catch (IOException ex) {
                return Result.error("EADDRINUSE");
            } finally {
                d.socket = null;
            }
            runner.listenPort = d.server.getLocalPort();
            return Result.ok(0);
        };
    }

    private Attempt accept(SyscallEvent e, Descriptor d) {
        return () -> {
            if (d == null) return Result.error("EBADF");
            if (d.server == null) return Result.error("EINVAL");
            TcpSocket child;
            try {
                child = d.server.accept();
            } catch (IOException ex) {
                return failure(ex, "EINVAL");
            }
            if (child == null) return d.nonBlocking ? Result.error("EAGAIN") : null;
            nonBlocking(child);
            return Result.ok(open(e, Descriptor.of(child)));
        };
    }

    private Attempt connect(SyscallEvent e, Descriptor d) throws ScriptException {
        int port = address(e.args().get(1), e.line(), runner.connectPort);
        boolean[] started = new boolean[1];
        return () -> {
            if (d == null) return Result.error("EBADF");
            if (d.server != null) return Result.error("EISCONN");
            if (d.socket == null) return Result.error("ENOTSOCK");
            if (port < 0 || port > 0xffff) return Result.error("EINVAL");
            TcpSocket s = d.socket;
            if (!started[0]) {
                TcpError pending = s.error();
                if (pending != null && !d.errorReported) {
                    d.errorReported = true;
                    return Result.error(Errno.of(pending));
                }
                try {
                    s.connect(new InetSocketAddress(runner.remoteAddress.toInetAddress(), port));
                } catch (IOException | IllegalArgumentException ex) {
                    return failure(ex, "EADDRNOTAVAIL");
                }
                started[0] = true;
                if (s.isConnectDeferred()) return Result.ok(0); // TCP_FASTOPEN_CONNECT: the first write connects
                if (d.nonBlocking) return Result.error("EINPROGRESS");
            }
            if (s.isConnectionPending()) return null;
            TcpError error = s.error();
            if (error != null) {
                d.errorReported = true;
                return Result.error(Errno.of(error));
            }
            return Result.ok(0);
        };
    }

    /** read/write/send/recv with NULL as the buffer (packetdrill's bad-address tests). */
    static boolean nullBuffer(SyscallEvent e) {
        return e.args().size() > 1 && e.args().get(1) instanceof Script.Null;
    }

    private Attempt read(SyscallEvent e, Descriptor d, int length, boolean dontWait, int flags) {
        return () -> {
            if (d == null) return Result.error("EBADF");
            if (!d.hasConnection()) return Result.error("ENOTCONN");
            TcpSocket s = d.socket;
            int n;
            try {
                // A NULL buffer: Linux fails the copy of the first byte with EFAULT, consuming nothing.
                if (nullBuffer(e) && length > 0 && s.available() > 0) return Result.error("EFAULT");
                n = s.read(ByteBuffer.allocate(Math.max(0, length)), flags);
            } catch (IOException ex) {
                d.errorReported = true;
                return failure(ex, "EIO");
            }
            if (n < 0) return Result.ok(0);
            if ((flags & ReadFlags.PEEK) == 0) d.bytesRead += n;
            if (n > 0 || length == 0) return Result.ok(n);
            return d.nonBlocking || dontWait ? Result.error("EAGAIN") : null;
        };
    }

    /** A socket whose connect() TCP_FASTOPEN_CONNECT deferred: its first write connects. */
    private static boolean deferredConnect(Descriptor d) {
        return d != null && d.socket != null && d.socket.isConnectDeferred();
    }

    /** sendto: with MSG_FASTOPEN (or after a deferred connect) a Fast Open connect ({@link FastOpenCalls}), else a send. */
    private Attempt sendto(SyscallEvent e, Descriptor d, int length) throws ScriptException {
        boolean dontWait = dontWait(e);
        int flags = sendFlags(e, 3);
        boolean fastOpen = deferredConnect(d) || e.args().size() >= 5 && flagSet(e.args().get(3), e.line(), MSG_FASTOPEN);
        if (!fastOpen) return write(e, d, length, dontWait, flags);
        int port = e.args().size() >= 5 ? address(e.args().get(4), e.line(), runner.connectPort) : runner.connectPort;
        return FastOpenCalls.sendto(e, d, length, port, dontWait, this, n -> write(e, d, n, dontWait, flags));
    }

    private Attempt write(SyscallEvent e, Descriptor d, int length, boolean dontWait, int flags) {
        int[] written = new int[1];
        boolean[] blocked = new boolean[1];
        return () -> {
            if (d == null) return Result.error("EBADF");
            if (d.server != null) return Result.error("ENOTCONN");
            // Linux's tcp_sendmsg: a socket that never connected fails with EPIPE.
            if (!d.hasConnection()) return Result.error("EPIPE");
            TcpSocket s = d.socket;
            TcpState state = s.state();
            boolean fastOpenChild = state == TcpState.SYN_RECV && s.tcpInfo().fastOpenChild();
            if ((state == TcpState.SYN_SENT || state == TcpState.SYN_RECV) && !fastOpenChild && s.error() == null) {
                // Linux waits for the connection before queueing data (sk_stream_wait_connect): EAGAIN if
                // non-blocking; a Fast Open child sends at once (tcp_passive_fastopen).
                return (d.nonBlocking || dontWait) ? Result.error("EAGAIN") : null;
            }
            if (nullBuffer(e) && length > 0 && s.error() == null && s.isWritable()) return Result.error("EFAULT");
            // A blocked writer is woken only when the socket is writable as poll reports it
            // (sk_stream_write_space), which the unsent-data low-water mark can delay.
            if (blocked[0] && !s.isWritable()) return null;
            int n;
            try {
                n = s.write(ByteBuffer.allocate(length - written[0]), flags);
            } catch (IOException ex) {
                if (written[0] > 0) return Result.ok(written[0]);
                d.errorReported = true;
                return failure(ex, "EPIPE");
            }
            written[0] += n;
            if (written[0] == length) return Result.ok(length);
            d.noSpace = true; // sk_stream_wait_memory: the writer wants to hear of room
            if (d.nonBlocking || dontWait) return written[0] > 0 ? Result.ok(written[0]) : Result.error("EAGAIN");
            blocked[0] = true;
            return null;
        };
    }

    private Attempt close(SyscallEvent e, Descriptor d) throws ScriptException {
        int fd = (int) num(e.args().get(0), e.line());
        boolean[] started = new boolean[1];
        return () -> {
            if (d == null) return Result.error("EBADF");
            TcpSocket s = d.socket;
            if (!started[0]) {
                started[0] = true;
                fds.remove(fd);
                int linger;
                try {
                    if (d.server != null) d.server.close();
                    if (s == null) return Result.ok(0);
                    linger = s.getOption(StandardSocketOptions.SO_LINGER);
                    s.close();
                } catch (IOException ex) {
                    return failure(ex, "EIO");
                }
                if (!d.hasConnection() || linger <= 0 || d.nonBlocking) return Result.ok(0);
                lingerUntil = runner.now + linger * 1_000_000_000L;
                startWakeAt = lingerUntil;
            }
            // SO_LINGER with a time: close() waits until the data is acknowledged or the time is up.
            if (s.isOutputDrained() || runner.now >= lingerUntil) return Result.ok(0);
            return null;
        };
    }

    private Attempt shutdown(Descriptor d, int how) {
        return () -> {
            if (d == null) return Result.error("EBADF");
            if (how < SHUT_RD || how > SHUT_RDWR) return Result.error("EINVAL");
            if (!d.hasConnection()) return Result.error("ENOTCONN");
            try {
                d.socket.shutdown(how == SHUT_RD ? ShutdownHow.READ : how == SHUT_WR ? ShutdownHow.WRITE : ShutdownHow.BOTH);
            } catch (IOException ex) {
                return failure(ex, "EINVAL");
            }
            return Result.ok(0);
        };
    }

    private Attempt fcntl(SyscallEvent e, Descriptor d) throws ScriptException {
        int line = e.line();
        if (e.args().size() < 2) throw new ScriptException(line, "fcntl() needs (fd, cmd[, arg])");
        long cmd = num(e.args().get(1), line);
        long arg = e.args().size() > 2 ? num(e.args().get(2), line) : 0;
        return () -> {
            if (d == null) return Result.error("EBADF");
            if (cmd == F_GETFL) return Result.ok(O_RDWR | (d.nonBlocking ? O_NONBLOCK : 0));
            if (cmd == F_SETFL) {
                d.nonBlocking = (arg & O_NONBLOCK) != 0;
                return Result.ok(0);
            }
            return Result.error("EINVAL");
        };
    }

    private Attempt ioctl(SyscallEvent e, Descriptor d) throws ScriptException {
        int line = e.line();
        long request = num(e.args().get(1), line);
        Expr want = e.args().get(2);
        return () -> {
            if (d == null) return Result.error("EBADF");
            if (request != SIOCINQ || !d.hasConnection()) return Result.error("EINVAL");
            long n = available(d.socket);
            if (!(want instanceof Ellipsis) && num(want, line) != n) {
                throw new ScriptException(line, "ioctl(SIOCINQ) gave " + n + ", expected " + want);
            }
            return Result.ok(0);
        };
    }

    /** The bytes {@code s} holds to read (0 once closed). */
    static int available(TcpSocket s) {
        try {
            return s.available();
        } catch (IOException closed) {
            return 0;
        }
    }

    // ------------------------------------------------------------------ recvmsg

    /** recvmsg(fd, {msg_name(...)=..., msg_iov(N)=[...], msg_flags=F}, flags): a read into the iovecs; TCP returns msg_flags 0. */
    private Attempt recvmsg(SyscallEvent e, Descriptor d) throws ScriptException {
        int line = e.line();
        int length = iovLength(msgIov(e), line);
        Expr wantFlags = ((StructExpr) e.args().get(1)).fields().get("msg_flags");
        Expr wantControl = ((StructExpr) e.args().get(1)).fields().get("msg_control");
        Attempt read = read(e, d, length, flagSet(e.args().get(2), line, MSG_DONTWAIT), recvFlags(e, 2));
        return () -> {
            Result r = read.attempt();
            if (r != null && r.errno() == null && wantFlags != null && !(wantFlags instanceof Ellipsis) && num(wantFlags, line) != 0) {
                throw new ScriptException(line, "recvmsg() msg_flags is 0, expected " + wantFlags);
            }
            if (r != null && wantControl != null) compareInqControl(wantControl, d, r, line);
            return r;
        };
    }

    /**
     * The control messages of a recvmsg() that returned {@code r}: with TCP_INQ on, a successful one
     * carries TCP_CM_INQ, Linux's tcp_inq_hint after the copy: the bytes up to RCV.NXT not yet read,
     * which counts a received FIN as one (and is at least 1 once the FIN came, so that the reader
     * goes on to read the end of file).
     */
    private static void compareInqControl(Expr want, Descriptor d, Result r, int line) throws ScriptException {
        List<Expr> wanted = ((ListExpr) want).items();
        boolean sent = d.inq && r.errno() == null && d.hasConnection();
        if (wanted.size() != (sent ? 1 : 0)) {
            throw new ScriptException(line, "recvmsg() returned " + (sent ? "a TCP_CM_INQ control message" : "no control message")
                    + ", expected " + want);
        }
        if (!sent) return;
        long inq = (long) available(d.socket) + (peerFinReceived(d.socket.state()) ? 1 : 0);
        Expr data = ((StructExpr) wanted.get(0)).fields().get("cmsg_data");
        if (!(data instanceof Ellipsis) && num(data, line) != inq) {
            throw new ScriptException(line, "recvmsg() TCP_CM_INQ is " + inq + ", expected " + data);
        }
    }

    /** The peer's FIN has arrived (RCV.NXT counts it). */
    static boolean peerFinReceived(TcpState state) {
        return switch (state) {
            case CLOSE_WAIT, LAST_ACK, CLOSING, TIME_WAIT -> true;
            default -> false;
        };
    }

    // ------------------------------------------------------------------ TCP_INFO

    /** An inbound SYN reached the listening socket under test: packetdrill now tracks the child it makes. */
    void synArrived() {
        options.synArrived();
    }

    /** The tcpi_* variables of the socket under test now, for a code block at {@code line}. */
    Map<String, Object> tcpInfoOfSocketUnderTest(int line) throws ScriptException {
        return options.tcpInfoOfSocketUnderTest(fds, line);
    }
}
