package dev.synack.cli;

import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import dev.synack.trace.LadderRenderer;
import dev.synack.trace.TraceEvent;
import dev.synack.stack.NetStack;
import dev.synack.wire.IpAddress;
import dev.synack.wire.Ipv4Address;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code synack serve}: a TCP server on synack's own stack that a person reaches with nc, curl or socat. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serves TCP on synack's stack, on a TUN device (reach it from the kernel: ping, nc, curl) or on a "
                + "UDP link (reach it with 'synack connect --udp'). Runs until interrupted (Ctrl-C).",
                "Exit status: 0 after --max-connections connections, 1 when the network cannot be set up, 2 on bad arguments, "
                + "70 when the stack meets a fatal error (out of memory)."},
        footer = {"%nExamples:",
                "  sudo synack serve --tun synack0 --address 10.7.0.2/24 --echo   # then: ping 10.7.0.2; nc 10.7.0.2 7",
                "  sudo synack serve --tun synack0 --http                         # then: curl http://10.7.0.2/",
                "  synack serve --udp 9000 --echo    # then: synack connect --udp 127.0.0.1:9000 10.9.0.2 7"})
final class ServeCommand implements Callable<Integer> {
    /** Trace events kept for the --http page (the most recent ones). */
    private static final int TRACE_KEPT = 20_000;
    /** How long an HTTP connection may stay idle between requests before --http closes it. */
    private static final java.time.Duration HTTP_IDLE_TIMEOUT = java.time.Duration.ofSeconds(15);

    @Spec
    CommandSpec spec;

    @Mixin
    NetOptions net;

    @Option(names = "--udp", paramLabel = "PORT",
            description = "Carry IP packets in UDP datagrams received on --udp-bind:PORT, answering whoever sends "
                    + "(no privileges needed).")
    Integer udpPort;

    @Option(names = "--udp-bind", paramLabel = "IP", defaultValue = "127.0.0.1",
            description = "The local address of the UDP socket. Default: ${DEFAULT-VALUE}.")
    String udpBind;

    @Option(names = "--port", paramLabel = "P",
            description = "The TCP port to listen on. Default: 7 for --echo, 9 for --discard, 80 for --http.")
    Integer port;

    @Option(names = "--echo", description = "Send back what each client sends (the default).")
    boolean echo;

    @Option(names = "--discard", description = "Read and throw away what each client sends.")
    boolean discard;

    @Option(names = "--http", description = "Answer each HTTP request with a page showing the connection's own trace.")
    boolean http;

    @Option(names = "--max-connections", paramLabel = "N",
            description = "Exit after serving N connections (default: serve until interrupted).")
    Integer maxConnections;

    @Option(names = "--admin-port", paramLabel = "PORT",
            description = "Show the stack's sockets and counters, as ss and nstat print them, on 127.0.0.1:PORT "
                    + "(curl http://127.0.0.1:PORT/ or nc; see StackInspection). They are printed at exit in any case.")
    Integer adminPort;

    private final Deque<TraceEvent> recent = new ArrayDeque<>();

    @Override
    public Integer call() throws Exception {
        int modes = (echo ? 1 : 0) + (discard ? 1 : 0) + (http ? 1 : 0);
        if (modes > 1) throw new CommandLine.ParameterException(spec.commandLine(), "choose one of --echo, --discard, --http");
        if ((net.tun == null) == (udpPort == null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "choose the network: --tun NAME or --udp PORT");
        }
        if (maxConnections != null && maxConnections < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--max-connections must be at least 1");
        }
        int listenPort = port != null ? port : http ? 80 : discard ? 9 : 7;
        String mode = http ? "http" : discard ? "discard" : "echo";
        PrintWriter err = spec.commandLine().getErr();
        NetSetup setup;
        try {
            setup = net.setup(NetSetup.UDP_SERVER_ADDRESS, address -> {
                NetSetup.port(Integer.toString(udpPort));
                return NetSetup.udp(address, new InetSocketAddress(InetAddress.getByName(udpBind), udpPort), null, net.capture(), net.profile.config());
            });
        } catch (IOException | IllegalArgumentException e) {
            err.println("synack serve: " + e.getMessage());
            err.flush();
            return CommandLine.ExitCode.SOFTWARE;
        }
        if (http) {
            setup.stack.addTraceListener(event -> {
                synchronized (recent) {
                    recent.addLast(event);
                    if (recent.size() > TRACE_KEPT) recent.removeFirst();
                }
            });
        }
        try (setup; TcpServerSocket server = new TcpServerSocket(setup.stack, listenPort, 128);
             ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
             StackInspection inspection = StackInspection.start(setup.stack, adminPort, err)) {
            NetStack host = setup.stack;
            IpAddress me = host.address() != 0 ? IpAddress.ipv4(host.address()) : host.ipv6Address();
            err.println("synack serve: " + mode + " on " + me.withPort(listenPort) + " over " + setup.description);
            err.flush();
            Thread hook = Thread.ofPlatform().unstarted(() -> {
                try {
                    setup.close();
                } catch (IOException ignored) {
                    // Exiting anyway.
                }
            });
            Runtime.getRuntime().addShutdownHook(hook);
            int served = 0;
            while (maxConnections == null || served < maxConnections) {
                TcpSocket s = server.accept();
                served++;
                pool.execute(() -> serveOne(s, mode, err));
            }
            pool.shutdown();
            pool.awaitTermination(30, TimeUnit.SECONDS);
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (StackInspection.AdminPortUnavailable e) {
            err.println("synack serve: " + e.getMessage());
            err.flush();
            return CommandLine.ExitCode.SOFTWARE;
        }
        return CommandLine.ExitCode.OK;
    }

    private void serveOne(TcpSocket s, String mode, PrintWriter err) {
        String who = Ipv4Address.hostPort(s.getRemoteAddress());
        try (s) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            switch (mode) {
                case "echo" -> in.transferTo(out);
                case "discard" -> in.transferTo(OutputStream.nullOutputStream());
                default -> answerHttp(s, in, out);
            }
        } catch (IOException | RuntimeException e) {
            String what = e instanceof IOException io ? Drain.describeFailure(s, io) : e.toString();
            synchronized (err) {
                err.println("synack serve: connection from " + who + ": " + what);
                err.flush();
            }
        }
        // With --max-connections the process exits after this: let the connection deliver the rest.
        Drain.awaitDone(s);
    }

