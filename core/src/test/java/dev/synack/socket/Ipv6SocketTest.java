package dev.synack.socket;

import static dev.synack.socket.SimSockets.readAll;
import static dev.synack.socket.SimSockets.sha256;
import static dev.synack.socket.SimSockets.writeAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synack.link.SimNetwork;
import dev.synack.stack.NetStack;
import dev.synack.tcp.TcpConfig;
import dev.synack.wire.Ipv6Header;
import dev.synack.wire.PacketCodec;
import dev.synack.wire.ParseResult;
import dev.synack.wire.TcpPacket;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** TCP over IPv6 between whole stacks and sockets on a SimNetwork, and dual-stack listeners. */
@Timeout(30)
class Ipv6SocketTest {
    private final SimNetwork net = new SimNetwork(6);
    private final NetStack client = net.addHost("client", "10.0.0.1,fd00::1", TcpConfig.linux());
    private final NetStack server = net.addHost("server", "10.0.0.2,fd00::2", TcpConfig.linux());

    private static InetSocketAddress at(String ip, int port) { return new InetSocketAddress(ip, port); }

    /** Every TCP packet a stack sends, decoded. */
    private static List<TcpPacket> sentBy(NetStack stack) {
        List<TcpPacket> sent = new ArrayList<>();
        stack.addPacketTap((s, t, outbound, packet) -> {
            TcpPacket p = new TcpPacket();
            if (outbound && PacketCodec.decode(packet.duplicate(), p) == ParseResult.OK) sent.add(p.copyFrom(p));
            if (outbound && p.isIpv6()) assertThat(Ipv6Header.version(packet, packet.position())).isEqualTo(6);
        });
        return sent;
    }

    @Test
    void aBulkTransferEachWayOverIpv6WithTheIpv6Mss() {
        byte[] up = new byte[300_000];
        byte[] down = new byte[200_000];
        new Random(1).nextBytes(up);
        new Random(2).nextBytes(down);
        Map<String, String> seen = new ConcurrentHashMap<>();
        List<TcpPacket> fromClient = sentBy(client);
        net.spawn("server", () -> {
            try (TcpServerSocket ss = new TcpServerSocket(server)) {
                ss.bind(at("::", 80));
                ss.listen(8);
                try (TcpSocket c = ss.accept()) {
                    seen.put("peer", c.getRemoteAddress().toString());
                    seen.put("local", c.getLocalAddress().toString());
                    seen.put("up", sha256(readAll(c)));
                    writeAll(c, down);
                }
            }
        });
        net.spawn("client", () -> {
            try (TcpSocket c = new TcpSocket(client)) {
                c.connect(at("fd00::2", 80));
                seen.put("ss", client.snapshot().ss());
                writeAll(c, up);
                c.shutdownOutput();
                seen.put("down", sha256(readAll(c)));
                seen.put("mss", Integer.toString(c.tcpInfo().sndMss()));
            }
            net.sleep(java.time.Duration.ofSeconds(1));
            seen.put("time-wait records", Integer.toString(client.timeWaitRecordCount()));
            seen.put("ss after close", client.snapshot().ss());
        });
        net.run();
        assertThat(seen.get("up")).isEqualTo(sha256(up));
        assertThat(seen.get("down")).isEqualTo(sha256(down));
        assertThat(seen.get("peer")).startsWith("/[fd00:0:0:0:0:0:0:1]:");
        assertThat(seen.get("local")).isEqualTo("/[fd00:0:0:0:0:0:0:2]:80");
        assertThat(seen.get("mss")).as("1500 - 40 - 20, less 12 of timestamps").isEqualTo("1428");
        assertThat(seen.get("ss")).contains("[fd00::1]:").contains("[fd00::2]:80");
        assertThat(fromClient).isNotEmpty().allMatch(TcpPacket::isIpv6);
        assertThat(fromClient.getFirst().segment().options().mss()).isEqualTo(1440);
        // The client closed first: its connection is a TIME_WAIT record now, shown as ss shows IPv6.
        assertThat(seen.get("time-wait records")).isEqualTo("1");
        assertThat(seen.get("ss after close")).containsPattern("TIME-WAIT +0 +0 +\\[fd00::1\\]:\\d+ +\\[fd00::2\\]:80");
        // RFC 6437: one flow label, not zero, on every packet of the connection.
        assertThat(fromClient).extracting(TcpPacket::flowLabel).containsOnly(fromClient.getFirst().flowLabel()).doesNotContain(0);
    }

