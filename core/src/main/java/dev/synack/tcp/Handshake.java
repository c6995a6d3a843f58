package dev.synack.tcp;

import static dev.synack.tcp.Connection.NONE;
import static dev.synack.tcp.ReceiveWindow.MAX_WINDOW_FIELD;

import dev.synack.wire.TcpFlags;
import dev.synack.wire.TcpOptions;
import dev.synack.wire.TcpSegment;

/**
 * The three-way handshake (RFC 9293 §3.5, §3.10.7.3 SYN-SENT, figure 8's simultaneous open), the
 * passive opens a {@link Listener} makes (§3.10.7.2, and from a SYN cookie, {@link SynCookies}),
 * and what the SYNs negotiate: MSS (§3.7.1, RFC 6691), window scale (RFC 7323 §2.2), timestamps
 * (RFC 7323 §3.2) and SACK-permitted (RFC 2018 §2), in Linux's option layouts.
 */
final class Handshake {
    /** nop, nop, TS: the room the timestamps option takes in every segment (RFC 7323 §3, Appendix A). */
    private static final int TIMESTAMP_OPTION_SPACE = 12;
    /** RFC 7323 §2.3: a shift above 14 is used as 14. */
    private static final int MAX_WINDOW_SHIFT = 14;

    private Handshake() {}

    /**
     * A passive open (RFC 9293 §3.10.7.2, LISTEN receiving a SYN): the child of {@code listener}
     * enters SYN_RECV and sends its SYN-ACK.
     */
    static Connection passive(TcpConfig config, FourTuple tuple, IsnGenerator isn, TcpOutput output,
                              Listener listener, TcpSegment syn, FastOpen fastOpen, long now) {
        Connection child = new Connection(config, tuple, isn, output, listener);
        child.fastOpen = fastOpen;
        child.opened = true;
        child.state = TcpState.LISTEN;
        child.irs = syn.seq();
        child.rcvNxt = child.irs + 1;
        child.peerSynSeen = true;
        if (listener != null) child.userMss = listener.userMss(); // TCP_MAXSEG passes to the child
        negotiate(child, syn.options());
        child.tsRecentAt = now;
        initSendSequence(child, isn.isn(tuple, now));
        child.sndWnd = syn.window(); // a SYN's window is never scaled (RFC 7323 §2.2)
        child.maxSndWnd = child.sndWnd;
        child.sndWl1 = syn.seq();
        child.sndWl2 = child.iss;
        Ecn.synArrived(child, syn);
        child.setState(TcpState.SYN_RECV, "rcvd SYN", now);
        if (fastOpen != null && fastOpen.accepted()) FastOpen.takeSynData(child, syn, now); // RFC 7413 §4.2.2
        sendSyn(child, now);
        return child;
    }

    /**
     * The SYN-ACK a listener sends without making a child (SYN cookies, {@link SynCookies}): ISS
     * {@code cookie}, the window and options a child of {@code listener} would send, but only the
     * options a cookie can bring back: SACK-permitted and window scale only with timestamps (Linux's
     * tcp_conn_request clears the others when the SYN has no timestamps), our TSval {@code tsVal}.
     */
    static void writeCookieSynAck(TcpConfig config, Listener listener, FourTuple tuple, TcpSegment syn, int cookie, int tsVal,
                                  TcpSegment out) {
        TcpOptions peer = syn.options();
        boolean ts = config.timestamps() && peer.hasTimestamps();
        int advMss = advMss(config, listener.userMss(), tuple);
        SegmentWriter.writeSegmentHeader(out, syn.destinationPort(), syn.sourcePort(), cookie, TcpFlags.SYN | TcpFlags.ACK,
                syn.seq() + 1, initialWindow(config, config.receiveBufferSize(), advMss, ts), false, 0, 0);
        writeSynOptions(out.options(), config, advMss, ts, ts && config.sack() && peer.sackPermittedPresent(),
                ts && config.windowScaling() && peer.hasWindowScale(), tsVal, ts ? peer.tsVal() : 0);
    }

