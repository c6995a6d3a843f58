package dev.synack.cli;

import dev.synack.socket.TcpSocket;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code synack connect}: a TCP client on synack's stack that pipes stdin and stdout, like nc. */
@Command(name = "connect", mixinStandardHelpOptions = true,
        description = {"Connects to HOST:PORT with synack's stack and copies stdin to the connection and the "
                + "connection to stdout, like nc. At the end of stdin it shuts its sending side down and keeps "
                + "reading until the server closes.",
                "Exit status: 0 when the server closed, 1 on a network or connection error, 2 on bad arguments, "
                        + "70 when the stack meets a fatal error (out of memory)."},
        footer = {"%nExamples:",
                "  echo hi | sudo synack connect --tun synack0 --address 10.7.0.2/24 10.7.0.1 7000",
                "  echo hi | synack connect --udp 127.0.0.1:9000 10.9.0.2 7"})
final class ConnectCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    NetOptions net;

    @Option(names = "--udp", paramLabel = "HOST:PORT",
            description = "Carry IP packets in UDP datagrams to HOST:PORT (a 'synack serve --udp PORT').")
    String udpPeer;

    @Parameters(index = "0", paramLabel = "HOST", description = "The server's IPv4 or IPv6 address.")
    String host;

    @Parameters(index = "1", paramLabel = "PORT", description = "The server's TCP port.")
    int port;

    /** Where the bytes come from and go to (tests replace them). */
    InputStream stdin = System.in;
    OutputStream stdout = System.out;

    @Override
    public Integer call() throws Exception {
        if ((net.tun == null) == (udpPeer == null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "choose the network: --tun NAME or --udp HOST:PORT");
        }
        if (port < 1 || port > 65535) throw new CommandLine.ParameterException(spec.commandLine(), "PORT must be 1-65535");
        InetAddress server;
        try {
            server = InetAddress.ofLiteral(host);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "HOST must be an IP address, got '" + host + "'");
        }
        PrintWriter err = spec.commandLine().getErr();
        NetSetup setup;
        try {
            setup = net.setup(NetSetup.UDP_CLIENT_ADDRESS, address -> {
                InetSocketAddress peer = NetSetup.hostPort(udpPeer);
                InetSocketAddress local = new InetSocketAddress(peer.getAddress().isLoopbackAddress()
                        ? InetAddress.getLoopbackAddress() : null, 0);
                return NetSetup.udp(address, local, peer, net.capture(), net.profile.config());
            });
        } catch (IOException | IllegalArgumentException e) {
            err.println("synack connect: " + e.getMessage());
            err.flush();
            return CommandLine.ExitCode.SOFTWARE;
        }
        try (setup; TcpSocket socket = new TcpSocket(setup.stack)) {
            return pipe(socket, server, err);
        }
    }

    /** Copies stdin to the connection and the connection to stdout; the exit status. */
    private int pipe(TcpSocket socket, InetAddress server, PrintWriter err) throws IOException, InterruptedException {
        try {
            socket.connect(new InetSocketAddress(server, port));
            AtomicReference<IOException> sendFailure = new AtomicReference<>();
            Thread sender = Thread.ofVirtual().start(() -> {
                try {
                    OutputStream out = socket.getOutputStream();
                    byte[] buf = new byte[16 * 1024];
                    int n;
                    while ((n = stdin.read(buf)) >= 0) {
                        if (n > 0) out.write(buf, 0, n);
                    }
                    socket.shutdownOutput();
                } catch (IOException e) {
                    if (!socket.isClosed()) sendFailure.set(e);
                }
            });
            InputStream in = socket.getInputStream();
            byte[] buf = new byte[16 * 1024];
            int n;
            while ((n = in.read(buf)) >= 0) {
                stdout.write(buf, 0, n);
                stdout.flush();
            }
            sender.join(1000);
            if (sendFailure.get() != null) throw sendFailure.get();
            socket.close();
            // The stack ends with this process: let our FIN be acknowledged first.
            Drain.awaitDone(socket);
        } catch (IOException e) {
            err.println("synack connect: " + host + ":" + port + ": " + Drain.describeFailure(socket, e));
            err.flush();
            // The server sent all it had, FIN included, then reset: it ended the exchange, as a server may.
            return Drain.resetAfterPeersFin(socket) ? CommandLine.ExitCode.OK : CommandLine.ExitCode.SOFTWARE;
        }
        return CommandLine.ExitCode.OK;
    }
}
