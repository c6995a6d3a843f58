package dev.synack.trace;

import java.util.ArrayList;
import java.util.List;

/**
 * Hand-built traces for renderer tests, written the way a stack would report a run: client
 * 10.0.0.1:40000, server 10.0.0.2:80, 10 ms one-way delay.
 */
final class HandBuiltTrace {
    static final String CLIENT = "client";
    static final String SERVER = "server";
    static final String C = "10.0.0.1:40000";
    static final String S = "10.0.0.2:80";
    static final String CLIENT_CONN = C + "<->" + S;
    static final String SERVER_CONN = S + "<->" + C;
    static final long CLIENT_ISN = 4_000_000_000L;
    static final long SERVER_ISN = 1_000L;
    static final long MS = 1_000_000L;
    static final String SYN_OPTIONS = "mss 1460,sackOK,TS val 0 ecr 0,nop,wscale 7";
    static final String SYN_ACK_OPTIONS = "mss 1460,sackOK,TS val 10 ecr 0,nop,wscale 7";

    private final List<TraceEvent> events = new ArrayList<>();
    private long now;

    HandBuiltTrace at(long nanos) {
        now = nanos;
        return this;
    }

    HandBuiltTrace state(String host, String conn, String from, String to, String cause) {
        events.add(new TraceEvent.StateChange(now, host, conn, from, to, cause));
        return this;
    }

    HandBuiltTrace call(String host, String conn, String call, String result) {
        events.add(new TraceEvent.Call(now, host, conn, call, result));
        return this;
    }

    HandBuiltTrace timer(String host, String conn, String timer) {
        events.add(new TraceEvent.Timer(now, host, conn, timer));
        return this;
    }

    /** A send by {@code host} and, {@code delay} later, its arrival at the other host. */
    HandBuiltTrace segment(String host, String flags, long seq, long ack, int len, int win, String options,
                           long delay) {
        boolean fromClient = host.equals(CLIENT);
        String src = fromClient ? C : S;
        String dst = fromClient ? S : C;
        events.add(new TraceEvent.Packet(now, host, TraceEvent.Direction.SEND, src, dst, flags, seq, ack, len, win,
                options, null));
        events.add(new TraceEvent.Packet(now + delay, fromClient ? SERVER : CLIENT, TraceEvent.Direction.RECV, src,
                dst, flags, seq, ack, len, win, options, null));
        return this;
    }

    HandBuiltTrace send(String host, String flags, long seq, long ack, int len, int win, String options) {
        boolean fromClient = host.equals(CLIENT);
        events.add(new TraceEvent.Packet(now, host, TraceEvent.Direction.SEND, fromClient ? C : S,
                fromClient ? S : C, flags, seq, ack, len, win, options, null));
        return this;
    }

    /** A drop reported by {@code host} of a segment {@code sender} sent. */
    HandBuiltTrace drop(String host, String sender, String flags, long seq, long ack, int len, int win,
                        String options, String reason) {
        boolean fromClient = sender.equals(CLIENT);
        events.add(new TraceEvent.Packet(now, host, TraceEvent.Direction.DROP, fromClient ? C : S,
                fromClient ? S : C, flags, seq, ack, len, win, options, reason));
        return this;
    }

    List<TraceEvent> events() {
        return events.stream().sorted((a, b) -> Long.compare(a.timeNanos(), b.timeNanos())).toList();
    }

    /**
     * Handshake, 5 bytes each way, active close by the client, TIME_WAIT expiring after 60 s.
     * Events are listed per instant; {@link #events()} sorts them stably by time.
     */
    static List<TraceEvent> handshakeAndClose() {
        long c = CLIENT_ISN;
        long s = SERVER_ISN;
        HandBuiltTrace t = new HandBuiltTrace();
        t.at(0).state(SERVER, S, "CLOSED", "LISTEN", "listen").call(SERVER, S, "listen 80", "ok")
                .call(CLIENT, "", "connect 10.0.0.2:80", "...")
                .state(CLIENT, CLIENT_CONN, "CLOSED", "SYN_SENT", "connect")
                .segment(CLIENT, "S", c, 0, 0, 64240, SYN_OPTIONS, 10 * MS);
        t.at(10 * MS).state(SERVER, SERVER_CONN, "LISTEN", "SYN_RECV", "SYN")
                .segment(SERVER, "S.", s, c + 1, 0, 65160, SYN_ACK_OPTIONS, 10 * MS);
        t.at(20 * MS).state(CLIENT, CLIENT_CONN, "SYN_SENT", "ESTABLISHED", "SYN-ACK")
                .segment(CLIENT, ".", c + 1, s + 1, 0, 502, "nop,nop,TS val 20 ecr 10", 10 * MS)
                .call(CLIENT, CLIENT_CONN, "connect 10.0.0.2:80", "ok")
                .call(CLIENT, CLIENT_CONN, "write 5", "5")
                .segment(CLIENT, "P.", c + 1, s + 1, 5, 502, "nop,nop,TS val 20 ecr 10", 10 * MS);
        t.at(30 * MS).state(SERVER, SERVER_CONN, "SYN_RECV", "ESTABLISHED", "ACK")
                .call(SERVER, SERVER_CONN, "accept", "10.0.0.1:40000")
                .call(SERVER, SERVER_CONN, "read", "5")
                .call(SERVER, SERVER_CONN, "write 5", "5")
                .segment(SERVER, "P.", s + 1, c + 6, 5, 510, "nop,nop,TS val 30 ecr 20", 10 * MS);
        t.at(40 * MS).call(CLIENT, CLIENT_CONN, "read", "5").call(CLIENT, CLIENT_CONN, "close", "ok")
                .state(CLIENT, CLIENT_CONN, "ESTABLISHED", "FIN_WAIT1", "close")
                .segment(CLIENT, "F.", c + 6, s + 6, 0, 502, "nop,nop,TS val 40 ecr 30", 10 * MS);
        t.at(50 * MS).state(SERVER, SERVER_CONN, "ESTABLISHED", "CLOSE_WAIT", "FIN")
                .segment(SERVER, ".", s + 6, c + 7, 0, 510, "nop,nop,TS val 50 ecr 40", 10 * MS)
                .call(SERVER, SERVER_CONN, "read", "EOF").call(SERVER, SERVER_CONN, "close", "ok")
                .state(SERVER, SERVER_CONN, "CLOSE_WAIT", "LAST_ACK", "close")
                .segment(SERVER, "F.", s + 6, c + 7, 0, 510, "nop,nop,TS val 50 ecr 40", 10 * MS);
        t.at(60 * MS).state(CLIENT, CLIENT_CONN, "FIN_WAIT1", "FIN_WAIT2", "ACK of FIN")
                .state(CLIENT, CLIENT_CONN, "FIN_WAIT2", "TIME_WAIT", "FIN")
                .segment(CLIENT, ".", c + 7, s + 7, 0, 502, "nop,nop,TS val 60 ecr 50", 10 * MS);
        t.at(70 * MS).state(SERVER, SERVER_CONN, "LAST_ACK", "CLOSED", "ACK of FIN");
        t.at(60_060 * MS).timer(CLIENT, CLIENT_CONN, "time-wait expired")
                .state(CLIENT, CLIENT_CONN, "TIME_WAIT", "CLOSED", "2MSL timer");
        return t.events();
    }
}
