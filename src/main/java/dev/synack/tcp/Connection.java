package dev.synack.tcp;

import dev.synack.wire.TcpFlags;
import dev.synack.wire.TcpOptions;
import dev.synack.wire.TcpSegment;
import java.nio.ByteBuffer;

/**
 * One TCP connection: the TCB of RFC 9293 §3.3.1 and its state machine. Sans-IO: fed segments, user
 * calls and the current time (nanoseconds, from whatever clock the owner uses), it emits segments
 * and events through its {@link TcpOutput}. Single-threaded: its owner serialises all calls.
 *
 * <p>Choices where the RFCs leave room (Linux's behaviour unless said otherwise):
 * <ul>
 *   <li>Zero-window probes are Linux's: a bare ACK with {@code seq = SND.UNA - 1}, which the peer must
 *       answer with an ACK carrying its window (RFC 9293 §3.10.7.4, "first"); it carries no data, so
 *       it can neither lose nor duplicate a byte. When the persist timer fires and the window is open
 *       but too small for the sender's silly-window rule, the data that fits is sent instead.</li>
 *   <li>Out-of-order segments are kept (their in-window bytes, in the receive ring's free region, with
 *       a bounded table of ranges, {@link ReassemblyQueue}) and answered at once with a duplicate ACK
 *       carrying SACK blocks when agreed; data or a SYN carried by a SYN-ACK is dropped (the peer
 *       retransmits it).</li>
 *   <li>shutdown(READ) sends nothing. What it does to received data is {@link TcpConfig#readShutdownData()}:
 *       by default Linux's rule, where read() returns -1 only while nothing is queued and data
 *       arriving later is acknowledged, queued and readable (until our FIN is out too: then it
 *       resets the connection); or the BSD rule, where what was buffered is discarded at once and
 *       later data is acknowledged and dropped (the window stays open).</li>
 *   <li>shutdown() in CLOSED throws NOT_CONNECTED (ENOTCONN); in SYN_SENT it silently drops the
 *       attempt (CLOSED, released), as Linux's tcp_disconnect.</li>
 *   <li>After an asynchronous error (reset, timeout, refusal) read() still returns the bytes already
 *       received, then throws the error on every call; write() throws it at once.</li>
 *   <li>Delayed ACKs use {@link TcpConfig#delayedAckMinNanos()} (Linux's initial 40 ms) as their
 *       timeout; an ACK goes out at once when more than one full-sized segment is unacknowledged.</li>
 *   <li>Nagle's algorithm is Linux's (Minshall's variant): a small segment waits only while an
 *       earlier small segment is unacknowledged; close()/shutdown(WRITE) push the tail out.</li>
 *   <li>Records, corking and idle restarts as Linux: a write with {@link WriteFlags#END_OF_RECORD}
 *       (MSG_EOR) ends a record no segment crosses; TCP_CORK ({@link #setCork}) and
 *       {@link WriteFlags#MORE} (MSG_MORE, for its call) hold segments shorter than the MSS; after
 *       an idle period longer than the RTO, cwnd restarts ({@link TcpConfig#slowStartAfterIdle()}).</li>
 *   <li>PSH as Linux sets it: on the segment ending a write (and on its retransmissions), on the
 *       last of the new segments Linux would send as one TSO packet, and on a window probe with
 *       data. synack does not pace or use TSO; Linux's pacing rate only sizes those trains.</li>
 *   <li>D-SACK blocks (RFC 2883) are reported as Linux does: for data below RCV.NXT, and for the
 *       part of a segment that repeats held out-of-order data, first, before the SACK blocks.</li>
 *   <li>An abort's RST (close() with unread data, SO_LINGER 0, keepalive timeout) is RST|ACK built
 *       like any segment, timestamps included; a RST answering a segment carries no options.</li>
 *   <li>Loss recovery: with SACK, RACK (RFC 8985 §6, {@link Rack}) decides which segments are lost,
 *       by time, as Linux does by default; recovery then resends them while cwnd - pipe allows (RFC
 *       6675's pipe with RACK's marks). With {@link TcpConfig#rack()} off, RFC 6675 (scoreboard,
 *       IsLost with DupThresh, pipe, NextSeg rules 1-3; no rescue retransmission). Without SACK,
 *       NewReno (RFC 6582, the Impatient variant of §4, as Linux: only the first partial ACK
 *       restarts the timer). With {@link TcpConfig#proportionalRateReduction()} (Linux), every fast
 *       recovery sets cwnd on each ACK by proportional rate reduction ({@link
 *       ProportionalRateReduction}, RFC 9937) instead of cwnd = ssthresh or NewReno's inflation.
 *       Limited transmit (RFC 3042) on the first two duplicate ACKs. The congestion window is a {@link CongestionControl}: CUBIC (RFC 9438) or
 *       NewReno (RFC 5681). With SACK, a tail loss probe (RFC 8985 §7) fires at min(2 SRTT
 *       (+ delayed-ACK allowance), RTO) and sends new data or the last segment.</li>
 *   <li>The retry limits count retransmissions: the SYN is given up after synRetries of them (1, 2,
 *       4, ... s apart), a passive child after synAckRetries (dropped silently), data after
 *       dataRetries (CONNECTION_TIMED_OUT, no RST, as Linux).</li>
 *   <li>Challenge ACKs (RFC 5961 §7) are limited per connection, not host-wide as on Linux; with
 *       the ACKs to unacceptable segments they share Linux's per-connection interval
 *       (tcp_invalid_ratelimit): see {@link AckLimiter}.</li>
 *   <li>A passive-open child reset in SYN_RECV reports SYN_RECV -> LISTEN and is then released; its
 *       listener carries on.</li>
 * </ul>
 */
public final class Connection {
    /** "No timer armed". */
    private static final long NONE = Long.MAX_VALUE;
    /** nop, nop, TS: the room the timestamps option takes in every segment (RFC 7323 §3, Appendix A). */
    private static final int TIMESTAMP_OPTION_SPACE = 12;
    /** The window field is 16 bits (RFC 9293 §3.1). */
    private static final int MAX_WINDOW_FIELD = 0xffff;
    /** RFC 7323 §2.3: a shift above 14 is used as 14. */
    private static final int MAX_WINDOW_SHIFT = 14;
    /** RFC 2018 §3: with the 10-byte timestamps option (plus 2 nops), 3 SACK blocks fit in 40 bytes. */
    private static final int SACK_BLOCKS_WITH_TIMESTAMPS = 3;
    /** Linux's TCP_PAWS_WINDOW: a timestamp one tick older than TS.Recent is still accepted. */
    private static final int PAWS_WINDOW_TICKS = 1;
    /** nop, nop, kind, length: the SACK option's bytes before its blocks (RFC 2018 §3). */
    private static final int SACK_OPTION_OVERHEAD = 4;
    /** One SACK block: two 32-bit edges. */
    private static final int SACK_BLOCK_SIZE = 8;
    /** Linux's largest TSO/GSO packet (GSO_LEGACY_MAX_SIZE): the longest train of segments sent together. */
    private static final int MAX_TRAIN_BYTES = 65536;
    /** Linux's TSO autosizing: a packet holds about 2^-10 s of data at the pacing rate (sk_pacing_shift)... */
    private static final int PACING_SHIFT = 10;
    /** ...plus 64 KiB halved for every 2^9 us of RTT (tcp_tso_rtt_log)... */
    private static final int TSO_RTT_LOG = 9;

    private final TcpConfig config;
    private final FourTuple tuple;
    private final IsnGenerator isnGenerator;
    private final TcpOutput output;
    /** The stack's memory (tcp_mem): this connection's buffers are charged to it ({@link #accountMemory}). */
    private final MemoryBudget memory;
    /** What this connection has charged to {@link #memory}. */
    private long memoryCharged;
    /** Whether {@link #memory} counts this connection as an orphan. */
    private boolean orphanCounted;
    /** The listener that created this connection, until accept() takes it; null for an active open. */
    private Listener listener;
    /** Links of {@link #listener}'s SYN queue while this child is in it (the listener keeps them). */
    Connection synPrev;
    Connection synNext;
    boolean inSynQueue;
    private final boolean passiveOpen;

    private TcpState state = TcpState.CLOSED;
    private boolean opened;
    private boolean released;
    private boolean userClosed;
    private boolean readShutdown;
    private boolean writeShutdown;
    private TcpError error;

    // ---- send sequence variables (RFC 9293 §3.3.1) ----
    private int iss;
    /**
     * Our SYN has been acknowledged (SND.UNA has moved past ISS). A flag, not {@code SND.UNA > ISS}:
     * that comparison turns false again once 2^31 bytes have been acknowledged (RFC 9293 §3.4 compares
     * only within half the sequence space), which stopped all sending after 2 GiB.
     */
    private boolean synAcknowledged;
    /**
     * Whether cwnd is used, judged per round trip as Linux does (tcp_cwnd_validate): a send in the
     * round filled cwnd, the largest flight (SND.MAX - SND.UNA) sent in it, and the SND.MAX that
     * ends it. A send that fills cwnd, a larger flight, or the first send after SND.UNA passes the
     * end starts a new round.
     */
    private boolean roundCwndLimited;
    private int roundMaxFlight;
    private int roundEnd;
    private int sndUna;
    private int sndNxt;
    /** The highest sequence number sent so far; SND.NXT goes back to SND.UNA on a timeout (go-back-N). */
    private int sndMax;
    /** The peer's window in bytes, scaled. */
    private int sndWnd;
    private int sndWl1;
    private int sndWl2;
    /** The largest window the peer has offered (RFC 9293 §3.8.6.2.1, RFC 5961 §5.2). */
    private int maxSndWnd;
    /** The peer's window scale: applied to the windows it sends (RFC 7323 §2.3). */
    private int sndShift;
    private final SendBuffer sendBuffer;
    /** Sequence number of the oldest byte in the send buffer. */
    private int sendBufferSeq;
    private boolean finQueued;
    /** Sequence number our FIN occupies, once queued. */
    private int finSeq;
    /** End of the last small (less than MSS) segment sent: Nagle holds a small one while this is unacknowledged. */
    private int smallSegmentEnd;
    /** Where the segment that reached SND.MAX started: the tail loss probe sends that segment again. */
    private int lastSegmentStart;
    /** Ends of unacknowledged segments sent with PSH, so that retransmissions keep the flag. */
    private final PushMarks pushMarks = new PushMarks();
    /**
     * Whether the end of the data written so far carries a push mark: every write marks it but one
     * with MSG_MORE, which leaves the mark of earlier unsent data (Linux's tcp_push marks the tail
     * skb unless MSG_MORE; a write appended to an unsent skb keeps that skb's flags).
     */
    private boolean tailPushed = true;
    /** TCP_CORK: segments shorter than the MSS wait (Linux's TCP_NAGLE_CORK) until uncorked or the persist timer fires. */
    private boolean corked;
    /** A write with MSG_MORE is sending: it holds its small segments as TCP_CORK does, for this call only. */
    private boolean writingMore;
    /** Setting TCP_NODELAY is sending: small segments go even while corked (Linux's TCP_NAGLE_PUSH). */
    private boolean pushingAll;
    /** When new data last left (Linux's lsndtime), for the restart after idle; NONE before any. */
    private long lastDataSentAt = NONE;

    // ---- receive sequence variables ----
    private int irs;
    private int rcvNxt;
    /**
     * RCV.NXT + RCV.WND as the peer understood our last window field: the right edge never moves left
     * (RFC 9293 §3.8.6.2.2). With window scaling the field is rounded up, so this edge may stand up to
     * 2^shift - 1 bytes beyond {@link #rcvIntendedEdge}; the receive ring keeps that much slack so
     * that everything inside it can be stored.
     */
    private int rcvAdvertisedEdge;
    /**
     * The right edge we chose to offer, never beyond the receive budget. Rounding for the window field
     * always starts from here, so rounded-up edges cannot creep forward one ACK after another.
     */
    private int rcvIntendedEdge;
    /** Our window scale: applied to the windows we send. */
    private int rcvShift;
    /** The window our SYN or SYN-ACK carried (never scaled, RFC 7323 §2.2). */
    private int synWindowSent;
    private final ReceiveQueue receiveBuffer;
    /**
     * The receive buffer's size as the window sees it: TcpConfig's receiveBufferSize, grown by
     * autotuning toward maxReceiveBufferSize; the ring holds this plus the window-rounding slack.
     */
    private int receiveBudget;
    /** Autotuning (Linux tcp_rcv_space_adjust): bytes the application read since {@link #rcvSpaceStart}. */
    private int rcvSpaceCopied;
    private long rcvSpaceStart = NONE;
    /** Out-of-order ranges above RCV.NXT; their bytes wait in the receive ring's free region. */
    private final ReassemblyQueue reassembly;
    /** A FIN that arrived out of order: it takes effect when RCV.NXT reaches {@link #outOfOrderFinSeq}. */
    private boolean outOfOrderFin;
    private int outOfOrderFinSeq;
    /** RFC 2883: a duplicate range to report as the first SACK block of the next segment. */
    private boolean dsackPending;
    private int dsackLeft;
    private int dsackRight;
    private boolean peerSynSeen;
    private boolean finReceived;

    // ---- negotiated options ----
    private boolean timestampsOn;
    private boolean sackOn;
    private boolean windowScalingOn;
    private int peerMss;
    /** The largest payload we send: min(peer MSS, our MSS) minus the timestamps option when on. */
    private int effectiveMss;
    private int tsRecent;
    /** When TS.Recent was last set (RFC 7323 §5.5). */
    private long tsRecentAt;
    /** Last.ACK.sent of RFC 7323 §4.3. */
    private int lastAckSent;

    // ---- timers and retransmission ----
    private long retransmitAt = NONE;
    private long persistAt = NONE;
    private long delayedAckAt = NONE;
    /** TIME_WAIT's state and rules, from the moment the connection enters it (see {@link TimeWaitRecord}). */
    private TimeWaitRecord timeWait;
    private long finWait2At = NONE;
    private long keepaliveAt = NONE;
    private boolean keepAlive;
    private int keepaliveProbesSent;
    private long lastReceivedAt;
    private int retries;
    private int persistBackoff;
    private final RttEstimator rtt;
    private boolean rttTiming;
    private int rttSeq;
    private long rttStart;
    /** The segment at SND.UNA was retransmitted, last at timestamp {@link #unaRetransmitTs}. */
    private boolean unaRetransmitted;
    private int unaRetransmitTs;
    private CongestionControl congestion;
    private int dupAcks;
    /**
     * Without SACK, the segments duplicate ACKs say have left the network, as Linux counts them
     * (tcp_add_reno_sack, tcp_remove_reno_sacks): one per duplicate ACK, fewer than the segments
     * out; a cumulative ACK of n segments takes n - 1 of them back (one segment filled the hole).
     */
    private int renoSacked;
    /**
     * Linux's pacing rate (bytes per second) as of the last ACK, or MAX_VALUE before an RTT sample.
     * synack does not pace: the rate only sizes the trains of segments Linux would send as one
     * TSO/GSO packet, for their PSH flag ({@link #trainLimit}).
     */
    private long pacingRate = Long.MAX_VALUE;

    // ---- loss recovery (RFC 6582 NewReno without SACK; with SACK, RFC 8985 RACK or RFC 6675) ----
    private final SackScoreboard scoreboard;
    /** RACK's loss detection (RFC 8985 §6) when SACK was agreed and {@link TcpConfig#rack()}; null otherwise. */
    private Rack rack;
    /** RACK's reordering timer (RFC 8985 §6.3). */
    private long reorderAt = NONE;
    private boolean inRecovery;
    /**
     * RFC 6675 RecoveryPoint / RFC 6582 "recover", as an exclusive end (SND.MAX when recovery began or
     * the timer last expired): a recovery ends when it is acknowledged, and no new one starts before.
     */
    private int recoveryPoint;
    /** RFC 6675 HighRxt, exclusive: the end of the highest segment retransmitted in this recovery. */
    private int highRxt;
    /** A partial ACK came in this NewReno recovery: later ones do not restart the timer (RFC 6582 §4). */
    private boolean partialAckSeen;
    /** What a fast recovery may send per ACK, with {@link TcpConfig#proportionalRateReduction()}. */
    private final ProportionalRateReduction prr = new ProportionalRateReduction();

    // ---- tail loss probe (RFC 8985 §7) ----
    private long probeAt = NONE;
    private final LossProbeEpisode probe = new LossProbeEpisode();

    // ---- acknowledgement policy ----
    private int quickAcksLeft;
    private boolean ackNow;
    private boolean noDelay;
    /** The limits on ACKs to unacceptable segments and challenge ACKs: created with the first one limited. */
    private AckLimiter ackLimiter;

    private final TcpSegment out = new TcpSegment();
    private ByteBuffer payloadScratch;

    private Connection(TcpConfig config, FourTuple tuple, IsnGenerator isnGenerator, TcpOutput output, Listener listener) {
        this.config = config;
        this.tuple = tuple;
        this.isnGenerator = isnGenerator;
        this.output = output;
        this.memory = output.memoryBudget();
        this.listener = listener;
        this.passiveOpen = listener != null;
        this.sendBuffer = new SendBuffer(config.sendBufferSize());
        this.receiveBuffer = new ReceiveQueue(config.receiveBufferSize() + windowRoundingSlack(config));
        this.reassembly = new ReassemblyQueue(config.maxOutOfOrderRanges());
        this.receiveBudget = config.receiveBufferSize();
        this.scoreboard = new SackScoreboard(config.maxOutOfOrderRanges());
        this.rtt = new RttEstimator(config);
        this.quickAcksLeft = config.quickAcks();
    }

    /** A connection for an active open; call {@link #connect(long)} to send the SYN. State CLOSED. */
    public static Connection active(TcpConfig config, FourTuple tuple, IsnGenerator isn, TcpOutput output) {
        return new Connection(config, tuple, isn, output, null);
    }

    /**
     * A passive open (RFC 9293 §3.10.7.2, LISTEN receiving a SYN): the child of {@code listener}
     * enters SYN_RECV and sends its SYN-ACK.
     */
    static Connection passive(TcpConfig config, FourTuple tuple, IsnGenerator isn, TcpOutput output,
                              Listener listener, TcpSegment syn, long now) {
        Connection c = new Connection(config, tuple, isn, output, listener);
        c.opened = true;
        c.state = TcpState.LISTEN;
        c.irs = syn.seq();
        c.rcvNxt = c.irs + 1;
        c.peerSynSeen = true;
        if (listener != null) c.userMss = listener.userMss(); // TCP_MAXSEG passes to the child
        c.negotiate(syn.options());
        c.tsRecentAt = now;
        c.initSendSequence(isn.isn(tuple, now));
        c.sndWnd = syn.window(); // a SYN's window is never scaled (RFC 7323 §2.2)
        c.maxSndWnd = c.sndWnd;
        c.sndWl1 = syn.seq();
        c.sndWl2 = c.iss;
        c.setState(TcpState.SYN_RECV, "rcvd SYN", now);
        c.sendSyn(now);
        return c;
    }

