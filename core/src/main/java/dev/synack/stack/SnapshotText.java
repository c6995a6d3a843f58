package dev.synack.stack;

import dev.synack.tcp.TcpInfo;
import dev.synack.tcp.TcpState;
import dev.synack.wire.Ipv4Address;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@link StackSnapshot} as text in the shapes of iproute2's ss (-tan, -tanoi) and nstat (-a), so
 * that a reader who knows those tools reads synack's table the same way. The column widths follow
 * the widest entry.
 */
final class SnapshotText {
    private SnapshotText() {}

    /** One socket's line: its ss columns, then (detailed) the -o timer and the -i line. */
    private record Row(String state, long recvQ, long sendQ, String local, String peer, String timer, String details) {}

    static String ss(StackSnapshot s, boolean detailed) {
        List<Row> rows = new ArrayList<>();
        for (StackSnapshot.Listening l : s.listeners()) {
            rows.add(new Row(stateName(TcpState.LISTEN), l.acceptQueue(), l.backlog(),
                    l.localAddress().withPort(l.localPort()), l.localAddress().isIpv4() ? "0.0.0.0:*" : "[::]:*", null,
                    "synq:" + l.synQueue() + (l.droppedSyns() > 0 ? " dropped:" + l.droppedSyns() : "")));
        }
        for (StackSnapshot.Open c : s.connections()) {
            rows.add(new Row(stateName(c.state()), c.recvQ(), c.sendQ(), c.tuple().local(), c.tuple().remote(),
                    timer(c.timer(), c.timerLeftNanos(), c.timer().equals("on") ? c.info().retransmits() : 0), details(c)));
        }
        for (StackSnapshot.TimeWait t : s.timeWait()) {
            rows.add(new Row(stateName(TcpState.TIME_WAIT), 0, 0, t.tuple().local(), t.tuple().remote(),
                    timer("timewait", t.leftNanos(), 0), t.compacted() ? "compacted" : null));
        }
        int stateWidth = "State".length();
        int localWidth = "Local Address:Port".length();
        for (Row r : rows) {
            stateWidth = Math.max(stateWidth, r.state().length());
            localWidth = Math.max(localWidth, r.local().length());
        }
        String format = "%-" + stateWidth + "s %-6s %-6s %-" + localWidth + "s %s";
        StringBuilder out = new StringBuilder();
        out.append(String.format(format, "State", "Recv-Q", "Send-Q", "Local Address:Port", "Peer Address:Port").stripTrailing())
                .append('\n');
        for (Row r : rows) {
            String line = String.format(format, r.state(), r.recvQ(), r.sendQ(), r.local(), r.peer());
            if (detailed && r.timer() != null) line += " " + r.timer();
            out.append(line.stripTrailing()).append('\n');
            if (detailed && r.details() != null) out.append('\t').append(r.details()).append('\n');
        }
        return out.toString();
    }

    /** ss's state names (its sstate_name table). */
    static String stateName(TcpState state) {
        return switch (state) {
            case ESTABLISHED -> "ESTAB";
            case SYN_SENT -> "SYN-SENT";
            case SYN_RECV -> "SYN-RECV";
            case FIN_WAIT1 -> "FIN-WAIT-1";
            case FIN_WAIT2 -> "FIN-WAIT-2";
            case TIME_WAIT -> "TIME-WAIT";
            case CLOSED -> "UNCONN";
            case CLOSE_WAIT -> "CLOSE-WAIT";
            case LAST_ACK -> "LAST-ACK";
            case LISTEN -> "LISTEN";
            case CLOSING -> "CLOSING";
        };
    }

    /** ss -o's "timer:(name,time,count)"; null when no timer runs. */
    private static String timer(String name, long leftNanos, int count) {
        if (name.equals("off")) return null;
        return "timer:(" + name + "," + timerTime(leftNanos / 1_000_000) + "," + count + ")";
    }

    /** A timer's time left as ss prints it: minutes, then seconds, then milliseconds ("1min", "1.200ms", "200ms"). */
    static String timerTime(long millis) {
        long secs = millis / 1000;
        long ms = millis % 1000;
        StringBuilder b = new StringBuilder();
        if (secs >= 60) {
            b.append(secs / 60).append("min");
            secs %= 60;
        }
        if (secs > 0) b.append(secs).append(ms > 0 ? "." : "sec");
        if (ms > 0) b.append(String.format(Locale.ROOT, "%03dms", ms));
        if (b.isEmpty()) b.append("0ms");
        return b.toString();
    }

    /** ss -i's line for a connection, the fields in ss's order, each only where ss prints it. */
    private static String details(StackSnapshot.Open c) {
        TcpInfo i = c.info();
        StringBuilder b = new StringBuilder();
        if (i.timestamps()) b.append(" ts");
        if (i.sack()) b.append(" sack");
        if (i.windowScaling()) b.append(" wscale:").append(i.sndWscale()).append(',').append(i.rcvWscale());
        b.append(" rto:").append(millis(i.rtoMicros()));
        if (i.backoff() > 0) b.append(" backoff:").append(i.backoff());
        if (i.rttMicros() > 0) b.append(" rtt:").append(millis(i.rttMicros())).append('/').append(millis(i.rttVarMicros()));
        b.append(" mss:").append(i.sndMss()).append(" pmtu:").append(i.pmtu()).append(" advmss:").append(i.advMss());
        b.append(" cwnd:").append(i.sndCwnd());
        if (i.sndSsthresh() < TcpInfo.INFINITE_SSTHRESH) b.append(" ssthresh:").append(i.sndSsthresh());
        if (i.busyMicros() > 0) b.append(" busy:").append(i.busyMicros() / 1000).append("ms");
        if (i.rwndLimitedMicros() > 0) b.append(" rwnd_limited:").append(i.rwndLimitedMicros() / 1000).append("ms");
        TcpInfo.Packets p = i.packets();
        if (p != null && p.unacked() > 0) b.append(" unacked:").append(p.unacked());
        if (p != null && (p.retrans() > 0 || i.totalRetrans() > 0)) b.append(" retrans:").append(p.retrans()).append('/').append(i.totalRetrans());
        else if (p == null && i.totalRetrans() > 0) b.append(" retrans:0/").append(i.totalRetrans());
        if (p != null && p.lost() > 0) b.append(" lost:").append(p.lost());
        if (p != null && p.sacked() > 0) b.append(" sacked:").append(p.sacked());
        if (i.notsentBytes() > 0) b.append(" notsent:").append(i.notsentBytes());
        b.append(" snd_wnd:").append(i.sndWnd()).append(" rcv_wnd:").append(c.receiveWindow());
        return b.substring(1);
    }

    /** Microseconds as ss prints milliseconds (its %g: no trailing zeros). */
    static String millis(long micros) {
        return BigDecimal.valueOf(micros, 3).stripTrailingZeros().toPlainString();
    }

    /** nstat's lines: "#kernel" (here the host's name), then name, value and rate columns. */
    static String nstat(StackSnapshot s, boolean withZeros) {
        StringBuilder out = new StringBuilder("#synack ").append(s.host()).append('\n');
        for (Map.Entry<Counter, Long> e : s.counters().entrySet()) {
            if (e.getValue() == 0 && !withZeros) continue;
            out.append(String.format(Locale.ROOT, "%-32s%-16d%6.1f\n", e.getKey().nstatName(), e.getValue(), 0.0));
        }
        return out.toString();
    }
}
