package dev.synack.link;

import dev.synack.stack.NetStack;
import dev.synack.stack.PacketTap;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Writes a classic pcap capture (the libpcap file format: a 24-byte file header, then per packet a
 * 16-byte record header and the bytes) with link type 101, raw IP, and microsecond timestamps, which
 * Wireshark and tshark read. It is a {@link PacketTap}: add it to any stack on any link with
 * {@link NetStack#addPacketTap}. For a capture of several stacks on one simulated network, tap each
 * stack's outbound packets only ({@link #outboundOnly()}), so every packet on the wire appears once.
 *
 * <p>Timestamps: the stack's clock plus an offset. For a real-time stack {@link #realTime} makes the
 * offset map {@link System#nanoTime()} onto the wall clock; a simulation's virtual time is written as
 * it is (offset zero: the capture starts at the Unix epoch).
 *
 * <p>Thread-safe; a write error is remembered, stops the capture, and is rethrown by {@link #close()}.
 */
public final class PcapWriter implements PacketTap, Closeable {
    /** The pcap magic number for microsecond timestamps. */
    public static final int MAGIC_MICROSECONDS = 0xa1b2c3d4;
    public static final int VERSION_MAJOR = 2;
    public static final int VERSION_MINOR = 4;
    /** LINKTYPE_RAW: the packet begins with an IPv4 or IPv6 header. */
    public static final int LINKTYPE_RAW = 101;
    /** Bytes kept of each packet by default: the largest IPv4 packet, so nothing is cut. */
    public static final int SNAPLEN = 65_535;
    public static final int FILE_HEADER_LENGTH = 24;
    public static final int RECORD_HEADER_LENGTH = 16;

    private final OutputStream out;
    private final long offsetNanos;
    private final int snaplen;
    private final ByteBuffer recordHeader = ByteBuffer.allocate(RECORD_HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    private byte[] copy = new byte[2048];
    private long packets;
    private IOException failure;
    private boolean closed;

    /** A capture into {@code out}, adding {@code offsetNanos} to the stack's clock for the timestamps. */
    public PcapWriter(OutputStream out, long offsetNanos) throws IOException {
        this(out, offsetNanos, SNAPLEN);
    }

    /**
     * A capture that keeps at most {@code snaplen} bytes of each packet (1 to {@link #SNAPLEN}; 0 for
     * all of them, as tcpdump -s 0), recorded in the file header as libpcap does; each record still
     * gives the packet's original length.
     */
    public PcapWriter(OutputStream out, long offsetNanos, int snaplen) throws IOException {
        this.out = Objects.requireNonNull(out, "out");
        this.offsetNanos = offsetNanos;
        this.snaplen = checkSnaplen(snaplen);
        ByteBuffer h = ByteBuffer.allocate(FILE_HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(MAGIC_MICROSECONDS).putShort((short) VERSION_MAJOR).putShort((short) VERSION_MINOR)
                .putInt(0) // thiszone: timestamps are UTC
                .putInt(0) // sigfigs
                .putInt(this.snaplen).putInt(LINKTYPE_RAW);
        out.write(h.array());
    }

    /**
     * The bytes kept of each packet for a snaplen as given: 1 to {@link #SNAPLEN}, or 0 for
     * {@link #SNAPLEN}; anything else is refused.
     */
    public static int checkSnaplen(int snaplen) {
        if (snaplen < 0 || snaplen > SNAPLEN) {
            throw new IllegalArgumentException("snaplen must be 1-" + SNAPLEN + " bytes (0: whole packets), got " + snaplen);
        }
        return snaplen == 0 ? SNAPLEN : snaplen;
    }

    /** A capture file for real-time stacks (timestamps on the wall clock). */
    public static PcapWriter realTime(Path file) throws IOException {
        return realTime(file, SNAPLEN);
    }

    /** As {@link #realTime(Path)}, keeping at most {@code snaplen} bytes of each packet. */
    public static PcapWriter realTime(Path file, int snaplen) throws IOException {
        long offset = TimeUnit.MILLISECONDS.toNanos(System.currentTimeMillis()) - System.nanoTime();
        return open(file, offset, snaplen);
    }

    /** A capture file for simulated stacks (virtual timestamps, from the epoch). */
    public static PcapWriter virtualTime(Path file) throws IOException {
        return virtualTime(file, SNAPLEN);
    }

    /** As {@link #virtualTime(Path)}, keeping at most {@code snaplen} bytes of each packet. */
    public static PcapWriter virtualTime(Path file, int snaplen) throws IOException {
        return open(file, 0, snaplen);
    }

    private static PcapWriter open(Path file, long offsetNanos, int snaplen) throws IOException {
        checkSnaplen(snaplen); // before the file is created
        return new PcapWriter(new BufferedOutputStream(Files.newOutputStream(file)), offsetNanos, snaplen);
    }

    /** Appends one packet (position to limit; neither is moved) seen at {@code timeNanos} of the stack's clock. */
    public synchronized void write(long timeNanos, ByteBuffer packet) {
        if (closed || failure != null) return;
        int n = Math.min(packet.remaining(), snaplen);
        long t = Math.max(0, timeNanos + offsetNanos);
        long micros = TimeUnit.NANOSECONDS.toMicros(t);
        recordHeader.clear();
        recordHeader.putInt((int) (micros / 1_000_000)).putInt((int) (micros % 1_000_000))
                .putInt(n).putInt(packet.remaining());
        if (copy.length < n) copy = new byte[Math.max(n, copy.length * 2)];
        packet.get(packet.position(), copy, 0, n);
        try {
            out.write(recordHeader.array());
            out.write(copy, 0, n);
            packets++;
        } catch (IOException e) {
            failure = e;
        }
    }

    @Override
    public void onPacket(NetStack stack, long timeNanos, boolean outbound, ByteBuffer packet) {
        write(timeNanos, packet);
    }

    /** This writer as a tap that records only the packets a stack sends. */
    public PacketTap outboundOnly() {
        return (stack, time, outbound, packet) -> {
            if (outbound) write(time, packet);
        };
    }

    /** Packets written so far. */
    public synchronized long packets() { return packets; }

    public synchronized void flush() throws IOException {
        if (failure != null) throw failure;
        out.flush();
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) return;
        closed = true;
        try {
            out.close();
        } catch (IOException e) {
            if (failure == null) failure = e;
        }
        if (failure != null) throw new IOException("the pcap capture failed: " + failure.getMessage(), failure);
    }
}