    /**
     * The SYN-ACK a listener sends without making a child (SYN cookies, {@link SynCookies}): ISS
     * {@code cookie}, the window and options a child of {@code listener} would send, but only the
     * options a cookie can bring back: SACK-permitted and window scale only with timestamps (Linux's
     * tcp_conn_request clears the others when the SYN has no timestamps), our TSval {@code tsVal}.
     */
    static void writeCookieSynAck(TcpConfig config, Listener listener, TcpSegment syn, int cookie, int tsVal, TcpSegment out) {
        TcpOptions peer = syn.options();
        boolean ts = config.timestamps() && peer.hasTimestamps();
        int advMss = advMss(config, listener.userMss());
        out.clear()
                .sourcePort(syn.destinationPort())
                .destinationPort(syn.sourcePort())
                .seq(cookie)
                .ack(syn.seq() + 1)
                .flags(TcpFlags.SYN | TcpFlags.ACK)
                .window(initialWindow(config.receiveBufferSize(), advMss, ts));
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
        Connection c = new Connection(config, tuple, isn, output, listener);
        c.opened = true;
        c.state = TcpState.LISTEN;
        c.irs = ack.seq() - 1;
        c.rcvNxt = ack.seq();
        c.peerSynSeen = true;
        c.userMss = listener.userMss();
        TcpOptions o = ack.options();
        c.negotiate(o.hasTimestamps(), offered.sack(), offered.windowScale() >= 0, offered.windowScale(), peerMss,
                o.hasTimestamps() ? o.tsVal() : 0);
        c.tsRecentAt = now;
        c.initSendSequence(cookie);
        c.setState(TcpState.SYN_RECV, "rcvd ACK with SYN cookie", now);
        c.synWindowSent = initialWindow(c.receiveBudgetFree(), c.advMss(), c.timestampsOn);
        c.rcvAdvertisedEdge = c.rcvIntendedEdge = c.rcvNxt + c.synWindowSent;
        c.sndNxt = c.sndMax = c.iss + 1;
        c.segmentArrived(ack, now);
        return c;
    }

    // =====================================================================================
    // User calls (RFC 9293 §3.10)
    // =====================================================================================

    /** OPEN, active (RFC 9293 §3.10.1): CLOSED -> SYN_SENT, emits SYN. */
    public void connect(long now) {
        settle();
        if (userClosed) throw new TcpException(TcpError.CLOSED);
        if (state == TcpState.SYN_SENT) throw new TcpException(TcpError.CONNECTION_IN_PROGRESS);
        if (opened) throw new TcpException(TcpError.ALREADY_CONNECTED);
        opened = true;
        initSendSequence(isnGenerator.isn(tuple, now));
        setState(TcpState.SYN_SENT, "connect()", now);
        sendSyn(now);
        output.wakeup(this);
        output.callReturned(this);
    }

    /**
     * SEND (RFC 9293 §3.10.2): copies as many bytes from {@code src} as the send buffer has room for
     * and transmits what the windows allow. Returns the count taken (0 when the buffer is full).
     * Allowed in SYN_SENT/SYN_RECV (queued until established), ESTABLISHED and CLOSE_WAIT.
     * @throws TcpException the connection's error after a reset/timeout/refusal, OUTPUT_SHUTDOWN after
     *         shutdown(WRITE)/close, NOT_CONNECTED before connect().
     */
    public int write(ByteBuffer src, long now) {
        return write(src, 0, now);
    }

    /**
     * SEND with send(2)'s flags, {@link WriteFlags#MORE} (MSG_MORE) and {@link WriteFlags#END_OF_RECORD}
     * (MSG_EOR); otherwise as {@link #write(ByteBuffer, long)}. A record ends only when every byte of
     * {@code src} was taken (as Linux marks the skb only when the whole message is queued).
     */
    public int write(ByteBuffer src, int flags, long now) {
        settle();
        if (error != null) throw new TcpException(error);
        if (writeShutdown || userClosed) throw new TcpException(TcpError.OUTPUT_SHUTDOWN);
        switch (state) {
            case SYN_SENT, SYN_RECV, ESTABLISHED, CLOSE_WAIT -> { }
            case CLOSED, LISTEN -> throw new TcpException(TcpError.NOT_CONNECTED);
            default -> throw new TcpException(TcpError.OUTPUT_SHUTDOWN);
        }
        boolean unsentBefore = Seq.distance(sndNxt, dataEnd()) > 0;
        int n = lowWaterMarkLimits() ? writeBelowLowWater(src, now) : bufferWrite(src);
        boolean more = (flags & WriteFlags.MORE) != 0;
        if (n > 0) {
            chronoStart(CHRONO_BUSY, now);
            restartWindowAfterIdle(now);
            tailPushed = !more || (tailPushed && unsentBefore);
            if ((flags & WriteFlags.END_OF_RECORD) != 0 && !src.hasRemaining()) sendBuffer.endRecord();
        }
        writingMore = more;
        try {
            transmitPending(now);
        } finally {
            writingMore = false;
        }
        accountMemory();
        output.wakeup(this);
        output.callReturned(this);
        return n;
    }

    /**
     * Appends what the send buffer and the stack's memory let in (sk_stream_memory_free: over the
     * hard level a writer's arrays take no more than {@link MemoryBudget#MIN_SEND} in all).
     */
    private int bufferWrite(ByteBuffer src) {
        int room = sendSpace();
        if (room >= src.remaining()) return sendBuffer.write(src);
        int limit = src.limit();
        src.limit(src.position() + room);
        try {
            return sendBuffer.write(src);
        } finally {
            src.limit(limit);
        }
    }

    /**
     * RECEIVE (RFC 9293 §3.10.3): copies received in-order bytes into {@code dst}. Returns the count,
     * 0 when none is available yet, -1 at end-of-stream: after the peer's FIN, and after
     * shutdown(READ) while nothing is queued (always, with {@link ReadShutdownData#DISCARD}). Reading
     * opens the receive window; a window update goes out when the window grew by at least
     * min(receive buffer / 2, MSS) (RFC 9293 §3.8.6.2.2).
     * @throws TcpException the connection's error (once the buffered bytes are read), CLOSED after close().
     */
    public int read(ByteBuffer dst, long now) {
        settle();
        if (userClosed) throw new TcpException(TcpError.CLOSED);
        if (discardsInput()) return -1;
        if (!receiveBuffer.isEmpty()) {
            int n = receiveBuffer.read(dst);
            if (finReceived || released) receiveBuffer.releaseIfEmpty(); // nothing more can arrive
            if (n > 0) {
                accountMemory();
                autotuneReceiveBuffer(n, now);
                maybeSendWindowUpdate(now);
                output.wakeup(this);
                output.callReturned(this);
            }
            return n;
        }
        if (error != null) throw new TcpException(error);
        // As Linux's tcp_recvmsg: with nothing queued, a receive side shut by either end is end-of-file.
        if (finReceived || readShutdown) return -1;
        if (!opened) throw new TcpException(TcpError.NOT_CONNECTED);
        return 0;
    }

    /** shutdown(2) with Linux semantics (design.md); see the class comment for the choices made. */
    public void shutdown(ShutdownHow how, long now) {
        settle();
        switch (state) {
            case CLOSED, LISTEN -> throw new TcpException(TcpError.NOT_CONNECTED);
            case SYN_SENT -> {
                // Linux (inet_shutdown -> tcp_disconnect): the attempt is dropped without a segment; a
                // late SYN-ACK then meets no connection and is answered with RST by the stack.
                readShutdown = true;
                writeShutdown = true;
                enterClosed("shutdown() in SYN_SENT", now);
                output.wakeup(this);
                output.callReturned(this);
                return;
            }
            default -> { }
        }
        if ((how == ShutdownHow.READ || how == ShutdownHow.BOTH) && !readShutdown) {
            readShutdown = true;
            if (discardsInput()) receiveBuffer.clear();
        }
        if ((how == ShutdownHow.WRITE || how == ShutdownHow.BOTH) && !writeShutdown) {
            writeShutdown = true;
            queueFin("shutdown(WRITE)", now);
        }
        accountMemory();
        output.wakeup(this);
        output.callReturned(this);
    }

    /**
     * CLOSE (RFC 9293 §3.10.4): graceful (FIN after queued data) or, with unread received data, RST
     * (RFC 2525 §2.17). In SYN_SENT: silently CLOSED. In SYN_RECV: FIN_WAIT1. The connection lives on
     * (FIN_WAIT*, CLOSING, TIME_WAIT, LAST_ACK) until {@link #isReleased()}. Repeated calls are no-ops.
     */
    public void close(long now) {
        settle();
        if (userClosed) return;
        userClosed = true;
        writeShutdown = true;
        switch (state) {
            case CLOSED, LISTEN -> {
                released = true;
                receiveBuffer.clear(); // what a reset left unread: nobody will read it now
            }
            case SYN_SENT -> enterClosed("close()", now);
            case TIME_WAIT, CLOSING, LAST_ACK -> { }
            default -> {
                if (!receiveBuffer.isEmpty()) {
                    // RFC 2525 §2.17: data the application will never read is lost; say so with RST.
                    receiveBuffer.clear();
                    resetAndClose("close() with unread data", now);
                } else if (state == TcpState.FIN_WAIT2) {
                    armFinWait2Timer(now);
                } else {
                    queueFin("close()", now);
                }
            }
        }
        if (isOrphan() && memory.orphanOutOfResources(1, 0, sendBuffer.size())) abortOnMemory(now);
        accountMemory();
        output.wakeup(this);
        output.callReturned(this);
    }

    /** ABORT (RFC 9293 §3.10.5): send RST (in SYN_RECV and synchronized states), go to CLOSED, drop all buffers. */
    public void abort(long now) {
        abort("abort()", now);
    }

    void abort(String cause, long now) {
        settle();
        userClosed = true;
        writeShutdown = true;
        sendBuffer.clear();
        receiveBuffer.clear();
        switch (state) {
            case CLOSED, LISTEN -> released = true;
            case SYN_RECV, ESTABLISHED, FIN_WAIT1, FIN_WAIT2, CLOSE_WAIT -> resetAndClose(cause, now);
            case TIME_WAIT -> {
                timeWait.close(cause, now, output, this); // nothing to tell the peer
                settle();
            }
            default -> enterClosed(cause, now); // SYN_SENT, CLOSING, LAST_ACK: nothing to tell
        }
        accountMemory();
        output.wakeup(this);
        output.callReturned(this);
    }

    // =====================================================================================
    // Segment arrival (RFC 9293 §3.10.7)
    // =====================================================================================

    /** SEGMENT ARRIVES (RFC 9293 §3.10.7), in the order the RFC writes it. */
    public void segmentArrived(TcpSegment segment, long now) {
        try {
            arrived(segment, now);
        } finally {
            accountMemory();
        }
        output.callReturned(this);
    }

    private void arrived(TcpSegment segment, long now) {
        settle();
        if (released) {
            output.segmentDropped(this, segment, "connection released", now);
            return;
        }
        lastReceivedAt = now; // keepalive measures idleness from here
        keepaliveProbesSent = 0;
        switch (state) {
            case CLOSED, LISTEN -> output.segmentDropped(this, segment, "connection " + state, now);
            case SYN_SENT -> synSentArrived(segment, now);
            case TIME_WAIT -> timeWait.segmentArrived(segment, now, output, out, this);
            default -> otherStateArrived(segment, now);
        }
        if (!released && ackNow) sendAck(now);
        output.wakeup(this);
    }

    /** RFC 9293 §3.10.7.3: SYN-SENT. */
    private void synSentArrived(TcpSegment seg, long now) {
        boolean hasAck = seg.has(TcpFlags.ACK);
        // First, check the ACK bit: it must acknowledge our SYN.
        if (hasAck && (Seq.le(seg.ack(), iss) || Seq.gt(seg.ack(), sndMax))) {
            if (!seg.has(TcpFlags.RST)) sendReset(seg.ack(), now);
            dropped(seg, "SYN_SENT: ACK does not acknowledge our SYN", now);
            return;
        }
        // Second, check the RST bit: acceptable only with an acceptable ACK.
        if (seg.has(TcpFlags.RST)) {
            if (hasAck) {
                fail(TcpError.CONNECTION_REFUSED, "rcvd RST (connection refused)", now);
            } else {
                dropped(seg, "SYN_SENT: RST without ACK", now);
            }
            return;
        }
        // Fourth, check the SYN bit.
        if (!seg.has(TcpFlags.SYN)) {
            dropped(seg, "SYN_SENT: neither SYN nor RST", now);
            return;
        }
        irs = seg.seq();
        rcvNxt = irs + 1;
        peerSynSeen = true;
        negotiate(seg.options());
        tsRecentAt = now;
        rcvAdvertisedEdge = rcvIntendedEdge = rcvNxt + synWindowSent;
        if (hasAck) {
            acknowledge(seg.ack(), seg, now);
            updatePacingRate();
            sndWnd = seg.window(); // the SYN-ACK's window is never scaled (RFC 7323 §2.2)
            maxSndWnd = sndWnd;
            sndWl1 = seg.seq();
            sndWl2 = seg.ack();
            setState(TcpState.ESTABLISHED, "rcvd SYN-ACK", now);
            ackNow = true;
            transmitPending(now); // data queued during the handshake; the ACK rides on it
        } else {
            // Simultaneous open (RFC 9293 §3.5, figure 8): SYN-ACK with the same ISN.
            sndWnd = seg.window();
            maxSndWnd = sndWnd;
            sndWl1 = seg.seq();
            sndWl2 = iss;
            setState(TcpState.SYN_RECV, "rcvd SYN (simultaneous open)", now);
            sendSyn(now);
        }
    }

    /** RFC 9293 §3.10.7.4: SYN-RECEIVED and the synchronized states other than TIME-WAIT. */
    private void otherStateArrived(TcpSegment seg, long now) {
        if (state == TcpState.SYN_RECV && seg.has(TcpFlags.SYN) && !seg.has(TcpFlags.RST) && seg.seq() == irs) {
            if (!seg.has(TcpFlags.ACK)) {
                // The peer retransmitted its SYN: our SYN-ACK was lost (Linux tcp_check_req, which
                // sends it again at most once per tcp_invalid_ratelimit).
                if (answerUnacceptable(seg, RateLimited.SYN_RECV_ACK, now)) {
                    dropped(seg, "retransmitted SYN: SYN-ACK sent again", now);
                    sendSyn(now);
                } else {
                    dropped(seg, "retransmitted SYN: SYN-ACK rate limited", now);
                }
                return;
            }
            // Simultaneous open: the peer's SYN-ACK acknowledges our SYN (RFC 9293 figure 8); its
            // SYN is the one we already hold, so only the ACK matters.
            if (processAck(seg, now)) afterSegment(now);
            return;
        }

        // First: check the sequence number. PAWS comes before it (RFC 7323 §5.3 R1): an older
        // timestamp marks an old duplicate.
        int rcvWnd = receiveWindow();
        if (pawsRejects(seg, now)) {
            if (answerUnacceptable(seg, RateLimited.PAWS_ACK, now)) ackNow = true;
            dropped(seg, "PAWS: timestamp older than TS.Recent", now);
            return;
        }
        // For a RST, RFC 5961 §3.2 replaces the acceptability test (exactly RCV.NXT, in the window,
        // or outside it), so the first and second steps are taken together.
        if (seg.has(TcpFlags.RST)) {
            resetArrived(seg, rcvWnd, now);
            return;
        }
        // Otherwise the four cases of RFC 9293 §3.10.7.4; an unacceptable segment gets an ACK.
        if (!acceptable(seg, rcvWnd)) {
            if (seg.has(TcpFlags.SYN)) {
                challengeAck(now); // RFC 5961 §4.2: a SYN, whatever its sequence number
            } else {
                if (answerUnacceptable(seg, RateLimited.OUT_OF_WINDOW_ACK, now)) ackNow = true;
                // RFC 2883 §4.1.1: a duplicate of what was already received is reported in a D-SACK
                // block; as Linux's tcp_send_dupack, a repeated FIN is part of it.
                if (Seq.lt(seg.seq(), rcvNxt)) reportDuplicate(seg.seq(), Seq.min(seg.seq() + seg.sequenceLength(), rcvNxt));
            }
            dropped(seg, "unacceptable sequence number", now);
            return;
        }

        // Second (the RST bit) was handled above; third (security/compartment) does not apply.

        // Fourth: the SYN bit (RFC 9293 §3.10.7.4, RFC 5961 §4).
        if (seg.has(TcpFlags.SYN)) {
            if (state == TcpState.SYN_RECV && passiveOpen) {
                returnToListen("rcvd SYN (passive open)", now);
            } else {
                challengeAck(now);
                dropped(seg, "SYN in synchronized state: challenge ACK (RFC 5961 §4)", now);
            }
            return;
        }

        // Fifth: the ACK field.
        if (!seg.has(TcpFlags.ACK)) {
            dropped(seg, "no ACK", now);
            return;
        }
        if (!processAck(seg, now)) return;

        // Sixth: the URG bit. Urgent data is not supported (RFC 6093 advises against its use); the
        // urgent pointer is ignored and the bytes are delivered in line.

        // Seventh: the segment text; eighth: the FIN bit.
        if (processData(seg, now)) finArrived(now);
        if (!released) afterSegment(now);
    }

    /** RFC 9293 §3.10.7.4 second, as amended by RFC 5961 §3.2. */
    private void resetArrived(TcpSegment seg, int rcvWnd, long now) {
        if (seg.seq() == rcvNxt) {
            switch (state) {
                case SYN_RECV -> {
                    if (passiveOpen) returnToListen("rcvd RST (passive open)", now);
                    else fail(TcpError.CONNECTION_REFUSED, "rcvd RST (connection refused)", now);
                }
                // Linux (tcp_reset): EPIPE in CLOSE_WAIT, where the peer already said it sends no more.
                case CLOSE_WAIT -> fail(TcpError.OUTPUT_SHUTDOWN, "rcvd RST", now);
                default -> fail(TcpError.CONNECTION_RESET, "rcvd RST", now);
            }
        } else if (rcvWnd > 0 && Seq.inWindow(seg.seq(), rcvNxt, rcvNxt + rcvWnd)) {
            challengeAck(now);
            dropped(seg, "RST in window but not at RCV.NXT: challenge ACK (RFC 5961 §3.2)", now);
        } else {
            dropped(seg, "RST outside the window", now);
        }
    }

