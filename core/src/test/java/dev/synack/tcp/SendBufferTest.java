package dev.synack.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synack.wire.TcpSegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The send buffer's pieces: placement, windows into them, and their reuse once no receiver refers to them. */
class SendBufferTest {

    private static byte[] counting(int from, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (from + i);
        return b;
    }

    private static byte[] payloadOf(TcpSegment seg) {
        byte[] b = new byte[seg.payloadLength()];
        seg.copyPayload(0, b, 0, b.length);
        return b;
    }

    /** Writes what {@link SendBuffer#room} allows, checking that the arrays stay within the limit. */
    private static int writeWithin(SendBuffer buf, int n, long maxStorage) {
        long before = buf.storage();
        int room = buf.room(maxStorage);
        int written = buf.write(ByteBuffer.wrap(new byte[Math.min(n, room)]));
        assertThat(written).isEqualTo(Math.min(n, room));
        assertThat(buf.storage()).isLessThanOrEqualTo(Math.max(before, maxStorage));
        return written;
    }

    @Test
    void roomKeepsTheArraysWithinTheLimitAndWritesIntoHeldArraysFreely() {
        SendBuffer buf = new SendBuffer(256 * 1024); // pieces of 256 KiB
        // 4 KiB of arrays allowed: a first piece of 4 KiB, not the 8 KiB a 5,000-byte write would start with.
        assertThat(writeWithin(buf, 5_000, 4096)).isEqualTo(4096);
        assertThat(buf.storage()).isEqualTo(4096);
        assertThat(buf.room(4096)).isZero();
        assertThat(buf.room(5_000)).isZero(); // the piece doubles or nothing
        assertThat(buf.room(8192)).isEqualTo(4096);
        // A piece of the full size only when the limit has room for it.
        assertThat(writeWithin(buf, 300_000, 300_000)).isEqualTo(256 * 1024 - 4096);
        assertThat(buf.storage()).isEqualTo(256 * 1024);
        buf.discard(100_000);
        assertThat(buf.room(0)).isZero(); // the piece is full: the next one needs 256 KiB
        assertThat(buf.room(512 * 1024)).isEqualTo(100_000);
        assertThat(buf.room(Long.MAX_VALUE)).isEqualTo(100_000);
        buf.discard(buf.size());
        assertThat(buf.room(0)).isEqualTo(256 * 1024); // an empty piece is written again from its start
    }

