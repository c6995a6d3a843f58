package dev.synack.link;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import dev.synack.stack.Counter;
import dev.synack.stack.FlowShard;
import dev.synack.stack.NetStack;
import dev.synack.stack.StackShards;
import dev.synack.tcp.TcpConfig;
import dev.synack.wire.IpAddress;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A host split into shards over a MemoryLink: every packet reaches its flow's shard. */
@Timeout(60)
class StackShardsTest {
    private static final TcpConfig CONFIG = TcpConfig.linux().toBuilder().msl(Duration.ofMillis(50)).build();

    @Test
    void theShardOfAFlowIsTheSameFromEitherEnd() {
        Random random = new Random(20);
        int[] perShard = new int[3];
        for (int i = 0; i < 30_000; i++) {
            IpAddress a = IpAddress.ipv4(random.nextInt());
            IpAddress b = i % 2 == 0 ? IpAddress.ipv4(random.nextInt()) : IpAddress.of(random.nextLong(), random.nextLong());
            int ap = random.nextInt(65536);
            int bp = random.nextInt(65536);
            int shard = FlowShard.of(a, ap, b, bp, 3);
            assertThat(FlowShard.of(b, bp, a, ap, 3)).as("seed 20, flow %d", i).isEqualTo(shard);
            perShard[shard]++;
        }
        for (int n : perShard) assertThat(n).isBetween(9_000, 11_000); // spread evenly
    }

    @Test
    void theShardOfAPacketIsTheShardOfItsFlow() {
        // An IPv4 TCP header from 10.0.0.1:40000 to 10.0.0.2:80, as a link reads it.
        ByteBuffer p = ByteBuffer.allocate(40);
        p.put(0, (byte) 0x45).put(9, (byte) 6).putInt(12, 0x0a000001).putInt(16, 0x0a000002)
                .putShort(20, (short) 40000).putShort(22, (short) 80);
        for (int count = 2; count <= 5; count++) {
            assertThat(FlowShard.of(p, count)).isEqualTo(FlowShard.of(IpAddress.parse("10.0.0.2"), 80,
                    IpAddress.parse("10.0.0.1"), 40000, count));
        }
    }

    @Test
    void shardedClientsAndServersExchangeOnTheirOwnShards() throws Exception {
        try (MemoryLink link = new MemoryLink();
             ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            StackShards client = link.addShardedHost("client", "10.0.0.1", CONFIG, 3);
            StackShards server = link.addShardedHost("server", "10.0.0.2", CONFIG, 3);
            NetStack plain = link.addHost("plain", "10.0.0.3", CONFIG); // not sharded: the server routes its flows too
            List<TcpServerSocket> listeners = new ArrayList<>();
            List<Future<?>> servers = new ArrayList<>();
            for (NetStack shard : server.all()) {
                TcpServerSocket l = new TcpServerSocket(shard, 7, 128);
                listeners.add(l);
                servers.add(threads.submit(() -> {
                    while (true) {
                        TcpSocket s;
                        try {
                            s = l.accept();
                        } catch (IOException closed) {
                            return null;
                        }
                        InetSocketAddress peer = s.getRemoteAddress();
                        // Every connection a shard accepts is one whose flow is its own.
                        int owner = FlowShard.of(IpAddress.parse("10.0.0.2"), 7, IpAddress.of(peer.getAddress()), peer.getPort(), 3);
                        byte[] request = s.getInputStream().readAllBytes();
                        String reply = "shard " + shard.shardIndex() + " owner " + owner + " got " + request.length;
                        s.getOutputStream().write(reply.getBytes(US_ASCII));
                        s.close();
                    }
                }));
            }
            List<Future<String>> replies = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                NetStack from = i % 4 == 3 ? plain : client.next();
                int size = 1000 + i * 97;
                replies.add(threads.submit(() -> {
                    try (TcpSocket c = new TcpSocket(from)) {
                        c.connect(new InetSocketAddress("10.0.0.2", 7), Duration.ofSeconds(10));
                        c.getOutputStream().write(new byte[size]);
                        c.shutdownOutput();
                        return new String(c.getInputStream().readAllBytes(), US_ASCII) + " of " + size;
                    }
                }));
            }
            for (Future<String> f : replies) {
                String r = f.get(30, TimeUnit.SECONDS);
                String[] w = r.split(" ");
                assertThat(w[1]).as(r).isEqualTo(w[3]); // the shard that answered owns the flow
                assertThat(w[5]).as(r).isEqualTo(w[7]); // every byte arrived
            }
            long accepted = 0;
            for (NetStack shard : server.all()) {
                long n = shard.counter(Counter.PASSIVE_OPENS);
                assertThat(n).as(shard.name()).isPositive(); // every shard had work
                accepted += n;
            }
            assertThat(accepted).isEqualTo(60);
            assertThat(server.counter(Counter.INTERNAL_ERRORS)).isZero();
            for (TcpServerSocket l : listeners) l.close();
            for (Future<?> f : servers) f.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aConnectFromABoundPortWhoseFlowIsAnotherShardsIsRefused() throws Exception {
        try (MemoryLink link = new MemoryLink()) {
            StackShards client = link.addShardedHost("client", "10.0.0.1", CONFIG, 2);
            link.addHost("server", "10.0.0.2", CONFIG);
            int port = 40000;
            while (FlowShard.of(IpAddress.parse("10.0.0.1"), port, IpAddress.parse("10.0.0.2"), 7, 2) != 1) port++;
            TcpSocket s = new TcpSocket(client.shard(0));
            s.bind(port);
            assertThatThrownBy(() -> s.connect(new InetSocketAddress("10.0.0.2", 7)))
                    .isInstanceOf(SocketException.class)
                    .hasMessageContaining("belongs to shard 1");
            s.close();
        }
    }

    @Test
    void aShardedAddressCannotBeAttachedTwice() {
        try (MemoryLink link = new MemoryLink()) {
            link.addShardedHost("a", "10.0.0.1", CONFIG, 2);
            assertThatThrownBy(() -> link.addHost("b", "10.0.0.1", CONFIG)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> link.addShardedHost("c", "10.0.0.1", CONFIG, 2)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