    /**
     * RFC 9293 §3.10.7.4 fifth. Returns false when the segment is to be dropped here (or the
     * connection ended).
     */
    private boolean processAck(TcpSegment seg, long now) {
        int ack = seg.ack();
        if (state == TcpState.SYN_RECV) {
            if (!(Seq.gt(ack, sndUna) && Seq.le(ack, sndMax))) {
                sendReset(ack, now); // <SEQ=SEG.ACK><CTL=RST>
                dropped(seg, "SYN_RECV: unacceptable ACK", now);
                return false;
            }
            updateTsRecent(seg, now);
            if (listener != null && !listener.childEstablished(this, now)) {
                // Linux: the accept queue is full; forget the ACK, the SYN-ACK timer will ask again.
                dropped(seg, "accept queue full: final ACK dropped", now);
                return false;
            }
            updatePacingRate(); // as Linux's tcp_ack, before the SYN-ACK's RTT is measured (tcp_synack_rtt_meas)
            acknowledge(ack, seg, now);
            sndWnd = seg.window() << sndShift;
            maxSndWnd = Math.max(maxSndWnd, sndWnd);
            sndWl1 = seg.seq();
            sndWl2 = ack;
            setState(TcpState.ESTABLISHED, "rcvd ACK of SYN-ACK", now);
            return true;
        }

        if (Seq.gt(ack, sndMax)) {
            // RFC 9293 §3.10.7.4 would answer with an ACK; Linux (tcp_ack, ACK_UNSENT_DATA) discards
            // the segment silently, and so do we: only the too-old side gets a challenge ACK (RFC 5961 §5.2).
            dropped(seg, "ACK of unsent data", now);
            return false;
        }
        if (Seq.lt(ack, sndUna - maxSndWnd)) {
            challengeAck(now);
            dropped(seg, "ACK older than SND.UNA - MAX.SND.WND (RFC 5961 §5.2)", now);
            return false;
        }
        if (Seq.ge(ack, sndUna)) updateTsRecent(seg, now);

        int window = seg.window() << sndShift;
        TcpOptions opts = seg.options();
        int unaBefore = sndUna;
        long sackedBefore = sackedBytes();
        long lostMarksBefore = rack != null ? rack.lostMarks() : 0;
        boolean sackNews = sackOn && opts.sackBlockCount() > 0 && scoreboard.update(opts, ack, sndUna, sndMax);
        // RFC 5681 §2 definition of a duplicate ACK
        boolean duplicate = ack == sndUna && sndMax != sndUna && seg.payloadLength() == 0
                && !seg.has(TcpFlags.FIN) && window == sndWnd && synAcked();
        boolean probeRepairedLoss = probe.processAck(ack, opts, duplicate);
        if (rack != null) rack.startAck(opts, timestampsOn, now);
        if (Seq.gt(ack, sndUna)) {
            acknowledge(ack, seg, probeRepairedLoss, now);
        } else if (duplicate) {
            duplicateAck(now);
        }
        if (rack != null) {
            detectLossByTime(sackNews, sackOn && SackScoreboard.isDsack(opts, ack), now);
        } else if (sackOn && !inRecovery && sndUna != sndMax && synAcked() && canStartRecovery()
                && !scoreboard.isEmpty() && scoreboard.holeBelowIsLost(0, config.dupThresh(), effectiveMss)) {
            // RFC 6675 §5 step 4: SACK information alone may already show SND.UNA's segment lost.
            enterRecovery(now);
        }
        if (inRecovery && reducesRate()) {
            boolean unaAdvanced = Seq.gt(sndUna, unaBefore);
            // Without SACK a partial ACK deems the new segment at SND.UNA lost (tcp_newreno_mark_lost).
            boolean newLoss = !sackOn ? unaAdvanced : rack != null ? rack.lostMarks() != lostMarksBefore : sackNews;
            long delivered = (unaAdvanced ? Seq.distance(unaBefore, sndUna) : 0) + sackedBytes() - sackedBefore;
            reduceRate(delivered, unaAdvanced && !newLoss);
        }
        // RFC 9293 §3.10.7.4: if SND.UNA =< SEG.ACK, update the send window unless the segment is
        // older than the one that last updated it.
        if (Seq.ge(ack, sndUna) && (Seq.lt(sndWl1, seg.seq()) || (sndWl1 == seg.seq() && Seq.le(sndWl2, ack)))) {
            // A changed window with data waiting restarts a window idle since, as Linux's tcp_ack_update_window.
            if (window != sndWnd && Seq.distance(sndNxt, dataEnd()) > 0) restartWindowAfterIdle(now);
            sndWnd = window;
            sndWl1 = seg.seq();
            sndWl2 = ack;
            maxSndWnd = Math.max(maxSndWnd, sndWnd);
        }
        updatePacingRate();

        switch (state) {
            case CLOSING -> {
                if (finAcked()) {
                    enterTimeWait("rcvd ACK of FIN", now);
                }
            }
            case LAST_ACK -> {
                if (finAcked()) {
                    enterClosed("rcvd ACK of FIN", now);
                    return false;
                }
            }
            default -> { } // FIN_WAIT1 -> FIN_WAIT2 waits until the FIN bit was looked at (afterSegment)
        }
        return true;
    }

    /** SND.UNA advances to {@code ack} in the handshake (no data or probe outstanding yet). */
    private void acknowledge(int ack, TcpSegment seg, long now) {
        acknowledge(ack, seg, false, now);
    }

    /**
     * SND.UNA advances to {@code ack}: free acknowledged data, take an RTT sample, manage the timer;
     * {@code probeRepairedLoss}: this ACK shows that a tail loss probe repaired a loss (RFC 8985 §7.4.2).
     */
    private void acknowledge(int ack, TcpSegment seg, boolean probeRepairedLoss, long now) {
        boolean endsRecovery = !canStartRecovery() && Seq.ge(ack, recoveryPoint); // fast, or after a timeout
        // RTT sample, as Linux (tcp_ack_update_rtt): the timed segment's, when it was never
        // retransmitted (RFC 6298 with Karn); otherwise the echoed timestamp (RFC 7323 §4.1), but not
        // when the segment at SND.UNA was retransmitted after the echoed time: then the ACK answers a
        // duplicate the peer already held and echoes an old TS.Recent (§4.3), which would be a
        // sample as long as the whole loss episode and pin the RTO at its maximum.
        TcpOptions opts = seg.options();
        long sample = -1;
        if (rttTiming && Seq.gt(ack, rttSeq)) {
            sample = now - rttStart;
            rttTiming = false;
        } else if (timestampsOn && opts.hasTimestamps() && opts.tsEcr() != 0
                && (!unaRetransmitted || Seq.ge(opts.tsEcr(), unaRetransmitTs))) {
            sample = (long) (tsNow(now) - opts.tsEcr()) * config.timestampTickNanos();
            rttTiming = false;
        }
        if (sample >= 0) {
            rtt.sample(sample, ack, sndMax);
            if (rack != null) rack.rttSample(sample, now);
            if (congestion != null && !inRecovery) congestion.onRttSample(sample, ack, sndNxt);
        }
        unaRetransmitted = false;
        int dataEnd = dataEnd();
        int dataAcked = Seq.distance(sendBufferSeq, Seq.min(ack, dataEnd));
        if (dataAcked > 0) {
            sendBuffer.discard(dataAcked);
            sendBufferSeq += dataAcked;
        }
        int newlyAcked = Seq.distance(sndUna, ack);
        int deliveredNow = deliveredSinceSent(ack, dataAcked);
        if (!sackOn) {
            // Linux counts what duplicate ACKs reported as delivered then, not again now; RFC 3465
            // (the RFC profile, without PRR) counts every byte the cumulative ACK covers.
            int notCountedYet = renoAcknowledged(newlyAcked, deliveredNow);
            if (reducesRate()) deliveredNow = notCountedYet;
            if (!inRecovery) renoSacked = 0; // Linux's tcp_fastretrans_alert outside a recovery: the hole is filled
        }
        sndUna = ack;
        synAcknowledged = true; // SND.UNA only ever moves past ISS here, and the SYN is the first thing it covers
        // Markers that lie behind SND.UNA follow it: sequence comparisons are only defined within 2^31
        // (RFC 9293 §3.4), so a marker left behind for 2 GiB would start to look ahead of SND.UNA.
        if (Seq.lt(smallSegmentEnd, ack)) smallSegmentEnd = ack;
        if (!inRecovery && Seq.lt(recoveryPoint, ack)) recoveryPoint = ack;
        if (Seq.lt(sndNxt, ack)) sndNxt = ack;
        if (Seq.lt(highRxt, ack)) highRxt = ack;
        scoreboard.advance(ack);
        pushMarks.acknowledge(ack);
        if (rack != null) {
            rack.acknowledged(ack);
            if (endsRecovery) rack.recoveryEnded();
        }
        dupAcks = 0;
        retries = 0;
        firstRetransmitAt = NONE; // the user timeout counts from the next first retransmission
        // RFC 6298 §5.2-5.3: stop the timer when all is acknowledged, else restart it; but in NewReno
        // recovery only on the first partial ACK (RFC 6582 §4, the Impatient variant, as Linux): a
        // long recovery, one hole per round trip, is cut short by the timeout and slow start.
        boolean impatient = inRecovery && !sackOn && Seq.lt(ack, recoveryPoint) && partialAckSeen;
        if (sndUna == sndMax) {
            retransmitAt = NONE;
            chronoStop(CHRONO_BUSY, now); // Linux's tcp_clean_rtx_queue once nothing sent is outstanding
        } else if (!impatient || retransmitAt == NONE) {
            retransmitAt = now + rtt.rto();
        }
        if (congestion == null) return;
        if (inRecovery) {
            if (Seq.ge(ack, recoveryPoint)) {
                exitRecovery();
            } else if (!sackOn) {
                partialAck(newlyAcked, now);
            }
        } else if (probeRepairedLoss) {
            congestion.onCongestionEvent(probe.flight(), now); // RFC 8985 §7.4.2: as for a fast recovery, with the flight probed
        } else if (cwndLimited()) {
            congestion.onAck(deliveredNow, rtt.srtt(), now);
        }
        scheduleLossProbe(now);
    }

    /**
     * The bytes of {@code dataAcked} that the congestion window counts, as Linux counts delivered
     * segments: not those SACKed earlier (they were delivered then), and, after a timeout sent
     * SND.NXT back (go-back-N), not those beyond SND.NXT: the ACK leaps over data the peer had held
     * out of order since before the timeout, which says nothing of what the path carries now (RFC
     * 3465 §2.3) and, counted in slow start, would open cwnd to ssthresh in one ACK and send it as
     * one burst.
     */
    private int deliveredSinceSent(int ack, int dataAcked) {
        if (dataAcked <= 0) return 0;
        int end = Seq.min(ack, sndNxt);
        int sent = Seq.distance(sndUna, end) - (scoreboard.isEmpty() ? 0 : scoreboard.sackedBelow(end));
        return Math.max(0, Math.min(dataAcked, sent));
    }

    /**
     * Without SACK, a cumulative ACK of {@code newlyAcked} bytes takes back the duplicate ACKs
     * counted for all its segments but one (Linux's tcp_remove_reno_sacks); returns what of
     * {@code delivered} they did not already count.
     */
    private int renoAcknowledged(int newlyAcked, int delivered) {
        int eaten = Math.min(renoSacked, Math.ceilDiv(newlyAcked, effectiveMss) - 1);
        if (eaten <= 0) return delivered;
        renoSacked -= eaten;
        return Math.max(0, delivered - eaten * effectiveMss);
    }

    /** RFC 6937's SACKed bytes: the scoreboard's, or without SACK what duplicate ACKs counted ({@link #renoSacked}). */
    private long sackedBytes() {
        return sackOn ? scoreboard.sackedBelow(sndMax) : (long) renoSacked * effectiveMss;
    }

    /**
     * A duplicate ACK (RFC 5681 §2). Outside recovery the first DupThresh - 1 of them allow limited
     * transmit (RFC 3042, in {@link #transmitPending}) and the DupThresh-th starts recovery (RFC 5681
     * §3.2, RFC 6582 §3.2 step 2, RFC 6675 §5 step 4), except under RACK, where only segments deemed
     * lost do (as Linux's tcp_time_to_recover: the count of duplicate ACKs is not looked at); inside
     * NewReno recovery each one inflates cwnd by one SMSS (RFC 6582 §3.2 step 4).
     */
    private void duplicateAck(long now) {
        dupAcks++;
        if (!sackOn) {
            // Linux's tcp_limit_reno_sacked: at least the hole stays unaccounted for.
            int packetsOut = Math.ceilDiv(Seq.distance(sndUna, sndMax), effectiveMss);
            renoSacked = Math.max(0, Math.min(renoSacked + 1, packetsOut - 1));
        }
        if (inRecovery) {
            if (!sackOn && !reducesRate()) congestion.setCwnd(saturatedWindow((long) congestion.cwnd() + effectiveMss));
            return;
        }
        if (rack == null && dupAcks >= config.dupThresh() && canStartRecovery()) enterRecovery(now);
    }

    /**
     * RFC 8985 §6.2 for an ACK that SND.UNA and the scoreboard took in ({@code sackNews}: it SACKed
     * data for the first time; {@code dsack}: it carried a D-SACK block): what it delivered moves
     * RACK on, and then losses are looked for again.
     */
    private void detectLossByTime(boolean sackNews, boolean dsack, long now) {
        if (sackNews) rack.sacked(scoreboard);
        if (rack.finishAck(dsack, sndUna, sndMax)) markLostSegments(now);
    }

    /**
     * RFC 8985 §6.2 step 5 and §6.3: RACK marks the segments it finds lost and the reordering timer
     * is armed for those that will be unless delivered soon: at the latest one's time, in whole timer
     * ticks plus TCP_TIMEOUT_MIN (as Linux's tcp_rack_mark_lost; {@link TcpConfig#timerTickNanos()}),
     * never beyond the RTO. The first loss starts a recovery: as Linux's tcp_time_to_recover,
     * segments deemed lost are the one reason to start it.
     */
    private void markLostSegments(long now) {
        long reoWnd = rack.reorderingWindow(!canStartRecovery(), config.dupThresh(), rtt.srtt());
        long wait = rack.detectLoss(now, reoWnd);
        if (wait > 0) {
            reorderAt = now + Math.min(inTicks(wait) + timeoutMin(), rtt.rto());
            probeAt = NONE; // RFC 8985 §8: one timer at a time, the reordering timer before the probe's
        } else {
            reorderAt = NONE;
        }
        if (rack.hasLost() && !inRecovery && canStartRecovery()) enterRecovery(now);
    }

    /** One packet is out, as Linux counts them (packets_out == 1) when RACK keeps them; else at most one SMSS. */
    private boolean onePacketOut() {
        return rack != null ? rack.packetsOut() == 1 : Seq.distance(sndUna, sndMax) <= effectiveMss;
    }

    /** {@code nanos} rounded up to whole timer ticks, as Linux's usecs_to_jiffies; unchanged without ticks. */
    private long inTicks(long nanos) {
        long tick = config.timerTickNanos();
        return tick == 0 ? nanos : Math.ceilDiv(nanos, tick) * tick;
    }

    /** Linux's TCP_TIMEOUT_MIN, the least a TCP timer is armed for: two ticks (none without ticks). */
    private long timeoutMin() {
        return 2 * config.timerTickNanos();
    }

    /** RFC 8985 §6.3: the reordering timer expired: the segments it waited for are judged again, and the lost ones resent. */
    private void reorderTimeout(long now) {
        if (rack == null || !canSendData()) return;
        boolean recovering = inRecovery;
        markLostSegments(now);
        // As Linux's tcp_rack_reo_timeout: a recovery the timer starts counts one segment delivered.
        if (inRecovery && !recovering && reducesRate()) reduceRate(effectiveMss, false);
        if (inRecovery) transmitPending(now);
    }

    /**
     * RFC 8985 §7.2: with SACK and data outstanding, a loss probe is due PTO = 2 SRTT after the last
     * new data or ACK (in whole timer ticks, plus the worst-case delayed ACK when a single segment is
     * out, else TCP_TIMEOUT_MIN, as Linux's tcp_schedule_loss_probe; the initial RTO before any
     * sample), never after the retransmission timer. Off without {@link TcpConfig#tailLossProbes()}. Not in a recovery (fast, or after a timeout), while segments are SACKed
     * or RACK's reordering timer runs (those wait for the ACKs or the timer that is coming), nor while
     * an earlier probe's episode is open.
     */
    private void scheduleLossProbe(long now) {
        if (!sackOn || !config.tailLossProbes() || !canStartRecovery() || !scoreboard.isEmpty() || reorderAt != NONE || probe.isOpen()
                || sndUna == sndMax || !canSendData()) {
            probeAt = NONE;
            return;
        }
        long pto;
        if (rtt.hasSample()) {
            pto = inTicks(2 * rtt.srtt());
            // One segment out: the peer may be delaying its ACK. More: a little slack, as Linux adds.
            pto += onePacketOut() ? config.delayedAckMaxNanos() : timeoutMin();
        } else {
            pto = config.initialRtoNanos();
        }
        // As Linux (tcp_schedule_loss_probe): when the timeout would come first, the probe takes its time.
        probeAt = retransmitAt == NONE ? now + pto : Math.min(now + pto, retransmitAt);
    }

    /**
     * RFC 8985 §7.3: the probe timer fired: send one new segment if the windows allow, else retransmit
     * the last segment sent; then only the retransmission timer runs until the probe is answered.
     */
    private void lossProbe(long now) {
        if (!canSendData() || inRecovery || sndUna == sndMax) return;
        int before = sndMax;
        int unsent = Seq.distance(sndNxt, dataEnd());
        int windowRoom = sndWnd - Seq.distance(sndUna, sndNxt); // the peer's window only, not cwnd (§7.3)
        int flight = Seq.distance(sndUna, sndMax);
        int start;
        boolean retransmission;
        if (unsent > 0 && sndNxt == sndMax && windowRoom > 0) {
            int len = Math.min(unsent, Math.min(effectiveMss, windowRoom));
            start = sndNxt;
            sendData(sndNxt, len, finQueued && len == unsent, false, now);
            retransmission = false;
        } else {
            // The last segment, as it was sent (Linux retransmits the last skb of its queue,
            // tcp_send_loss_probe): a FIN sent on its own after the data goes alone again.
            start = Seq.max(sndUna, lastSegmentStart);
            retransmit(start, sndMax, now);
            retransmission = true;
        }
        if (retransmission || Seq.gt(sndMax, before)) probe.begin(start, sndMax, retransmission, flight);
        probeAt = NONE;
        retransmitAt = now + rtt.rto(); // §7.3: after the probe, the retransmission timer
    }

    /** RFC 6582 §3.2 step 2 / RFC 6675 §5: no new recovery until the previous RecoveryPoint is acknowledged. */
    private boolean canStartRecovery() {
        return Seq.ge(sndUna, recoveryPoint);
    }

