package dev.synack.docs;

// The README's API example, from the next line to the end of the file: ReadmeTest checks that the
// README shows exactly this text and runs it.
import dev.synack.link.MemoryLink;
import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import dev.synack.stack.NetStack;
import dev.synack.tcp.TcpConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

public class EchoExample {
    public static void main(String[] args) throws IOException {
        // Two stacks in this JVM, joined by an in-memory link, each with its own event loop.
        try (MemoryLink link = new MemoryLink()) {
            NetStack server = link.addHost("server", "10.0.0.2", TcpConfig.linux());
            NetStack client = link.addHost("client", "10.0.0.1", TcpConfig.linux());

            // An echo server on port 7 with no thread of its own: readiness handlers run on
            // whichever thread is processing the server's stack, and must not block.
            TcpServerSocket listener = new TcpServerSocket(server, 7, 128);
            listener.configureBlocking(false);
            listener.onAcceptable(l -> {
                TcpSocket s;
                while ((s = l.accept()) != null) {
                    ByteBuffer pending = ByteBuffer.allocate(4096).flip(); // read, not yet echoed
                    s.configureBlocking(false);
                    s.onReady(socket -> {
                        while (true) {
                            socket.write(pending);                 // what an earlier call could not send
                            if (pending.hasRemaining()) return;    // send buffer full: called again when writable
                            int n = socket.read(pending.clear());
                            pending.flip();
                            if (n == 0) return;                    // nothing more: called again when readable
                            if (n < 0) { socket.close(); return; } // the client's FIN
                        }
                    });
                }
            });

            // A blocking client, shaped like java.net.Socket.
            try (TcpSocket socket = new TcpSocket(client)) {
                socket.connect(new InetSocketAddress("10.0.0.2", 7));
                socket.getOutputStream().write("hello, synack".getBytes(StandardCharsets.UTF_8));
                socket.shutdownOutput();                           // FIN: the server closes in turn
                byte[] reply = socket.getInputStream().readAllBytes();
                System.out.println(new String(reply, StandardCharsets.UTF_8));
            }
            listener.close();
        }
    }
}
