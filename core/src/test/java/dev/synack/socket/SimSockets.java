package dev.synack.socket;

import dev.synack.link.SimNetwork;
import dev.synack.stack.NetStack;
import dev.synack.tcp.TcpConfig;
import dev.synack.trace.TraceEvent;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/** A two-host simulated network for socket tests: client 10.0.0.1, server 10.0.0.2. */
final class SimSockets {
    static final String CLIENT_IP = "10.0.0.1";
    static final String SERVER_IP = "10.0.0.2";

    final SimNetwork net;
    final NetStack client;
    final NetStack server;

    SimSockets(long seed) {
        this(seed, TcpConfig.linux());
    }

    SimSockets(long seed, TcpConfig config) {
        net = new SimNetwork(seed);
        client = net.addHost("client", CLIENT_IP, config);
        server = net.addHost("server", SERVER_IP, config);
    }

    static InetSocketAddress at(String ip, int port) {
        return new InetSocketAddress(ip, port);
    }

    static InetSocketAddress server(int port) {
        return at(SERVER_IP, port);
    }

    /** What an echo run saw: the bytes the server read and the bytes the client read back. */
    record Echo(AtomicReference<byte[]> received, AtomicReference<byte[]> echoed) { }

    /**
     * Spawns a server on port 80 that reads everything and writes it back, and a client that
     * connects, writes {@code data}, shuts its output down and reads the echo; run the network after.
     */
    Echo spawnEcho(byte[] data) {
        Echo echo = new Echo(new AtomicReference<>(), new AtomicReference<>());
        net.spawn("server", () -> {
            try (TcpServerSocket ss = new TcpServerSocket(server, 80, 4); TcpSocket c = ss.accept()) {
                byte[] got = readAll(c);
                echo.received().set(got);
                writeAll(c, got);
            }
        });
        net.spawn("client", () -> {
            try (TcpSocket c = new TcpSocket(client)) {
                c.connect(server(80));
                writeAll(c, data);
                c.shutdownOutput();
                echo.echoed().set(readAll(c));
            }
        });
        return echo;
    }

    static byte[] readAll(TcpSocket s) throws IOException {
        InputStream in = s.getInputStream();
        return in.readAllBytes();
    }

    static void writeAll(TcpSocket s, byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(data);
        int n = s.write(b);
        if (n != data.length || b.hasRemaining()) throw new AssertionError("write took " + n + " of " + data.length);
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    static List<TraceEvent.StateChange> states(List<TraceEvent> events, String host) {
        return events.stream().filter(e -> e instanceof TraceEvent.StateChange && e.host().equals(host))
                .map(e -> (TraceEvent.StateChange) e).toList();
    }
}
