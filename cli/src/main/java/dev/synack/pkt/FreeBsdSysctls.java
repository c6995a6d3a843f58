package dev.synack.pkt;

import dev.synack.tcp.CongestionAlgorithm;
import dev.synack.tcp.EcnMode;
import java.time.Duration;

/**
 * FreeBSD's sysctls (net.inet.tcp.*, kern.ipc.maxsockbuf), as FreeBSD's packetdrill scripts set them,
 * mapped onto {@link dev.synack.tcp.TcpConfig}; names and meanings from tcp(4) and sysctl(8). Times are
 * in milliseconds, as FreeBSD's TCP sysctls take them. Anything without a synack setting is refused
 * with the sysctl named, so the script is skipped.
 */
final class FreeBsdSysctls {
    private FreeBsdSysctls() {}

    /** Applies {@code name=value}; null when done (or a no-op for the reason beside it), else why not. */
    static String apply(String name, String value, ShellCommands.Settings s) {
        String key = name.startsWith("net.inet.tcp.") ? name.substring("net.inet.tcp.".length()) : name;
        switch (key) {
            case "rfc1323" -> s.config.timestamps(bool(value)).windowScaling(bool(value)); // RFC 1323/7323: both
            case "sack.enable" -> s.config.sack(bool(value));
            case "recvspace" -> s.config.receiveBufferSize(Integer.parseInt(value));
            case "sendspace" -> s.config.sendBufferSize(Integer.parseInt(value));
            case "recvbuf_max" -> s.config.maxReceiveBufferSize(Integer.parseInt(value));
            case "recvbuf_auto" -> s.config.receiveBufferAutotuning(bool(value));
            case "kern.ipc.maxsockbuf" -> s.config.windowScale(scaleFor(Long.parseLong(value)));
            case "insecure_rst" -> s.config.rstChallenge(!bool(value));
            case "insecure_syn" -> s.config.synChallenge(!bool(value));
            case "rexmit_initial" -> s.config.initialRto(millis(value));
            case "rexmit_min" -> s.config.minRto(millis(value));
            case "rexmit_slop" -> s.config.rtoSlop(Duration.ofMillis(Long.parseLong(value)));
            case "delacktime" -> s.config.delayedAck(millis(value), millis(value));
            case "msl" -> s.config.msl(millis(value));
            case "finwait2_timeout" -> s.config.finWait2Timeout(millis(value));
            case "keepidle" -> s.config.keepaliveIdle(millis(value));
            case "keepintvl" -> s.config.keepaliveInterval(millis(value));
            case "keepcnt" -> s.config.keepaliveProbes(Integer.parseInt(value));
            case "initcwnd_segments" -> s.config.initialCwndSegments(Integer.parseInt(value));
            case "abc_l_var" -> s.config.slowStartAckLimitSegments(Integer.parseInt(value));
            case "cc.algorithm" -> {
                switch (value) {
                    case "cubic" -> s.config.congestionAlgorithm(CongestionAlgorithm.CUBIC);
                    case "newreno" -> s.config.congestionAlgorithm(CongestionAlgorithm.NEW_RENO);
                    default -> { return "congestion control " + value + " is not implemented"; }
                }
            }
            case "syncookies" -> s.config.synCookies(bool(value) ? 1 : 0); // cookies when the syncache overflows
            case "syncookies_only" -> {
                if (bool(value)) s.config.synCookies(2); // every SYN answered with a cookie
            }
            case "hostcache.purgenow" -> {
                // synack keeps no host cache (no per-destination metrics): there is nothing to purge.
                bool(value);
            }
            case "blackhole" -> {
                // 0: closed ports are answered with RST, as synack always does.
                if (Integer.parseInt(value) != 0) return "net.inet.tcp.blackhole=" + value + " (synack always answers with RST)";
            }
            case "ecn.enable" -> {
                // 0 off, 1 request and accept, 2 accept only (the default), as Linux's tcp_ecn; 3 and 4 are Accurate ECN.
                int v = Integer.parseInt(value);
                if (v < 0 || v > 2) return "net.inet.tcp.ecn.enable=" + value + " (Accurate ECN is not supported)";
                s.config.ecn(EcnMode.ofSysctl(v));
            }
            case "rexmit_drop_options" -> {
                // 0: retransmitted SYNs keep their options, as synack's do.
                if (bool(value)) return "net.inet.tcp.rexmit_drop_options=1 (synack keeps a SYN's options)";
            }
            case "fastopen.client_enable", "fastopen.server_enable" -> {
                if (bool(value)) return "TCP Fast Open not supported";
            }
            case "drop_synfin" -> {
                if (bool(value)) return "net.inet.tcp.drop_synfin=1 has no synack setting";
            }
            default -> { return "sysctl " + name + " has no corresponding synack setting"; }
        }
        return null;
    }

    /** The shift tcp_connect and syncache choose: the least with 65535 << shift covering sb_max (RFC 7323 §2.3: at most 14). */
    static int scaleFor(long maxSocketBuffer) {
        int shift = 0;
        while (shift < 14 && (65535L << shift) < maxSocketBuffer) shift++;
        return shift;
    }

    private static Duration millis(String value) {
        return Duration.ofMillis(Long.parseLong(value));
    }

    private static boolean bool(String value) {
        return switch (value) {
            case "0" -> false;
            case "1" -> true;
            default -> throw new NumberFormatException(value);
        };
    }
}
