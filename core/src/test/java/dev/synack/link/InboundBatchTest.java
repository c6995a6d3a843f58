package dev.synack.link;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class InboundBatchTest {
    private static MemorySegment packet(Arena arena, int length, int fill) {
        MemorySegment s = arena.allocate(length);
        s.fill((byte) fill);
        return s;
    }

    @Test
    void stagedPacketsKeepTheirBytesAndOrderUntilCleared() {
        InboundBatch batch = new InboundBatch();
        try (Arena arena = Arena.ofConfined()) {
            batch.add(packet(arena, 40, 1), 40);
            batch.add(packet(arena, 1500, 2), 1500);
            batch.add(packet(arena, 60, 3), 60);
            assertThat(batch.count()).isEqualTo(3);
            ByteBuffer[] p = batch.packets();
            assertThat(p[0].remaining()).isEqualTo(40);
            assertThat(p[1].remaining()).isEqualTo(1500);
            assertThat(p[2].remaining()).isEqualTo(60);
            for (int i = 0; i < 3; i++) {
                ByteBuffer b = p[i].duplicate();
                while (b.hasRemaining()) assertThat(b.get()).as("packet %d", i).isEqualTo((byte) (i + 1));
            }
            assertThat(batch.deliver(null, 0, new AtomicLong())).as("lost with no host to take them").isEqualTo(3);
            assertThat(batch.count()).isZero();
            batch.add(packet(arena, 20, 9), 20);
            assertThat(batch.packets()[0].position()).isZero();
            assertThat(batch.packets()[0].remaining()).isEqualTo(20);
            assertThat(batch.packets()[0].get(0)).isEqualTo((byte) 9);
        }
    }

    @Test
    void isFullAtItsBytesOrItsPacketCount() {
        InboundBatch batch = new InboundBatch();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment superSegment = packet(arena, 65_535, 7);
            int added = 0;
            while (batch.fits(65_535)) {
                batch.add(superSegment, 65_535);
                added++;
            }
            assertThat(added).isEqualTo(InboundBatch.BYTES / 65_535);
            assertThat(batch.fits(InboundBatch.BYTES - added * 65_535)).isTrue();
            assertThat(batch.fits(InboundBatch.BYTES - added * 65_535 + 1)).isFalse();
            batch.deliver(null, 0, new AtomicLong());
            MemorySegment ack = packet(arena, 40, 1);
            for (int i = 0; i < TunQueue.READ_BATCH; i++) {
                assertThat(batch.fits(40)).isTrue();
                batch.add(ack, 40);
            }
            assertThat(batch.fits(40)).as("one packet per read of a wakeup at most").isFalse();
        }
    }
}
