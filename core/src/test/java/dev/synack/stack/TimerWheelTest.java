package dev.synack.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(10)
class TimerWheelTest {
    private static final long MS = 1_000_000L;

    private final TimerWheel<String> wheel = new TimerWheel<>(MS, 8, 0);

    @Test
    void firesOnlyDueTimersInDeadlineOrder() {
        TimerWheel.Timer<String> a = new TimerWheel.Timer<>("a");
        TimerWheel.Timer<String> b = new TimerWheel.Timer<>("b");
        TimerWheel.Timer<String> c = new TimerWheel.Timer<>("c");
        wheel.schedule(a, 5 * MS + 3);
        wheel.schedule(b, 2 * MS);
        wheel.schedule(c, 50 * MS);
        assertThat(wheel.nextDeadline()).isEqualTo(2 * MS);

        List<String> fired = new ArrayList<>();
        assertThat(wheel.expire(5 * MS, fired::add)).isEqualTo(1);
        assertThat(fired).containsExactly("b");
        assertThat(wheel.nextDeadline()).isEqualTo(5 * MS + 3);

        wheel.expire(5 * MS + 3, fired::add);
        assertThat(fired).containsExactly("b", "a");
        assertThat(wheel.nextDeadline()).isEqualTo(50 * MS);
        assertThat(a.isScheduled()).isFalse();
        assertThat(c.isScheduled()).isTrue();
    }

    @Test
    void timersBeyondOneRotationWaitForTheirRound() {
        TimerWheel.Timer<String> far = new TimerWheel.Timer<>("far");
        wheel.schedule(far, 20 * MS); // slot 4 of 8, third round
        List<String> fired = new ArrayList<>();
        wheel.expire(4 * MS, fired::add);
        wheel.expire(12 * MS, fired::add);
        assertThat(fired).isEmpty();
        assertThat(wheel.nextDeadline()).isEqualTo(20 * MS);
        wheel.expire(240_000 * MS, fired::add); // a jump of many rotations
        assertThat(fired).containsExactly("far");
        assertThat(wheel.nextDeadline()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void cancelAndRescheduleAreHonoured() {
        TimerWheel.Timer<String> a = new TimerWheel.Timer<>("a");
        TimerWheel.Timer<String> b = new TimerWheel.Timer<>("b");
        wheel.schedule(a, 3 * MS);
        wheel.schedule(b, 4 * MS);
        wheel.cancel(a);
        assertThat(wheel.nextDeadline()).isEqualTo(4 * MS);
        wheel.schedule(b, 9 * MS);
        wheel.schedule(a, 1 * MS);
        assertThat(wheel.size()).isEqualTo(2);
        List<String> fired = new ArrayList<>();
        wheel.expire(5 * MS, fired::add);
        assertThat(fired).containsExactly("a");
        wheel.expire(9 * MS, fired::add);
        assertThat(fired).containsExactly("a", "b");
        assertThat(wheel.size()).isZero();
    }

    @Test
    void aDeadlineInThePastFiresAtTheNextExpiry() {
        wheel.expire(100 * MS, s -> { });
        TimerWheel.Timer<String> late = new TimerWheel.Timer<>("late");
        wheel.schedule(late, 10 * MS);
        assertThat(wheel.nextDeadline()).isEqualTo(10 * MS);
        List<String> fired = new ArrayList<>();
        wheel.expire(100 * MS, fired::add);
        assertThat(fired).containsExactly("late");
    }

    @Test
    void aFiredOwnerMayScheduleItselfAgain() {
        TimerWheel.Timer<String> t = new TimerWheel.Timer<>("t");
        wheel.schedule(t, MS);
        List<Long> times = new ArrayList<>();
        for (long now = 0; now <= 10 * MS; now += MS / 2) {
            long at = now;
            wheel.expire(now, owner -> {
                times.add(at);
                wheel.schedule(t, at + 3 * MS);
            });
        }
        assertThat(times).containsExactly(MS, 4 * MS, 7 * MS, 10 * MS);
    }

    /** The wheel against a sorted-list model: same firings, same order, same next deadline. */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 42, 20261121})
    void behavesLikeASortedList(long seed) {
        checkAgainstModel(seed, 16, 50, 2000, 200 * MS, 30 * MS, false, false);
    }

