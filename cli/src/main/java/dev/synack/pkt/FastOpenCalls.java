package dev.synack.pkt;

import dev.synack.pkt.Script.SyscallEvent;
import dev.synack.pkt.SyscallTable.Attempt;
import dev.synack.pkt.SyscallTable.Result;
import dev.synack.socket.TcpSocket;
import dev.synack.tcp.TcpState;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * sendto(fd, buf, len, MSG_FASTOPEN, addr, addrlen) (RFC 7413; Linux's tcp_sendmsg_fastopen) on a
 * {@link TcpSocket}, through {@link TcpSocket#connectWithData}: on a socket never connected, it
 * connects with as much data in the SYN as the cached cookie allows. Non-blocking: returns the bytes
 * the SYN took, or EINPROGRESS when it took none (no cookie: the SYN asks for one); blocking: waits
 * for the handshake, then writes the rest as write() does. On a connection in progress EALREADY; on
 * an established one it is an ordinary send.
 */
final class FastOpenCalls {
    private FastOpenCalls() {}

    /**
     * The attempt of a sendto with MSG_FASTOPEN to {@code port}; {@code write} makes the ordinary
     * send of {@code n} bytes that a connected socket, or a blocking call once connected, does.
     */
    static Attempt sendto(SyscallEvent e, Descriptor d, int length, int port, boolean dontWait, SyscallTable table,
                          java.util.function.IntFunction<Attempt> write) {
        int[] inSyn = {-1};
        Attempt[] rest = new Attempt[1];
        return () -> {
            if (d == null) return Result.error("EBADF");
            if (d.server != null || d.socket == null) return Result.error("EOPNOTSUPP");
            TcpSocket s = d.socket;
            if (inSyn[0] < 0) {
                // A NULL buffer: the copy into the SYN's data fails, as Linux's tcp_send_syn_data finds.
                if (SyscallTable.nullBuffer(e) && length > 0) return Result.error("EFAULT");
                if (d.hasConnection()) {
                    if (s.state() == TcpState.SYN_SENT) return Result.error("EALREADY"); // Linux: another Fast Open in progress
                    rest[0] = write.apply(length);
                    inSyn[0] = 0;
                    return rest[0].attempt();
                }
                ByteBuffer data = ByteBuffer.allocate(Math.max(0, length));
                try {
                    inSyn[0] = s.connectWithData(new InetSocketAddress(table.runner.remoteAddress.toInetAddress(), port), data);
                    if (d.nonBlocking || dontWait) return inSyn[0] > 0 ? Result.ok(inSyn[0]) : Result.error("EINPROGRESS");
                    // A blocking caller's data waits behind the SYN, to leave with the handshake's ACK
                    // (Linux's sk_write_pending holds that ACK back for it).
                    inSyn[0] += s.write(data);
                } catch (IOException | IllegalArgumentException ex) {
                    return SyscallTable.failure(ex, "EADDRNOTAVAIL");
                }
            }
            if (rest[0] == null) {
                if (s.isConnectionPending()) return null;
                if (s.error() != null) {
                    d.errorReported = true;
                    return Result.error(Errno.of(s.error()));
                }
                if (inSyn[0] == length) return Result.ok(length);
                rest[0] = write.apply(length - inSyn[0]);
            }
            Result r = rest[0].attempt();
            return r == null || r.errno() != null ? r : Result.ok(r.value() + inSyn[0]);
        };
    }
}
