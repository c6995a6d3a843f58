package dev.synack.pkt;

import static dev.synack.pkt.SyscallConstants.DEFAULT_MSS;
import static dev.synack.pkt.SyscallConstants.SOL_SOCKET;
import static dev.synack.pkt.SyscallConstants.SOL_TCP;
import static dev.synack.pkt.SyscallConstants.SO_RCVBUF;
import static dev.synack.pkt.SyscallConstants.SO_ERROR;
import static dev.synack.pkt.SyscallConstants.SO_KEEPALIVE;
import static dev.synack.pkt.SyscallConstants.SO_LINGER;
import static dev.synack.pkt.SyscallConstants.SO_REUSEADDR;
import static dev.synack.pkt.SyscallConstants.SO_REUSEPORT;
import static dev.synack.pkt.SyscallConstants.SO_SNDBUF;
import static dev.synack.pkt.SyscallConstants.TCP_CORK;
import static dev.synack.pkt.SyscallConstants.TCP_INFO;
import static dev.synack.pkt.SyscallConstants.TCP_INQ;
import static dev.synack.pkt.SyscallConstants.TCP_FASTOPEN;
import static dev.synack.pkt.SyscallConstants.TCP_FASTOPEN_CONNECT;
import static dev.synack.pkt.SyscallConstants.TCP_MAXSEG;
import static dev.synack.pkt.SyscallConstants.TCP_NODELAY;
import static dev.synack.pkt.SyscallConstants.TCP_NOTSENT_LOWAT;
import static dev.synack.pkt.SyscallConstants.TCP_USER_TIMEOUT;
import static dev.synack.pkt.SyscallConstants.WMEM_MAX;
import static dev.synack.pkt.SyscallConstants.num;

import dev.synack.pkt.Script.Ellipsis;
import dev.synack.pkt.Script.Expr;
import dev.synack.pkt.Script.StructExpr;
import dev.synack.pkt.Script.SyscallEvent;
import dev.synack.pkt.SyscallTable.Attempt;
import dev.synack.pkt.SyscallTable.Result;
import dev.synack.socket.TcpSocketOptions;
import dev.synack.tcp.TcpError;
import dev.synack.tcp.TcpInfo;
import dev.synack.tcp.TcpState;
import java.io.IOException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * setsockopt() and getsockopt() on a descriptor's socket, Linux's levels and names mapped onto
 * the socket's options ({@link StandardSocketOptions}, {@link TcpSocketOptions}), and the
 * TCP_INFO of the socket under test that code blocks read.
 */
final class SocketOptionCalls {
    /**
     * packetdrill's "socket under test", whose TCP_INFO code blocks read: the socket the last
     * socket() or accept() made; null after an inbound SYN reached a listening one (packetdrill then
     * tracks the new child, which has no file descriptor until accept()).
     */
    Descriptor underTest;


