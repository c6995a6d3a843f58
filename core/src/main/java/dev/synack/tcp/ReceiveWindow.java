package dev.synack.tcp;

import static dev.synack.tcp.Connection.NONE;

/**
 * The window we offer: RCV.WND and the window field (RFC 9293 §3.8.6.2.2 receiver SWS avoidance,
 * RFC 7323 §2.3-2.4 scaling, the right edge never moving left) and receive-buffer autotuning (Linux's
 * tcp_rcv_space_adjust).
 */
final class ReceiveWindow {
    /** The window field is 16 bits (RFC 9293 §3.1). */
    static final int MAX_WINDOW_FIELD = 0xffff;

    private final Connection c;
    /**
     * RCV.NXT + RCV.WND as the peer understood our last window field: the right edge never moves left
     * (RFC 9293 §3.8.6.2.2). With window scaling the field is rounded up, so this edge may stand up to
     * 2^shift - 1 bytes beyond {@link #rcvIntendedEdge}; the receive ring keeps that much slack so
     * that everything inside it can be stored.
     */
    int rcvAdvertisedEdge;
    /**
     * The right edge we chose to offer, never beyond the receive budget. Rounding for the window field
     * always starts from here, so rounded-up edges cannot creep forward one ACK after another.
     */
    int rcvIntendedEdge;
    /** The window our SYN or SYN-ACK carried (never scaled, RFC 7323 §2.2). */
    int synWindowSent;
    /**
     * The receive buffer's size as the window sees it: TcpConfig's receiveBufferSize, grown by
     * autotuning toward maxReceiveBufferSize; the ring holds this plus the window-rounding slack.
     */
    int receiveBudget;
    /** Autotuning (Linux tcp_rcv_space_adjust): bytes the application read since {@link #rcvSpaceStart}. */
    private int rcvSpaceCopied;
    private long rcvSpaceStart = NONE;

    ReceiveWindow(Connection c) {
        this.c = c;
        this.receiveBudget = c.config.receiveBufferSize();
    }

    /** RCV.WND: what is left of the window we advertised. */
    int receiveWindow() {
        return Math.max(0, Seq.distance(c.rcvNxt, rcvAdvertisedEdge));
    }

    /**
     * The window field for the next segment: the free buffer space, but raised only by at least
     * min(buffer/2, MSS) at a time (receiver SWS avoidance, RFC 9293 §3.8.6.2.2) and never moving the
     * right edge left (RFC 7323 §2.4); scaled by our shift, rounded up so the edge does not recede.
     */
    int advertiseWindow() {
        int current = Math.max(0, Seq.distance(c.rcvNxt, rcvIntendedEdge));
        int available = windowCeiling();
        int wnd = offered(current, available);
        wnd = Math.min(wnd, MAX_WINDOW_FIELD << c.rcvShift);
        rcvIntendedEdge = Seq.max(rcvIntendedEdge, c.rcvNxt + wnd);
        int intended = Math.max(0, Seq.distance(c.rcvNxt, rcvIntendedEdge));
        int field = Math.min((intended + (1 << c.rcvShift) - 1) >>> c.rcvShift, MAX_WINDOW_FIELD);
        rcvAdvertisedEdge = Seq.max(rcvAdvertisedEdge, c.rcvNxt + (field << c.rcvShift));
        return field;
    }

    /**
     * The window to offer given what is left of the last one ({@code current}) and the free space
     * ({@code available}): by default the free space only once it exceeds the current window by the
     * SWS threshold (RFC 9293 §3.8.6.2.2); with {@link TcpConfig#windowOffersFreeSpace()} all of it,
     * unless it is under a quarter of the buffer and under a segment (FreeBSD's tcp_output).
     */
    private int offered(int current, int available) {
        if (c.config.windowOffersFreeSpace()) {
            boolean silly = available < receiveBudget / 4 && available < c.effectiveMss;
            return silly ? current : Math.max(current, available);
        }
        return available - current >= swsThreshold() ? available : current;
    }