    /**
     * A passive open completed by an ACK carrying a valid SYN cookie (Linux's cookie_v4_check): the
     * child is made as if it had sent the SYN-ACK {@link #writeCookieSynAck} wrote (ISS {@code
     * cookie}, peer's ISN SEQ - 1, the peer's MSS {@code peerMss} from the cookie's table, SACK and
     * window scale as {@code offered} kept them in our TSval, timestamps if the ACK has them), then
     * {@code ack} is processed by it as by any child in SYN_RECV: it enters the accept queue (or is
     * dropped when the queue is full) and takes any data or FIN the ACK carries.
     */
    static Connection fromCookie(TcpConfig config, FourTuple tuple, IsnGenerator isn, TcpOutput output, Listener listener,
                                 TcpSegment ack, int cookie, int peerMss, SynCookies.Offered offered, long now) {
        Connection child = new Connection(config, tuple, isn, output, listener);
        child.opened = true;
        child.state = TcpState.LISTEN;
        child.irs = ack.seq() - 1;
        child.rcvNxt = ack.seq();
        child.peerSynSeen = true;
        child.userMss = listener.userMss();
        TcpOptions o = ack.options();
        negotiate(child, o.hasTimestamps(), offered.sack(), offered.windowScale() >= 0, offered.windowScale(), peerMss,
                o.hasTimestamps() ? o.tsVal() : 0);
        child.tsRecentAt = now;
        initSendSequence(child, cookie);
        child.setState(TcpState.SYN_RECV, "rcvd ACK with SYN cookie", now);
        child.rcvWindow.synWindowSent = initialWindow(child.config, child.rcvWindow.receiveBudgetFree(), advMss(child), child.timestampsOn);
        child.rcvWindow.rcvAdvertisedEdge = child.rcvWindow.rcvIntendedEdge = child.rcvNxt + child.rcvWindow.synWindowSent;
        child.sndNxt = child.sndMax = child.iss + 1;
        child.segmentArrived(ack, now);
        return child;
    }

    /** RFC 9293 §3.10.7.3: SYN-SENT. */
    static void synSentArrived(Connection c, TcpSegment seg, long now) {
        boolean hasAck = seg.has(TcpFlags.ACK);
        // First, check the ACK bit: it must acknowledge our SYN.
        if (hasAck && (Seq.le(seg.ack(), c.iss) || Seq.gt(seg.ack(), c.sndMax))) {
            if (!seg.has(TcpFlags.RST)) SegmentWriter.sendReset(c, seg.ack(), now);
            c.dropped(seg, "SYN_SENT: ACK does not acknowledge our SYN", now);
            return;
        }
        // Second, check the RST bit: acceptable only with an acceptable ACK.
        if (seg.has(TcpFlags.RST)) {
            if (hasAck) {
                Closing.fail(c, TcpError.CONNECTION_REFUSED, "rcvd RST (connection refused)", now);
            } else {
                c.dropped(seg, "SYN_SENT: RST without ACK", now);
            }
            return;
        }
        // Fourth, check the SYN bit.
        if (!seg.has(TcpFlags.SYN)) {
            c.dropped(seg, "SYN_SENT: neither SYN nor RST", now);
            return;
        }
        c.irs = seg.seq();
        c.rcvNxt = c.irs + 1;
        c.peerSynSeen = true;
        negotiate(c, seg.options());
        c.tsRecentAt = now;
        c.rcvWindow.rcvAdvertisedEdge = c.rcvWindow.rcvIntendedEdge = c.rcvNxt + c.rcvWindow.synWindowSent;
        if (hasAck) {
            Ecn.synAckArrived(c, seg);
            c.acks.acknowledge(seg.ack(), seg, now);
            c.sender.updatePacingRate();
            c.sndWnd = seg.window(); // the SYN-ACK's window is never scaled (RFC 7323 §2.2)
            c.maxSndWnd = c.sndWnd;
            c.sndWl1 = seg.seq();
            c.sndWl2 = seg.ack();
            FastOpen.synAckArrived(c, seg, now);
            c.setState(TcpState.ESTABLISHED, "rcvd SYN-ACK", now);
            c.ackNow = true;
            c.sender.transmitPending(now); // data queued during the handshake; the ACK rides on it
        } else {
            // Simultaneous open (RFC 9293 §3.5, figure 8): SYN-ACK with the same ISN.
            c.sndWnd = seg.window();
            c.maxSndWnd = c.sndWnd;
            c.sndWl1 = seg.seq();
            c.sndWl2 = c.iss;
            if (c.ecn.on) Ecn.synArrived(c, seg); // RFC 3168 §6.1.1: both SYNs must ask (Linux's tcp_ecn_rcv_syn)
            c.setState(TcpState.SYN_RECV, "rcvd SYN (simultaneous open)", now);
            sendSyn(c, now);
        }
    }

    /**
     * SYN_RECV meets the peer's SYN again (RFC 9293 §3.10.7.4 before the first step). Without an ACK
     * the peer retransmitted it: our SYN-ACK was lost, and goes again (Linux's tcp_check_req, at most
     * once per tcp_invalid_ratelimit). With one, it is the peer's SYN-ACK of a simultaneous open
     * (figure 8): its SYN is the one we already hold, so only the ACK matters.
     */
    static void synReceivedAgain(Connection c, TcpSegment seg, long now) {
        if (seg.has(TcpFlags.ACK)) {
            if (c.acks.processAck(seg, now)) Closing.afterSegment(c, now);
        } else if (c.receiver.answerUnacceptable(seg, RateLimited.SYN_RECV_ACK, now)) {
            c.dropped(seg, "retransmitted SYN: SYN-ACK sent again", now);
            sendSyn(c, now);
        } else {
            c.dropped(seg, "retransmitted SYN: SYN-ACK rate limited", now);
        }
    }

