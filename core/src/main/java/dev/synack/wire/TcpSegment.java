package dev.synack.wire;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A decoded TCP segment: the header fields, the options and a view of the payload. The IP addresses
 * travel beside it (see {@link TcpPacket}); the engine knows them from its connection.
 *
 * <p>Mutable and reusable so that the hot paths need not allocate. A segment handed to a callback is
 * valid only during that callback: call {@link #copy()} to keep it.
 *
 * <p>The payload is a window (buffer, offset, length) over bytes the segment does not own: the
 * decoder points it into the received packet, the engine into its send buffer, without allocating. Hot paths read it with
 * {@link #copyPayload(int, byte[], int, int)} and {@link #copyPayload(int, ByteBuffer, int, int)},
 * which never write into the packet; {@link #payload()} offers the same bytes as a {@link ByteBuffer},
 * made on first call for a decoded segment.
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
    /** The ECN field of the IP header that carries (or carried) this segment ({@link IpEcn}). */
    private int ecn;
    private final TcpOptions options = new TcpOptions();
    /** Holds the payload at [payloadOffset, payloadOffset + payloadLength); only ever read. */
    private ByteBuffer payloadSource = EMPTY;
    private int payloadOffset;
    private int payloadLength;
    /**
     * What {@link #payload()} returns: the buffer given to {@link #payload(ByteBuffer)}, or for a
     * window a read-only view made on first call (null until then).
     */
    private ByteBuffer payloadView = EMPTY;
    /**
     * The window's bytes stay as they are until the segment has been processed by its receiver, so a
     * link may carry the window itself rather than a copy (see {@link #markPayloadStable()}).
     */
    private boolean payloadStable;
    /**
     * Who lent the stable window's bytes, for a receiver in the same memory that may keep referring
     * to them instead of copying them (see {@link #markPayloadStable(Object)}); null otherwise.
     */
    private Object payloadOwner;

    public TcpSegment clear() {
        sourcePort = destinationPort = seq = ack = flags = window = urgentPointer = ecn = 0;
        options.clear();
        return payload(null);
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
    /**
     * The ECN codepoint (RFC 3168 §5) of the IP packet carrying the segment: set by the decoder from
     * the IPv4 TOS byte or IPv6 traffic class, written there by the encoder. One of {@link IpEcn}'s.
     */
    public int ecn() { return ecn; }
    public TcpSegment ecn(int codepoint) { this.ecn = codepoint & IpEcn.MASK; return this; }

    /**
     * The payload as a buffer: read it between position and limit; do not keep it past the callback.
     * For a segment whose payload was set by {@link #payload(ByteBuffer)} this is that buffer; for a
     * window (a decoded segment, or one the engine emits from its send buffer) a read-only, zero-based
     * view, allocated on the first call after the window was set (hot paths use {@link #copyPayload}
     * instead, which allocates nothing).
     */
    public ByteBuffer payload() {
        ByteBuffer view = payloadView;
        if (view == null) {
            view = payloadSource.slice(payloadOffset, payloadLength);
            if (!view.isReadOnly()) view = view.asReadOnlyBuffer();
            payloadView = view;
        }
        return view;
    }

    /**
     * Sets the payload to the bytes between {@code payload}'s position and limit as they stand now
     * (later moves of its position or limit are not seen); the bytes are not copied. Null: none.
     */
    public TcpSegment payload(ByteBuffer payload) {
        ByteBuffer p = payload == null ? EMPTY : payload;
        payloadSource = p;
        payloadOffset = p.position();
        payloadLength = p.remaining();
        payloadView = p;
        payloadStable = false;
        payloadOwner = null;
        return this;
    }

    /**
     * Points the payload at {@code length} bytes of {@code buffer} from absolute index {@code offset}
     * (its position and limit play no part), without copying or allocating: how the decoder hands on
     * a received packet's text and the engine its send buffer's. The buffer is only ever read.
     *
     * @throws IndexOutOfBoundsException if the range lies outside the buffer's limit
     */
    public TcpSegment payload(ByteBuffer buffer, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, buffer.limit());
        if (length == 0) return payload(null);
        payloadSource = buffer;
        payloadOffset = offset;
        payloadLength = length;
        payloadView = null;
        payloadStable = false;
        payloadOwner = null;
        return this;
    }

    /** Shares {@code other}'s payload window (the same bytes, not a copy; nothing allocated). */
    public TcpSegment payloadOf(TcpSegment other) {
        payloadSource = other.payloadSource;
        payloadOffset = other.payloadOffset;
        payloadLength = other.payloadLength;
        payloadView = other.payloadView;
        payloadStable = other.payloadStable;
        payloadOwner = other.payloadOwner;
        return this;
    }

    /**
     * Declares the payload window set last stable: its bytes will not change before the receiver has
     * processed this segment, so a link in memory may hand the window itself to the receiving stack
     * instead of copying the bytes. Only the window's owner can know (the engine for its send buffer);
     * cleared by {@link #clear()} and by every payload setter, copied by {@link #payloadOf}.
     */
    public TcpSegment markPayloadStable() {
        payloadStable = payloadLength > 0;
        return this;
    }

    /**
     * {@link #markPayloadStable()}, naming the window's owner: an object of the sending engine's
     * through which a receiver in the same memory can take the bytes over by reference (the engine
     * alone knows what it is; a link just carries it along with the window).
     */
    public TcpSegment markPayloadStable(Object owner) {
        markPayloadStable();
        payloadOwner = payloadStable ? owner : null;
        return this;
    }

    /** Whether the payload window was {@link #markPayloadStable() declared stable}. */
    public boolean payloadStable() { return payloadStable; }

    /** The owner named by {@link #markPayloadStable(Object)}, or null. */
    public Object payloadOwner() { return payloadOwner; }

    /** The absolute index of the payload's first byte in the buffer holding it. */
    public int payloadIndex() { return payloadOffset; }

    /**
     * Makes this segment {@code other}'s equal: header fields, options and payload window (shared, not
     * copied, with its stability); nothing allocated.
     */
    public TcpSegment copyFrom(TcpSegment other) {
        sourcePort = other.sourcePort;
        destinationPort = other.destinationPort;
        seq = other.seq;
        ack = other.ack;
        flags = other.flags;
        window = other.window;
        urgentPointer = other.urgentPointer;
        ecn = other.ecn;
        options.copyFrom(other.options);
        return payloadOf(other);
    }

    public int payloadLength() { return payloadLength; }

    /**
     * Copies {@code length} payload bytes, from the {@code from}-th on, into {@code dst} at
     * {@code dstOffset}. Reads the packet, never writes it; allocates nothing.
     *
     * @throws IndexOutOfBoundsException if the range lies outside the payload or {@code dst}
     */
    public void copyPayload(int from, byte[] dst, int dstOffset, int length) {
        Objects.checkFromIndexSize(from, length, payloadLength);
        payloadSource.get(payloadOffset + from, dst, dstOffset, length);
    }

    /**
     * Copies {@code length} payload bytes, from the {@code from}-th on, into {@code dst} at absolute
     * index {@code dstIndex}, moving neither buffer's position. Reads the packet, never writes it;
     * allocates nothing.
     *
     * @throws IndexOutOfBoundsException if the range lies outside the payload or {@code dst}
     * @throws java.nio.ReadOnlyBufferException if {@code dst} is read-only
     */
    public void copyPayload(int from, ByteBuffer dst, int dstIndex, int length) {
        Objects.checkFromIndexSize(from, length, payloadLength);
        dst.put(dstIndex, payloadSource, payloadOffset + from, length);
    }

    /** SEG.LEN of RFC 9293: payload octets plus one for SYN and one for FIN. */
    public int sequenceLength() {
        return payloadLength + ((flags & TcpFlags.SYN) != 0 ? 1 : 0) + ((flags & TcpFlags.FIN) != 0 ? 1 : 0);
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
        c.ecn = ecn;
        c.options.copyFrom(options);
        if (payloadLength > 0) {
            byte[] p = new byte[payloadLength];
            copyPayload(0, p, 0, payloadLength);
            c.payload(ByteBuffer.wrap(p));
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
        if (ecn != IpEcn.NOT_ECT) b.append(" [").append(IpEcn.name(ecn)).append(']');
        return b.toString();
    }
}
