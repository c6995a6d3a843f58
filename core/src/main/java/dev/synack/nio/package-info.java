/**
 * java.nio on a synack stack: {@link dev.synack.nio.SynackSelectorProvider} opens
 * {@link java.nio.channels.SocketChannel}s, {@link java.nio.channels.ServerSocketChannel}s and
 * {@link java.nio.channels.Selector}s whose sockets live on one {@link dev.synack.stack.NetStack},
 * so that code written against java.nio (Netty's NIO transport given the provider, for one) runs on
 * synack unchanged.
 *
 * <ul>
 *   <li><b>Channels</b> wrap {@link dev.synack.socket.TcpSocket} and
 *       {@link dev.synack.socket.TcpServerSocket}: blocking and non-blocking modes, connect /
 *       finishConnect, scattering and gathering reads and writes, half-close, options, and
 *       java.net socket adaptors from {@code socket()}. Exceptions are java.nio's
 *       (ClosedChannelException, NotYetConnectedException, ConnectionPendingException,
 *       AsynchronousCloseException, ClosedByInterruptException...) or the socket's IOExceptions
 *       ("Connection refused", "Connection reset").</li>
 *   <li><b>Readiness</b> is what the JDK's channels report from poll(2): OP_READ when a read would
 *       not wait (bytes, end of file, an error), OP_WRITE when a write would take bytes, OP_CONNECT
 *       when a pending connect has succeeded or failed, OP_ACCEPT when a connection is queued; an
 *       error makes every operation of the interest set ready.</li>
 *   <li><b>Threads</b>: a selection blocks its thread without holding the stack's lock. The
 *       stack runs a non-blocking channel's readiness handler (see dev.synack.socket) when the
 *       engine reports a change; the handler only signals the selectors the channel is registered
 *       with, which then ask every channel again (level-triggered, as the JDK's selectors).</li>
 * </ul>
 *
 * <p>Not provided: datagram channels, pipes and IPv6 (UnsupportedOperationException).
 */
package dev.synack.nio;
