package org.ketenlink.connectors.mqtt;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential back-off: {@code min}, {@code 2 min}, {@code 4 min} ... up to {@code max}, each
 * shortened by a random 0-25 % so that many gateways do not reconnect to a restarted broker in
 * step. Never shorter than 75 % of {@code min}. Not thread-safe; owned by the sender thread.
 */
final class Backoff {
  private final long minNanos;
  private final long maxNanos;
  private final DoubleSupplier random;
  private int failures;

  Backoff(Duration min, Duration max, DoubleSupplier random) {
    this.minNanos = min.toNanos();
    this.maxNanos = max.toNanos();
    this.random = random;
  }

  /** The delay before the next attempt; each call doubles the following one. */
  Duration next() {
    long delay = maxNanos;
    if (failures < 62 && minNanos <= (maxNanos >> failures)) {
      delay = Math.min(maxNanos, minNanos << failures);
    }
    failures++;
    return Duration.ofNanos((long) (delay * (1 - 0.25 * random.getAsDouble())));
  }

  /** Starts again from {@code min}. */
  void reset() {
    failures = 0;
  }
}
