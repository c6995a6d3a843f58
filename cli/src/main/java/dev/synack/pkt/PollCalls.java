package dev.synack.pkt;

import static dev.synack.pkt.SyscallConstants.EPOLLET;
import static dev.synack.pkt.SyscallConstants.EPOLLEXCLUSIVE;
import static dev.synack.pkt.SyscallConstants.EPOLLONESHOT;
import static dev.synack.pkt.SyscallConstants.EPOLL_CTL_ADD;
import static dev.synack.pkt.SyscallConstants.EPOLL_CTL_DEL;
import static dev.synack.pkt.SyscallConstants.EPOLL_CTL_MOD;
import static dev.synack.pkt.SyscallConstants.POLLERR;
import static dev.synack.pkt.SyscallConstants.POLLHUP;
import static dev.synack.pkt.SyscallConstants.POLLIN;
import static dev.synack.pkt.SyscallConstants.POLLNVAL;
import static dev.synack.pkt.SyscallConstants.POLLOUT;
import static dev.synack.pkt.SyscallConstants.POLLRDHUP;
import static dev.synack.pkt.SyscallConstants.POLLRDNORM;
import static dev.synack.pkt.SyscallConstants.POLLWRNORM;
import static dev.synack.pkt.SyscallConstants.num;

import dev.synack.pkt.Script.Ellipsis;
import dev.synack.pkt.Script.Expr;
import dev.synack.pkt.Script.ListExpr;
import dev.synack.pkt.Script.StructExpr;
import dev.synack.pkt.Script.SyscallEvent;
import dev.synack.pkt.SyscallTable.Attempt;
import dev.synack.pkt.SyscallTable.Result;
import dev.synack.socket.TcpSocket;
import dev.synack.tcp.TcpState;
import java.util.List;
import java.util.TreeMap;

/**
 * poll() and epoll: the readiness of a descriptor's socket as Linux's tcp_poll() reports it, and
 * epoll's ready list, woken as Linux wakes a socket's wait queue.
 */
final class PollCalls {
    private final SyscallTable table;

    PollCalls(SyscallTable table) {
        this.table = table;
    }

