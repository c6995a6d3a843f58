package dev.synack.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.synack.tcp.Connection;
import dev.synack.tcp.FourTuple;
import dev.synack.tcp.IsnGenerator;
import dev.synack.tcp.Listener;
import dev.synack.tcp.ShutdownHow;
import dev.synack.tcp.TcpConfig;
import dev.synack.tcp.TcpState;
import dev.synack.trace.TraceEvent;
import dev.synack.wire.IpAddress;
import dev.synack.wire.Ipv4Address;
import dev.synack.wire.PacketCodec;
import dev.synack.wire.TcpFlags;
import dev.synack.wire.TcpPacket;
import java.lang.management.ManagementFactory;
import java.net.BindException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * TIME_WAIT in the stack: once the connection lets it go, the demux table holds only the compact
 * record, which answers, holds the port, counts and expires as the connection did.
 */
@Timeout(20)
class NetStackTimeWaitTest {
    private static final int CLIENT = Ipv4Address.parse("10.0.0.1");
    private static final int SERVER = Ipv4Address.parse("10.0.0.2");
    private static final int PORT = 80;
    private static final long TIME_WAIT = TcpConfig.linux().timeWaitNanos();

    private long now = 1_000_000_000L;
    private final ArrayDeque<ByteBuffer> wire = new ArrayDeque<>();
    /** What the client sent, decoded. */
    private final List<TcpPacket> clientSent = new ArrayList<>();
    private final List<TraceEvent> clientEvents = new ArrayList<>();
    /** A 100-port ephemeral range, so that a run of connections goes round it. */
    private static final int PORT_RANGE = 100;
    private final NetStack client = new NetStack("client", CLIENT,
            TcpConfig.linux().toBuilder().ephemeralPorts(40000, 40000 + PORT_RANGE - 1).build(), () -> now, IsnGenerator.fixed(1000), 1);
    private final NetStack server = new NetStack("server", SERVER, TcpConfig.linux(), () -> now, IsnGenerator.fixed(9000), 2);
    private final Listener listener;

    NetStackTimeWaitTest() throws Exception {
        client.attach((from, packet) -> {
            ByteBuffer copy = copy(packet);
            TcpPacket p = new TcpPacket();
            assertThat(PacketCodec.decode(copy.duplicate(), p).name()).isEqualTo("OK");
            clientSent.add(p);
            wire.add(copy);
        }, null);
        server.attach((from, packet) -> wire.add(copy(packet)), null);
        client.addTraceListener(clientEvents::add);
        server.bind(PORT);
        listener = server.listen(PORT, 16);
    }

    private static ByteBuffer copy(ByteBuffer packet) {
        return ByteBuffer.allocate(packet.remaining()).put(packet.duplicate()).flip();
    }

    /** Delivers everything on the wire (and what it causes) to its destination. */
    private void drain() {
        ByteBuffer p;
        while ((p = wire.poll()) != null) {
            int to = p.getInt(p.position() + 16);
            (to == CLIENT ? client : server).deliver(p);
        }
    }

    private Connection[] open() throws Exception {
        Connection c = client.connect(0, SERVER, PORT);
        drain();
        server.lock();
        Connection s;
        try {
            s = listener.accept();
        } finally {
            server.unlock();
        }
        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
        return new Connection[] {c, s};
    }

    private static void call(NetStack stack, Connection c, java.util.function.Consumer<Connection> call) {
        stack.lock();
        try {
            call.accept(c);
        } finally {
            stack.unlock();
        }
    }

    /** Client closes first, then the server: the client ends in TIME_WAIT. */
    private Connection clientInTimeWait() throws Exception {
        Connection[] ends = open();
        call(client, ends[0], c -> c.close(now));
        drain();
        call(server, ends[1], c -> c.close(now));
        drain();
        assertThat(ends[0].state()).isEqualTo(TcpState.TIME_WAIT);
        return ends[0];
    }

