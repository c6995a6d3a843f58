package dev.synack.link;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import dev.synack.stack.Counter;
import dev.synack.stack.NetStack;
import dev.synack.tcp.TcpConfig;
import dev.synack.wire.Ipv4Address;
import dev.synack.wire.Ipv4Header;
import dev.synack.wire.TcpHeader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Checksum offload on a {@link MemoryLink}: packets a stack hands to the link itself carry no TCP
 * checksum and are not verified; everything else is computed and verified as on any link.
 */
@Timeout(60)
class MemoryLinkChecksumOffloadTest {
    private static final int PORT = 80;

    /** A TCP packet as a tap saw it: was its TCP checksum field zero, and does it verify? */
    private record Seen(boolean outbound, boolean checksumZero, boolean checksumValid) {
        static Seen of(boolean outbound, ByteBuffer packet) {
            int ip = packet.position();
            int tcp = ip + Ipv4Header.ihl(packet, ip) * 4;
            int tcpLength = Ipv4Header.totalLength(packet, ip) - (tcp - ip);
            return new Seen(outbound, TcpHeader.checksum(packet, tcp) == 0, TcpHeader.checksumValid(packet, tcp, tcpLength,
                    Ipv4Header.sourceAddress(packet, ip), Ipv4Header.destinationAddress(packet, ip)));
        }
    }

    private static List<Seen> tap(NetStack stack) {
        List<Seen> seen = new CopyOnWriteArrayList<>();
        stack.addPacketTap((s, time, outbound, packet) -> seen.add(Seen.of(outbound, packet)));
        return seen;
    }

    /** Sends {@code data} from client to server over sockets and returns what the server read. */
    private static byte[] transfer(NetStack client, NetStack server, byte[] data) throws Exception {
        CountDownLatch listening = new CountDownLatch(1);
        CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
            try (TcpServerSocket ss = new TcpServerSocket(server, PORT, 1)) {
                listening.countDown();
                try (TcpSocket s = ss.accept(Duration.ofSeconds(20))) {
                    return s.getInputStream().readAllBytes();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        assertThat(listening.await(10, TimeUnit.SECONDS)).isTrue();
        try (TcpSocket s = new TcpSocket(client)) {
            s.connect(new InetSocketAddress(Ipv4Address.format(server.address()), PORT), Duration.ofSeconds(10));
            s.getOutputStream().write(data);
        }
        return received.get(40, TimeUnit.SECONDS);
    }

    private static byte[] data(int size, long seed) {
        byte[] data = new byte[size];
        new Random(seed).nextBytes(data);
        return data;
    }

    @Test
    void offloadedPacketsCarryNoTcpChecksumAndArriveWhole() throws Exception {
        byte[] data = data(200_000, 1);
        try (MemoryLink link = new MemoryLink()) {
            NetStack client = link.addHost("client", "10.0.0.1", TcpConfig.linux());
            NetStack server = link.addHost("server", "10.0.0.2", TcpConfig.linux());
            List<Seen> atServer = tap(server);
            assertThat(link.offloadsTcpChecksums()).isTrue();
            assertThat(transfer(client, server, data)).isEqualTo(data);
            List<Seen> arrived = atServer.stream().filter(s -> !s.outbound()).toList();
            assertThat(arrived).isNotEmpty().allSatisfy(s -> assertThat(s.checksumZero()).isTrue());
            assertThat(server.counter(Counter.IN_ERRS)).isZero();
        }
    }

    @Test
    void aTapOnTheSendingStackSeesCompleteChecksums() throws Exception {
        byte[] data = data(50_000, 2);
        try (MemoryLink link = new MemoryLink()) {
            NetStack client = link.addHost("client", "10.0.0.1", TcpConfig.linux());
            NetStack server = link.addHost("server", "10.0.0.2", TcpConfig.linux());
            List<Seen> atClient = tap(client);
            assertThat(transfer(client, server, data)).isEqualTo(data);
            assertThat(atClient.stream().filter(Seen::outbound).toList()).isNotEmpty()
                    .allSatisfy(s -> assertThat(s.checksumValid()).isTrue());
        }
    }

    @Test
    void withoutOffloadEveryChecksumIsComputed() throws Exception {
        byte[] data = data(50_000, 3);
        try (MemoryLink link = new MemoryLink(false)) {
            NetStack client = link.addHost("client", "10.0.0.1", TcpConfig.linux());
            NetStack server = link.addHost("server", "10.0.0.2", TcpConfig.linux());
            List<Seen> atServer = tap(server);
            assertThat(link.offloadsTcpChecksums()).isFalse();
            assertThat(transfer(client, server, data)).isEqualTo(data);
            assertThat(atServer).isNotEmpty().allSatisfy(s -> assertThat(s.checksumValid()).isTrue());
        }
    }

    /**
     * Stacks behind a {@link FaultyLink} that corrupts bytes compute their checksums and the
     * receiver verifies them even though the link underneath offloads: corrupt packets are caught
     * (InErrs) and retransmitted, and the data arrives intact.
     */
    @Test
    void corruptionInjectedInFrontOfTheLinkIsStillCaught() throws Exception {
        byte[] data = data(100_000, 4);
        Function<MemoryLink, FaultyLink> faulty = memory -> FaultyLink.realTime(memory,
                PathConditions.builder().corrupt(0.1).build(), 4);
        try (MemoryLink memory = new MemoryLink(); FaultyLink link = faulty.apply(memory)) {
            NetStack client = link.addHost("client", "10.0.0.1", TcpConfig.linux());
            NetStack server = link.addHost("server", "10.0.0.2", TcpConfig.linux());
            assertThat(transfer(client, server, data)).isEqualTo(data);
            assertThat(link.stats().corrupted()).isPositive();
            assertThat(server.counter(Counter.IN_ERRS) + client.counter(Counter.IN_ERRS)).isPositive();
        }
    }
}
