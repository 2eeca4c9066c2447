package org.ketenlink.gateway.journal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How one journal is bounded and made durable. Validated once, on construction; every problem is
 * listed in one {@link IllegalArgumentException}.
 *
 * @param maxBytes the disk budget for all segment files of the journal; at least two segments
 * @param maxAge records older than this are dropped (whole segments, oldest first); {@link
 *     Duration#ZERO} means no age limit
 * @param segmentBytes the size at which a segment is closed and a new one started; also bounds one
 *     record (payload + {@value RecordFormat#RECORD_HEADER_BYTES} header bytes + {@value
 *     RecordFormat#SEGMENT_HEADER_BYTES} segment header bytes)
 * @param sync when appended data is forced to the device
 * @param syncInterval the group-commit interval under {@link SyncPolicy#GROUP}; under every policy
 *     also the interval at which the checkpoint is written and the age limit is checked
 * @param overflow what happens when the budget or the age limit is reached
 */
public record JournalSettings(
    long maxBytes,
    Duration maxAge,
    long segmentBytes,
    SyncPolicy sync,
    Duration syncInterval,
    OverflowPolicy overflow) {

  /** The smallest segment accepted; small enough for tests, far below sensible production sizes. */
  public static final long MIN_SEGMENT_BYTES = 4096;

  /** When appended records are forced from the OS page cache to the device. */
  public enum SyncPolicy {
    /**
     * {@code fsync} on the appending thread before {@link Journal#append} returns. Loses nothing on
     * power loss; the slowest.
     */
    ALWAYS,
    /**
     * A background thread {@code ketenlink-journal-sync} forces the journal every {@code
     * syncInterval} if records were appended. A power loss loses at most the records appended in
     * the last interval (plus the duration of one {@code fsync}).
     */
    GROUP,
    /**
     * Never forced while running (only on {@link Journal#close}); the OS writes back when it likes
     * (typically within 30 s on Linux). A power loss can lose that much.
     */
    NONE
  }

  /** What gives way when the disk budget or the age limit is reached. */
  public enum OverflowPolicy {
    /**
     * Drop whole oldest segments, delivered or not, so that new data is always accepted. Dropped
     * undelivered records are counted and alarmed once (a WARN), then logged at debug.
     */
    DROP_OLDEST
  }

  public JournalSettings {
    Objects.requireNonNull(maxAge, "maxAge");
    Objects.requireNonNull(sync, "sync");
    Objects.requireNonNull(syncInterval, "syncInterval");
    Objects.requireNonNull(overflow, "overflow");
    List<String> problems = new ArrayList<>();
    if (segmentBytes < MIN_SEGMENT_BYTES || segmentBytes > Integer.MAX_VALUE) {
      problems.add(
          "journal.segmentBytes: must be between "
              + MIN_SEGMENT_BYTES
              + " and "
              + Integer.MAX_VALUE
              + ", was "
              + segmentBytes);
    }
    if (maxBytes < 2 * segmentBytes) {
      problems.add(
          "journal.maxBytes: must hold at least two segments (2 x "
              + segmentBytes
              + " bytes), was "
              + maxBytes);
    }
    if (maxAge.isNegative()) {
      problems.add("journal.maxAge: must not be negative, was " + maxAge);
    }
    if (syncInterval.isNegative() || syncInterval.isZero()) {
      problems.add("journal.syncInterval: must be positive, was " + syncInterval);
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
  }

  /** 1 GiB budget, no age limit, 64 MiB segments, group commit every 200 ms, drop oldest. */
  public static JournalSettings defaults() {
    return new JournalSettings(
        1L << 30,
        Duration.ZERO,
        64L << 20,
        SyncPolicy.GROUP,
        Duration.ofMillis(200),
        OverflowPolicy.DROP_OLDEST);
  }

  public JournalSettings withMaxBytes(long maxBytes) {
    return new JournalSettings(maxBytes, maxAge, segmentBytes, sync, syncInterval, overflow);
  }

  public JournalSettings withMaxAge(Duration maxAge) {
    return new JournalSettings(maxBytes, maxAge, segmentBytes, sync, syncInterval, overflow);
  }

  public JournalSettings withSegmentBytes(long segmentBytes) {
    return new JournalSettings(maxBytes, maxAge, segmentBytes, sync, syncInterval, overflow);
  }

  public JournalSettings withSync(SyncPolicy sync, Duration syncInterval) {
    return new JournalSettings(maxBytes, maxAge, segmentBytes, sync, syncInterval, overflow);
  }

  /** The largest payload one record can carry with these settings. */
  public int maxRecordBytes() {
    return (int) segmentBytes
        - RecordFormat.SEGMENT_HEADER_BYTES
        - RecordFormat.RECORD_HEADER_BYTES;
  }
}
