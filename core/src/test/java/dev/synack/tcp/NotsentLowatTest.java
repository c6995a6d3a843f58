package dev.synack.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * TCP_NOTSENT_LOWAT as Linux applies it: writability (poll's POLLOUT) needs fewer than half the mark
 * unsent, and a write starts a new block of the TSO size goal only below the mark.
 */
class NotsentLowatTest {
    private static final int SND = EngineHarness.ISS + 1;

    /** Established with a 4000-byte peer window and MSS 1000: the size goal is half of it, 2000 bytes. */
    private static EngineHarness established() {
        return EngineHarness.active(EngineHarness.plain()).establish(4000, 1000);
    }

    @Test
    void withoutAMarkTheSendBufferAloneLimitsAWrite() {
        EngineHarness h = established();
        assertThat(h.write(20_000)).isEqualTo(20_000);
        assertThat(h.conn.unsentBytes()).isEqualTo(16_000);
        assertThat(h.conn.isWritable()).isTrue();
        assertThat(h.conn.notsentLowatOption()).isZero();
    }

    @Test
    void aWriteStopsStartingBlocksOnceTheUnsentBytesReachTheMark() {
        EngineHarness h = established();
        h.conn.setNotsentLowat(3000, h.now);
        // 4000 bytes leave (the window); two 2000-byte blocks wait, a third would start at 4000 unsent.
        assertThat(h.write(20_000)).isEqualTo(8000);
        assertThat(h.conn.unsentBytes()).isEqualTo(4000);
        assertThat(h.conn.isWritable()).as("4000 unsent, doubled, is not below 3000").isFalse();
        assertThat(h.write(1)).isZero();

        h.in(".").seq(EngineHarness.PEER_ISS + 1).ack(SND + 4000).win(4000).deliver();
        assertThat(h.conn.unsentBytes()).isZero();
        assertThat(h.conn.isWritable()).isTrue();
    }

    @Test
    void pollNeedsLessThanHalfTheMarkUnsent() {
        EngineHarness h = established();
        h.conn.setNotsentLowat(5000, h.now);
        assertThat(h.write(6000)).isEqualTo(6000); // 4000 leave, 2000 wait
        assertThat(h.conn.unsentBytes()).isEqualTo(2000);
        assertThat(h.conn.isWritable()).as("2 * 2000 < 5000").isTrue();
        h.conn.setNotsentLowat(4000, h.now);
        assertThat(h.conn.isWritable()).as("2 * 2000 is not below 4000").isFalse();
        h.conn.setNotsentLowat(0, h.now); // back to the stack's default: no mark
        assertThat(h.conn.isWritable()).isTrue();
    }

    @Test
    void theStackDefaultAppliesUntilTheSocketSetsItsOwn() {
        TcpConfig config = EngineHarness.plain().toBuilder().notsentLowat(3000).build();
        EngineHarness h = EngineHarness.active(config).establish(4000, 1000);
        assertThat(h.write(20_000)).isEqualTo(8000);
        assertThat(h.conn.notsentLowatOption()).isZero();
    }

    @Test
    void aMarkOutOfRangeIsRefused() {
        EngineHarness h = established();
        assertThatThrownBy(() -> h.conn.setNotsentLowat(-1, h.now)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EngineHarness.plain().toBuilder().notsentLowat(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
