package org.ketenlink.gateway.journal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.ketenlink.gateway.journal.JournalSettings.SyncPolicy;

/**
 * Append and replay rates for 200-byte records. Not part of the test run (the name matches neither
 * *Test nor *IT); run it on the target disk with
 *
 * <pre>
 * ./mvnw -B -pl gateway test -Dtest=JournalBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dbench.dir=/var/lib/ketenlink/bench -Dbench.records=2000000
 * </pre>
 */
class JournalBenchmark {

  private static final int RECORD_BYTES = 200;

  @Test
  void appendAndReplayRates() throws Exception {
    Path base =
        Files.createTempDirectory(
            Path.of(System.getProperty("bench.dir", System.getProperty("java.io.tmpdir"))),
            "journal-bench");
    int records = Integer.getInteger("bench.records", 1_000_000);
    try {
      run(base.resolve("none"), SyncPolicy.NONE, records, true);
      run(base.resolve("group"), SyncPolicy.GROUP, records, true);
      run(base.resolve("always"), SyncPolicy.ALWAYS, Math.min(records, 5_000), false);
    } finally {
      try (Stream<Path> files = Files.walk(base)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private static void run(Path dir, SyncPolicy policy, int records, boolean replay) {
    JournalSettings settings =
        JournalSettings.defaults()
            .withMaxBytes(8L << 30)
            .withSegmentBytes(64L << 20)
            .withSync(policy, Duration.ofMillis(100));
    byte[] payload = new byte[RECORD_BYTES];
    try (Journal journal = Journal.open(dir, settings, Clock.systemUTC())) {
      for (int i = 0; i < Math.min(records, 20_000); i++) {
        journal.append(payload); // warm-up
      }
      long warm = journal.stats().lastId();
      long start = System.nanoTime();
      for (int i = 0; i < records; i++) {
        payload[i % RECORD_BYTES] = (byte) i;
        journal.append(payload);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      print("append " + policy, records, seconds);
      if (!replay) {
        return;
      }
      for (long id = 1; id <= warm; id++) {
        journal.acknowledge(id);
      }
      start = System.nanoTime();
      long after = warm;
      long read = 0;
      List<Journal.Entry> batch;
      while (!(batch = journal.readFrom(after, 1000, 1 << 20)).isEmpty()) {
        for (Journal.Entry entry : batch) {
          journal.acknowledge(entry.id());
        }
        after = batch.get(batch.size() - 1).id();
        read += batch.size();
      }
      seconds = (System.nanoTime() - start) / 1e9;
      print("replay " + policy + " (readFrom + acknowledge)", read, seconds);
    }
  }

  private static void print(String what, long records, double seconds) {
    System.out.printf(
        Locale.ROOT,
        "%-44s %,10d records in %6.2f s: %,12.0f records/s, %7.1f MB/s%n",
        what,
        records,
        seconds,
        records / seconds,
        records * (double) RECORD_BYTES / seconds / 1e6);
  }
}
