package dev.synack.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.wire.IpAddress;
import dev.synack.wire.TcpSegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Two active opens whose SYNs cross (RFC 9293 §3.5 figure 8), then two closes whose FINs cross
 * (§3.6 figure 13), between two real engines over a fixed-delay path.
 */
class SimultaneousLoopbackTest {
    static final int A = 0x0a000001;
    static final int B = 0x0a000002;
    static final long DELAY = 5_000_000L;

    record InFlight(long at, int destination, TcpSegment segment) {}

    final List<InFlight> inFlight = new ArrayList<>();
    final List<String> aStates = new ArrayList<>();
    final List<String> bStates = new ArrayList<>();
    long now;
    Connection a;
    Connection b;

    final class Output implements TcpOutput {
        final List<String> states;

        Output(List<String> states) {
            this.states = states;
        }

        @Override public void send(IpAddress src, IpAddress dst, TcpSegment s, long at) { inFlight.add(new InFlight(at + DELAY, dst.ipv4(), s.copy())); }
        @Override public void stateChanged(Connection c, TcpState from, TcpState to, String cause, long at) { states.add(to.name()); }
        @Override public void timerFired(Connection c, String timer, long at) { }
        @Override public void segmentDropped(Connection c, TcpSegment s, String reason, long at) { }
        @Override public void wakeup(Connection c) { }
    }

    void runUntil(long end) {
        while (true) {
            InFlight next = inFlight.stream().min((x, y) -> Long.compare(x.at(), y.at())).orElse(null);
            long timer = Math.min(a.nextDeadline(), b.nextDeadline());
            if ((next == null || next.at() > end) && timer > end) break;
            if (next != null && next.at() <= timer) {
                inFlight.remove(next);
                now = next.at();
                (next.destination() == A ? a : b).segmentArrived(next.segment(), now);
            } else {
                now = timer;
                if (a.nextDeadline() <= now) a.deadlineReached(now);
                if (b.nextDeadline() <= now) b.deadlineReached(now);
            }
        }
        now = Math.max(now, end);
    }

    @Test
    void crossingSynsThenCrossingFins() {
        TcpConfig config = TcpConfig.linux();
        a = Connection.active(config, new FourTuple(A, 5000, B, 6000), IsnGenerator.fixed(100), new Output(aStates));
        b = Connection.active(config, new FourTuple(B, 6000, A, 5000), IsnGenerator.fixed(90_000), new Output(bStates));
        a.connect(now);
        b.connect(now);
        runUntil(100_000_000L);
        assertThat(a.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(b.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(aStates).containsExactly("SYN_SENT", "SYN_RECV", "ESTABLISHED");
        assertThat(bStates).containsExactly("SYN_SENT", "SYN_RECV", "ESTABLISHED");

        a.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), now);
        b.write(ByteBuffer.wrap(new byte[] {4, 5}), now);
        runUntil(now + 100_000_000L);
        ByteBuffer got = ByteBuffer.allocate(10);
        assertThat(b.read(got, now)).isEqualTo(3);
        assertThat(a.read(ByteBuffer.allocate(10), now)).isEqualTo(2);

        a.close(now);
        b.close(now);
        runUntil(now + 100_000_000L);
        assertThat(aStates).containsSubsequence("FIN_WAIT1", "CLOSING", "TIME_WAIT");
        assertThat(bStates).containsSubsequence("FIN_WAIT1", "CLOSING", "TIME_WAIT");
        runUntil(now + config.timeWaitNanos());
        assertThat(a.isReleased()).isTrue();
        assertThat(b.isReleased()).isTrue();
        assertThat(a.error()).isNull();
        assertThat(b.error()).isNull();
    }
}