    /** Answers each request on the connection with its trace so far as a ladder diagram. */
    private void answerHttp(TcpSocket s, InputStream in, OutputStream out) throws IOException {
        s.setSoTimeout(HTTP_IDLE_TIMEOUT);
        String peer = Ipv4Address.hostPort(s.getRemoteAddress());
        new HttpConnection(in, out).serve(request -> {
            List<TraceEvent> trace = connectionTrace(peer);
            String local = HttpLadderPage.localHost(trace, "synack");
            String text = "synack answered \"" + request.line() + "\" from " + peer + " over its own TCP/IP stack.\n\n"
                    + "This connection so far, as synack traced it (the peer's column is drawn from what synack received;\n"
                    + "times are real seconds, measured by this machine's clock, since the connection's first segment;\n"
                    + "as a picture: /?format=html):\n\n"
                    + new LadderRenderer(HttpLadderPage.PEER, local).onRealClock().render(trace);
            HttpLadderPage page = HttpLadderPage.of(request.line());
            return new HttpConnection.Response(200, "OK", page.contentType(), page.body(text, request.line(), local, trace));
        });
    }

    private static TraceEvent shifted(TraceEvent e, long origin) {
        long t = e.timeNanos() - origin;
        return switch (e) {
            case TraceEvent.Packet p -> new TraceEvent.Packet(t, p.host(), p.direction(), p.src(), p.dst(), p.flags(),
                    p.seq(), p.ack(), p.len(), p.win(), p.options(), p.reason(), p.ecn());
            case TraceEvent.StateChange c -> new TraceEvent.StateChange(t, c.host(), c.connection(), c.from(), c.to(), c.cause());
            case TraceEvent.Call c -> new TraceEvent.Call(t, c.host(), c.connection(), c.call(), c.result());
            case TraceEvent.Timer m -> new TraceEvent.Timer(t, m.host(), m.connection(), m.timer());
        };
    }

    /**
     * The trace of the connection with {@code peer} ("ip:port"): synack's events, and for every
     * segment synack received, the peer's sending of it (so the peer's column has its arrows).
     */
    private List<TraceEvent> connectionTrace(String peer) {
        List<TraceEvent> events = new ArrayList<>();
        synchronized (recent) {
            for (TraceEvent e : recent) {
                boolean mine = switch (e) {
                    case TraceEvent.Packet p -> p.src().equals(peer) || p.dst().equals(peer);
                    case TraceEvent.StateChange c -> c.connection() != null && c.connection().endsWith("<->" + peer);
                    case TraceEvent.Call c -> c.connection() != null && c.connection().endsWith("<->" + peer);
                    case TraceEvent.Timer t -> t.connection() != null && t.connection().endsWith("<->" + peer);
                };
                if (!mine) continue;
                if (e instanceof TraceEvent.Packet p && p.direction() == TraceEvent.Direction.RECV) {
                    events.add(new TraceEvent.Packet(p.timeNanos(), HttpLadderPage.PEER, TraceEvent.Direction.SEND, p.src(), p.dst(),
                            p.flags(), p.seq(), p.ack(), p.len(), p.win(), p.options(), null));
                }
                events.add(e);
            }
        }
        // Times from the connection's first event (the stack's clock has an arbitrary origin).
        long origin = events.isEmpty() ? 0 : events.getFirst().timeNanos();
        events.replaceAll(e -> shifted(e, origin));
        return events;
    }
}
