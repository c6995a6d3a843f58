package dev.synack.link;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import dev.synack.stack.Counter;
import dev.synack.stack.NetStack;
import dev.synack.stack.StackShards;
import dev.synack.tcp.TcpConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A multi-queue TUN device (IFF_MULTI_QUEUE) with a host of one shard per queue, against the
 * kernel in a namespace of its own: connections both ways land on the shard of their flow, the
 * kernel steers each packet to that shard's queue (TunSteering), and every byte arrives.
 */
@Timeout(120)
class TunMultiQueueTest {
    private static final int QUEUES = 2;

    @Test
    void kernelClientsAndSynackClientsOverTwoQueues() throws Exception {
        NetNamespace.assumeAvailable();
        try (NetNamespace ns = NetNamespace.create()) {
            TunLink.Options options = TunLink.Options.of("synack0", KernelInterop.SYNACK_IP + "/24").namespace(ns.name);
            try (TunLink link = ns.call(() -> TunLink.open(options, QUEUES));
                 ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                assertThat(link.queueCount()).isEqualTo(QUEUES);
                StackShards host = link.addShardedHost("synack", options.hostAddresses(), TcpConfig.linux());
                assertThat(host.count()).isEqualTo(QUEUES);

                // The kernel's clients to synack's echo servers, one listener per shard.
                List<TcpServerSocket> listeners = echoServers(host, threads);
                kernelClientsEcho(ns, KernelInterop.SYNACK_IP, 200, 7, threads);
                for (NetStack shard : host.all()) assertThat(shard.counter(Counter.PASSIVE_OPENS)).as(shard.name()).isPositive();

                // synack's clients, from each shard in turn, to the kernel's echo server.
                try (ServerSocket kernelServer = ns.call(() -> new ServerSocket(9, 1024,
                        InetAddress.ofLiteral(link.options().kernelAddress())))) {
                    threads.submit(() -> {
                        while (true) {
                            Socket s = kernelServer.accept();
                            threads.submit(() -> echo(s.getInputStream(), s.getOutputStream(), s));
                        }
                    });
                    List<Future<Boolean>> synackClients = new ArrayList<>();
                    for (int i = 0; i < 100; i++) {
                        byte[] message = ("synack client " + i + ";").repeat(1 + i * 11).getBytes();
                        NetStack from = host.next();
                        synackClients.add(threads.submit(() -> {
                            try (TcpSocket s = new TcpSocket(from)) {
                                s.connect(new InetSocketAddress(InetAddress.ofLiteral(link.options().kernelAddress()), 9));
                                s.getOutputStream().write(message);
                                s.shutdownOutput();
                                return Arrays.equals(s.getInputStream().readAllBytes(), message);
                            }
                        }));
                    }
                    for (Future<Boolean> f : synackClients) assertThat(f.get(60, TimeUnit.SECONDS)).isTrue();
                }
                for (NetStack shard : host.all()) {
                    assertThat(shard.counter(Counter.ACTIVE_OPENS)).as(shard.name()).isPositive();
                    assertThat(shard.counter(Counter.INTERNAL_ERRORS)).as(shard.name()).isZero();
                }
                // The kernel steers every TCP packet to its flow's shard's queue (the eBPF program
                // computes FlowShard's hash), SYNs included: no reader hands a packet across.
                assertThat(link.steered()).as("the kernel took the steering program").isTrue();
                assertThat(link.packetsOffQueue()).as("packets read on another shard's queue").isZero();
                for (TcpServerSocket l : listeners) l.close();
            }
        }
    }

    @Test
    void kernelClientsOverIpv6AreSteeredToTheirShardsQueue() throws Exception {
        NetNamespace.assumeAvailable();
        try (NetNamespace ns = NetNamespace.create()) {
            TunLink.Options options = TunLink.Options.of("synack0", KernelInterop.SYNACK_IP6 + "/64").namespace(ns.name);
            try (TunLink link = ns.call(() -> TunLink.open(options, QUEUES));
                 ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                StackShards host = link.addShardedHost("synack", options.hostAddresses(), TcpConfig.linux());
                List<TcpServerSocket> listeners = echoServers(host, threads);
                kernelClientsEcho(ns, KernelInterop.SYNACK_IP6, 100, 5, threads);
                for (NetStack shard : host.all()) assertThat(shard.counter(Counter.PASSIVE_OPENS)).as(shard.name()).isPositive();
                assertThat(link.steered()).isTrue();
                assertThat(link.packetsOffQueue()).as("IPv6 packets read on another shard's queue").isZero();
                for (TcpServerSocket l : listeners) l.close();
            }
        }
    }

    /** An echo server on port 7 of every shard, each accepting on a virtual thread of {@code threads}. */
    private static List<TcpServerSocket> echoServers(StackShards host, ExecutorService threads) throws IOException {
        List<TcpServerSocket> listeners = new ArrayList<>();
        for (NetStack shard : host.all()) {
            TcpServerSocket l = new TcpServerSocket(shard, 7, 1024);
            listeners.add(l);
            threads.submit(() -> {
                while (true) {
                    TcpSocket s = l.accept();
                    threads.submit(() -> echo(s));
                }
            });
        }
        return listeners;
    }

    /** {@code count} kernel clients in {@code ns}, each sending a message of its own to port 7 of {@code address}: every echo must match. */
    private static void kernelClientsEcho(NetNamespace ns, String address, int count, int growth, ExecutorService threads)
            throws Exception {
        List<Future<Boolean>> clients = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] message = ("kernel client " + i + ";").repeat(1 + i * growth).getBytes();
            clients.add(threads.submit(() -> {
                try (Socket s = ns.call(() -> {
                    Socket k = new Socket();
                    k.connect(new InetSocketAddress(InetAddress.ofLiteral(address), 7), 10_000);
                    return k;
                })) {
                    s.getOutputStream().write(message);
                    s.shutdownOutput();
                    return Arrays.equals(s.getInputStream().readAllBytes(), message);
                }
            }));
        }
        for (Future<Boolean> f : clients) assertThat(f.get(60, TimeUnit.SECONDS)).isTrue();
    }

    private static Void echo(TcpSocket s) throws Exception {
        return echo(s.getInputStream(), s.getOutputStream(), s);
    }

    private static Void echo(InputStream in, OutputStream out, AutoCloseable socket) throws Exception {
        try (socket) {
            in.transferTo(out);
        }
        return null;
    }
}
