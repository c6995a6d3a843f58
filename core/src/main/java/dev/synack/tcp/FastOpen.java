package dev.synack.tcp;

import dev.synack.wire.TcpOptions;
import dev.synack.wire.TcpSegment;
import java.nio.ByteBuffer;

/**
 * TCP Fast Open (RFC 7413) for one connection, as Linux does it (net/ipv4/tcp_fastopen.c): present
 * ({@code Tcb.fastOpen}) only on a connection that uses it.
 *
 * <p>Client (§4.2.1): {@link #prepare} before the SYN of sendto(MSG_FASTOPEN) or of the first write
 * after TCP_FASTOPEN_CONNECT. With a cookie cached for the server ({@link FastOpenCache}), the SYN
 * carries it and as much data as the cached MSS less 40 bytes of options allows (Linux's
 * tcp_send_syn_data); without one, it carries a cookie request and no data. A retransmitted SYN
 * carries neither (Linux sends the data-less SYN again). The SYN-ACK's cookie and MSS are cached;
 * data it does not acknowledge goes again right after the handshake (TCPFastOpenActiveFail);
 * acknowledged data counts TCPFastOpenActive and sets TCPI_OPT_SYN_DATA. When a kind-34 cookie
 * request goes unanswered, the next one uses the experimental kind 254 (Linux's try_exp).
 *
 * <p>Server (§4.2.2, Linux's tcp_try_fastopen): on a listener with Fast Open on (TCP_FASTOPEN's
 * queue length, or {@link #SERVER_WO_SOCKOPT}), a SYN with a valid cookie (or any SYN, with
 * {@link #SERVER_COOKIE_NOT_REQD}) makes a child that takes the SYN's data at once, acknowledges
 * it in its SYN-ACK and enters the accept queue in SYN_RECV, where it may already send; such
 * children waiting for the handshake's last ACK are limited by the queue length
 * (TCPFastOpenListenOverflow). A cookie request, or an invalid cookie (TCPFastOpenPassiveFail), gets
 * a plain child whose SYN-ACK acknowledges only the SYN and carries the valid cookie, in the
 * option kind the client used. Cookies: {@link FastOpenCookies}.
 */
public final class FastOpen {
    /** net.ipv4.tcp_fastopen bits (Linux's TFO_*; Documentation/networking/ip-sysctl). */
    public static final int CLIENT_ENABLE = 0x1;
    public static final int SERVER_ENABLE = 0x2;
    /** The client sends data in its SYN without a cookie (TFO_CLIENT_NO_COOKIE). */
    public static final int CLIENT_NO_COOKIE = 0x4;
    /** The server takes SYN data without a cookie (TFO_SERVER_COOKIE_NOT_REQD). */
    public static final int SERVER_COOKIE_NOT_REQD = 0x200;
    /** Every listener does Fast Open, queue length its backlog, without TCP_FASTOPEN (TFO_SERVER_WO_SOCKOPT1). */
    public static final int SERVER_WO_SOCKOPT = 0x400;
    /** Linux's MAX_TCP_OPTION_SPACE: SYN data leaves room for 40 bytes of options. */
    private static final int MAX_OPTION_SPACE = 40;

    /** The client's cache, null on a server's child. */
    private final FastOpenCache cache;
    /** The Fast Open option the first SYN or SYN-ACK carries: -1 none, 0 a cookie request, else the cookie's length. */
    private int cookieLength = -1;
    private final byte[] cookie = new byte[TcpOptions.MAX_COOKIE];
    private boolean experimental;
    /** Data bytes the first SYN carries (client). */
    private int synData;
    private boolean firstSynSent;
    /** The SYN went again after a timeout (Linux's total_retrans in SYN_SENT). */
    private boolean synRetransmitted;
    /** TCPI_OPT_SYN_DATA: our SYN's data was acknowledged, or the child took the peer's. */
    boolean synDataAcked;
    /** A server's child made by a Fast Open SYN (Linux's syn_fastopen_child). */
    private boolean child;
    /** A server's child that entered the accept queue at its SYN; counted in {@link #pendingAt}'s Fast Open queue until its handshake ends. */
    Listener pendingAt;

    private FastOpen(FastOpenCache cache) {
        this.cache = cache;
    }

    // ---------------------------------------------------------------- client

