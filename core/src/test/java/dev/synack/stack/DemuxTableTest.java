package dev.synack.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import dev.synack.wire.IpAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(10)
class DemuxTableTest {

    @Test
    void keysSeparateAddressAndBothPorts() {
        long k1 = DemuxTable.key(0x0a000001, 80, 40000);
        assertThat(DemuxTable.key(0x0a000002, 80, 40000)).isNotEqualTo(k1);
        assertThat(DemuxTable.key(0x0a000001, 81, 40000)).isNotEqualTo(k1);
        assertThat(DemuxTable.key(0x0a000001, 80, 40001)).isNotEqualTo(k1);
        assertThat(DemuxTable.key(0xffffffff, 65535, 65535)).isEqualTo(-1L);
    }

    /** IPv6 remotes that differ only in the high half, or only from an IPv4 one's mapped form, are different keys. */
    @Test
    void ipv6AndIpv4RemotesShareTheTableWithoutColliding() {
        DemuxTable<String> t = new DemuxTable<>(4);
        IpAddress a = IpAddress.parse("fd00::1");
        IpAddress b = IpAddress.parse("fd01::1");
        IpAddress v4 = IpAddress.parse("10.0.0.1");
        int ports = DemuxTable.ports(80, 40000);
        t.put(a, ports, "a");
        t.put(b, ports, "b");
        t.put(v4, ports, "v4");
        assertThat(t.get(IpAddress.parse("fd00::1"), ports)).isEqualTo("a");
        assertThat(t.get(b.hi(), b.lo(), ports)).isEqualTo("b");
        assertThat(t.get(IpAddress.ipv4(0x0a000001), ports)).isEqualTo("v4");
        assertThat(t.get(IpAddress.parse("::a00:1"), ports)).as("an IPv4-compatible address is not the IPv4 one").isNull();
        assertThat(t.get(a, DemuxTable.ports(80, 40001))).isNull();
        assertThat(t.remove(a, ports)).isEqualTo("a");
        assertThat(t.get(b, ports)).isEqualTo("b");
        assertThat(t.size()).isEqualTo(2);
    }

    @Test
    void putGetRemove() {
        DemuxTable<String> t = new DemuxTable<>(4);
        assertThat(t.put(1L, "one")).isNull();
        assertThat(t.put(0L, "zero")).isNull(); // key 0 is an ordinary key
        assertThat(t.put(1L, "uno")).isEqualTo("one");
        assertThat(t.get(1L)).isEqualTo("uno");
        assertThat(t.get(0L)).isEqualTo("zero");
        assertThat(t.get(2L)).isNull();
        assertThat(t.size()).isEqualTo(2);
        assertThat(t.remove(1L)).isEqualTo("uno");
        assertThat(t.remove(1L)).isNull();
        assertThat(t.get(0L)).isEqualTo("zero");
        assertThat(t.size()).isEqualTo(1);
    }

    /** Against HashMap, with keys crowded into few hash runs so removals must shift entries back. */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {7, 11, 12345, 99})
    void behavesLikeAHashMap(long seed) {
        Random r = new Random(seed);
        DemuxTable<Long> t = new DemuxTable<>(8);
        Map<Long, Long> model = new HashMap<>();
        List<Long> keys = new ArrayList<>();
        for (int i = 0; i < 300; i++) keys.add(DemuxTable.key(0x0a000000 + r.nextInt(4), 80, 32768 + r.nextInt(200)));
        for (int step = 0; step < 20_000; step++) {
            long k = keys.get(r.nextInt(keys.size()));
            if (r.nextInt(3) == 0) {
                assertThat(t.remove(k)).as("seed %d step %d", seed, step).isEqualTo(model.remove(k));
            } else {
                long v = r.nextLong();
                assertThat(t.put(k, v)).as("seed %d step %d", seed, step).isEqualTo(model.put(k, v));
            }
            long probe = keys.get(r.nextInt(keys.size()));
            assertThat(t.get(probe)).as("seed %d step %d", seed, step).isEqualTo(model.get(probe));
            assertThat(t.size()).isEqualTo(model.size());
        }
        assertThat(t.values()).containsExactlyInAnyOrderElementsOf(model.values());
    }

    @Test
    void shrinksAfterABurstButNeverBelowItsInitialSize() {
        DemuxTable<Long> t = new DemuxTable<>(64);
        int initial = t.capacity();
        for (long k = 0; k < 10_000; k++) t.put(k, k);
        int busiest = t.capacity();
        assertThat(busiest).isGreaterThanOrEqualTo(2 * 10_000);
        for (long k = 0; k < 9_900; k++) assertThat(t.remove(k)).isEqualTo(k);
        assertThat(t.capacity()).isLessThanOrEqualTo(busiest / 16).isGreaterThanOrEqualTo(4 * t.size());
        for (long k = 9_900; k < 10_000; k++) assertThat(t.get(k)).isEqualTo(k);
        for (long k = 0; k < 9_900; k++) assertThat(t.get(k)).isNull();
        for (long k = 9_900; k < 10_000; k++) t.remove(k);
        assertThat(t.size()).isZero();
        assertThat(t.capacity()).isEqualTo(initial);
    }
}
