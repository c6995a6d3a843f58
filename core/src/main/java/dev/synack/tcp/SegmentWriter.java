package dev.synack.tcp;

import static dev.synack.tcp.Connection.NONE;

import dev.synack.wire.TcpFlags;
import dev.synack.wire.TcpOptions;
import dev.synack.wire.TcpSegment;
import java.nio.ByteBuffer;

/**
 * Builds and emits this connection's segments: header, window and timestamps in Linux's layout (RFC
 * 7323 Appendix A), SACK and D-SACK blocks (RFC 2018 §3-4, RFC 2883 §4), payload from the send
 * buffer, and the two forms of RST (RFC 9293 §3.10.7, §3.10.5). {@link TimeWaitRecord} lays out its
 * ACKs with the same {@link #writeSegmentHeader}.
 *
 * <p>An abort's RST (close() with unread data, SO_LINGER 0, keepalive timeout) is RST|ACK built like
 * any segment, timestamps included; a RST answering a segment carries no options.
 */
final class SegmentWriter {
    /** RFC 2018 §3: with the 10-byte timestamps option (plus 2 nops), 3 SACK blocks fit in 40 bytes. */
    private static final int SACK_BLOCKS_WITH_TIMESTAMPS = 3;
    /** nop, nop, kind, length: the SACK option's bytes before its blocks (RFC 2018 §3). */
    private static final int SACK_OPTION_OVERHEAD = 4;
    /** One SACK block: two 32-bit edges. */
    private static final int SACK_BLOCK_SIZE = 8;

    private SegmentWriter() {}

    /**
     * A pure ACK carries SND.MAX, the highest sequence number sent (Linux's tcp_acceptable_seq: its
     * snd_nxt never goes back). SND.NXT may have gone back to SND.UNA after a timeout, and an ACK
     * with that sequence number lies below what the peer already received: it would be unacceptable
     * there and its ACK field ignored, and with data flowing both ways neither side would ever advance.
     * With {@link TcpConfig#acksRepeatFin()}, while our FIN is unacknowledged, the ACK is the FIN again.
     */
    static void sendAck(Connection c, long now) {
        if (c.config.acksRepeatFin() && c.finQueued && c.sndMax == c.finSeq + 1 && !c.finAcked()) {
            sendSegment(c, c.finSeq, TcpFlags.ACK | TcpFlags.FIN, 0, now); // TcpConfig#acksRepeatFin
        } else {
            sendPlainAck(c, now);
        }
    }

    /** An ACK from SND.MAX without FIN, whatever the profile: challenge ACKs (RFC 5961 §3.2, §4.2). */
    static void sendPlainAck(Connection c, long now) {
        sendSegment(c, c.sndMax, TcpFlags.ACK, 0, now);
    }

    /**
     * A segment of a synchronized connection: ACK, window and (when on) timestamps, carrying the
     * {@code length} bytes of the send buffer from {@code seq} on.
     */
    static void sendSegment(Connection c, int seq, int flags, int length, long now) {
        writeSegmentHeader(c.out, c.tuple.localPort(), c.tuple.remotePort(), seq, flags, c.rcvNxt, c.rcvWindow.advertiseWindow(),
                c.timestampsOn, c.tsNow(now), c.tsRecent);
        Ecn.marking(c, c.out, seq, length);
        if (length > 0) attachPayload(c, seq, length);
        if (c.sackOn) writeSackBlocks(c, c.out.options(), length);
        transmit(c, now);
        c.out.payload(null); // the window points into the send buffer: keep no array alive once it is released
    }

    /**
     * Points the outgoing segment's payload at [seq, seq+length) of the send buffer: at the buffer's
     * own bytes when they lie in one piece, so that the stack copies them once, straight into the
     * packet; through a scratch copy when the range straddles two pieces (not stable: the next such
     * segment overwrites it).
     */
    static void attachPayload(Connection c, int seq, int length) {
        int offset = Seq.distance(c.sendBufferSeq, seq);
        LentBytes piece = c.sendBuffer.windowInto(c.out, offset, length);
        if (piece != null) {
            // Stable until the peer has processed the segment, so a link in memory may carry the
            // window instead of a copy: the send buffer never rewrites the bytes it holds (pieces
            // only fill up, and growing moves the bytes to a new array, leaving the old one as it
            // was), and it gives up a byte only once it is cumulatively acknowledged (processAck's
            // discard; abort and fail clear it but write nothing afterwards). An acknowledged byte
            // lies below the receiver's RCV.NXT, which never moves back, and the receiver reads no
            // payload byte below RCV.NXT: processData skips those before it copies,
            // outOfOrderArrived takes only segments that start beyond it. So when a late copy of a
            // segment (a retransmission still on its way) arrives after its bytes were acknowledged
            // and overwritten, none of them is read. A receiver in the same memory may even keep
            // referring to the fresh bytes it takes (ReceiveQueue.borrow): it pins their piece
            // before it acknowledges them, and the send buffer writes that piece again only once
            // the receiver has read them.
            c.out.markPayloadStable(piece);
            return;
        }
        if (c.payloadScratch == null) c.payloadScratch = ByteBuffer.allocate(c.config.mss());
        c.payloadScratch.clear();
        c.sendBuffer.copyTo(offset, length, c.payloadScratch);
        c.out.payload(c.payloadScratch.flip());
    }

