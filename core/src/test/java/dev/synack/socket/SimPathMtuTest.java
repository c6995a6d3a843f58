package dev.synack.socket;

import static dev.synack.socket.SimSockets.readAll;
import static dev.synack.socket.SimSockets.server;
import static dev.synack.socket.SimSockets.sha256;
import static dev.synack.socket.SimSockets.writeAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synack.link.PathConditions;
import dev.synack.tcp.TcpError;
import dev.synack.tcp.TcpException;
import dev.synack.wire.Icmpv4Error;
import dev.synack.wire.Ipv4Address;
import dev.synack.wire.TcpFlags;
import dev.synack.wire.TcpPacket;
import java.net.ConnectException;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * ICMP errors on a simulated network: a path whose middle hop has a smaller MTU and answers with
 * "fragmentation needed" (path MTU discovery, RFC 1191), and errors a router sends about a
 * connection (RFC 1122 §4.2.3.9).
 */
@Timeout(60)
class SimPathMtuTest {
    private static final int ROUTER = Ipv4Address.parse("10.0.9.254");

    @Test
    void aTransferOverANarrowHopShrinksItsSegmentsAndDeliversEveryByte() {
        SimSockets s = new SimSockets(71);
        PathConditions narrow = PathConditions.builder().delay(Duration.ofMillis(10)).mtu(1200, ROUTER).build();
        s.net.conditions(narrow);
        List<Integer> arrivedAtServer = new ArrayList<>();
        s.server.addPacketTap((stack, t, outbound, packet) -> {
            if (!outbound) arrivedAtServer.add(packet.remaining());
        });
        byte[] data = new byte[400_000];
        new Random(71).nextBytes(data);
        SimSockets.Echo echo = s.spawnEcho(data);
        s.net.run();
        assertThat(sha256(echo.received().get())).isEqualTo(sha256(data));
        assertThat(sha256(echo.echoed().get())).isEqualTo(sha256(data));
        // Both senders were told, shrank their segments, and everything after fitted.
        assertThat(s.client.counters().get("InDestUnreachs")).isPositive();
        assertThat(s.server.counters().get("InDestUnreachs")).isPositive();
        assertThat(arrivedAtServer).allMatch(n -> n <= 1200);
        assertThat(arrivedAtServer.stream().filter(n -> n == 1200).count()).as("full-sized segments of the new size")
                .isGreaterThan(100);
        assertThat(s.client.counters().get("OutOfWindowIcmps")).isZero();
        // Each sender had at most one cwnd of too-big segments dropped before it learned the MTU.
        assertThat(s.net.packetsDropped()).isLessThan(40);
    }

    @Test
    void aForgedFragmentationNeededOutsideTheWindowChangesNothing() {
        SimSockets s = new SimSockets(72);
        List<Integer> sentByClient = new ArrayList<>();
        s.client.addPacketTap((stack, t, outbound, packet) -> {
            if (outbound) sentByClient.add(packet.remaining());
        });
        byte[] data = new byte[200_000];
        AtomicReference<byte[]> received = new AtomicReference<>();
        AtomicReference<Integer> clientPort = new AtomicReference<>();
        s.net.spawn("server", () -> {
            try (TcpServerSocket ss = new TcpServerSocket(s.server, 80, 4); TcpSocket c = ss.accept()) {
                received.set(readAll(c));
            }
        });
        s.net.spawn("client", () -> {
            try (TcpSocket c = new TcpSocket(s.client)) {
                c.connect(server(80));
                clientPort.set(c.getLocalAddress().getPort());
                writeAll(c, data);
                c.shutdownOutput();
                readAll(c);
            }
        });
        s.net.spawn("attacker", () -> {
            s.net.sleep(Duration.ofMillis(45)); // the transfer is under way
            // Sequence numbers all over the space but, almost surely, not inside the client's flight.
            for (int i = 0; i < 64; i++) {
                int seq = 0x1234 + i * 0x04000000;
                s.client.deliver(forged(Icmpv4Error.CODE_FRAGMENTATION_NEEDED, 576, clientPort.get(), seq));
                s.client.deliver(forged(Icmpv4Error.CODE_PORT_UNREACHABLE, 0, clientPort.get(), seq));
            }
        });
        s.net.run();
        assertThat(received.get()).hasSize(data.length);
        assertThat(s.client.counters().get("OutOfWindowIcmps")).isEqualTo(128);
        assertThat(sentByClient).contains(1500); // still full-sized segments
        assertThat(sentByClient.getLast()).isLessThanOrEqualTo(1500);
    }