    /** A segment from the server's address to the client, as if the server's stack had sent it. */
    private void fromServer(FourTuple t, int seq, int ack, int flags) {
        TcpPacket p = new TcpPacket().sourceAddress(SERVER).destinationAddress(CLIENT);
        p.segment().sourcePort(t.remotePort()).destinationPort(t.localPort()).seq(seq).ack(ack).flags(flags).window(1000);
        ByteBuffer out = ByteBuffer.allocate(PacketCodec.encodedLength(p));
        PacketCodec.encode(p, out);
        client.deliver(out.flip());
    }

    /**
     * The engine reports the end of each call to the stack (TcpOutput.callReturned): a caller that
     * only takes the lock around an engine call leaves the stack's timers right. (The TIME_WAIT
     * tests below close connections the same way and see them compacted.)
     */
    @Test
    void engineCallsRescheduleWithoutACallAfterThem() throws Exception {
        Connection[] ends = open();
        Connection c = ends[0];
        assertThat(client.nextTimerDeadline()).isEqualTo(Long.MAX_VALUE);
        client.lock();
        try {
            c.write(ByteBuffer.wrap(new byte[100]), now);
        } finally {
            client.unlock();
        }
        assertThat(c.nextDeadline()).isLessThan(Long.MAX_VALUE); // the retransmission timer
        assertThat(client.nextTimerDeadline()).isEqualTo(c.nextDeadline());
        drain(); // the ACK of the data: no timer left
        assertThat(client.nextTimerDeadline()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void theStackKeepsOnlyTheRecordUntil2MslAndHoldsThePortTillThen() throws Exception {
        Connection c = clientInTimeWait();
        FourTuple t = c.tuple();
        assertThat(client.timeWaitRecordCount()).isEqualTo(1);
        assertThat(client.connectionCount()).isEqualTo(1);
        assertThat(server.connectionCount()).isZero();
        assertThat(c.timeWaitRecord().isDetached()).isTrue();
        assertThatThrownBy(() -> client.bind(t.localPort())).isInstanceOf(BindException.class);
        assertThat(client.nextTimerDeadline()).isEqualTo(now + TIME_WAIT);

        now += TIME_WAIT - 1;
        client.fireTimers(now);
        assertThat(c.state()).isEqualTo(TcpState.TIME_WAIT);
        now += 1;
        assertThat(client.fireTimers(now)).isEqualTo(1);
        assertThat(c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(c.isReleased()).isTrue();
        assertThat(client.timeWaitRecordCount()).isZero();
        assertThat(client.connectionCount()).isZero();
        assertThat(client.nextTimerDeadline()).isEqualTo(Long.MAX_VALUE);
        assertThat(client.bind(t.localPort())).isEqualTo(t.localPort());
        assertThat(clientEvents).filteredOn(TraceEvent.StateChange.class::isInstance).last()
                .isEqualTo(new TraceEvent.StateChange(now, "client", t.toString(), "TIME_WAIT", "CLOSED", "2MSL timer"));
        assertThat(clientEvents).contains(new TraceEvent.Timer(now, "client", t.toString(), "time-wait"));
        assertThat(client.counters()).containsEntry("CurrEstab", 0L).containsEntry("EstabResets", 0L);
    }

    @Test
    void aRetransmittedFinIsAckedAgainAndRestartsTheTimer() throws Exception {
        Connection c = clientInTimeWait();
        FourTuple t = c.tuple();
        TcpPacket lastAck = clientSent.getLast();
        clientSent.clear();
        now += TIME_WAIT / 2;
        int rcvNxt = lastAck.segment().ack();
        fromServer(t, rcvNxt - 1, lastAck.segment().seq(), TcpFlags.FIN | TcpFlags.ACK);
        assertThat(clientSent).hasSize(1);
        TcpPacket ack = clientSent.getFirst();
        assertThat(ack.segment().flags()).isEqualTo(TcpFlags.ACK);
        assertThat(ack.segment().seq()).isEqualTo(lastAck.segment().seq());
        assertThat(ack.segment().ack()).isEqualTo(rcvNxt);
        assertThat(ack.segment().window()).isEqualTo(lastAck.segment().window());
        assertThat(ack.segment().options().hasTimestamps()).isTrue();
        assertThat(client.nextTimerDeadline()).isEqualTo(now + TIME_WAIT);
        assertThat(client.timeWaitRecordCount()).isEqualTo(1);

        // An RST is ignored (RFC 1337); the record stays.
        fromServer(t, rcvNxt, 0, TcpFlags.RST);
        assertThat(clientSent).hasSize(1);
        assertThat(c.state()).isEqualTo(TcpState.TIME_WAIT);
        assertThat(client.counters()).containsEntry("OutSegs", (long) countSent());
    }

    private int countSent() {
        return (int) clientEvents.stream().filter(e -> e instanceof TraceEvent.Packet p && p.direction() == TraceEvent.Direction.SEND).count();
    }

    @Test
    void aNewSynToTheListenerReplacesTheServersRecord() throws Exception {
        Connection[] ends = open();
        call(server, ends[1], s -> s.close(now)); // the server closes first: it ends in TIME_WAIT
        drain();
        call(client, ends[0], c -> c.close(now));
        drain();
        Connection s = ends[1];
        assertThat(s.state()).isEqualTo(TcpState.TIME_WAIT);
        assertThat(server.timeWaitRecordCount()).isEqualTo(1);
        FourTuple t = s.tuple();
        // The client's next incarnation on the same port, with a higher ISN: RFC 6191 lets it in.
        TcpPacket syn = new TcpPacket().sourceAddress(CLIENT).destinationAddress(SERVER);
        syn.segment().sourcePort(t.remotePort()).destinationPort(PORT).seq(1_000_000).flags(TcpFlags.SYN).window(1000);
        syn.segment().options().mss(1460);
        ByteBuffer out = ByteBuffer.allocate(PacketCodec.encodedLength(syn));
        PacketCodec.encode(syn, out);
        server.deliver(out.flip());
        assertThat(s.state()).isEqualTo(TcpState.CLOSED);
        assertThat(server.timeWaitRecordCount()).isZero();
        assertThat(server.connectionCount()).isEqualTo(1); // the new child in SYN_RECV
        ByteBuffer synAck = wire.pollLast();
        TcpPacket p = new TcpPacket();
        PacketCodec.decode(synAck, p);
        assertThat(p.segment().flags()).isEqualTo(TcpFlags.SYN | TcpFlags.ACK);
        assertThat(p.segment().ack()).isEqualTo(1_000_001);
    }

    /**
     * Short connections, one every 20 us, the server closing first so that it keeps each 4-tuple
     * in TIME_WAIT: a port whose TIME_WAIT saw a timestamp from the same millisecond would have
     * its SYN refused (the ISNs here are all equal, so only the timestamp can tell incarnations
     * apart: RFC 6191) and wait a whole SYN timeout. Successive ports (RFC 6056 double-hash
     * selection) come back only after the range has gone round, 2 ms later: every connection
     * opens at once. (A random choice meets a port of the last millisecond within a few dozen
     * connections.)
     */
    @Test
    void connectionsInQuickSuccessionNeverMeetTheirOwnTimeWait() throws Exception {
        for (int i = 0; i < 3 * PORT_RANGE; i++) {
            Connection[] ends = open();
            call(server, ends[1], s -> s.close(now));
            drain();
            call(client, ends[0], c -> c.close(now));
            drain();
            assertThat(ends[1].state()).as("connection %d", i).isEqualTo(TcpState.TIME_WAIT);
            now += 20_000;
        }
        assertThat(server.timeWaitRecordCount()).isEqualTo(PORT_RANGE);
        assertThat(client.counter(Counter.RETRANS_SEGS)).isZero();
        assertThat(client.counter(Counter.OUT_RSTS)).isZero();
    }

    @Test
    void abortFromTheUsersConnectionForgetsTheRecordAndFreesThePort() throws Exception {
        Connection c = clientInTimeWait();
        int port = c.tuple().localPort();
        call(client, c, conn -> conn.abort(now));
        assertThat(c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(client.timeWaitRecordCount()).isZero();
        assertThat(client.connectionCount()).isZero();
        assertThat(client.bind(port)).isEqualTo(port);
        assertThat(client.fireTimers(now + TIME_WAIT)).isZero();
    }

    @Test
    void unreadDataKeepsTheFullConnectionUntilItIsRead() throws Exception {
        Connection[] ends = open();
        call(client, ends[0], c -> c.shutdown(ShutdownHow.WRITE, now));
        drain();
        call(server, ends[1], s -> s.write(ByteBuffer.wrap(new byte[100]), now));
        call(server, ends[1], s -> s.close(now));
        drain();
        Connection c = ends[0];
        assertThat(c.state()).isEqualTo(TcpState.TIME_WAIT);
        assertThat(client.timeWaitRecordCount()).isZero();
        assertThat(client.connectionCount()).isEqualTo(1);
        ByteBuffer buf = ByteBuffer.allocate(200);
        call(client, c, conn -> conn.read(buf, now));
        assertThat(buf.position()).isEqualTo(100);
        assertThat(client.timeWaitRecordCount()).isEqualTo(1);
        assertThat(client.connectionCount()).isEqualTo(1);
        now += TIME_WAIT;
        client.fireTimers(now);
        assertThat(c.state()).isEqualTo(TcpState.CLOSED);
        assertThat(client.connectionCount()).isZero();
    }

    @Test
    void reAckingARetransmittedFinAllocatesNothing() throws Exception {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "no per-thread allocation counter in this JVM");
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
                "per-thread allocation counting unavailable");
        NetStack quiet = new NetStack("quiet", CLIENT, TcpConfig.linux(), () -> now, IsnGenerator.fixed(1000), 1);
        int[] acks = new int[1];
        TcpPacket sent = new TcpPacket();
        ByteBuffer sentCopy = ByteBuffer.allocate(2048);
        quiet.attach((from, packet) -> {
            acks[0]++;
            sentCopy.clear().put(0, packet, packet.position(), packet.remaining()).limit(packet.remaining());
            PacketCodec.decode(sentCopy, sent);
        }, null);
        Connection c = quiet.connect(0, SERVER, PORT);
        FourTuple t = c.tuple();
        ByteBuffer synAck = segmentTo(t, 9000, 1001, TcpFlags.SYN | TcpFlags.ACK);
        quiet.deliver(synAck);
        assertThat(c.state()).isEqualTo(TcpState.ESTABLISHED);
        call(quiet, c, conn -> conn.close(now));
        quiet.deliver(segmentTo(t, 9001, 1002, TcpFlags.FIN | TcpFlags.ACK));
        assertThat(c.state()).isEqualTo(TcpState.TIME_WAIT);
        assertThat(quiet.timeWaitRecordCount()).isEqualTo(1);
        assertThat(c.timestampsEnabled()).isTrue();
        ByteBuffer fin = segmentTo(t, 9001, 1002, TcpFlags.FIN | TcpFlags.ACK);
        for (int i = 0; i < 50_000; i++) quiet.deliver(fin);
        int acksBefore = acks[0];
        long threadId = Thread.currentThread().threadId();
        long before = threads.getThreadAllocatedBytes(threadId);
        for (int i = 0; i < 10_000; i++) quiet.deliver(fin);
        long allocated = threads.getThreadAllocatedBytes(threadId) - before;
        assertThat(acks[0] - acksBefore).as("every retransmitted FIN is ACKed").isEqualTo(10_000);
        assertThat(sent.segment().ack()).isEqualTo(9002);
        assertThat(sent.segment().options().hasTimestamps()).isTrue();
        assertThat(allocated).as("bytes allocated over 10000 packets").isLessThan(10_000);
    }

    private static ByteBuffer segmentTo(FourTuple t, int seq, int ack, int flags) {
        TcpPacket p = new TcpPacket().source(t.remoteAddress()).destination(t.localAddress());
        p.segment().sourcePort(t.remotePort()).destinationPort(t.localPort()).seq(seq).ack(ack).flags(flags).window(1000);
        p.segment().options().nop().nop().timestamps(100, 0); // so that the re-ACK carries timestamps too
        ByteBuffer out = ByteBuffer.allocate(PacketCodec.encodedLength(p));
        PacketCodec.encode(p, out);
        return out.flip();
    }
}
