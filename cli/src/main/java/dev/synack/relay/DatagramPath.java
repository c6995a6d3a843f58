package dev.synack.relay;

import java.io.Closeable;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * The kernel's side of one relayed UDP flow: datagrams to and from its real destination, directly
 * ({@link #direct}) or through a SOCKS5 server's UDP relay ({@link Socks5#associate}).
 */
public interface DatagramPath extends Closeable {
    /** Opens the path of a flow to {@code destination}. */
    @FunctionalInterface
    interface Opener {
        DatagramPath open(InetSocketAddress destination) throws IOException;
    }

    /** Sends one datagram's bytes to the destination. */
    void send(byte[] data, int length) throws IOException;

    /** The next datagram from the destination into {@code buffer}: its length, or -1 when {@code timeout} passed first. */
    int receive(byte[] buffer, Duration timeout) throws IOException;

    /** A kernel UDP socket from {@code sockets} connected to {@code destination} (the kernel drops datagrams from others). */
    static DatagramPath direct(InetSocketAddress destination, KernelSockets sockets) throws IOException {
        DatagramSocket socket = sockets.udp();
        socket.connect(destination);
        return new DatagramPath() {
            @Override
            public void send(byte[] data, int length) throws IOException {
                socket.send(new DatagramPacket(data, length));
            }

            @Override
            public int receive(byte[] buffer, Duration timeout) throws IOException {
                return DatagramPath.receiveWithin(socket, buffer, timeout);
            }

            @Override
            public void close() {
                socket.close();
            }
        };
    }

    /** Receives on {@code socket} within {@code timeout}: the datagram's length, or -1 when none came. */
    static int receiveWithin(DatagramSocket socket, byte[] buffer, Duration timeout) throws IOException {
        socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
        DatagramPacket p = new DatagramPacket(buffer, buffer.length);
        try {
            socket.receive(p);
            return p.getLength();
        } catch (java.net.SocketTimeoutException e) {
            return -1;
        }
    }
}