    /**
     * Before an active open's SYN (the connection is not yet opened): sets up Fast Open and queues
     * the part of {@code data} the SYN will carry, consuming it. Returns the bytes the SYN takes: 0
     * when no cookie is cached (the SYN requests one). With {@code queueRest} (a blocking caller,
     * Linux's writer waiting for the connection) the rest of {@code data} is queued behind, as much
     * as fits, to leave with the handshake's ACK.
     *
     * @throws TcpException OPERATION_NOT_SUPPORTED when the client side is off (tcp_fastopen bit 0x1), as Linux's EOPNOTSUPP
     */
    public static int prepare(Connection c, FastOpenCache cache, ByteBuffer data, boolean queueRest) {
        int inSyn = prepareSyn(c, cache, data);
        if (queueRest) c.sendBuffer.write(data);
        return inSyn;
    }

    private static int prepareSyn(Connection c, FastOpenCache cache, ByteBuffer data) {
        int bits = c.config.fastOpen();
        if ((bits & CLIENT_ENABLE) == 0) throw new TcpException(TcpError.OPERATION_NOT_SUPPORTED);
        if (c.opened) throw new TcpException(c.isConnectDone() ? TcpError.ALREADY_CONNECTED : TcpError.CONNECTION_IN_PROGRESS);
        FastOpen f = new FastOpen(cache);
        c.fastOpen = f;
        FastOpenCache.Server e = cache.get(c.tuple.remoteAddress());
        boolean haveCookie = e != null && e.cookieLength > 0;
        if (!haveCookie && (bits & CLIENT_NO_COOKIE) == 0) {
            f.cookieLength = 0; // a cookie request (RFC 7413 §4.1.3)
            f.experimental = e != null && e.experimental;
            return 0;
        }
        if (haveCookie) {
            f.cookieLength = e.cookieLength;
            System.arraycopy(e.cookie, 0, f.cookie, 0, e.cookieLength);
        }
        int mss = Handshake.advMss(c);
        if (e != null && e.mss > 0) mss = Math.min(mss, e.mss);
        int room = Math.max(0, mss - MAX_OPTION_SPACE);
        ByteBuffer part = data.slice(data.position(), Math.min(data.remaining(), room));
        int taken = c.sendBuffer.write(part);
        data.position(data.position() + taken);
        f.synData = taken;
        return taken;
    }

    /**
     * The Fast Open option of the first SYN or SYN-ACK, after its other options, padded as Linux's
     * tcp_options_write pads it (two NOPs when its length is 2 mod 4). Returns the data bytes the
     * SYN carries from the send buffer's start; 0 for a retransmission or a SYN-ACK.
     */
    static int writeSynOption(Connection c, TcpOptions opts) {
        FastOpen f = c.fastOpen;
        if (f == null) return 0;
        if (f.firstSynSent) {
            f.synRetransmitted = true;
            return 0;
        }
        f.firstSynSent = true;
        if (f.cookieLength >= 0) {
            opts.fastOpen(f.experimental, f.cookie, 0, f.cookieLength);
            if (((TcpOptions.fastOpenLength(f.experimental, f.cookieLength)) & 3) == 2) opts.nop().nop();
        }
        return c.peerSynSeen ? 0 : f.synData;
    }

    /**
     * SYN_SENT took the SYN-ACK {@code seg} and its ACK (Linux's tcp_rcv_fastopen_synack): the
     * server's cookie and MSS go into the cache, and SYN data it did not acknowledge goes back to
     * be sent again (SND.NXT back to SND.UNA) once the handshake ends.
     */
    static void synAckArrived(Connection c, TcpSegment seg, long now) {
        FastOpen f = c.fastOpen;
        if (f == null || f.cache == null) return;
        TcpOptions o = seg.options();
        FastOpenCache.Server e = f.cache.entry(c.tuple.remoteAddress());
        if (o.hasMss() && o.mss() > 0) e.mss = o.mss();
        if (o.cookieLength() > 0) {
            e.cookieLength = o.cookieLength();
            o.copyCookie(e.cookie, 0);
            e.experimental = o.fastOpenExperimental();
        } else if (f.cookieLength == 0 && !f.synRetransmitted) {
            e.experimental = !f.experimental; // unanswered: the other kind next time (try_exp)
        }
        if (f.synData == 0) return;
        if (Seq.lt(c.sndUna, c.iss + 1 + f.synData)) {
            c.sndNxt = c.sndUna;
            c.output.listenEvent(ListenEvent.FASTOPEN_ACTIVE_FAIL, now);
        } else {
            f.synDataAcked = true;
            c.output.listenEvent(ListenEvent.FASTOPEN_ACTIVE, now);
        }
    }

