package dev.synack.socket;

import dev.synack.stack.NetStack;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;

/** A listening socket on a synack {@link NetStack}. TO BE IMPLEMENTED (stack helper); the signatures are the contract. */
public final class TcpServerSocket implements Closeable {
    public TcpServerSocket(NetStack stack) { throw new UnsupportedOperationException("not yet"); }
    /** @throws java.net.BindException when the port is in use */
    public void bind(int port) throws IOException { throw new UnsupportedOperationException("not yet"); }
    public void listen(int backlog) throws IOException { throw new UnsupportedOperationException("not yet"); }
    public TcpSocket accept() throws IOException { throw new UnsupportedOperationException("not yet"); }
    /** @throws java.net.SocketTimeoutException when nothing arrived in time */
    public TcpSocket accept(Duration timeout) throws IOException { throw new UnsupportedOperationException("not yet"); }
    public int getLocalPort() { throw new UnsupportedOperationException("not yet"); }
    public boolean isClosed() { throw new UnsupportedOperationException("not yet"); }
    @Override public void close() throws IOException { throw new UnsupportedOperationException("not yet"); }
}
