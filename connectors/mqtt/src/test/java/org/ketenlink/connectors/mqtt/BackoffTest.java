package org.ketenlink.connectors.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
  @Test
  void theDelayDoublesUpToTheMaximum() {
    Backoff b = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), () -> 0);

    assertThat(b.next()).isEqualTo(Duration.ofMillis(500));
    assertThat(b.next()).isEqualTo(Duration.ofSeconds(1));
    assertThat(b.next()).isEqualTo(Duration.ofSeconds(2));
    for (int i = 0; i < 100; i++) {
      b.next();
    }
    assertThat(b.next()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void jitterShortensADelayByAtMostAQuarter() {
    Backoff b = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30), () -> 0.999_999);

    assertThat(b.next()).isBetween(Duration.ofMillis(750), Duration.ofMillis(751));
  }

  @Test
  void resetStartsAgainFromTheMinimum() {
    Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), () -> 0);
    b.next();
    b.next();

    b.reset();

    assertThat(b.next()).isEqualTo(Duration.ofMillis(100));
  }
}
