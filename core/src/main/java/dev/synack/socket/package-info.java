/**
 * Sockets on a synack stack, shaped like java.net's: {@link dev.synack.socket.TcpSocket} (with
 * InputStream/OutputStream views) and {@link dev.synack.socket.TcpServerSocket}. The same code runs
 * on real-time stacks (any thread, virtual threads included) and in simulation (from actors).
 * Errors are java.net's IOExceptions with java.net's messages (one the engine names has its
 * {@link dev.synack.tcp.TcpException} as cause); every call is traced. Options are java.net's
 * {@link java.net.SocketOption}s ({@code setOption}, {@link dev.synack.socket.TcpSocketOptions}); the
 * sockets a server socket accepts start with its options. {@code TcpSocket.listen} turns a bound
 * socket into a server socket, as listen(2) does a descriptor.
 *
 * <h2>Non-blocking sockets and readiness handlers</h2>
 * For programs that terminate many connections without a thread per socket (proxies, network
 * functions), both sockets have java.nio's {@code configureBlocking(false)}. Then:
 * <ul>
 *   <li>{@code TcpSocket.connect} sends the SYN and returns; {@code finishConnect()} is true once
 *       the handshake completed, false meanwhile, and throws what the blocking connect would
 *       ("Connection refused", "Connection timed out", closing the socket). A connect or accept
 *       timeout is refused (IllegalArgumentException): there is nothing to wait for.</li>
 *   <li>{@code read(ByteBuffer)} returns 0 when nothing is there, -1 at end of file, and throws on a
 *       reset as in blocking mode; {@code write(ByteBuffer)} takes what fits in the send buffer
 *       (possibly 0).</li>
 *   <li>The streams can be obtained but not used: their read and write throw
 *       {@link java.nio.channels.IllegalBlockingModeException}, as java.nio's socket adaptor does
 *       (a stream's contract is to wait).</li>
 *   <li>{@code close()} never waits: SO_LINGER 0 resets; SO_LINGER N &gt; 0 closes gracefully and
 *       the send buffer drains in the background (BSD's choice; Linux would block the caller).</li>
 *   <li>{@code TcpServerSocket.accept()} returns null when no connection is queued. Accepted sockets
 *       start blocking, as in java.nio.</li>
 * </ul>
 *
 * <p><b>Readiness handlers</b>: {@code TcpSocket.onReady(handler)} and
 * {@code TcpServerSocket.onAcceptable(handler)} (non-blocking sockets only) register a
 * {@link dev.synack.socket.ReadyHandler}. Rules:
 * <ul>
 *   <li><b>What wakes it</b>: every change the engine reports on the connection: bytes or end of
 *       file arrived (readable), send space freed by an ACK (writable), the handshake completed
 *       (connected), a reset, refusal or timeout (error), the connection closed; on a listener, a
 *       connection entering its accept queue (acceptable). It is also called once soon after it is
 *       registered, so that nothing that happened before is missed.</li>
 *   <li><b>Edge-like</b>: a handler is called after such a change, not while a condition holds. It
 *       is expected to call the non-blocking operations until they return 0 (read, write) or null
 *       (accept); what it leaves unread is not reported again until the next change. Calls may be
 *       spurious (nothing new): handlers must tolerate 0 and null. Changes caused by the handler's
 *       own calls on its own socket (its write, its read) do not call it again.</li>
 *   <li><b>Where it runs</b>: on whatever thread is processing the stack at that moment (its event
 *       loop, a thread delivering packets caller-runs over dev.synack.link.MemoryLink, the
 *       simulator's driver, a user call on another socket of the same stack, or the thread setting
 *       the handler), after the engine has finished with the packet, timer or user call that made
 *       the socket ready, and holding no lock: the stack collects the ready sockets while it
 *       processes and runs their handlers once its lock is released (see dev.synack.stack.Readiness).
 *       So a handler may use sockets of any stack (a relay between two stacks, or two shards)
 *       without a lock order to respect. One handler runs at a time on a thread (a handler's calls
 *       that make other sockets ready queue their handlers behind it), and a socket's handler runs
 *       on one thread at a time; a change made by another thread while it runs calls it once more.
 *       Nothing is allocated per event.</li>
 *   <li><b>Must not block</b>: a call that could wait (connect, read, write or accept on a blocking
 *       socket, or any wait of the stack) made from a handler throws
 *       {@link java.nio.channels.IllegalBlockingModeException} saying so, instead of deadlocking the
 *       stack; close() from a handler never waits (as in non-blocking mode). A handler may accept
 *       sockets, make them non-blocking and set their handlers: those are then called in the same
 *       round.</li>
 *   <li><b>Exceptions</b>: whatever a handler throws (an IOException included, such as the
 *       "Connection reset" of a read it did not catch) never reaches the event loop or the thread
 *       that happened to deliver the packet: the stack counts it (counter "HandlerErrors") and closes
 *       the socket: a {@code TcpSocket}'s connection is reset (RST, an abort); a
 *       {@code TcpServerSocket} is closed as by close() (queued connections are reset).</li>
 *   <li><b>After close</b>: a handler of a closed socket is never called again; {@code onReady(null)}
 *       removes a handler. A socket with a handler cannot be made blocking.</li>
 * </ul>
 */
package dev.synack.socket;