    /**
     * The window of a SYN or SYN-ACK, never scaled (RFC 7323 §2.2): the free receive space up to
     * 65535, rounded down to a whole number of segments as Linux does (tcp_select_initial_window),
     * which makes 64240 in a SYN and 65160 in a SYN-ACK with timestamps. A SYN-ACK rounds by the MSS
     * less the timestamp option once timestamps are agreed; a SYN does not know that yet.
     */
    private static int initialWindow(Connection c, boolean synAck) {
        return initialWindow(c.config, c.rcvWindow.receiveBudgetFree(), advMss(c), synAck && c.timestampsOn);
    }

    /** The SYN's window: the free buffer up to 65535, rounded down to whole segments when the profile does. */
    private static int initialWindow(TcpConfig config, int free, int advMss, boolean timestampOption) {
        int space = Math.min(free, MAX_WINDOW_FIELD);
        if (!config.synWindowInSegments()) return space;
        int segment = advMss - (timestampOption ? TIMESTAMP_OPTION_SPACE : 0);
        return space > segment ? space - space % segment : space;
    }

    /** SYN (SYN_SENT) or SYN-ACK (after the peer's SYN), first transmission or retransmission. */
    static void sendSyn(Connection c, long now) {
        boolean synAck = c.peerSynSeen;
        boolean again = Seq.lt(c.iss, c.sndMax) || c.retries > 0;
        c.rcvWindow.synWindowSent = initialWindow(c, synAck);
        int flags = synAck ? TcpFlags.SYN | TcpFlags.ACK | Ecn.synAckFlags(c) : TcpFlags.SYN | Ecn.synFlags(c, again);
        SegmentWriter.writeSegmentHeader(c.out, c.tuple.localPort(), c.tuple.remotePort(), c.iss,
                flags, synAck ? c.rcvNxt : 0, c.rcvWindow.synWindowSent, false, 0, 0);
        if (synAck) c.rcvWindow.rcvAdvertisedEdge = c.rcvWindow.rcvIntendedEdge = c.rcvNxt + c.rcvWindow.synWindowSent;
        writeSynOptions(c, c.out.options(), synAck, now);
        int synData = FastOpen.writeSynOption(c, c.out.options()); // RFC 7413: the cookie, and data in a SYN
        if (synData > 0) SegmentWriter.attachPayload(c, c.iss + 1, synData);
        if (again) {
            c.acks.rttTiming = false; // a retransmitted SYN gives no sample (Karn)
            c.info.totalRetrans++;
        } else {
            c.acks.rttTiming = true;
            c.acks.rttSeq = c.iss;
            c.acks.rttStart = now;
        }
        SegmentWriter.transmit(c, now);
        c.out.payload(null);
        int sent = c.iss + 1 + synData;
        if (Seq.lt(c.sndNxt, sent)) c.sndNxt = sent;
        if (Seq.lt(c.sndMax, sent)) c.sndMax = sent;
        if (c.timers.retransmitAt == NONE) c.timers.retransmitAt = now + c.rtt.rto();
    }

    /**
     * The SYN's options in the profile's {@link SynOptionLayout}. A SYN-ACK echoes only what was
     * negotiated (RFC 7323 §2.2, §3.2; RFC 2018 §2).
     */
    private static void writeSynOptions(Connection c, TcpOptions opts, boolean synAck, long now) {
        boolean ts = synAck ? c.timestampsOn : c.config.timestamps();
        boolean sack = synAck ? c.sackOn : c.config.sack();
        boolean ws = synAck ? c.windowScalingOn : c.config.windowScaling();
        writeSynOptions(opts, c.config, advMss(c), ts, sack, ws, c.tsNow(now), synAck ? c.tsRecent : 0);
    }

    private static void writeSynOptions(TcpOptions opts, TcpConfig config, int advMss, boolean ts, boolean sack, boolean ws,
                                        int tsVal, int tsEcr) {
        opts.mss(advMss);
        if (config.synOptionLayout() == SynOptionLayout.BSD) {
            writeBsdSynOptions(opts, config, ts, sack, ws, tsVal, tsEcr);
            return;
        }
        if (ts) {
            if (sack) opts.sackPermitted();
            else opts.nop().nop();
            opts.timestamps(tsVal, tsEcr);
        } else if (sack) {
            opts.nop().nop().sackPermitted();
        }
        if (ws) opts.nop().windowScale(config.windowScale());
    }

