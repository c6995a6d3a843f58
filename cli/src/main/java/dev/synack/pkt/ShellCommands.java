package dev.synack.pkt;

import dev.synack.pkt.Script.Placement;
import dev.synack.tcp.CongestionAlgorithm;
import dev.synack.tcp.EcnMode;
import dev.synack.tcp.FastOpenCookies;
import dev.synack.tcp.TcpConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the backtick shell commands of packetdrill's Linux scripts mean to synack. A command is run
 * only when each of its parts maps onto synack's configuration ({@link TcpConfig}) or is a no-op
 * for synack for a stated reason; anything else makes the script skipped, with the command quoted.
 *
 * <p>Understood: {@code .../defaults.sh} (the profile's defaults: {@link ScriptRunner#packetdrillLinux()}),
 * {@code sysctl [-q] [-e] [-w] NAME=VALUE ...} and packetdrill's {@code set_sysctls.py /proc/sys/NAME=VALUE ...}
 * (each setting through {@link #sysctl}), its restore script {@code /tmp/sysctl_restore_${PPID}.sh} as
 * the cleanup command (it runs after the verdict and synack's stack ends with the run),
 * {@code ip tcp_metrics flush all} (the run's stack starts with an empty Fast Open cookie cache) and
 * {@code ethtool -K tun0 tso off gso off} (synack has no TSO or GSO: it never sends a segment larger
 * than the MSS). Output redirections to /dev/null are allowed; {@code #} starts a comment; commands
 * are separated by newlines or {@code ;}; a trailing {@code \} continues a line.
 */
final class ShellCommands {
    private ShellCommands() {}

    /** Linux's net.core.rmem_max default (212992): it takes part in choosing the SYN's window scale. */
    static final int LINUX_RMEM_MAX = 212_992;
    /** defaults.sh's tcp_rmem maximum (15 MiB), which makes Linux announce wscale 8. */
    static final int DEFAULTS_RMEM_MAX = 15 * 1024 * 1024;
    private static final Pattern DEFAULTS = Pattern.compile("(\\S*/)?defaults\\.sh");
    private static final Pattern SET_SYSCTLS = Pattern.compile("(\\S*/)?set_sysctls\\.py");
    private static final Pattern RESTORE = Pattern.compile("/tmp/sysctl_restore_\\$\\{PPID\\}\\.sh");
    private static final Pattern NULL_REDIRECT = Pattern.compile("\\s*(&>|[12]?>)\\s*/dev/null|\\s*2>&1");
    private static final Pattern ARITHMETIC = Pattern.compile("\\$\\(\\(([0-9*+\\- ()]+)\\)\\)");

    /**
     * The settings the script's commands build: the configuration and the sysctl values that are
     * combined only at the end (the SYN's window scale depends on both tcp_rmem and rmem_max).
     */
    static final class Settings {
        final TcpConfig.Builder config;
        long rmemMax = LINUX_RMEM_MAX;
        long tcpRmemMax = DEFAULTS_RMEM_MAX;
        boolean rmemChanged;
        /** Set while reading a command that runs after the stack started: its configuration can no longer change. */
        boolean frozen;

        Settings(TcpConfig base) {
            this.config = base.toBuilder();
        }

        /**
         * The configuration. Linux chooses the window scale it offers in a SYN from the largest
         * receive buffer the socket could ever use (tcp_select_initial_window): the larger of
         * tcp_rmem[2] and net.core.rmem_max, as the smallest shift that lets 65535 << shift cover
         * it, that is floor(log2(space)) - 15, between 0 and 14 (RFC 7323 §2.3).
         */
        TcpConfig build() {
            if (rmemChanged) {
                long space = Math.max(tcpRmemMax, rmemMax);
                int shift = Math.max(0, Math.min(14, 63 - Long.numberOfLeadingZeros(space) - 15));
                config.windowScale(shift).maxReceiveBufferSize((int) Math.min(tcpRmemMax, 1 << 30));
            }
            return config.build();
        }
    }

    /**
     * Reads {@code command} into {@code settings}; returns null when every part of it is understood,
     * else the reason the script cannot run.
     */
    static String apply(String command, Placement placement, Settings settings) {
        for (String part : commands(command)) {
            String why = applyOne(part, placement, settings);
            if (why != null) return why + ": `" + part + "`";
        }
        return null;
    }

    /** The simple commands of a shell text: comments dropped, continuations joined, split at ';' and newlines. */
    static List<String> commands(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String raw : text.split("\n")) {
            String line = stripComment(raw);
            boolean continued = line.endsWith("\\");
            if (continued) line = line.substring(0, line.length() - 1);
            current.append(' ').append(line);
            if (continued) continue;
            for (String c : splitOutsideQuotes(current.toString(), ';')) {
                if (!c.isBlank()) out.add(c.strip().replaceAll("\\s+", " "));
            }
            current.setLength(0);
        }
        if (!current.toString().isBlank()) out.add(current.toString().strip().replaceAll("\\s+", " "));
        return out;
    }

    private static String stripComment(String line) {
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') quoted = !quoted;
            if (c == '#' && !quoted && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) return line.substring(0, i).strip();
        }
        return line.strip();
    }

    private static List<String> splitOutsideQuotes(String s, char separator) {
        List<String> out = new ArrayList<>();
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') quoted = !quoted;
            if (c == separator && !quoted) {
                out.add(s.substring(start, i));
                start = i + 1;
            }
        }
        out.add(s.substring(start));
        return out;
    }

    private static String applyOne(String command, Placement placement, Settings settings) {
        String c = NULL_REDIRECT.matcher(command).replaceAll("").strip();
        if (c.contains("|") || c.contains("&") || c.contains(">") || c.contains("<")) {
            return "shell command with pipes, redirections or conditionals cannot run";
        }
        List<String> words = words(c);
        if (words.isEmpty()) return null;
        String program = words.get(0);
        if (DEFAULTS.matcher(program).matches() && words.size() == 1) return null; // the profile's defaults
        if (RESTORE.matcher(program).matches() && words.size() == 1) {
            // set_sysctls.py's restore script: the cleanup command, which runs after the verdict.
            return placement == Placement.CLEANUP ? null : "restoring sysctls during the run is not supported";
        }
        if (program.equals("sysctl")) {
            for (String w : words.subList(1, words.size())) {
                if (w.equals("-q") || w.equals("-e") || w.equals("-w")) continue;
                String why = assignment(w, settings);
                if (why != null) return why;
            }
            return null;
        }
        if (SET_SYSCTLS.matcher(program).matches()) {
            for (String w : words.subList(1, words.size())) {
                if (!w.startsWith("/proc/sys/")) return "set_sysctls.py argument " + w + " is not a /proc/sys file";
                String why = assignment(w.substring("/proc/sys/".length()), settings);
                if (why != null) return why;
            }
            return null;
        }
        if (words.equals(List.of("ip", "tcp_metrics", "flush", "all"))) return null; // the run's stack starts with no cached cookie
        if (program.equals("ethtool") && ethtoolOffloadsOff(words)) return null; // synack has no TSO/GSO
        return "shell command cannot run in synack";
    }

    /** {@code ethtool -K DEV tso off gso off} (in any order): turning off offloads synack does not have. */
    private static boolean ethtoolOffloadsOff(List<String> words) {
        if (words.size() < 5 || !words.get(1).equals("-K") || words.size() % 2 != 1) return false;
        for (int i = 3; i < words.size(); i += 2) {
            if (!(words.get(i).equals("tso") || words.get(i).equals("gso")) || !words.get(i + 1).equals("off")) return false;
        }
        return true;
    }

    /** Words, with double quotes removed (a quoted value may hold spaces). */
    private static List<String> words(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                quoted = !quoted;
                any = true;
                continue;
            }
            if (Character.isWhitespace(c) && !quoted) {
                if (any) out.add(w.toString());
                w.setLength(0);
                any = false;
                continue;
            }
            w.append(c);
            any = true;
        }
        if (any) out.add(w.toString());
        return out;
    }

    private static String assignment(String word, Settings settings) {
        if (settings.frozen) return "changing sysctls after the run started is not supported (synack's stack is configured when it starts)";
        int eq = word.indexOf('=');
        if (eq <= 0) return "sysctl argument " + word + " is not NAME=VALUE";
        String name = word.substring(0, eq).replace('/', '.');
        String value = expand(word.substring(eq + 1)).strip();
        return sysctl(name, value, settings);
    }

    /** Shell arithmetic {@code $((15*1024*1024))} in a value, evaluated. */
    static String expand(String value) {
        Matcher m = ARITHMETIC.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) m.appendReplacement(out, Long.toString(arithmetic(m.group(1))));
        m.appendTail(out);
        return out.toString();
    }

    private static long arithmetic(String expr) {
        long total = 0;
        for (String sum : expr.replace(" ", "").split("\\+")) {
            long product = 1;
            for (String factor : sum.split("\\*")) product *= Long.parseLong(factor.replace("(", "").replace(")", ""));
            total += product;
        }
        return total;
    }

    /**
     * One sysctl: the settings synack has, each checked against ip-sysctl's documented meaning.
     * Returns null when applied (or when it has no effect on synack, for the reason given beside
     * it), else why not.
     */
    static String sysctl(String name, String value, Settings s) {
        String key = name.startsWith("net.ipv4.") ? name.substring("net.ipv4.".length()) : name;
        try {
            if (name.startsWith("net.inet.") || name.startsWith("kern.ipc.")) return FreeBsdSysctls.apply(name, value, s);
            switch (key) {
                case "tcp_congestion_control" -> {
                    switch (value) {
                        case "cubic" -> s.config.congestionAlgorithm(CongestionAlgorithm.CUBIC);
                        case "reno" -> s.config.congestionAlgorithm(CongestionAlgorithm.NEW_RENO);
                        default -> { return "congestion control " + value + " is not implemented"; }
                    }
                    return null;
                }
                case "tcp_sack" -> s.config.sack(bool(value));
                case "tcp_timestamps" -> {
                    // 1: timestamps with a random offset per connection, 2: without; the runner learns the offset.
                    int v = Integer.parseInt(value);
                    if (v < 0 || v > 2) return "tcp_timestamps=" + value + " is not a documented value";
                    s.config.timestamps(v != 0);
                }
                case "tcp_window_scaling" -> s.config.windowScaling(bool(value));
                case "tcp_dsack" -> {
                    // synack always reports duplicates in D-SACK blocks (RFC 2883) when SACK is on.
                    if (!bool(value)) return "tcp_dsack=0 cannot be honoured (synack always sends D-SACK)";
                }
                case "tcp_ecn" -> {
                    // 0 off, 1 request and accept, 2 accept only (the default); 3 and up are Accurate ECN.
                    int v = Integer.parseInt(value);
                    if (v < 0 || v > 2) return "tcp_ecn=" + value + " (Accurate ECN is not supported)";
                    s.config.ecn(EcnMode.ofSysctl(v));
                }
                case "tcp_syncookies" -> {
                    // 0 never, 1 when a listener's SYN queue is full, 2 always: TcpConfig.synCookies.
                    int v = Integer.parseInt(value);
                    if (v < 0 || v > 2) return "tcp_syncookies=" + value + " is not a documented value";
                    s.config.synCookies(v);
                }
                case "tcp_syn_retries" -> s.config.synRetries(Integer.parseInt(value));
                case "tcp_synack_retries" -> s.config.synAckRetries(Integer.parseInt(value));
                case "tcp_reordering" -> s.config.dupThresh(Integer.parseInt(value)); // the initial reordering degree
                case "tcp_rmem" -> {
                    long[] v = triple(value);
                    // The default maps onto synack's receive buffer only as defaults.sh's (540000) and
                    // Linux's own (131072) do: the profile's window budget.
                    if (v[1] != 131_072 && v[1] != 540_000) return "tcp_rmem default " + v[1] + " has no synack receive buffer mapped to it";
                    s.tcpRmemMax = v[2];
                    s.rmemChanged = true;
                }
                case "net.core.rmem_max" -> {
                    s.rmemMax = Long.parseLong(value);
                    s.rmemChanged = true;
                }
                case "tcp_wmem" -> {
                    long[] v = triple(value);
                    // The send buffer: synack's is a fixed size (its bytes, as the profile takes
                    // defaults.sh's 262144); it does not grow toward the maximum as Linux's does.
                    if (v[2] != 4_194_304) return "tcp_wmem maximum " + v[2] + " (synack's send buffer does not grow)";
                    s.config.sendBufferSize((int) v[1]);
                }
                case "tcp_early_retrans" -> {
                    // Tail loss probes (RFC 8985 §7) with 3 or 4, Linux's default 3; 0 turns them off,
                    // and so do 1 and 2 (tcp_schedule_loss_probe probes only with 3 or 4).
                    int v = Integer.parseInt(value);
                    if (v < 0 || v > 4) return "tcp_early_retrans=" + value + " is not a documented value";
                    s.config.tailLossProbes(v >= 3);
                }
                case "tcp_recovery" -> {
                    // A bitmap: 0x1 RACK loss detection (off: RFC 6675's DupThresh rules), 0x2 RACK's
                    // reordering window static at min_RTT/4, 0x4 no DupThresh rule inside RACK.
                    int v = Integer.decode(value);
                    if ((v & ~0x7) != 0) return "tcp_recovery=" + value + " (synack has settings for bits 0x1, 0x2 and 0x4 only)";
                    s.config.rack((v & 0x1) != 0).rackStaticReorderingWindow((v & 0x2) != 0).rackDupThresh((v & 0x4) == 0);
                }
                case "tcp_min_tso_segs" -> s.config.minTsoSegments(Integer.parseInt(value)); // sizes trains, as Linux's TSO packets
                case "tcp_tso_win_divisor" -> {
                    // TSO deferral: synack has no TSO; it never sends more than an MSS per segment nor
                    // holds data back to build a larger frame. Linux's TSO frames show in scripts as
                    // trains of MSS-sized segments, which the runner matches either way.
                    Integer.parseInt(value);
                }
                case "tcp_pacing_ss_ratio", "tcp_pacing_ca_ratio" -> {
                    // synack sends unpaced, as Linux's cubic/reno without fq (a script installing fq is
                    // skipped), but it sizes its trains from Linux's pacing rate at the default ratios
                    // (200 % in slow start, 120 % after): other values are not modelled.
                    int defaultRatio = key.equals("tcp_pacing_ss_ratio") ? 200 : 120;
                    if (Integer.parseInt(value) != defaultRatio) return name + "=" + value + " (synack sizes trains at the default ratio " + defaultRatio + ")";
                }
                case "tcp_slow_start_after_idle" -> s.config.slowStartAfterIdle(bool(value));
                case "tcp_mtu_probing" -> {
                    if (Integer.parseInt(value) != 0) return "MTU probing not supported";
                }
                case "tcp_notsent_lowat" -> s.config.notsentLowat(Long.parseLong(value));
                case "tcp_fastopen" -> s.config.fastOpen(Math.toIntExact(Long.decode(value)));
                case "tcp_fastopen_key" -> {
                    long[] halves = FastOpenCookies.parseKey(value);
                    s.config.fastOpenKey(halves[0], halves[1]);
                }
                case "tcp_fastopen_blackhole_timeout_sec" -> {
                    // synack has no Fast Open blackhole detection; 0 (off) is the only value that matches it.
                    if (Long.parseLong(value) != 0) return "Fast Open blackhole detection not supported";
                }
                default -> {
                    return "sysctl " + name + " has no corresponding synack setting";
                }
            }
            return null;
        } catch (NumberFormatException e) {
            return "sysctl " + name + "=" + value + " is not a number";
        } catch (IllegalArgumentException e) {
            return "sysctl " + name + "=" + value + ": " + e.getMessage();
        }
    }

    private static boolean bool(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "0" -> false;
            case "1" -> true;
            default -> throw new NumberFormatException(value);
        };
    }

    private static long[] triple(String value) {
        String[] parts = value.strip().split("\\s+");
        if (parts.length != 3) throw new NumberFormatException(value);
        return new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1]), Long.parseLong(parts[2])};
    }
}
