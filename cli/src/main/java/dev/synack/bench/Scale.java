package dev.synack.bench;

import dev.synack.stack.DemuxTable;
import dev.synack.stack.NetStack;
import dev.synack.stack.PacketTransmitter;
import dev.synack.stack.TimerWheel;
import dev.synack.tcp.Connection;
import dev.synack.tcp.Listener;
import dev.synack.tcp.Rfc6528IsnGenerator;
import dev.synack.tcp.TcpConfig;
import dev.synack.tcp.TcpState;
import dev.synack.wire.Ipv4Address;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Many connections on one stack, driven directly on the calling thread (no event loop, no socket,
 * a clock that only moves when told): one server stack listening on one port, and as many client
 * stacks (each its own address, ephemeral ports 1024-65535) as the count needs. Packets go through
 * a queue the driver drains, so every connection does a real three-way handshake and a real
 * four-segment close. Heap figures are the JVM's used heap after several full collections.
 */
public final class Scale {
    public static final int SERVER_PORT = 80;
    static final int SERVER_ADDRESS = Ipv4Address.parse("10.0.0.1");
    /** Client hosts are 10.1.0.1, 10.1.0.2, ... */
    static final int FIRST_CLIENT_ADDRESS = Ipv4Address.parse("10.1.0.1");
    static final int CLIENT_PORT_LOW = 1024;
    static final int CLIENT_PORT_HIGH = 65_535;
    static final int PORTS_PER_CLIENT = CLIENT_PORT_HIGH - CLIENT_PORT_LOW + 1;

    /** Heap and timing figures of one run. */
    public record Result(int connections, long baselineHeap, long establishedHeap, long timeWaitHeap, long afterHeap,
                         int clientStacks, List<Band> handshakeBands, double timeWaitExpiryNanosPerRecord,
                         String detail) {
        /** Each established connection has both its ends in this heap: the delta is split over 2N. */
        public double bytesPerEstablishedEnd() {
            return (establishedHeap - baselineHeap) / (2.0 * connections);
        }

        /** After the close, only the client ends remain, in TIME_WAIT; the server ends are gone. */
        public double bytesPerTimeWait() {
            return (timeWaitHeap - baselineHeap) / (double) connections;
        }
    }

    /** The mean cost of one step (handshake, lookup, timer operation) while the table held {@code from..to} entries. */
    public record Band(int from, int to, double nanosPerOp) { }

    /** Lookup and timer costs at one table size. */
    public record Flatness(int size, double demuxLookupNanos, double timerRescheduleNanos, double timerExpireNanos) { }

    private Scale() {}

    /** A manually driven network: a fixed clock, a packet queue, stacks by address. */
    static final class DirectNet implements PacketTransmitter {
        long now = 1_000_000_000L;
        private final Map<Integer, NetStack> hosts = new HashMap<>();
        private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
        long packets;

        NetStack add(String name, int address, TcpConfig config, long seed) {
            NetStack s = new NetStack(name, address, config, () -> now, Rfc6528IsnGenerator.withRandomKey(), seed);
            s.attach(this, null);
            hosts.put(address, s);
            return s;
        }

        @Override
        public void transmit(NetStack from, ByteBuffer packet) {
            ByteBuffer copy = ByteBuffer.allocate(packet.remaining());
            copy.put(packet.duplicate()).flip();
            queue.add(copy);
        }

        /** Delivers queued packets (and the ones they cause) until none is left. */
        void drain() {
            ByteBuffer p;
            while ((p = queue.poll()) != null) {
                packets++;
                NetStack to = hosts.get(p.getInt(p.position() + 16));
                if (to != null) to.deliver(p);
            }
        }
    }

    public static TcpConfig serverConfig(int connections) {
        return TcpConfig.linux().toBuilder().maxBacklog(Math.min(1 << 20, Math.max(1, connections))).build();
    }

