package dev.synack.pkt;

import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;

/**
 * What one of the script's file descriptors refers to: a socket (a {@link TcpSocket}, which listen()
 * turns into a {@link TcpServerSocket}) or an epoll instance, with what Linux keeps on the file
 * rather than on the socket.
 */
final class Descriptor {
    /** The socket until listen(), or an accepted one; null on a listening socket or epoll instance. */
    TcpSocket socket;
    /** The socket after listen(). */
    TcpServerSocket server;
    /** Non-null when this descriptor is an epoll instance. */
    PollCalls.EpollSet epoll;
    /** O_NONBLOCK: a call that would block fails with EAGAIN rather than waiting. */
    boolean nonBlocking;
    /** The connection's error was reported (SO_ERROR, a failed call): Linux reports it once. */
    boolean errorReported;
    /** Bytes the script has read: with what is queued, all the data that arrived (for epoll's edges). */
    long bytesRead;
    /**
     * Linux's SOCK_NOSPACE: a write found no room, or a poll found the socket not writable; the
     * next time room appears the socket's waiters are woken (sk_stream_write_space).
     */
    boolean noSpace;
    /** TCP_INQ: recvmsg() returns the bytes left to read in a TCP_CM_INQ control message. */
    boolean inq;

    static Descriptor of(TcpSocket socket) {
        Descriptor d = new Descriptor();
        d.socket = socket;
        return d;
    }

    /** A socket with a connection (made by connect() or accepted), whatever its state now. */
    boolean hasConnection() {
        return socket != null && socket.getRemoteAddress() != null;
    }
}
