package dev.synack.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SeqRangeSetTest {
    private static String ranges(SeqRangeSet set) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < set.size(); i++) b.append('[').append(set.left(i)).append(',').append(set.right(i)).append(')');
        return b.toString();
    }

    @Test
    void keepsRangesSortedAndMergesWhatOverlapsOrTouches() {
        SeqRangeSet set = new SeqRangeSet(8);
        assertThat(set.add(300, 400)).isEqualTo(0);
        assertThat(set.add(100, 200)).isEqualTo(0);
        assertThat(set.add(500, 600)).isEqualTo(2);
        assertThat(ranges(set)).isEqualTo("[100,200)[300,400)[500,600)");
        assertThat(set.add(200, 300)).isEqualTo(0); // touches both neighbours
        assertThat(ranges(set)).isEqualTo("[100,400)[500,600)");
        assertThat(set.add(350, 550)).isEqualTo(0);
        assertThat(ranges(set)).isEqualTo("[100,600)");
        assertThat(set.bytesFrom(0)).isEqualTo(500);
    }

    @Test
    void worksAcrossTheSequenceWrap() {
        SeqRangeSet set = new SeqRangeSet(4);
        int nearTop = -100; // 2^32 - 100
        set.add(50, 80);
        set.add(nearTop, nearTop + 40); // [2^32-100, 2^32-60): before 50 in sequence space
        assertThat(ranges(set)).isEqualTo("[-100,-60)[50,80)");
        assertThat(set.indexContaining(-70)).isEqualTo(0);
        assertThat(set.indexContaining(0)).isEqualTo(-1);
        set.add(-60, 50); // fills the gap across zero
        assertThat(ranges(set)).isEqualTo("[-100,80)");
        assertThat(set.covers(-10, 10)).isTrue();
        assertThat(set.bytesFrom(0)).isEqualTo(180);
    }

    @Test
    void refusesANewRangeBeyondTheTableButStillMerges() {
        SeqRangeSet set = new SeqRangeSet(2);
        set.add(10, 20);
        set.add(30, 40);
        assertThat(set.add(50, 60)).isEqualTo(-1);
        assertThat(ranges(set)).isEqualTo("[10,20)[30,40)");
        assertThat(set.add(35, 45)).isEqualTo(1);
        assertThat(ranges(set)).isEqualTo("[10,20)[30,45)");
    }

    @Test
    void removesBelowASequenceNumberTrimmingTheRangeAcrossIt() {
        SeqRangeSet set = new SeqRangeSet(4);
        set.add(10, 20);
        set.add(30, 40);
        set.add(50, 60);
        set.removeBelow(35);
        assertThat(ranges(set)).isEqualTo("[35,40)[50,60)");
        set.removeFirst(1);
        assertThat(ranges(set)).isEqualTo("[50,60)");
        set.clear();
        assertThat(set.isEmpty()).isTrue();
    }
}
