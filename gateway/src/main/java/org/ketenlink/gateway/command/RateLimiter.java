package org.ketenlink.gateway.command;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * One token bucket per partner: up to {@code burst} commands at once, refilled at {@code
 * perMinute}. Thread-safe.
 */
public final class RateLimiter {
  private final LongSupplier nanos;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  private static final class Bucket {
    double tokens;
    long at;
  }

  public RateLimiter(LongSupplier nanos) {
    this.nanos = nanos;
  }

  /**
   * Takes a token from {@code partner}'s bucket; false if it is empty. A changed rate applies from
   * now on; tokens never exceed the (new) burst.
   */
  public boolean tryAcquire(String partner, int perMinute, int burst) {
    Bucket b =
        buckets.computeIfAbsent(
            partner,
            p -> {
              Bucket n = new Bucket();
              n.tokens = burst;
              n.at = nanos.getAsLong();
              return n;
            });
    synchronized (b) {
      long now = nanos.getAsLong();
      b.tokens = Math.min(burst, b.tokens + (now - b.at) * perMinute / 60e9);
      b.at = now;
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return true;
      }
      return false;
    }
  }
}
