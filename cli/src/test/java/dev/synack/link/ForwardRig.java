package dev.synack.link;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Three namespaces the test creates and deletes: the client's, whose routes send 198.18.0.0/15
 * into synack's TUN device; the relay's, where {@code synack forward} runs and its kernel sockets
 * live; the servers', reached from the relay over a veth pair at 198.18.0.2 (an HTTP server with
 * a random file, an echo server, optionally dnsmasq). No packet leaves them.
 */
final class ForwardRig implements AutoCloseable {
    static final String SERVER = "198.18.0.2";
    static final int HTTP_PORT = 8080;
    static final int ECHO_PORT = 7007;

    final NetNamespace client;
    final NetNamespace relay;
    final NetNamespace servers;
    final byte[] file = new byte[3 << 20];
    private final List<AutoCloseable> running = new ArrayList<>();
    private Process forwarder;
    private Thread outputReader;
    final BlockingQueue<String> forwarderOutput = new LinkedBlockingQueue<>();

    private ForwardRig(NetNamespace client, NetNamespace relay, NetNamespace servers) {
        this.client = client;
        this.relay = relay;
        this.servers = servers;
        new Random(7).nextBytes(file);
    }

    /** Skips the test unless root, /dev/net/tun and the ip tool are there. */
    static ForwardRig open() throws IOException {
        NetNamespace.assumeAvailable();
        NetNamespace c = NetNamespace.create();
        NetNamespace r = NetNamespace.create();
        NetNamespace s = NetNamespace.create();
        ForwardRig rig = new ForwardRig(c, r, s);
        try {
            r.exec("ip", "link", "add", "vrelay0", "type", "veth", "peer", "name", "vserve0", "netns", s.name);
            r.exec("ip", "addr", "add", "198.18.0.1/24", "dev", "vrelay0");
            r.exec("ip", "link", "set", "vrelay0", "up");
            s.exec("ip", "addr", "add", SERVER + "/24", "dev", "vserve0");
            s.exec("ip", "link", "set", "vserve0", "up");
            rig.startServers();
        } catch (IOException | RuntimeException e) {
            rig.close();
            throw e;
        }
        return rig;
    }

    /** Whether {@code command} (a tool asked for its version) runs here. */
    static boolean hasTool(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static void assumeTool(String... command) {
        boolean present = hasTool(command);
        if (!present) System.out.println("SKIPPED: " + command[0] + " is not installed");
        assumeTrue(present, command[0] + " is not installed");
    }

    private void startServers() throws IOException {
        HttpServer http = servers.call(() -> HttpServer.create(new InetSocketAddress(InetAddress.ofLiteral(SERVER), HTTP_PORT), 256));
        http.createContext("/file", exchange -> {
            exchange.sendResponseHeaders(200, file.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(file);
            }
        });
        http.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        http.start();
        running.add(() -> http.stop(0));
        ServerSocketChannel echo = servers.call(() -> {
            ServerSocketChannel ch = ServerSocketChannel.open();
            ch.bind(new InetSocketAddress(InetAddress.ofLiteral(SERVER), ECHO_PORT), 2048);
            return ch;
        });
        running.add(echo);
        Thread.ofPlatform().daemon().name("echo-accept").start(() -> {
            try {
                while (true) {
                    SocketChannel s = echo.accept();
                    Thread.ofVirtual().start(() -> echoOne(s));
                }
            } catch (IOException closed) {
                // The rig closed the server.
            }
        });
    }

    private static void echoOne(SocketChannel s) {
        try (s; InputStream in = s.socket().getInputStream(); OutputStream out = s.socket().getOutputStream()) {
            in.transferTo(out);
            s.shutdownOutput();
        } catch (IOException e) {
            // The client went away.
        }
    }

    /** Starts dnsmasq in the servers' namespace answering {@code name} with {@code address} (UDP and TCP, port 53). */
    void startDnsmasq(String name, String address) throws IOException {
        Process p = new ProcessBuilder("ip", "netns", "exec", servers.name, "dnsmasq", "--keep-in-foreground", "--no-resolv",
                "--no-hosts", "--listen-address=" + SERVER, "--bind-interfaces", "--address=/" + name + "/" + address,
                "--pid-file=", "--user=root").redirectErrorStream(true).start();
        running.add(p::destroyForcibly);
    }

    /** Starts a command in the relay's namespace (a SOCKS5 server). */
    void startInRelay(String... command) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", relay.name));
        full.addAll(List.of(command));
        Process p = new ProcessBuilder(full).redirectErrorStream(true).start();
        running.add(p::destroyForcibly);
    }

    /** Runs {@code synack forward} in the relay's namespace with its device in the client's, and waits until it relays. */
    /** Starts {@code synack forward} with {@code extra} arguments; returns its first line (what it relays, how). */
    String startForwarder(String... extra) throws IOException, InterruptedException {
        Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", relay.name, javaBin.toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), "dev.synack.cli.Main",
                "forward", "--tun", "fwd0", "--address", "10.7.0.2/24", "--netns", client.name, "--route", "198.18.0.0/15"));
        command.addAll(List.of(extra));
        forwarder = new ProcessBuilder(command).redirectErrorStream(true).start();
        BufferedReader lines = new BufferedReader(new InputStreamReader(forwarder.getInputStream(), StandardCharsets.UTF_8));
        outputReader = Thread.ofPlatform().daemon().start(() -> {
            try {
                String line;
                while ((line = lines.readLine()) != null) forwarderOutput.add(line);
            } catch (IOException e) {
                // The process ended.
            }
        });
        String first = forwarderOutput.poll(30, TimeUnit.SECONDS);
        assertThat(first).as("forward's first line").isNotNull().startsWith("synack forward: relaying TCP and UDP");
        return first;
    }

    /** Stops the forwarder as Ctrl-C would and returns everything it printed. */
    List<String> stopForwarder() throws InterruptedException {
        // Through the handle: Process.destroy() would also close the pipe the output comes through.
        forwarder.toHandle().destroy();
        assertThat(forwarder.waitFor(30, TimeUnit.SECONDS)).as("forward exits on SIGTERM").isTrue();
        outputReader.join(10_000);
        List<String> out = new ArrayList<>();
        forwarderOutput.drainTo(out);
        return out;
    }

    @Override
    public void close() throws IOException {
        if (forwarder != null) {
            forwarder.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            forwarder.destroyForcibly();
        }
        for (AutoCloseable c : running) {
            try {
                c.close();
            } catch (Exception e) {
                // Best effort: the namespaces go next.
            }
        }
        try {
            client.close();
        } finally {
            try {
                relay.close();
            } finally {
                servers.close();
            }
        }
    }

    /** A kernel TCP socket of the client's namespace, not yet connected (usable from any thread). */
    SocketChannel clientSocket() throws IOException {
        return client.call(() -> {
            SocketChannel ch = SocketChannel.open();
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            return ch;
        });
    }
}
