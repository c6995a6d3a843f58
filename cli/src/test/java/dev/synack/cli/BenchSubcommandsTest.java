package dev.synack.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;

/** {@code synack bench throughput|connections|scale|tun}: argument checks and the output's shape on tiny runs. */
@Execution(ExecutionMode.SAME_THREAD)
class BenchSubcommandsTest {
    @Test
    void throughputOverIpv6RunsBothStacksOverIpv6() {
        DemoRunner.Result r = DemoRunner.run("bench", "throughput", "--ipv6", "--size", "1MiB", "--warmup", "0",
                "--mtu", "1500", "--buffer", "1MiB", "--write", "64KiB");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines.get(0)).endsWith("over IPv6");
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("throughput, MTU 1500: synack "));
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("  synack: MSS 1440,"));
        assertThat(lines.getLast()).matches("ratio: [0-9.]+");
    }

    @Test
    void connectionsOverIpv6RunBothStacksOverIpv6() {
        DemoRunner.Result r = DemoRunner.run("bench", "connections", "--ipv6", "--seconds", "0.3", "--warmup", "0",
                "--threads", "2", "--server", "threads,events", "--shards", "3");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines.get(0)).endsWith("over IPv6; synack's hosts in 3 shards");
        assertThat(lines).noneMatch(l -> l.contains("connections failed"));
        assertThat(lines.getLast()).matches("ratio: [0-9.]+");
    }

    @Test
    void throughputPrintsKernelAndSynackPerMtuAndEndsWithTheRatio() {
        DemoRunner.Result r = DemoRunner.run("bench", "throughput", "--size", "1MiB", "--warmup", "0",
                "--mtu", "1500,9000", "--buffer", "1MiB", "--write", "64KiB");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines.get(0)).contains("1 MiB", "64 KiB per write", "buffers 1 MiB");
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("kernel loopback: "));
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("throughput, MTU 1500: synack "));
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("throughput, MTU 9000: synack "));
        // Under each MTU's result, the CPU of both streams.
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).startsWith("throughput, MTU ")) continue;
            assertThat(lines.get(i + 1)).matches("  CPU, whole process: synack [0-9.]+ s per GiB on [0-9.]+ of "
                    + Runtime.getRuntime().availableProcessors() + " cores, kernel [0-9.]+ s on [0-9.]+");
        }
        String first = lines.stream().filter(l -> l.startsWith("throughput, MTU 1500")).findFirst().orElseThrow();
        String ratio = first.substring(first.lastIndexOf("ratio ") + 6);
        assertThat(lines.getLast()).isEqualTo("ratio: " + ratio);
    }

    @Test
    void badThroughputOptionsAreUsageErrors() {
        assertThat(DemoRunner.run("bench", "throughput", "--size", "0").exitCode()).isEqualTo(2);
        assertThat(DemoRunner.run("bench", "throughput", "--size", "big").exitCode()).isEqualTo(2);
        assertThat(DemoRunner.run("bench", "throughput", "--mtu", "70000").exitCode()).isEqualTo(2);
        assertThat(DemoRunner.run("bench", "throughput", "--buffer", "2GiB").exitCode()).isEqualTo(2);
        assertThat(DemoRunner.run("bench", "throughput", "--warmup", "-1").exitCode()).isEqualTo(2);
        assertThat(DemoRunner.run("bench", "throughput", "--warmup", "256MiB").exitCode()).isEqualTo(2);
    }

    @Test
    void connectionsPrintsOneLinePerThreadCountAndEndsWithTheRatio() {
        int cores = Runtime.getRuntime().availableProcessors();
        DemoRunner.Result r = DemoRunner.run("bench", "connections", "--seconds", "0.2", "--warmup", "0",
                "--threads", "1,2", "--close", "client-reset");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines.get(0)).contains("client resets with SO_LINGER 0")
                .endsWith("synack's hosts in " + cores + " shards for the threads server, " + 2 * cores
                        + " shards for the events server");
        for (String server : List.of("threads", "events")) {
            assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("1 client thread, " + server + " server: synack "));
            assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("2 client threads, " + server + " server: synack "));
        }
        assertThat(lines.getLast()).matches("ratio: ([0-9.]+|n/a)");
        // Every result line is followed by the CPU each stack's connections took.
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).contains(" server: synack ")) continue;
            assertThat(lines.get(i + 1)).matches("  CPU, whole process: synack [0-9.]+ us per connection on [0-9.]+ of "
                    + Runtime.getRuntime().availableProcessors() + " cores, kernel [0-9.]+ us on [0-9.]+");
        }
    }

    @Test
    void connectionsRunsTheServerKindsAskedFor() {
        DemoRunner.Result r = DemoRunner.run("bench", "connections", "--seconds", "0.2", "--warmup", "0",
                "--threads", "1", "--server", "events");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith("1 client thread, events server: synack "));
        assertThat(lines).noneSatisfy(l -> assertThat(l).contains("threads server"));
        assertThat(DemoRunner.run("bench", "connections", "--server", "fibers").exitCode()).isEqualTo(2);
    }

    @Test
    void badConnectionsOptionsAreUsageErrors() {
        assertThat(DemoRunner.run("bench", "connections", "--seconds", "0").exitCode()).isEqualTo(2);
        assertThat(DemoRunner.run("bench", "connections", "--threads", "0").exitCode()).isEqualTo(2);
        assertThat(DemoRunner.run("bench", "connections", "--close", "sometimes").exitCode()).isEqualTo(2);
    }

    @Test
    void scaleReportsHeapPerConnectionAndPerTimeWaitAgainstTheTargets() {
        DemoRunner.Result r = DemoRunner.run("bench", "scale", "--connections", "2000", "--sizes", "100,1000");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(r.out()).contains("2000 connections", "server connections left after the close: 0",
                "per idle established connection end: ", "(target <= 2048: ", "per TIME_WAIT record: ",
                "(target <= 200: ");
        List<String> lines = r.out().lines().toList();
        assertThat(lines).anySatisfy(l -> assertThat(l.strip()).startsWith("100 "));
        assertThat(lines).anySatisfy(l -> assertThat(l.strip()).startsWith("1000 "));
        assertThat(lines.getLast()).matches("ratio: [0-9.]+");
    }

    @Test
    void scaleVerdictSaysByHowMuchATargetIsMissed() {
        assertThat(ScaleCommand.verdict(100, 200)).isEqualTo("met");
        assertThat(ScaleCommand.verdict(1000, 200)).isEqualTo("missed by 5.00x");
        assertThat(ScaleCommand.defaultSizes(100_000)).containsExactly(1000, 10_000, 100_000);
        assertThat(ScaleCommand.defaultSizes(1_000_000)).containsExactly(1000, 10_000, 100_000, 1_000_000);
        assertThat(DemoRunner.run("bench", "scale", "--connections", "0").exitCode()).isEqualTo(2);
    }

    @Test
    void forwardChecksItsArgumentsAndComparesBothPaths() {
        assertThat(DemoRunner.run("bench", "forward", "--mtu", "70000").exitCode()).isEqualTo(2);
        assertThat(DemoRunner.run("bench", "forward", "--threads", "0").exitCode()).isEqualTo(2);
        assertThat(DemoRunner.run("bench", "forward", "--connect-seconds", "-1").exitCode()).isEqualTo(2);
        assertThat(DemoRunner.run("bench", "forward", "--queues", "-1").exitCode()).isEqualTo(2);
        assertThat(DemoRunner.run("forward", "--tun", "synackq0", "--queues", "257").exitCode()).isEqualTo(2);
        String missing = NamespaceExec.missingPrerequisite();
        DemoRunner.Result r = DemoRunner.run("bench", "forward", "--size", "8MiB", "--connect-seconds", "1", "--threads", "2",
                "--queues", "2");
        List<String> lines = r.out().lines().toList();
        if (missing != null) {
            assertThat(r.err()).contains("not available on this machine: " + missing);
            assertThat(lines.getLast()).isEqualTo("ratio: n/a");
            return;
        }
        assertThat(r.exitCode()).as(r.toString()).isZero();
        assertThat(lines.getFirst()).contains("relayed by synack forward (TUN, 2 queues)");
        assertThat(lines).anySatisfy(l -> assertThat(l).matches("download: synack [0-9.]+ Gbit/s, kernel [0-9.]+ Gbit/s, ratio [0-9.]+"))
                .anySatisfy(l -> assertThat(l).matches("connections/s, 2 client threads: synack [0-9.]+ per s, kernel [0-9.]+ per s, ratio [0-9.]+"));
        assertThat(lines.getLast()).matches("ratio: [0-9.]+");
    }

    @Test
    void tunSaysWhatIsMissingOrMeasuresBothDirections() {
        String missing = TunBenchCommand.missingPrerequisite();
        if (missing != null) {
            DemoRunner.Result r = DemoRunner.run("bench", "tun", "--size", "1MiB");
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.err()).contains("not available on this machine: " + missing);
            assertThat(r.out().lines().toList().getLast()).isEqualTo("ratio: n/a");
        }
        assertThat(DemoRunner.run("bench", "tun", "--mtu", "70000").exitCode()).isEqualTo(2);
        assertThat(DemoRunner.run("bench", "tun", "--mtu", "1500,1000").exitCode()).isEqualTo(2);
        assertThat(DemoRunner.run("bench", "tun", "--warmup", "-1").exitCode()).isEqualTo(2);
        assertThat(DemoRunner.run("bench", "tun", "--threads", "0").exitCode()).isEqualTo(2);
        assertThat(DemoRunner.run("bench", "tun", "--queues", "-1").exitCode()).isEqualTo(2);
        assertThat(DemoRunner.run("bench", "tun", "--connect-warmup", "-1").exitCode()).isEqualTo(2);
        assertThat(DemoRunner.run("bench", "tun", "--server", "fibers").exitCode()).isEqualTo(2);
        if (missing != null) return;

        DemoRunner.Result r = DemoRunner.run("bench", "tun", "--size", "8MiB", "--warmup", "0", "--mtu", "1500,9000",
                "--connect-seconds", "1", "--connect-warmup", "1", "--threads", "4", "--queues", "2");
        assertThat(r.exitCode()).as(r.toString()).isZero();
        List<String> lines = r.out().lines().toList();
        String figures = "synack over TUN [0-9.]+ Gbit/s, kernel over veth [0-9.]+ Gbit/s, ratio [0-9.]+";
        assertThat(lines).filteredOn(l -> l.startsWith("MTU ") && l.contains("Gbit/s")).hasSize(4).satisfiesExactly(
                l -> assertThat(l).matches("MTU 1500, kernel sends, synack receives: " + figures),
                l -> assertThat(l).matches("MTU 1500, synack sends, the kernel receives: " + figures),
                l -> assertThat(l).matches("MTU 9000, kernel sends, synack receives: " + figures),
                l -> assertThat(l).matches("MTU 9000, synack sends, the kernel receives: " + figures));
        for (String server : List.of("threads", "events")) {
            assertThat(lines).anySatisfy(l -> assertThat(l).matches("MTU 1500, connections/s from 4 kernel client threads, "
                    + server + " server: synack over TUN \\(2 queues\\) [0-9.]+, kernel over veth [0-9.]+, ratio [0-9.]+"));
        }
        assertThat(lines).filteredOn(l -> l.contains("failed: 0 (veth: 0)")).hasSize(2);
        assertThat(lines.getLast()).matches("ratio: [0-9.]+");
    }
}
