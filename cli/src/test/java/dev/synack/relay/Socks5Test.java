package dev.synack.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The SOCKS5 client against a small server written here on 127.0.0.1, byte by byte as RFC 1928
 * lays the messages out: UDP ASSOCIATE and its datagram header (§7), a refused CONNECT (§6).
 */
@Timeout(30)
class Socks5Test {
    private static final InetSocketAddress DESTINATION = new InetSocketAddress(InetAddress.ofLiteral("198.18.0.53"), 53);

    /** Accepts one client, checks its greeting and request for {@code command}, answers {@code reply} naming {@code bound}. */
    private static Thread server(ServerSocket listener, int command, int reply, InetSocketAddress bound, Runnable after) {
        return Thread.ofPlatform().start(() -> {
            try (Socket s = listener.accept()) {
                DataInputStream in = new DataInputStream(s.getInputStream());
                OutputStream out = s.getOutputStream();
                byte[] greeting = new byte[3];
                in.readFully(greeting);
                assertThat(greeting).containsExactly(5, 1, 0);
                out.write(new byte[] {5, 0});
                byte[] request = new byte[10];
                in.readFully(request);
                assertThat(request[1]).isEqualTo((byte) command);
                byte[] port = {(byte) (bound.getPort() >> 8), (byte) bound.getPort()};
                byte[] a = bound.getAddress().getAddress();
                out.write(new byte[] {5, (byte) reply, 0, 1, a[0], a[1], a[2], a[3], port[0], port[1]});
                out.flush();
                after.run();
                in.read(); // the association lives until the client closes its connection
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
    }

    @Test
    void udpAssociateWrapsEachDatagramInTheHeaderNamingItsDestination() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             DatagramSocket relay = new DatagramSocket(0, InetAddress.getLoopbackAddress());
             KernelSockets sockets = new KernelSockets()) {
            Thread server = server(listener, Socks5.CMD_UDP_ASSOCIATE, 0, (InetSocketAddress) relay.getLocalSocketAddress(), () -> {
                try {
                    DatagramPacket p = new DatagramPacket(new byte[1500], 1500);
                    relay.receive(p);
                    byte[] got = Arrays.copyOf(p.getData(), p.getLength());
                    // RSV RSV FRAG=0 ATYP=1 198.18.0.53 port 53, then the data.
                    assertThat(Arrays.copyOf(got, 10)).containsExactly(0, 0, 0, 1, (byte) 198, 18, 0, 53, 0, 53);
                    String data = new String(got, 10, got.length - 10, StandardCharsets.US_ASCII);
                    byte[] answer = ("answer to " + data).getBytes(StandardCharsets.US_ASCII);
                    ByteBuffer back = ByteBuffer.allocate(10 + answer.length).put(Arrays.copyOf(got, 10)).put(answer);
                    // A fragment first (FRAG 1): the client drops it.
                    byte[] fragment = ByteBuffer.allocate(18).put(Arrays.copyOf(got, 10)).put("fragment".getBytes(StandardCharsets.US_ASCII)).array();
                    fragment[2] = 1;
                    relay.send(new DatagramPacket(fragment, fragment.length, p.getSocketAddress()));
                    relay.send(new DatagramPacket(back.array(), back.capacity(), p.getSocketAddress()));
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
            Socks5 socks = new Socks5((InetSocketAddress) listener.getLocalSocketAddress(), sockets);
            try (DatagramPath path = socks.associate(DESTINATION, Duration.ofSeconds(10))) {
                byte[] query = "query".getBytes(StandardCharsets.US_ASCII);
                path.send(query, query.length);
                byte[] buffer = new byte[1500];
                int n = path.receive(buffer, Duration.ofSeconds(10));
                assertThat(new String(buffer, 0, n, StandardCharsets.US_ASCII)).isEqualTo("answer to query");
            }
            server.join();
        }
    }

    @Test
    void aRefusedConnectNamesTheServersReply() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()); KernelSockets sockets = new KernelSockets()) {
            Thread server = server(listener, Socks5.CMD_CONNECT, 5, new InetSocketAddress(InetAddress.ofLiteral("0.0.0.0"), 0), () -> { });
            Socks5 socks = new Socks5((InetSocketAddress) listener.getLocalSocketAddress(), sockets);
            assertThatThrownBy(() -> socks.connect(DESTINATION, Duration.ofSeconds(10))).isInstanceOf(IOException.class)
                    .hasMessageContaining("SOCKS5 connection refused");
            server.join();
        }
    }
}
