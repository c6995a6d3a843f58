package dev.synack.socket;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Objects;

/** {@link TcpSocket#getOutputStream()}: blocking writes on the socket. */
final class SocketOutputStream extends OutputStream {
    private final TcpSocket socket;

    SocketOutputStream(TcpSocket socket) { this.socket = socket; }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        socket.refuseStreamsWhenNonBlocking();
        if (len == 0) return;
        socket.write(ByteBuffer.wrap(b, off, len));
    }

    /** Closes the socket, as java.net.Socket's stream does. */
    @Override
    public void close() throws IOException { socket.close(); }
}
