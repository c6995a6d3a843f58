package dev.synack.tcp;

import dev.synack.wire.TcpOptions;

/**
 * Loss recovery with SACK (RFC 6675): the scoreboard of what the peer SACKed ({@link
 * SackScoreboard}, RFC 2018), IsLost with DupThresh, pipe, and NextSeg() rules 1-3 while cwnd - pipe
 * allows (no rescue retransmission). After a timeout, what the peer SACKed since is not sent again
 * (RFC 6675 §5.1); the scoreboard starts afresh, since the receiver may have discarded SACKed data
 * (RFC 2018 §8).
 */
class SackRecovery extends LossRecovery {
    final SackScoreboard scoreboard;
    /** The ACK being processed SACKed data for the first time. */
    boolean sackNews;

    SackRecovery(Connection c) {
        super(c);
        this.scoreboard = new SackScoreboard(c.config.maxOutOfOrderRanges());
    }

    @Override
    void ackArriving(TcpOptions opts, int ack, long now) {
        super.ackArriving(opts, ack, now);
        sackNews = opts.sackBlockCount() > 0 && scoreboard.update(opts, ack, c.sndUna, c.sndMax);
    }

    @Override
    void acknowledged(int ack, boolean endsRecovery) {
        super.acknowledged(ack, endsRecovery);
        scoreboard.advance(ack);
    }

    /** RFC 6675 §5 step 4: SACK information alone may already show SND.UNA's segment lost. */
    @Override
    void detectLoss(TcpOptions opts, int ack, long now) {
        if (!inRecovery && c.sndUna != c.sndMax && c.synAcked() && canStartRecovery()
                && !scoreboard.isEmpty() && scoreboard.holeBelowIsLost(0, c.config.dupThresh(), c.effectiveMss)) {
            enterRecovery(now);
        }
    }

    @Override
    boolean newLossMarked(boolean unaAdvanced) {
        return sackNews;
    }

    @Override
    long sackedBytes() {
        return scoreboard.sackedBelow(c.sndMax);
    }

    /** RFC 6675's pipe, with DupThresh's IsLost. */
    @Override
    long pipe() {
        return scoreboard.pipe(c.sndUna, c.sndMax, highRxt, c.config.dupThresh(), c.effectiveMss);
    }

    /** The segment at SND.UNA goes again; the pipe estimate replaces NewReno's inflation (RFC 6675 §5). */
    @Override
    void fastRetransmit(long now) {
        highRxt = c.sender.retransmit(c.sndUna, c.sndMax, now);
    }

    /**
     * RFC 6675 §5 step C: while cwnd - pipe >= 1 SMSS, send what NextSeg() names: a lost hole (rule
     * 1), else new data (rule 2), else a hole below the highest SACKed byte (rule 3). The rescue
     * retransmission of rule 4 is not done.
     */
    @Override
    boolean transmitInRecovery(long now) {
        int dupThresh = c.config.dupThresh();
        while (true) {
            if (c.congestion.cwnd() - pipe() < c.effectiveMss) break;
            int holeEnd = scoreboard.nextHole(c.sndUna, highRxt, true, dupThresh, c.effectiveMss);
            if (Seq.lt(scoreboard.foundStart, holeEnd)) {
                if (!retransmitHole(scoreboard.foundStart, holeEnd, now)) break;
                continue;
            }
            if (c.sender.sendNewSegment(false, now)) continue;
            holeEnd = scoreboard.nextHole(c.sndUna, highRxt, false, dupThresh, c.effectiveMss);
            if (Seq.lt(scoreboard.foundStart, holeEnd)) {
                if (!retransmitHole(scoreboard.foundStart, holeEnd, now)) break;
                continue;
            }
            break;
        }
        return true;
    }

    /** Retransmits from a hole and moves HighRxt past it; false when nothing could be sent (no progress). */
    private boolean retransmitHole(int from, int holeEnd, long now) {
        int end = c.sender.retransmit(from, holeEnd, now);
        if (!Seq.gt(end, from)) return false;
        highRxt = Seq.max(highRxt, end);
        return true;
    }

    @Override
    void timedOut() {
        super.timedOut();
        scoreboard.clear();
    }

    @Override
    boolean isSacked(int seq) {
        return scoreboard.isSacked(seq);
    }

    @Override
    int skipSacked(int seq) {
        return scoreboard.skipSacked(seq);
    }

    @Override
    int sackedBelow(int end) {
        return scoreboard.isEmpty() ? 0 : scoreboard.sackedBelow(end);
    }

    @Override
    boolean hasSacked() {
        return !scoreboard.isEmpty();
    }
}