    static TcpConfig clientConfig(int ports) {
        return TcpConfig.linux().toBuilder().ephemeralPorts(CLIENT_PORT_LOW, CLIENT_PORT_LOW + ports - 1).build();
    }

    /** Opens {@code n} connections, idles them, closes them all (client first) through TIME_WAIT, expires it. */
    public static Result run(int n, Progress progress) throws IOException {
        return run(n, PORTS_PER_CLIENT, progress);
    }

    /** As {@link #run(int, Progress)} with {@code portsPerClient} ephemeral ports on each client stack. */
    static Result run(int n, int portsPerClient, Progress progress) throws IOException {
        if (portsPerClient < 1 || portsPerClient > PORTS_PER_CLIENT) {
            throw new IllegalArgumentException("ports per client must be in [1, " + PORTS_PER_CLIENT + "]");
        }
        if (n < 1) throw new IllegalArgumentException("connections must be at least 1, was " + n);
        DirectNet net = new DirectNet();
        NetStack server = net.add("server", SERVER_ADDRESS, serverConfig(n), 1);
        int clientCount = (n + portsPerClient - 1) / portsPerClient;
        NetStack[] clients = new NetStack[clientCount];
        for (int i = 0; i < clientCount; i++) {
            clients[i] = net.add("client" + i, FIRST_CLIENT_ADDRESS + i, clientConfig(portsPerClient), 100 + i);
        }
        server.bind(SERVER_PORT);
        Listener listener = server.listen(SERVER_PORT, n);
        Connection[] clientEnds = new Connection[n];
        Connection[] serverEnds = new Connection[n];
        long baseline = usedHeapAfterGc();

        progress.phase("scale: opening " + n + " connections");
        List<Band> bands = new ArrayList<>();
        int bandStart = 0;
        long bandNanos = 0;
        int nextBandEnd = Math.min(n, 1000);
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            NetStack client = clients[i / portsPerClient];
            clientEnds[i] = client.connect(0, SERVER_ADDRESS, SERVER_PORT);
            net.drain();
            server.lock();
            try {
                serverEnds[i] = listener.accept();
            } finally {
                server.unlock();
            }
            bandNanos += System.nanoTime() - t0;
            if (serverEnds[i] == null || clientEnds[i].state() != TcpState.ESTABLISHED) {
                throw new IOException("connection " + i + " did not establish: client " + clientEnds[i].state()
                        + ", server " + (serverEnds[i] == null ? "nothing to accept" : serverEnds[i].state()));
            }
            if (i + 1 == nextBandEnd) {
                bands.add(new Band(bandStart, i + 1, bandNanos / (double) (i + 1 - bandStart)));
                bandStart = i + 1;
                bandNanos = 0;
                nextBandEnd = (int) Math.min(n, (long) nextBandEnd * 10);
            }
            if ((i & 1023) == 0) progress.update(i, n);
        }
        progress.phase("scale: measuring the heap with " + n + " idle connections");
        long established = usedHeapAfterGc();

        progress.phase("scale: closing " + n + " connections (the clients first)");
        for (int i = 0; i < n; i++) {
            Connection c = clientEnds[i];
            NetStack client = clients[i / portsPerClient];
            client.lock();
            try {
                c.close(net.now);
            } finally {
                client.unlock();
            }
            net.drain();
            Connection s = serverEnds[i];
            server.lock();
            try {
                s.close(net.now);
            } finally {
                server.unlock();
            }
            net.drain();
            serverEnds[i] = null;
            if (c.state() != TcpState.TIME_WAIT) {
                throw new IOException("connection " + i + " is in " + c.state() + " after the close, not TIME_WAIT");
            }
            clientEnds[i] = null;
            if ((i & 1023) == 0) progress.update(i, n);
        }
        progress.phase("scale: measuring the heap with " + n + " TIME_WAIT records");
        long timeWait = usedHeapAfterGc();
        int serverLeft = server.connectionCount();

