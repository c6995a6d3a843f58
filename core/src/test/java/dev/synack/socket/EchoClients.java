package dev.synack.socket;

import static java.nio.charset.StandardCharsets.US_ASCII;

import dev.synack.stack.NetStack;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Blocking clients of an echo server, in real time: each of {@code clients} virtual threads makes
 * {@code rounds} connections, sends a message of its own (longer each round), half-closes and reads
 * everything back.
 */
final class EchoClients {
    private EchoClients() {}

    /** What went wrong, one line per round that did not get its message back whole (empty: none). */
    static List<String> run(NetStack from, InetSocketAddress server, int clients, int rounds) throws Exception {
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                int id = i;
                done.add(threads.submit(() -> {
                    for (int r = 0; r < rounds; r++) {
                        byte[] message = ("client " + id + " round " + r + ";").repeat(1 + r * 300).getBytes(US_ASCII);
                        try (TcpSocket c = new TcpSocket(from)) {
                            c.connect(server, Duration.ofSeconds(10));
                            c.getOutputStream().write(message);
                            c.shutdownOutput();
                            byte[] got = c.getInputStream().readAllBytes();
                            if (!Arrays.equals(got, message)) {
                                failures.add("client " + id + " round " + r + ": " + got.length + " of " + message.length + " bytes");
                            }
                        } catch (IOException e) {
                            failures.add("client " + id + " round " + r + ": " + e);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) f.get(40, TimeUnit.SECONDS);
        }
        return failures;
    }
}
