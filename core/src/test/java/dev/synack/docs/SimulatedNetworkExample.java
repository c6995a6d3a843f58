package dev.synack.docs;

import dev.synack.link.PathConditions;
import dev.synack.link.SimNetwork;
import dev.synack.socket.TcpServerSocket;
import dev.synack.socket.TcpSocket;
import dev.synack.stack.NetStack;
import dev.synack.tcp.TcpConfig;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;

public class SimulatedNetworkExample {
    public static void main(String[] args) {
        // Virtual time: 40 ms round trips, 2% of the packets lost in each direction. The same seed
        // gives the same run, packet for packet.
        SimNetwork net = new SimNetwork(7).conditions(PathConditions.builder()
                .delay(Duration.ofMillis(20)).loss(0.02).build());
        NetStack server = net.addHost("server", "10.0.0.2", TcpConfig.linux());
        NetStack client = net.addHost("client", "10.0.0.1", TcpConfig.linux());

        // Actors are ordinary blocking code; the simulation runs them in turn, never two at once.
        net.spawn("server", () -> {
            try (TcpServerSocket listener = new TcpServerSocket(server, 9, 8);
                 TcpSocket socket = listener.accept()) {
                long total = socket.getInputStream().transferTo(OutputStream.nullOutputStream());
                System.out.println("server received " + total + " bytes in "
                        + net.nowNanos() / 1_000_000 + " ms of virtual time");
            }
        });
        net.spawn("client", () -> {
            try (TcpSocket socket = new TcpSocket(client)) {
                socket.connect(new InetSocketAddress("10.0.0.2", 9));
                byte[] block = new byte[64 * 1024];
                Arrays.fill(block, (byte) 'x');
                for (int i = 0; i < 16; i++) socket.getOutputStream().write(block);
            } // close: FIN after the last byte
        });
        // Until nothing is left to happen: the client's TIME_WAIT (a minute of virtual time) included,
        // which takes a few milliseconds of real time.
        net.run();
        System.out.println(net.packetsDropped() + " packets dropped on the way, every lost byte sent again");
    }
}
