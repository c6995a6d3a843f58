/**
 * The relays of {@code synack forward}: each TCP connection ({@link dev.synack.relay.TcpRelay}) or
 * UDP flow ({@link dev.synack.relay.UdpRelay}) a forwarding stack terminated, joined to its real
 * destination through the kernel's sockets, directly or through a SOCKS5 server
 * ({@link dev.synack.relay.Socks5}); {@link dev.synack.relay.Relays} keeps the open ones and the
 * statistics of those that ended. Sits on top of the stack and its sockets, under the command line.
 */
package dev.synack.relay;
