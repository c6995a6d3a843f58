package dev.synack.wire;

import java.nio.ByteBuffer;

/**
 * A decoded TCP segment: the header fields, the options and a view of the payload. The IP addresses
 * travel beside it (see {@link TcpPacket}); the engine knows them from its connection.
 *
 * <p>Mutable and reusable so that the hot paths need not allocate. A segment handed to a callback is
 * valid only during that callback: call {@link #copy()} to keep it.
 */
public final class TcpSegment {
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0).asReadOnlyBuffer();

    private int sourcePort;
    private int destinationPort;
    private int seq;
    private int ack;
    private int flags;
    /** The 16-bit window field as it stands in the header, not scaled. */
    private int window;
    private int urgentPointer;
    private final TcpOptions options = new TcpOptions();
    /** Bytes between position and limit are the payload. */
    private ByteBuffer payload = EMPTY;

    public TcpSegment clear() {
        sourcePort = destinationPort = seq = ack = flags = window = urgentPointer = 0;
        options.clear();
        payload = EMPTY;
        return this;
    }

    public int sourcePort() { return sourcePort; }
    public TcpSegment sourcePort(int port) { this.sourcePort = port & 0xffff; return this; }
    public int destinationPort() { return destinationPort; }
    public TcpSegment destinationPort(int port) { this.destinationPort = port & 0xffff; return this; }
    public int seq() { return seq; }
    public TcpSegment seq(int seq) { this.seq = seq; return this; }
    public int ack() { return ack; }
    public TcpSegment ack(int ack) { this.ack = ack; return this; }
    public int flags() { return flags; }
    public TcpSegment flags(int flags) { this.flags = flags & 0xff; return this; }
    public boolean has(int flag) { return (flags & flag) != 0; }
    public int window() { return window; }
    public TcpSegment window(int window) { this.window = window & 0xffff; return this; }
    public int urgentPointer() { return urgentPointer; }
    public TcpSegment urgentPointer(int urgentPointer) { this.urgentPointer = urgentPointer & 0xffff; return this; }
    public TcpOptions options() { return options; }

    /** The payload view: read it between position and limit; do not keep it past the callback. */
    public ByteBuffer payload() { return payload; }
    public TcpSegment payload(ByteBuffer payload) { this.payload = payload == null ? EMPTY : payload; return this; }
    public int payloadLength() { return payload.remaining(); }

    /** SEG.LEN of RFC 9293: payload octets plus one for SYN and one for FIN. */
    public int sequenceLength() {
        return payload.remaining() + ((flags & TcpFlags.SYN) != 0 ? 1 : 0) + ((flags & TcpFlags.FIN) != 0 ? 1 : 0);
    }

    /** A deep copy whose payload is its own heap buffer. */
    public TcpSegment copy() {
        TcpSegment c = new TcpSegment();
        c.sourcePort = sourcePort;
        c.destinationPort = destinationPort;
        c.seq = seq;
        c.ack = ack;
        c.flags = flags;
        c.window = window;
        c.urgentPointer = urgentPointer;
        c.options.copyFrom(options);
        if (payload.hasRemaining()) {
            ByteBuffer p = ByteBuffer.allocate(payload.remaining());
            p.put(payload.duplicate()).flip();
            c.payload = p;
        }
        return c;
    }

    /** tcpdump-like: {@code 40000 > 80: S. seq 100 ack 201 win 65535 len 0 <mss 1460,nop,wscale 7>}. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        b.append(sourcePort).append(" > ").append(destinationPort).append(": ").append(TcpFlags.tcpdump(flags))
                .append(" seq ").append(Integer.toUnsignedString(seq));
        if (has(TcpFlags.ACK)) b.append(" ack ").append(Integer.toUnsignedString(ack));
        b.append(" win ").append(window).append(" len ").append(payloadLength());
        if (!options.isEmpty()) b.append(" <").append(options).append('>');
        return b.toString();
    }
}
