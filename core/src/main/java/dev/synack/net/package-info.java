/**
 * java.net on synack: {@link dev.synack.net.SynackSocket} and {@link dev.synack.net.SynackServerSocket}
 * (a {@link java.net.Socket} and a {@link java.net.ServerSocket} whose TCP is a synack stack's),
 * and the factories that make them on a given stack, {@link dev.synack.net.SynackSocketFactory}
 * and {@link dev.synack.net.SynackServerSocketFactory}, for libraries that take a
 * {@link javax.net.SocketFactory}. TLS layers over them as over any socket:
 * {@code SSLSocketFactory.createSocket(synackSocket, host, port, true)}. Drivers that instantiate
 * their factory by class name with one string argument find a stack registered by name
 * ({@link dev.synack.net.SynackSocketFactory#register(String, dev.synack.stack.NetStack)}).
 */
package dev.synack.net;
