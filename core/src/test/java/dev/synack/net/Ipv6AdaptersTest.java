package dev.synack.net;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.synack.link.MemoryLink;
import dev.synack.link.SimNetwork;
import dev.synack.nio.SynackSelectorProvider;
import dev.synack.stack.NetStack;
import dev.synack.tcp.TcpConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** java.net's and java.nio's adapters over IPv6, and a wildcard server reached over both families. */
@Timeout(60)
class Ipv6AdaptersTest {
    @Test
    void javaNetSocketsConnectOverIpv6AndAWildcardServerTakesBothFamilies() {
        SimNetwork net = new SimNetwork(3);
        NetStack client = net.addHost("client", "10.0.0.1,fd00::1", TcpConfig.linux());
        NetStack server = net.addHost("server", "10.0.0.2,fd00::2", TcpConfig.linux());
        Map<String, InetAddress> peers = new ConcurrentHashMap<>();
        net.spawn("server", () -> {
            try (ServerSocket ss = new SynackServerSocket(server, 80)) {
                for (int i = 0; i < 2; i++) {
                    try (Socket c = ss.accept()) {
                        String said = new String(c.getInputStream().readAllBytes(), US_ASCII);
                        peers.put(said, c.getInetAddress());
                        peers.put(said + " local", c.getLocalAddress());
                    }
                }
            }
        });
        net.spawn("client", () -> {
            for (String to : new String[] {"fd00::2", "10.0.0.2"}) {
                try (Socket s = new SynackSocket(client)) {
                    s.connect(new InetSocketAddress(to, 80), 5000);
                    s.getOutputStream().write(to.getBytes(US_ASCII));
                    s.shutdownOutput();
                    s.getInputStream().readAllBytes();
                }
            }
        });
        net.run();
        assertThat(peers.get("fd00::2")).isEqualTo(address("fd00::1"));
        assertThat(peers.get("fd00::2 local")).isEqualTo(address("fd00::2"));
        // java.net's wildcard: an IPv4 peer is an Inet4Address, as the JDK's dual-stack sockets show it.
        assertThat(peers.get("10.0.0.2")).isEqualTo(address("10.0.0.1"));
    }

    @Test
    void nioChannelsOfTheInet6FamilyCarryBytesOverIpv6() throws Exception {
        try (MemoryLink link = new MemoryLink()) {
            NetStack c = link.addHost("client", "fd00::1", TcpConfig.linux());
            NetStack s = link.addHost("server", "fd00::2", TcpConfig.linux());
            SynackSelectorProvider client = new SynackSelectorProvider(c);
            SynackSelectorProvider server = new SynackSelectorProvider(s);
            try (ServerSocketChannel l = server.openServerSocketChannel(StandardProtocolFamily.INET6)) {
                l.bind(new InetSocketAddress("fd00::2", 8080));
                try (SocketChannel ch = client.openSocketChannel(StandardProtocolFamily.INET6)) {
                    ch.connect(new InetSocketAddress("fd00::2", 8080));
                    try (SocketChannel accepted = l.accept()) {
                        ch.write(ByteBuffer.wrap("over six".getBytes(US_ASCII)));
                        ByteBuffer got = ByteBuffer.allocate(8);
                        while (got.hasRemaining()) accepted.read(got);
                        assertThat(new String(got.array(), US_ASCII)).isEqualTo("over six");
                        assertThat(((InetSocketAddress) accepted.getRemoteAddress()).getAddress()).isEqualTo(address("fd00::1"));
                        assertThat(((InetSocketAddress) ch.getLocalAddress()).getAddress()).isEqualTo(address("fd00::1"));
                    }
                }
            }
        }
    }

    private static InetAddress address(String text) {
        try {
            return InetAddress.getByName(text);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