    /**
     * The header of a segment of a synchronized connection and its timestamps option when on, in
     * Linux's layout ({@code nop, nop, TS val X ecr Y}); the SACK blocks, when any, come after. The
     * one place that lays it out: for every segment of a connection (SYNs and RSTs included; their
     * options follow) and for the ACKs of its {@link TimeWaitRecord}.
     */
    static void writeSegmentHeader(TcpSegment out, int localPort, int remotePort, int seq, int flags, int ack, int window,
                                   boolean timestamps, int tsVal, int tsEcr) {
        out.clear()
                .sourcePort(localPort)
                .destinationPort(remotePort)
                .seq(seq)
                .flags(flags)
                .ack(ack)
                .window(window);
        if (timestamps) out.options().nop().nop().timestamps(tsVal, tsEcr);
    }

    /**
     * SACK blocks (RFC 2018 §3-4) as Linux lays them out: {@code nop,nop,sack N a:b ...}, after the
     * timestamps when on. As many as fit in the 40 option bytes (3 with timestamps, 4 without): a
     * D-SACK block first when a duplicate arrived (RFC 2883 §4), then the block holding the newest
     * out-of-order segment, then the other blocks reported most recently.
     */
    private static void writeSackBlocks(Connection c, TcpOptions opts, int payloadLength) {
        int room = c.timestampsOn ? SACK_BLOCKS_WITH_TIMESTAMPS : TcpOptions.MAX_SACK_BLOCKS;
        if (payloadLength > 0) {
            // The peer's MSS bounds payload plus options (RFC 9293 §3.7.1, RFC 6691): on a data segment
            // only the blocks that fit beside the payload go (Linux shrinks the segment instead).
            int spare = c.effectiveMss - payloadLength - SACK_OPTION_OVERHEAD;
            room = Math.min(room, Math.max(0, spare / SACK_BLOCK_SIZE));
        }
        int recent = c.receiver.reassembly.recentCount();
        if ((!c.receiver.dsackPending && recent == 0) || room == 0) return;
        opts.nop().nop().sack();
        int used = 0;
        if (c.receiver.dsackPending) {
            opts.addSackBlock(c.receiver.dsackLeft, c.receiver.dsackRight);
            c.receiver.dsackPending = false;
            used++;
        }
        for (int i = 0; i < recent && used < room; i++, used++) {
            opts.addSackBlock(c.receiver.reassembly.recentLeft(i), c.receiver.reassembly.recentRight(i));
        }
    }

    /**
     * The RST that answers an unacceptable segment: {@code <SEQ=SEG.ACK><CTL=RST>} (RFC 9293
     * §3.10.7), no options and window 0, as Linux's tcp_v4_send_reset builds it.
     */
    static void sendReset(Connection c, int seq, long now) {
        writeSegmentHeader(c.out, c.tuple.localPort(), c.tuple.remotePort(), seq, TcpFlags.RST, 0, 0, false, 0, 0);
        c.output.send(c.tuple.localAddress(), c.tuple.remoteAddress(), c.out, now);
    }

    /**
     * The RST of an abort (RFC 9293 §3.10.5; close() with unread data, SO_LINGER 0, keepalive
     * timeout), as Linux's tcp_send_active_reset sends it: RST|ACK at the highest sequence number
     * sent (tcp_acceptable_seq), built like every segment of the connection (tcp_transmit_skb), so
     * with the window and, when agreed, the timestamps option (TSval now, TSecr TS.Recent) and SACK
     * blocks.
     */
    static void sendActiveReset(Connection c, long now) {
        sendSegment(c, c.sndMax, TcpFlags.RST | TcpFlags.ACK, 0, now);
    }

    static void transmit(Connection c, long now) {
        if (c.out.has(TcpFlags.ACK)) {
            c.lastAckSent = c.rcvNxt;
            c.ackNow = false;
            c.timers.delayedAckAt = NONE;
        }
        c.output.send(c.tuple.localAddress(), c.tuple.remoteAddress(), c.out, now);
    }
}