    Attempt setsockopt(SyscallEvent e, Descriptor d) throws ScriptException {
        int line = e.line();
        long level = num(e.args().get(1), line);
        long name = num(e.args().get(2), line);
        Expr value = e.args().get(3);
        return () -> {
            Result refused = notASocket(d);
            if (refused != null) return refused;
            try {
                if (level == SOL_SOCKET && name == SO_LINGER) {
                    if (!(value instanceof StructExpr st)) throw new ScriptException(line, "SO_LINGER takes {onoff=N, linger=N}");
                    boolean on = num(field(st, line, "onoff", "l_onoff"), line) != 0;
                    set(d, StandardSocketOptions.SO_LINGER, on ? (int) num(field(st, line, "linger", "l_linger"), line) : -1);
                    return Result.ok(0);
                }
                long v = num(value, line);
                if (level == SOL_SOCKET) {
                    switch ((int) name) {
                        case SO_REUSEADDR, SO_REUSEPORT -> set(d, StandardSocketOptions.SO_REUSEADDR, v != 0);
                        case SO_SNDBUF -> set(d, StandardSocketOptions.SO_SNDBUF, linuxSendBuffer(v));
                        case SO_KEEPALIVE -> set(d, StandardSocketOptions.SO_KEEPALIVE, v != 0);
                        default -> { return Result.error("ENOPROTOOPT"); }
                    }
                    return Result.ok(0);
                }
                if (level != SOL_TCP) return Result.error("ENOPROTOOPT");
                switch ((int) name) {
                    case TCP_NODELAY -> set(d, StandardSocketOptions.TCP_NODELAY, v != 0);
                    case TCP_CORK -> set(d, TcpSocketOptions.TCP_CORK, v != 0);
                    // Linux stores the int as an unsigned mark (0: the sysctl's).
                    case TCP_NOTSENT_LOWAT -> set(d, TcpSocketOptions.TCP_NOTSENT_LOWAT, v & 0xffff_ffffL);
                    case TCP_INQ -> {
                        if (v < 0 || v > 1) return Result.error("EINVAL"); // Linux: only 0 or 1
                        d.inq = v == 1;
                    }
                    case TCP_USER_TIMEOUT -> {
                        // Linux's do_tcp_setsockopt reads an int: a negative one is EINVAL.
                        int millis = (int) v;
                        if (millis < 0) return Result.error("EINVAL");
                        set(d, TcpSocketOptions.TCP_USER_TIMEOUT, Duration.ofMillis(millis));
                    }
                    // Linux's do_tcp_setsockopt: 0 or TCP_MIN_MSS..MAX_TCP_WINDOW, kept as user_mss.
                    case TCP_MAXSEG -> set(d, TcpSocketOptions.TCP_MAXSEG, Math.clamp(v, Integer.MIN_VALUE, Integer.MAX_VALUE));
                    // Linux's do_tcp_setsockopt(TCP_FASTOPEN): the Fast Open queue length of a listener-to-be.
                    case TCP_FASTOPEN_CONNECT -> {
                        if (v < 0 || v > 1) return Result.error("EINVAL"); // Linux: 0 or 1
                        set(d, TcpSocketOptions.TCP_FASTOPEN_CONNECT, v == 1);
                    }
                    case TCP_FASTOPEN -> {
                        if (v < 0) return Result.error("EINVAL");
                        set(d, TcpSocketOptions.TCP_FASTOPEN, (int) Math.min(v, Integer.MAX_VALUE));
                    }
                    default -> { return Result.error("ENOPROTOOPT"); }
                }
                return Result.ok(0);
            } catch (IOException | IllegalArgumentException ex) {
                return SyscallTable.failure(ex, "EINVAL");
            }
        };
    }

    Attempt getsockopt(SyscallEvent e, Descriptor d) throws ScriptException {
        int line = e.line();
        long level = num(e.args().get(1), line);
        long name = num(e.args().get(2), line);
        Expr want = e.args().get(3);
        return () -> {
            Result refused = notASocket(d);
            if (refused != null) return refused;
            if (level == SOL_SOCKET && name == SO_LINGER) {
                int linger = get(d, StandardSocketOptions.SO_LINGER);
                if (want instanceof StructExpr st) {
                    long on = num(field(st, line, "onoff", "l_onoff"), line);
                    long secs = num(field(st, line, "linger", "l_linger"), line);
                    if ((on != 0) != (linger >= 0) || secs != Math.max(0, linger)) {
                        throw new ScriptException(line, "getsockopt(SO_LINGER) is {onoff=" + (linger >= 0 ? 1 : 0) + ", linger="
                                + Math.max(0, linger) + "}, expected " + st);
                    }
                }
                return Result.ok(0);
            }
            if (level == SOL_TCP && name == TCP_INFO) {
                if (!(want instanceof StructExpr st)) throw new ScriptException(line, "getsockopt(TCP_INFO) takes {tcpi_NAME=VALUE, ...}");
                compareTcpInfo(st, d, line);
                return Result.ok(0);
            }
            Long actual = level == SOL_SOCKET ? socketLevel(d, (int) name) : level == SOL_TCP ? tcpLevel(d, (int) name) : null;
            if (actual == null) return Result.error("ENOPROTOOPT");
            if (!(want instanceof Ellipsis) && num(want, line) != actual) {
                throw new ScriptException(line, "getsockopt() gave " + actual + ", expected " + want);
            }
            return Result.ok(0);
        };
    }

    /** A SOL_SOCKET option's value, or null for one synack does not have. */
    private static Long socketLevel(Descriptor d, int name) {
        return switch (name) {
            case SO_REUSEADDR, SO_REUSEPORT -> get(d, StandardSocketOptions.SO_REUSEADDR) ? 1L : 0L;
            case SO_ERROR -> {
                // Linux's sock_getsockopt: the pending error, reported once (sock_error), else the
                // soft error an ICMP message left (sk_err_soft), cleared by reading it.
                TcpError error = d.socket == null ? null : d.socket.error();
                if (error == null || d.errorReported) error = d.socket == null ? null : d.socket.takeSoftError();
                else d.errorReported = true;
                yield error == null ? 0L : (long) Errno.NUMBERS.get(Errno.of(error));
            }
            case SO_KEEPALIVE -> get(d, StandardSocketOptions.SO_KEEPALIVE) ? 1L : 0L;
            case SO_SNDBUF -> (long) get(d, StandardSocketOptions.SO_SNDBUF); // set before (a script reading an unset one is skipped)
            case SO_RCVBUF -> receiveBuffer(d); // read only under --profile freebsd (else the script is skipped)
            default -> null;
        };
    }

