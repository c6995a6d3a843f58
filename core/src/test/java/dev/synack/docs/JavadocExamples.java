package dev.synack.docs;

import dev.synack.link.FaultyLink;
import dev.synack.link.MemoryLink;
import dev.synack.link.PathConditions;
import dev.synack.link.SimNetwork;
import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import dev.synack.stack.NetStack;
import dev.synack.tcp.TcpConfig;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * The code samples of the main sources' documentation comments, each between "begin NAME" and
 * "end NAME": DocumentExamplesTest checks that a comment marked {@code <!-- example: THIS_FILE#NAME -->}
 * shows exactly that region, and runs each method.
 */
final class JavadocExamples {
    private JavadocExamples() {}

    /** dev.synack.link's package comment. */
    static void simulation() {
        // begin simulation
        SimNetwork net = new SimNetwork(42).conditions(PathConditions.builder()
                .delay(Duration.ofMillis(10)).loss(0.01).reorder(0.02).build());
        NetStack client = net.addHost("client", "10.0.0.1", TcpConfig.linux());
        NetStack server = net.addHost("server", "10.0.0.2", TcpConfig.linux());
        net.addTraceListener(System.out::println);
        net.spawn("server", () -> { try (TcpServerSocket ss = new TcpServerSocket(server, 80, 8)) { ss.accept().close(); } });
        net.spawn("client", () -> { try (TcpSocket s = new TcpSocket(client)) { s.connect(new InetSocketAddress("10.0.0.2", 80)); } });
        net.run();
        // end simulation
    }

    /** FaultyLink's class comment. */
    @SuppressWarnings("UnusedVariable") // the sample names the stacks that a reader's sockets would use
    static void faultyLink() {
        // begin faulty-link
        try (MemoryLink memory = new MemoryLink();
             FaultyLink link = FaultyLink.realTime(memory, PathConditions.builder()
                     .loss(0.02).delay(Duration.ofMillis(5)).build(), 42)) {
            NetStack a = link.addHost("a", "10.0.0.1", TcpConfig.linux()); // memory's stack, sending through the faults
            NetStack b = link.addHost("b", "10.0.0.2", TcpConfig.linux());
            // sockets on a and b, as on any other link
        }
        // end faulty-link
    }
}
