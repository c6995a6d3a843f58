package dev.synack.docs;

import dev.synack.link.TunLink;
import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import dev.synack.stack.NetStack;
import dev.synack.tcp.TcpConfig;
import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

public class TunExample {
    /** Run as root (TUN devices need CAP_NET_ADMIN); the argument, if any, is how many clients to serve. */
    public static void main(String[] args) throws IOException {
        long clients = args.length > 0 ? Long.parseLong(args[0]) : Long.MAX_VALUE;
        // A TUN device "synack0": synack is 10.7.0.2 on it, the kernel 10.7.0.1 (the route to
        // 10.7.0.0/24 goes through it), so the machine's own programs reach synack.
        try (TunLink tun = TunLink.open(TunLink.Options.of("synack0", "10.7.0.2/24"))) {
            NetStack stack = tun.addHost("synack", "10.7.0.2", TcpConfig.linux());
            System.out.println("echo server at 10.7.0.2:7; try: echo hello | nc -N 10.7.0.2 7");

            // Blocking sockets, one virtual thread per connection.
            try (TcpServerSocket listener = new TcpServerSocket(stack, 7, 128);
                 ExecutorService perConnection = Executors.newVirtualThreadPerTaskExecutor()) {
                for (long served = 0; served < clients; served++) {
                    TcpSocket socket = listener.accept();
                    perConnection.execute(() -> echo(socket));
                }
            } // waits for the connections being served
        }
    }

    static void echo(TcpSocket socket) {
        try (socket) {
            socket.getInputStream().transferTo(socket.getOutputStream()); // until the client's FIN
        } catch (IOException e) {
            System.err.println("connection failed: " + e.getMessage());
        }
    }
}
