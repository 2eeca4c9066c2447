package org.ketenlink.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;
import org.ketenlink.gateway.HeapSettling.Ratios;

class HeapSettlingTest {

  private static final HotSpotDiagnosticMXBean VM =
      ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);

  private static int option(String name) {
    return Integer.parseInt(VM.getVMOption(name).getValue());
  }

  @Test
  void theLaunchersPropertyIsReadAsMinColonMax() {
    assertThat(HeapSettling.requested("10:30")).contains(new Ratios(10, 30));
    assertThat(HeapSettling.requested(" 5 : 5 ")).contains(new Ratios(5, 5));
    assertThat(HeapSettling.requested(null)).isEmpty();
    assertThat(HeapSettling.requested("")).isEmpty();
  }

  @Test
  void anythingElseIsIgnoredRatherThanGuessed() {
    assertThat(HeapSettling.requested("30:10")).as("min above max").isEmpty();
    assertThat(HeapSettling.requested("10")).isEmpty();
    assertThat(HeapSettling.requested("10:30:50")).isEmpty();
    assertThat(HeapSettling.requested("ten:30")).isEmpty();
    assertThat(HeapSettling.requested("10:101")).isEmpty();
    assertThat(HeapSettling.requested("-1:30")).isEmpty();
  }

  /** On this JVM, for real: both directions, including one where MIN must wait for MAX. */
  @Test
  void theRatiosAreSetInTheRunningJvmInAnOrderItAccepts() {
    Ratios original = new Ratios(option("MinHeapFreeRatio"), option("MaxHeapFreeRatio"));
    try {
      // Above the current maximum: MAX has to move first.
      int min = Math.min(99, original.max() + 1);
      HeapSettling.settle(new Ratios(min, 100));
      assertThat(option("MinHeapFreeRatio")).isEqualTo(min);
      assertThat(option("MaxHeapFreeRatio")).isEqualTo(100);
      // Back down, tighter than before: MIN has to move first; the heap is collected once.
      assertThat(HeapSettling.settle(original)).isPositive();
      assertThat(option("MinHeapFreeRatio")).isEqualTo(original.min());
      assertThat(option("MaxHeapFreeRatio")).isEqualTo(original.max());
    } finally {
      HeapSettling.settle(original);
    }
  }
}
