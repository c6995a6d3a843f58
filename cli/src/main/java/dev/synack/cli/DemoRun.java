package dev.synack.cli;

import dev.synack.link.PathConditions;
import dev.synack.link.SimNetwork;
import dev.synack.socket.TcpSocket;
import dev.synack.stack.NetStack;
import dev.synack.tcp.TcpConfig;
import dev.synack.trace.TraceEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One demo run: a {@link SimNetwork} with the two hosts "client" 10.0.0.1 and "server" 10.0.0.2
 * (fd00::1 and fd00::2 over IPv6),
 * the trace it records, and the small socket helpers the scenarios share. Scenarios spawn actors on
 * {@link #sim}; {@link #execute()} runs the simulation to its end.
 */
final class DemoRun {
    static final String CLIENT = "client";
    static final String SERVER = "server";
    static final String CLIENT_IP = "10.0.0.1";
    static final String SERVER_IP = "10.0.0.2";
    static final String CLIENT_IP6 = "fd00::1";
    static final String SERVER_IP6 = "fd00::2";
    /** The port the server listens on in the client-server scenarios. */
    static final int SERVER_PORT = 80;
    static final Duration ONE_WAY_DELAY = Duration.ofMillis(10);
    private static final int READ_CHUNK = 4096;

    final long seed;
    final TcpConfig config;
    final SimNetwork sim;
    final NetStack client;
    final NetStack server;
    /** The hosts' addresses: IPv4, or IPv6 for a run over IPv6 (demo --ipv6). */
    final String clientIp;
    final String serverIp;
    /** Written by the simulation's listener, read after the run (or after a failure). */
    private final List<TraceEvent> trace = new ArrayList<>();
    private final List<Runnable> afterChecks = new ArrayList<>();

    DemoRun(long seed, TcpConfig config) {
        this(seed, config, PathConditions.NONE.withDelay(ONE_WAY_DELAY), false);
    }

    /**
     * A run whose two directions both have {@code conditions} (delay, loss, ... from the demo's
     * flags), between IPv6-only hosts fd00::1 and fd00::2 when {@code ipv6}.
     */
    DemoRun(long seed, TcpConfig config, PathConditions conditions, boolean ipv6) {
        this.seed = seed;
        this.config = config;
        this.sim = new SimNetwork(seed).conditions(conditions);
        this.clientIp = ipv6 ? CLIENT_IP6 : CLIENT_IP;
        this.serverIp = ipv6 ? SERVER_IP6 : SERVER_IP;
        this.client = sim.addHost(CLIENT, clientIp, config);
        this.server = sim.addHost(SERVER, serverIp, config);
        sim.addTraceListener(event -> {
            synchronized (trace) {
                trace.add(event);
            }
        });
    }

    /** A check to make once the simulation has finished (on the trace, or on what the actors saw). */
    void afterwards(Runnable check) {
        afterChecks.add(check);
    }

    /** Runs the simulation to its end, then the scenario's final checks. */
    void execute() {
        sim.run();
        afterChecks.forEach(Runnable::run);
    }

    /** The trace so far: complete after {@link #execute()}, partial when it failed. */
    List<TraceEvent> trace() {
        synchronized (trace) {
            return List.copyOf(trace);
        }
    }

    static InetSocketAddress address(String ip, int port) {
        return new InetSocketAddress(InetAddress.ofLiteral(ip), port);
    }

    static void writeText(TcpSocket socket, String text) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
        while (bytes.hasRemaining()) {
            socket.write(bytes);
        }
    }

    /** Reads exactly {@code length} bytes; end of stream before that is a scenario failure. */
    static String readText(TcpSocket socket, int length, String what) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (socket.read(buffer) < 0) {
                throw new ScenarioFailure(what + ": end of stream after " + buffer.position() + " of " + length
                        + " bytes");
            }
        }
        return new String(buffer.array(), StandardCharsets.US_ASCII);
    }

    /** Reads until end of stream. */
    static String readToEnd(TcpSocket socket) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        ByteBuffer buffer = ByteBuffer.allocate(READ_CHUNK);
        while (socket.read(buffer.clear()) >= 0) {
            all.write(buffer.array(), 0, buffer.position());
        }
        return all.toString(StandardCharsets.US_ASCII);
    }

    static void expectEqual(String what, String expected, String actual) {
        if (!expected.equals(actual)) {
            throw new ScenarioFailure(what + ": expected \"" + expected + "\" but got \"" + actual + "\"");
        }
    }

    static void expect(boolean ok, String failureMessage) {
        if (!ok) {
            throw new ScenarioFailure(failureMessage);
        }
    }

    @FunctionalInterface
    interface IoAction {
        void run() throws IOException;
    }

    /** Runs {@code action}, which must fail with an IOException whose message contains {@code message}. */
    static IOException expectIoFailure(String what, String message, IoAction action) {
        try {
            action.run();
        } catch (IOException e) {
            if (e.getMessage() == null || !e.getMessage().contains(message)) {
                throw new ScenarioFailure(what + " should fail with \"" + message + "\" but failed with " + e, e);
            }
            return e;
        }
        throw new ScenarioFailure(what + " should fail with \"" + message + "\" but succeeded");
    }
}