    /**
     * Loss detected (RFC 5681 §3.2, RFC 6582 §3.2 step 2, RFC 6675 §5 step 4, RFC 8985 §6.2): remember
     * SND.MAX as the recovery point, let the congestion control lower ssthresh and cwnd, and retransmit
     * the segment at SND.UNA (under RACK, the first segment it deems lost). Without SACK cwnd is
     * inflated by the DupThresh segments that left the network (RFC 6582); with SACK the pipe estimate
     * replaces inflation (RFC 6675).
     */
    private void enterRecovery(long now) {
        inRecovery = true;
        partialAckSeen = false;
        probeAt = NONE;
        probe.close(); // recovery takes over; its own reduction covers the probe's episode
        recoveryPoint = sndMax;
        highRxt = sndUna;
        int priorCwnd = congestion.cwnd();
        congestion.onCongestionEvent(Seq.distance(sndUna, sndMax), now);
        if (reducesRate()) {
            // Linux's tcp_init_cwnd_reduction: ssthresh is lowered, cwnd waits for this ACK's share
            // (reduceRate), which lets the fast retransmission go.
            prr.start(priorCwnd);
            congestion.setCwnd(priorCwnd);
            return;
        }
        if (rack != null) {
            retransmitLost(now); // the first segment RACK deems lost, whatever pipe says
        } else {
            highRxt = retransmit(sndUna, sndMax, now);
        }
        if (!sackOn) congestion.setCwnd(saturatedWindow(congestion.ssthresh() + (long) config.dupThresh() * effectiveMss));
    }

    /** Proportional rate reduction paces this connection's fast recoveries, with SACK or without ({@link TcpConfig#proportionalRateReduction()}). */
    private boolean reducesRate() {
        return config.proportionalRateReduction();
    }

    /**
     * An ACK in a recovery that delivered {@code delivered} bytes ({@code safeAck}: it advanced
     * SND.UNA and marked no new loss): cwnd becomes pipe plus what PRR lets go now (as Linux's
     * tcp_cwnd_reduction; an ACK that delivered nothing leaves cwnd as it is).
     */
    private void reduceRate(long delivered, boolean safeAck) {
        long cwnd = prr.cwndAfterAck(delivered, pipe(), congestion.ssthresh(), effectiveMss, safeAck);
        if (cwnd >= 0) congestion.setCwnd(saturatedWindow(Math.max(cwnd, effectiveMss)));
    }

    /**
     * RFC 6675's pipe during a recovery: with RACK's loss marks, else with DupThresh's IsLost;
     * without SACK, as Linux estimates it: the flight less what duplicate ACKs counted and less the
     * segment at SND.UNA, deemed lost, until it is retransmitted (HighRxt beyond SND.UNA).
     */
    private long pipe() {
        int flight = Seq.distance(sndUna, sndMax);
        if (!sackOn) {
            long lost = Seq.gt(highRxt, sndUna) ? 0 : Math.min(effectiveMss, flight);
            return Math.max(0, flight - (long) renoSacked * effectiveMss - lost);
        }
        return rack != null ? rack.pipe(flight) : scoreboard.pipe(sndUna, sndMax, highRxt, config.dupThresh(), effectiveMss);
    }

    /** RFC 6582 §3.2 step 5: a partial ACK retransmits the next hole and deflates cwnd by what it acknowledged. */
    private void partialAck(int newlyAcked, long now) {
        partialAckSeen = true;
        if (reducesRate()) {
            // As Linux's tcp_newreno_mark_lost: the new segment at SND.UNA is lost; PRR sends it.
            highRxt = sndUna;
            return;
        }
        retransmit(sndUna, sndMax, now);
        long deflated = (long) congestion.cwnd() - newlyAcked + (newlyAcked >= effectiveMss ? effectiveMss : 0);
        congestion.setCwnd(saturatedWindow(deflated));
    }

    /**
     * The recovery point is acknowledged. With SACK, or with PRR, which brought the flight down to
     * about ssthresh, cwnd = ssthresh (RFC 6675 §5; Linux's tcp_end_cwnd_reduction); without SACK
     * and PRR, cwnd = min(ssthresh, max(FlightSize, SMSS) + SMSS) (RFC 6582 §3.2 step 3, first
     * option, which avoids a burst after the inflated window).
     */
    private void exitRecovery() {
        inRecovery = false;
        renoSacked = 0; // as Linux's tcp_reset_reno_sack
        int ssthresh = congestion.ssthresh();
        if (sackOn || reducesRate()) { // with PRR, as Linux's tcp_end_cwnd_reduction
            congestion.setCwnd(ssthresh);
        } else {
            int flight = Seq.distance(sndUna, sndMax);
            congestion.setCwnd(Math.min(ssthresh, Math.max(flight, effectiveMss) + effectiveMss));
        }
    }

    /**
     * RFC 9293 §3.10.7.4 seventh: takes in-order text into the receive buffer. Returns true when the
     * segment's FIN (if any) is now in order and must be processed.
     */
    private boolean processData(TcpSegment seg, long now) {
        boolean receiving = state == TcpState.ESTABLISHED || state == TcpState.FIN_WAIT1 || state == TcpState.FIN_WAIT2;
        if (!receiving) return false; // CLOSE_WAIT, CLOSING, LAST_ACK: the peer's FIN came already
        int seq = seg.seq();
        int len = seg.payloadLength();
        if (Seq.gt(seq, rcvNxt)) return outOfOrderArrived(seg, now);
        if (len == 0) return seg.has(TcpFlags.FIN);
        int skip = Seq.distance(seq, rcvNxt); // bytes already received
        int fresh = len - skip;
        if (skip > 0) reportDuplicate(seq, fresh > 0 ? rcvNxt : seq + len); // RFC 2883 §4.1.1
        if (fresh <= 0) {
            ackNow = true;
            return seg.has(TcpFlags.FIN) && fresh == 0;
        }
        if (nobodyWillRead()) {
            unreadableDataArrived(seg, now);
            return false;
        }
        int room = receiveWindow();
        if (!discardsInput()) room = Math.min(room, receiveBuffer.free());
        int take = Math.min(fresh, room);
        if (take > 0 && !discardsInput() && !memoryForInOrder(seg, take)) {
            memory.countRcvQDrop();
            dropped(seg, "out of memory: " + take + " bytes dropped", now);
            return false; // the peer sends them again (its FIN with them)
        }
        if (take > 0) {
            if (!discardsInput()) {
                if (borrows(seg)) {
                    // A sender in the same memory lent its send buffer's bytes: keep a reference instead
                    // of a copy (the reader copies them once, as from a kernel loopback's buffers).
                    receiveBuffer.borrow((LentBytes) seg.payloadOwner(), seg, skip, take);
                } else {
                    receiveBuffer.reserve(receiveBuffer.size() + take, receiveStorageLimit());
                    receiveBuffer.append(seg, skip, take);
                }
            }
            boolean outOfOrderHeld = !reassembly.isEmpty();
            if (outOfOrderHeld) reportRepeatedOutOfOrder(rcvNxt + take);
            rcvNxt += take;
            lastDataReceivedAt = now;
            fillFromReassembly();
            scheduleAckForData(outOfOrderHeld, now);
        }
        if (take < fresh) {
            ackNow = true;
            dropped(seg, "beyond the receive window: " + (fresh - take) + " bytes dropped", now);
            return outOfOrderFinReached();
        }
        return seg.has(TcpFlags.FIN) || outOfOrderFinReached();
    }

    /**
     * A segment beyond RCV.NXT: its in-window bytes are kept in the receive ring's free region at their
     * offset from RCV.NXT (never beyond the window we advertised, so memory stays within what was
     * offered) and acknowledged at once with a duplicate ACK carrying SACK blocks (RFC 5681 §4.2,
     * RFC 2018 §4; RFC 9293 §3.10.7.4 seventh allows keeping such segments for later processing).
     */
    private boolean outOfOrderArrived(TcpSegment seg, long now) {
        ackNow = true;
        int seq = seg.seq();
        int len = seg.payloadLength();
        if (len == 0) {
            if (seg.has(TcpFlags.FIN)) {
                // A bare FIN beyond a hole waits for it (Linux tcp_data_queue_ofo keeps the flag).
                outOfOrderFin = true;
                outOfOrderFinSeq = seq;
            } else {
                dropped(seg, "out of order without data", now);
            }
            return false;
        }
        if (nobodyWillRead()) {
            unreadableDataArrived(seg, now);
            return false;
        }
        int offset = Seq.distance(rcvNxt, seq);
        int room = receiveWindow();
        if (!discardsInput()) room = Math.min(room, receiveBuffer.free());
        int take = Math.min(len, room - offset);
        if (take <= 0) {
            dropped(seg, "out of order beyond the receive window", now);
            return false;
        }
        int end = seq + take;
        if (outOfOrderDuplicate(seq, end)) {
            dropped(seg, "duplicate of out-of-order data", now);
            return false;
        }
        if (!discardsInput() && !memoryForReceived(receiveBuffer.size() + offset + take, take, false)) {
            // As Linux's tcp_data_queue_ofo: no memory, no out-of-order queueing (TCPOFODrop).
            memory.countOfoDrop();
            dropped(seg, "out of memory: out-of-order segment dropped", now);
            return false;
        }
        if (!reassembly.add(seq, end)) {
            dropped(seg, "out of order: reassembly table full", now);
            return false;
        }
        if (!discardsInput()) {
            receiveBuffer.reserve(receiveBuffer.size() + offset + take, receiveStorageLimit());
            receiveBuffer.writeAt(receiveBuffer.size() + offset, seg, 0, take);
        }
        if (seg.has(TcpFlags.FIN) && take == len) {
            outOfOrderFin = true;
            outOfOrderFinSeq = end;
        }
        return false;
    }

    /**
     * Whether new data can never be read: after close(), and, with {@link ReadShutdownData#KEEP}, after
     * shutdown(READ) once our FIN is queued (FIN_WAIT1, FIN_WAIT2; the only receiving states where
     * it is). Linux's tcp_rcv_state_process tests exactly that: RCV_SHUTDOWN, which close() sets
     * too, in FIN_WAIT1/2. Without our FIN, shut-down input is still queued (KEEP) or dropped (DISCARD).
     */
    private boolean nobodyWillRead() {
        return userClosed || (readShutdown && finQueued && config.readShutdownData() == ReadShutdownData.KEEP);
    }

    /**
     * New data that can never be read: reset (RFC 1122 §4.2.2.13, RFC 2525 §2.17). As Linux
     * (tcp_rcv_state_process returning to tcp_v4_send_reset), the RST answers the offending segment:
     * {@code seq = SEG.ACK}, no ACK bit. A socket still open (only shut down) reports the reset, as
     * Linux's tcp_reset does (ECONNRESET).
     */
    private void unreadableDataArrived(TcpSegment seg, long now) {
        sendReset(seg.ack(), now);
        if (userClosed) {
            enterClosed("data after close()", now);
        } else {
            fail(TcpError.CONNECTION_RESET, "data after shutdown(READ) and our FIN", now);
        }
    }

    /** shutdown(READ) with {@link ReadShutdownData#DISCARD}: received bytes are acknowledged and dropped. */
    private boolean discardsInput() {
        return readShutdown && config.readShutdownData() == ReadShutdownData.DISCARD;
    }

    /**
     * Whether {@code bytes} of in-order data may be queued, as Linux's tcp_data_queue decides: always
     * while the receive queue is empty (sk_forced_mem_schedule: every connection makes progress);
     * else within the hard level, after pruning the out-of-order queue when that is what it takes
     * (tcp_try_rmem_schedule, tcp_prune_ofo_queue: data beyond a hole goes before data the reader
     * can have now). Pruning gives back the ring's free region the out-of-order data held.
     */
    private boolean memoryForInOrder(TcpSegment seg, int bytes) {
        int end = receiveBuffer.size() + bytes;
        if (receiveBuffer.isEmpty() || memoryForReceived(end, bytes, borrows(seg))) return true;
        if (reassembly.isEmpty()) {
            memory.countPrune(false);
            return false;
        }
        pruneOutOfOrder();
        receiveBuffer.shrinkTo(end);
        return memoryForReceived(end, bytes, borrows(seg));
    }

    /** True when the in-order bytes of {@code seg} are taken by reference rather than copied. */
    private boolean borrows(TcpSegment seg) {
        return seg.payloadOwner() instanceof LentBytes && reassembly.isEmpty() && receiveBuffer.canBorrow();
    }

    /**
     * Whether the stack's memory has room for {@code bytes} more received bytes ending {@code end}
     * bytes after the oldest unread one: for the bytes, or for the array the receive ring grows to
     * for them (within what the budget leaves it), whichever is more; borrowed bytes need no array.
     */
    private boolean memoryForReceived(int end, int bytes, boolean borrowed) {
        long storage = borrowed ? receiveBuffer.storage() : receiveBuffer.storageFor(end, receiveStorageLimit());
        long after = Math.max((long) receiveBuffer.size() + reassembly.bytes() + bytes, storage);
        return memory.allows(unchargedMemory() + after - receiveHeld());
    }

    /** The most the receive ring's array may grow to now: what it holds and the room the budget leaves. */
    private long receiveStorageLimit() {
        return memory.storageLimit(receiveBuffer.storage(), unchargedMemory(), 0);
    }

    /**
     * Forgets the out-of-order data (its bytes in the ring's free region are written over later).
     * SACK blocks no longer report it: RFC 2018 §8 lets a receiver discard SACKed data, and the
     * sender keeps it until it is cumulatively acknowledged (Linux's tcp_prune_ofo_queue resets the
     * SACK state likewise).
     */
    private void pruneOutOfOrder() {
        memory.countPrune(true);
        reassembly.clear();
        outOfOrderFin = false;
    }

    /** RCV.NXT advanced: take in the out-of-order data it now reaches (the bytes are in the ring already). */
    private void fillFromReassembly() {
        if (reassembly.isEmpty()) return;
        int next = reassembly.advance(rcvNxt);
        int gained = Seq.distance(rcvNxt, next);
        if (gained > 0) {
            if (!discardsInput()) receiveBuffer.extend(gained);
            rcvNxt = next;
        }
    }

    private boolean outOfOrderFinReached() {
        if (outOfOrderFin && rcvNxt == outOfOrderFinSeq) {
            outOfOrderFin = false;
            return true;
        }
        return false;
    }

    /**
     * RFC 2883 §4.1.2 for an out-of-order segment [seq, end), as Linux's tcp_data_queue_ofo reports
     * it. Wholly inside held data, it is a duplicate: its range goes first and the block holding it
     * second (RFC 2883 §4). Overlapping held data, the repeated part is reported: from its start to
     * the end of the range holding its start, joined with the held ranges it covers further on
     * while they touch (tcp_dsack_set, tcp_dsack_extend). One that starts exactly where held data
     * ends is appended to it (tcp_ooo_try_coalesce) and reports nothing. Returns true when the
     * segment brings nothing new.
     */
    private boolean outOfOrderDuplicate(int seq, int end) {
        int held = reassembly.indexContaining(seq);
        if (held >= 0) {
            int right = reassembly.right(held);
            if (Seq.le(end, right)) {
                reportDuplicate(seq, end);
                reassembly.reportAgain(held);
                return true;
            }
            if (Seq.gt(seq, reassembly.left(held))) reportDuplicate(seq, right);
            else extendDuplicate(seq, right);
        } else if (reassembly.endsAt(seq)) {
            return false;
        }
        for (int i = held + 1; i < reassembly.size() && Seq.lt(reassembly.left(i), end); i++) {
            if (Seq.gt(reassembly.left(i), seq)) extendDuplicate(reassembly.left(i), Seq.min(reassembly.right(i), end));
        }
        return false;
    }

    /**
     * RFC 2883 §4.1.2 for an in-order segment ending at {@code end} that repeats held out-of-order
     * bytes, as Linux's tcp_ofo_queue reports it: every held range starting below {@code end} was
     * received twice up to the nearer of its end and {@code end}; the first such part is reported,
     * joined with the next ones while they touch.
     */
    private void reportRepeatedOutOfOrder(int end) {
        for (int i = 0; i < reassembly.size() && Seq.lt(reassembly.left(i), end); i++) {
            extendDuplicate(reassembly.left(i), Seq.min(reassembly.right(i), end));
        }
    }

    /** RFC 2883: remember a duplicate range for the first SACK block of the next segment (Linux's tcp_dsack_set). */
    private void reportDuplicate(int left, int right) {
        if (!sackOn || !Seq.lt(left, right)) return;
        dsackPending = true;
        dsackLeft = left;
        dsackRight = right;
    }

    /** Linux's tcp_dsack_extend: joins a duplicate range to the pending one when they overlap or touch; starts one when none is pending. */
    private void extendDuplicate(int left, int right) {
        if (!dsackPending) {
            reportDuplicate(left, right);
        } else if (!Seq.gt(left, dsackRight) && !Seq.gt(dsackLeft, right)) {
            dsackLeft = Seq.min(dsackLeft, left);
            dsackRight = Seq.max(dsackRight, right);
        }
    }

    /**
     * RFC 1122 §4.2.3.2, RFC 9293 §3.8.6.3, RFC 5681 §4.2, with Linux's quick-ack start.
     * {@code outOfOrderHeld}: out-of-order data was held when the segment came.
     */
    private void scheduleAckForData(boolean outOfOrderHeld, long now) {
        if (outOfOrderHeld) {
            // The segment filled a hole, or holes remain: ACK at once so the sender learns at once
            // (RFC 5681 §4.2). Linux: ACK now when the out-of-order queue empties (tcp_data_queue),
            // and without delay while it is not empty (__tcp_ack_snd_check).
            ackNow = true;
        } else if (quickAcksLeft > 0) {
            quickAcksLeft--;
            ackNow = true;
        } else if (Seq.distance(lastAckSent, rcvNxt) > effectiveMss) {
            ackNow = true; // more than one full-sized segment unacknowledged: every second one is ACKed
        } else if (delayedAckAt == NONE) {
            delayedAckAt = now + config.delayedAckMinNanos();
        }
    }

    /** RFC 9293 §3.10.7.4 eighth: the FIN is in order. */
    private void finArrived(long now) {
        rcvNxt += 1;
        finReceived = true;
        ackNow = true; // a FIN is acknowledged at once
        switch (state) {
            case ESTABLISHED -> setState(TcpState.CLOSE_WAIT, "rcvd FIN", now);
            case FIN_WAIT1 -> {
                if (finAcked()) enterTimeWait("rcvd FIN+ACK of our FIN", now);
                else setState(TcpState.CLOSING, "rcvd FIN (simultaneous close)", now);
            }
            case FIN_WAIT2 -> enterTimeWait("rcvd FIN", now);
            default -> { }
        }
    }

    /** After a segment: FIN_WAIT1 whose FIN is acknowledged (and no FIN came with it) is FIN_WAIT2; send what is due. */
    private void afterSegment(long now) {
        if (state == TcpState.FIN_WAIT1 && finAcked()) {
            setState(TcpState.FIN_WAIT2, "rcvd ACK of FIN", now);
            if (userClosed) armFinWait2Timer(now);
        }
        transmitPending(now);
    }