    /**
     * The most we could advertise now: the free receive budget, up to what the window field can say.
     * After shutdown(READ) with {@link ReadShutdownData#DISCARD} the buffer is gone: nothing more is
     * offered, so the window closes as the peer fills what was already offered (the right edge never
     * moves left), as FreeBSD's sorflush releasing so_rcv (sb_hiwat 0) makes tcp_output offer nothing
     * beyond rcv_adv. A peer that keeps writing then probes a zero window and its writes block,
     * rather than its bytes vanishing while it believes them read.
     */
    private int windowCeiling() {
        int free = c.receiver.discardsInput() ? 0 : receiveBudgetFree();
        // Under memory pressure the window grows by no more than four segments beyond what was
        // offered (Linux's tcp_adjust_rcv_ssthresh clamps rcv_ssthresh to 4 * advmss).
        if (c.memory.underPressure()) free = Math.min(free, 4 * c.config.mss());
        return Math.min(free, MAX_WINDOW_FIELD << c.rcvShift);
    }

    /**
     * The budget raised to a whole number of {@code segment}s, up to maxReceiveBufferSize, as
     * FreeBSD's tcp_mss rounds so_rcv up to a multiple of the MSS once the peer's is known
     * ({@link TcpConfig#receiveBufferInSegments()}).
     */
    void roundBudgetUpTo(int segment) {
        long rounded = ((long) receiveBudget + segment - 1) / segment * segment;
        int budget = (int) Math.min(rounded, c.config.maxReceiveBufferSize());
        if (budget <= receiveBudget) return;
        receiveBudget = budget;
        c.receiveBuffer.growTo(receiveBudget + windowRoundingSlack(c.config));
    }

    /** Free room in the receive buffer as configured, not counting the rounding slack. */
    int receiveBudgetFree() {
        return Math.max(0, receiveBudget - c.receiveBuffer.size());
    }

    /**
     * Receive-buffer autotuning in the manner of Linux's tcp_rcv_space_adjust (dynamic right-sizing):
     * once per round-trip time, if the application read more than half the budget in that time, the
     * sender may double its window in the next one, so the budget grows to twice what was read, up
     * to maxReceiveBufferSize (and what the window field can say at our scale, RFC 7323 §2.3). The
     * ring grows with it (the only allocation, and only while growing); what was advertised never
     * shrinks, so in-window data is never trimmed.
     */
    void autotuneReceiveBuffer(int read, long now) {
        // Under memory pressure buffers do not grow (Linux's tcp_rcv_space_adjust leaves sk_rcvbuf alone).
        if (!c.config.receiveBufferAutotuning() || !c.rtt.hasSample() || c.memory.underPressure()) return;
        if (rcvSpaceStart == NONE) {
            rcvSpaceStart = now;
            rcvSpaceCopied = 0;
        }
        rcvSpaceCopied += read;
        if (now - rcvSpaceStart < c.rtt.srtt()) return;
        long wanted = 2L * rcvSpaceCopied;
        rcvSpaceStart = now;
        rcvSpaceCopied = 0;
        long ceiling = Math.min(c.config.maxReceiveBufferSize(), (long) MAX_WINDOW_FIELD << c.rcvShift);
        if (wanted <= receiveBudget || receiveBudget >= ceiling) return;
        receiveBudget = (int) Math.min(wanted, ceiling);
        c.receiveBuffer.growTo(receiveBudget + windowRoundingSlack(c.config));
    }

    /** Bytes a rounded-up scaled window may offer beyond the budget: 2^shift - 1 (RFC 7323 §2.3). */
    static int windowRoundingSlack(TcpConfig config) {
        return config.windowScaling() ? (1 << Math.min(config.windowScale(), 14)) - 1 : 0;
    }

    private int swsThreshold() {
        return Math.max(1, Math.min(receiveBudget / 2, c.effectiveMss));
    }

    /**
     * After a read: a window update goes out when the window can grow by the SWS threshold
     * (RFC 9293 §3.8.6.2.2) and, as on Linux (tcp_cleanup_rbuf), at least doubles; smaller openings
     * ride on the next ACK, so that reading during a bulk transfer does not defeat delayed ACKs.
     */
    void maybeSendWindowUpdate(long now) {
        boolean peerMaySend = c.state == TcpState.ESTABLISHED || c.state == TcpState.FIN_WAIT1 || c.state == TcpState.FIN_WAIT2;
        if (!peerMaySend) return;
        int current = Math.max(0, Seq.distance(c.rcvNxt, rcvIntendedEdge));
        int available = windowCeiling();
        if (available - current >= swsThreshold() && available >= 2 * current) SegmentWriter.sendAck(c, now);
    }
}
