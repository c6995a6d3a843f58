package dev.synack.cli;

import dev.synack.stack.NetStack;
import dev.synack.stack.StackSnapshot;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What {@code serve} shows of its stack ({@link NetStack#snapshot()}): on demand to whoever connects
 * to the admin port, a kernel socket bound to the loopback address only, and once at exit (the end
 * of the command, or Ctrl-C through a shutdown hook).
 *
 * <p>The admin port speaks plain text: a client sends one line and gets the answer, then the
 * connection closes. "ss" gives {@code ss -tan}'s table, "ss -i" {@code ss -tanoi}'s, "nstat" the
 * counters as {@code nstat -a} prints them, and anything else (an empty line) the detailed table and
 * the counters. An HTTP GET is answered in HTTP, its path naming the same choices ({@code /},
 * {@code /ss}, {@code /ss-i}, {@code /nstat}), so that {@code curl} and {@code nc} both work.
 */
final class StackInspection implements Closeable {
    /** How long a client of the admin port may take to send its line. */
    private static final int READ_TIMEOUT_MILLIS = 2000;
    /** The longest request line read. */
    private static final int MAX_LINE = 1024;

    private final NetStack stack;
    private final PrintWriter err;
    private final ServerSocket admin;
    private final Thread hook;
    private final AtomicBoolean reported = new AtomicBoolean();

    private StackInspection(NetStack stack, PrintWriter err, ServerSocket admin) {
        this.stack = stack;
        this.err = err;
        this.admin = admin;
        this.hook = Thread.ofPlatform().unstarted(this::reportAtExit);
    }

    /**
     * Starts showing {@code stack}: on {@code adminPort} of 127.0.0.1 when not null (0: any free
     * port; the port is printed on {@code err}), and on {@code err} at exit in any case.
     */
    static StackInspection start(NetStack stack, Integer adminPort, PrintWriter err) throws IOException {
        ServerSocket admin = null;
        if (adminPort != null) {
            admin = new ServerSocket();
            try {
                admin.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), adminPort));
            } catch (IOException | IllegalArgumentException e) {
                admin.close();
                throw new AdminPortUnavailable("admin port 127.0.0.1:" + adminPort + ": " + e.getMessage(), e);
            }
        }
        StackInspection inspection = new StackInspection(stack, err, admin);
        if (admin != null) {
            Thread.ofPlatform().daemon().name("synack-admin").start(inspection::serveAdmin);
            synchronized (err) {
                err.println("synack serve: the stack's sockets and counters on http://127.0.0.1:" + admin.getLocalPort()
                        + "/ (or nc 127.0.0.1 " + admin.getLocalPort() + ", then ss, ss -i or nstat)");
                err.flush();
            }
        }
        Runtime.getRuntime().addShutdownHook(inspection.hook);
        return inspection;
    }

    /** The admin port could not be opened (taken, or out of range). */
    static final class AdminPortUnavailable extends IOException {
        AdminPortUnavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The admin port (-1 without one). */
    int adminPort() {
        return admin == null ? -1 : admin.getLocalPort();
    }

    /** The answer to a request: "ss", "ss -i", "nstat", or anything else for both tables. */
    static String answer(StackSnapshot snapshot, String request) {
        return switch (request.strip().toLowerCase(Locale.ROOT)) {
            case "ss", "/ss" -> snapshot.ss();
            case "ss -i", "/ss-i" -> snapshot.ssDetailed();
            case "nstat", "/nstat" -> snapshot.nstat(false);
            default -> snapshot.ssDetailed() + "\n" + snapshot.nstat(false);
        };
    }

    /** The admin port's loop: one client at a time, each answered and closed. */
    private void serveAdmin() {
        while (!admin.isClosed()) {
            try (Socket client = admin.accept()) {
                client.setSoTimeout(READ_TIMEOUT_MILLIS);
                answer(client);
            } catch (SocketException e) {
                if (admin.isClosed()) return;
            } catch (IOException | RuntimeException e) {
                // A client that went away or sent nothing: the next one is served all the same.
            }
        }
    }

    private void answer(Socket client) throws IOException {
        String line = readLine(client.getInputStream());
        boolean http = line.startsWith("GET ") || line.startsWith("HEAD ");
        String request = http ? line.split(" ")[1] : line;
        byte[] body = answer(stack.snapshot(), request).getBytes(StandardCharsets.UTF_8);
        OutputStream out = client.getOutputStream();
        if (http) {
            String head = "HTTP/1.0 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: " + body.length
                    + "\r\nConnection: close\r\n\r\n";
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            if (line.startsWith("HEAD ")) body = new byte[0];
        }
        out.write(body);
        out.flush();
        client.shutdownOutput();
    }

    /** The request's first line, without its end (at most {@link #MAX_LINE} bytes). */
    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b >= 0 && b != '\n' && line.size() < MAX_LINE; b = in.read()) {
            if (b != '\r') line.write(b);
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    /** Prints the detailed table and the counters on {@code err}, once. */
    private void reportAtExit() {
        if (!reported.compareAndSet(false, true)) return;
        String report = answer(stack.snapshot(), "");
        synchronized (err) {
            err.println("synack serve: the stack at exit:");
            err.print(report);
            err.flush();
        }
    }

    /** The command ended: the report, the admin port closed, the shutdown hook no longer needed. */
    @Override
    public void close() throws IOException {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The hook runs (or ran) anyway.
        }
        reportAtExit();
        if (admin != null) admin.close();
    }
}