    /**
     * TIME_WAIT meets a SYN for the same 4-tuple (RFC 9293 §3.10.7.4 fourth, RFC 6191, Linux): the SYN
     * starts a new incarnation when its sequence number is above the last RCV.NXT, or its timestamp
     * is newer than TS.Recent ({@link TimeWaitRecord} holds the rule). When this returns true the
     * connection has gone CLOSED and is released: the owner removes it and hands the SYN to the
     * listener. When false, nothing has happened: the owner passes the SYN to {@link #segmentArrived}
     * (which answers it with an ACK and drops it).
     */
    public boolean acceptsNewSyn(TcpSegment syn, long now) {
        settle();
        if (state != TcpState.TIME_WAIT || released) return false;
        if (!timeWait.acceptsNewSyn(syn, now, output, this)) return false;
        settle();
        output.wakeup(this);
        output.callReturned(this);
        return true;
    }

    // =====================================================================================
    // Timers
    // =====================================================================================

    /** The owner calls this at (or after) {@link #nextDeadline()}; fires whatever timers are due. */
    public void deadlineReached(long now) {
        try {
            timersDue(now);
        } finally {
            accountMemory();
        }
        output.callReturned(this);
    }

    private void timersDue(long now) {
        settle();
        if (released) return;
        if (timeWait != null) {
            // TIME_WAIT arms no other timer (enterTimeWait cancelled them all).
            timeWait.deadlineReached(now, output, this);
            settle();
            output.wakeup(this);
            return;
        }
        if (delayedAckAt <= now) {
            delayedAckAt = NONE;
            output.timerFired(this, "delayed-ack", now);
            sendAck(now);
        }
        if (reorderAt <= now) {
            reorderAt = NONE;
            output.timerFired(this, "reorder", now);
            reorderTimeout(now);
        }
        if (probeAt <= now) {
            probeAt = NONE;
            output.timerFired(this, "loss-probe", now);
            lossProbe(now);
        }
        if (retransmitAt <= now) {
            retransmitAt = NONE;
            output.timerFired(this, "retransmit", now);
            retransmissionTimeout(now);
        }
        if (persistAt <= now) {
            persistAt = NONE;
            output.timerFired(this, "persist", now);
            persistTimeout(now);
        }
        if (finWait2At <= now) {
            finWait2At = NONE;
            output.timerFired(this, "fin-wait2", now);
            if (state == TcpState.FIN_WAIT2) enterClosed("FIN_WAIT2 timeout", now);
        }
        if (keepaliveAt <= now) {
            keepaliveAt = NONE;
            output.timerFired(this, "keepalive", now);
            keepaliveTimeout(now);
        }
        output.wakeup(this);
    }

    /** The earliest time a timer is due, or {@link Long#MAX_VALUE} when none is armed. */
    public long nextDeadline() {
        if (released || (timeWait != null && timeWait.isReleased())) return NONE;
        if (timeWait != null) return timeWait.nextDeadline();
        return Math.min(Math.min(Math.min(retransmitAt, persistAt), Math.min(delayedAckAt, keepaliveAt)),
                Math.min(finWait2At, Math.min(probeAt, reorderAt)));
    }

    /** RFC 6298 §5.4-5.7 and the retry limits of RFC 1122 §4.2.3.5 / Linux. */
    private void retransmissionTimeout(long now) {
        if (!synAcked()) {
            int limit = state == TcpState.SYN_SENT || !passiveOpen ? config.synRetries() : config.synAckRetries();
            if (retries >= limit) {
                if (passiveOpen) {
                    enterClosed("SYN-ACK retries exhausted", now); // Linux drops the embryo silently
                } else {
                    fail(TcpError.CONNECTION_TIMED_OUT, "SYN retries exhausted", now);
                }
                return;
            }
            retries++;
            rtt.backOff();
            sendSyn(now);
            return;
        }
        if (userTimeoutNanos > 0 ? userTimeoutExpired(now) : retries >= config.dataRetries()) {
            // Linux sends no RST
            fail(TcpError.CONNECTION_TIMED_OUT, userTimeoutNanos > 0 ? "user timeout" : "retransmission retries exhausted", now);
            return;
        }
        if (orphanOutOfResources(retries, now)) return;
        if (retries == 0) firstRetransmitAt = now;
        retries++;
        if (inRecovery && reducesRate()) {
            // As Linux's tcp_enter_loss: a timeout in a fast recovery keeps the recovery's ssthresh
            // (PRR kept the flight near it), where FlightSize / 2 would count the new data PRR sent.
            congestion.setCwnd(effectiveMss);
        } else {
            congestion.onRetransmissionTimeout(Seq.distance(sndUna, sndMax), now);
        }
        rtt.backOff();
        dupAcks = 0;
        renoSacked = 0;
        // RFC 6582 §3.2 / RFC 6675 §5.1: the timeout ends any recovery, and none starts again before
        // what was sent is acknowledged; RFC 2018 §8: the receiver may have discarded SACKed data, so
        // the scoreboard starts afresh (SACK blocks in later ACKs fill it again).
        inRecovery = false;
        recoveryPoint = sndMax;
        scoreboard.clear();
        if (rack != null) rack.timedOut();
        reorderAt = NONE;
        probe.close();
        probeAt = NONE;
        sndNxt = sndUna; // go-back-N: everything after SND.UNA is sent again as the window allows
        retransmitFirst(now);
        if (retransmitAt == NONE && sndUna != sndMax) retransmitAt = now + rtt.rto();
        clampRetransmitToUserTimeout(now);
    }

    /** The persist timer (RFC 9293 §3.8.6.1, RFC 1122 §4.2.2.17), Linux's probe; see the class comment. */
    private void persistTimeout(long now) {
        int unsent = Seq.distance(sndNxt, dataEnd());
        if (!canSendData() || sndUna != sndMax || unsent <= 0) return;
        if (sndWnd > 0) {
            int len = Math.min(Math.min(sndWnd, effectiveMss), unsent);
            sendData(sndNxt, len, finQueued && len == unsent, true, now); // pushed, as Linux's tcp_write_wakeup
            return;
        }
        if (orphanOutOfResources(persistBackoff, now)) return;
        if (zeroWindowProbesTimedOut(now)) {
            fail(TcpError.CONNECTION_TIMED_OUT, "user timeout: the window stayed closed", now); // tcp_probe_timer's abort: no RST
            return;
        }
        sendSegment(sndUna - 1, TcpFlags.ACK, 0, now);
        persistBackoff++;
        persistAt = now + persistInterval();
    }

    /**
     * Keepalive (RFC 1122 §4.2.3.6) as Linux does it: after keepaliveIdle without receiving anything,
     * probe (the zero-window probe's form, {@code seq = SND.UNA - 1}) every keepaliveInterval; after
     * keepaliveProbes unanswered probes, reset and fail with CONNECTION_TIMED_OUT. Not while data is
     * outstanding: the retransmission or persist timer watches the peer then.
     */
    private void keepaliveTimeout(long now) {
        if (!keepAliveApplies()) return;
        long idle = config.keepaliveIdleNanos();
        if (sndUna != sndMax || Seq.distance(sndNxt, dataEnd()) > 0) {
            keepaliveAt = now + idle;
            return;
        }
        long elapsed = now - lastReceivedAt;
        if (elapsed < idle) {
            keepaliveAt = lastReceivedAt + idle;
            return;
        }
        if (keepaliveProbesSent >= config.keepaliveProbes()) {
            sendActiveReset(now);
            fail(TcpError.CONNECTION_TIMED_OUT, "keepalive: no answer to " + keepaliveProbesSent + " probes", now);
            return;
        }
        sendSegment(sndUna - 1, TcpFlags.ACK, 0, now);
        keepaliveProbesSent++;
        keepaliveAt = now + config.keepaliveIntervalNanos();
    }

    private boolean keepAliveApplies() {
        return keepAlive && !released && state.isSynchronized() && state != TcpState.TIME_WAIT;
    }

    private long persistInterval() {
        long t = rtt.rto();
        for (int i = 0; i < persistBackoff && t < config.maxRtoNanos(); i++) t *= 2;
        return Math.min(Math.max(t, config.minRtoNanos()), config.maxRtoNanos());
    }

    // =====================================================================================
    // Sending
    // =====================================================================================

    /** Sends what the windows, Nagle and the silly-window rules allow (RFC 9293 §3.8.6.2.1, §3.7.4). */
    private void transmitPending(long now) {
        if (!canSendData()) return;
        if (inRecovery && sackOn) {
            sackRecoveryTransmit(now);
        } else if (inRecovery && reducesRate()) {
            newRenoRecoveryTransmit(now);
        } else {
            transmitNormally(now);
        }
        // The persist timer runs when data waits, nothing is in flight and so no ACK will come.
        if (Seq.distance(sndNxt, dataEnd()) > 0 && sndUna == sndMax) {
            if (persistAt == NONE) {
                persistBackoff = 0;
                zeroWindowProbingSince = NONE;
                persistAt = now + persistInterval();
            }
        } else {
            persistAt = NONE;
        }
        updateRwndLimited(now);
    }

    /**
     * Sends segment after segment while {@link #sendableLength} allows. New segments that leave
     * together make a train, as Linux would send them in one TSO/GSO packet ({@link #trainLimit}),
     * and the last segment of a train of two or more carries PSH: Linux's __tcp_transmit_skb pushes
     * every packet of more than one segment, to end the receiver's GRO batch ("tcp: force a PSH flag
     * on TSO packets"). A lone segment is pushed only when it ends a write.
     */
    private void transmitNormally(long now) {
        int trainSegments = 0;
        int trainLimit = trainLimit();
        while (true) {
            skipSackedData();
            if (Seq.distance(sndNxt, dataEnd()) <= 0) {
                // The FIN follows the data; a bare FIN needs no window (Linux accepts one at a zero window).
                if (finQueued && sndNxt == finSeq) sendData(sndNxt, 0, true, false, now);
                break;
            }
            int len = withinPiece(sndNxt, sendableLength(sndNxt));
            if (len <= 0) break;
            int end = sndNxt + len;
            boolean fin = finQueued && end == dataEnd();
            // Retransmissions (going back after a timeout) leave one by one, as Linux's do here.
            boolean newData = Seq.ge(sndNxt, sndMax);
            trainSegments = newData ? trainSegments + 1 : 0;
            boolean trainGoesOn = newData && !fin && trainSegments < trainLimit && !endsRecord(end) && sendableLength(end) > 0;
            sendData(sndNxt, len, fin, trainSegments > 1 && !trainGoesOn, now);
            if (!trainGoesOn) trainSegments = 0;
        }
    }

    /** Going back after a timeout: what the peer SACKed since is not sent again (RFC 6675 §5.1). */
    private void skipSackedData() {
        if (sackedAfterTimeout(sndNxt)) sndNxt = Seq.min(scoreboard.skipSacked(sndNxt), sndMax);
    }

    private boolean sackedAfterTimeout(int seq) {
        return sackOn && Seq.lt(seq, sndMax) && scoreboard.isSacked(seq);
    }

    /**
     * The length of the data segment that may leave from {@code from} now (0: none), outside SACK
     * recovery: what the peer's window and cwnd leave (RFC 9293 §3.8.6.2.1, RFC 5681), at most one
     * SMSS, a small segment only when Nagle and the sender's SWS avoidance allow it.
     */
    private int sendableLength(int from) {
        int unsent = Seq.distance(from, dataEnd());
        if (unsent <= 0) return 0;
        // A segment never carries bytes of two records (MSG_EOR); one ending a record before the last
        // is not held back: Linux's Nagle and cork test only the last skb of the queue (tcp_write_xmit).
        int record = sendBuffer.recordRoom(Seq.distance(sendBufferSeq, from), unsent);
        int flight = Seq.distance(sndUna, from);
        // Limited transmit (RFC 3042 §2): each of the first DupThresh - 1 duplicate ACKs lets one
        // more new segment out, beyond cwnd but within the peer's window.
        int limitedTransmit = !inRecovery && dupAcks < config.dupThresh() && Seq.ge(from, sndMax) ? dupAcks * effectiveMss : 0;
        int usable = (int) (Math.min(sndWnd, (long) congestion.cwnd() + limitedTransmit) - flight);
        int len = Math.min(record, Math.min(effectiveMss, usable));
        if (len <= 0) return 0;
        if (len < effectiveMss) {
            // Nagle (RFC 896, RFC 9293 §3.7.4) in Linux's form (Minshall's variant): a small segment
            // waits while an earlier small segment is unacknowledged, unless TCP_NODELAY or the
            // connection is closing (Linux pushes the tail out with the FIN). TCP_CORK and MSG_MORE
            // hold it whatever is in flight (TCP_NAGLE_CORK), unless TCP_NODELAY is being set.
            boolean recordCut = len == record && record < unsent;
            boolean held = (corked || writingMore) && !pushingAll;
            boolean nagleAllows = recordCut || finQueued
                    || (!held && (noDelay || flight == 0 || !Seq.gt(smallSegmentEnd, sndUna)));
            boolean swsAllows = len == record || len >= maxSndWnd / 2; // sender SWS avoidance, §3.8.6.2.1
            if (!nagleAllows || !swsAllows) return 0;
        }
        return len;
    }

    /**
     * The most segments in a train, as Linux sizes a TSO/GSO packet: by tcp_tso_autosize (about a
     * millisecond of data at the pacing rate, plus 64 KiB halved per 512 us of RTT, at most 64 KiB,
     * at least {@link TcpConfig#minTsoSegments()}), not beyond half the largest window the peer
     * offered (tcp_bound_to_half_wnd in tcp_xmit_size_goal), nor beyond half of cwnd (tcp_cwnd_test
     * gives one packet at most half the window). The smoothed RTT stands for Linux's minimum RTT.
     */
    private int trainLimit() {
        long bytes = pacingRate >> PACING_SHIFT;
        long rttShift = (rtt.srtt() / 1000) >> TSO_RTT_LOG;
        if (rttShift < Integer.SIZE) bytes += MAX_TRAIN_BYTES >> rttShift;
        int autosized = Math.max((int) (Math.min(bytes, MAX_TRAIN_BYTES) / effectiveMss), config.minTsoSegments());
        int halfCwnd = Math.max(1, congestion.cwnd() / effectiveMss / 2);
        return Math.min(Math.min(autosized, sizeGoalSegments()), halfCwnd);
    }

    /**
     * Linux's tcp_xmit_size_goal in segments: the largest TSO/GSO packet, bounded by half the largest
     * window the peer offered (tcp_bound_to_half_wnd); writes fill send-queue blocks of this size.
     */
    private int sizeGoalSegments() {
        int cutoff = maxSndWnd > config.defaultPeerMss() ? maxSndWnd / 2 : maxSndWnd;
        return Math.max(1, (cutoff > 0 ? Math.min(MAX_TRAIN_BYTES, cutoff) : MAX_TRAIN_BYTES) / effectiveMss);
    }

    /**
     * Linux's tcp_update_pacing_rate, which every ACK runs (tcp_cong_control): 200 % of the window
     * per smoothed RTT while cwnd is below half ssthresh, 120 % after (tcp_pacing_ss_ratio,
     * tcp_pacing_ca_ratio), of the larger of cwnd and the flight; unlimited before an RTT sample.
     */
    private void updatePacingRate() {
        if (congestion == null || !rtt.hasSample() || rtt.srtt() <= 0) {
            pacingRate = Long.MAX_VALUE;
            return;
        }
        long window = Math.max(congestion.cwnd(), Seq.distance(sndUna, sndMax));
        int percent = congestion.cwnd() < congestion.ssthresh() / 2 ? 200 : 120;
        pacingRate = window * percent * 10_000_000L / rtt.srtt();
    }

    /**
     * Sending during SACK-based recovery (RFC 6675 §5 step C): while cwnd - pipe >= 1 SMSS, send what
     * NextSeg() names: a lost hole (rule 1), else new data (rule 2), else a hole below the highest
     * SACKed byte (rule 3). The rescue retransmission of rule 4 is not done. Under RACK, see
     * {@link #rackRecoveryTransmit}.
     */
    private void sackRecoveryTransmit(long now) {
        if (rack != null) {
            rackRecoveryTransmit(now);
            return;
        }
        int dupThresh = config.dupThresh();
        while (true) {
            if (congestion.cwnd() - pipe() < effectiveMss) break;
            int holeEnd = scoreboard.nextHole(sndUna, highRxt, true, dupThresh, effectiveMss);
            if (Seq.lt(scoreboard.foundStart, holeEnd)) {
                if (!retransmitHole(scoreboard.foundStart, holeEnd, now)) break;
                continue;
            }
            if (sendNewSegment(false, now)) continue;
            holeEnd = scoreboard.nextHole(sndUna, highRxt, false, dupThresh, effectiveMss);
            if (Seq.lt(scoreboard.foundStart, holeEnd)) {
                if (!retransmitHole(scoreboard.foundStart, holeEnd, now)) break;
                continue;
            }
            break;
        }
    }

    /**
     * Sending in a recovery under RACK (RFC 8985 leaves the sending to RFC 6675): while cwnd - pipe
     * >= 1 SMSS, where pipe counts what is neither SACKed nor deemed lost plus the retransmissions
     * out, retransmit the lowest segment RACK deems lost (NextSeg() rule 1 with RACK's marks), else
     * send new data (rule 2). As Linux, a hole RACK has not judged lost is not sent early (no rule 3):
     * RACK's reordering timer decides it. New segments sent in a row make a train, as in
     * {@link #transmitNormally}: the last of two or more carries PSH.
     */
    private void rackRecoveryTransmit(long now) {
        int trainSegments = 0;
        long room;
        while ((room = congestion.cwnd() - pipe()) >= effectiveMss) {
            if (retransmitLost(now)) {
                trainSegments = 0;
                continue;
            }
            boolean trainGoesOn = trainSegments + 1 < trainLimit() && newSegmentFollows(room);
            if (!sendNewSegment(trainSegments > 0 && !trainGoesOn, now)) break;
            trainSegments = trainGoesOn ? trainSegments + 1 : 0;
        }
    }

    /**
     * Sending in a NewReno recovery paced by PRR (as Linux's tcp_xmit_retransmit_queue without
     * SACK): while cwnd - pipe >= 1 SMSS, the segment at SND.UNA once per partial ACK (RFC 6582
     * §3.2 step 5), then new data.
     */
    private void newRenoRecoveryTransmit(long now) {
        while (congestion.cwnd() - pipe() >= effectiveMss) {
            if (!Seq.gt(highRxt, sndUna)) {
                int end = retransmit(sndUna, sndMax, now);
                if (!Seq.gt(end, sndUna)) break;
                highRxt = end;
            } else if (!sendNewSegment(false, now)) {
                break;
            }
        }
    }

    /** Whether, after one more full new segment, cwnd ({@code room} left now) and the peer's window let another full one go. */
    private boolean newSegmentFollows(long room) {
        int next = sndNxt + effectiveMss;
        return room >= 2L * effectiveMss && Seq.distance(next, dataEnd()) > 0
                && sndWnd - Seq.distance(sndUna, next) >= effectiveMss;
    }

