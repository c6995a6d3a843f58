package dev.synack.nio;

import dev.synack.stack.NetStack;
import java.io.IOException;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;
import java.util.Objects;

/**
 * java.nio's channels and selectors on one synack {@link NetStack}: what a program built on
 * SocketChannel, ServerSocketChannel and Selector (Netty's NIO transport among them) is given
 * instead of {@link SelectorProvider#provider()}. TCP over IPv4 and IPv6 only: datagram channels, pipes and
 * other protocol families throw {@link UnsupportedOperationException}. The channels of one provider
 * register only with its selectors. See the package documentation.
 */
public final class SynackSelectorProvider extends SelectorProvider {
    private final NetStack stack;

    public SynackSelectorProvider(NetStack stack) {
        this.stack = Objects.requireNonNull(stack, "stack");
    }

    /** The stack every channel of this provider lives on. */
    public NetStack stack() { return stack; }

    @Override
    public AbstractSelector openSelector() {
        return new SynackSelector(this);
    }

    @Override
    public SocketChannel openSocketChannel() {
        return new SynackSocketChannel(this);
    }

    @Override
    public ServerSocketChannel openServerSocketChannel() {
        return new SynackServerSocketChannel(this);
    }

    @Override
    public SocketChannel openSocketChannel(ProtocolFamily family) {
        checkFamily(family);
        return openSocketChannel();
    }

    @Override
    public ServerSocketChannel openServerSocketChannel(ProtocolFamily family) {
        checkFamily(family);
        return openServerSocketChannel();
    }

    @Override
    public DatagramChannel openDatagramChannel() {
        throw new UnsupportedOperationException("synack has no datagram channels (TCP only)");
    }

    @Override
    public DatagramChannel openDatagramChannel(ProtocolFamily family) {
        return openDatagramChannel();
    }

    @Override
    public Pipe openPipe() throws IOException {
        throw new UnsupportedOperationException("synack has no pipes: use SelectorProvider.provider().openPipe()");
    }

    private static void checkFamily(ProtocolFamily family) {
        Objects.requireNonNull(family, "family");
        if (family != StandardProtocolFamily.INET && family != StandardProtocolFamily.INET6) {
            throw new UnsupportedOperationException("synack speaks IPv4 and IPv6, not " + family);
        }
    }

    @Override
    public String toString() {
        return "SynackSelectorProvider[" + stack.name() + "]";
    }
}
