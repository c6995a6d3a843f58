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

    public Socks5(InetSocketAddress server) {
        this.server = server;
    }

    public InetSocketAddress server() { return server; }

    @Override
    public Socket connect(InetSocketAddress destination, Duration timeout) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(server, (int) timeout.toMillis());
            s.setTcpNoDelay(true);
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