    Attempt poll(SyscallEvent e) throws ScriptException {
        int line = e.line();
        if (!(e.args().get(0) instanceof ListExpr list)) throw new ScriptException(line, "poll() takes [{fd=N, events=..., revents=...}, ...]");
        long timeoutMs = num(e.args().get(2), line);
        long deadline = timeoutMs < 0 ? Long.MAX_VALUE : table.runner.now + timeoutMs * 1_000_000L;
        table.startWakeAt = deadline;
        return () -> {
            int ready = 0;
            StringBuilder got = new StringBuilder();
            boolean match = true;
            for (Expr item : list.items()) {
                if (!(item instanceof StructExpr st)) throw new ScriptException(line, "poll() entries are {fd=N, events=..., revents=...}");
                int fd = (int) num(SocketOptionCalls.field(st, line, "fd"), line);
                long events = num(SocketOptionCalls.field(st, line, "events"), line);
                long revents = revents(table.fds.get(fd)) & (events | POLLERR | POLLHUP | POLLNVAL);
                if (revents != 0) ready++;
                long want = st.fields().containsKey("revents") ? num(st.fields().get("revents"), line) : 0;
                if (want != revents) match = false;
                got.append(" fd ").append(fd).append(" revents=0x").append(Long.toHexString(revents));
            }
            if (ready == 0 && table.runner.now < deadline) return null;
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
    private long revents(Descriptor d) {
        if (d == null) return POLLNVAL;
        if (d.server != null) return d.server.pendingConnections() > 0 ? POLLIN | POLLRDNORM : 0;
        if (!d.hasConnection()) return POLLOUT | POLLWRNORM | POLLHUP;
        TcpSocket s = d.socket;
        TcpState st = s.state();
        long r = 0;
        if (s.error() != null && !d.errorReported) r |= POLLERR;
        boolean receiveShut = st == TcpState.CLOSED || SyscallTable.peerFinReceived(st) || s.isInputShutdown();
        boolean sendShut = s.isOutputShutdown() || switch (st) {
            case FIN_WAIT1, FIN_WAIT2, CLOSING, TIME_WAIT, LAST_ACK, CLOSED -> true;
            default -> false;
        };
        if (st == TcpState.CLOSED || (receiveShut && sendShut)) r |= POLLHUP;
        if (receiveShut) r |= POLLIN | POLLRDNORM | POLLRDHUP;
        if (st == TcpState.SYN_SENT || st == TcpState.SYN_RECV) return r;
        if (SyscallTable.available(s) > 0) r |= POLLIN | POLLRDNORM;
        if (sendShut || s.isWritable()) r |= POLLOUT | POLLWRNORM; // send room, unsent data below the low-water mark
        else d.noSpace = true; // tcp_poll asks to be woken when room appears
        return r;
    }

    /** An epoll instance: the sockets it watches, by descriptor. */
    static final class EpollSet {
        final TreeMap<Integer, EpollItem> items = new TreeMap<>();
    }

    /**
     * One watched socket (Linux's epitem): the events asked for, the data returned with them, and
     * whether it is on the ready list. A wake-up of the socket's wait queue puts it there; what
     * counts as one is told by {@link #wokenUp}.
     */
    static final class EpollItem {
        final Descriptor socket;
        long events;
        long data;
        boolean ready;
        boolean disabled;
        /** What the socket looked like when last checked for wake-ups. */
        long received = -1;
        TcpState state;
        boolean errored;

        EpollItem(Descriptor socket) { this.socket = socket; }
    }

    Attempt epollCreate(SyscallEvent e) throws ScriptException {
        long arg = num(e.args().get(0), e.line());
        boolean create1 = e.name().equals("epoll_create1");
        return () -> {
            // epoll_create's size is only checked to be positive; epoll_create1 knows EPOLL_CLOEXEC alone.
            if (create1 ? (arg & ~0x80000L) != 0 : arg <= 0) return Result.error("EINVAL");
            Descriptor d = new Descriptor();
            d.epoll = new EpollSet();
            return Result.ok(table.open(e, d));
        };
    }

    /** epoll_ctl(epfd, op, fd, {events=..., fd=N | ptr=P | u32=N | u64=N}) as Linux's ep_insert/ep_modify/ep_remove. */
    Attempt epollCtl(SyscallEvent e, Descriptor ep) throws ScriptException {
        int line = e.line();
        long op = num(e.args().get(1), line);
        int fd = (int) num(e.args().get(2), line);
        Expr ev = e.args().get(3);
        long events = ev instanceof StructExpr st ? num(SocketOptionCalls.field(st, line, "events"), line) : 0;
        long data = ev instanceof StructExpr st ? epollData(st, line) : 0;
        return () -> {
            Descriptor target = table.fds.get(fd);
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
    Attempt epollWait(SyscallEvent e, Descriptor ep) throws ScriptException {
        int line = e.line();
        Expr want = e.args().get(1);
        long max = num(e.args().get(2), line);
        long timeoutMs = num(e.args().get(3), line);
        long deadline = timeoutMs < 0 ? Long.MAX_VALUE : table.runner.now + timeoutMs * 1_000_000L;
        table.startWakeAt = deadline;
        return () -> {
            if (ep == null) return Result.error("EBADF");
            if (ep.epoll == null || max <= 0) return Result.error("EINVAL");
            EpollItem hit = null;
            long hitEvents = 0;
            for (var it = ep.epoll.items.entrySet().iterator(); it.hasNext(); ) {
                var entry = it.next();
                EpollItem item = entry.getValue();
                if (table.fds.get(entry.getKey()) != item.socket) { // closed: the file left every epoll set
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
                if (table.runner.now < deadline) return null;
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
        Descriptor d = item.socket;
        boolean woken = false;
        if (d.hasConnection()) {
            TcpSocket s = d.socket;
            long received = d.bytesRead + SyscallTable.available(s);
            TcpState st = s.state();
            boolean errored = s.error() != null;
            woken = item.received >= 0 && (received != item.received || st != item.state || errored != item.errored);
            item.received = received;
            item.state = st;
            item.errored = errored;
            if (d.noSpace && s.isWritable()) {
                d.noSpace = false;
                woken = true;
            }
        } else if (d.server != null) {
            long queued = d.server.pendingConnections();
            woken = queued > item.received && item.received >= 0;
            item.received = queued;
        }
        return woken;
    }
}
