package org.ketenlink.gateway.command;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RequestLogTest {
  @TempDir Path dir;

  private static RequestLog.First applied(Instant t) {
    return new RequestLog.First(t, "hold", "O-1", "applied", "");
  }

  @Test
  void aUsedRequestIdIsKnownAfterARestartPerPartner() {
    Instant t0 = Instant.parse("2026-11-01T10:00:00Z");
    Clock clock = Clock.fixed(t0, ZoneOffset.UTC);
    try (RequestLog log = RequestLog.open(dir, clock)) {
      assertThat(log.first("acme", "r-1")).isEmpty();
      log.record("acme", "r-1", applied(t0));
    }
    try (RequestLog log = RequestLog.open(dir, clock)) {
      assertThat(log.first("acme", "r-1")).contains(applied(t0));
      assertThat(log.first("velo", "r-1")).as("ids are per partner").isEmpty();
    }
  }

  @Test
  void idsOlderThanTheRetentionAreForgottenAndADamagedLineIsSkipped() throws Exception {
    Instant t0 = Instant.parse("2026-11-01T10:00:00Z");
    try (RequestLog log = RequestLog.open(dir, Clock.fixed(t0, ZoneOffset.UTC))) {
      log.record("acme", "old", applied(t0));
      log.record("acme", "newer", applied(t0.plus(Duration.ofDays(3))));
    }
    Files.writeString(
        dir.resolve("requests.jsonl"),
        "{\"time\": \"garbage\n",
        java.nio.file.StandardOpenOption.APPEND);
    Instant later = t0.plus(RequestLog.RETENTION).plusSeconds(1);
    try (RequestLog log = RequestLog.open(dir, Clock.fixed(later, ZoneOffset.UTC))) {
      assertThat(log.first("acme", "old")).isEmpty();
      assertThat(log.first("acme", "newer")).isPresent();
      assertThat(log.sizes()).containsEntry("acme", 1);
    }
    assertThat(Files.readAllLines(dir.resolve("requests.jsonl")))
        .as("compacted on open")
        .hasSize(1);
  }
}
