package dev.synack.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Linux's chronographs in TCP_INFO: tcpi_busy_time and tcpi_rwnd_limited. */
class ChronoStatsTest {
    private static final int SND = EngineHarness.ISS + 1;
    private static final int RCV = EngineHarness.PEER_ISS + 1;

    @Test
    void busyTimeRunsFromTheWriteUntilAllIsAcknowledged() {
        EngineHarness h = EngineHarness.active(EngineHarness.plain()).establish(65535, 1000);
        h.advanceMillis(500);
        assertThat(h.conn.tcpInfo(h.now).busyMicros()).isZero();
        h.write(1000);
        h.advanceMillis(40);
        assertThat(h.conn.tcpInfo(h.now).busyMicros()).isEqualTo(40_000);
        h.in(".").seq(RCV).ack(SND + 1000).win(65535).deliver();
        h.advanceMillis(100);
        TcpInfo info = h.conn.tcpInfo(h.now);
        assertThat(info.busyMicros()).isEqualTo(40_000);
        assertThat(info.rwndLimitedMicros()).isZero();
    }

    @Test
    void aClosedWindowCountsAsReceiveWindowLimitedAndBusy() {
        EngineHarness h = EngineHarness.active(EngineHarness.plain()).establish(0, 1000);
        h.write(500);
        h.advanceMillis(120);
        assertThat(h.conn.tcpInfo(h.now).rwndLimitedMicros()).isEqualTo(120_000);
        h.in(".").seq(RCV).ack(SND).win(4000).deliver(); // the window opens: the data leaves
        h.advanceMillis(30);
        TcpInfo info = h.conn.tcpInfo(h.now);
        assertThat(info.rwndLimitedMicros()).isEqualTo(120_000);
        assertThat(info.busyMicros()).isEqualTo(150_000);
    }

    @Test
    void aCongestionWindowLimitIsNotAReceiveWindowLimit() {
        EngineHarness h = EngineHarness.active(EngineHarness.plain()).establish(65535, 1000);
        h.write(30_000); // cwnd (10 segments) holds most of it back, the window does not
        h.advanceMillis(50);
        assertThat(h.conn.tcpInfo(h.now).rwndLimitedMicros()).isZero();
    }
}
