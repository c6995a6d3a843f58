package dev.synack.tcp;

import static dev.synack.tcp.Connection.NONE;

/**
 * getsockopt(TCP_INFO) as Linux fills it ({@link TcpInfo}): retransmission counts, tcpi_ca_state,
 * and Linux's chronographs (tcpi_busy_time, tcpi_rwnd_limited).
 */
final class ConnectionInfo {
    /** IPv4 and TCP headers without options: the MTU is the MSS plus these 40 bytes (RFC 9293 §3.7.1). */
    private static final int TCP_HEADER = 20;

    /**
     * Linux's tcp_chrono kinds, by rising priority; 0: none running. The send-buffer one is never
     * started: Linux starts it from its cwnd validation once a writer found the buffer full, which
     * depends on its sk_buff accounting (tcpi_sndbuf_limited is not reported).
     */
    static final int CHRONO_BUSY = 1, CHRONO_RWND = 2, CHRONO_SNDBUF = 3;

    private final Connection c;

    /** Segments retransmitted (SYNs included) and data bytes among them, over the connection's life. */
    long totalRetrans;
    long bytesRetrans;
    /** When in-order data last arrived, or when the connection was established; NONE before. */
    long lastDataReceivedAt = NONE;
    /** The chronograph running now (0: none) and since when. */
    private int chronoType;
    private long chronoSince;
    /** Nanoseconds accumulated by each kind (three fields rather than an array: one object less per connection). */
    private long busyTotal;
    private long rwndTotal;
    private long sndbufTotal;

    ConnectionInfo(Connection c) {
        this.c = c;
    }

    /** Linux's packet counts, which only RACK's per-segment records can give. */
    TcpInfo.Packets packets() {
        return c.recovery.packets();
    }

    /**
     * Linux's tcpi_ca_state from the engine's recovery state: LOSS from a timeout until what was
     * outstanding then is acknowledged (the recovery point of a timeout lies beyond SND.UNA outside
     * fast recovery), RECOVERY in fast recovery, DISORDER while duplicate ACKs or SACKed data are
     * pending, CWR while an ECN echo's reduction lasts ({@link Ecn}), else OPEN.
     */
    TcpInfo.CaState caState() {
        if (c.recovery.inRecovery) return TcpInfo.CaState.RECOVERY;
        if (c.recovery.inCwr) return TcpInfo.CaState.CWR;
        if (c.synAcked() && Seq.lt(c.sndUna, c.recovery.recoveryPoint)) return TcpInfo.CaState.LOSS;
        if (c.recovery.dupAcks > 0 || c.recovery.hasSacked()) return TcpInfo.CaState.DISORDER;
        return TcpInfo.CaState.OPEN;
    }

    /** tcp_chrono_start: a more interesting condition takes over the running chronograph. */
    void chronoStart(int type, long now) {
        if (type > chronoType) chronoSet(type, now);
    }

    /**
     * tcp_chrono_stop: with nothing left to send or acknowledge every chronograph stops; else, if
     * {@code type} was the one running, the connection is simply busy again.
     */
    void chronoStop(int type, long now) {
        if (c.sendBuffer.isEmpty()) chronoSet(0, now);
        else if (type == chronoType) chronoSet(CHRONO_BUSY, now);
    }

    private void chronoSet(int type, long now) {
        if (chronoType != 0) addToTotal(chronoType, now - chronoSince);
        chronoSince = now;
        chronoType = type;
    }

    private long total(int type) {
        return switch (type) {
            case CHRONO_BUSY -> busyTotal;
            case CHRONO_RWND -> rwndTotal;
            default -> sndbufTotal;
        };
    }

    private void addToTotal(int type, long nanos) {
        switch (type) {
            case CHRONO_BUSY -> busyTotal += nanos;
            case CHRONO_RWND -> rwndTotal += nanos;
            default -> sndbufTotal += nanos;
        }
    }

    /** The time {@code type} has run, the running period included, in microseconds (as tcp_get_info_chrono_stats). */
    private long chronoMicros(int type, long now) {
        long total = total(type) + (type == chronoType ? now - chronoSince : 0);
        return total / 1000;
    }

    /**
     * The end of Linux's tcp_write_xmit: limited by the peer's window when data waits, cwnd would let
     * the next segment go, and that segment (an MSS at most) does not fit in the window
     * (tcp_snd_wnd_test); otherwise that chronograph stops.
     */
    void updateRwndLimited(long now) {
        int unsent = Seq.distance(c.sndNxt, c.dataEnd());
        int flight = Seq.distance(c.sndUna, c.sndNxt);
        boolean limited = unsent > 0 && c.congestion != null && flight < c.congestion.cwnd()
                && (long) flight + Math.min(unsent, c.effectiveMss) > c.sndWnd;
        if (limited) chronoStart(CHRONO_RWND, now);
        else chronoStop(CHRONO_RWND, now);
    }

    /** getsockopt(TCP_INFO) as Linux reports it, for the fields synack has. */
    TcpInfo report(long now) {
        int mss = Math.max(1, c.effectiveMss > 0 ? c.effectiveMss : c.config.mss());
        CongestionControl congestion = c.congestion;
        int ssthresh = congestion == null || congestion.ssthresh() == Integer.MAX_VALUE
                ? TcpInfo.INFINITE_SSTHRESH : congestion.ssthresh() / mss;
        int cwnd = congestion == null ? c.config.initialCwndSegments() : congestion.cwnd() / mss;
        RttEstimator rtt = c.rtt;
        long rttVar = rtt.hasSample() ? rtt.rttvar() : c.config.initialRtoNanos() / 4;
        int notSent = Math.max(0, Seq.distance(c.sndMax, c.dataEnd()));
        long sinceData = lastDataReceivedAt == NONE ? 0 : (now - lastDataReceivedAt) / 1_000_000;
        boolean ws = c.windowScalingOn;
        return new TcpInfo(c.state(), caState(), c.retries, rtt.backoffCount(), c.timestampsOn, c.sackOn, ws,
                ws ? c.sndShift : 0, ws ? c.rcvShift : 0, rtt.rto() / 1000, c.effectiveMss, Handshake.advMss(c),
                c.pathMtu != 0 ? c.pathMtu : c.tuple.forFamily(c.config.mss()) + c.tuple.ipHeaderLength() + TCP_HEADER,
                rtt.srtt() / 1000, rttVar / 1000, ssthresh, cwnd, c.config.dupThresh(),
                totalRetrans, bytesRetrans, notSent, c.sndWnd, sinceData, packets(),
                chronoMicros(CHRONO_BUSY, now) + chronoMicros(CHRONO_RWND, now) + chronoMicros(CHRONO_SNDBUF, now),
                chronoMicros(CHRONO_RWND, now), c.receiveBufferSize(), c.ecn.on, c.ecn.seen, FastOpen.synData(c),
                FastOpen.child(c));
    }
}
