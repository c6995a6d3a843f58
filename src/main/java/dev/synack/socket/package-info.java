/**
 * Blocking sockets on a synack stack, shaped like java.net's: {@link dev.synack.socket.TcpSocket}
 * (with InputStream/OutputStream views) and {@link dev.synack.socket.TcpServerSocket}. The same code
 * runs on real-time stacks (any thread, virtual threads included) and in simulation (from actors).
 * Errors are java.net's IOExceptions with java.net's messages; every call is traced.
 */
package dev.synack.socket;
