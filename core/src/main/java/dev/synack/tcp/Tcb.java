package dev.synack.tcp;

/**
 * The transmission control block (RFC 9293 §3.2, §3.3.1) that every job of a {@link Connection}
 * reads: the connection's state and the user's calls that shaped it, the send and receive sequence
 * variables, what the handshake negotiated, the buffers, the RTT estimator and the congestion
 * window. The {@link Connection} is the TCB. Most jobs keep their variables in their own objects;
 * the jobs that are static methods keep their few here (an object per connection for a few fields
 * would cost more than the fields).
 */
abstract class Tcb {
    TcpState state = TcpState.CLOSED;
    boolean opened;
    boolean released;
    boolean userClosed;
    boolean readShutdown;
    boolean writeShutdown;
    TcpError error;

    // ---- send sequence variables (RFC 9293 §3.3.1) ----
    int iss;
    /**
     * Our SYN has been acknowledged (SND.UNA has moved past ISS). A flag, not {@code SND.UNA > ISS}:
     * that comparison turns false again once 2^31 bytes have been acknowledged (RFC 9293 §3.4 compares
     * only within half the sequence space), which would stop all sending after 2 GiB.
     */
    boolean synAcknowledged;
    int sndUna;
    int sndNxt;
    /** The highest sequence number sent so far; SND.NXT goes back to SND.UNA on a timeout (go-back-N). */
    int sndMax;
    /** The peer's window in bytes, scaled. */
    int sndWnd;
    int sndWl1;
    int sndWl2;
    /** The largest window the peer has offered (RFC 9293 §3.8.6.2.1, RFC 5961 §5.2). */
    int maxSndWnd;
    /** The peer's window scale: applied to the windows it sends (RFC 7323 §2.3). */
    int sndShift;
    final SendBuffer sendBuffer;
    /** Sequence number of the oldest byte in the send buffer. */
    int sendBufferSeq;
    boolean finQueued;
    /** Sequence number our FIN occupies, once queued. */
    int finSeq;

    // ---- receive sequence variables ----
    int irs;
    int rcvNxt;
    /** Our window scale: applied to the windows we send. */
    int rcvShift;
    final ReceiveQueue receiveBuffer;
    boolean peerSynSeen;
    boolean finReceived;

    // ---- negotiated options ----
    /** TCP_MAXSEG as set (Linux's user_mss); 0: none. */
    int userMss;
    boolean timestampsOn;
    boolean sackOn;
    boolean windowScalingOn;
    int peerMss;
    /** The largest payload we send: min(peer MSS, our MSS) minus the timestamps option when on. */
    int effectiveMss;
    int tsRecent;
    /** When TS.Recent was last set (RFC 7323 §5.5). */
    long tsRecentAt;
    /** Last.ACK.sent of RFC 7323 §4.3. */
    int lastAckSent;

    // ---- retransmission and congestion ----
    final RttEstimator rtt;
    CongestionControl congestion;
    /** The tail loss probe's episode ({@link TailLossProbe}, RFC 8985 §7.4): open from a probe until its answer. */
    final LossProbeEpisode probe = new LossProbeEpisode();
    /** TIME_WAIT's state and rules, from the moment the connection enters it (see {@link TimeWaitRecord}). */
    TimeWaitRecord timeWait;
    /** Explicit Congestion Notification's state ({@link Ecn}, RFC 3168). */
    final Ecn ecn = new Ecn();
    /** An ACK is due now: it goes out at the end of the segment's processing unless data took it along. */
    boolean ackNow;

    // ---- the retransmission timer's retry limits ({@link RetransmissionTimer}) ----
    /** TCP_USER_TIMEOUT (RFC 5482) in nanoseconds; 0: none, the retry count decides. */
    long userTimeoutNanos;
    /** Retransmissions by this timer since SND.UNA last advanced (of the SYN, before), for the retry limits. */
    int retries;
    /** When the oldest unacknowledged data was first retransmitted by the timer (Linux's retrans_stamp). */
    long firstRetransmitAt = Connection.NONE;

    // ---- ICMP errors ({@link IcmpErrors}) ----
    /** The error ICMP last reported while connected (Linux's sk_err_soft): a later timeout reports it. */
    TcpError softError;
    /** The path MTU ICMP reported (0: none, the link's MTU); {@link #pathMss} the segment it leaves (0: no limit). */
    int pathMtu;
    int pathMss;
    /** The longest data segment sent since nothing was last outstanding: whether a lower MSS leaves any in flight too long. */
    int longestInFlight;

    // ---- memory ({@link ConnectionMemory}) ----
    /** What this connection has charged to the stack's memory budget. */
    long memoryCharged;
    /** Whether the stack's memory budget counts this connection as an orphan. */
    boolean orphanCounted;
    /** TCP Fast Open (RFC 7413), only on a connection that uses it; else null. */
    FastOpen fastOpen;

    Tcb(TcpConfig config) {
        this.sendBuffer = new SendBuffer(config.sendBufferSize());
        this.receiveBuffer = new ReceiveQueue(config.receiveBufferSize() + ReceiveWindow.windowRoundingSlack(config));
        this.rtt = new RttEstimator(config);
    }

    /** Our SYN is acknowledged, in a connection that was opened. */
    boolean synAcked() {
        return opened && synAcknowledged;
    }

    /** The error a connection that times out fails with: an ICMP error reported meanwhile, else ETIMEDOUT (Linux's tcp_write_err). */
    TcpError timeoutError() {
        return softError != null ? softError : TcpError.CONNECTION_TIMED_OUT;
    }

    /** Our FIN is queued and acknowledged. */
    boolean finAcked() {
        return finQueued && Seq.gt(sndUna, finSeq);
    }

    /** Data may leave now: a synchronized state that sends, with a congestion window. */
    boolean canSendData() {
        if (released || congestion == null) return false;
        if (!synAcked()) return FastOpen.sendsBeforeAck(this);
        return switch (state) {
            case ESTABLISHED, CLOSE_WAIT, FIN_WAIT1, CLOSING, LAST_ACK -> true;
            default -> false;
        };
    }

    /** The sequence number after the last byte written. */
    int dataEnd() {
        return sendBufferSeq + sendBuffer.size();
    }
}
