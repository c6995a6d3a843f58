package dev.synack.pkt;

import dev.synack.pkt.Script.CodeEvent;
import dev.synack.pkt.Script.Event;
import dev.synack.pkt.Script.Option;
import dev.synack.pkt.Script.IcmpEvent;
import dev.synack.pkt.Script.PacketEvent;
import dev.synack.pkt.Script.Placement;
import dev.synack.pkt.Script.ShellEvent;
import dev.synack.pkt.Script.SyscallEvent;
import dev.synack.pkt.Script.Time;
import dev.synack.stack.Counter;
import dev.synack.stack.NetStack;
import dev.synack.stack.Waiter;
import dev.synack.tcp.IsnGenerator;
import dev.synack.tcp.TcpConfig;
import dev.synack.trace.TraceEvent;
import dev.synack.wire.IpAddress;
import dev.synack.wire.IpEcn;
import dev.synack.wire.PacketCodec;
import dev.synack.wire.ParseResult;
import dev.synack.wire.TcpFlags;
import dev.synack.wire.TcpOptions;
import dev.synack.wire.TcpPacket;
import dev.synack.wire.TcpSegment;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Runs one {@link Script} against one synack {@link NetStack} in virtual time. The remote side is
 * the script itself: the stack's outbound packets are captured in a queue (with the virtual time
 * they left) and matched against the script's {@code >} lines; the {@code <} lines are encoded and
 * delivered to the stack at their scripted times; system calls act on the stack's engine through
 * {@link SyscallTable}. Nothing runs on another thread: a blocking call is a condition the runner
 * re-tries after every step of virtual time (a packet delivered, timers fired), so a run is
 * deterministic.
 *
 * <h2>Addresses and profile</h2>
 * Local 192.168.0.1, remote 192.0.2.1; with {@code --ip_version=ipv6} local fd3d:a0b:17d6::1 and
 * remote fd3d:fa7b:d17d::1 (as packetdrill's run_all.py, which also gives IPv6 runs {@code --mtu=1520}
 * so that scripts written for IPv4 see the same MSS), and with {@code ipv4-mapped-ipv6} IPv4 on the wire
 * under AF_INET6 sockets. Passive connections come from remote port
 * {@value #REMOTE_PORT_BASE} (+ the flow number); active ones go to port 8080. The stack uses
 * {@link TcpConfig#linux()} with window scale 8: packetdrill's {@code defaults.sh} raises Linux's
 * maximum receive buffer so that Linux announces wscale 8, and scripts written for Linux expect it.
 *
 * <h2>Flows (a synack extension)</h2>
 * packetdrill scripts talk over one 4-tuple. To test listen backlogs and the like, a packet line may
 * name a second (third...) remote endpoint: {@code <@1 S 0:0(0) win 1000} comes from remote port
 * {@value #REMOTE_PORT_BASE}+1 and {@code >@1} expects a packet to it. Each flow has its own ISNs.
 */
public final class ScriptRunner {
    static final IpAddress LOCAL_ADDRESS = IpAddress.parse("192.168.0.1");
    static final IpAddress REMOTE_ADDRESS = IpAddress.parse("192.0.2.1");
    /** The IPv6 addresses packetdrill's run_all.py gives its IPv6 runs, both unique local (RFC 4193). */
    static final IpAddress LOCAL_ADDRESS6 = IpAddress.parse("fd3d:a0b:17d6::1");
    static final IpAddress REMOTE_ADDRESS6 = IpAddress.parse("fd3d:fa7b:d17d::1");
    static final int DEFAULT_PORT = 8080;
    static final int REMOTE_PORT_BASE = 40000;
    /** Virtual time of script time 0 (the engine's "never" is Long.MAX_VALUE, so 0 is an ordinary instant). */
    private static final long BASE_NANOS = 0;
    private static final long DEFAULT_TOLERANCE_MICROS = 4000;
    private static final double DEFAULT_TOLERANCE_PERCENT = 12.5;
    /** How long past its time an expected packet or a blocking call is waited for before failing. */
    private static final long LATE_LIMIT_NANOS = 10_000_000_000L;
    /** How far ahead a {@code *} outbound packet is waited for (covers every Linux timer but TIME_WAIT). */
    private static final long ANY_TIME_LIMIT_NANOS = 300_000_000_000L;

    private final Script script;
    private final Map<String, String> options;
    final TcpConfig config;
    long now = BASE_NANOS;
    final NetStack stack;
    final IpAddress localAddress;
    final IpAddress remoteAddress;
    /** Sockets of the AF_INET6 family (--ip_version=ipv6 or ipv4-mapped-ipv6), else AF_INET. */
    final boolean ipv6Sockets;
    private final ArrayDeque<Live> captured = new ArrayDeque<>();
    private final Map<Integer, Flow> flows = new HashMap<>();
    private final long toleranceNanos;
    private final double tolerancePercent;
    private final boolean strictSegments;
    final SyscallTable syscalls;
    /** Live time of the previous event: relative times count from here. */
    private long anchor = BASE_NANOS;
    private Pending pending;
    int listenPort = DEFAULT_PORT;
    /** The port "..." stands for in bind() and connect() (--bind_port, --connect_port; packetdrill's 8080). */
    final int bindPort;
    final int connectPort;
    /** Compares outbound options, and maps the timestamps it learns from them onto inbound ecr values. */
    private final OptionMatcher optionMatcher;
    /** The variables of the script's code blocks (packetdrill runs them as one Python program). */
    private final Map<String, Object> codeGlobals = new HashMap<>();
    /** The last exception the stack caught on its packet or timer path (from its trace), for the failure message. */
    private String internalError;

    /** An outbound packet the stack sent, with the virtual time it left. */
    record Live(long time, TcpSegment segment, int ttl) { }

    /** One remote endpoint and the ISNs that make its sequence numbers relative. */
    static final class Flow {
        final int index;
        boolean bound;
        int localPort;
        int remotePort;
        Long remoteIsn;
        Long localIsn;
        /** A new local ISN may appear (none learned yet, or a SYN came in since): false means SYNs must keep it. */
        boolean newIsnAllowed = true;
        /** The ISN of the script's latest SYN, taken as the flow's once our SYN-ACK answers it (a new incarnation). */
        Long synIsn;

        Flow(int index) { this.index = index; }
    }

    /** A blocking system call waiting for its condition. */
    private record Pending(SyscallEvent event, SyscallTable.Attempt attempt, long start, long expectedEnd) { }

    private ScriptRunner(Script script, Map<String, String> options, TcpConfig config) throws ScriptException {
        this.script = script;
        this.options = options;
        this.config = config;
        this.toleranceNanos = 1000 * longOption("tolerance_usecs", DEFAULT_TOLERANCE_MICROS);
        this.tolerancePercent = doubleOption("tolerance_percent", DEFAULT_TOLERANCE_PERCENT);
        this.strictSegments = options.containsKey("strict_segments");
        this.bindPort = (int) longOption("bind_port", DEFAULT_PORT);
        this.connectPort = (int) longOption("connect_port", DEFAULT_PORT);
        this.listenPort = bindPort;
        this.optionMatcher = new OptionMatcher(longOption("tcp_ts_tick_usecs", 0), toleranceNanos, options.containsKey("tcp_ts_ecr_scaled"));
        String ipVersion = options.getOrDefault("ip_version", "ipv4");
        boolean ipv6 = ipVersion.equals("ipv6");
        this.ipv6Sockets = !ipVersion.equals("ipv4");
        this.localAddress = options.containsKey("local_ip") ? IpAddress.parse(options.get("local_ip")) : ipv6 ? LOCAL_ADDRESS6 : LOCAL_ADDRESS;
        this.remoteAddress = options.containsKey("remote_ip") ? IpAddress.parse(options.get("remote_ip")) : ipv6 ? REMOTE_ADDRESS6 : REMOTE_ADDRESS;
        this.stack = new NetStack("local", localAddress.isIpv4() ? localAddress.ipv4() : 0, config, () -> now,
                IsnGenerator.fixed(0x5eed0000), 1);
        if (localAddress.isIpv6()) stack.ipv6Address(localAddress);
        this.stack.attach(this::capture, new NoWaiter());
        this.stack.addTraceListener(e -> {
            if (e instanceof TraceEvent.Packet pk && pk.reason() != null && pk.reason().startsWith("internal error")) {
                internalError = pk.reason();
            }
        });
        this.syscalls = new SyscallTable(this);
    }

    /** The profile scripts run under: Linux, with packetdrill's defaults.sh (window scale 8, tcp_slow_start_after_idle=0). */
    /** defaults.sh's net.ipv4.tcp_fastopen (client, server, on every listener; the high bits are no kernel's flags). */
    static final int DEFAULTS_FASTOPEN = 0x70403;
    /** defaults.sh's net.ipv4.tcp_fastopen_key. */
    static final long[] DEFAULTS_FASTOPEN_KEY = dev.synack.tcp.FastOpenCookies.parseKey("a1a1a1a1-b2b2b2b2-c3c3c3c3-d4d4d4d4");

    public static TcpConfig packetdrillLinux() {
        return TcpConfig.linux().toBuilder().windowScale(8).slowStartAfterIdle(false)
                .fastOpen(DEFAULTS_FASTOPEN).fastOpenKey(DEFAULTS_FASTOPEN_KEY[0], DEFAULTS_FASTOPEN_KEY[1]).build();
    }

    /** Whether the script runs under {@code --profile freebsd}: FreeBSD's TCP_INFO state numbers and names apply. */
    boolean freebsd() {
        return "freebsd".equals(options.get("profile"));
    }

    /** Runs {@code script}; never throws. */
    public static Outcome run(Script script) {
        return run(script, Map.of(), null);
    }

    /**
     * Runs {@code script} with {@code commandLine} options ({@code name -> value}, as
     * {@code --name=value}), which override the script's own as in packetdrill; every trace event
     * of the local stack goes to {@code trace} (may be null).
     */
    public static Outcome run(Script script, Map<String, String> commandLine, dev.synack.trace.TraceListener trace) {
        Map<String, String> options = new LinkedHashMap<>(script.options());
        options.putAll(commandLine);
        TcpConfig[] config = new TcpConfig[1];
        String why = UnsupportedFeatures.unsupported(script, options, config);
        if (why != null) return Outcome.skip(script.name(), why);
        try {
            ScriptRunner runner = new ScriptRunner(script, options, config[0]);
            if (trace != null) runner.stack.addTraceListener(trace);
            runner.execute();
            return Outcome.pass(script.name());
        } catch (ScriptException e) {
            // Something found only while running that synack cannot answer faithfully: skipped, not failed.
            if (e.unsupported()) return Outcome.skip(script.name(), "line " + e.line() + ": " + e.getMessage());
            return Outcome.fail(script.name(), e.line(), e.getMessage());
        } catch (RuntimeException | AssertionError e) {
            return Outcome.fail(script.name(), 0, "internal error: " + e);
        }
    }


    private long longOption(String name, long dflt) throws ScriptException {
        return numericOption(name, dflt, Long::parseLong, "an integer");
    }

    private double doubleOption(String name, double dflt) throws ScriptException {
        return numericOption(name, dflt, Double::parseDouble, "a number");
    }

    /** A packetdrill option's value, {@code dflt} when the script and command line do not set it. */
    private <T> T numericOption(String name, T dflt, Function<String, T> parse, String what) throws ScriptException {
        String v = options.get(name);
        if (v == null) return dflt;
        try {
            return parse.apply(v);
        } catch (NumberFormatException e) {
            throw new ScriptException(0, "--" + name + " needs " + what + ", got '" + v + "'");
        }
    }

    // ------------------------------------------------------------------ the run

    private void execute() throws ScriptException {
        for (Event e : script.events()) {
            checkPendingOverdue();
            switch (e) {
                case PacketEvent p when p.inbound() -> inbound(p);
                case PacketEvent p -> outbound(p);
                case IcmpEvent i -> inboundIcmp(i);
                case SyscallEvent s -> syscall(s);
                case ShellEvent s when s.placement() == Placement.TIMED -> {
                    // Its settings were read into the configuration before the stack started (ShellCommands).
                    advanceTo(scheduled(s.time()));
                    anchor = now;
                }
                case ShellEvent s -> { } // the init command ran before time 0; the cleanup command runs after the verdict
                case CodeEvent c -> code(c);
            }
            checkInternalErrors(e.line());
        }
        if (pending != null) {
            Pending p = pending;
            runUntil(() -> pending == null, p.expectedEnd + LATE_LIMIT_NANOS);
            if (pending != null) {
                throw new ScriptException(p.event.line(), p.event.name() + "() was still blocked at the end of the script");
            }
        }
    }

    /** The virtual time an event is scheduled at (the low end of a range; now for '*'). */
    private long scheduled(Time t) {
        return switch (t.kind()) {
            case ABSOLUTE, RANGE_ABSOLUTE -> BASE_NANOS + t.micros() * 1000;
            case RELATIVE, RANGE_RELATIVE -> anchor + t.micros() * 1000;
            case ANY -> now;
        };
    }

    private long scheduledHigh(Time t) {
        return switch (t.kind()) {
            case RANGE_ABSOLUTE -> BASE_NANOS + t.hiMicros() * 1000;
            case RANGE_RELATIVE -> anchor + t.hiMicros() * 1000;
            default -> scheduled(t);
        };
    }

    private long tolerance(long expected, long from) {
        long gap = Math.max(0, expected - from);
        return Math.max(toleranceNanos, (long) (gap * tolerancePercent / 100.0));
    }

    private void checkTime(int line, String what, Time t, long actual) throws ScriptException {
        if (t.kind() == Time.Kind.ANY) return;
        long lo = scheduled(t);
        long hi = scheduledHigh(t);
        long tol = tolerance(hi, anchor);
        if (actual < lo - tol || actual > hi + tol) {
            String expected = t.isRange() ? "between " + seconds(lo) + " and " + seconds(hi) : "at " + seconds(lo);
            throw new ScriptException(line, "timing error: " + what + " expected " + expected + " s (tolerance "
                    + tol / 1000 + " us), happened at " + seconds(actual) + " s");
        }
    }

    static String seconds(long virtual) {
        return String.format(java.util.Locale.ROOT, "%.6f", (virtual - BASE_NANOS) / 1e9);
    }

    // ------------------------------------------------------------------ virtual time

    /** Fires every timer due up to {@code t} (re-trying a blocked call after each step), then sets the clock to t. */
    void advanceTo(long t) throws ScriptException {
        while (true) {
            long d = nextDeadline();
            if (d > t) break;
            now = Math.max(now, d);
            stack.fireTimers(now);
            checkPending();
        }
        now = Math.max(now, t);
        checkPending();
    }

    /** Advances through timer deadlines until {@code done} holds or the clock would pass {@code limit}. */
    private void runUntil(java.util.function.BooleanSupplier done, long limit) throws ScriptException {
        checkPending();
        while (!done.getAsBoolean()) {
            long d = nextDeadline();
            if (d > limit) {
                now = Math.max(now, limit);
                checkPending();
                return;
            }
            now = Math.max(now, d);
            stack.fireTimers(now);
            checkPending();
        }
    }

    /** The next instant something can happen: a stack timer, or a blocked call's own timeout (poll, linger). */
    private long nextDeadline() {
        long wake = pending == null ? Long.MAX_VALUE : syscalls.wakeAt;
        return Math.min(stack.nextTimerDeadline(), wake > now ? wake : Long.MAX_VALUE);
    }

    /**
     * The stack catches every exception on its packet and timer paths and counts it: a script run
     * must see none, so a count that moved fails the script at the line that caused it, with the
     * exception the stack traced.
     */
    private long internalErrorsSeen;

    private void checkInternalErrors(int line) throws ScriptException {
        long n = stack.counter(Counter.INTERNAL_ERRORS);
        if (n == internalErrorsSeen) return;
        internalErrorsSeen = n;
        throw new ScriptException(line, "the stack caught an exception: " + (internalError != null ? internalError : "(not traced)"));
    }

    // ------------------------------------------------------------------ code blocks

    /**
     * A {@code %{ }%} block: packetdrill takes a TCP_INFO snapshot of the socket under test (the
     * last one a socket() or accept() call made) at the block's time and runs the block on it.
     */
    private void code(CodeEvent c) throws ScriptException {
        advanceTo(scheduled(c.time()));
        anchor = now;
        Map<String, Object> snapshot = syscalls.tcpInfoOfSocketUnderTest(c.line());
        codeGlobals.putAll(TcpInfoCode.symbols());
        if (freebsd()) {
            codeGlobals.putAll(TcpInfoCode.freebsdSymbols());
            snapshot = TcpInfoCode.inFreebsdTerms(snapshot);
        }
        codeGlobals.putAll(snapshot);
        TcpInfoCode.run(c, codeGlobals);
    }

    private void capture(NetStack from, ByteBuffer packet) {
        TcpPacket p = new TcpPacket();
        if (PacketCodec.decode(packet.duplicate(), p) != ParseResult.OK) return;
        if (!p.sourceIp().equals(localAddress) || !p.destinationIp().equals(remoteAddress)) return;
        captured.add(new Live(now, p.segment().copy(), p.ttl()));
    }

    /** The runner is single-threaded: a socket call never waits inside the stack. */
    private static final class NoWaiter implements Waiter {
        @Override
        public boolean awaitUntil(NetStack stack, Object key, java.util.function.BooleanSupplier ready, long deadlineNanos) {
            return ready.getAsBoolean();
        }

        @Override
        public void wakeup(NetStack stack, Object key) { }
    }

    // ------------------------------------------------------------------ flows

    Flow flow(int index) {
        return flows.computeIfAbsent(index, Flow::new);
    }

    /** Binds a flow not yet bound as the passive side: the script connects to the listening port. */
    private void bindPassive(Flow f) {
        if (f.bound) return;
        f.bound = true;
        f.localPort = listenPort;
        f.remotePort = REMOTE_PORT_BASE + f.index;
    }

    static long u32(long v) { return v & 0xffffffffL; }

    // ------------------------------------------------------------------ inbound packets

    private void inbound(PacketEvent p) throws ScriptException {
        advanceTo(scheduled(p.time()));
        Flow f = flow(p.flow());
        bindPassive(f);
        boolean syn = (p.flags() & TcpFlags.SYN) != 0;
        // A SYN from the script may start a new incarnation (TIME_WAIT reuse): our answer may bring a new ISN.
        if (syn && (p.flags() & TcpFlags.ACK) == 0) {
            f.newIsnAllowed = true;
            syscalls.synArrived();
        }
        long seq;
        if (syn) {
            if (f.remoteIsn == null) f.remoteIsn = u32(p.seqStart());
            if ((p.flags() & TcpFlags.ACK) == 0) f.synIsn = u32(p.seqStart());
            seq = u32(p.seqStart());
        } else {
            seq = u32((f.remoteIsn == null ? 0 : f.remoteIsn) + p.seqStart());
        }
        long localIsn = f.localIsn == null ? 0 : f.localIsn;
        TcpPacket packet = new TcpPacket();
        packet.source(remoteAddress).destination(localAddress).ttl(p.ttl() == null ? TcpPacket.DEFAULT_TTL : p.ttl());
        TcpSegment s = packet.segment();
        s.clear().sourcePort(f.remotePort).destinationPort(f.localPort).seq((int) seq)
                .ack((int) ((p.flags() & TcpFlags.ACK) != 0 ? u32(localIsn + p.ack()) : p.ack())).flags(p.flags())
                .window(p.window().intValue()).urgentPointer(p.urgent() == null ? 0 : p.urgent().intValue())
                .payload(ByteBuffer.allocate(p.length())).ecn(p.ecn() == null ? IpEcn.NOT_ECT : p.ecn());
        TcpOptions o = s.options();
        if (p.options() != null) {
            for (Option opt : p.options()) {
                long[] v = opt.values();
                switch (opt.name()) {
                    case "mss" -> o.mss((int) v[0]);
                    case "wscale" -> o.windowScale((int) v[0]);
                    case "sackOK" -> o.sackPermitted();
                    case "nop" -> o.nop();
                    case "eol" -> o.eol();
                    case "TS" -> o.timestamps((int) v[0], (int) optionMatcher.liveEcr(v[1], (p.flags() & TcpFlags.ACK) != 0));
                    case "sack" -> {
                        if (v.length / 2 > TcpOptions.MAX_SACK_BLOCKS) throw new ScriptException(p.line(), "too many SACK blocks");
                        o.sack();
                        for (int i = 0; i < v.length; i += 2) o.addSackBlock((int) u32(localIsn + v[i]), (int) u32(localIsn + v[i + 1]));
                    }
                    case "FO", "FOEXP" -> {
                        byte[] cookie = new byte[v.length];
                        for (int i = 0; i < v.length; i++) cookie[i] = (byte) v[i];
                        o.fastOpen(opt.name().equals("FOEXP"), cookie, 0, cookie.length);
                    }
                    default -> throw new ScriptException(p.line(), "option " + opt.name() + " cannot be injected");
                }
            }
        }
        if (o.encodedLength() > TcpOptions.MAX_LENGTH) throw new ScriptException(p.line(), "options longer than 40 bytes");
        ByteBuffer buf = ByteBuffer.allocate(PacketCodec.encodedLength(packet));
        PacketCodec.encode(packet, buf);
        buf.flip();
        stack.deliver(buf);
        anchor = now;
        checkPending();
    }

    /** An ICMP error from the peer's side about a segment of flow {@code i.flow()} ({@link IcmpSyntax}). */
    private void inboundIcmp(IcmpEvent i) throws ScriptException {
        advanceTo(scheduled(i.time()));
        Flow f = flow(i.flow());
        bindPassive(f);
        if (!remoteAddress.isIpv4()) throw new ScriptException(i.line(), "ICMPv6 errors in scripts are not supported", true);
        stack.deliver(IcmpSyntax.encode(i, remoteAddress.ipv4(), localAddress.ipv4(), f.localPort, f.remotePort,
                f.localIsn == null ? 0 : f.localIsn));
        anchor = now;
        checkPending();
    }

    // ------------------------------------------------------------------ outbound packets

    private Live nextLive(long limit) throws ScriptException {
        if (captured.isEmpty()) runUntil(() -> !captured.isEmpty(), limit);
        return captured.poll();
    }

    private void outbound(PacketEvent p) throws ScriptException {
        long limit = p.time().kind() == Time.Kind.ANY ? now + ANY_TIME_LIMIT_NANOS
                : Math.max(now, scheduledHigh(p.time())) + LATE_LIMIT_NANOS;
        Live first = nextLive(limit);
        if (first == null) {
            throw new ScriptException(p.line(), "expected outbound packet " + expected(p) + " but the stack sent nothing (waited until "
                    + seconds(limit) + " s)");
        }
        Flow f = flow(p.flow());
        TcpSegment s = first.segment();
        boolean syn = (p.flags() & TcpFlags.SYN) != 0;
        boolean newPorts = s.sourcePort() != f.localPort || s.destinationPort() != f.remotePort;
        if ((!f.bound || newPorts && s.has(TcpFlags.SYN) && !s.has(TcpFlags.ACK)) && syn && (p.flags() & TcpFlags.ACK) == 0) {
            // An active open: the flow is the connection this SYN starts (a script's later socket starts
            // a new one, as packetdrill follows each new connection the kernel opens).
            f.bound = true;
            f.localPort = s.sourcePort();
            f.remotePort = s.destinationPort();
            f.remoteIsn = null;
            f.localIsn = null;
            f.newIsnAllowed = true;
        }
        bindPassive(f);
        if (s.sourcePort() != f.localPort || s.destinationPort() != f.remotePort) {
            throw mismatch(p, first, f, "a packet of another connection (ports " + s.sourcePort() + " > " + s.destinationPort() + ")");
        }
        if (s.has(TcpFlags.SYN) && syn && f.newIsnAllowed) {
            // Our ISN is learned from our SYN or SYN-ACK; its retransmissions must then carry the same one.
            f.localIsn = u32(u32(s.seq()) - p.seqStart());
            f.newIsnAllowed = false;
            if (s.has(TcpFlags.ACK) && f.synIsn != null) f.remoteIsn = f.synIsn; // the SYN this SYN-ACK answers
            f.synIsn = null;
        }
        long localIsn = f.localIsn == null ? 0 : f.localIsn;
        long remoteIsn = f.remoteIsn == null ? 0 : f.remoteIsn;
        long relSeq = u32(s.seq() - localIsn);
        if (relSeq != u32(p.seqStart())) throw mismatch(p, first, f, "bad sequence number");
        // A train of segments may cover one line's range (packetdrill's default, not with --strict_segments),
        // as packetdrill aggregates the fragments of a TSO/GSO packet: each fragment's flags other than
        // PSH, FIN and CWR must equal the one before it, every fragment but the last carries as much
        // as the one before it, and the last one's header stands for the whole train below.
        Live last = first;
        int covered = s.payloadLength();
        if (!strictSegments && covered > 0 && covered < p.length()) {
            int fragmentFlags = TcpFlags.PSH | TcpFlags.FIN | TcpFlags.CWR;
            while (covered < p.length()) {
                Live next = nextLive(Math.max(now, scheduledHigh(p.time())) + LATE_LIMIT_NANOS);
                if (next == null) throw mismatch(p, last, f, "the train of segments stopped after " + covered + " bytes");
                TcpSegment previous = last.segment();
                TcpSegment fragment = next.segment();
                if ((fragment.flags() & ~fragmentFlags) != (previous.flags() & ~fragmentFlags)) {
                    throw mismatch(p, next, f, "bad flags inside a train of segments");
                }
                if (u32(fragment.seq() - localIsn) != u32(p.seqStart() + covered)) {
                    throw mismatch(p, next, f, "bad sequence number inside a train of segments");
                }
                int length = fragment.payloadLength();
                if (covered + length < p.length() && length != previous.payloadLength()) {
                    throw mismatch(p, next, f, "a segment inside a train carries " + length + " bytes, the one before it "
                            + previous.payloadLength());
                }
                covered += length;
                last = next;
            }
        }
        TcpSegment ls = last.segment();
        if (ls.flags() != p.flags()) throw mismatch(p, last, f, "bad flags");
        if (covered != p.length()) throw mismatch(p, last, f, "bad payload length");
        // As packetdrill: the ack field is compared always (relative with the ACK flag, raw without),
        // and so is the urgent pointer (0 when not written); the window only when written.
        // A SYN-ACK's ack is written absolute, as its sequence number is (packetdrill: "< S 1000:1000(0)" then "> S. 0:0(0) ack 1001").
        long liveAck = ls.has(TcpFlags.ACK) && !ls.has(TcpFlags.SYN) ? u32(ls.ack() - remoteIsn) : u32(ls.ack());
        if (liveAck != u32(p.ack())) throw mismatch(p, last, f, "bad ack number");
        if (p.window() != null && ls.window() != p.window()) throw mismatch(p, last, f, "bad window");
        if (ls.urgentPointer() != (p.urgent() == null ? 0 : p.urgent())) throw mismatch(p, last, f, "bad urgent pointer");
        if (p.ttl() != null && last.ttl() != p.ttl()) throw mismatch(p, last, f, "bad TTL " + last.ttl());
        if (!p.ecnMatches(ls.ecn())) throw mismatch(p, last, f, "bad ECN field");
        if (p.options() != null) {
            String why = optionMatcher.compare(p.options(), ls.options(), remoteIsn);
            if (why != null) throw mismatch(p, last, f, why);
        }
        checkTime(p.line(), "outbound packet", p.time(), first.time());
        anchor = first.time();
        now = Math.max(now, last.time());
    }

    private ScriptException mismatch(PacketEvent p, Live live, Flow f, String why) {
        return new ScriptException(p.line(), why + ": expected " + expected(p) + ", got " + render(live, f) + " at "
                + seconds(live.time()) + " s");
    }

    static String expected(PacketEvent p) {
        StringBuilder b = new StringBuilder(p.inbound() ? "< " : "> ");
        if (p.ecn() != null) b.append('[').append(p.ecn() == PacketEvent.ECN_ECT01 ? "ect01" : IpEcn.name(p.ecn())).append("] ");
        b.append(p.flagText()).append(' ').append(p.seqStart()).append(':').append(p.seqEnd()).append('(').append(p.length()).append(')');
        if ((p.flags() & TcpFlags.ACK) != 0 || p.ack() != 0) b.append(" ack ").append(p.ack());
        if (p.window() != null) b.append(" win ").append(p.window());
        if (p.options() == null) b.append(" <...>");
        else if (!p.options().isEmpty()) b.append(" <").append(String.join(",", p.options().stream().map(Option::toString).toList())).append('>');
        return b.toString();
    }

    /** A live segment in script terms (sequence numbers relative to the flow's ISNs). */
    private static String render(Live live, Flow f) {
        TcpSegment s = live.segment();
        long localIsn = f.localIsn == null ? 0 : f.localIsn;
        long remoteIsn = f.remoteIsn == null ? 0 : f.remoteIsn;
        String flags = TcpFlags.tcpdump(s.flags()).replace("none", "-");
        long seq = u32(s.seq() - localIsn);
        StringBuilder b = new StringBuilder("> ");
        if (s.ecn() != IpEcn.NOT_ECT) b.append('[').append(IpEcn.name(s.ecn())).append("] ");
        b.append(flags).append(' ').append(seq).append(':')
                .append(seq + s.payloadLength()).append('(').append(s.payloadLength()).append(')');
        if (s.has(TcpFlags.ACK)) b.append(" ack ").append(u32(s.ack() - remoteIsn));
        else if (s.ack() != 0) b.append(" ack ").append(u32(s.ack()));
        b.append(" win ").append(s.window());
        if (!s.options().isEmpty()) b.append(" <").append(s.options()).append('>');
        return b.toString();
    }

    // ------------------------------------------------------------------ system calls

    private void syscall(SyscallEvent e) throws ScriptException {
        long start = scheduled(e.time());
        // The end of a blocking call counts from the same origin as its start: script time 0 for an
        // absolute start, the previous event for a relative one ("+0...0.2": returns 0.2 s after it).
        long origin = e.time().kind() == Time.Kind.RELATIVE ? anchor : BASE_NANOS;
        long expectedEnd = e.end() == null ? start : origin + e.end().micros() * 1000;
        advanceTo(start);
        SyscallTable.Attempt attempt = syscalls.start(e);
        SyscallTable.Result r = attempt.attempt();
        anchor = start;
        if (r != null) {
            finish(e, r, start, expectedEnd);
            return;
        }
        if (pending != null) {
            throw new ScriptException(e.line(), e.name() + "() blocks while " + pending.event.name() + "() of line "
                    + pending.event.line() + " is still blocked (one blocking call at a time)");
        }
        pending = new Pending(e, attempt, start, expectedEnd);
        syscalls.wakeAt = syscalls.startWakeAt;
        if (e.end() == null) {
            // Not marked '...': the script waits for it, as packetdrill's main thread would.
            runUntil(() -> pending == null, start + LATE_LIMIT_NANOS);
            if (pending != null) {
                throw new ScriptException(e.line(), e.name() + "() blocked (write '...' on a blocking call) and had not returned at "
                        + seconds(now) + " s");
            }
            anchor = now;
        }
    }

    private void checkPending() throws ScriptException {
        if (pending == null) return;
        SyscallTable.Result r = pending.attempt.attempt();
        if (r == null) return;
        Pending p = pending;
        pending = null;
        finish(p.event, r, p.start, p.expectedEnd);
    }

    private void checkPendingOverdue() throws ScriptException {
        if (pending == null) return;
        long tol = tolerance(pending.expectedEnd, pending.start);
        if (pending.event.end() != null && now > pending.expectedEnd + tol) {
            throw new ScriptException(pending.event.line(), pending.event.name() + "() expected to return at "
                    + seconds(pending.expectedEnd) + " s, still blocked at " + seconds(now) + " s");
        }
    }

    private void finish(SyscallEvent e, SyscallTable.Result r, long start, long expectedEnd) throws ScriptException {
        syscalls.verify(e, r);
        long tol = tolerance(expectedEnd, start);
        if (Math.abs(now - expectedEnd) > tol) {
            throw new ScriptException(e.line(), "timing error: " + e.name() + "() expected to return at " + seconds(expectedEnd)
                    + " s (tolerance " + tol / 1000 + " us), returned at " + seconds(now) + " s");
        }
    }
}
