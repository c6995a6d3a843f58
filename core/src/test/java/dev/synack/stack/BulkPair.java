package dev.synack.stack;

import dev.synack.tcp.Connection;
import dev.synack.tcp.IsnGenerator;
import dev.synack.tcp.Listener;
import dev.synack.tcp.TcpConfig;
import dev.synack.tcp.TcpState;
import dev.synack.wire.IpAddress;
import java.nio.ByteBuffer;

/**
 * Two stacks on one thread, a bulk connection between them and a {@link PacketRing} carrying their
 * packets, all in a stopped clock that moves 10 us per round: the whole send/receive path with no
 * thread and no real link. NetStackAllocationTest measures its allocation, the JMH bulk-transfer
 * benchmark its speed.
 */
public final class BulkPair {
    public static final int CHUNK = 64 * 1024;
    static final int CLIENT = 0x0a000001;
    static final int SERVER = 0x0a000002;

    public final PacketRing ring;
    public final NetStack client;
    public final NetStack server;
    public final Connection sender;
    public final Connection receiver;
    final ByteBuffer chunk = ByteBuffer.allocate(CHUNK);
    final ByteBuffer sink = ByteBuffer.allocate(CHUNK);
    long now = 1_000_000_000L;

    public BulkPair(TcpConfig config, int mss, int buffer) throws java.io.IOException {
        this(config, mss, buffer, false);
    }

    /** As above; with {@code ipv6} the connection runs between fd00::1 and fd00::2. */
    public BulkPair(TcpConfig config, int mss, int buffer, boolean ipv6) throws java.io.IOException {
        ring = new PacketRing(mss, buffer);
        client = new NetStack("client", CLIENT, config, () -> now, IsnGenerator.fixed(7), 1);
        server = new NetStack("server", SERVER, config, () -> now, IsnGenerator.fixed(9), 2);
        if (ipv6) {
            client.ipv6Address(IpAddress.parse("fd00::1"));
            server.ipv6Address(IpAddress.parse("fd00::2"));
        }
        client.attach(ring, null);
        server.attach(ring, null);
        Listener listener;
        server.lock();
        try {
            server.bind(80);
            listener = server.listen(80, 1);
        } finally {
            server.unlock();
        }
        client.lock();
        try {
            sender = ipv6 ? client.connect(0, server.ipv6Address(), 80, null) : client.connect(0, SERVER, 80);
        } finally {
            client.unlock();
        }
        ring.pump(client, server);
        server.lock();
        try {
            receiver = listener.accept();
        } finally {
            server.unlock();
        }
        if (receiver == null || sender.state() != TcpState.ESTABLISHED) {
            throw new IllegalStateException("no connection: " + sender + " / " + receiver);
        }
    }

    /** Writes {@code chunks} chunks of 64 KiB and reads them all on the other side; returns the bytes read. */
    public long transfer(int chunks) {
        long read = 0;
        for (int c = 0; c < chunks; c++) {
            chunk.clear();
            long target = read + CHUNK;
            int rounds = 0;
            while (chunk.hasRemaining() || read < target) {
                if (++rounds > 100_000) throw new IllegalStateException("no progress: " + sender + " / " + receiver);
                if (chunk.hasRemaining()) {
                    client.lock();
                    try {
                        sender.write(chunk, now);
                    } finally {
                        client.unlock();
                    }
                }
                now += 10_000; // the stacks' timers (delayed ACK) see time pass
                ring.pump(client, server);
                int n;
                do {
                    server.lock();
                    try {
                        n = receiver.read(sink.clear(), now);
                    } finally {
                        server.unlock();
                    }
                    read += Math.max(0, n);
                } while (n > 0);
                ring.pump(client, server);
                if (client.nextTimerDeadline() <= now) client.fireTimers(now);
                if (server.nextTimerDeadline() <= now) server.fireTimers(now);
                ring.pump(client, server);
            }
        }
        return read;
    }
}