    // ---------------------------------------------------------------- server

    /**
     * A listener's decision on a SYN (Linux's tcp_try_fastopen), made only when the SYN is going to
     * get a child: null when Fast Open plays no part; else the child's Fast Open, {@link #accepted}
     * when the child takes the SYN's data and enters the accept queue at once, otherwise with the
     * cookie its SYN-ACK carries.
     */
    static FastOpen atListener(TcpConfig config, Listener listener, FastOpenCookies cookies, FourTuple tuple, TcpSegment syn,
                               TcpOutput output, long now) {
        TcpOptions o = syn.options();
        int requested = o.cookieLength();
        if (requested == 0) output.listenEvent(ListenEvent.FASTOPEN_COOKIE_REQD, now);
        int bits = config.fastOpen();
        boolean synData = syn.payloadLength() > 0;
        if ((bits & SERVER_ENABLE) == 0 || (!synData && requested < 0) || listener.fastOpenQueueLimit() == 0) return null;
        if (listener.fastOpenPending() >= listener.fastOpenQueueLimit()) {
            output.listenEvent(ListenEvent.FASTOPEN_LISTEN_OVERFLOW, now);
            return null;
        }
        FastOpen f = new FastOpen(null);
        f.experimental = o.hasFastOpen() && o.fastOpenExperimental();
        if ((bits & SERVER_COOKIE_NOT_REQD) != 0 || (requested > 0 && cookies.valid(tuple, o))) {
            f.pendingAt = listener;
            f.child = true;
            output.listenEvent(ListenEvent.FASTOPEN_PASSIVE, now);
            return f;
        }
        if (requested > 0) output.listenEvent(ListenEvent.FASTOPEN_PASSIVE_FAIL, now);
        if (requested < 0) return null; // data without a cookie option: only the SYN is acknowledged
        f.cookieLength = FastOpenCookies.LENGTH;
        System.arraycopy(cookies.cookieFor(tuple), 0, f.cookie, 0, FastOpenCookies.LENGTH);
        return f;
    }

    /** The child takes the SYN's data and enters the accept queue at once. */
    boolean accepted() {
        return pendingAt != null;
    }

    /**
     * A child made from an accepted Fast Open SYN, before its SYN-ACK: the SYN's data goes into the
     * receive queue (as much as fits) and RCV.NXT past it, so that the SYN-ACK acknowledges it.
     */
    static void takeSynData(Connection child, TcpSegment syn, long now) {
        int take = Math.min(syn.payloadLength(), child.receiveBuffer.free());
        if (take <= 0) return;
        child.receiveBuffer.append(syn, 0, take);
        child.rcvNxt += take;
        child.info.lastDataReceivedAt = now;
        child.fastOpen.synDataAcked = true;
    }

    /** A server's Fast Open child in SYN_RECV may send before the handshake's last ACK (Linux's tcp_passive_fastopen). */
    static boolean sendsBeforeAck(Tcb c) {
        return c.state == TcpState.SYN_RECV && c.fastOpen != null && c.fastOpen.accepted();
    }

    /**
     * The handshake of a child counted in its listener's Fast Open queue ended (its last ACK, or
     * its end): it leaves that count. Returns whether the child entered the accept queue at its SYN.
     */
    static boolean leavePending(Connection c) {
        FastOpen f = c.fastOpen;
        if (f == null || f.pendingAt == null) return false;
        f.pendingAt.fastOpenDone();
        f.pendingAt = null;
        return true;
    }

    /** TCPI_OPT_TFO_CHILD for TCP_INFO. */
    static boolean child(Tcb c) {
        return c.fastOpen != null && c.fastOpen.child;
    }

    /** TCPI_OPT_SYN_DATA for TCP_INFO. */
    static boolean synData(Tcb c) {
        return c.fastOpen != null && c.fastOpen.synDataAcked;
    }
}
