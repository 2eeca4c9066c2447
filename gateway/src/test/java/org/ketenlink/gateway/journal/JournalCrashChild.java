package org.ketenlink.gateway.journal;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.ketenlink.gateway.journal.JournalSettings.SyncPolicy;

/**
 * Runs in a child JVM for {@link JournalCrashTest}: appends records 1, 2, 3, ... under {@link
 * SyncPolicy#NONE} until it is killed, printing each id after its {@code append} returned.
 */
final class JournalCrashChild {

  private JournalCrashChild() {}

  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    JournalSettings settings =
        JournalSettings.defaults()
            .withSegmentBytes(JournalCrashTest.SEGMENT_BYTES)
            .withMaxBytes(1L << 34)
            .withSync(SyncPolicy.NONE, Duration.ofMillis(50));
    PrintStream out = System.out;
    Journal journal = Journal.open(dir, settings, Clock.systemUTC());
    for (long i = 1; ; i++) {
      long id = journal.append(JournalCrashTest.payloadFor(i));
      if (id != i) {
        throw new IllegalStateException("expected id " + i + ", got " + id);
      }
      out.println("appended " + id);
      if ((i & 31) == 0) {
        out.flush();
      }
    }
  }
}