        progress.phase("scale: expiring TIME_WAIT");
        net.now += clients[0].config().timeWaitNanos() + 1_000_000_000L;
        long t0 = System.nanoTime();
        int expired = 0;
        for (NetStack c : clients) expired += c.fireTimers(net.now);
        long expiryNanos = System.nanoTime() - t0;
        int left = 0;
        for (NetStack c : clients) left += c.connectionCount();
        long after = usedHeapAfterGc();
        progress.done();
        String detail = String.format(java.util.Locale.ROOT,
                "%d client stacks; %d packets; server connections left after the close: %d; "
                        + "TIME_WAIT records expired: %d, left: %d", clientCount, net.packets, serverLeft, expired, left);
        return new Result(n, baseline, established, timeWait, after, clientCount, bands,
                expired > 0 ? expiryNanos / (double) expired : Double.NaN, detail);
    }

    /**
     * The demux table and the timer wheel on their own at {@code size} entries: a lookup of a
     * present key, a timer moved to a new deadline (what every ACK does to the retransmission
     * timer), and a timer expiring (per timer).
     */
    public static Flatness flatness(int size, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        DemuxTable<Object> table = new DemuxTable<>(64);
        long[] keys = new long[size];
        Object value = new Object();
        for (int i = 0; i < size; i++) {
            keys[i] = DemuxTable.key(FIRST_CLIENT_ADDRESS + i / PORTS_PER_CLIENT, SERVER_PORT,
                    CLIENT_PORT_LOW + i % PORTS_PER_CLIENT);
            table.put(keys[i], value);
        }
        int lookups = Math.max(1_000_000, size);
        int[] order = new int[lookups];
        for (int i = 0; i < lookups; i++) order[i] = random.nextInt(size);
        long found = 0;
        double lookup = Double.NaN;
        for (int round = 0; round < 2; round++) { // the first round warms the JIT
            found = 0;
            long t0 = System.nanoTime();
            for (int i = 0; i < lookups; i++) if (table.get(keys[order[i]]) != null) found++;
            long t = System.nanoTime() - t0;
            if (round == 1) {
                if (found != lookups) throw new IllegalStateException("demux lost keys: " + found + " of " + lookups);
                lookup = t / (double) lookups;
            }
        }

        long tick = 1_000_000L;
        long start = 0;
        TimerWheel<Object> wheel = new TimerWheel<>(tick, 1024, start);
        List<TimerWheel.Timer<Object>> timers = new ArrayList<>(size);
        long horizon = 60_000_000_000L; // deadlines spread over a minute, like TIME_WAIT and RTOs mixed
        for (int i = 0; i < size; i++) {
            TimerWheel.Timer<Object> t = new TimerWheel.Timer<>(value);
            wheel.schedule(t, start + 1 + random.nextLong(horizon));
            timers.add(t);
        }
        int moves = Math.max(1_000_000, size);
        double reschedule = 0;
        for (int round = 0; round < 2; round++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < moves; i++) {
                TimerWheel.Timer<Object> t = timers.get(order[i % lookups]);
                wheel.schedule(t, start + 1 + ((t.deadline() + 200_000_000L) % horizon));
            }
            reschedule = (System.nanoTime() - t0) / (double) moves;
        }
        long t0 = System.nanoTime();
        int[] fired = {0};
        long now = start;
        while (wheel.size() > 0 && now <= start + 2 * horizon) {
            now += 100 * tick;
            wheel.expire(now, o -> fired[0]++);
        }
        double expire = fired[0] > 0 ? (System.nanoTime() - t0) / (double) fired[0] : Double.NaN;
        return new Flatness(size, lookup, reschedule, expire);
    }

    /** Used heap after full collections, repeated until two readings agree within 1% (at most 6). */
    public static long usedHeapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long previous = Long.MAX_VALUE;
        long used = 0;
        for (int i = 0; i < 6; i++) {
            System.gc();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            used = memory.getHeapMemoryUsage().getUsed();
            if (i >= 2 && Math.abs(used - previous) <= previous / 100) break;
            previous = used;
        }
        return used;
    }
}
