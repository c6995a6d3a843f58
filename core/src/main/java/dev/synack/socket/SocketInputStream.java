package dev.synack.socket;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Objects;

/** {@link TcpSocket#getInputStream()}: blocking reads on the socket. */
final class SocketInputStream extends InputStream {
    private final TcpSocket socket;

    SocketInputStream(TcpSocket socket) { this.socket = socket; }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        socket.refuseStreamsWhenNonBlocking();
        if (len == 0) return 0;
        return socket.read(ByteBuffer.wrap(b, off, len));
    }

    @Override
    public int available() throws IOException { return socket.available(); }

    /** Closes the socket, as java.net.Socket's stream does. */
    @Override
    public void close() throws IOException { socket.close(); }
}