    /** Retransmits (one SMSS of) the lowest segment RACK deems lost; false when there is none or nothing went. */
    private boolean retransmitLost(long now) {
        if (!rack.findLost()) return false;
        int start = rack.lostStart();
        return Seq.gt(retransmit(start, rack.lostEnd(), now), start);
    }

    /** Retransmits from a hole and moves HighRxt past it; false when nothing could be sent (no progress). */
    private boolean retransmitHole(int from, int holeEnd, long now) {
        int end = retransmit(from, holeEnd, now);
        if (!Seq.gt(end, from)) return false;
        highRxt = Seq.max(highRxt, end);
        return true;
    }

    /**
     * RFC 6675 NextSeg() rule 2: one segment of new data, if the peer's window has room, with PSH
     * when {@code push} (it ends a train). Returns false when none went.
     */
    private boolean sendNewSegment(boolean push, long now) {
        if (Seq.lt(sndNxt, sndMax)) return false;
        int unsent = Seq.distance(sndNxt, dataEnd());
        if (unsent <= 0) {
            if (finQueued && sndNxt == finSeq) {
                sendData(sndNxt, 0, true, false, now);
                return true;
            }
            return false;
        }
        int room = sndWnd - Seq.distance(sndUna, sndNxt);
        int len = Math.min(unsent, Math.min(effectiveMss, room));
        if (len <= 0) return false;
        sendData(sndNxt, len, finQueued && len == unsent, push, now);
        return true;
    }

    /** Retransmits the segment at SND.UNA (timeout). */
    private void retransmitFirst(long now) {
        retransmit(sndUna, sndMax, now);
    }

    /**
     * The one path every retransmission takes (timeout, fast retransmit, NewReno partial ACK, SACK
     * recovery), so RetransSegs counts each: one segment of at most SMSS from {@code seq}, not beyond
     * {@code limit}, with the FIN when it falls inside. Returns the end of what was sent.
     */
    private int retransmit(int seq, int limit, long now) {
        int dataLimit = Seq.min(limit, dataEnd());
        int len = Math.max(0, Math.min(effectiveMss, Seq.distance(seq, dataLimit)));
        int end = seq + len;
        boolean fin = finQueued && end == finSeq && Seq.gt(limit, finSeq);
        if (len > 0 || fin) {
            if (seq == sndUna) {
                unaRetransmitted = true;
                unaRetransmitTs = tsNow(now);
            }
            return sendData(seq, len, fin, false, now);
        }
        return end;
    }

    /**
     * {@code len}, or less so that [seq, seq+len) ends where the send buffer's piece holding
     * {@code seq} ends, when the path carries payload windows ({@link TcpOutput#carriesPayloadWindows}):
     * the segment's payload is then a window into the buffer (attachPayload), which a receiver in
     * the same memory can take over without a copy, and not a copy that would make it copy every
     * later byte as well until its reader catches up (ReceiveQueue). One more segment per piece, as
     * Linux's segments end where its skbs do. Other paths copy the bytes anyway: a segment that
     * straddles two pieces goes whole, through a scratch copy.
     */
    private int withinPiece(int seq, int len) {
        int inPiece = sendBuffer.inOnePiece(Seq.distance(sendBufferSeq, seq), len);
        return inPiece < len && output.carriesPayloadWindows() ? inPiece : len;
    }

    /**
     * Emits the data segment [seq, seq+len) (plus FIN) from the send buffer, cut short where a piece
     * of the send buffer ends (the FIN then waits for the rest: {@link #withinPiece}). It carries PSH
     * when it ends a write ({@link #endsWrite}) or {@code push} asks for it. Returns the sequence
     * number after what it sent.
     */
    private int sendData(int seq, int len, boolean fin, boolean push, long now) {
        if (len > 0) {
            int whole = len;
            len = sendBuffer.recordRoom(Seq.distance(sendBufferSeq, seq), withinPiece(seq, len));
            if (len < whole) fin = false;
        }
        int end = seq + len;
        int flags = TcpFlags.ACK;
        boolean endsWrite = endsWrite(seq, end);
        if (endsWrite) pushMarks.add(end);
        if (len > 0 && (endsWrite || push)) flags |= TcpFlags.PSH;
        if (fin) flags |= TcpFlags.FIN;
        int segEnd = fin ? end + 1 : end;
        // A segment cut short where a piece of the send buffer ends is not small in Nagle's sense:
        // more data follows it at once.
        if (len > 0 && len < effectiveMss && !sendBuffer.startsPiece(Seq.distance(sendBufferSeq, end))) smallSegmentEnd = end;
        if (Seq.lt(seq, sndMax)) {
            rttTiming = false; // Karn: no sample from a retransmitted segment
            totalRetrans++;
            bytesRetrans += len;
        } else if (!rttTiming) {
            rttTiming = true;
            rttSeq = seq;
            rttStart = now;
        }
        sendSegment(seq, flags, len, now);
        if (rack != null && Seq.gt(segEnd, seq)) rack.sent(seq, segEnd, fin, sndMax, now);
        if (Seq.gt(segEnd, sndNxt)) sndNxt = segEnd;
        boolean newData = Seq.gt(segEnd, sndMax);
        if (newData) {
            sndMax = segEnd;
            lastSegmentStart = seq;
            lastDataSentAt = now;
        }
        noteCwndUse();
        if (inRecovery) prr.sent(segEnd - seq);
        if (retransmitAt == NONE) retransmitAt = now + rtt.rto();
        persistAt = NONE;
        if (newData) scheduleLossProbe(now);
        return segEnd;
    }

    /**
     * Slow start after idle (RFC 5681 §4.1, {@link TcpConfig#slowStartAfterIdle()}), as Linux's
     * tcp_slow_start_after_idle_check and tcp_cwnd_restart: with nothing in flight and more than an
     * RTO since new data last left, cwnd is halved once per RTO of the pause, to no less than the
     * restart window min(initial window, cwnd). Linux checks when data is queued and when the
     * peer's window changes while data waits.
     */
    private void restartWindowAfterIdle(long now) {
        if (!config.slowStartAfterIdle() || congestion == null || lastDataSentAt == NONE || sndUna != sndMax) return;
        long rto = rtt.rto();
        long idle = now - lastDataSentAt;
        if (idle <= rto) return;
        int cwndSegments = congestion.cwnd() / effectiveMss;
        int restart = Math.min(config.initialCwndSegments(), cwndSegments);
        while ((idle -= rto) > 0 && cwndSegments > restart) cwndSegments >>= 1;
        congestion.restartAfterIdle(Math.max(cwndSegments, restart) * effectiveMss);
    }

    /**
     * Whether [seq, end) carries the last byte of a write, which Linux marks with PSH (RFC 9293
     * §3.9.1; tcp_push marks the write's last skb). A segment sent now ends a write when it ends the
     * data written so far: a write whose end has not left yet when the next one comes has its end
     * joined to the next one (Linux appends to the unsent last skb and moves the mark). A
     * retransmission ends a write when it covers the end of a segment first sent as one.
     */
    private boolean endsWrite(int seq, int end) {
        if (end == seq) return false;
        return (end == dataEnd() && tailPushed) || endsRecord(end) || (Seq.lt(seq, sndMax) && pushMarks.within(seq, end));
    }

    /** True when a record (MSG_EOR) ends just before {@code seq}. */
    private boolean endsRecord(int seq) {
        return sendBuffer.endsRecord(Seq.distance(sendBufferSeq, seq));
    }

    /**
     * The window of a SYN or SYN-ACK, never scaled (RFC 7323 §2.2): the free receive space up to
     * 65535, rounded down to a whole number of segments as Linux does (tcp_select_initial_window),
     * which makes 64240 in a SYN and 65160 in a SYN-ACK with timestamps. A SYN-ACK rounds by the MSS
     * less the timestamp option once timestamps are agreed; a SYN does not know that yet.
     */
    private int initialWindow(boolean synAck) {
        return initialWindow(receiveBudgetFree(), advMss(), synAck && timestampsOn);
    }

    private static int initialWindow(int free, int advMss, boolean timestampOption) {
        int space = Math.min(free, MAX_WINDOW_FIELD);
        int segment = advMss - (timestampOption ? TIMESTAMP_OPTION_SPACE : 0);
        return space > segment ? space - space % segment : space;
    }

    /** SYN (SYN_SENT) or SYN-ACK (after the peer's SYN), first transmission or retransmission. */
    private void sendSyn(long now) {
        boolean synAck = peerSynSeen;
        out.clear()
                .sourcePort(tuple.localPort())
                .destinationPort(tuple.remotePort())
                .seq(iss)
                .flags(synAck ? TcpFlags.SYN | TcpFlags.ACK : TcpFlags.SYN);
        if (synAck) out.ack(rcvNxt);
        synWindowSent = initialWindow(synAck);
        out.window(synWindowSent);
        if (synAck) rcvAdvertisedEdge = rcvIntendedEdge = rcvNxt + synWindowSent;
        writeSynOptions(out.options(), synAck, now);
        if (Seq.lt(iss, sndMax) || retries > 0) {
            rttTiming = false; // a retransmitted SYN gives no sample (Karn)
            totalRetrans++;
        } else {
            rttTiming = true;
            rttSeq = iss;
            rttStart = now;
        }
        transmit(now);
        if (Seq.lt(sndNxt, iss + 1)) sndNxt = iss + 1;
        if (Seq.lt(sndMax, iss + 1)) sndMax = iss + 1;
        if (retransmitAt == NONE) retransmitAt = now + rtt.rto();
    }

    /**
     * Linux's SYN option layouts (design.md, tcp_options_write): mss; then sackOK+TS, or nop,nop,TS,
     * or nop,nop,sackOK; then nop,wscale. A SYN-ACK echoes only what was negotiated (RFC 7323 §2.2,
     * §3.2; RFC 2018 §2).
     */
    private void writeSynOptions(TcpOptions opts, boolean synAck, long now) {
        boolean ts = synAck ? timestampsOn : config.timestamps();
        boolean sack = synAck ? sackOn : config.sack();
        boolean ws = synAck ? windowScalingOn : config.windowScaling();
        writeSynOptions(opts, config, advMss(), ts, sack, ws, tsNow(now), synAck ? tsRecent : 0);
    }

    private static void writeSynOptions(TcpOptions opts, TcpConfig config, int advMss, boolean ts, boolean sack, boolean ws,
                                        int tsVal, int tsEcr) {
        opts.mss(advMss);
        if (ts) {
            if (sack) opts.sackPermitted();
            else opts.nop().nop();
            opts.timestamps(tsVal, tsEcr);
        } else if (sack) {
            opts.nop().nop().sackPermitted();
        }
        if (ws) opts.nop().windowScale(config.windowScale());
    }

    /**
     * A pure ACK carries SND.MAX, the highest sequence number sent (Linux's tcp_acceptable_seq: its
     * snd_nxt never goes back). SND.NXT may have gone back to SND.UNA after a timeout, and an ACK
     * with that sequence number lies below what the peer already received: it would be unacceptable
     * there and its ACK field ignored, and with data flowing both ways neither side would ever advance.
     */
    private void sendAck(long now) {
        sendSegment(sndMax, TcpFlags.ACK, 0, now);
    }

    /**
     * A segment of a synchronized connection: ACK, window and (when on) timestamps, carrying the
     * {@code length} bytes of the send buffer from {@code seq} on.
     */
    private void sendSegment(int seq, int flags, int length, long now) {
        writeSegmentHeader(out, tuple.localPort(), tuple.remotePort(), seq, flags, rcvNxt, advertiseWindow(),
                timestampsOn, tsNow(now), tsRecent);
        if (length > 0) attachPayload(seq, length);
        if (sackOn) writeSackBlocks(out.options(), length);
        transmit(now);
        out.payload(null); // the window points into the send buffer: keep no array alive once it is released
    }

