package dev.synack.wire;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;

/** IPv4 addresses are carried as an {@code int} in network order (the first octet in the high byte). */
public final class Ipv4Address {
    private Ipv4Address() {}

    /** Parses dotted-quad text such as "10.0.0.1"; throws IllegalArgumentException on anything else. */
    public static int parse(String text) {
        String[] parts = text.trim().split("\\.", -1);
        if (parts.length != 4) throw new IllegalArgumentException("not an IPv4 address: " + text);
        int value = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("not an IPv4 address: " + text);
            }
            int octet = Integer.parseInt(part);
            if (octet > 255) throw new IllegalArgumentException("not an IPv4 address: " + text);
            value = (value << 8) | octet;
        }
        return value;
    }

    public static String format(int address) {
        return (address >>> 24) + "." + ((address >>> 16) & 0xff) + "." + ((address >>> 8) & 0xff) + "." + (address & 0xff);
    }

    /**
     * "10.7.0.1:5000" (IPv6: "[::1]:5000"; unresolved: the name and port), for messages: an
     * {@code InetSocketAddress}'s own toString puts a slash before the address ("/10.7.0.1:5000").
     */
    public static String hostPort(SocketAddress socketAddress) {
        if (!(socketAddress instanceof InetSocketAddress address)) return String.valueOf(socketAddress);
        String host = address.isUnresolved() ? address.getHostString() : text(address.getAddress());
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    /** The address alone, without the slash its toString puts before it (IPv6 as RFC 5952 writes it). */
    public static String text(InetAddress address) {
        return address == null ? "(none)" : address instanceof java.net.Inet6Address ? IpAddress.of(address).toString()
                : address.getHostAddress();
    }

    public static int of(InetAddress address) {
        if (!(address instanceof Inet4Address)) throw new IllegalArgumentException("not an IPv4 address: " + text(address));
        byte[] b = address.getAddress();
        return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    }

    public static InetAddress toInetAddress(int address) {
        byte[] b = {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address};
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError("four bytes are always a valid address", e);
        }
    }
}
