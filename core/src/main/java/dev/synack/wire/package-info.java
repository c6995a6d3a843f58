/**
 * The wire formats: IPv4 (RFC 791) and IPv6 (RFC 8200, with its extension headers) packets carrying
 * TCP segments (RFC 9293 §3.1), ICMP and ICMPv6 echo (RFC 792, RFC 4443), TCP's options
 * (RFC 9293 §3.2, RFC 7323, RFC 2018) and the Internet checksum (RFC 1071).
 *
 * <p>{@link dev.synack.wire.PacketCodec} turns a buffer into a {@link dev.synack.wire.TcpPacket} and back.
 * It works in place: {@link dev.synack.wire.Ipv4Header} and {@link dev.synack.wire.TcpHeader} read
 * fields where they stand (and write them there), {@link dev.synack.wire.Checksum} sums ranges without
 * copying, and a decoded payload is a window (buffer, offset, length) into the input, which readers copy
 * from and never write. {@link dev.synack.wire.TcpPacket}, {@link dev.synack.wire.TcpSegment} and
 * {@link dev.synack.wire.TcpOptions} are mutable and reusable, so the per-packet paths allocate nothing.
 *
 * <p>Decoding never throws on bad input; it names the first problem as a
 * {@link dev.synack.wire.ParseResult}. Options keep their wire order, padding included, so a segment is
 * printed as tcpdump prints it and re-encoded in exactly the layout its sender chose.
 *
 * <p>This package depends on nothing but the JDK; every other synack package may depend on it.
 */
package dev.synack.wire;
