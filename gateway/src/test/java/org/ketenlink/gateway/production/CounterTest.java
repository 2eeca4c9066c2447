package org.ketenlink.gateway.production;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class CounterTest {
  @Test
  void incrementsResetsRollOversAndBadValues() {
    Counter c = new Counter();
    assertThat(c.next(100, true)).as("the first value is the baseline").isZero();
    assertThat(c.next(105, true)).isEqualTo(5);
    assertThat(c.next(0, false)).as("Bad").isZero();
    assertThat(c.next(107, true)).isEqualTo(2);
    assertThat(c.next(3, true)).as("reset to 0, then 3 parts").isEqualTo(3);
    assertThat(c.resets()).isEqualTo(1);
    assertThat(c.next(3, true)).isZero();
    Counter w = Counter.from(OptionalLong.of(0xFFFF_FFFFL - 2));
    assertThat(w.next(4, true)).as("32-bit wrap: 2 to the top, the wrap, 4").isEqualTo(7);
    assertThat(w.wraps()).isEqualTo(1);
    Counter w16 = Counter.from(OptionalLong.of(65_530));
    assertThat(w16.next(10, true)).isEqualTo(16);
  }

  @Test
  void aRestoredBaselineCountsWhatWasMadeMeanwhileOnce() {
    Counter c = Counter.from(OptionalLong.of(500));
    assertThat(c.next(530, true)).isEqualTo(30);
    assertThat(c.next(-1, true)).isZero();
    assertThat(c.last()).hasValue(530);
  }
}
