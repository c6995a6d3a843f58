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
    private final PortTable ports = new PortTable();

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
            PortTable fresh = new PortTable();
            starts.add(fresh.allocate(new Random(seed), 32768, 60999, false, p -> true));
        }
        assertThat(starts).hasSizeGreaterThan(10).allMatch(p -> p >= 32768 && p <= 60999);
    }
}
