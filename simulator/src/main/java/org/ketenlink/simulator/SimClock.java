package org.ketenlink.simulator;

import java.time.Duration;
import java.time.Instant;

/**
 * Simulated time: starts at a given instant and runs {@code timeScale} times faster than the
 * monotonic clock. Thread-safe (immutable apart from the read of {@link System#nanoTime()}).
 */
final class SimClock {

  private final Instant start;
  private final double timeScale;
  private final long nanoStart;

  SimClock(Instant start, double timeScale) {
    this.start = start;
    this.timeScale = timeScale;
    this.nanoStart = System.nanoTime();
  }

  Instant now() {
    long elapsed = System.nanoTime() - nanoStart;
    return start.plusNanos((long) (elapsed * timeScale));
  }

  Instant start() {
    return start;
  }

  double timeScale() {
    return timeScale;
  }

  /** The real time it takes for {@code simulated} to pass. */
  Duration realDuration(Duration simulated) {
    return Duration.ofNanos((long) (simulated.toNanos() / timeScale));
  }
}
