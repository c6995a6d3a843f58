package dev.synack.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synack.wire.TcpSegment;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The engine's small parts: the byte ring, the RTO estimator, the congestion window. */
class BuildingBlocksTest {

    /**
     * Appends as many bytes of {@code src} as fit, advancing its position, as the receive path does
     * with a segment's payload; returns the count.
     */
    static int write(ByteRing ring, ByteBuffer src) {
        int n = Math.min(src.remaining(), ring.free());
        ring.append(new TcpSegment().payload(src, src.position(), n), 0, n);
        src.position(src.position() + n);
        return n;
    }

    @Nested
    class ByteRingTest {
        @Test
        void writesReadsAndPeeksAcrossTheWrap() {
            ByteRing ring = new ByteRing(8);
            assertThat(write(ring, ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6}))).isEqualTo(6);
            ByteBuffer out = ByteBuffer.allocate(4);
            assertThat(ring.read(out)).isEqualTo(4);
            assertThat(out.array()).containsExactly(1, 2, 3, 4);
            // 2 bytes left at indices 4..5; the next 6 wrap around the end
            ByteBuffer src = ByteBuffer.wrap(new byte[] {7, 8, 9, 10, 11, 12, 13});
            assertThat(write(ring, src)).isEqualTo(6);
            assertThat(src.remaining()).isEqualTo(1);
            assertThat(ring.free()).isZero();
            ByteBuffer peek = ByteBuffer.allocate(5);
            ring.copyTo(1, 5, peek);
            assertThat(peek.array()).containsExactly(6, 7, 8, 9, 10);
            assertThat(ring.size()).isEqualTo(8);
            ring.discard(3);
            ByteBuffer rest = ByteBuffer.allocate(10);
            assertThat(ring.read(rest)).isEqualTo(5);
            assertThat(java.util.Arrays.copyOf(rest.array(), 5)).containsExactly(8, 9, 10, 11, 12);
            assertThat(ring.isEmpty()).isTrue();
        }

        @Test
        void appendTakesARangeOfTheSegmentsPayload() {
            ByteRing ring = new ByteRing(4);
            TcpSegment src = new TcpSegment().payload(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5}));
            ring.append(src, 2, 3);
            ByteBuffer out = ByteBuffer.allocate(3);
            ring.read(out);
            assertThat(out.array()).containsExactly(3, 4, 5);
            assertThatThrownBy(() -> ring.append(src, 0, 5)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> ring.copyTo(0, 1, ByteBuffer.allocate(1))).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> ring.discard(1)).isInstanceOf(IndexOutOfBoundsException.class);
        }

        @Test
        void takesSegmentPayloadAcrossTheWrapBothInOrderAndBeyondTheStoredBytes() {
            ByteRing ring = new ByteRing(8);
            write(ring, ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6}));
            ring.discard(5); // head at 5, one byte stored: the free region wraps after index 7
            TcpSegment seg = new TcpSegment().payload(ByteBuffer.wrap(new byte[] {9, 10, 11, 12, 13, 14}));
            ring.append(seg, 1, 4); // 10..13 over the wrap
            ring.writeAt(6, seg, 4, 2); // 13, 14 past the stored bytes, beyond a one-byte hole
            assertThat(ring.size()).isEqualTo(5);
            ring.extend(3);
            ByteBuffer out = ByteBuffer.allocate(8);
            assertThat(ring.read(out)).isEqualTo(8);
            assertThat(Arrays.copyOf(out.array(), 8)).containsExactly(6, 10, 11, 12, 13, 3, 13, 14); // the hole keeps its old byte
            assertThatThrownBy(() -> ring.append(seg, 0, 9)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> ring.writeAt(7, seg, 0, 2)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> ring.append(seg, 4, 3)).as("past the payload")
                    .isInstanceOf(IndexOutOfBoundsException.class);
        }

        @ParameterizedTest(name = "seed {0}")
        @ValueSource(longs = {1, 2, 3})
        void behavesAsAQueueOfBytes(long seed) {
            Random r = new Random(seed);
            ByteRing ring = new ByteRing(1 + r.nextInt(100));
            java.util.ArrayDeque<Byte> model = new java.util.ArrayDeque<>();
            for (int step = 0; step < 2000; step++) {
                if (r.nextBoolean()) {
                    byte[] b = new byte[r.nextInt(50)];
                    r.nextBytes(b);
                    int n = write(ring, ByteBuffer.wrap(b));
                    assertThat(n).as("seed %d", seed).isEqualTo(Math.min(b.length, ring.capacity() - model.size()));
                    for (int i = 0; i < n; i++) model.add(b[i]);
                } else {
                    ByteBuffer out = ByteBuffer.allocate(r.nextInt(50));
                    int n = ring.read(out);
                    for (int i = 0; i < n; i++) assertThat(out.get(i)).as("seed %d", seed).isEqualTo(model.poll());
                }
                assertThat(ring.size()).as("seed %d", seed).isEqualTo(model.size());
            }
        }
    }

    /**
     * A ring whose array starts tiny, against a model of the byte stream: in-order appends, bytes
     * placed beyond the stored ones (out-of-order data), their later intake, and reads, while the
     * array doubles underneath.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {4, 5, 6, 7})
    void ringArrayGrowsOnDemandKeepingStoredAndPlacedBytes(long seed) {
        Random r = new Random(seed);
        int capacity = 50 + r.nextInt(500);
        ByteRing ring = new ByteRing(capacity, 1 + r.nextInt(16));
        byte[] stream = new byte[1 << 20];
        boolean[] written = new boolean[1 << 20];
        int readPos = 0;
        int end = 0; // the ring stores stream[readPos, end)
        for (int step = 0; step < 3000; step++) {
            String context = "seed " + seed + " step " + step;
            int size = end - readPos;
            switch (r.nextInt(4)) {
                case 0 -> {
                    byte[] b = new byte[r.nextInt(Math.min(40, capacity - size) + 1)];
                    r.nextBytes(b);
                    ring.append(new TcpSegment().payload(ByteBuffer.wrap(b)), 0, b.length);
                    for (int i = 0; i < b.length; i++) {
                        stream[end + i] = b[i];
                        written[end + i] = true;
                    }
                    end += b.length;
                }
                case 1 -> {
                    int offset = size + r.nextInt(20);
                    byte[] b = new byte[r.nextInt(30)];
                    r.nextBytes(b);
                    if (offset + b.length > capacity) continue;
                    ring.writeAt(offset, new TcpSegment().payload(ByteBuffer.wrap(b)), 0, b.length);
                    for (int i = 0; i < b.length; i++) {
                        stream[readPos + offset + i] = b[i];
                        written[readPos + offset + i] = true;
                    }
                }
                case 2 -> {
                    int contiguous = 0;
                    while (written[end + contiguous] && contiguous < capacity - size) contiguous++;
                    int n = r.nextInt(contiguous + 1);
                    ring.extend(n);
                    end += n;
                }
                default -> {
                    ByteBuffer out = ByteBuffer.allocate(r.nextInt(60));
                    int n = ring.read(out);
                    assertThat(n).as(context).isEqualTo(Math.min(out.capacity(), size));
                    for (int i = 0; i < n; i++) assertThat(out.get(i)).as(context + " byte " + i).isEqualTo(stream[readPos + i]);
                    readPos += n;
                }
            }
            assertThat(ring.size()).as(context).isEqualTo(end - readPos);
            assertThat(ring.storage()).as(context).isLessThanOrEqualTo(capacity);
        }
        assertThat(ring.storage()).as("seed %d: the array grew", seed).isGreaterThan(16);
    }

    @Test
    void ringArrayStartsSmallAndStopsAtTheCapacity() {
        ByteRing ring = new ByteRing(131_072);
        assertThat(ring.storage()).isZero();
        write(ring, ByteBuffer.wrap(new byte[1]));
        assertThat(ring.storage()).isEqualTo(ByteRing.INITIAL_STORAGE);
        write(ring, ByteBuffer.allocate(100_000));
        assertThat(ring.storage()).isEqualTo(131_072);
        ring.growTo(200_000); // autotuning raises the limit; the array follows only when bytes need it
        assertThat(ring.storage()).isEqualTo(131_072);
        write(ring, ByteBuffer.allocate(50_000));
        assertThat(ring.storage()).isEqualTo(200_000);
    }

    @Nested
    class LendingTest {
        /** A segment at {@code seq} whose payload is a window of {@code length} bytes of {@code send}, from {@code offset} on, lent. */
        private TcpSegment lend(SendBuffer send, int seq, int offset, int length) {
            TcpSegment seg = new TcpSegment().seq(seq);
            LentBytes piece = send.windowInto(seg, offset, length);
            assertThat(piece).isNotNull();
            return seg.markPayloadStable(piece);
        }

        /** The receiver takes {@code length} bytes of {@code seg} from its {@code from}-th by reference, from the lender the segment names. */
        private static void borrow(ReceiveQueue rcv, TcpSegment seg, int from, int length) {
            rcv.borrow((LentBytes) seg.payloadOwner(), seg, from, length);
        }

        private static byte[] counting(int from, int n) {
            byte[] b = new byte[n];
            for (int i = 0; i < n; i++) b[i] = (byte) (from + i);
            return b;
        }

        @Test
        void theSenderNeverWritesOverBorrowedBytesEvenOnceTheyAreAcknowledged() {
            SendBuffer send = new SendBuffer(8);
            send.write(ByteBuffer.wrap(counting(0, 8)));
            ReceiveQueue rcv = new ReceiveQueue(64);
            TcpSegment seg = lend(send, 0, 0, 8);
            LentBytes piece = (LentBytes) seg.payloadOwner();
            borrow(rcv, seg, 2, 6); // bytes 2..7 are fresh
            assertThat(rcv.size()).isEqualTo(6);
            assertThat(rcv.storage()).isZero(); // nothing copied
            assertThat(piece.isPinned()).isTrue();
            send.discard(8); // all acknowledged: the send buffer is empty, its bytes are the receiver's
            assertThat(send.write(ByteBuffer.wrap(counting(100, 8)))).isEqualTo(8);
            assertThat(send.windowInto(new TcpSegment(), 0, 8)).as("the new bytes went to another piece").isNotSameAs(piece);
            ByteBuffer out = ByteBuffer.allocate(6);
            assertThat(rcv.read(out)).isEqualTo(6);
            assertThat(out.array()).containsExactly(counting(2, 6));
            // Read: the pin is gone, and the sender's new bytes are as written.
            assertThat(piece.isPinned()).isFalse();
            ByteBuffer sent = ByteBuffer.allocate(8);
            send.copyTo(0, 8, sent);
            assertThat(sent.array()).containsExactly(counting(100, 8));
        }

        @Test
        void borrowedBytesComeFirstThenCopiedOnesAndOutOfOrderDataKeepsItsOffset() {
            SendBuffer send = new SendBuffer(32);
            send.write(ByteBuffer.wrap(counting(0, 32)));
            ReceiveQueue rcv = new ReceiveQueue(64);
            TcpSegment first = lend(send, 0, 0, 10);
            borrow(rcv, first, 0, 10);
            TcpSegment next = lend(send, 10, 10, 10);
            borrow(rcv, next, 0, 10); // merges with the first range
            assertThat(rcv.canBorrow()).isTrue();
            rcv.append(new TcpSegment().payload(ByteBuffer.wrap(counting(20, 4))), 0, 4); // copied, e.g. a wrapped segment
            assertThat(rcv.canBorrow()).isFalse();
            // Out-of-order bytes 28..31 wait at their offset from the oldest byte of the whole queue.
            rcv.writeAt(28, new TcpSegment().payload(ByteBuffer.wrap(counting(28, 4))), 0, 4);
            rcv.append(new TcpSegment().payload(ByteBuffer.wrap(counting(24, 4))), 0, 4);
            rcv.extend(4);
            assertThat(rcv.size()).isEqualTo(32);
            assertThat(rcv.free()).isEqualTo(32);
            ByteBuffer out = ByteBuffer.allocate(32);
            ByteBuffer part = ByteBuffer.allocate(7);
            while (out.hasRemaining()) {
                part.clear();
                int n = rcv.read(part);
                assertThat(n).isPositive();
                out.put(part.flip());
            }
            assertThat(out.array()).containsExactly(counting(0, 32));
            assertThat(rcv.isEmpty()).isTrue();
            assertThat(((LentBytes) first.payloadOwner()).isPinned()).isFalse();
        }

        @Test
        void clearingTheQueueGivesTheBytesBack() {
            SendBuffer send = new SendBuffer(16);
            send.write(ByteBuffer.wrap(counting(0, 16)));
            ReceiveQueue rcv = new ReceiveQueue(64);
            TcpSegment seg = lend(send, 0, 0, 16);
            LentBytes piece = (LentBytes) seg.payloadOwner();
            borrow(rcv, seg, 0, 16);
            send.discard(16);
            assertThat(piece.isPinned()).isTrue();
            rcv.clear(); // shutdown(SHUT_RD), abort, reset: the bytes will never be read
            assertThat(rcv.isEmpty()).isTrue();
            assertThat(piece.isPinned()).isFalse();
            assertThatThrownBy(() -> borrow(rcv, seg, 0, 65))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Nested
    class RttEstimatorTest {
        final TcpConfig linux = TcpConfig.linux();
        /** RFC 6298 with Linux's 200 ms minimum, to compare the two rules on the same numbers. */
        final TcpConfig rfcRule = TcpConfig.linux().toBuilder().rtoRule(RtoRule.RFC_6298).build();

        long ms(double millis) { return Math.round(millis * 1_000_000); }

        @Test
        void startsAtTheInitialRtoAndFollowsRfc6298() {
            for (TcpConfig config : new TcpConfig[] {linux, rfcRule, TcpConfig.rfc()}) {
                RttEstimator rtt = new RttEstimator(config);
                assertThat(rtt.rto()).isEqualTo(ms(1000));
                rtt.sample(ms(400), 1, 1);
                // first sample: SRTT = R, RTTVAR = R/2, RTO = SRTT + 4 RTTVAR
                assertThat(rtt.srtt()).isEqualTo(ms(400));
                assertThat(rtt.rttvar()).isEqualTo(ms(200));
                assertThat(rtt.rto()).isEqualTo(ms(1200));
                rtt.sample(ms(200), 2, 2);
                // RTTVAR = 3/4 * 200 + 1/4 * |400 - 200| = 200; SRTT = 7/8 * 400 + 1/8 * 200 = 375
                assertThat(rtt.rttvar()).isEqualTo(ms(200));
                assertThat(rtt.srtt()).isEqualTo(ms(375));
                assertThat(rtt.rto()).as(config.rtoRule().toString()).isEqualTo(ms(1175));
            }
        }

        /** Linux: RTO = SRTT + max(4 RTTVAR, 200 ms); RFC 6298 §2.4: max(SRTT + 4 RTTVAR, minimum). */
        @Test
        void linuxBoundsTheVarianceTermWhereRfc6298BoundsTheWholeTimeout() {
            RttEstimator onLinux = new RttEstimator(linux);
            RttEstimator onRfcRule = new RttEstimator(rfcRule);
            RttEstimator onRfc = new RttEstimator(TcpConfig.rfc());
            for (RttEstimator rtt : new RttEstimator[] {onLinux, onRfcRule, onRfc}) {
                rtt.sample(ms(100), 1, 10);
                rtt.sample(ms(100), 11, 20); // RTTVAR 37.5 ms: 4 RTTVAR = 150 ms
            }
            assertThat(onLinux.rto()).as("100 ms + 200 ms").isEqualTo(ms(300));
            assertThat(onRfcRule.rto()).as("100 ms + 150 ms, above 200 ms").isEqualTo(ms(250));
            assertThat(onRfc.rto()).as("rfc(): the 1 s minimum").isEqualTo(ms(1000));
        }

        /**
         * Linux keeps the largest 4 RTTVAR of the round trip in the timeout, and when the variation
         * falls lets the term down by a quarter of the gap per round trip.
         */
        @Test
        void linuxHoldsTheRoundsLargestVarianceAndLetsItDownSlowly() {
            RttEstimator onLinux = new RttEstimator(linux);
            RttEstimator onRfcRule = new RttEstimator(rfcRule);
            for (RttEstimator rtt : new RttEstimator[] {onLinux, onRfcRule}) {
                rtt.sample(ms(100), 1, 10); // the round ends when SND.UNA passes 10
                rtt.sample(ms(300), 5, 20); // RTTVAR 87.5 ms: 4 RTTVAR = 350 ms
                rtt.sample(ms(100), 8, 20); // RTTVAR 71.875 ms: 287.5 ms
            }
            assertThat(onLinux.rto() - onLinux.srtt()).as("the round's largest, 350 ms").isEqualTo(ms(350));
            assertThat(onRfcRule.rto() - onRfcRule.srtt()).as("4 RTTVAR now").isEqualTo(ms(287.5));
            onLinux.sample(ms(100), 15, 30); // the round ends: its largest was 350 ms, the term stays
            assertThat(onLinux.rto() - onLinux.srtt()).isEqualTo(ms(350));
            onLinux.sample(ms(100), 31, 40); // a round whose largest stayed at the 200 ms minimum
            assertThat(onLinux.rto() - onLinux.srtt()).as("350 - (350 - 200) / 4").isEqualTo(ms(312.5));
        }

        /** Linux: a sample below SRTT by more than RTTVAR moves RTTVAR at a gain of 1/32, not 1/4. */
        @Test
        void linuxRaisesTheDeviationSlowlyWhenTheRttFalls() {
            RttEstimator onLinux = new RttEstimator(linux);
            RttEstimator onRfcRule = new RttEstimator(rfcRule);
            for (RttEstimator rtt : new RttEstimator[] {onLinux, onRfcRule}) {
                rtt.sample(ms(100), 1, 10); // RTTVAR 50 ms
                rtt.sample(ms(20), 11, 20); // |error| 80 ms
            }
            assertThat(onLinux.rttvar()).as("50 + 30 / 32").isEqualTo(ms(50.9375));
            assertThat(onRfcRule.rttvar()).as("50 + 30 / 4").isEqualTo(ms(57.5));
        }

        @Test
        void isBoundedByMinimumAndMaximumAndBacksOff() {
            RttEstimator rtt = new RttEstimator(linux);
            rtt.sample(ms(1), 1, 1);
            assertThat(rtt.rto()).as("1 ms + the 200 ms minimum").isEqualTo(ms(201));
            rtt.backOff();
            assertThat(rtt.rto()).isEqualTo(ms(402));
            for (int i = 0; i < 40; i++) rtt.backOff();
            assertThat(rtt.rto()).isEqualTo(linux.maxRtoNanos());
            rtt.sample(ms(1), 2, 2); // a fresh sample ends the backoff
            assertThat(rtt.rto()).isEqualTo(ms(201));

            RttEstimator rfc = new RttEstimator(TcpConfig.rfc());
            rfc.sample(ms(1), 1, 1);
            assertThat(rfc.rto()).as("RFC 6298 §2.4: at least 1 s").isEqualTo(ms(1000));
            for (int i = 0; i < 40; i++) rfc.backOff();
            assertThat(rfc.rto()).as("§2.5: 60 s").isEqualTo(ms(60_000));
        }
    }
}
