package org.ketenlink.gateway.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JournalCrashTest {

  static final long SEGMENT_BYTES = 256 * 1024;

  @TempDir Path dir;

  /** 100 bytes whose content follows from the id, so the reader can check every byte. */
  static byte[] payloadFor(long id) {
    ByteBuffer buf = ByteBuffer.allocate(100).putLong(id);
    while (buf.hasRemaining()) {
      buf.put((byte) (id * 31 + buf.position()));
    }
    return buf.array();
  }

  @Test
  void aKilledProcessLosesNoRecordWhoseAppendReturnedEvenWithoutFsync() throws Exception {
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                JournalCrashChild.class.getName(),
                dir.toString())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    long lastPrinted = 0;
    try (BufferedReader lines =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      // Enough to span several segments, then kill it in the middle of appending.
      while ((line = lines.readLine()) != null) {
        if (!line.startsWith("appended ")) {
          continue; // the child's log output
        }
        lastPrinted = Long.parseLong(line.substring("appended ".length()).trim());
        if (lastPrinted >= 20_000) {
          child.destroyForcibly();
          break;
        }
      }
    } finally {
      child.destroyForcibly();
      assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(lastPrinted).isGreaterThanOrEqualTo(20_000);

    try (Journal journal =
        Journal.open(dir, JournalTest.settings(SEGMENT_BYTES), Clock.systemUTC())) {
      long expected = 1;
      List<Journal.Entry> batch;
      while (!(batch = journal.readFrom(expected - 1, 10_000, 4 << 20)).isEmpty()) {
        for (Journal.Entry entry : batch) {
          assertThat(entry.id()).isEqualTo(expected);
          assertThat(entry.payload()).isEqualTo(payloadFor(expected));
          expected++;
        }
      }
      assertThat(expected - 1).isGreaterThanOrEqualTo(lastPrinted);
      JournalStats stats = journal.stats();
      assertThat(stats.corruptRecords()).isZero();
      assertThat(stats.lastId()).isEqualTo(expected - 1);
    }
  }
}
