package dev.synack.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class PortTableTest {
    private final PortTable ports = new PortTable(new Random(1));

    @Test
    void aBindingIsExclusive() {
        assertThat(ports.bind(80)).isTrue();
        assertThat(ports.bind(80)).isFalse();
        ports.unbind(80);
        assertThat(ports.bind(80)).isTrue();
    }

    @Test
    void unbindingAnUnboundPortIsAnError() {
        assertThatThrownBy(() -> ports.unbind(81)).isInstanceOf(IllegalStateException.class).hasMessageContaining("81");
        assertThatThrownBy(() -> ports.bind(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ports.bind(65536)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void allocationStaysInRangeAndSkipsBoundPorts() {
        Random r = new Random(5);
        ports.bind(40002);
        Set<Integer> got = new HashSet<>();
        for (int i = 0; i < 4; i++) got.add(ports.allocate(r, 40000, 40004, true, p -> true));
        assertThat(got).containsExactlyInAnyOrder(40000, 40001, 40003, 40004);
        assertThat(ports.allocate(r, 40000, 40004, true, p -> true)).isEqualTo(-1);
    }

    @Test
    void ephemeralUsesShareAPortWhenThePredicateAllowsItButBlockBind() {
        Random r = new Random(9);
        int first = ports.allocate(r, 50000, 50000, false, p -> true);
        assertThat(first).isEqualTo(50000);
        // A second active open to another remote may share the port...
        assertThat(ports.allocate(r, 50000, 50000, false, p -> true)).isEqualTo(50000);
        // ...but not when the 4-tuple would collide, and nobody can bind it.
        assertThat(ports.allocate(r, 50000, 50000, false, p -> false)).isEqualTo(-1);
        assertThat(ports.bind(50000)).isFalse();
        ports.releaseEphemeral(50000);
        ports.releaseEphemeral(50000);
        assertThat(ports.bind(50000)).isTrue();
    }

    @Test
    void theStartingPointDependsOnTheRandomSource() {
        Set<Integer> starts = new HashSet<>();
        for (long seed = 0; seed < 20; seed++) {
            PortTable fresh = new PortTable(new Random(seed));
            starts.add(fresh.allocate(new Random(seed), 32768, 60999, false, p -> true));
        }
        assertThat(starts).hasSizeGreaterThan(10).allMatch(p -> p >= 32768 && p <= 60999);
    }

    private static final int LOCAL = 0x0a000001;
    private static final int REMOTE = 0x0a000002;

    @Test
    void connectTakesSuccessivePortsTowardsOneDestinationAndComesBackOnlyAfterTheWholeRange() {
        int low = 40000;
        int high = 40999;
        int first = ports.allocateForConnect(LOCAL, REMOTE, 80, low, high, p -> true);
        assertThat(first).isBetween(low, high);
        int previous = first;
        Set<Integer> seen = new HashSet<>(Set.of(first));
        for (int i = 1; i < 1000; i++) {
            ports.releaseEphemeral(previous); // the connection ended at once: the port is free again
            int port = ports.allocateForConnect(LOCAL, REMOTE, 80, low, high, p -> true);
            assertThat(port).as("connection %d", i).isEqualTo(previous == high ? low : previous + 1);
            seen.add(port);
            previous = port;
        }
        assertThat(seen).hasSize(1000); // every port once before any comes back
        ports.releaseEphemeral(previous);
        assertThat(ports.allocateForConnect(LOCAL, REMOTE, 80, low, high, p -> true)).isEqualTo(first);
    }

    @Test
    void connectSkipsBoundAndUnusablePortsAndReportsAFullRange() {
        int first = ports.allocateForConnect(LOCAL, REMOTE, 80, 50000, 50009, p -> true);
        int next = first == 50009 ? 50000 : first + 1;
        int after = next == 50009 ? 50000 : next + 1;
        assertThat(ports.bind(next)).isTrue();
        assertThat(ports.allocateForConnect(LOCAL, REMOTE, 80, 50000, 50009, p -> true)).isEqualTo(after);
        Set<Integer> taken = new HashSet<>(Set.of(first, next, after));
        int port;
        while ((port = ports.allocateForConnect(LOCAL, REMOTE, 80, 50000, 50009, p -> !taken.contains(p))) >= 0) {
            assertThat(taken.add(port)).as("port %d offered twice", port).isTrue();
        }
        assertThat(taken).hasSize(10);
    }

    @Test
    void theOffsetDependsOnTheDestinationAndTheSecret() {
        Set<Integer> byRemotePort = new HashSet<>();
        for (int remotePort = 1; remotePort <= 20; remotePort++) {
            byRemotePort.add(new PortTable(new Random(3)).allocateForConnect(LOCAL, REMOTE, remotePort, 32768, 60999, p -> true));
        }
        assertThat(byRemotePort).hasSizeGreaterThan(10);
        Set<Integer> bySecret = new HashSet<>();
        for (long seed = 0; seed < 20; seed++) {
            bySecret.add(new PortTable(new Random(seed)).allocateForConnect(LOCAL, REMOTE, 80, 32768, 60999, p -> true));
        }
        assertThat(bySecret).hasSizeGreaterThan(10).allMatch(p -> p >= 32768 && p <= 60999);
        // The same secret and destination give the same port: simulations stay reproducible.
        assertThat(new PortTable(new Random(7)).allocateForConnect(LOCAL, REMOTE, 80, 32768, 60999, p -> true))
                .isEqualTo(new PortTable(new Random(7)).allocateForConnect(LOCAL, REMOTE, 80, 32768, 60999, p -> true));
    }
}