    /** An ICMP destination unreachable from the router about a segment client:port -> server:80 with {@code seq}. */
    private static ByteBuffer forged(int code, int mtu, int clientPort, int seq) {
        ByteBuffer b = ByteBuffer.allocate(100);
        b.limit(Icmpv4Error.writeQuotingTcp(b, ROUTER, Ipv4Address.parse(SimSockets.CLIENT_IP),
                Icmpv4Error.TYPE_DESTINATION_UNREACHABLE, code, Icmpv4Error.fragmentationNeededWord(mtu),
                Ipv4Address.parse(SimSockets.CLIENT_IP), Ipv4Address.parse(SimSockets.SERVER_IP), 1500, clientPort, 80, seq));
        return b;
    }

    @Test
    void portUnreachableDuringTheHandshakeAbortsConnectWithConnectionRefused() {
        SimSockets s = new SimSockets(73);
        AtomicReference<TcpPacket> syn = new AtomicReference<>();
        // The server's host answers nothing: a firewall drops the SYN and a router answers for it.
        s.net.addFault((from, packet) -> {
            if (!packet.segment().has(TcpFlags.SYN)) return null;
            syn.set(new TcpPacket().copyFrom(packet));
            return "filtered";
        });
        AtomicReference<Throwable> failure = new AtomicReference<>();
        s.net.spawn("client", () -> {
            try (TcpSocket c = new TcpSocket(s.client)) {
                c.connect(server(80));
            } catch (Exception e) {
                failure.set(e);
            }
        });
        s.net.spawn("router", () -> {
            s.net.sleep(Duration.ofMillis(5));
            TcpPacket p = syn.get();
            s.client.deliver(forged(Icmpv4Error.CODE_PORT_UNREACHABLE, 0, p.segment().sourcePort(), p.segment().seq()));
        });
        s.net.run();
        assertThat(failure.get()).isInstanceOf(ConnectException.class).hasMessageContaining("Connection refused");
        assertThat(((TcpException) failure.get().getCause()).error()).isEqualTo(TcpError.CONNECTION_REFUSED);
        assertThat(s.net.nowNanos()).as("aborted at once, not after SYN retries").isLessThan(Duration.ofMillis(100).toNanos());
    }

    @Test
    void hostUnreachableWhileEstablishedIsSoftAndShowsWhenTheConnectionTimesOut() {
        SimSockets s = new SimSockets(74);
        AtomicReference<TcpPacket> lastData = new AtomicReference<>();
        AtomicReference<Boolean> cut = new AtomicReference<>(false);
        // After the handshake the server's host goes away: its router answers data with host unreachable.
        s.net.addFault((from, packet) -> {
            if (!cut.get() || !from.equals("client")) return null;
            lastData.set(new TcpPacket().copyFrom(packet));
            return "server gone";
        });
        AtomicReference<TcpSocket> socket = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        s.net.spawn("server", () -> {
            try (TcpServerSocket ss = new TcpServerSocket(s.server, 80, 4)) {
                ss.accept();
            }
        });
        s.net.spawn("client", () -> {
            TcpSocket c = new TcpSocket(s.client);
            socket.set(c);
            c.connect(server(80));
            cut.set(true);
            writeAll(c, new byte[1000]);
            try {
                readAll(c);
            } catch (Exception e) {
                failure.set(e);
            }
            c.close();
        });
        s.net.spawn("router", () -> {
            s.net.sleep(Duration.ofMillis(200));
            TcpPacket p = lastData.get();
            s.client.deliver(forged(Icmpv4Error.CODE_HOST_UNREACHABLE, 0, p.segment().sourcePort(), p.segment().seq()));
            s.net.sleep(Duration.ofSeconds(1));
            // Still established; the connection keeps retransmitting.
            assertThat(socket.get().isConnected()).isTrue();
            assertThat(socket.get().error()).isNull();
        });
        s.net.run();
        assertThat(failure.get()).isInstanceOf(SocketException.class).hasMessageContaining("No route to host");
        assertThat(socket.get().error()).isEqualTo(TcpError.HOST_UNREACHABLE);
        assertThat(s.net.nowNanos()).as("only after the retransmissions ran out").isGreaterThan(Duration.ofMinutes(2).toNanos());
    }
}
