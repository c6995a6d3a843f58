package dev.synack.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The budget's arithmetic on its own: pressure with hysteresis, a writer's room, the orphan test. */
class MemoryBudgetLevelsTest {
    private final MemoryBudget budget = new MemoryBudget(TcpConfig.linux().toBuilder().memoryHigh(100_000).maxOrphans(4).build());

    @Test
    void pressureStartsAbovePressureAndEndsAtLow() {
        assertThat(budget.low()).isEqualTo(50_000);
        assertThat(budget.pressure()).isEqualTo(75_000);
        budget.charge(75_000);
        assertThat(budget.underPressure()).isFalse();
        budget.charge(1);
        assertThat(budget.underPressure()).isTrue();
        budget.charge(-20_000); // 55,001: still above low
        assertThat(budget.underPressure()).isTrue();
        budget.charge(-5_001);
        assertThat(budget.underPressure()).isFalse();
        budget.charge(30_000);
        assertThat(budget.memoryPressures()).isEqualTo(2);
    }

    @Test
    void aBufferMayGrowToTheHardLevelAndOverItKeepsItsFloor() {
        budget.charge(99_000);
        // Its arrays, the 1,000 bytes left, less what the call in progress took and did not charge yet.
        assertThat(budget.storageLimit(8_000, 0, MemoryBudget.MIN_SEND)).isEqualTo(9_000);
        assertThat(budget.storageLimit(8_000, 500, MemoryBudget.MIN_SEND)).isEqualTo(8_500);
        assertThat(budget.storageLimit(0, 0, MemoryBudget.MIN_SEND)).isEqualTo(MemoryBudget.MIN_SEND); // more than the 1,000 left
        assertThat(budget.storageLimit(0, 0, 0)).isEqualTo(1_000);
        budget.charge(10_000);
        assertThat(budget.storageLimit(2_000, 0, MemoryBudget.MIN_SEND)).isEqualTo(MemoryBudget.MIN_SEND);
        assertThat(budget.storageLimit(20_000, 0, MemoryBudget.MIN_SEND)).isEqualTo(11_000); // less than it holds: it grows no more
    }

    @Test
    void orphansCountDoubleForEachBackoff() {
        for (int i = 0; i < 3; i++) budget.orphanCount(1);
        assertThat(budget.orphanOutOfResources(1, 0, 0)).isFalse(); // the fourth is within the limit
        budget.orphanCount(1);
        assertThat(budget.orphanOutOfResources(1, 0, 0)).isTrue();  // a fifth is not
        assertThat(budget.orphanOutOfResources(0, 0, 0)).isFalse();
        assertThat(budget.orphanOutOfResources(0, 1, 0)).isTrue();  // 4 << 1 > 4
        budget.charge(100_001);
        budget.orphanCount(-3);
        assertThat(budget.orphanOutOfResources(0, 0, MemoryBudget.MIN_SEND + 1)).as("over the hard level").isTrue();
        assertThat(budget.orphanOutOfResources(0, 0, MemoryBudget.MIN_SEND)).isFalse();
    }

    @Test
    void theUnlimitedBudgetAccountsNothing() {
        MemoryBudget.UNLIMITED.charge(1L << 40);
        MemoryBudget.UNLIMITED.orphanCount(1);
        assertThat(MemoryBudget.UNLIMITED.allocated()).isZero();
        assertThat(MemoryBudget.UNLIMITED.orphans()).isZero();
        assertThat(MemoryBudget.UNLIMITED.storageLimit(1 << 30, 1 << 30, 0)).isEqualTo(Long.MAX_VALUE);
        assertThatThrownBy(() -> MemoryBudget.UNLIMITED.limits(1, 2, 3)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void levelsOutOfOrderAreRefused() {
        assertThatThrownBy(() -> budget.limits(10, 5, 20)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("low <= pressure <= high");
        assertThatThrownBy(() -> budget.maxOrphans(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