    /** {@link SynOptionLayout#BSD}, after the MSS: FreeBSD's tcp_addoptions order and padding. */
    private static void writeBsdSynOptions(TcpOptions opts, TcpConfig config, boolean ts, boolean sack, boolean ws,
                                           int tsVal, int tsEcr) {
        int length = 4; // the MSS
        if (ws) {
            opts.nop().windowScale(config.windowScale());
            length += 4;
        }
        if (sack) {
            if (length % 2 != 0) { opts.nop(); length++; }
            opts.sackPermitted();
            length += 2;
        }
        if (ts) {
            for (; length % 4 != 2; length++) opts.nop();
            opts.timestamps(tsVal, tsEcr);
            length += 10;
        }
        for (; length % 4 != 0; length++) opts.eol();
    }

    static void initSendSequence(Connection c, int iss) {
        c.iss = iss;
        c.sndUna = iss;
        c.sndNxt = iss;
        c.sndMax = iss;
        c.sendBufferSeq = iss + 1;
        c.sender.smallSegmentEnd = iss;
        c.sender.lastSegmentStart = iss;
        c.recovery.recoveryPoint = iss;
        c.sender.roundEnd = iss;
        c.recovery.highRxt = iss;
    }

    /** Options of the peer's SYN or SYN-ACK against ours (RFC 7323 §2.2, §3.2; RFC 2018 §2; RFC 9293 §3.7.1). */
    private static void negotiate(Connection c, TcpOptions peer) {
        // As Linux's tcp_parse_options, an MSS option of 0 counts as none.
        negotiate(c, peer.hasTimestamps(), peer.sackPermittedPresent(), peer.hasWindowScale(), peer.windowScale(),
                peer.hasMss() && peer.mss() > 0 ? peer.mss() : defaultPeerMss(c.config, c.tuple), peer.tsVal());
    }

    /** What the peer offered (timestamps, SACK, window scale and shift, MSS, TSval) against ours. */
    private static void negotiate(Connection c, boolean peerTs, boolean peerSack, boolean peerWs, int peerShift, int peerMss, int peerTsVal) {
        c.timestampsOn = c.config.timestamps() && peerTs;
        c.sackOn = c.config.sack() && peerSack;
        boolean ws = c.config.windowScaling() && peerWs;
        c.windowScalingOn = ws;
        c.sndShift = ws ? Math.min(peerShift, MAX_WINDOW_SHIFT) : 0;
        c.rcvShift = ws ? c.config.windowScale() : 0;
        c.peerMss = peerMss;
        c.effectiveMss = sendMss(c, peerMss);
        if (c.config.receiveBufferInSegments()) {
            c.rcvWindow.roundBudgetUpTo(c.effectiveMss + (c.timestampsOn ? TIMESTAMP_OPTION_SPACE : 0));
        }
        if (c.timestampsOn) c.tsRecent = peerTsVal;
        c.congestion = CongestionControl.create(c.config, c.effectiveMss);
        c.recovery = LossRecovery.forConnection(c, c.recovery);
    }

    /**
     * The payload of a full-sized segment for a peer announcing {@code peerMss} (RFC 9293 §3.7.1,
     * RFC 6691): the smaller of its MSS and ours, never below {@link TcpConfig#minSendMss()}, less
     * the timestamps option when agreed. The floor applies before the option is taken off, as in
     * Linux's tcp_mtu_to_mss (tcp_min_snd_mss, then the fixed options).
     */
    static int sendMss(Connection c, int peerMss) {
        int mss = Math.min(peerMss, advMss(c));
        if (c.pathMss > 0) mss = Math.min(mss, c.pathMss); // the path MTU ICMP reported (IcmpErrors)
        mss = Math.max(mss, c.config.minSendMss());
        return mss - (c.timestampsOn ? TIMESTAMP_OPTION_SPACE : 0);
    }

    /** The MSS announced in our SYN or SYN-ACK (Linux's advmss): the configured one, capped by TCP_MAXSEG. */
    static int advMss(Connection c) { return advMss(c.config, c.userMss, c.tuple); }

    /** {@link TcpConfig#mss()} is an IPv4 path's; an IPv6 connection's is 20 bytes less (MTU - 60). */
    static int advMss(TcpConfig config, int userMss, FourTuple tuple) {
        int mss = tuple.forFamily(config.mss());
        return userMss > 0 ? Math.min(mss, userMss) : mss;
    }

    /**
     * The MSS assumed of a peer whose SYN has no MSS option: the configured default over IPv4 (536,
     * RFC 9293 §3.7.1), 1220 over IPv6 (RFC 8200's minimum MTU less 60, Linux's IPv6 mss_clamp).
     */
    static int defaultPeerMss(TcpConfig config, FourTuple tuple) {
        return tuple.isIpv6() ? FourTuple.IPV6_MIN_MSS : config.defaultPeerMss();
    }
}