    /**
     * Mostly far timers (many rotations of every level, past the overflow list of a 4-slot wheel),
     * with ties on equal deadlines, random cancels and advances both small and long.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {7, 11, 99, 4242, 20261122, 31337})
    void farTimersBehaveLikeASortedList(long seed) {
        checkAgainstModel(seed, 4, 200, 6000, 20_000 * MS, 900 * MS, true, false);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {5, 6, 8})
    void farTimersOnAWideWheelBehaveLikeASortedList(long seed) {
        checkAgainstModel(seed, 64, 300, 6000, 300_000 * MS, 20_000 * MS, true, false);
    }

    /**
     * Timers restarted a moment later or earlier (as a retransmission timer is on every ACK), so that
     * most reschedules stay within their slot, with ties: still the sorted list's firings and order.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {12, 13, 20261123})
    void timersNudgedWithinTheirSlotBehaveLikeASortedList(long seed) {
        checkAgainstModel(seed, 16, 40, 6000, 300 * MS, 2 * MS, true, true);
    }

    /** The tick of a time is its floor division by the tick width, for any time and width. */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 20261121})
    void aTickIsTheFloorOfTheTimeOverTheWidth(long seed) {
        Random r = new Random(seed);
        long[] widths = {1, 3, 999, 4096, MS, 1_000_000_007L, 1L << 40};
        for (long width : widths) {
            TimerWheel<String> w = new TimerWheel<>(width, 8, 0);
            long[] edges = {0, 1, -1, width, width - 1, -width, -width - 1, Long.MAX_VALUE, Long.MIN_VALUE,
                    Long.MAX_VALUE - 1, Long.MIN_VALUE + 1, 1L << 62, -(1L << 62), (1L << 62) + 1};
            for (long t : edges) assertThat(w.tickOf(t)).as("width %d time %d", width, t).isEqualTo(Math.floorDiv(t, width));
            for (int i = 0; i < 20_000; i++) {
                long t = switch (i % 4) {
                    case 0 -> r.nextLong();
                    case 1 -> r.nextLong() >> r.nextInt(64);
                    case 2 -> (r.nextLong() >> r.nextInt(64)) / width * width + r.nextInt(3) - 1; // near a tick edge
                    default -> System.nanoTime() + r.nextLong(-1_000_000_000_000L, 1_000_000_000_000L);
                };
                assertThat(w.tickOf(t)).as("seed %d width %d time %d", seed, width, t).isEqualTo(Math.floorDiv(t, width));
            }
        }
    }

    @Test
    void aSingleSlotWheelStillKeepsExactDeadlines() {
        TimerWheel<String> w = new TimerWheel<>(MS, 1, 0);
        TimerWheel.Timer<String> a = new TimerWheel.Timer<>("a");
        TimerWheel.Timer<String> b = new TimerWheel.Timer<>("b");
        w.schedule(a, 7 * MS + 1);
        w.schedule(b, 3 * MS);
        assertThat(w.nextDeadline()).isEqualTo(3 * MS);
        List<String> fired = new ArrayList<>();
        w.expire(7 * MS, fired::add);
        assertThat(fired).containsExactly("b");
        assertThat(w.nextDeadline()).isEqualTo(7 * MS + 1);
        w.expire(7 * MS + 1, fired::add);
        assertThat(fired).containsExactly("b", "a");
    }

    private static void checkAgainstModel(long seed, int slots, int n, int steps, long far, long maxAdvance, boolean ties,
                                          boolean nudges) {
        Random r = new Random(seed);
        TimerWheel<Integer> w = new TimerWheel<>(MS, slots, 0);
        long[] scheduledOrder = new long[n];
        long orderCounter = 0;
        List<TimerWheel.Timer<Integer>> timers = new ArrayList<>();
        long[] model = new long[n];
        for (int i = 0; i < n; i++) {
            timers.add(new TimerWheel.Timer<>(i));
            model[i] = Long.MAX_VALUE;
        }
        long now = 0;
        for (int step = 0; step < steps; step++) {
            int i = r.nextInt(n);
            switch (r.nextInt(4)) {
                case 0, 1 -> {
                    long d = now + (r.nextBoolean() ? r.nextInt(40) * MS : r.nextLong(1, far));
                    if (ties && r.nextInt(4) == 0) d = (d / (50 * MS)) * 50 * MS; // many equal deadlines
                    if (ties && r.nextInt(20) == 0) d = now - r.nextLong(0, 5 * MS); // already past
                    if (nudges && model[i] != Long.MAX_VALUE && r.nextInt(4) != 0) {
                        d = model[i] + r.nextLong(-MS / 2, MS / 2); // restarted a moment apart: mostly the same slot
                        if (r.nextInt(8) == 0) d = model[i] - model[i] % MS; // or tied on a tick's start
                    }
                    if (model[i] != d) scheduledOrder[i] = orderCounter++; // an unchanged deadline keeps its place
                    w.schedule(timers.get(i), d);
                    model[i] = d;
                }
                case 2 -> {
                    w.cancel(timers.get(i));
                    model[i] = Long.MAX_VALUE;
                }
                default -> {
                    int pace = r.nextInt(10);
                    now += pace == 0 ? r.nextLong(0, 50 * maxAdvance) : pace < 5 ? r.nextLong(0, 4 * MS) : r.nextLong(0, maxAdvance);
                    List<Integer> fired = new ArrayList<>();
                    w.expire(now, fired::add);
                    List<Integer> expected = new ArrayList<>();
                    for (int k = 0; k < n; k++) if (model[k] <= now) expected.add(k);
                    long[] snapshot = model.clone();
                    long[] orders = scheduledOrder.clone();
                    expected.sort(Comparator.<Integer>comparingLong(k -> snapshot[k]).thenComparingLong(k -> orders[k]));
                    // Deadline order, ties in scheduling order: the simulator's determinism relies on it.
                    assertThat(fired).as("seed %d step %d", seed, step).containsExactlyElementsOf(expected);
                    for (int k : expected) model[k] = Long.MAX_VALUE;
                }
            }
            long min = Long.MAX_VALUE;
            for (long d : model) min = Math.min(min, d);
            // The bound first (the exact deadline below would fill the cache it may read).
            long bound = w.nextDeadlineBound();
            assertThat(bound).as("seed %d step %d: bound", seed, step).isLessThanOrEqualTo(min);
            if (min == Long.MAX_VALUE) assertThat(bound).as("seed %d step %d: bound", seed, step).isEqualTo(Long.MAX_VALUE);
            else if (min > now) assertThat(bound).as("seed %d step %d: bound after the last expiry", seed, step).isGreaterThan(now);
            assertThat(w.nextDeadline()).as("seed %d step %d", seed, step).isEqualTo(min);
            int live = 0;
            for (long d : model) if (d != Long.MAX_VALUE) live++;
            assertThat(w.size()).as("seed %d step %d", seed, step).isEqualTo(live);
        }
    }

    /**
     * Timers leaving a crowded second-level slot earliest first (TIME_WAIT records whose 4-tuples
     * new connections reuse in the order they closed): the bound is the slot's start while its
     * minimum is unknown, and the loop that wakes there, advancing the cursor into the slot, gets
     * exact deadlines from then on.
     */
    @Test
    void theBoundOfACrowdedHigherSlotIsItsStartUntilTheCursorReachesIt() {
        TimerWheel<Integer> w = new TimerWheel<>(MS, 16, 0); // level 1: slots 16 ms wide
        List<TimerWheel.Timer<Integer>> timers = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            TimerWheel.Timer<Integer> t = new TimerWheel.Timer<>(i);
            timers.add(t);
            w.schedule(t, 100 * MS + i * 10_000L); // 100.00 ms to 109.99 ms: the level-1 slot of 96-111 ms
        }
        assertThat(w.nextDeadlineBound()).isEqualTo(100 * MS); // the slot's minimum is known while nothing left it
        w.cancel(timers.get(0));
        assertThat(w.nextDeadlineBound()).isEqualTo(96 * MS); // where the slot starts
        w.cancel(timers.get(1));
        assertThat(w.nextDeadlineBound()).isEqualTo(96 * MS);
        List<Integer> fired = new ArrayList<>();
        assertThat(w.expire(96 * MS, fired::add)).isZero();
        assertThat(w.nextDeadlineBound()).isEqualTo(100 * MS + 2 * 10_000L);
        assertThat(w.nextDeadline()).isEqualTo(100 * MS + 2 * 10_000L);
        w.expire(100 * MS + 2 * 10_000L, fired::add);
        assertThat(fired).containsExactly(2);
    }

    @Test
    void aReplacementTakesTheOldTimersPlaceAmongTies() {
        TimerWheel<String> w = new TimerWheel<>(1_000_000L, 64, 0);
        TimerWheel.Timer<String> a = new TimerWheel.Timer<>("a");
        TimerWheel.Timer<String> b = new TimerWheel.Timer<>("b");
        TimerWheel.Timer<String> c = new TimerWheel.Timer<>("c");
        w.schedule(a, 5_000_000L);
        w.schedule(b, 5_000_000L);
        w.replace(a, c, 5_000_000L);
        assertThat(a.isScheduled()).isFalse();
        assertThat(w.size()).isEqualTo(2);
        List<String> fired = new ArrayList<>();
        w.expire(5_000_000L, fired::add);
        assertThat(fired).containsExactly("c", "b"); // c fires where a would have: before b

        // At another deadline the replacement is simply scheduled afresh.
        w.schedule(a, 9_000_000L);
        w.schedule(b, 8_000_000L);
        TimerWheel.Timer<String> d = new TimerWheel.Timer<>("d");
        w.replace(a, d, 8_000_000L);
        fired.clear();
        w.expire(10_000_000L, fired::add);
        assertThat(fired).containsExactly("b", "d");
        assertThat(w.size()).isZero();
    }
}
