package dev.synack.cli;

import static dev.synack.cli.DemoRunner.num;
import static dev.synack.cli.DemoRunner.str;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * End to end: every scenario runs on the simulated network with the real stack and sockets, and its
 * JSON lines trace shows the textbook story.
 */
@Execution(ExecutionMode.SAME_THREAD)
class DemoScenariosTest {
    private static final String CLIENT = "client";
    private static final String SERVER = "server";
    private static final BigDecimal LINUX_TIME_WAIT = new BigDecimal(60);
    private static final long MOD32 = 1L << 32;

    /** The jsonl events of a scenario that must succeed. */
    static List<Map<String, Object>> trace(String... args) {
        List<String> all = new ArrayList<>(List.of("demo"));
        all.addAll(List.of(args));
        all.addAll(List.of("--format", "jsonl"));
        DemoRunner.Result r = DemoRunner.run(all.toArray(String[]::new));
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.err()).as(r.toString()).isEmpty();
        return r.events();
    }

    static List<Map<String, Object>> kind(List<Map<String, Object>> events, String host, String kind) {
        return events.stream().filter(e -> host.equals(e.get("host")) && kind.equals(e.get("kind"))).toList();
    }

    /** The connections (4-tuples, not listeners) of a host, in the order they first change state. */
    static List<String> connections(List<Map<String, Object>> events, String host) {
        Set<String> conns = new LinkedHashSet<>();
        kind(events, host, "state").stream().map(e -> str(e, "conn")).filter(c -> c.contains("<->"))
                .forEach(conns::add);
        return List.copyOf(conns);
    }

    /** The states a connection went through: the first "from", then every "to". */
    static List<String> states(List<Map<String, Object>> events, String host, String conn) {
        List<String> states = new ArrayList<>();
        for (Map<String, Object> e : kind(events, host, "state")) {
            if (conn.equals(e.get("conn"))) {
                if (states.isEmpty()) {
                    states.add(str(e, "from"));
                }
                states.add(str(e, "to"));
            }
        }
        return states;
    }

    static List<String> onlyConnectionStates(List<Map<String, Object>> events, String host) {
        List<String> conns = connections(events, host);
        assertThat(conns).as("connections of %s", host).hasSize(1);
        return states(events, host, conns.getFirst());
    }

    static BigDecimal time(Map<String, Object> e) {
        return num(e, "t");
    }

    static Map<String, Object> transition(List<Map<String, Object>> events, String host, String from, String to) {
        return kind(events, host, "state").stream().filter(e -> from.equals(e.get("from")) && to.equals(e.get("to")))
                .findFirst().orElseThrow(() -> new AssertionError(host + " never went " + from + " -> " + to));
    }

    static long seq(Map<String, Object> e, String key) {
        return num(e, key).longValueExact();
    }

    @ParameterizedTest
    @EnumSource(Scenario.class)
    void everyScenarioSucceedsInBothFormatsAndEndsWithAllConnectionsClosed(Scenario s) {
        List<Map<String, Object>> events = trace(s.id);
        assertThat(events).isNotEmpty();
        for (String host : List.of(CLIENT, SERVER)) {
            for (String conn : connections(events, host)) {
                assertThat(states(events, host, conn)).as("%s %s", host, conn).endsWith("CLOSED");
            }
        }
        DemoRunner.Result text = DemoRunner.run("demo", s.id);
        assertThat(text.exitCode()).as(text.toString()).isZero();
        assertThat(text.out()).startsWith("synack demo " + s.id + ": " + s.summary + "\nseed 1, MSL 30 s (TIME_WAIT 60 s)")
                .contains("Ladder: client 10.0.0.1 (left) <-> server 10.0.0.2 (right)");
        assertThat(text.out().lines()).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(120));
    }

    @ParameterizedTest
    @EnumSource(Scenario.class)
    void everyScenarioSucceedsOverIpv6(Scenario s) {
        DemoRunner.Result text = DemoRunner.run("demo", s.id, "--ipv6");
        assertThat(text.exitCode()).as(text.toString()).isZero();
        assertThat(text.out()).contains("Ladder: client [fd00::1] (left) <-> server [fd00::2] (right)")
                .doesNotContain("10.0.0.");
    }

    @Test
    void lifecycleFollowsTheTextbookStates() {
        List<Map<String, Object>> events = trace("lifecycle");
        assertThat(onlyConnectionStates(events, CLIENT)).containsExactly("CLOSED", "SYN_SENT", "ESTABLISHED",
                "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSED");
        // The stack reports the accepted connection as born from the listener: LISTEN -> SYN_RECV.
        assertThat(onlyConnectionStates(events, SERVER)).containsExactly("LISTEN", "SYN_RECV", "ESTABLISHED",
                "CLOSE_WAIT", "LAST_ACK", "CLOSED");
    }

    @Test
    void handshakeIsSynSynAckAck() {
        List<Map<String, Object>> sends = trace("lifecycle").stream().filter(e -> "send".equals(e.get("kind")))
                .limit(3).toList();
        assertThat(sends).extracting(e -> e.get("host")).containsExactly(CLIENT, SERVER, CLIENT);
        assertThat(sends).extracting(e -> e.get("flags")).containsExactly("S", "S.", ".");
        long clientIsn = seq(sends.get(0), "seq");
        long serverIsn = seq(sends.get(1), "seq");
        assertThat(seq(sends.get(1), "ack")).isEqualTo((clientIsn + 1) % MOD32);
        assertThat(seq(sends.get(2), "seq")).isEqualTo((clientIsn + 1) % MOD32);
        assertThat(seq(sends.get(2), "ack")).isEqualTo((serverIsn + 1) % MOD32);
        assertThat(str(sends.get(0), "options")).startsWith("mss 1460,sackOK,TS val ").endsWith(",nop,wscale 7");
        assertThat(str(sends.get(0), "src")).startsWith("10.0.0.1:");
        assertThat(str(sends.get(0), "dst")).isEqualTo("10.0.0.2:80");
    }

    @ParameterizedTest
    @CsvSource({"'', 60", "1, 2", "0.25, 0.5", "120, 240"})
    void timeWaitLastsTwiceTheMsl(String msl, BigDecimal expected) {
        List<Map<String, Object>> events = msl.isEmpty() ? trace("lifecycle") : trace("lifecycle", "--msl", msl);
        BigDecimal entered = time(transition(events, CLIENT, "FIN_WAIT2", "TIME_WAIT"));
        BigDecimal left = time(transition(events, CLIENT, "TIME_WAIT", "CLOSED"));
        assertThat(left.subtract(entered)).isEqualByComparingTo(expected);
        if (msl.isEmpty()) {
            assertThat(expected).isEqualByComparingTo(LINUX_TIME_WAIT);
        }
    }

    @Test
    void refusedConnectGetsRstAck() {
        List<Map<String, Object>> events = trace("refused");
        Map<String, Object> syn = kind(events, CLIENT, "send").getFirst();
        assertThat(syn.get("flags")).isEqualTo("S");
        List<Map<String, Object>> serverSends = kind(events, SERVER, "send");
        assertThat(serverSends).hasSize(1);
        Map<String, Object> rst = serverSends.getFirst();
        // RFC 9293 §3.10.7.1: no ACK on the SYN, so <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.
        assertThat(rst.get("flags")).isEqualTo("R.");
        assertThat(seq(rst, "seq")).isZero();
        assertThat(seq(rst, "ack")).isEqualTo((seq(syn, "seq") + 1) % MOD32);
        assertThat(onlyConnectionStates(events, CLIENT)).containsExactly("CLOSED", "SYN_SENT", "CLOSED");
        assertThat(kind(events, CLIENT, "call")).anyMatch(c -> str(c, "result").contains("Connection refused"));
    }

    @Test
    void lostFinalAckIsAnsweredAgainFromTimeWaitWhichRestarts() {
        List<Map<String, Object>> events = trace("time-wait");
        List<Map<String, Object>> drops = events.stream().filter(e -> "drop".equals(e.get("kind"))).toList();
        assertThat(drops).hasSize(1);
        Map<String, Object> drop = drops.getFirst();
        assertThat(drop).containsEntry("host", CLIENT).containsEntry("flags", ".").containsEntry("reason",
                "scripted loss");

        List<Map<String, Object>> fins = kind(events, SERVER, "send").stream()
                .filter(e -> str(e, "flags").contains("F")).toList();
        assertThat(fins).hasSize(2);
        assertThat(seq(fins.get(1), "seq")).as("a retransmission").isEqualTo(seq(fins.get(0), "seq"));
        long finEnd = (seq(fins.getFirst(), "seq") + 1) % MOD32;
        assertThat(seq(drop, "ack")).isEqualTo(finEnd);

        // The client answered the FIN twice: the lost ACK, then again from TIME_WAIT.
        List<Map<String, Object>> finAcks = kind(events, CLIENT, "send").stream()
                .filter(e -> ".".equals(e.get("flags")) && seq(e, "ack") == finEnd).toList();
        assertThat(finAcks).hasSize(2);
        List<Map<String, Object>> finsArrived = kind(events, CLIENT, "recv").stream()
                .filter(e -> str(e, "flags").contains("F")).toList();
        assertThat(finsArrived).hasSize(2);

        // TIME_WAIT is entered once and ends 2MSL after the second FIN, not after the first.
        assertThat(onlyConnectionStates(events, CLIENT)).containsExactly("CLOSED", "SYN_SENT", "ESTABLISHED",
                "FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSED");
        BigDecimal entered = time(transition(events, CLIENT, "FIN_WAIT2", "TIME_WAIT"));
        BigDecimal closed = time(transition(events, CLIENT, "TIME_WAIT", "CLOSED"));
        BigDecimal secondFin = time(finsArrived.get(1));
        assertThat(secondFin).isGreaterThan(entered);
        assertThat(closed.subtract(secondFin)).isEqualByComparingTo(LINUX_TIME_WAIT);
        assertThat(closed.subtract(entered)).isGreaterThan(LINUX_TIME_WAIT);

        // The ladder says how long TIME_WAIT really lasted.
        DemoRunner.Result text = DemoRunner.run("demo", "time-wait");
        assertThat(text.out()).contains("state TIME_WAIT -> CLOSED (")
                .contains("after " + closed.subtract(entered).stripTrailingZeros().toPlainString() + " s in TIME_WAIT)")
                .contains("dropped: scripted loss");

        List<String> server = onlyConnectionStates(events, SERVER);
        assertThat(server).endsWith("CLOSE_WAIT", "LAST_ACK", "CLOSED");
        assertThat(time(transition(events, SERVER, "LAST_ACK", "CLOSED"))).isGreaterThan(time(fins.get(1)));
    }

    @Test
    void simultaneousOpenGoesThroughSynRecvOnBothSides() {
        List<Map<String, Object>> events = trace("simultaneous-open");
        for (String host : List.of(CLIENT, SERVER)) {
            assertThat(onlyConnectionStates(events, host)).as(host).startsWith("CLOSED", "SYN_SENT", "SYN_RECV",
                    "ESTABLISHED").endsWith("CLOSED");
            assertThat(kind(events, host, "send")).extracting(e -> e.get("flags")).as(host).startsWith("S", "S.");
        }
        assertThat(time(kind(events, CLIENT, "send").getFirst()))
                .isEqualByComparingTo(time(kind(events, SERVER, "send").getFirst()));
    }

    @Test
    void simultaneousCloseGoesThroughClosingOnBothSides() {
        List<Map<String, Object>> events = trace("simultaneous-close");
        for (String host : List.of(CLIENT, SERVER)) {
            assertThat(onlyConnectionStates(events, host)).as(host).endsWith("ESTABLISHED", "FIN_WAIT1", "CLOSING",
                    "TIME_WAIT", "CLOSED");
        }
        BigDecimal clientFin = time(transition(events, CLIENT, "ESTABLISHED", "FIN_WAIT1"));
        assertThat(time(transition(events, SERVER, "ESTABLISHED", "FIN_WAIT1"))).isEqualByComparingTo(clientFin);
    }

    @Test
    void halfCloseKeepsDataFlowingAfterTheClientsFin() {
        List<Map<String, Object>> events = trace("half-close");
        int clientFin = -1;
        int dataAfterFin = 0;
        int serverFin = -1;
        for (int i = 0; i < events.size(); i++) {
            Map<String, Object> e = events.get(i);
            if (!"send".equals(e.get("kind"))) {
                continue;
            }
            if (CLIENT.equals(e.get("host")) && str(e, "flags").contains("F")) {
                clientFin = i;
            } else if (SERVER.equals(e.get("host")) && clientFin >= 0 && seq(e, "len") > 0) {
                dataAfterFin++;
            } else if (SERVER.equals(e.get("host")) && str(e, "flags").contains("F")) {
                serverFin = i;
            }
        }
        assertThat(clientFin).isNotNegative();
        assertThat(dataAfterFin).isGreaterThanOrEqualTo(Scenario.HALF_CLOSE_REPLY.size());
        assertThat(serverFin).isGreaterThan(clientFin);
        assertThat(onlyConnectionStates(events, CLIENT)).endsWith("FIN_WAIT1", "FIN_WAIT2", "TIME_WAIT", "CLOSED");
        assertThat(onlyConnectionStates(events, SERVER)).endsWith("ESTABLISHED", "CLOSE_WAIT", "LAST_ACK", "CLOSED");
        long delivered = kind(events, CLIENT, "recv").stream().mapToLong(e -> seq(e, "len")).sum();
        assertThat(delivered).isEqualTo(String.join("", Scenario.HALF_CLOSE_REPLY).length());
    }

    @Test
    void shutRdReadsEndOfFileThenTheDataSentLater() {
        List<Map<String, Object>> events = trace("shut-rd");
        List<String> serverCalls = kind(events, SERVER, "call").stream()
                .map(c -> str(c, "call") + " => " + str(c, "result")).toList();
        int len = Scenario.LATE_DATA.length();
        assertThat(serverCalls).containsSubsequence("shutdown READ => ok", "read => EOF", "read => " + len, "read => EOF");
        lateDataAcknowledgedWithoutReset(events);
    }

    /** The client's data sent after the server's SHUT_RD is acknowledged by the server, and no RST is ever sent. */
    private static void lateDataAcknowledgedWithoutReset(List<Map<String, Object>> events) {
        int len = Scenario.LATE_DATA.length();
        Map<String, Object> late = kind(events, CLIENT, "send").stream().filter(e -> seq(e, "len") == len)
                .findFirst().orElseThrow();
        long lateEnd = (seq(late, "seq") + len) % MOD32;
        assertThat(kind(events, SERVER, "send")).anyMatch(e -> seq(e, "ack") == lateEnd)
                .noneMatch(e -> str(e, "flags").contains("R"));
    }

    @Test
    void underFreebsdShutRdDropsTheDataSentLater() {
        List<Map<String, Object>> events = trace("shut-rd", "--profile", "freebsd");
        List<String> serverCalls = kind(events, SERVER, "call").stream()
                .map(c -> str(c, "call") + " => " + str(c, "result")).toList();
        int len = Scenario.LATE_DATA.length();
        assertThat(serverCalls).containsSubsequence("shutdown READ => ok", "read => EOF", "read => EOF")
                .noneMatch(c -> c.equals("read => " + len));
        lateDataAcknowledgedWithoutReset(events); // and then dropped
    }

    @ParameterizedTest
    @EnumSource(Scenario.class)
    void everyScenarioSucceedsUnderTheFreebsdProfile(Scenario s) {
        assertThat(trace(s.id, "--profile", "freebsd")).isNotEmpty();
    }

    @Test
    void anUnknownProfileIsAUsageError() {
        DemoRunner.Result r = DemoRunner.run("demo", "--profile", "solaris");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("linux, freebsd or rfc");
    }

    @Test
    void abortSendsRstAndThePeerSeesConnectionReset() {
        List<Map<String, Object>> events = trace("abort");
        assertThat(kind(events, CLIENT, "send")).anyMatch(e -> str(e, "flags").startsWith("R"))
                .noneMatch(e -> str(e, "flags").contains("F"));
        assertThat(onlyConnectionStates(events, SERVER)).endsWith("ESTABLISHED", "CLOSED");
        assertThat(kind(events, SERVER, "call")).anyMatch(c -> str(c, "result").contains("Connection reset"));
    }

    @Test
    void closeWithUnreadDataSendsRstNotFin() {
        List<Map<String, Object>> events = trace("unread-close");
        assertThat(kind(events, SERVER, "send")).anyMatch(e -> str(e, "flags").startsWith("R"))
                .noneMatch(e -> str(e, "flags").contains("F"));
        assertThat(kind(events, CLIENT, "call")).anyMatch(c -> str(c, "result").contains("Connection reset"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"lifecycle", "time-wait", "simultaneous-open"})
    void sameSeedGivesTheSameBytes(String scenario) {
        DemoRunner.Result a = DemoRunner.run("demo", scenario, "--format", "jsonl", "--seed", "42");
        DemoRunner.Result b = DemoRunner.run("demo", scenario, "--format", "jsonl", "--seed", "42");
        assertThat(a.exitCode()).as(a.toString()).isZero();
        assertThat(b.out()).isEqualTo(a.out());
        DemoRunner.Result text1 = DemoRunner.run("demo", scenario, "--seed", "42");
        DemoRunner.Result text2 = DemoRunner.run("demo", scenario, "--seed", "42");
        assertThat(text2.out()).isEqualTo(text1.out());
    }

    @Test
    void anotherSeedGivesOtherIsns() {
        List<Map<String, Object>> one = trace("lifecycle", "--seed", "1");
        List<Map<String, Object>> two = trace("lifecycle", "--seed", "2");
        assertThat(seq(kind(one, CLIENT, "send").getFirst(), "seq"))
                .isNotEqualTo(seq(kind(two, CLIENT, "send").getFirst(), "seq"));
    }

    @Test
    void textFormatShowsTheLadder() {
        DemoRunner.Result r = DemoRunner.run("demo");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).startsWith("synack demo lifecycle: ")
                .containsPattern("SYN_SENT  -- S seq \\d+ len 0 win \\d+ -+>")
                .contains("state FIN_WAIT2 -> TIME_WAIT")
                .contains("s pass ...");
    }
}
