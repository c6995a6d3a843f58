package dev.synack.pkt;

import dev.synack.pkt.Script.CallExpr;
import dev.synack.pkt.Script.Expr;
import dev.synack.pkt.Script.ListExpr;
import dev.synack.pkt.Script.Num;
import dev.synack.pkt.Script.OrExpr;
import dev.synack.pkt.Script.Sym;
import java.util.Map;

/**
 * Linux's numbers for the families, levels, options, flags and commands scripts name, and the
 * value of a script expression built from them.
 */
final class SyscallConstants {
    private SyscallConstants() {}

    static final int O_RDWR = 2;
    static final int O_NONBLOCK = 0x800;
    // Linux's numbers for the levels, options and commands scripts use.
    static final int AF_INET = 2, AF_INET6 = 10, SOCK_STREAM = 1;
    static final int SOL_SOCKET = 1, SOL_TCP = 6;
    static final int SO_REUSEADDR = 2, SO_ERROR = 4, SO_SNDBUF = 7, SO_RCVBUF = 8, SO_KEEPALIVE = 9, SO_LINGER = 13,
            SO_REUSEPORT = 15;
    static final int TCP_NODELAY = 1, TCP_MAXSEG = 2, TCP_CORK = 3, TCP_INFO = 11, TCP_USER_TIMEOUT = 18, TCP_NOTSENT_LOWAT = 25,
            TCP_FASTOPEN = 23, TCP_FASTOPEN_CONNECT = 30, TCP_INQ = 36;
    /** The control message type of TCP_INQ's hint (Linux defines it as TCP_INQ). */
    static final int TCP_CM_INQ = TCP_INQ;
    static final int MSG_PEEK = 0x2, MSG_DONTWAIT = 0x40, MSG_EOR = 0x80, MSG_NOSIGNAL = 0x4000, MSG_MORE = 0x8000, MSG_FASTOPEN = 0x20000000;
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
    static final int DEFAULT_MSS = 536;

    private static final Map<String, Long> CONSTANTS = Map.ofEntries(
            Map.entry("AF_INET", (long) AF_INET), Map.entry("AF_INET6", (long) AF_INET6), Map.entry("SOCK_STREAM", (long) SOCK_STREAM), Map.entry("IPPROTO_TCP", 6L),
            Map.entry("IPPROTO_IP", 0L), Map.entry("SOL_SOCKET", (long) SOL_SOCKET), Map.entry("SOL_TCP", (long) SOL_TCP),
            Map.entry("SO_REUSEADDR", (long) SO_REUSEADDR), Map.entry("SO_ERROR", (long) SO_ERROR),
            Map.entry("SO_SNDBUF", (long) SO_SNDBUF), Map.entry("SO_RCVBUF", (long) SO_RCVBUF),
            Map.entry("SO_KEEPALIVE", (long) SO_KEEPALIVE), Map.entry("SO_LINGER", (long) SO_LINGER),
            Map.entry("SO_REUSEPORT", (long) SO_REUSEPORT), Map.entry("TCP_NODELAY", (long) TCP_NODELAY),
            Map.entry("TCP_MAXSEG", (long) TCP_MAXSEG), Map.entry("TCP_KEEPIDLE", 4L),
            Map.entry("TCP_FASTOPEN", (long) TCP_FASTOPEN), Map.entry("TCP_FASTOPEN_CONNECT", (long) TCP_FASTOPEN_CONNECT),
            Map.entry("TCP_KEEPINTVL", 5L), Map.entry("TCP_KEEPCNT", 6L),
            Map.entry("SHUT_RD", (long) SHUT_RD), Map.entry("SHUT_WR", (long) SHUT_WR), Map.entry("SHUT_RDWR", (long) SHUT_RDWR),
            Map.entry("F_GETFL", (long) F_GETFL), Map.entry("F_SETFL", (long) F_SETFL), Map.entry("O_RDWR", (long) O_RDWR),
            Map.entry("O_RDONLY", 0L), Map.entry("O_NONBLOCK", (long) O_NONBLOCK), Map.entry("SIOCINQ", (long) SIOCINQ),
            Map.entry("FIONREAD", (long) SIOCINQ),
            Map.entry("POLLIN", (long) POLLIN), Map.entry("POLLOUT", (long) POLLOUT), Map.entry("POLLERR", (long) POLLERR),
            Map.entry("POLLHUP", (long) POLLHUP), Map.entry("POLLNVAL", (long) POLLNVAL), Map.entry("POLLRDNORM", (long) POLLRDNORM),
            Map.entry("POLLWRNORM", (long) POLLWRNORM), Map.entry("POLLRDHUP", (long) POLLRDHUP),
            Map.entry("MSG_DONTWAIT", (long) MSG_DONTWAIT), Map.entry("MSG_PEEK", (long) MSG_PEEK), Map.entry("MSG_EOR", 0x80L),
            Map.entry("MSG_WAITALL", 0x100L), Map.entry("MSG_NOSIGNAL", (long) MSG_NOSIGNAL), Map.entry("MSG_MORE", 0x8000L),
            Map.entry("MSG_ZEROCOPY", 0x4000000L), Map.entry("MSG_FASTOPEN", (long) MSG_FASTOPEN), Map.entry("MSG_ERRQUEUE", 0x2000L),
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

    /** True when {@code flags} (a number, a name or A|B) has {@code bit}. */
    static boolean flagSet(Expr flags, int line, int bit) throws ScriptException {
        return (num(flags, line) & bit) != 0;
    }
}