    /**
     * Points the outgoing segment's payload at [seq, seq+length) of the send buffer: at the buffer's
     * own bytes when they lie in one piece, so that the stack copies them once, straight into the
     * packet; through a scratch copy when the range straddles two pieces (not stable: the next such
     * segment overwrites it).
     */
    private void attachPayload(int seq, int length) {
        int offset = Seq.distance(sendBufferSeq, seq);
        LentBytes piece = sendBuffer.windowInto(out, offset, length);
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
            out.markPayloadStable(piece);
            return;
        }
        if (payloadScratch == null) payloadScratch = ByteBuffer.allocate(config.mss());
        payloadScratch.clear();
        sendBuffer.copyTo(offset, length, payloadScratch);
        out.payload(payloadScratch.flip());
    }

    /**
     * The header of a segment of a synchronized connection and its timestamps option when on, in
     * Linux's layout ({@code nop, nop, TS val X ecr Y}); the SACK blocks, when any, come after. The
     * one place that lays it out, for connections and for their {@link TimeWaitRecord}s.
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
    private void writeSackBlocks(TcpOptions opts, int payloadLength) {
        int room = timestampsOn ? SACK_BLOCKS_WITH_TIMESTAMPS : TcpOptions.MAX_SACK_BLOCKS;
        if (payloadLength > 0) {
            // The peer's MSS bounds payload plus options (RFC 9293 §3.7.1, RFC 6691): on a data segment
            // only the blocks that fit beside the payload go (Linux shrinks the segment instead).
            int spare = effectiveMss - payloadLength - SACK_OPTION_OVERHEAD;
            room = Math.min(room, Math.max(0, spare / SACK_BLOCK_SIZE));
        }
        int recent = reassembly.recentCount();
        if ((!dsackPending && recent == 0) || room == 0) return;
        opts.nop().nop().sack();
        int used = 0;
        if (dsackPending) {
            opts.addSackBlock(dsackLeft, dsackRight);
            dsackPending = false;
            used++;
        }
        for (int i = 0; i < recent && used < room; i++, used++) {
            opts.addSackBlock(reassembly.recentLeft(i), reassembly.recentRight(i));
        }
    }

    /**
     * The RST that answers an unacceptable segment: {@code <SEQ=SEG.ACK><CTL=RST>} (RFC 9293
     * §3.10.7), no options and window 0, as Linux's tcp_v4_send_reset builds it.
     */
    private void sendReset(int seq, long now) {
        out.clear()
                .sourcePort(tuple.localPort())
                .destinationPort(tuple.remotePort())
                .seq(seq)
                .flags(TcpFlags.RST);
        output.send(tuple.localAddress(), tuple.remoteAddress(), out, now);
    }

    /**
     * The RST of an abort (RFC 9293 §3.10.5; close() with unread data, SO_LINGER 0, keepalive
     * timeout), as Linux's tcp_send_active_reset sends it: RST|ACK at the highest sequence number
     * sent (tcp_acceptable_seq), built like every segment of the connection (tcp_transmit_skb), so
     * with the window and, when agreed, the timestamps option (TSval now, TSecr TS.Recent) and SACK
     * blocks.
     */
    private void sendActiveReset(long now) {
        sendSegment(sndMax, TcpFlags.RST | TcpFlags.ACK, 0, now);
    }

    private void transmit(long now) {
        if (out.has(TcpFlags.ACK)) {
            lastAckSent = rcvNxt;
            ackNow = false;
            delayedAckAt = NONE;
        }
        output.send(tuple.localAddress(), tuple.remoteAddress(), out, now);
    }

    /** RFC 5961 §4.2 / §3.2 challenge ACK, within the limits of {@link AckLimiter}. */
    private void challengeAck(long now) {
        if (ackLimiter == null) ackLimiter = new AckLimiter(now);
        if (ackLimiter.allowChallenge(config, output, now)) sendAck(now);
    }

    /**
     * Whether to answer {@code seg}, which this connection does not accept, with an ACK now: at most
     * one such ACK per {@link TcpConfig#invalidRateLimitNanos()} (Linux's tcp_oow_rate_limited; see
     * {@link AckLimiter}). In SYN_RECV, counted as Linux's tcp_check_req counts it.
     */
    private boolean answerUnacceptable(TcpSegment seg, RateLimited what, long now) {
        if (!AckLimiter.applies(seg, config)) return true;
        if (ackLimiter == null) ackLimiter = new AckLimiter(now);
        return ackLimiter.allowAnswer(config, state == TcpState.SYN_RECV ? RateLimited.SYN_RECV_ACK : what, output, now);
    }

    // =====================================================================================
    // Windows
    // =====================================================================================

    /** RCV.WND: what is left of the window we advertised. */
    private int receiveWindow() {
        return Math.max(0, Seq.distance(rcvNxt, rcvAdvertisedEdge));
    }

    /**
     * The window field for the next segment: the free buffer space, but raised only by at least
     * min(buffer/2, MSS) at a time (receiver SWS avoidance, RFC 9293 §3.8.6.2.2) and never moving the
     * right edge left (RFC 7323 §2.4); scaled by our shift, rounded up so the edge does not recede.
     */
    private int advertiseWindow() {
        int current = Math.max(0, Seq.distance(rcvNxt, rcvIntendedEdge));
        int available = windowCeiling();
        int wnd = available - current >= swsThreshold() ? available : current;
        wnd = Math.min(wnd, MAX_WINDOW_FIELD << rcvShift);
        rcvIntendedEdge = Seq.max(rcvIntendedEdge, rcvNxt + wnd);
        int intended = Math.max(0, Seq.distance(rcvNxt, rcvIntendedEdge));
        int field = Math.min((intended + (1 << rcvShift) - 1) >>> rcvShift, MAX_WINDOW_FIELD);
        rcvAdvertisedEdge = Seq.max(rcvAdvertisedEdge, rcvNxt + (field << rcvShift));
        return field;
    }

    /** The most we could advertise now: the free receive budget, up to what the window field can say. */
    private int windowCeiling() {
        int free = discardsInput() ? receiveBudget : receiveBudgetFree();
        // Under memory pressure the window grows by no more than four segments beyond what was
        // offered (Linux's tcp_adjust_rcv_ssthresh clamps rcv_ssthresh to 4 * advmss).
        if (memory.underPressure()) free = Math.min(free, 4 * config.mss());
        return Math.min(free, MAX_WINDOW_FIELD << rcvShift);
    }

    /** Free room in the receive buffer as configured, not counting the rounding slack. */
    private int receiveBudgetFree() {
        return Math.max(0, receiveBudget - receiveBuffer.size());
    }

    /**
     * Receive-buffer autotuning in the manner of Linux's tcp_rcv_space_adjust (dynamic right-sizing):
     * once per round-trip time, if the application read more than half the budget in that time, the
     * sender may double its window in the next one, so the budget grows to twice what was read, up
     * to maxReceiveBufferSize (and what the window field can say at our scale, RFC 7323 §2.3). The
     * ring grows with it (the only allocation, and only while growing); what was advertised never
     * shrinks, so in-window data is never trimmed.
     */
    private void autotuneReceiveBuffer(int read, long now) {
        // Under memory pressure buffers do not grow (Linux's tcp_rcv_space_adjust leaves sk_rcvbuf alone).
        if (!config.receiveBufferAutotuning() || !rtt.hasSample() || memory.underPressure()) return;
        if (rcvSpaceStart == NONE) {
            rcvSpaceStart = now;
            rcvSpaceCopied = 0;
        }
        rcvSpaceCopied += read;
        if (now - rcvSpaceStart < rtt.srtt()) return;
        long wanted = 2L * rcvSpaceCopied;
        rcvSpaceStart = now;
        rcvSpaceCopied = 0;
        long ceiling = Math.min(config.maxReceiveBufferSize(), (long) MAX_WINDOW_FIELD << rcvShift);
        if (wanted <= receiveBudget || receiveBudget >= ceiling) return;
        receiveBudget = (int) Math.min(wanted, ceiling);
        receiveBuffer.growTo(receiveBudget + windowRoundingSlack(config));
    }

    /** The current receive budget (autotuning included). */
    public int receiveBufferSize() { return receiveBudget; }

    /** Bytes a rounded-up scaled window may offer beyond the budget: 2^shift - 1 (RFC 7323 §2.3). */
    private static int windowRoundingSlack(TcpConfig config) {
        return config.windowScaling() ? (1 << Math.min(config.windowScale(), 14)) - 1 : 0;
    }

    private int swsThreshold() {
        return Math.max(1, Math.min(receiveBudget / 2, effectiveMss));
    }

    /**
     * After a read: a window update goes out when the window can grow by the SWS threshold
     * (RFC 9293 §3.8.6.2.2) and, as on Linux (tcp_cleanup_rbuf), at least doubles; smaller openings
     * ride on the next ACK, so that reading during a bulk transfer does not defeat delayed ACKs.
     */
    private void maybeSendWindowUpdate(long now) {
        boolean peerMaySend = state == TcpState.ESTABLISHED || state == TcpState.FIN_WAIT1 || state == TcpState.FIN_WAIT2;
        if (!peerMaySend) return;
        int current = Math.max(0, Seq.distance(rcvNxt, rcvIntendedEdge));
        int available = windowCeiling();
        if (available - current >= swsThreshold() && available >= 2 * current) sendAck(now);
    }

    /** RFC 9293 §3.10.7.4 first: the four cases of the acceptability test. */
    private boolean acceptable(TcpSegment seg, int rcvWnd) {
        int seq = seg.seq();
        int len = seg.sequenceLength();
        if (len == 0) {
            return rcvWnd == 0 ? seq == rcvNxt : Seq.inWindow(seq, rcvNxt, rcvNxt + rcvWnd);
        }
        if (rcvWnd == 0) {
            // Linux takes a bare FIN at RCV.NXT even when the window is closed.
            return seq == rcvNxt && seg.payloadLength() == 0 && seg.has(TcpFlags.FIN);
        }
        return Seq.inWindow(seq, rcvNxt, rcvNxt + rcvWnd) || Seq.inWindow(seq + len - 1, rcvNxt, rcvNxt + rcvWnd);
    }

    /**
     * RFC 7323 §4.3: TS.Recent follows the segment that covers Last.ACK.sent, and only forward; after
     * an idle time longer than the PAWS limit (§5.5: 24 days) TS.Recent is no longer valid and the
     * next such segment's value is taken whatever it is. Only a segment that gets as far as the ACK
     * processing with an ACK in SND.UNA..SND.MAX counts, as in Linux's tcp_ack: a segment dropped
     * before (a SYN, no ACK, an ACK of unsent or too old data) leaves TS.Recent alone, so that a
     * forged or stray segment cannot move the value our ACKs echo; neither does an ACK below SND.UNA.
     */
    private void updateTsRecent(TcpSegment seg, long now) {
        if (!timestampsOn || !seg.options().hasTimestamps()) return;
        int tsVal = seg.options().tsVal();
        if ((Seq.ge(tsVal, tsRecent) || !tsRecentValid(now)) && Seq.le(seg.seq(), lastAckSent)) {
            tsRecent = tsVal;
            tsRecentAt = now;
        }
    }

    /**
     * PAWS (RFC 7323 §5.3 R1) as Linux applies it (tcp_paws_discard): a segment whose TSval is older
     * than TS.Recent is an old duplicate, except by a single tick (TCP_PAWS_WINDOW), while TS.Recent
     * is valid (§5.5), and except a reordered pure duplicate ACK that changes nothing
     * (tcp_disordered_ack): at RCV.NXT, acknowledging SND.UNA, no window update, at most an RTO old.
     */
    private boolean pawsRejects(TcpSegment seg, long now) {
        if (!timestampsOn || !seg.options().hasTimestamps() || seg.has(TcpFlags.RST)) return false;
        int behind = tsRecent - seg.options().tsVal();
        if (behind <= PAWS_WINDOW_TICKS || !tsRecentValid(now)) return false;
        return !disorderedAck(seg, behind);
    }

    private boolean disorderedAck(TcpSegment seg, int ticksBehind) {
        if (!seg.has(TcpFlags.ACK) || seg.sequenceLength() != 0 || seg.seq() != rcvNxt || seg.ack() != sndUna) return false;
        int window = seg.window() << sndShift;
        boolean updatesWindow = Seq.gt(seg.seq(), sndWl1) || (seg.seq() == sndWl1 && window > sndWnd);
        return !updatesWindow && ticksBehind <= rtt.rto() / config.timestampTickNanos();
    }

    /** RFC 7323 §5.5: a TS.Recent older than the PAWS idle limit (24 days) is invalid; PAWS skips it. */
    private boolean tsRecentValid(long now) {
        return now - tsRecentAt <= config.pawsIdleLimitNanos();
    }

    // =====================================================================================
    // State helpers
    // =====================================================================================

    private void initSendSequence(int iss) {
        this.iss = iss;
        sndUna = iss;
        sndNxt = iss;
        sndMax = iss;
        sendBufferSeq = iss + 1;
        smallSegmentEnd = iss;
        lastSegmentStart = iss;
        recoveryPoint = iss;
        roundEnd = iss;
        highRxt = iss;
    }

    /** Options of the peer's SYN or SYN-ACK against ours (RFC 7323 §2.2, §3.2; RFC 2018 §2; RFC 9293 §3.7.1). */
    private void negotiate(TcpOptions peer) {
        // As Linux's tcp_parse_options, an MSS option of 0 counts as none.
        negotiate(peer.hasTimestamps(), peer.sackPermittedPresent(), peer.hasWindowScale(), peer.windowScale(),
                peer.hasMss() && peer.mss() > 0 ? peer.mss() : config.defaultPeerMss(), peer.tsVal());
    }

    /** What the peer offered (timestamps, SACK, window scale and shift, MSS, TSval) against ours. */
    private void negotiate(boolean peerTs, boolean peerSack, boolean peerWs, int peerShift, int peerMss, int peerTsVal) {
        timestampsOn = config.timestamps() && peerTs;
        sackOn = config.sack() && peerSack;
        boolean ws = config.windowScaling() && peerWs;
        windowScalingOn = ws;
        sndShift = ws ? Math.min(peerShift, MAX_WINDOW_SHIFT) : 0;
        rcvShift = ws ? config.windowScale() : 0;
        this.peerMss = peerMss;
        effectiveMss = sendMss(peerMss);
        if (timestampsOn) tsRecent = peerTsVal;
        congestion = CongestionControl.create(config, effectiveMss);
        rack = sackOn && config.rack() ? new Rack(config, effectiveMss) : null;
    }

    /**
     * The payload of a full-sized segment for a peer announcing {@code peerMss} (RFC 9293 §3.7.1,
     * RFC 6691): the smaller of its MSS and ours, never below {@link TcpConfig#minSendMss()}, less
     * the timestamps option when agreed. The floor applies before the option is taken off, as in
     * Linux's tcp_mtu_to_mss (tcp_min_snd_mss, then the fixed options).
     */
    private int sendMss(int peerMss) {
        int mss = Math.max(Math.min(peerMss, advMss()), config.minSendMss());
        return mss - (timestampsOn ? TIMESTAMP_OPTION_SPACE : 0);
    }

    private void queueFin(String cause, long now) {
        switch (state) {
            case SYN_RECV, ESTABLISHED, CLOSE_WAIT -> {
                finQueued = true;
                finSeq = dataEnd();
                TcpState from = state;
                setState(from == TcpState.CLOSE_WAIT ? TcpState.LAST_ACK : TcpState.FIN_WAIT1, cause, now);
                if (from == TcpState.SYN_RECV) {
                    // RFC 9293 §3.10.4: with nothing queued, the FIN goes now, even before our SYN is ACKed.
                    if (sendBuffer.isEmpty()) sendData(sndNxt, 0, true, false, now);
                } else {
                    transmitPending(now);
                }
            }
            default -> { } // already closing
        }
    }

    private void armFinWait2Timer(long now) {
        // Linux's orphan timeout: after close() nobody will read, so FIN_WAIT2 must not last forever.
        finWait2At = now + config.finWait2TimeoutNanos();
    }

    private void enterTimeWait(String cause, long now) {
        retransmitAt = NONE;
        probeAt = NONE;
        reorderAt = NONE;
        persistAt = NONE;
        finWait2At = NONE;
        delayedAckAt = NONE;
        keepaliveAt = NONE;
        timeWait = new TimeWaitRecord(config, tuple, sndMax, rcvNxt, timestampsOn, tsRecent,
                now + config.timeWaitNanos(), ackLimiter);
        setState(TcpState.TIME_WAIT, cause, now);
        releaseMemory();
    }

    private void resetAndClose(String cause, long now) {
        sendActiveReset(now);
        enterClosed(cause, now);
    }

    private void fail(TcpError err, String cause, long now) {
        if (error == null) error = err;
        sendBuffer.clear();
        enterClosed(cause, now);
    }

    private void enterClosed(String cause, long now) {
        cancelTimers();
        released = true;
        ackNow = false;
        releaseMemory();
        if (state != TcpState.CLOSED) setState(TcpState.CLOSED, cause, now);
        if (listener != null) listener.childReleased(this);
    }

    private void returnToListen(String cause, long now) {
        cancelTimers();
        released = true;
        ackNow = false;
        setState(TcpState.LISTEN, cause, now);
        if (listener != null) listener.childReleased(this);
    }

    /** TIME_WAIT and CLOSED send no more data: give the buffers back (the receive one once it is read). */
    private void releaseMemory() {
        sendBuffer.releaseIfEmpty();
        if (rack != null) rack.releaseMemory();
        receiveBuffer.releaseIfEmpty();
        payloadScratch = null;
    }

    private void cancelTimers() {
        probeAt = NONE;
        reorderAt = NONE;
        keepaliveAt = NONE;
        retransmitAt = NONE;
        persistAt = NONE;
        delayedAckAt = NONE;
        finWait2At = NONE;
    }

    private void setState(TcpState to, String cause, long now) {
        TcpState from = state;
        state = to;
        if (to == TcpState.ESTABLISHED && keepAlive) keepaliveAt = now + config.keepaliveIdleNanos();
        if (to == TcpState.ESTABLISHED) lastDataReceivedAt = now; // Linux starts lrcvtime at establishment
        output.stateChanged(this, from, to, cause, now);
    }

    private void dropped(TcpSegment seg, String reason, long now) {
        output.segmentDropped(this, seg, reason, now);
    }

    /**
     * Whether the flight used the congestion window, so that an ACK may grow it (RFC 7661 §4.1, RFC
     * 5681 §3.1's remark that cwnd should not grow when it is not used), as Linux's
     * tcp_is_cwnd_limited: a send in this round trip filled cwnd to within a segment, or, in slow
     * start, cwnd is below twice the round's largest flight. An application-limited sender keeps the
     * window it used.
     */
    private boolean cwndLimited() {
        if (roundCwndLimited) return true;
        long cwnd = congestion.cwnd();
        return cwnd < congestion.ssthresh() && cwnd < 2L * roundMaxFlight;
    }

    /** After a send: the round trip's record of cwnd use (Linux tcp_cwnd_validate). */
    private void noteCwndUse() {
        if (congestion == null) return;
        int flight = Seq.distance(sndUna, sndMax);
        boolean filled = (long) flight + effectiveMss > congestion.cwnd();
        if (Seq.ge(sndUna, roundEnd) || filled || (!roundCwndLimited && flight > roundMaxFlight)) {
            roundCwndLimited = filled;
            roundMaxFlight = flight;
            roundEnd = sndMax;
        }
    }

    /** A window computed in long arithmetic, as an int: never below 0 nor past Integer.MAX_VALUE. */
    private static int saturatedWindow(long bytes) {
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, bytes));
    }

    private boolean synAcked() {
        return opened && synAcknowledged;
    }

    private boolean finAcked() {
        return finQueued && Seq.gt(sndUna, finSeq);
    }

    private boolean canSendData() {
        if (released || !synAcked() || congestion == null) return false;
        return switch (state) {
            case ESTABLISHED, CLOSE_WAIT, FIN_WAIT1, CLOSING, LAST_ACK -> true;
            default -> false;
        };
    }

    private int dataEnd() {
        return sendBufferSeq + sendBuffer.size();
    }

    private int tsNow(long now) {
        return timestampClock(config, now);
    }

    /** Our timestamp clock (RFC 7323 §5.4): one tick per {@link TcpConfig#timestampTickNanos()}. */
    static int timestampClock(TcpConfig config, long now) {
        return (int) (now / config.timestampTickNanos());
    }

    /** The listener closed while this child was still in SYN_RECV: Linux frees it silently (reqsk_queue_destroy). */
    void dropEmbryo(String cause, long now) {
        settle();
        userClosed = true;
        writeShutdown = true;
        sendBuffer.clear();
        receiveBuffer.clear();
        enterClosed(cause, now);
        accountMemory();
        output.wakeup(this);
        output.callReturned(this);
    }

    void detachFromListener() {
        listener = null;
    }

    // =====================================================================================
    // Socket options and queries
    // =====================================================================================

    /** TCP_NODELAY: true turns Nagle's algorithm off (and sends what Nagle was holding back). */
    public void setNoDelay(boolean noDelay) {
        this.noDelay = noDelay;
    }

    /**
     * SO_KEEPALIVE (RFC 1122 §4.2.3.6, Linux timing from TcpConfig: idle, interval, probes). Turning
     * it on in a synchronized state arms the timer one idle period from now; it is re-armed whenever
     * the connection becomes ESTABLISHED.
     */
    public void setKeepAlive(boolean on, long now) {
        settle();
        keepAlive = on;
        if (!on) {
            keepaliveAt = NONE;
        } else if (keepAliveApplies() && keepaliveAt == NONE) {
            keepaliveAt = now + config.keepaliveIdleNanos(); // Linux: a full idle period from the setsockopt
        }
        output.wakeup(this);
        output.callReturned(this);
    }

    /** TCP_NODELAY with an immediate push of what Nagle held back (Linux does this on setsockopt). */
    public void setNoDelay(boolean noDelay, long now) {
        settle();
        this.noDelay = noDelay;
        if (noDelay) {
            pushingAll = true; // even while corked, as Linux's TCP_NAGLE_PUSH
            try {
                transmitPending(now);
            } finally {
                pushingAll = false;
            }
        }
        output.wakeup(this);
        output.callReturned(this);
    }

    /**
     * TCP_CORK (Linux, tcp(7)): while on, segments shorter than the MSS are held back (full ones go);
     * turning it off sends what was held as Nagle's algorithm allows. Held data with nothing in
     * flight goes when the persist timer fires (about an RTO, at least 200 ms: tcp(7)'s ceiling),
     * as Linux's probe timer sends it (tcp_write_wakeup); a FIN pushes it out with itself.
     */
    public void setCork(boolean on, long now) {
        settle();
        corked = on;
        if (!on) transmitPending(now);
        output.wakeup(this);
        output.callReturned(this);
    }

    public boolean isCorked() { return corked; }

    public TcpState state() { return timeWaitEnded() ? TcpState.CLOSED : state; }
    public FourTuple tuple() { return tuple; }
    /** The listener that created this connection while it waits in its queues; null once accepted or for an active open. */
    public Listener listener() { return listener; }
    /** Bytes of the arrays this connection's buffers hold now (its send buffer's pieces and spares, its receive ring). */
    public long bufferStorage() { return sendBuffer.storage() + receiveBuffer.storage(); }
    /** Bytes readable now without blocking. */
    public int available() { return receiveBuffer.size(); }
    /** Received bytes taken over by reference from a sender in the same memory rather than copied (for tests). */
    long bytesBorrowed() { return receiveBuffer.borrowedTotal(); }
    /** What a write may take now: the send buffer's free room, within the stack's memory ({@link MemoryBudget}). */
    public int sendSpace() {
        return sendBuffer.room(memory.storageLimit(sendBuffer.storage(), unchargedMemory(), MemoryBudget.MIN_SEND));
    }

    /** True when read() would not return 0: data, end-of-stream, or an error to report. */
    public boolean isReadable() {
        return readShutdown || userClosed || !receiveBuffer.isEmpty() || finReceived || error != null || isReleased();
    }

    /**
     * True when the socket is writable as Linux's tcp_poll reports POLLOUT: room in the buffer and
     * fewer unsent bytes than half the low-water mark ({@link #setNotsentLowat}), or an
     * error/shutdown to report. A write then does not return 0.
     */
    public boolean isWritable() {
        if (error != null || writeShutdown || userClosed || isReleased()) return true;
        return switch (state) {
            case SYN_SENT, SYN_RECV, ESTABLISHED, CLOSE_WAIT -> sendSpace() > 0 && belowLowWater(1);
            default -> true;
        };
    }

    /** True once the handshake completed (ESTABLISHED or later), or an error ended the attempt. */
    public boolean isConnectDone() {
        return state().isSynchronized() || error != null || isReleased();
    }

    /** The error that ended the connection, or null. */
    public TcpError error() { return error; }
    /** All bytes written have been acknowledged (used by SO_LINGER and by tests). */
    public boolean isSendBufferEmpty() { return sendBuffer.isEmpty(); }
    /** CLOSED and finished: the owner can forget it (remove from demux, free the port). */
    public boolean isReleased() { return released || timeWaitEnded(); }

    // ---- TIME_WAIT ----

    /** The record holding this connection's TIME_WAIT (from the moment it entered it), or null. */
    public TimeWaitRecord timeWaitRecord() { return timeWait; }

    /**
     * Lets go of the TIME_WAIT record so that the owner can keep only it (see {@link TimeWaitRecord}):
     * returns it, detached, or null when the connection cannot let it go yet. That is when it is not
     * in TIME_WAIT, or while its ACKs could still change: the user has data left to read (reading
     * opens the window they advertise), there are SACK blocks to report, or it still sits in its
     * listener's queues (its release must be reported there). Once the receive buffer is empty the
     * window is fixed (no data arrives in TIME_WAIT), so the ACKs the record builds are the ones
     * this connection would send. After this call the owner routes segments, timers and the
     * 4-tuple's release through the record; this connection only follows its state.
     */
    public TimeWaitRecord detachTimeWait() {
        settle();
        if (state != TcpState.TIME_WAIT || released || timeWait.isDetached()) return null;
        if (!receiveBuffer.isEmpty() || listener != null) return null;
        if (sackOn && (dsackPending || reassembly.recentCount() > 0)) return null;
        timeWait.detach(advertiseWindow());
        return timeWait;
    }

    /** Our ACK in TIME_WAIT, while the record is attached (the same segment as in any other state). */
    void sendTimeWaitAck(long now) {
        sendAck(now);
    }

    private boolean timeWaitEnded() {
        return timeWait != null && timeWait.isReleased();
    }

    /**
     * When the TIME_WAIT record ended (2MSL, a new SYN, an abort; it reported the state change), the
     * connection is CLOSED and released too. Called on entry to every operation, since a detached
     * record ends without telling its connection.
     */
    /**
     * Charges the stack's budget with what this connection holds now and counts it as an orphan or
     * not: called at the end of every call that can change either.
     */
    private void accountMemory() {
        chargeHeld();
        if (memory.underPressure() || userClosed || isReleased()) {
            reclaimIdleBuffers();
            chargeHeld();
        }
        boolean orphan = isOrphan();
        if (orphan != orphanCounted) {
            memory.orphanCount(orphan ? 1 : -1);
            orphanCounted = orphan;
        }
    }

    /** Charges the budget with the difference between what this connection holds and what it charged. */
    private void chargeHeld() {
        long held = memoryHeld();
        if (held != memoryCharged) {
            memory.charge(held - memoryCharged);
            memoryCharged = held;
        }
    }

    /**
     * Under memory pressure, and once the user closed the connection, an empty buffer gives its
     * arrays back (the send buffer's spare pieces, the receive ring), as Linux's sk_mem_reclaim
     * returns a socket's reserve: the budget charges arrays, and idle connections must not keep
     * the arrays a burst left behind. The receive ring stays while out-of-order bytes wait in its
     * free region.
     */
    private void reclaimIdleBuffers() {
        if (sendBuffer.isEmpty()) sendBuffer.releaseIfEmpty();
        if (reassembly.isEmpty()) receiveBuffer.releaseIfEmpty();
    }

    /**
     * The memory this connection's buffers take, as Linux charges an skb's truesize rather than its
     * payload: each side's arrays, or its bytes where those are more (borrowed bytes live in a
     * lender's arrays, and count as if they were copied).
     */
    private long memoryHeld() {
        return Math.max(sendBuffer.size(), sendBuffer.storage()) + receiveHeld();
    }

    /** The receive side's share of {@link #memoryHeld}: unread and out-of-order bytes, or the ring's array. */
    private long receiveHeld() {
        return Math.max((long) receiveBuffer.size() + reassembly.bytes(), receiveBuffer.storage());
    }

    /** What this connection holds beyond what it has charged so far (within the call in progress). */
    private long unchargedMemory() {
        return memoryHeld() - memoryCharged;
    }

    /** Closed by the user, still holding a state that retransmits or waits for the peer (tcp_orphan_count). */
    private boolean isOrphan() {
        if (!userClosed || released) return false;
        return switch (state) {
            case FIN_WAIT1, FIN_WAIT2, CLOSING, LAST_ACK -> true;
            default -> false;
        };
    }

    /**
     * As Linux's tcp_out_of_resources on an orphan's retransmission or probe timer: with too many
     * orphans (counted {@code 2^backoff} times over: one that keeps backing off goes first) or too
     * little memory, the orphan is reset and freed. Returns true when it was.
     */
    private boolean orphanOutOfResources(int backoff, long now) {
        if (!isOrphan() || !memory.orphanOutOfResources(0, backoff, sendBuffer.size())) return false;
        abortOnMemory(now);
        return true;
    }

    /** As Linux's tcp_check_oom found: the orphan is reset and freed (TCPAbortOnMemory). */
    private void abortOnMemory(long now) {
        memory.countAbortOnMemory();
        sendBuffer.clear();
        receiveBuffer.clear();
        resetAndClose("out of memory: too many orphaned connections", now);
    }

    private void settle() {
        if (released || !timeWaitEnded()) return;
        state = TcpState.CLOSED;
        released = true;
        ackNow = false;
        cancelTimers();
        releaseMemory();
        if (listener != null) listener.childReleased(this);
    }

    // ---- read-only views for tests and traces ----

    /** The effective send MSS (payload bytes per segment). */
    public int effectiveMss() { return effectiveMss; }
    /** The current congestion window in bytes (0 before the handshake). */
    public int congestionWindow() { return congestion == null ? 0 : congestion.cwnd(); }
    /** The current retransmission timeout, backoff included. */
    public long retransmissionTimeoutNanos() { return rtt.rto(); }
    /** The peer's window in bytes (scaled). */
    public int sendWindow() { return sndWnd; }
    public boolean timestampsEnabled() { return timestampsOn; }
    public boolean sackEnabled() { return sackOn; }

    @Override
    public String toString() {
        return "Connection[" + tuple + " " + state() + "]";
    }

    /**
     * SO_SNDBUF: the send buffer holds at most {@code bytes} from now on (bytes already written
     * stay). The caller applies the socket layer's rules (Linux doubles the value it is given).
     */
    public void setSendBufferSize(int bytes, long now) {
        settle();
        sendBuffer.resize(bytes);
        output.wakeup(this);
        output.callReturned(this);
    }

    /** The send buffer's capacity in bytes. */
    public int sendBufferSize() { return sendBuffer.capacity(); }

    // ---- TCP_INFO ----

    /** Segments retransmitted (SYNs included) and data bytes among them, over the connection's life. */
    private long totalRetrans;
    private long bytesRetrans;
    /** When in-order data last arrived, or when the connection was established; NONE before. */
    private long lastDataReceivedAt = NONE;

    /** getsockopt(TCP_INFO) as Linux reports it, for the fields synack has (see {@link TcpInfo}). */
    public TcpInfo tcpInfo(long now) {
        settle();
        int mss = Math.max(1, effectiveMss > 0 ? effectiveMss : config.mss());
        int ssthresh = congestion == null || congestion.ssthresh() == Integer.MAX_VALUE
                ? TcpInfo.INFINITE_SSTHRESH : congestion.ssthresh() / mss;
        int cwnd = congestion == null ? config.initialCwndSegments() : congestion.cwnd() / mss;
        long rttVar = rtt.hasSample() ? rtt.rttvar() : config.initialRtoNanos() / 4;
        int notSent = Math.max(0, Seq.distance(sndMax, dataEnd()));
        long sinceData = lastDataReceivedAt == NONE ? 0 : (now - lastDataReceivedAt) / 1_000_000;
        return new TcpInfo(state(), caState(), retries, rtt.backoffCount(), timestampsOn, sackOn, windowScalingOn,
                windowScalingOn ? sndShift : 0, windowScalingOn ? rcvShift : 0, rtt.rto() / 1000, effectiveMss, advMss(),
                config.mss() + IPV4_TCP_HEADERS, rtt.srtt() / 1000, rttVar / 1000, ssthresh, cwnd, config.dupThresh(),
                totalRetrans, bytesRetrans, notSent, sndWnd, sinceData, packets(),
                chronoMicros(CHRONO_BUSY, now) + chronoMicros(CHRONO_RWND, now) + chronoMicros(CHRONO_SNDBUF, now),
                chronoMicros(CHRONO_RWND, now));
    }

    /** Linux's packet counts, which only RACK's per-segment records can give. */
    private TcpInfo.Packets packets() {
        if (rack == null) return null;
        return new TcpInfo.Packets(rack.packetsOut(), rack.sackedPackets(), rack.lostPackets(), rack.retransOutPackets());
    }

    /** IPv4 and TCP headers without options: the MTU is the MSS plus these 40 bytes (RFC 9293 §3.7.1). */
    private static final int IPV4_TCP_HEADERS = 40;

    /**
     * Linux's tcpi_ca_state from the engine's recovery state: LOSS from a timeout until what was
     * outstanding then is acknowledged (the recovery point of a timeout lies beyond SND.UNA outside
     * fast recovery), RECOVERY in fast recovery, DISORDER while duplicate ACKs or SACKed data are
     * pending, else OPEN. synack has no ECN, so never CWR.
     */
    private TcpInfo.CaState caState() {
        if (inRecovery) return TcpInfo.CaState.RECOVERY;
        if (synAcked() && Seq.lt(sndUna, recoveryPoint)) return TcpInfo.CaState.LOSS;
        if (dupAcks > 0 || !scoreboard.isEmpty()) return TcpInfo.CaState.DISORDER;
        return TcpInfo.CaState.OPEN;
    }

    // ---- TCP_NOTSENT_LOWAT ----

    /** TCP_NOTSENT_LOWAT as set on this connection; 0: the stack's default (net.ipv4.tcp_notsent_lowat). */
    private long notsentLowatOption;
    /** Where the newest block of unsent data written began (Linux's tail skb), for {@link #writeBelowLowWater}. */
    private int unsentBlockStart;

    /**
     * TCP_NOTSENT_LOWAT (Linux 3.12): the connection counts as writable only while the bytes
     * written but not yet sent stay below this mark, so that a writer does not queue more than the
     * network takes soon. 0 restores the stack's default ({@link TcpConfig#notsentLowat()}).
     */
    public void setNotsentLowat(long bytes, long now) {
        if (bytes < 0 || bytes > TcpConfig.NOTSENT_LOWAT_UNLIMITED) {
            throw new IllegalArgumentException("low-water mark must be 0.." + TcpConfig.NOTSENT_LOWAT_UNLIMITED + ", got " + bytes);
        }
        settle();
        notsentLowatOption = bytes;
        output.wakeup(this); // a higher mark may make the connection writable now (Linux: sk_write_space)
        output.callReturned(this);
    }

    /** TCP_NOTSENT_LOWAT as set (0 when never set: the stack's default applies). */
    public long notsentLowatOption() { return notsentLowatOption; }

    /** The low-water mark in force, as Linux's tcp_notsent_lowat(). */
    private long notsentLowat() { return notsentLowatOption != 0 ? notsentLowatOption : config.notsentLowat(); }

    /** Bytes written but never sent yet (Linux's write_seq - snd_nxt). */
    public int unsentBytes() { return Math.max(0, Seq.distance(sndMax, dataEnd())); }

    /**
     * Linux's tcp_stream_memory_free: unsent bytes, doubled when {@code wake} is 1 (for poll and
     * wake-ups, so that a writer is woken only once half the mark is free), stay below the mark.
     */
    private boolean belowLowWater(int wake) {
        return ((long) unsentBytes() << wake) < notsentLowat();
    }

    /** A mark smaller than the send buffer can stop a write before the buffer fills. */
    private boolean lowWaterMarkLimits() {
        return notsentLowat() < sendBuffer.capacity() && state.isSynchronized() && effectiveMss > 0;
    }

    /**
     * A write under a low-water mark, cut as Linux's tcp_sendmsg_locked cuts it: data goes into
     * blocks of the TSO size goal ({@link #sizeGoalSegments}); the block being filled takes
     * bytes until it is full, but a new block starts only while the unsent bytes are below the
     * mark (sk_stream_memory_free). A full block is offered to the network at once (tcp_push_one),
     * so that what leaves no longer counts as unsent.
     */
    private int writeBelowLowWater(ByteBuffer src, long now) {
        int total = 0;
        int limit = src.limit();
        try {
            while (src.hasRemaining()) {
                int goal = sizeGoalSegments() * effectiveMss;
                int unsent = unsentBytes();
                int end = dataEnd();
                int blockStart = Seq.gt(unsentBlockStart, sndMax) && Seq.le(unsentBlockStart, end) ? unsentBlockStart : sndMax;
                int filled = unsent > 0 ? Seq.distance(blockStart, end) : goal;
                if (filled >= goal) {
                    if (!belowLowWater(0)) break;
                    unsentBlockStart = end;
                    filled = 0;
                }
                src.limit(src.position() + Math.min(src.remaining(), goal - filled));
                int n = bufferWrite(src);
                src.limit(limit);
                if (n == 0) break;
                total += n;
                if (filled + n == goal) transmitPending(now);
            }
        } finally {
            src.limit(limit);
        }
        return total;
    }

    // ---- TCP_MAXSEG ----

    /** Linux's smallest TCP_MAXSEG (TCP_MIN_MSS) and its largest (MAX_TCP_WINDOW). */
    public static final int MIN_USER_MSS = 88, MAX_USER_MSS = 32767;
    /** TCP_MAXSEG as set (Linux's user_mss); 0: none. */
    private int userMss;

    /**
     * TCP_MAXSEG (Linux's user_mss): caps the MSS announced in the SYN or SYN-ACK and the segments
     * sent, whatever the peer announces (RFC 9293 §3.7.1 lets a sender use less). It takes effect at
     * the handshake: set it before connect() (or on the listener, {@link Listener#setUserMss}). 0
     * removes the cap.
     * @throws IllegalArgumentException outside 0 and {@value #MIN_USER_MSS}..{@value #MAX_USER_MSS} (Linux: EINVAL)
     */
    public void setUserMss(int mss) {
        userMss = checkUserMss(mss);
    }

    /** TCP_MAXSEG as set, 0 when none. */
    public int userMss() { return userMss; }

    /** {@code mss}, when a valid TCP_MAXSEG value; else IllegalArgumentException. */
    public static int checkUserMss(int mss) {
        if (mss != 0 && (mss < MIN_USER_MSS || mss > MAX_USER_MSS)) {
            throw new IllegalArgumentException("TCP_MAXSEG must be 0 or " + MIN_USER_MSS + ".." + MAX_USER_MSS + ", got " + mss);
        }
        return mss;
    }

    /** The MSS announced in our SYN or SYN-ACK (Linux's advmss): the configured one, capped by TCP_MAXSEG. */
    private int advMss() { return advMss(config, userMss); }

    private static int advMss(TcpConfig config, int userMss) { return userMss > 0 ? Math.min(config.mss(), userMss) : config.mss(); }

    // ---- TCP_USER_TIMEOUT ----

    /** TCP_USER_TIMEOUT (RFC 5482) in nanoseconds; 0: none, the retry count decides. */
    private long userTimeoutNanos;
    /** When the oldest unacknowledged data was first retransmitted by the timer (Linux's retrans_stamp). */
    private long firstRetransmitAt = NONE;
    /** When the persist timer first probed the current zero window (Linux's icsk_probes_tstamp); NONE before. */
    private long zeroWindowProbingSince = NONE;

    /**
     * TCP_USER_TIMEOUT (RFC 5482 §3, as Linux applies it): once data sent has waited unacknowledged
     * this long since its first retransmission, or the peer's window has stayed closed this long
     * under zero-window probes, the connection fails with CONNECTION_TIMED_OUT (ETIMEDOUT) instead
     * of after the configured retry count; the retransmission timer is shortened so as to fire at
     * that moment (tcp_clamp_rto_to_user_timeout). 0 restores the retry count. Linux 6.x does not
     * apply it to the handshake's SYN retries.
     */
    public void setUserTimeout(long nanos) {
        if (nanos < 0) throw new IllegalArgumentException("user timeout must not be negative, got " + nanos);
        settle();
        userTimeoutNanos = nanos;
    }

    /** TCP_USER_TIMEOUT in nanoseconds, 0 when not set. */
    public long userTimeoutNanos() { return userTimeoutNanos; }

    /** Linux's retransmits_timed_out with a user timeout: only after a retransmission, measured from the first. */
    private boolean userTimeoutExpired(long now) {
        return retries > 0 && firstRetransmitAt != NONE && now - firstRetransmitAt >= userTimeoutNanos;
    }

    /** tcp_clamp_rto_to_user_timeout: the timer fires no later than the user timeout, at least a tick (1 ms) ahead. */
    private void clampRetransmitToUserTimeout(long now) {
        if (userTimeoutNanos == 0 || retransmitAt == NONE || firstRetransmitAt == NONE) return;
        long remaining = firstRetransmitAt + userTimeoutNanos - now;
        retransmitAt = Math.min(retransmitAt, now + Math.max(remaining, 1_000_000L));
    }

    /** tcp_probe_timer: the first probe of a closed window starts the clock, a later one past the user timeout aborts. */
    private boolean zeroWindowProbesTimedOut(long now) {
        if (zeroWindowProbingSince == NONE) {
            zeroWindowProbingSince = now;
            return false;
        }
        return userTimeoutNanos > 0 && now - zeroWindowProbingSince >= userTimeoutNanos;
    }

    // ---- Linux's chronographs (tcpi_busy_time, tcpi_rwnd_limited) ----

    /**
     * Linux's tcp_chrono kinds, by rising priority; 0: none running. The send-buffer one is never
     * started: Linux starts it from its cwnd validation once a writer found the buffer full, which
     * depends on its sk_buff accounting (tcpi_sndbuf_limited is not reported).
     */
    private static final int CHRONO_BUSY = 1, CHRONO_RWND = 2, CHRONO_SNDBUF = 3;
    /** The chronograph running now (0: none) and since when. */
    private int chronoType;
    private long chronoSince;
    /** Nanoseconds accumulated by each kind, indexed by kind - 1. */
    private final long[] chronoTotals = new long[3];

    /** tcp_chrono_start: a more interesting condition takes over the running chronograph. */
    private void chronoStart(int type, long now) {
        if (type > chronoType) chronoSet(type, now);
    }

    /**
     * tcp_chrono_stop: with nothing left to send or acknowledge every chronograph stops; else, if
     * {@code type} was the one running, the connection is simply busy again.
     */
    private void chronoStop(int type, long now) {
        if (sendBuffer.isEmpty()) chronoSet(0, now);
        else if (type == chronoType) chronoSet(CHRONO_BUSY, now);
    }

    private void chronoSet(int type, long now) {
        if (chronoType != 0) chronoTotals[chronoType - 1] += now - chronoSince;
        chronoSince = now;
        chronoType = type;
    }

    /** The time {@code type} has run, the running period included, in microseconds (as tcp_get_info_chrono_stats). */
    private long chronoMicros(int type, long now) {
        long total = chronoTotals[type - 1] + (type == chronoType ? now - chronoSince : 0);
        return total / 1000;
    }

    /**
     * The end of Linux's tcp_write_xmit: limited by the peer's window when data waits, cwnd would let
     * the next segment go, and that segment (an MSS at most) does not fit in the window
     * (tcp_snd_wnd_test); otherwise that chronograph stops.
     */
    private void updateRwndLimited(long now) {
        int unsent = Seq.distance(sndNxt, dataEnd());
        int flight = Seq.distance(sndUna, sndNxt);
        boolean limited = unsent > 0 && congestion != null && flight < congestion.cwnd()
                && (long) flight + Math.min(unsent, effectiveMss) > sndWnd;
        if (limited) chronoStart(CHRONO_RWND, now);
        else chronoStop(CHRONO_RWND, now);
    }
}
