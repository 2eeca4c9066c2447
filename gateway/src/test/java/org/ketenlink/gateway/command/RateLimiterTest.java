package org.ketenlink.gateway.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
  @Test
  void aBurstIsAllowedThenOnePerRefillInterval() {
    AtomicLong now = new AtomicLong();
    RateLimiter limiter = new RateLimiter(now::get);
    for (int i = 0; i < 3; i++) {
      assertThat(limiter.tryAcquire("acme", 6, 3)).isTrue();
    }
    assertThat(limiter.tryAcquire("acme", 6, 3)).isFalse();
    assertThat(limiter.tryAcquire("velo", 6, 3)).as("another partner's bucket").isTrue();
    now.addAndGet(TimeUnit.SECONDS.toNanos(9));
    assertThat(limiter.tryAcquire("acme", 6, 3)).as("6 a minute: not yet after 9 s").isFalse();
    now.addAndGet(TimeUnit.SECONDS.toNanos(1));
    assertThat(limiter.tryAcquire("acme", 6, 3)).isTrue();
    assertThat(limiter.tryAcquire("acme", 6, 3)).isFalse();
    now.addAndGet(TimeUnit.HOURS.toNanos(1));
    int granted = 0;
    while (limiter.tryAcquire("acme", 6, 3)) {
      granted++;
    }
    assertThat(granted).as("never more than the burst").isEqualTo(3);
  }
}
