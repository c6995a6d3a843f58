package dev.synack.socket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.link.SimNetwork;
import dev.synack.stack.Counter;
import dev.synack.stack.NetStack;
import dev.synack.tcp.TcpConfig;
import dev.synack.wire.PacketCodec;
import dev.synack.wire.TcpFlags;
import dev.synack.wire.TcpPacket;
import java.nio.charset.StandardCharsets;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A SYN flood in virtual time (RFC 4987): 100,000 SYNs a second from random spoofed sources with
 * random ISNs, never answered, against a listener with a backlog of 128, while a legitimate client
 * connects every 50 ms and exchanges data. With SYN cookies each connect completes in one round trip
 * on its first SYN; without them the flood fills the SYN queue and the client's SYNs are dropped.
 */
@Timeout(120)
class SynFloodTest {
    private static final long MS = 1_000_000L;
    private static final long SEED = 4987;
    private static final int BACKLOG = 128;
    private static final Duration FLOOD = Duration.ofSeconds(3);
    private static final Duration ONE_WAY = Duration.ofMillis(10);
    private static final int SYNS_PER_MILLISECOND = 100;

    /** What the legitimate client saw: the time each connect took (-1: it failed) and the echoes it got. */
    private record Outcome(List<Long> connectNanos, int echoes, NetStack server, NetStack client) {}

    private static Outcome flood(int synCookies) {
        SimNetwork net = new SimNetwork(SEED).delay(ONE_WAY);
        NetStack client = net.addHost("client", "10.0.0.1", TcpConfig.linux());
        NetStack server = net.addHost("server", "10.0.0.2", TcpConfig.linux().toBuilder().synCookies(synCookies).build());
        List<Long> connects = new ArrayList<>();
        int[] echoes = {0};
        boolean[] done = {false};
        net.spawn("server", () -> {
            try (TcpServerSocket ss = new TcpServerSocket(server, 80, BACKLOG)) {
                while (!done[0]) {
                    TcpSocket c;
                    try {
                        c = ss.accept(Duration.ofMillis(20));
                    } catch (SocketTimeoutException e) {
                        continue;
                    }
                    try (c) {
                        byte[] buf = new byte[16];
                        int n = c.getInputStream().read(buf);
                        if (n > 0) c.getOutputStream().write(buf, 0, n);
                    }
                }
            }
        });
        net.spawn("attacker", () -> {
            Random random = new Random(SEED);
            long end = net.nowNanos() + FLOOD.toNanos();
            while (net.nowNanos() < end) {
                for (int i = 0; i < SYNS_PER_MILLISECOND; i++) {
                    int source = (10 << 24) | (9 << 16) | random.nextInt(1 << 16); // 10.9.0.0/16: no such host answers
                    server.deliver(spoofedSyn(source, 1024 + random.nextInt(60_000), server.address(), 80, random.nextInt()));
                }
                net.sleep(Duration.ofMillis(1));
            }
        });
        net.spawn("client", () -> {
            net.sleep(Duration.ofMillis(5)); // the flood has begun
            long end = FLOOD.toNanos();
            while (net.nowNanos() < end) {
                long start = net.nowNanos();
                try (TcpSocket c = new TcpSocket(client)) {
                    c.connect(new InetSocketAddress("10.0.0.2", 80), Duration.ofSeconds(2));
                    connects.add(net.nowNanos() - start);
                    c.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
                    byte[] buf = new byte[16];
                    c.setSoTimeout(Duration.ofSeconds(2));
                    if (c.getInputStream().read(buf) == 5) echoes[0]++;
                } catch (IOException e) {
                    connects.add(-1L);
                }
                long next = start + 50 * MS;
                if (net.nowNanos() < next) net.sleep(Duration.ofNanos(next - net.nowNanos()));
            }
            done[0] = true;
        });
        net.runFor(FLOOD.plusSeconds(5));
        return new Outcome(connects, echoes[0], server, client);
    }

    private static ByteBuffer spoofedSyn(int src, int srcPort, int dst, int dstPort, int isn) {
        TcpPacket p = new TcpPacket().sourceAddress(src).destinationAddress(dst);
        p.segment().sourcePort(srcPort).destinationPort(dstPort).seq(isn).flags(TcpFlags.SYN).window(64240);
        p.segment().options().mss(1460).sackPermitted().timestamps(isn, 0).nop().windowScale(7);
        ByteBuffer out = ByteBuffer.allocate(PacketCodec.encodedLength(p));
        PacketCodec.encode(p, out);
        return out.flip();
    }

    @Test
    void withCookiesEveryConnectDuringTheFloodTakesOneRoundTripAndCarriesData() {
        Outcome o = flood(1);
        long rtt = 2 * ONE_WAY.toNanos();
        assertThat(o.connectNanos()).as("seed %d", SEED).hasSizeGreaterThan(50);
        assertThat(o.connectNanos()).as("connect times (ns), seed %d", SEED).allSatisfy(t -> assertThat(t).isBetween(rtt, rtt + MS));
        assertThat(o.echoes()).isEqualTo(o.connectNanos().size());
        assertThat(o.client().counter(Counter.RETRANS_SEGS)).as("no SYN retransmitted").isZero();
        assertThat(o.server().counter(Counter.SYNCOOKIES_SENT)).as("the flood was answered with cookies").isGreaterThan(290_000);
        assertThat(o.server().counter(Counter.SYNCOOKIES_RECV)).isEqualTo(o.connectNanos().size());
        assertThat(o.server().counter(Counter.SYNCOOKIES_FAILED)).isZero();
        assertThat(o.server().counter(Counter.LISTEN_DROPS)).isZero();
    }

    @Test
    void withoutCookiesTheFloodDeniesService() {
        Outcome o = flood(0);
        long rtt = 2 * ONE_WAY.toNanos();
        long slowOrFailed = o.connectNanos().stream().filter(t -> t < 0 || t > rtt + MS).count();
        assertThat(slowOrFailed).as("connects retried or failed, seed %d", SEED).isEqualTo(o.connectNanos().size());
        assertThat(o.server().counter(Counter.LISTEN_DROPS)).isGreaterThan(290_000);
        assertThat(o.server().counter(Counter.SYNCOOKIES_SENT)).isZero();
    }
}
