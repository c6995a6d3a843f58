package dev.synack.tcp;

import dev.synack.wire.TcpFlags;
import dev.synack.wire.TcpSegment;

/** RST replies to segments that belong to no connection (RFC 9293 §3.5.2 group 1, §3.10.7.1). */
public final class Resets {
    private Resets() {}

    /**
     * Fills {@code reply} with the reset answering {@code incoming}, or returns false when no reset is
     * due (an incoming RST is never answered). If the incoming segment has ACK: {@code RST seq=SEG.ACK};
     * otherwise {@code RST+ACK seq=0 ack=SEG.SEQ+SEG.LEN}, SYN and FIN counted in SEG.LEN.
     */
    public static boolean replyTo(TcpSegment incoming, TcpSegment reply) {
        if (incoming.has(TcpFlags.RST)) return false;
        reply.clear()
                .sourcePort(incoming.destinationPort())
                .destinationPort(incoming.sourcePort());
        if (incoming.has(TcpFlags.ACK)) {
            reply.seq(incoming.ack()).flags(TcpFlags.RST);
        } else {
            reply.seq(0).ack(incoming.seq() + incoming.sequenceLength()).flags(TcpFlags.RST | TcpFlags.ACK);
        }
        return true;
    }
}