    @Test
    void writesUpToTheCapacityAndCopiesAcrossPieces() {
        SendBuffer buf = new SendBuffer(16); // pieces of 16 bytes
        ByteBuffer src = ByteBuffer.wrap(counting(0, 20));
        assertThat(buf.write(src)).isEqualTo(16);
        assertThat(src.remaining()).isEqualTo(4);
        assertThat(buf.free()).isZero();
        buf.discard(10);
        assertThat(buf.write(src)).isEqualTo(4); // bytes 16..19 start a second piece
        assertThat(buf.pieceCount()).isEqualTo(2);
        ByteBuffer out = ByteBuffer.allocate(10);
        buf.copyTo(0, 10, out);
        assertThat(out.array()).containsExactly(counting(10, 10));
        assertThatThrownBy(() -> buf.copyTo(1, 10, ByteBuffer.allocate(10))).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> buf.discard(11)).isInstanceOf(IndexOutOfBoundsException.class);
        buf.discard(6); // the first piece is all acknowledged: given up
        assertThat(buf.pieceCount()).isEqualTo(1);
        assertThat(buf.size()).isEqualTo(4);
    }

    @Test
    void windowIntoLendsStoredBytesInPlaceUnlessTheyStraddleTwoPieces() {
        SendBuffer buf = new SendBuffer(16);
        buf.write(ByteBuffer.wrap(counting(0, 16)));
        buf.discard(12);
        buf.write(ByteBuffer.wrap(counting(16, 8))); // stored: 12..15 | 16..23
        TcpSegment seg = new TcpSegment();
        LentBytes piece = buf.windowInto(seg, 1, 3);
        assertThat(piece).isNotNull();
        assertThat(payloadOf(seg)).containsExactly(counting(13, 3));
        assertThat(seg.payload().isReadOnly()).as("the piece is lent read-only").isTrue();
        LentBytes second = buf.windowInto(seg, 4, 8);
        assertThat(second).isNotNull().isNotSameAs(piece);
        assertThat(payloadOf(seg)).containsExactly(counting(16, 8));

        TcpSegment untouched = new TcpSegment().payload(ByteBuffer.wrap(new byte[] {42}));
        assertThat(buf.windowInto(untouched, 2, 4)).as("14 15 | 16 17 straddles").isNull();
        assertThat(untouched.payloadLength()).isEqualTo(1);
        assertThatThrownBy(() -> buf.windowInto(seg, 10, 3)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void theFirstPieceStartsSmallAndGrowsToThePieceSize() {
        SendBuffer buf = new SendBuffer(4 << 20);
        assertThat(buf.pieceSize()).isEqualTo(SendBuffer.MAX_PIECE);
        assertThat(buf.storage()).isZero();
        buf.write(ByteBuffer.wrap(counting(0, 3)));
        assertThat(buf.storage()).isEqualTo(ByteRing.INITIAL_STORAGE);
        TcpSegment early = new TcpSegment();
        LentBytes small = buf.windowInto(early, 0, 3);
        buf.write(ByteBuffer.wrap(counting(3, 300))); // outgrows 256 bytes: the bytes move to 512
        assertThat(buf.storage()).isEqualTo(512);
        assertThat(payloadOf(early)).as("a window taken before keeps its bytes").containsExactly(counting(0, 3));
        TcpSegment seg = new TcpSegment();
        assertThat(buf.windowInto(seg, 1, 302)).isNotNull().isNotSameAs(small);
        assertThat(payloadOf(seg)).containsExactly(counting(1, 302));
        buf.write(ByteBuffer.allocate(3 << 20));
        assertThat(buf.pieceCount()).isEqualTo(4);
        assertThat(buf.storage()).isEqualTo(4L * SendBuffer.MAX_PIECE);
    }

    @Test
    void anEmptiedBufferStartsOverInItsPieceUnlessAReceiverRefersToIt() {
        SendBuffer buf = new SendBuffer(1 << 16);
        buf.write(ByteBuffer.wrap(counting(0, 100)));
        LentBytes piece = buf.windowInto(new TcpSegment(), 0, 100);
        buf.discard(100);
        buf.write(ByteBuffer.wrap(counting(100, 100)));
        assertThat(buf.windowInto(new TcpSegment(), 0, 100)).as("reused from its start").isSameAs(piece);
        assertThat(buf.storage()).isEqualTo(ByteRing.INITIAL_STORAGE);

        piece.pin(100); // a receiver borrowed the second request and has not read it yet
        buf.discard(100);
        buf.write(ByteBuffer.wrap(counting(200, 100)));
        TcpSegment seg = new TcpSegment();
        assertThat(buf.windowInto(seg, 0, 100)).as("goes on after the borrowed bytes").isSameAs(piece);
        assertThat(seg.payloadIndex()).isEqualTo(100);
        assertThat(payloadOf(seg)).containsExactly(counting(200, 100));
        assertThat(java.util.Arrays.copyOf(piece.bytes, 100)).as("the receiver's bytes").containsExactly(counting(100, 100));
        buf.discard(100);
        buf.write(ByteBuffer.wrap(counting(300, 100))); // outgrows the piece: the next bytes go to a larger one
        assertThat(buf.windowInto(new TcpSegment(), 0, 100)).isNotSameAs(piece);
        assertThat(java.util.Arrays.copyOf(piece.bytes, 100)).as("the receiver's bytes").containsExactly(counting(100, 100));
    }

    @Test
    void aPieceComesBackOnceTheReceiverHasReadItTheOneReadLastFirst() {
        int piece = SendBuffer.MAX_PIECE;
        SendBuffer buf = new SendBuffer(4 * piece);
        assertThat(buf.pieceSize()).isEqualTo(piece);
        buf.write(ByteBuffer.allocate(4 * piece));
        List<LentBytes> lent = new ArrayList<>();
        for (int k = 0; k < 4; k++) {
            LentBytes p = buf.windowInto(new TcpSegment(), k * piece, piece);
            p.pin(k * piece); // borrowed before acknowledged
            lent.add(p);
        }
        buf.discard(4 * piece);
        assertThat(buf.storage()).as("retired, still the receiver's").isEqualTo(4L * piece);
        lent.get(0).unpin();
        lent.get(1).unpin(); // the receiver read the first two pieces, the second one last
        buf.write(ByteBuffer.allocate(piece + 1)); // the emptied buffer starts with a piece of its own: the first two given back
        assertThat(buf.windowInto(new TcpSegment(), 0, piece)).isSameAs(lent.get(1));
        assertThat(buf.windowInto(new TcpSegment(), piece, 1)).isSameAs(lent.get(0));
        buf.discard(piece + 1);
        buf.write(ByteBuffer.allocate(2 * piece));
        assertThat(buf.windowInto(new TcpSegment(), 0, 1)).as("still pinned: not reused").isNotIn(lent.get(2), lent.get(3));
        assertThat(buf.storage()).isLessThanOrEqualTo(2L * (4 + 4) * piece);
        buf.discard(buf.size());
        buf.releaseIfEmpty();
        assertThat(buf.storage()).isZero();
    }

    /**
     * A stream through the buffer against a model, with a receiver that borrows windows of the
     * segments sent (pinning their pieces before the bytes are acknowledged) and reads them later:
     * every byte sent is the byte written, and no borrowed byte changes before the receiver has
     * read it, however the buffer reuses its pieces.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {11, 12, 13, 14, 15, 16})
    void streamsThroughRecycledPiecesWithoutTouchingBorrowedBytes(long seed) {
        Random r = new Random(seed);
        int capacity = 64 + r.nextInt(4000);
        SendBuffer buf = new SendBuffer(capacity);
        long written = 0;   // stream offset of the next byte written
        long acked = 0;     // stream offset of the oldest byte in the buffer
        record Borrowed(LentBytes piece, int index, byte[] expected, long streamOffset) { }
        java.util.ArrayDeque<Borrowed> borrowed = new java.util.ArrayDeque<>();
        long borrowedUpTo = 0;
        for (int step = 0; step < 20_000; step++) {
            String context = "seed " + seed + " step " + step;
            switch (r.nextInt(4)) {
                case 0 -> {
                    byte[] b = new byte[r.nextInt(Math.min(capacity, 3000) + 1)];
                    for (int i = 0; i < b.length; i++) b[i] = (byte) ((written + i) * 31 + seed);
                    int n = buf.write(ByteBuffer.wrap(b));
                    assertThat(n).as(context).isEqualTo(Math.min(b.length, capacity - (int) (written - acked)));
                    written += n;
                }
                case 1 -> {
                    // send a segment from the first unborrowed byte; a receiver borrows it when it lies in one piece
                    long from = Math.max(acked, borrowedUpTo);
                    int avail = (int) (written - from);
                    if (avail == 0) continue;
                    int len = 1 + r.nextInt(avail);
                    TcpSegment seg = new TcpSegment();
                    LentBytes piece = buf.windowInto(seg, (int) (from - acked), len);
                    byte[] sent = new byte[len];
                    if (piece != null) {
                        sent = payloadOf(seg);
                    } else {
                        buf.copyTo((int) (from - acked), len, ByteBuffer.wrap(sent));
                    }
                    for (int i = 0; i < len; i++) assertThat(sent[i]).as(context).isEqualTo((byte) ((from + i) * 31 + seed));
                    if (piece != null) {
                        if (!piece.isPinned()) piece.pin((int) from);
                        borrowed.add(new Borrowed(piece, seg.payloadIndex(), sent, from));
                        borrowedUpTo = from + len;
                    }
                }
                case 2 -> {
                    // acknowledge up to what was sent (borrowed bytes are pinned before their ACK)
                    long upTo = Math.max(acked, Math.min(written, borrowedUpTo + r.nextInt(50)));
                    int n = (int) (upTo - acked) == 0 ? 0 : 1 + r.nextInt((int) (upTo - acked));
                    buf.discard(n);
                    acked += n;
                }
                default -> {
                    // the receiver reads its oldest borrowed range: its bytes are intact; a piece none of whose ranges is left unpins
                    Borrowed b = borrowed.poll();
                    if (b == null) continue;
                    byte[] now = java.util.Arrays.copyOfRange(b.piece().bytes, b.index(), b.index() + b.expected().length);
                    assertThat(now).as(context + ": borrowed bytes at stream offset " + b.streamOffset()).containsExactly(b.expected());
                    boolean stillReferred = borrowed.stream().anyMatch(o -> o.piece() == b.piece());
                    if (!stillReferred) b.piece().unpin();
                }
            }
            assertThat(buf.size()).as(context).isEqualTo((int) (written - acked));
        }
        assertThat(buf.storage()).as("seed %d: bounded by the buffer and what the receiver holds", seed)
                .isLessThanOrEqualTo(2L * (2 * ((capacity + buf.pieceSize() - 1) / buf.pieceSize()) + 2) * buf.pieceSize()
                        + (long) capacity + buf.pieceSize());
    }

    @Test
    void recordEndsBoundSegmentsAndGoWithTheirBytes() {
        SendBuffer b = new SendBuffer(1 << 16);
        b.write(ByteBuffer.wrap(counting(0, 100)));
        b.endRecord();
        b.endRecord(); // the newest byte already ends a record
        b.write(ByteBuffer.wrap(counting(100, 50)));
        b.endRecord();
        b.write(ByteBuffer.wrap(counting(150, 30)));
        assertThat(b.recordRoom(0, 180)).isEqualTo(100);
        assertThat(b.recordRoom(99, 81)).isEqualTo(1);
        assertThat(b.recordRoom(100, 80)).isEqualTo(50);
        assertThat(b.recordRoom(150, 30)).isEqualTo(30);
        assertThat(b.endsRecord(100)).isTrue();
        assertThat(b.endsRecord(150)).isTrue();
        assertThat(b.endsRecord(120)).isFalse();
        assertThat(b.endsRecord(180)).isFalse();
        b.discard(100);
        assertThat(b.recordRoom(0, 80)).isEqualTo(50);
        assertThat(b.endsRecord(50)).isTrue();
        b.discard(60);
        assertThat(b.recordRoom(0, 20)).isEqualTo(20);
    }

    @Test
    void manyRecordsAreAllKept() {
        SendBuffer b = new SendBuffer(1 << 16);
        for (int i = 0; i < 1000; i++) {
            b.write(ByteBuffer.wrap(counting(i, 3)));
            b.endRecord();
        }
        for (int i = 0; i < 1000; i++) assertThat(b.recordRoom(3 * i, 3000 - 3 * i)).isEqualTo(3);
        b.clear();
        b.write(ByteBuffer.wrap(counting(0, 10)));
        assertThat(b.recordRoom(0, 10)).isEqualTo(10);
    }
}
