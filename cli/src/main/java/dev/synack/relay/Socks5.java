package dev.synack.relay;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * A SOCKS5 client (RFC 1928) without authentication: CONNECT (§4) opens a TCP connection to a
 * destination through the server. The destination is always sent as an address (ATYP 1 or 4):
 * the forwarder knows only the address its peer connected to.
 */
public final class Socks5 implements Upstream {
    static final int VERSION = 5;
    static final int NO_AUTHENTICATION = 0;
    static final int NO_ACCEPTABLE_METHODS = 0xff;
    static final int CMD_CONNECT = 1;
    static final int CMD_UDP_ASSOCIATE = 3;
    static final int ATYP_IPV4 = 1;
    static final int ATYP_DOMAIN = 3;
    static final int ATYP_IPV6 = 4;

    private final InetSocketAddress server;
    private final KernelSockets sockets;

    public Socks5(InetSocketAddress server, KernelSockets sockets) {
        this.server = server;
        this.sockets = sockets;
    }

    public InetSocketAddress server() { return server; }

    @Override
    public Socket connect(InetSocketAddress destination, Duration timeout) throws IOException {
        Socket s = Upstream.connected(sockets.tcp(), server, timeout);
        try {
            s.setSoTimeout((int) timeout.toMillis());
            request(s, CMD_CONNECT, destination);
            s.setSoTimeout(0);
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /**
     * A UDP path to {@code destination} through the server (UDP ASSOCIATE, §4 and §7): a TCP
     * connection that keeps the association alive, and datagrams to and from the server's relay,
     * each behind the header that names the destination (fragments, FRAG above 0, are dropped).
     */
    public DatagramPath associate(InetSocketAddress destination, Duration timeout) throws IOException {
        Socket control = Upstream.connected(sockets.tcp(), server, timeout);
        java.net.DatagramSocket socket = null;
        try {
            control.setSoTimeout((int) timeout.toMillis());
            InetSocketAddress relay = request(control, CMD_UDP_ASSOCIATE, new InetSocketAddress(
                    destination.getAddress() instanceof java.net.Inet6Address ? "::" : "0.0.0.0", 0));
            // A relay at the unspecified address is at the server's own (§6).
            if (relay.getAddress() == null || relay.getAddress().isAnyLocalAddress()) relay = new InetSocketAddress(server.getAddress(), relay.getPort());
            socket = sockets.udp();
            socket.connect(relay);
            return new Associated(control, socket, destination);
        } catch (IOException e) {
            control.close();
            if (socket != null) socket.close();
            throw e;
        }
    }

    /** A UDP association: datagrams behind RFC 1928 §7's header. */
    private record Associated(Socket control, java.net.DatagramSocket socket, InetSocketAddress destination) implements DatagramPath {
        @Override
        public void send(byte[] data, int length) throws IOException {
            byte[] request = encodeRequest(0, destination); // VER CMD RSV ATYP ADDR PORT: the §7 header is RSV RSV FRAG ATYP ADDR PORT
            byte[] out = new byte[request.length + length];
            System.arraycopy(request, 0, out, 0, request.length);
            out[0] = 0;
            out[1] = 0;
            out[2] = 0; // FRAG: a whole datagram
            System.arraycopy(data, 0, out, request.length, length);
            socket.send(new java.net.DatagramPacket(out, out.length));
        }

        @Override
        public int receive(byte[] buffer, Duration timeout) throws IOException {
            byte[] in = new byte[buffer.length];
            while (true) {
                int n = DatagramPath.receiveWithin(socket, in, timeout);
                if (n < 0) return -1;
                DataInputStream header = new DataInputStream(new java.io.ByteArrayInputStream(in, 0, n));
                header.readUnsignedShort(); // RSV
                if (header.readUnsignedByte() != 0) continue; // a fragment: dropped (§7 allows not reassembling)
                readAddress(header);
                int at = n - header.available();
                System.arraycopy(in, at, buffer, 0, n - at);
                return n - at;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
            control.close();
        }
    }

    /**
     * Negotiates "no authentication" (§3) and sends {@code command} for {@code address} (§4) on the
     * connected {@code s}; returns the server's BND.ADDR and BND.PORT (§6).
     *
     * @throws IOException when the server refuses, naming its reply code
     */
    static InetSocketAddress request(Socket s, int command, InetSocketAddress address) throws IOException {
        OutputStream out = s.getOutputStream();
        DataInputStream in = new DataInputStream(s.getInputStream());
        out.write(new byte[] {VERSION, 1, NO_AUTHENTICATION});
        out.flush();
        int version = in.readUnsignedByte();
        int method = in.readUnsignedByte();
        if (version != VERSION) throw new IOException("SOCKS5 server " + s.getRemoteSocketAddress() + " answered version " + version);
        if (method != NO_AUTHENTICATION) throw new IOException("SOCKS5 server refuses to work without authentication");
        out.write(encodeRequest(command, address));
        out.flush();
        if (in.readUnsignedByte() != VERSION) throw new IOException("SOCKS5 reply of another version");
        int reply = in.readUnsignedByte();
        in.readUnsignedByte(); // RSV
        InetSocketAddress bound = readAddress(in);
        if (reply != 0) throw new IOException("SOCKS5 " + replyText(reply) + " (" + address + ")");
        return bound;
    }

    /** VER CMD RSV ATYP DST.ADDR DST.PORT. */
    static byte[] encodeRequest(int command, InetSocketAddress address) {
        byte[] a = address.getAddress().getAddress();
        ByteBuffer b = ByteBuffer.allocate(4 + a.length + 2);
        b.put((byte) VERSION).put((byte) command).put((byte) 0).put((byte) (a.length == 4 ? ATYP_IPV4 : ATYP_IPV6));
        b.put(a).putShort((short) address.getPort());
        return b.array();
    }

    /** ATYP, an address (IPv4, domain name or IPv6) and a port, as in a reply or a UDP header (§5, §7). */
    static InetSocketAddress readAddress(DataInputStream in) throws IOException {
        int type = in.readUnsignedByte();
        byte[] address = switch (type) {
            case ATYP_IPV4 -> new byte[4];
            case ATYP_IPV6 -> new byte[16];
            case ATYP_DOMAIN -> new byte[in.readUnsignedByte()];
            default -> throw new IOException("SOCKS5 address of unknown type " + type);
        };
        in.readFully(address);
        int port = in.readUnsignedShort();
        if (type == ATYP_DOMAIN) return InetSocketAddress.createUnresolved(new String(address, java.nio.charset.StandardCharsets.US_ASCII), port);
        return new InetSocketAddress(java.net.InetAddress.getByAddress(address), port);
    }

    /** RFC 1928 §6's reply codes. */
    static String replyText(int code) {
        return switch (code) {
            case 1 -> "general SOCKS server failure";
            case 2 -> "connection not allowed by ruleset";
            case 3 -> "network unreachable";
            case 4 -> "host unreachable";
            case 5 -> "connection refused";
            case 6 -> "TTL expired";
            case 7 -> "command not supported";
            case 8 -> "address type not supported";
            default -> "reply code " + code;
        };
    }
}
