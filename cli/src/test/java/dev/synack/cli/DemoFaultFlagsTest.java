package dev.synack.cli;

import static dev.synack.cli.DemoRunner.num;
import static dev.synack.cli.DemoRunner.str;
import static dev.synack.cli.DemoRunner.where;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The demo's fault flags and the lossy scenario. */
@Execution(ExecutionMode.SAME_THREAD)
class DemoFaultFlagsTest {

    @Test
    void lossyScenarioLosesPacketsRetransmitsAndStillDeliversEverything() {
        DemoRunner.Result r = DemoRunner.run("demo", "lossy", "--format", "jsonl", "--seed", "5");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        List<Map<String, Object>> events = r.events();
        List<Map<String, Object>> lost = where(where(events, "kind", "drop"), "reason", "lost (random)");
        assertThat(lost).isNotEmpty();
        // Each lost data segment is sent again later: its seq appears in a later send by the same host.
        Map<String, Object> firstLostData = lost.stream().filter(e -> num(e, "len").signum() > 0).findFirst().orElseThrow();
        long resent = where(where(events, "kind", "send"), "host", str(firstLostData, "host")).stream()
                .filter(e -> num(e, "seq").compareTo(num(firstLostData, "seq")) == 0
                        && num(e, "t").compareTo(num(firstLostData, "t")) > 0).count();
        assertThat(resent).as("retransmissions of seq %s", num(firstLostData, "seq")).isPositive();
        // The receiver reports what arrived beyond a hole in SACK blocks (RFC 2018).
        assertThat(where(where(events, "kind", "send"), "host", "server"))
                .anySatisfy(e -> assertThat(str(e, "options")).containsPattern("sack [1-4] "));
    }

    @Test
    void textHeaderNamesTheConditionsAndCountsTheFaults() {
        DemoRunner.Result r = DemoRunner.run("demo", "lossy", "--loss", "5%", "--delay", "20ms", "--jitter", "2ms",
                "--reorder", "--duplicate=2%", "--corrupt", "--bandwidth", "10Mbit", "--seed", "2");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("Each direction: delay 20ms, jitter 2ms, loss 5%, reorder 5% by 10ms, "
                + "duplicate 2%, corrupt 1%, bandwidth 10Mbit/s, queue 150000 B");
        assertThat(r.out()).containsPattern("Faults: [1-9][0-9]* lost");
    }

    @Test
    void aNarrowHopMakesTheSendersShrinkTheirSegments() {
        DemoRunner.Result r = DemoRunner.run("demo", "lossy", "--loss", "1%", "--mtu", "1200", "--format", "jsonl",
                "--seed", "4");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(where(r.events(), "kind", "drop")).anySatisfy(d -> assertThat(str(d, "reason")).isEqualTo("exceeds the path MTU"));
        List<Map<String, Object>> icmp = where(r.events(), "flags", "icmp 3/4 mtu 1200");
        assertThat(icmp).isNotEmpty().allSatisfy(e -> assertThat(str(e, "kind")).isEqualTo("recv"));
        // After the ICMP error no data segment is longer than the hop allows: 1200 - 40 - 12 (timestamps).
        Object learnedAt = icmp.getFirst().get("t");
        assertThat(where(where(r.events(), "kind", "send"), "host", "client"))
                .filteredOn(e -> num(e, "t").compareTo(num(icmp.getFirst(), "t")) > 0)
                .allSatisfy(e -> assertThat(num(e, "len").intValue()).as("at %s", learnedAt).isLessThanOrEqualTo(1148));
    }

    @Test
    void corruptedPacketsAreDroppedByTheReceiversChecksum() {
        DemoRunner.Result r = DemoRunner.run("demo", "lossy", "--loss", "0", "--corrupt", "5%", "--format", "jsonl",
                "--seed", "3");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        List<Map<String, Object>> drops = where(r.events(), "kind", "drop");
        // No loss was asked for: the network dropped nothing, and every packet the receivers could not
        // decode (flags "?") was rejected for a flipped bit, mostly by a checksum.
        assertThat(drops).noneSatisfy(d -> assertThat(str(d, "reason")).startsWith("lost"));
        List<Map<String, Object>> undecodable = where(drops, "flags", "?");
        assertThat(undecodable).isNotEmpty().allSatisfy(d -> assertThat(str(d, "reason")).matches(
                "bad (IPv4 header|TCP) checksum|bad IPv4 header length|IPv4 total length disagrees with the packet"
                        + "|IP version is not 4|not a TCP packet|IPv4 fragment.*|bad TCP data offset|truncated packet"
                        + "|bad TCP option length"));
        assertThat(undecodable.stream().filter(d -> str(d, "reason").endsWith("checksum")).count()).isPositive();
    }

    @Test
    void theSameSeedGivesTheSameLossyTraceByteForByte() {
        String[] args = {"demo", "lossy", "--loss", "8%", "--reorder", "--duplicate", "--corrupt", "--jitter", "3ms",
                "--bandwidth", "20Mbit", "--format", "jsonl", "--seed", "11"};
        DemoRunner.Result first = DemoRunner.run(args);
        DemoRunner.Result second = DemoRunner.run(args);
        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(second.out()).isEqualTo(first.out());
        args[args.length - 1] = "12";
        assertThat(DemoRunner.run(args).out()).isNotEqualTo(first.out());
    }

    @ParameterizedTest
    @CsvSource({"--loss, abc, not a percentage", "--loss, 120%, out of range", "--delay, 20, needs a unit",
            "--jitter, 5xs, unknown unit", "--bandwidth, 10MB, bytes are not accepted", "--reorder, lossy, not a percentage",
            "--corrupt, -1%, not a percentage", "--duplicate, 200, out of range"})
    void badValuesAreUsageErrors(String option, String value, String message) {
        DemoRunner.Result r = DemoRunner.run("demo", option, value);
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains(option).contains(message);
    }

    @Test
    void helpDocumentsTheFaultFlagsAndTheLossyScenario() {
        DemoRunner.Result r = DemoRunner.run("demo", "--help");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("--loss=P%", "--reorder[=P%]", "--duplicate[=P%]", "--corrupt[=P%]",
                "--delay=TIME", "--jitter=TIME", "--bandwidth=RATE", "--mtu=BYTES", "lossy");
        assertThat(r.err()).doesNotContain("WARN");
    }
}
