package dev.synack.tcp;

import dev.synack.wire.IpAddress;
import dev.synack.wire.TcpOptions;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The client's TCP Fast Open cookies, one per server address (RFC 7413 §4.1.3: "the client caches
 * the cookie ... per server IP address"), with the MSS the server last announced, as Linux keeps
 * them in its TCP metrics (tcp_fastopen_cache_set/get): a SYN-ACK's cookie replaces the one kept,
 * a SYN-ACK without one leaves it; the MSS sizes the data of the next SYN. Also whether the next
 * cookie request should try the experimental option kind, after one with kind 34 went unanswered.
 *
 * <p>One per stack, used under its lock; at most {@link #CAPACITY} servers, the least recently
 * used forgotten first. {@link #clear()} is {@code ip tcp_metrics flush}.
 */
public final class FastOpenCache {
    /** Servers remembered (Linux's TCP metrics hash holds thousands; a client talks to few). */
    public static final int CAPACITY = 1024;

    /** What is known of one server. */
    static final class Server {
        /** The MSS of the server's last SYN-ACK, 0 when it had none. */
        int mss;
        /** The cookie's length, -1 when none was received. */
        int cookieLength = -1;
        final byte[] cookie = new byte[TcpOptions.MAX_COOKIE];
        /** The next cookie request uses the experimental option kind (Linux's try_exp). */
        boolean experimental;
    }

    private final Map<IpAddress, Server> entries = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<IpAddress, Server> eldest) {
            return size() > CAPACITY;
        }
    };

    /** The entry for {@code server}, null when nothing is known. */
    Server get(IpAddress server) {
        return entries.get(server);
    }

    /** The entry for {@code server}, made when missing. */
    Server entry(IpAddress server) {
        return entries.computeIfAbsent(server, a -> new Server());
    }

    /** Whether a cookie is kept for {@code server}. */
    public boolean hasCookie(IpAddress server) {
        Server e = entries.get(server);
        return e != null && e.cookieLength > 0;
    }

    /** Forgets every server. */
    public void clear() {
        entries.clear();
    }

    /** How many servers are remembered. */
    public int size() {
        return entries.size();
    }
}
