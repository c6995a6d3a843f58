package dev.synack.docs;

import dev.synack.link.MemoryLink;
import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import dev.synack.stack.NetStack;
import dev.synack.tcp.TcpConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

public class BlockingExample {
    public static void main(String[] args) throws IOException, InterruptedException {
        // Two stacks in this JVM, in real time, joined by an in-memory link.
        try (MemoryLink link = new MemoryLink()) {
            NetStack server = link.addHost("server", "10.0.0.2", TcpConfig.linux());
            NetStack client = link.addHost("client", "10.0.0.1", TcpConfig.linux());

            TcpServerSocket listener = new TcpServerSocket(server, 13, 128);
            Thread acceptor = Thread.ofVirtual().start(() -> serve(listener));

            for (String name : List.of("Ada", "Grace", "Linus")) {
                try (TcpSocket socket = new TcpSocket(client)) {
                    socket.connect(new InetSocketAddress("10.0.0.2", 13));
                    socket.getOutputStream().write(name.getBytes(StandardCharsets.UTF_8));
                    socket.shutdownOutput(); // FIN: the name is complete
                    System.out.println(new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                }
            }
            listener.close(); // the acceptor's accept() fails: it stops
            acceptor.join();
        }
    }

    /** Accepts until the listener closes; each connection gets a virtual thread of its own. */
    static void serve(TcpServerSocket listener) {
        try (ExecutorService perConnection = Executors.newVirtualThreadPerTaskExecutor()) {
            while (true) {
                TcpSocket socket = listener.accept();
                perConnection.execute(() -> greet(socket));
            }
        } catch (IOException closed) {
            // The listener was closed: no more connections.
        }
    }

    static void greet(TcpSocket socket) {
        try (socket) {
            String name = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            socket.getOutputStream().write(("hello, " + name).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            System.err.println("connection failed: " + e.getMessage());
        }
    }
}
