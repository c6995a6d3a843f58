package dev.synack.stack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.tcp.Connection;
import dev.synack.tcp.Rfc6528IsnGenerator;
import dev.synack.tcp.TcpConfig;
import dev.synack.wire.Ipv4Address;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The real-time loop and the hooks a link that delivers on the caller's thread relies on. */
@Timeout(60)
class NetStackLoopTest {
    private static final TcpConfig FAST_RTO = TcpConfig.linux().toBuilder()
            .initialRto(Duration.ofMillis(20)).minRto(Duration.ofMillis(20)).build();

    /** A link that loses everything, counts what it is given and the releases it is told about. */
    private static final class CountingLink implements PacketTransmitter {
        final AtomicInteger sent = new AtomicInteger();
        final AtomicInteger releases = new AtomicInteger();
        final boolean carrying;

        CountingLink(boolean carrying) {
            this.carrying = carrying;
        }

        @Override
        public void transmit(NetStack from, ByteBuffer packet) {
            sent.incrementAndGet();
        }

        @Override
        public void lockReleased(NetStack from) {
            assertThat(from.lockHoldCount()).isZero();
            releases.incrementAndGet();
        }

        @Override
        public boolean isCarrying(NetStack stack) {
            return carrying;
        }
    }

    private static NetStack stack(PacketTransmitter link) {
        NetStack s = new NetStack("a", Ipv4Address.parse("10.0.0.1"), FAST_RTO, Clock.system(),
                Rfc6528IsnGenerator.withRandomKey(), 1);
        s.attach(link, null);
        return s;
    }

    @Test
    void onlyTheOutermostReleaseOfTheLockIsReportedToTheLink() {
        CountingLink link = new CountingLink(false);
        NetStack s = stack(link);
        int before = link.releases.get();
        s.lock();
        s.lock();
        s.unlock();
        assertThat(link.releases.get()).isEqualTo(before);
        s.unlock();
        assertThat(link.releases.get()).isEqualTo(before + 1);
    }

    @Test
    void timersStillFireWhenTheLinkSaysItIsAlwaysCarrying() throws Exception {
        // The loop holds due timers back while packets are on their way, but only for a moment:
        // with a link that never stops "carrying", the SYN must still be retransmitted.
        CountingLink link = new CountingLink(true);
        NetStack s = stack(link);
        s.start();
        try {
            Connection c = s.connect(0, Ipv4Address.parse("10.0.0.2"), 80);
            assertThat(c).isNotNull();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (link.sent.get() < 3 && System.nanoTime() < deadline) Thread.sleep(5);
            assertThat(link.sent.get()).as("SYN and its retransmissions").isGreaterThanOrEqualTo(3);
        } finally {
            s.close();
        }
    }
}
