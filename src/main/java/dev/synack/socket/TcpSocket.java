package dev.synack.socket;

import dev.synack.stack.NetStack;
import dev.synack.tcp.ShutdownHow;
import dev.synack.tcp.TcpState;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * A blocking TCP socket on a synack {@link NetStack}, shaped like java.net.Socket. Safe to use from
 * virtual threads. TO BE IMPLEMENTED (stack helper); the signatures are the contract.
 */
public final class TcpSocket implements Closeable {
    public TcpSocket(NetStack stack) { throw new UnsupportedOperationException("not yet"); }

    /** Optional: bind the local port before connect (0 = ephemeral). */
    public void bind(int localPort) throws IOException { throw new UnsupportedOperationException("not yet"); }
    public void connect(InetSocketAddress remote) throws IOException { throw new UnsupportedOperationException("not yet"); }
    /** @throws java.net.SocketTimeoutException when the handshake did not finish in time */
    public void connect(InetSocketAddress remote, Duration timeout) throws IOException { throw new UnsupportedOperationException("not yet"); }
    public InputStream getInputStream() throws IOException { throw new UnsupportedOperationException("not yet"); }
    public OutputStream getOutputStream() throws IOException { throw new UnsupportedOperationException("not yet"); }
    /** Blocks until at least one byte, end-of-stream (-1) or an error. */
    public int read(ByteBuffer dst) throws IOException { throw new UnsupportedOperationException("not yet"); }
    /** Blocks until all of {@code src} is in the send buffer. */
    public int write(ByteBuffer src) throws IOException { throw new UnsupportedOperationException("not yet"); }
    public void shutdownInput() throws IOException { throw new UnsupportedOperationException("not yet"); }
    public void shutdownOutput() throws IOException { throw new UnsupportedOperationException("not yet"); }
    public void shutdown(ShutdownHow how) throws IOException { throw new UnsupportedOperationException("not yet"); }
    public void setSoLinger(boolean on, int seconds) throws IOException { throw new UnsupportedOperationException("not yet"); }
    public void setTcpNoDelay(boolean on) throws IOException { throw new UnsupportedOperationException("not yet"); }
    /** Read timeout (null or zero: none). */
    public void setSoTimeout(Duration timeout) { throw new UnsupportedOperationException("not yet"); }
    public TcpState state() { throw new UnsupportedOperationException("not yet"); }
    public InetSocketAddress getLocalAddress() { throw new UnsupportedOperationException("not yet"); }
    public InetSocketAddress getRemoteAddress() { throw new UnsupportedOperationException("not yet"); }
    public boolean isClosed() { throw new UnsupportedOperationException("not yet"); }
    @Override public void close() throws IOException { throw new UnsupportedOperationException("not yet"); }
}