    /** FreeBSD's SO_RCVBUF: the connection's receive buffer, or the stack's default before there is one. */
    private static long receiveBuffer(Descriptor d) {
        TcpInfo info = d.socket == null ? null : d.socket.tcpInfo();
        if (info != null) return info.receiveBuffer();
        return (d.socket != null ? d.socket.stack() : d.server.stack()).config().receiveBufferSize();
    }

    /** A SOL_TCP option's value, or null for one synack does not have. */
    private static Long tcpLevel(Descriptor d, int name) {
        return switch (name) {
            case TCP_NODELAY -> get(d, StandardSocketOptions.TCP_NODELAY) ? 1L : 0L;
            case TCP_CORK -> get(d, TcpSocketOptions.TCP_CORK) ? 1L : 0L;
            case TCP_NOTSENT_LOWAT -> get(d, TcpSocketOptions.TCP_NOTSENT_LOWAT);
            case TCP_USER_TIMEOUT -> get(d, TcpSocketOptions.TCP_USER_TIMEOUT).toMillis();
            case TCP_INQ -> d.inq ? 1L : 0L;
            case TCP_MAXSEG -> (long) maxSegmentSize(d);
            default -> null;
        };
    }

    /**
     * Linux's do_tcp_getsockopt(TCP_MAXSEG): the MSS in use (mss_cache) once synchronized, but
     * user_mss when set on a closed or listening socket, and the IPv4 default otherwise.
     */
    private static int maxSegmentSize(Descriptor d) {
        if (d.socket != null && d.socket.state().isSynchronized()) return d.socket.tcpInfo().sndMss();
        int set = get(d, TcpSocketOptions.TCP_MAXSEG);
        return set != 0 ? set : DEFAULT_MSS;
    }

    /** EBADF for a closed descriptor, ENOTSOCK for an epoll instance; null for a socket. */
    private static Result notASocket(Descriptor d) {
        if (d == null) return Result.error("EBADF");
        return d.socket == null && d.server == null ? Result.error("ENOTSOCK") : null;
    }

    private static <T> void set(Descriptor d, SocketOption<T> option, T value) throws IOException {
        if (d.server != null) d.server.setOption(option, value);
        else d.socket.setOption(option, value);
    }

    private static <T> T get(Descriptor d, SocketOption<T> option) {
        return d.server != null ? d.server.getOption(option) : d.socket.getOption(option);
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

    static Expr field(StructExpr st, int line, String... names) throws ScriptException {
        for (String n : names) if (st.fields().containsKey(n)) return st.fields().get(n);
        throw new ScriptException(line, "missing field " + names[0] + " in " + st);
    }

    // ------------------------------------------------------------------ TCP_INFO

    /** An inbound SYN reached the listening socket under test: packetdrill now tracks the child it makes. */
    void synArrived() {
        if (underTest == null || underTest.server != null) underTest = null;
    }

    /** The tcpi_* variables of the socket under test now, for a code block at {@code line}. */
    Map<String, Object> tcpInfoOfSocketUnderTest(Map<Integer, Descriptor> fds, int line) throws ScriptException {
        if (underTest == null) {
            throw new ScriptException(line, "no socket to use for code: the socket under test is a connection not yet accepted");
        }
        if (!fds.containsValue(underTest)) throw new ScriptException(line, "no socket to use for code: the socket under test was closed");
        return tcpInfo(underTest);
    }

    private static Map<String, Object> tcpInfo(Descriptor d) {
        TcpInfo info = d.socket == null ? null : d.socket.tcpInfo();
        if (info != null) return TcpInfoCode.variables(info);
        // A socket without a connection: Linux reports its state (LISTEN or CLOSE) and the defaults of
        // an unconnected socket, which synack does not model; only the state is given.
        Map<String, Object> v = new HashMap<>();
        v.put("tcpi_state", TcpInfoCode.linuxState(d.server != null ? TcpState.LISTEN : TcpState.CLOSED));
        return v;
    }

    private static void compareTcpInfo(StructExpr want, Descriptor d, int line) throws ScriptException {
        Map<String, Object> actual = tcpInfo(d);
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
}