    @Test
    void aDualStackListenerTakesBothFamiliesAndShowsIpv4PeersMapped() {
        Map<String, InetSocketAddress> peers = new ConcurrentHashMap<>();
        net.spawn("server", () -> {
            try (TcpServerSocket ss = new TcpServerSocket(server)) {
                ss.bind(at("::", 80));
                ss.listen(8);
                for (int i = 0; i < 2; i++) {
                    try (TcpSocket c = ss.accept()) {
                        InetSocketAddress peer = c.getRemoteAddress();
                        peers.put(readAll(c).length == 4 ? "v4" : "v6", peer);
                    }
                }
            }
        });
        net.spawn("client", () -> {
            try (TcpSocket c = new TcpSocket(client)) {
                c.connect(at("10.0.0.2", 80));
                writeAll(c, new byte[4]);
                c.shutdownOutput();
                readAll(c);
            }
            try (TcpSocket c = new TcpSocket(client)) {
                c.connect(at("fd00::2", 80));
                writeAll(c, new byte[6]);
                c.shutdownOutput();
                readAll(c);
            }
        });
        net.run();
        assertThat(peers.get("v4").getAddress()).isInstanceOf(Inet6Address.class);
        assertThat(peers.get("v4").getAddress().getAddress())
                .isEqualTo(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 0, 0, 1});
        assertThat(peers.get("v6").getAddress().getHostAddress()).isEqualTo("fd00:0:0:0:0:0:0:1");
    }

    @Test
    void ipv6OnlyAndIpv4BindingsRefuseTheOtherFamily() {
        Map<String, String> outcome = new HashMap<>();
        net.spawn("server", () -> {
            TcpServerSocket v6 = new TcpServerSocket(server);
            v6.setOption(TcpSocketOptions.IPV6_V6ONLY, true);
            v6.bind(at("::", 80));
            v6.listen(8);
            TcpServerSocket v4 = new TcpServerSocket(server);
            v4.bind(at("0.0.0.0", 81));
            v4.listen(8);
        });
        net.spawn("client", () -> {
            net.sleep(java.time.Duration.ofMillis(10));
            outcome.put("v4 to v6only", attempt(at("10.0.0.2", 80)));
            outcome.put("v6 to v6only", attempt(at("fd00::2", 80)));
            outcome.put("v6 to v4", attempt(at("fd00::2", 81)));
            outcome.put("v4 to v4", attempt(at("10.0.0.2", 81)));
        });
        net.run();
        assertThat(outcome).containsEntry("v4 to v6only", "refused").containsEntry("v6 to v6only", "connected")
                .containsEntry("v6 to v4", "refused").containsEntry("v4 to v4", "connected");
    }

    private String attempt(InetSocketAddress to) {
        try (TcpSocket c = new TcpSocket(client)) {
            c.connect(to);
            return "connected";
        } catch (ConnectException e) {
            return "refused";
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    @Test
    void aHostWithoutIpv6CannotReachAnIpv6Address() {
        NetStack v4only = net.addHost("old", "10.0.0.3", TcpConfig.linux());
        net.spawn("old", () -> {
            try (TcpSocket c = new TcpSocket(v4only)) {
                assertThatThrownBy(() -> c.connect(at("fd00::2", 80))).isInstanceOf(SocketException.class)
                        .hasMessageContaining("Network is unreachable");
            }
        });
        net.run();
    }

    @Test
    void anIpv6OnlyHostTalksToADualStackOne() {
        NetStack v6only = net.addHost("new", "fd00::3", TcpConfig.linux());
        Map<String, String> seen = new ConcurrentHashMap<>();
        net.spawn("server", () -> {
            try (TcpServerSocket ss = new TcpServerSocket(server, 80, 8); TcpSocket c = ss.accept()) {
                seen.put("got", new String(readAll(c)));
            }
        });
        net.spawn("new", () -> {
            try (TcpSocket c = new TcpSocket(v6only)) {
                c.connect(at("fd00::2", 80));
                writeAll(c, "hello".getBytes());
            }
        });
        net.run();
        assertThat(seen).containsEntry("got", "hello");
        assertThat(v6only.toString()).isEqualTo("NetStack[new fd00::3]");
    }
}
