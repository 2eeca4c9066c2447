package org.ketenlink.gateway.production;

import java.util.OptionalLong;

/**
 * Turns a machine's running part counter into increments, robust to what counters do: a reset (the
 * value drops: the parts since the reset are new), a roll-over of a 16- or 32-bit counter (a drop
 * from near its top: the parts across the wrap are counted once), Bad values (ignored: they neither
 * count nor move the baseline) and a restart of the gateway (the baseline is restored, so nothing
 * is counted twice and parts made meanwhile are not lost). Never negative.
 */
public final class Counter {
  /** How close to a width's top a value must be for a drop to be read as a roll-over. */
  private static final long WRAP_MARGIN = 1_000;

  private OptionalLong last = OptionalLong.empty();
  private long resets;
  private long wraps;

  /** A counter that continues from {@code baseline} (the last value read before a restart). */
  public static Counter from(OptionalLong baseline) {
    Counter c = new Counter();
    c.last = baseline;
    return c;
  }

  /**
   * The parts counted since the previous good value; 0 for the first one (it only sets the
   * baseline) and for a Bad one.
   */
  public long next(long value, boolean good) {
    if (!good || value < 0) {
      return 0;
    }
    if (last.isEmpty()) {
      last = OptionalLong.of(value);
      return 0;
    }
    long before = last.getAsLong();
    last = OptionalLong.of(value);
    if (value >= before) {
      return value - before;
    }
    for (long top : new long[] {0xFFFFL, 0xFFFF_FFFFL}) {
      if (before <= top && top - before < WRAP_MARGIN && value < WRAP_MARGIN) {
        wraps++;
        return top - before + 1 + value;
      }
    }
    resets++;
    return value;
  }

  /** The last good value read, to keep across a restart. */
  public OptionalLong last() {
    return last;
  }

  public long resets() {
    return resets;
  }

  public long wraps() {
    return wraps;
  }
}
